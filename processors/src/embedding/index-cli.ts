import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadOrExit } from '@vsp/platform';
import { loadEmbeddingConfig } from './config.js';
import { imageToTensor } from './images/image-preprocessor.js';
import { openModel } from './model/open-model.js';
import { openVectorStore } from './vector-store/open-vector-store.js';

const USAGE = `usage: npm run index -- <command>
  stats                          the collection behind the alias, point count, model id, dimension
  get <product_id>               a product's payload and vector dimension
  search --image <file> [--k 5]  the nearest products to an image, with scores`;

class UsageError extends Error {}

/** An operator's view of the vector index. */
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { image: { type: 'string' }, k: { type: 'string', default: '5' } },
});
const [command, argument] = positionals;
const config = loadOrExit('index', () => loadEmbeddingConfig());
const model = await openModel(config);
const store = await openVectorStore(config, { dimension: model.dimension, modelId: model.spec.id });

try {
  switch (command) {
    case 'stats': {
      const stats = await store.stats();
      console.log(`alias       ${stats.alias}`);
      console.log(`collection  ${stats.collection}`);
      console.log(`points      ${stats.points}`);
      console.log(`model       ${stats.modelId}`);
      console.log(`dimension   ${stats.dimension}`);
      console.log(`store       Qdrant ${config.QDRANT_URL}`);
      break;
    }
    case 'get': {
      if (!argument) throw new UsageError('get needs a product_id');
      const point = (await store.get([argument])).get(argument);
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
      const k = Number(values.k);
      const [query] = await model.embed([
        await imageToTensor(await readFile(values.image), model.spec, config.IMAGE_MAX_PIXELS),
      ]);
      const hits = await store.search(query as Float32Array, k);
      if (hits.length === 0) console.log('no products in the index');
      for (const [rank, hit] of hits.entries()) {
        console.log(
          `${String(rank + 1).padStart(2)}. ${hit.score.toFixed(4)}  ${hit.productId}  ${hit.payload.title ?? ''}  (${hit.payload.image_key ?? ''})`,
        );
      }
      break;
    }
    default:
      throw new UsageError(command ? `unknown command ${command}` : 'a command is required');
  }
} catch (error) {
  console.error(error instanceof UsageError ? `${error.message}\n${USAGE}` : `index: ${(error as Error).message}`);
  process.exitCode = 2;
} finally {
  await store.close();
  await model.close();
}
