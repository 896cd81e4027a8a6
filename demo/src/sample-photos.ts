import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesFromWheel } from '@vsp/platform';

/** A real photograph that a PyPI package ships, what it shows, and under what terms. */
export interface SamplePhoto {
  file: string;
  sha256: string;
  /** What it shows, as a product title a shopper would read. */
  title: string;
  licence: string;
}

/** scikit-image's sample data: photographs released into the public domain or under CC0. */
export const SAMPLE_PHOTO_PACKAGE = { name: 'scikit-image', version: '0.26.0', folder: 'skimage/data' } as const;

export const SAMPLE_PHOTOS: readonly SamplePhoto[] = [
  {
    file: 'chelsea.png',
    sha256: '596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb',
    title: 'Кошка Челси, полосатая',
    licence: 'CC0, Stéfan van der Walt',
  },
  {
    file: 'coffee.png',
    sha256: 'cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7',
    title: 'Чашка эспрессо',
    licence: 'CC0, Rachel Michetti (Pikolo Espresso Bar)',
  },
  {
    file: 'camera.png',
    sha256: 'b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a',
    title: 'Фотограф со штативом',
    licence: 'CC0, Lav Varshney',
  },
  {
    file: 'astronaut.png',
    sha256: '88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5',
    title: 'Астронавт в скафандре',
    licence: 'public domain, NASA (Eileen Collins)',
  },
  {
    file: 'rocket.jpg',
    sha256: 'c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c',
    title: 'Ракета Falcon 9 на старте',
    licence: 'public domain, SpaceX',
  },
  {
    file: 'coins.png',
    sha256: 'f8d773fc9cfa6f4d8e5942dc34d0a0788fcaed2a4fefbbed0aef5398d7ef4cba',
    title: 'Старинные монеты',
    licence: 'no known copyright restrictions (Brooklyn Museum)',
  },
  {
    file: 'hubble_deep_field.jpg',
    sha256: '3a19c5dd8a927a9334bb1229a6d63711b1c0c767fb27e2286e7c84a3e2c2f5f4',
    title: 'Постер «Глубокое поле Хаббла»',
    licence: 'public domain, NASA',
  },
  {
    file: 'retina.jpg',
    sha256: '38a07f36f27f095e818aea7b96d34202c05176d30253c66733f2e00379e9e0e6',
    title: 'Снимок сетчатки глаза',
    licence: 'CC0 1.0, Häggström',
  },
  {
    file: 'horse.png',
    sha256: 'c7fb60789fe394c485f842291ea3b21e50d140f39d6dcb5fb9917cc178225455',
    title: 'Силуэт лошади',
    licence: 'CC0, Andreas Preuss',
  },
  {
    file: 'brick.png',
    sha256: '7966caf324f6ba843118d98f7a07746d22f6a343430add0233eca5f6eaaa8fcf',
    title: 'Кирпичная стена',
    licence: 'CC0, CC0Textures',
  },
  {
    file: 'grass.png',
    sha256: 'b6b6022426b38936c43a4ac09635cd78af074e90f42ffa8227ac8b7452d39f89',
    title: 'Трава',
    licence: 'CC0, CC0Textures',
  },
  {
    file: 'gravel.png',
    sha256: 'c48615b451bf1e606fbd72c0aa9f8cc0f068ab7111ef7d93bb9b0f2586440c12',
    title: 'Гравий',
    licence: 'CC0, CC0Textures',
  },
];

/**
 * The sample photos' bytes, kept in `cacheDir` once fetched (with pip, checked by sha256), so a
 * second call reads them from disk.
 */
export async function samplePhotos(
  cacheDir: string,
  photos: readonly SamplePhoto[] = SAMPLE_PHOTOS,
): Promise<Map<string, Buffer>> {
  const { name, version, folder } = SAMPLE_PHOTO_PACKAGE;
  const dir = join(cacheDir, `${name}-${version}`);
  const missing = photos.filter((photo) => !existsSync(join(dir, photo.file)));
  if (missing.length > 0) {
    const fetched = await filesFromWheel({
      name,
      version,
      files: Object.fromEntries(missing.map((photo) => [`${folder}/${photo.file}`, photo.sha256])),
    });
    mkdirSync(dir, { recursive: true });
    for (const photo of missing) writeFileSync(join(dir, photo.file), fetched.get(`${folder}/${photo.file}`) as Buffer);
  }
  return new Map(photos.map((photo) => [photo.file, readFileSync(join(dir, photo.file))]));
}
