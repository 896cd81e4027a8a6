import sharp from 'sharp';

/** A small deterministic PRNG (mulberry32): the same seed draws the same numbers. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const colour = (next: () => number) =>
  `rgb(${Math.floor(next() * 256)},${Math.floor(next() * 256)},${Math.floor(next() * 256)})`;

/**
 * A stand-in product photo: a coloured background with a few shapes, different for every seed,
 * the same for the same seed. No photos can be downloaded here, and these exercise the same
 * decoding, resizing and descriptor paths.
 */
export async function productImage(
  seed: number,
  { width = 480, height = 360, format = 'jpeg' as 'jpeg' | 'png' } = {},
) {
  const next = seededRandom(seed);
  const shapes: string[] = [];
  for (let i = 0, count = 3 + Math.floor(next() * 4); i < count; i++) {
    const x = Math.floor(next() * width);
    const y = Math.floor(next() * height);
    const size = 30 + Math.floor(next() * 150);
    shapes.push(
      next() < 0.5
        ? `<circle cx="${x}" cy="${y}" r="${size / 2}" fill="${colour(next)}"/>`
        : `<rect x="${x - size / 2}" y="${y - size / 3}" width="${size}" height="${(size * 2) / 3}" fill="${colour(next)}" transform="rotate(${Math.floor(next() * 90)} ${x} ${y})"/>`,
    );
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${colour(next)}"/>${shapes.join('')}</svg>`;
  const image = sharp(Buffer.from(svg));
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 90 }).toBuffer();
}

/** What a re-upload looks like: resized to 70% and JPEG-recompressed at quality 60. */
export async function nearDuplicate(image: Buffer): Promise<Buffer> {
  const { width = 100 } = await sharp(image).metadata();
  return sharp(image)
    .resize(Math.round(width * 0.7))
    .jpeg({ quality: 60 })
    .toBuffer();
}
