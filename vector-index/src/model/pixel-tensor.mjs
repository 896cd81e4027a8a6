// Plain JavaScript, so that the inference worker loads it without a TypeScript loader; the
// pretrained model's test uses it too.

/**
 * Decoded images (`size`×`size` RGB bytes each, row by row, as imageToPixels gives them) to the
 * model's input: one float32 NCHW batch, each channel normalised with the model's mean and std;
 * written into `data` when given (at least as long as the batch).
 */
export function pixelsToTensor(images, { size, mean, std }, data = new Float32Array(3 * size * size * images.length)) {
  const plane = size * size;
  for (const [n, pixels] of images.entries()) {
    if (pixels.length !== 3 * plane) {
      throw new RangeError(`an image of ${pixels.length} bytes is not ${size}×${size} RGB`);
    }
    const start = 3 * plane * n;
    for (let i = 0; i < plane; i++) {
      for (let c = 0; c < 3; c++) {
        data[start + c * plane + i] = (pixels[i * 3 + c] / 255 - mean[c]) / std[c];
      }
    }
  }
  return data;
}
