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
 * Image bytes to the model's input: EXIF-rotated, sRGB, alpha dropped, resized to cover a square
 * and centre-cropped, as float32 CHW normalised with the model's mean and std. Images with more
 * than `maxPixels` are refused before they are decoded (decompression bombs).
 */
export async function imageToTensor(bytes: Buffer, spec: PreprocessSpec, maxPixels: number): Promise<Float32Array> {
  let pixels: Buffer;
  try {
    pixels = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' })
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
  const plane = spec.size * spec.size;
  const tensor = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      tensor[c * plane + i] =
        ((pixels[i * 3 + c] as number) / 255 - (spec.mean[c] as number)) / (spec.std[c] as number);
    }
  }
  return tensor;
}
