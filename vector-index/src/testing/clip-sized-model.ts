import { join } from 'node:path';
import { seededRandom } from '@vsp/test-harness';
import { writeModelFolder } from '../model/model-spec.js';
import { encodeModel, float, int, int64Tensor, ints, node, tensor, valueInfo } from '../model/onnx-proto.js';

/**
 * A stand-in for CLIP ViT-B/32's image tower, for benchmarks: the same input (224x224, CLIP's
 * mean and std), the same output size (512) and the same shape of work, a ViT-B/32 stack with
 * seeded random weights: 32x32 patches (49 tokens) of width 768, 12 pre-norm layers of 12-head
 * attention and a 3,072-wide MLP, mean-pooled and projected to 512. About 4.4 G multiply-adds
 * and 88 M weights (350 MB) per image, as the real model. Its vectors mean nothing: it measures
 * what the pipeline does around a model whose inference dominates. Generated on demand and
 * never committed.
 */
export const CLIP_SIZED_MODEL = {
  id: 'vsp-clip-vit-b32-sized-random-v1',
  size: 224,
  mean: [0.48145466, 0.4578275, 0.40821073],
  std: [0.26862954, 0.26130258, 0.27577711],
  dimension: 512,
} as const;

const PATCH = 32;
const WIDTH = 768;
const HEADS = 12;
const LAYERS = 12;
const MLP = 4 * WIDTH;
const TOKENS = (CLIP_SIZED_MODEL.size / PATCH) ** 2;

/** Multiply-adds per image: the patch convolution, then per layer four projections, attention and the MLP. */
export const CLIP_SIZED_MULTIPLY_ADDS =
  TOKENS * 3 * PATCH * PATCH * WIDTH +
  LAYERS * (4 * TOKENS * WIDTH * WIDTH + 2 * TOKENS * TOKENS * WIDTH + 2 * TOKENS * WIDTH * MLP) +
  WIDTH * CLIP_SIZED_MODEL.dimension;

/** The model file for CLIP_SIZED_MODEL. Weights uniform in ±sqrt(3 / fan-in), so activations stay near unit scale. */
export function buildClipSizedModel(): Uint8Array {
  // Seeded: the same weights on every machine, without a weight file to download.
  const random = seededRandom(0x0c11b);
  const initializer: ReturnType<typeof tensor | typeof int64Tensor>[] = [];
  const weights = (name: string, dims: number[], fanIn: number) => {
    const values = new Float32Array(dims.reduce((a, b) => a * b, 1));
    const scale = Math.sqrt(3 / fanIn);
    for (let i = 0; i < values.length; i++) values[i] = (2 * random() - 1) * scale;
    initializer.push(tensor(name, dims, values));
    return name;
  };
  const constant = (name: string, length: number, value: number) => {
    initializer.push(tensor(name, [length], new Float32Array(length).fill(value)));
    return name;
  };
  const ones = constant('ones', WIDTH, 1);
  const zeros = constant('zeros', WIDTH, 0);
  initializer.push(
    int64Tensor('to_tokens', [0, WIDTH, TOKENS]),
    int64Tensor('to_heads', [0, 0, HEADS, WIDTH / HEADS]),
    int64Tensor('to_width', [0, 0, WIDTH]),
    tensor('attention_scale', [1], [1 / Math.sqrt(WIDTH / HEADS)]),
    tensor('quick_gelu', [1], [1.702]),
  );
  const layerNorm = (input: string, output: string) =>
    node('LayerNormalization', [input, ones, zeros], output, [int('axis', -1), float('epsilon', 1e-5)]);
  const projection = (input: string, output: string, from: number, to: number) =>
    node('MatMul', [input, weights(`${output}_weights`, [from, to], from)], output);
  const heads = (input: string, output: string, perm: number[]) => [
    node('Reshape', [input, 'to_heads'], `${output}_split`),
    node('Transpose', [`${output}_split`], output, [ints('perm', perm)]),
  ];

  const nodes = [
    node('Conv', ['pixels', weights('patch_weights', [WIDTH, 3, PATCH, PATCH], 3 * PATCH * PATCH)], 'patches', [
      ints('kernel_shape', [PATCH, PATCH]),
      ints('strides', [PATCH, PATCH]),
    ]),
    node('Reshape', ['patches', 'to_tokens'], 'patch_columns'),
    node('Transpose', ['patch_columns'], 'x0', [ints('perm', [0, 2, 1])]),
  ];
  for (let l = 0; l < LAYERS; l++) {
    const [x, p] = [`x${l}`, `l${l}`];
    nodes.push(
      layerNorm(x, `${p}_ln1`),
      projection(`${p}_ln1`, `${p}_q`, WIDTH, WIDTH),
      projection(`${p}_ln1`, `${p}_k`, WIDTH, WIDTH),
      projection(`${p}_ln1`, `${p}_v`, WIDTH, WIDTH),
      ...heads(`${p}_q`, `${p}_qh`, [0, 2, 1, 3]),
      ...heads(`${p}_k`, `${p}_kh`, [0, 2, 3, 1]),
      ...heads(`${p}_v`, `${p}_vh`, [0, 2, 1, 3]),
      node('MatMul', [`${p}_qh`, `${p}_kh`], `${p}_scores`),
      node('Mul', [`${p}_scores`, 'attention_scale'], `${p}_scaled`),
      node('Softmax', [`${p}_scaled`], `${p}_attention`, [int('axis', -1)]),
      node('MatMul', [`${p}_attention`, `${p}_vh`], `${p}_mixed`),
      node('Transpose', [`${p}_mixed`], `${p}_mixed_tokens`, [ints('perm', [0, 2, 1, 3])]),
      node('Reshape', [`${p}_mixed_tokens`, 'to_width'], `${p}_joined`),
      projection(`${p}_joined`, `${p}_out`, WIDTH, WIDTH),
      node('Add', [x, `${p}_out`], `${p}_x`),
      layerNorm(`${p}_x`, `${p}_ln2`),
      projection(`${p}_ln2`, `${p}_up`, WIDTH, MLP),
      // QuickGELU, as CLIP: x * sigmoid(1.702 x).
      node('Mul', [`${p}_up`, 'quick_gelu'], `${p}_up_scaled`),
      node('Sigmoid', [`${p}_up_scaled`], `${p}_gate`),
      node('Mul', [`${p}_up`, `${p}_gate`], `${p}_gelu`),
      projection(`${p}_gelu`, `${p}_down`, MLP, WIDTH),
      node('Add', [`${p}_x`, `${p}_down`], `x${l + 1}`),
    );
  }
  nodes.push(
    node('ReduceMean', [`x${LAYERS}`], 'pooled', [ints('axes', [1]), int('keepdims', 0)]),
    layerNorm('pooled', 'pooled_norm'),
    projection('pooled_norm', 'embedding', WIDTH, CLIP_SIZED_MODEL.dimension),
  );
  return encodeModel(
    CLIP_SIZED_MODEL.id,
    'CLIP ViT-B/32-sized stand-in with seeded random weights: cost, not meaning.',
    {
      input: [valueInfo('pixels', ['batch', 3, CLIP_SIZED_MODEL.size, CLIP_SIZED_MODEL.size])],
      output: [valueInfo('embedding', ['batch', CLIP_SIZED_MODEL.dimension])],
      initializer,
      node: nodes,
    },
  );
}

/** Writes the stand-in into `<cacheDir>/<id>` (once) and returns that folder, for MODEL_DIR. */
export function ensureClipSizedModel(cacheDir: string): string {
  const dir = join(cacheDir, CLIP_SIZED_MODEL.id);
  const { id, size, mean, std, dimension } = CLIP_SIZED_MODEL;
  writeModelFolder(dir, buildClipSizedModel(), {
    id,
    input: { name: 'pixels', size, mean, std },
    output: { name: 'embedding', dimension },
  });
  return dir;
}
