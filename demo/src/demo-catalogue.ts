import { basename, extname } from 'node:path';
import sharp from 'sharp';
import { CATALOGUE_PHOTOS, SAMPLE_PHOTOS, type SamplePhoto, samplePhotos } from './sample-photos.js';

export interface DemoProduct {
  id: string;
  title: string;
  imageKey: string;
  /** JPEG, as the marketplace's photos are. */
  photo: Buffer;
  /** The product.created webhook body, as BakaiMarket sends it. */
  event: Record<string, unknown>;
}

/** A photo (JPEG) a shopper searches with, and the product it should find first (none: nothing similar). */
export interface DemoSearch {
  photo: Buffer;
  what: string;
  expected: string | undefined;
}

const productId = (sample: SamplePhoto) => `demo-${basename(sample.file, extname(sample.file)).split('_')[0]}`;

/**
 * A catalogue of real photographs (sample-photos.ts), each product titled for what its photo
 * shows. Ids, event ids and times are fixed, so running the demo twice sends the same events
 * again: duplicates the pipeline ignores.
 */
export async function demoCatalogue(photoCache: string): Promise<DemoProduct[]> {
  const photos = await samplePhotos(photoCache);
  return Promise.all(
    CATALOGUE_PHOTOS.map(async (sample, i) => {
      const id = productId(sample);
      const imageKey = `demo/${id}.jpg`;
      return {
        id,
        title: sample.title,
        imageKey,
        photo: await sharp(photos.get(sample.file)).jpeg({ quality: 90 }).toBuffer(),
        event: {
          event_type: 'product.created',
          event_id: `evt_${id}_created`,
          timestamp: new Date(Date.UTC(2026, 0, 1, 12, 0, i)).toISOString(),
          data: {
            product_id: id,
            title: sample.title,
            description: `Фото: ${sample.licence}`,
            category: sample.category,
            price: 500 + ((i * 1370) % 45000),
            currency: 'KGS',
            image_key: imageKey,
          },
        },
      };
    }),
  );
}

/**
 * What the demo searches with: another photo of a catalogue product (taken from another spot),
 * which should find that product first, and a photo of something the catalogue does not sell,
 * which should find nothing similar.
 */
export async function demoSearches(photoCache: string): Promise<DemoSearch[]> {
  const photos = await samplePhotos(photoCache);
  const view = SAMPLE_PHOTOS.find((sample) => sample.viewOf) as SamplePhoto;
  const pictured = CATALOGUE_PHOTOS.find((sample) => sample.file === view.viewOf) as SamplePhoto;
  const unrelated = SAMPLE_PHOTOS.find((sample) => sample.file === 'brick.png') as SamplePhoto;
  // Sent as JPEG, as a phone's camera takes it.
  const jpeg = (sample: SamplePhoto) => sharp(photos.get(sample.file)).jpeg({ quality: 85 }).toBuffer();
  return [
    { photo: await jpeg(view), what: `${view.title} (${view.file})`, expected: productId(pictured) },
    { photo: await jpeg(unrelated), what: `${unrelated.title} (${unrelated.file})`, expected: undefined },
  ];
}
