import { ModelInvalidError } from '../errors.js';
import { encodeModel, int, ints, l2Normalise, node, tensor, valueInfo } from './onnx-proto.js';
import type { CheckpointTensor } from './torch-checkpoint.js';

/** How an EfficientNet-Lite checkpoint becomes a model: its input and its stages. */
export interface EfficientNetLiteShape {
  /** The square input the network was trained at (224 for Lite0). */
  size: number;
  /** Per stage: blocks and the stride of its first block; kernels and widths come from the weights. */
  stages: readonly { repeats: number; stride: number }[];
}

/** EfficientNet-Lite0 (width and depth 1.0): 16 blocks in 7 stages. */
export const EFFICIENTNET_LITE0: EfficientNetLiteShape = {
  size: 224,
  stages: [
    { repeats: 1, stride: 1 },
    { repeats: 2, stride: 2 },
    { repeats: 2, stride: 2 },
    { repeats: 3, stride: 2 },
    { repeats: 3, stride: 1 },
    { repeats: 4, stride: 2 },
    { repeats: 1, stride: 1 },
  ],
};

/** TensorFlow's batch-norm epsilon, which the ported weights were trained with. */
const BN_EPSILON = 1e-3;

export const FEATURES_OUTPUT = 'embedding';
export const LOGITS_OUTPUT = 'logits';

/**
 * An EfficientNet-Lite state dict (the `_conv_stem`, `_blocks.N._expand_conv`/`_depthwise_conv`/
 * `_project_conv`, `_conv_head`, `_fc` layout) as an ONNX graph. Batch norms are folded into the
 * convolutions; activations are ReLU6; every convolution pads like TensorFlow's "SAME" (the extra
 * row and column at the end), which the weights were trained with. Outputs: `embedding`, the
 * globally pooled 1280 features L2-normalised, and `logits`, the ImageNet classifier's 1000
 * scores (for checking the conversion). Input: [N, 3, size, size], RGB scaled as (x − 127) / 128.
 */
export function buildEfficientNetLite(
  id: string,
  weights: Map<string, CheckpointTensor>,
  shape: EfficientNetLiteShape = EFFICIENTNET_LITE0,
): Uint8Array {
  const graph = new GraphBuilder(weights);
  let spatial = shape.size;
  let x = graph.conv('pixels', 'stem', '_conv_stem', '_bn0', { stride: 2, spatial, relu6: true });
  spatial = Math.ceil(spatial / 2);
  let block = 0;
  for (const { repeats, stride: firstStride } of shape.stages) {
    for (let r = 0; r < repeats; r++, block++) {
      const stride = r === 0 ? firstStride : 1;
      const prefix = `_blocks.${block}`;
      const input = x;
      if (weights.has(`${prefix}._expand_conv.weight`)) {
        x = graph.conv(x, `b${block}_expand`, `${prefix}._expand_conv`, `${prefix}._bn0`, { spatial, relu6: true });
      }
      x = graph.conv(x, `b${block}_depthwise`, `${prefix}._depthwise_conv`, `${prefix}._bn1`, {
        stride,
        spatial,
        relu6: true,
        depthwise: true,
      });
      spatial = Math.ceil(spatial / stride);
      x = graph.conv(x, `b${block}_project`, `${prefix}._project_conv`, `${prefix}._bn2`, { spatial });
      if (stride === 1 && graph.channels(`${prefix}._project_conv`) === graph.inputChannels(input)) {
        x = graph.add(input, x, `b${block}_out`);
      }
    }
  }
  x = graph.conv(x, 'head', '_conv_head', '_bn1', { spatial, relu6: true });
  graph.nodes.push(
    node('GlobalAveragePool', [x], 'pooled'),
    node('Flatten', ['pooled'], 'features', [int('axis', 1)]),
    ...l2Normalise('features', FEATURES_OUTPUT),
    node('Gemm', ['features', 'fc_weight', 'fc_bias'], LOGITS_OUTPUT, [int('transB', 1)]),
  );
  const fc = graph.weight('_fc.weight');
  graph.initializers.push(
    tensor('fc_weight', fc.shape, fc.values),
    tensor('fc_bias', [fc.shape[0] as number], graph.weight('_fc.bias').values),
  );
  const features = graph.channels('_conv_head');
  return encodeModel(id, `EfficientNet-Lite, ImageNet-1k weights; ${features}-d pooled features, L2-normalised.`, {
    input: [valueInfo('pixels', ['batch', 3, shape.size, shape.size])],
    output: [
      valueInfo(FEATURES_OUTPUT, ['batch', features]),
      valueInfo(LOGITS_OUTPUT, ['batch', fc.shape[0] as number]),
    ],
    initializer: [
      ...graph.initializers,
      tensor('epsilon', [1], [1e-12]),
      tensor('zero', [], [0]),
      tensor('six', [], [6]),
    ],
    node: graph.nodes,
  });
}

class GraphBuilder {
  readonly nodes: ReturnType<typeof node>[] = [];
  readonly initializers: ReturnType<typeof tensor>[] = [];
  /** Channels of each value, for the residual connections. */
  readonly #channelsOf = new Map<string, number>([['pixels', 3]]);

  constructor(private readonly weights: Map<string, CheckpointTensor>) {}

  weight(name: string): { shape: number[]; values: Float32Array } {
    const found = this.weights.get(name);
    if (!found || !(found.values instanceof Float32Array))
      throw new ModelInvalidError(`the checkpoint has no float ${name}`);
    return { shape: found.shape, values: found.values };
  }

  channels(conv: string): number {
    return this.weight(`${conv}.weight`).shape[0] as number;
  }

  inputChannels(value: string): number {
    return this.#channelsOf.get(value) as number;
  }

  /** A convolution with its batch norm folded in (W·γ/σ, β − μ·γ/σ), then ReLU6 if asked. */
  conv(
    input: string,
    name: string,
    conv: string,
    bn: string,
    {
      stride = 1,
      spatial,
      relu6 = false,
      depthwise = false,
    }: { stride?: number; spatial: number; relu6?: boolean; depthwise?: boolean },
  ): string {
    const { shape, values } = this.weight(`${conv}.weight`);
    const [out, , kernel] = shape as [number, number, number, number];
    const gamma = this.weight(`${bn}.weight`).values;
    const beta = this.weight(`${bn}.bias`).values;
    const mean = this.weight(`${bn}.running_mean`).values;
    const variance = this.weight(`${bn}.running_var`).values;
    const perOutput = values.length / out;
    const folded = new Float32Array(values.length);
    const bias = new Float32Array(out);
    for (let o = 0; o < out; o++) {
      const scale = (gamma[o] as number) / Math.sqrt((variance[o] as number) + BN_EPSILON);
      for (let i = 0; i < perOutput; i++) folded[o * perOutput + i] = (values[o * perOutput + i] as number) * scale;
      bias[o] = (beta[o] as number) - (mean[o] as number) * scale;
    }
    this.initializers.push(tensor(`${name}_w`, shape, folded), tensor(`${name}_b`, [out], bias));
    // TensorFlow's SAME: output ceil(in / stride); the odd padding row and column go at the end.
    const total = Math.max((Math.ceil(spatial / stride) - 1) * stride + kernel - spatial, 0);
    const [begin, end] = [Math.floor(total / 2), total - Math.floor(total / 2)];
    const output = relu6 ? `${name}_conv` : name;
    this.nodes.push(
      node('Conv', [input, `${name}_w`, `${name}_b`], output, [
        ints('kernel_shape', [kernel, kernel]),
        ints('strides', [stride, stride]),
        ints('pads', [begin, begin, end, end]),
        int('group', depthwise ? out : 1),
      ]),
    );
    if (relu6) this.nodes.push(node('Clip', [output, 'zero', 'six'], name));
    this.#channelsOf.set(name, out);
    return name;
  }

  add(a: string, b: string, name: string): string {
    this.nodes.push(node('Add', [a, b], name));
    this.#channelsOf.set(name, this.#channelsOf.get(b) as number);
    return name;
  }
}
