import type { PreprocessSpec } from '../images/image-preprocessor.js';

export declare function pixelsToTensor(
  images: readonly Uint8Array[],
  spec: PreprocessSpec,
  data?: Float32Array<ArrayBuffer>,
): Float32Array<ArrayBuffer>;
