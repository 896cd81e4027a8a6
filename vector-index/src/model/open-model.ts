import { resolve } from 'node:path';
import { ModelMismatchError } from '../errors.js';
import type { IndexVersion, IndexVersionSpec } from '../store/index-versions.js';
import { builtInModelFolder } from './built-in-models.js';
import { EmbeddingModel } from './embedding-model.js';
import { readModelSpec } from './model-spec.js';

export interface ModelSettings {
  /** A built-in model's id (see built-in-models.ts). */
  MODEL: string;
  /** A model folder of one's own, instead of MODEL. */
  MODEL_DIR?: string | undefined;
  MODEL_CACHE_DIR: string;
  INFERENCE_THREADS: number;
  INFERENCE_BATCH_MAX: number;
}

/** MODEL_DIR's model, or the built-in MODEL (made in the cache folder if missing). */
export async function openModel(settings: ModelSettings) {
  const dir = settings.MODEL_DIR ?? (await builtInModelFolder(settings.MODEL, settings.MODEL_CACHE_DIR));
  return EmbeddingModel.open(readModelSpec(dir), {
    threads: settings.INFERENCE_THREADS,
    maxBatch: settings.INFERENCE_BATCH_MAX,
  });
}

/**
 * The model a version's vectors came from, so that a processor or a search following the alias
 * always embeds with it. Refuses a folder that now holds another model.
 */
export async function openModelOf(version: IndexVersion, settings: ModelSettings): Promise<EmbeddingModel> {
  // A version built with a built-in model records only its id (modelDir null).
  const model = await openModel({ ...settings, MODEL: version.modelId, MODEL_DIR: version.modelDir ?? undefined });
  if (model.spec.id !== version.modelId) {
    await model.close();
    throw new ModelMismatchError(
      `${version.name} holds vectors of model ${version.modelId}, but ${version.modelDir ?? 'the built-in model'} is ${model.spec.id}`,
    );
  }
  return model;
}

/** How a processor opens its models: the one `version` was built with, or, for a first version, the configured one. */
export type ModelOpener = (version: IndexVersion | undefined, settings: ModelSettings) => Promise<EmbeddingModel>;

export const openModelFor: ModelOpener = (version, settings) =>
  version ? openModelOf(version, settings) : openModel(settings);

/** What a new version built with `model` (opened from `modelDir`) records about it. */
export function versionSpecOf(
  model: EmbeddingModel,
  modelDir: string | undefined,
  groupPrefix: string,
): IndexVersionSpec {
  return {
    modelId: model.spec.id,
    modelDir: modelDir ? resolve(modelDir) : null,
    dimension: model.dimension,
    groupPrefix,
  };
}
