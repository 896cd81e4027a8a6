import sharp from 'sharp';
import { ImageTooLargeError, ImageUndecodableError } from '../errors.js';

export interface PreprocessSpec {
  size: number;
  mean: readonly number[];
  std: readonly number[];
}

// One libvips thread per image: the 2 cores are shared with inference and Kafka.
sharp.concurrency(1);
// Every image is decoded once: libvips' operation cache would only hold memory.
sharp.cache(false);

/**
 * Image bytes to the model's input pixels: EXIF-rotated, sRGB, alpha dropped, resized to cover a
 * square and centre-cropped, `size`×`size` RGB bytes row by row. The model's worker turns them into
 * float32 normalised with the model's mean and std (`pixel-tensor.mjs`): made on the main thread,
 * that 600 KB array per image was external memory whose pressure started a full collection of the
 * search service's heap every ~80 searches by photo, pausing it (13 collections instead of 50 over
 * 4,000 searches once moved; docs/PERFORMANCE.md, Search). Images with more than `maxPixels` are
 * refused before they are decoded (decompression bombs).
 */
export async function imageToPixels(bytes: Buffer, spec: PreprocessSpec, maxPixels: number): Promise<Buffer> {
  try {
    return await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' })
      .rotate()
      .toColourspace('srgb')
      .removeAlpha()
      .resize(spec.size, spec.size, { fit: 'cover', position: 'centre' })
      .raw()
      .toBuffer();
  } catch (error) {
    const message = (error as Error).message;
    if (/pixel limit/i.test(message))
      throw new ImageTooLargeError(`image exceeds ${maxPixels} pixels`, { cause: error });
    throw new ImageUndecodableError(`not a decodable image: ${message}`, { cause: error });
  }
}
