import { join } from 'node:path';
import { DESCRIPTOR_MODEL } from './descriptor-model.js';
import { EmbeddingModel } from './embedding-model.js';
import { ensureDescriptorModel, readModelSpec } from './model-spec.js';

/** MODEL_DIR's model, or the generated descriptor (written into the cache folder if missing). */
export function openModel(settings: {
  MODEL_DIR?: string | undefined;
  MODEL_CACHE_DIR: string;
  INFERENCE_THREADS: number;
}) {
  let dir = settings.MODEL_DIR;
  if (!dir) {
    dir = join(settings.MODEL_CACHE_DIR, DESCRIPTOR_MODEL.id);
    ensureDescriptorModel(dir);
  }
  return EmbeddingModel.open(readModelSpec(dir), { threads: settings.INFERENCE_THREADS });
}
