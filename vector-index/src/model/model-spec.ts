import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { ModelInvalidError } from '../errors.js';
import { buildDescriptorModel, DESCRIPTOR_MODEL, type DescriptorModel } from './descriptor-model.js';

/** Everything needed to run a model: where it is and how its input is prepared. */
export interface ModelSpec {
  id: string;
  modelPath: string;
  /** Undefined: the model's first input/output, read when it loads. */
  inputName?: string | undefined;
  outputName?: string | undefined;
  size: number;
  mean: readonly number[];
  std: readonly number[];
  /** The score at or above which a search result counts as similar; undefined: not calibrated. */
  matchThreshold?: number | undefined;
}

/** Immich's CLIP export: `visual/model.onnx` + `visual/preprocess_cfg.json`. */
interface ImmichPreprocessConfig {
  size: number | number[];
  mean: number[];
  std: number[];
}

/** A model folder in our layout, as the generated models write it. */
export interface ModelFolder {
  id: string;
  input: { name: string; size: number; mean: readonly number[]; std: readonly number[] };
  output: { name: string; dimension: number };
  /** See ModelSpec.matchThreshold; measured by `npm run bench -- --only quality`. */
  matchThreshold?: number;
  /** Where a pretrained model came from (package, version, licence, checkpoint). */
  source?: Record<string, string>;
}

/**
 * Writes a generated model (model.onnx + manifest.json) into `dir` unless the same bytes are
 * there already. Deterministic: every machine generates the same file.
 */
export function ensureDescriptorModel(dir: string, model: DescriptorModel = DESCRIPTOR_MODEL): void {
  const { id, inputName, outputName, size, mean, std, dimension, matchThreshold } = model;
  writeModelFolder(dir, buildDescriptorModel(model), {
    id,
    input: { name: inputName, size, mean, std },
    output: { name: outputName, dimension },
    ...(matchThreshold === undefined ? {} : { matchThreshold }),
  });
}

/**
 * Writes a model folder. Each file appears whole (written aside, then renamed), the manifest last:
 * another process making or opening the same model at the same time never reads half a file.
 */
export function writeModelFolder(dir: string, bytes: Uint8Array, manifest: ModelFolder): void {
  mkdirSync(dir, { recursive: true });
  writeUnlessSame(join(dir, 'model.onnx'), Buffer.from(bytes));
  writeModelManifest(dir, manifest);
}

/** Writes only the manifest of a model folder whose model.onnx is known to be right. */
export function writeModelManifest(dir: string, manifest: ModelFolder): void {
  writeUnlessSame(join(dir, 'manifest.json'), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
}

function writeUnlessSame(path: string, data: Buffer): void {
  if (existsSync(path) && data.equals(readFileSync(path))) return;
  const aside = `${path}.${process.pid}.${threadId}.tmp`;
  writeFileSync(aside, data);
  renameSync(aside, path);
}

/** Reads a model folder in either layout. */
export function readModelSpec(dir: string): ModelSpec {
  const manifestPath = join(dir, 'manifest.json');
  if (existsSync(manifestPath)) {
    const manifest = parse<ModelFolder>(manifestPath);
    return {
      id: manifest.id,
      modelPath: join(dir, 'model.onnx'),
      inputName: manifest.input.name,
      outputName: manifest.output.name,
      size: manifest.input.size,
      mean: manifest.input.mean,
      std: manifest.input.std,
      matchThreshold: manifest.matchThreshold,
    };
  }
  const immichConfig = join(dir, 'visual', 'preprocess_cfg.json');
  if (existsSync(immichConfig) && existsSync(join(dir, 'visual', 'model.onnx'))) {
    const config = parse<ImmichPreprocessConfig>(immichConfig);
    const size = Array.isArray(config.size) ? config.size[0] : config.size;
    if (typeof size !== 'number') throw new ModelInvalidError(`${immichConfig} has no size`);
    return {
      id: basename(dir),
      modelPath: join(dir, 'visual', 'model.onnx'),
      size,
      mean: config.mean,
      std: config.std,
    };
  }
  throw new ModelInvalidError(
    `${dir} holds neither manifest.json + model.onnx nor Immich's visual/model.onnx + visual/preprocess_cfg.json`,
  );
}

function parse<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new ModelInvalidError(`${path} is not valid JSON`, { cause: error });
  }
}
