import { encodeModel, int, ints, l2Normalise, node, tensor, valueInfo } from './onnx-proto.js';

/**
 * The generated models: a classical image descriptor written as an ONNX graph, generated from this
 * code (no weights can be downloaded here). It finds near-duplicates and colour/shape neighbours,
 * not meaning. Input: [N, 3, 64, 64] RGB in 0..1. Output, L2-normalised:
 *   - colour layout: mean colour of a grid of `colourCells`² cells, L2-normalised;
 *   - oriented gradients: the greyscale image's gradient projected on 8 directions (a Sobel pair
 *     folded into eight 3x3 kernels, rectified), averaged over `gradientCells`² cells, L2-normalised;
 *   - both halves weighted 1/sqrt(2), so the whole vector has length 1 and cosine = dot product.
 */
export interface DescriptorModel {
  id: string;
  inputName: string;
  outputName: string;
  size: number;
  mean: readonly number[];
  std: readonly number[];
  colourCells: number;
  gradientCells: number;
  dimension: number;
  matchThreshold?: number;
}

const descriptor = (id: string, colourCells: number, gradientCells: number): DescriptorModel => ({
  id,
  inputName: 'pixels',
  outputName: 'embedding',
  size: 64,
  mean: [0, 0, 0],
  std: [1, 1, 1],
  colourCells,
  gradientCells,
  dimension: 3 * colourCells ** 2 + ORIENTATIONS * gradientCells ** 2,
});

const ORIENTATIONS = 8;

/**
 * 8x8 colour + 4x4 gradients, 320 values. Its threshold is the score with the fewest wrong answers
 * in `npm run bench -- --only quality` (2026-12-05): unrelated photos score high with it, so only
 * near-copies count as similar.
 */
export const DESCRIPTOR_MODEL = { ...descriptor('vsp-colour-gradient-v1', 8, 4), matchThreshold: 0.952 };
/** A coarser one, 4x4 + 2x2, 80 values: a second model to rebuild the index with. */
export const COMPACT_DESCRIPTOR_MODEL = descriptor('vsp-colour-gradient-compact-v1', 4, 2);
export const GENERATED_MODELS = [DESCRIPTOR_MODEL, COMPACT_DESCRIPTOR_MODEL] as const;

const SOBEL_X = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
const SOBEL_Y = [-1, -2, -1, 0, 0, 0, 1, 2, 1];

function orientedKernels(): number[] {
  const weights: number[] = [];
  for (let k = 0; k < ORIENTATIONS; k++) {
    const angle = (2 * Math.PI * k) / ORIENTATIONS;
    // Rounded so the bytes do not depend on the last ulp of Math.cos on this machine.
    const [c, s] = [Math.cos(angle), Math.sin(angle)].map((v) => Math.round(v * 1e6) / 1e6) as [number, number];
    for (let i = 0; i < 9; i++) weights.push(c * (SOBEL_X[i] as number) + s * (SOBEL_Y[i] as number));
  }
  return weights;
}

/** The model's bytes; the same on every machine and every run. */
export function buildDescriptorModel(model: DescriptorModel = DESCRIPTOR_MODEL): Uint8Array {
  const { size, inputName, outputName, dimension, colourCells, gradientCells } = model;
  const colourPool = size / colourCells;
  const gradientPool = size / gradientCells;
  const graph = {
    input: [valueInfo(inputName, ['batch', 3, size, size])],
    output: [valueInfo(outputName, ['batch', dimension])],
    initializer: [
      tensor('grey_weights', [1, 3, 1, 1], [0.299, 0.587, 0.114]),
      tensor('oriented_weights', [ORIENTATIONS, 1, 3, 3], orientedKernels()),
      tensor('half_weight', [1], [Math.SQRT1_2]),
      tensor('epsilon', [1], [1e-12]),
    ],
    node: [
      node('AveragePool', [inputName], 'colour_grid', [
        ints('kernel_shape', [colourPool, colourPool]),
        ints('strides', [colourPool, colourPool]),
      ]),
      node('Flatten', ['colour_grid'], 'colour_flat', [int('axis', 1)]),
      ...l2Normalise('colour_flat', 'colour'),
      node('Conv', [inputName, 'grey_weights'], 'grey', [ints('kernel_shape', [1, 1])]),
      node('Conv', ['grey', 'oriented_weights'], 'gradients', [
        ints('kernel_shape', [3, 3]),
        ints('pads', [1, 1, 1, 1]),
      ]),
      node('Relu', ['gradients'], 'oriented'),
      node('AveragePool', ['oriented'], 'oriented_grid', [
        ints('kernel_shape', [gradientPool, gradientPool]),
        ints('strides', [gradientPool, gradientPool]),
      ]),
      node('Flatten', ['oriented_grid'], 'oriented_flat', [int('axis', 1)]),
      ...l2Normalise('oriented_flat', 'shape'),
      node('Concat', ['colour', 'shape'], 'both', [int('axis', 1)]),
      node('Mul', ['both', 'half_weight'], outputName),
    ],
  };
  return encodeModel(
    model.id,
    `Colour layout (${colourCells}x${colourCells}) + oriented gradients (8 directions, ${gradientCells}x${gradientCells}), L2-normalised. Near-duplicates, not semantics.`,
    graph,
  );
}
