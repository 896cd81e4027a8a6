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
