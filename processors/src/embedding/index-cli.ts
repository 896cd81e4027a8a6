import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrExit } from '@vsp/platform';
import { ProcessorError } from '../errors.js';
import { loadEmbeddingConfig } from './config.js';
import { imageToTensor } from './images/image-preprocessor.js';
import { GENERATED_MODELS } from './model/descriptor-model.js';
import { ensureDescriptorModel } from './model/model-spec.js';
import { openModelOf } from './model/open-model.js';
import { IndexVersions } from './vector-store/index-versions.js';

const USAGE = `usage: npm run index -- <command>
  collections                    every version of the index: points, model, dimension, created, which one serves
  switch <collection>            serve another version (a rollback); instantaneous, the processors follow
  drop <collection>              delete a version that does not serve
  get <product_id>               a product's payload and vector dimension, from the serving version
  search --image <file> [--k 5]  the nearest products to an image, embedded with the serving version's model
  write-model <id> [dir]         writes a generated model (${GENERATED_MODELS.map((m) => m.id).join(', ')})
                                 into dir (default MODEL_CACHE_DIR/<id>), for \`npm run rebuild -- --model dir\`
  --help                         this text`;

class UsageError extends Error {}

/** An operator's view of the vector index and its versions. */
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { image: { type: 'string' }, k: { type: 'string', default: '5' }, help: { type: 'boolean' } },
});
const [command, argument] = positionals;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const config = loadOrExit('index', () => loadEmbeddingConfig());
const versions = IndexVersions.connect(config);

try {
  switch (command) {
    case 'collections': {
      const listings = await versions.list();
      if (listings.length === 0) console.log(`no versions of ${versions.alias} yet`);
      const rows = listings.map((v) => [
        v.serving ? '*' : ' ',
        v.name,
        v.state,
        String(v.points),
        v.modelId,
        String(v.dimension),
        v.createdAt,
      ]);
      printTable(['', 'collection', 'state', 'points', 'model', 'dimension', 'created'], rows);
      if (listings.length > 0) console.log(`* serves the alias ${versions.alias}`);
      break;
    }
    case 'switch': {
      if (!argument) throw new UsageError('switch needs a collection');
      const started = performance.now();
      const version = await versions.switchTo(argument);
      const ms = (performance.now() - started).toFixed(0);
      console.log(`${versions.alias} now serves ${version.name} (model ${version.modelId}), switched in ${ms} ms`);
      break;
    }
    case 'drop': {
      if (!argument) throw new UsageError('drop needs a collection');
      await versions.drop(argument);
      console.log(`dropped ${argument}`);
      break;
    }
    case 'get': {
      if (!argument) throw new UsageError('get needs a product_id');
      const point = (await versions.store(versions.alias).get([argument])).get(argument);
      if (!point) {
        console.log(`product ${argument} is not in the index`);
        process.exitCode = 1;
        break;
      }
      console.log(JSON.stringify({ ...point.payload, vector_dimension: point.vector.length }, null, 2));
      break;
    }
    case 'search': {
      if (!values.image) throw new UsageError('search needs --image <file>');
      const serving = await versions.serving();
      if (!serving) {
        console.log('no products in the index');
        break;
      }
      // The query is embedded with the model the served vectors came from, or the scores mean nothing.
      const model = await openModelOf(serving, config);
      try {
        const [query] = await model.embed([
          await imageToTensor(await readFile(values.image), model.spec, config.IMAGE_MAX_PIXELS),
        ]);
        const hits = await versions.store(serving.name).search(query as Float32Array, Number(values.k));
        if (hits.length === 0) console.log('no products in the index');
        for (const [rank, hit] of hits.entries()) {
          console.log(
            `${String(rank + 1).padStart(2)}. ${hit.score.toFixed(4)}  ${hit.productId}  ${hit.payload.title ?? ''}  (${hit.payload.image_key ?? ''})`,
          );
        }
        console.log(`(${serving.name}, model ${model.spec.id})`);
      } finally {
        await model.close();
      }
      break;
    }
    case 'write-model': {
      const model = GENERATED_MODELS.find((m) => m.id === argument);
      if (!model) throw new UsageError(`write-model needs one of ${GENERATED_MODELS.map((m) => m.id).join(', ')}`);
      const dir = resolve(positionals[2] ?? join(config.MODEL_CACHE_DIR, model.id));
      ensureDescriptorModel(dir, model);
      console.log(`${model.id} (dimension ${model.dimension}) is in ${dir}`);
      break;
    }
    default:
      throw new UsageError(command ? `unknown command ${command}` : 'a command is required');
  }
} catch (error) {
  if (error instanceof UsageError) console.error(`${error.message}\n${USAGE}`);
  else if (error instanceof ProcessorError) console.error(`index: ${error.message} (${error.code})`);
  else console.error(`index: ${(error as Error).message}`);
  process.exitCode = 2;
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  for (const row of [header, ...rows]) {
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i] as number))
        .join('  ')
        .trimEnd(),
    );
  }
}
