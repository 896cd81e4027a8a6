import { join, resolve } from 'node:path';
import { ModelMismatchError } from '../../errors.js';
import type { IndexVersion, IndexVersionSpec } from '../vector-store/index-versions.js';
import { DESCRIPTOR_MODEL } from './descriptor-model.js';
import { EmbeddingModel } from './embedding-model.js';
import { ensureDescriptorModel, readModelSpec } from './model-spec.js';

export interface ModelSettings {
  MODEL_DIR?: string | undefined;
  MODEL_CACHE_DIR: string;
  INFERENCE_THREADS: number;
  INFERENCE_BATCH_MAX: number;
}

/** MODEL_DIR's model, or the generated descriptor (written into the cache folder if missing). */
export function openModel(settings: ModelSettings) {
  let dir = settings.MODEL_DIR;
  if (!dir) {
    dir = join(settings.MODEL_CACHE_DIR, DESCRIPTOR_MODEL.id);
    ensureDescriptorModel(dir);
  }
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
  const model = await openModel({ ...settings, MODEL_DIR: version.modelDir ?? undefined });
  if (model.spec.id !== version.modelId) {
    await model.close();
    throw new ModelMismatchError(
      `${version.name} holds vectors of model ${version.modelId}, but ${version.modelDir ?? 'the generated default model'} is ${model.spec.id}`,
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
