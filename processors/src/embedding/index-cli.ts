import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createKafkaClient, runCommandLine, UsageError, userPath, waitFor } from '@vsp/platform';
import {
  BUILT_IN_MODEL_IDS,
  IndexVersions,
  imageToPixels,
  isBuiltInModel,
  openModelOf,
  writeBuiltInModel,
} from '@vsp/vector-index';
import pino from 'pino';
import { type EmbeddingConfig, loadEmbeddingConfig } from './config.js';

const USAGE = `usage: npm run index -- <command>
  collections                    every version of the index: points, model, dimension, quantization, created, which one serves
  switch <collection>            serve another version (a rollback); instantaneous, the processors follow
  drop <collection>              delete a version that does not serve
  optimize [collection]          make a version fast to search (default: the serving one); on the
                                 embedded store, compacts it and, from 10,000 points, builds its
                                 ANN index (a rebuild does this before it serves); Qdrant: nothing to do
  get <product_id>               a product's payload and vector dimension, from the serving version
  search --image <file> [--k 5]  the nearest products to an image, embedded with the serving version's model
  write-model [id] [dir]         makes a built-in model (${BUILT_IN_MODEL_IDS.join(', ')};
                                 default MODEL) in dir (default MODEL_CACHE_DIR/<id>), e.g. for a
                                 machine without pip; npm start runs it first
  --help                         this text`;

const silent = pino({ level: 'silent' });

/** An operator's view of the vector index and its versions. */
await runCommandLine({
  name: 'index',
  usage: USAGE,
  options: { image: { type: 'string' }, k: { type: 'string', default: '5' } },
  async run({ positionals, values }) {
    const [command, argument] = positionals;
    const config = loadEmbeddingConfig();
    const versions = IndexVersions.open(config);
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
          v.quantization,
          v.createdAt,
        ]);
        printTable(['', 'collection', 'state', 'points', 'model', 'dimension', 'quantization', 'created'], rows);
        if (listings.length > 0) console.log(`* serves the alias ${versions.alias}`);
        return 0;
      }
      case 'switch': {
        if (!argument) throw new UsageError('switch needs a collection');
        const started = performance.now();
        const version = await versions.switchTo(argument);
        const ms = (performance.now() - started).toFixed(0);
        console.log(`${versions.alias} now serves ${version.name} (model ${version.modelId}), switched in ${ms} ms`);
        return 0;
      }
      case 'drop': {
        if (!argument) throw new UsageError('drop needs a collection');
        const dropped = await versions.drop(argument);
        console.log(`dropped ${argument}`);
        await deleteGroup(config, dropped.group);
        return 0;
      }
      case 'optimize': {
        const name = argument ?? (await versions.serving())?.name;
        if (!name) throw new UsageError(`no version of ${versions.alias} serves yet: name one`);
        const started = performance.now();
        await versions.optimize(name);
        console.log(`optimized ${name} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        return 0;
      }
      case 'get': {
        if (!argument) throw new UsageError('get needs a product_id');
        const point = (await versions.store(versions.alias).get([argument])).get(argument);
        if (!point) {
          console.error(`product ${argument} is not in the index`);
          return 1;
        }
        console.log(JSON.stringify({ ...point.payload, vector_dimension: point.vector.length }, null, 2));
        return 0;
      }
      case 'search': {
        if (!values.image) throw new UsageError('search needs --image <file>');
        const k = Number(values.k);
        if (!Number.isInteger(k) || k < 1) throw new UsageError(`--k ${values.k}: expected a whole number ≥ 1`);
        const serving = await versions.serving();
        if (!serving) {
          console.log('no products in the index');
          return 0;
        }
        // The query is embedded with the model the served vectors came from, or the scores mean nothing.
        const model = await openModelOf(serving, config);
        try {
          const [query] = await model.embed([
            await imageToPixels(await readFile(userPath(values.image)), model.spec, config.IMAGE_MAX_PIXELS),
          ]);
          const hits = await versions.store(serving.name).search(query as Float32Array, k);
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
        return 0;
      }
      case 'write-model': {
        if (argument === undefined && config.MODEL_DIR) {
          console.log(`MODEL_DIR is set: the model in ${config.MODEL_DIR} is used, nothing to make`);
          return 0;
        }
        const id = argument ?? config.MODEL;
        if (!isBuiltInModel(id)) throw new UsageError(`write-model needs one of ${BUILT_IN_MODEL_IDS.join(', ')}`);
        const dir = positionals[2] ? userPath(positionals[2]) : join(config.MODEL_CACHE_DIR, id);
        const started = Date.now();
        if (!existsSync(join(dir, 'model.onnx'))) console.log(`making model ${id} in ${dir} (once)…`);
        await writeBuiltInModel(id, dir);
        console.log(`model ${id} is in ${dir} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        return 0;
      }
      default:
        throw new UsageError(command ? `unknown command ${command}` : 'a command is required');
    }
  },
});

/**
 * A dropped version's consumer group is of no further use; Kafka would keep its commits for a week.
 * Right after a switch the live processors may still be members: they leave within
 * ALIAS_CHECK_INTERVAL_MS, so a non-empty group is waited for a few intervals first.
 */
async function deleteGroup(config: EmbeddingConfig, group: string): Promise<void> {
  const admin = createKafkaClient({
    clientId: 'visual-search-index',
    brokers: config.KAFKA_BROKERS,
    logger: silent,
  }).admin();
  const errorsOf = (error: unknown) =>
    ((error as { groups?: { error?: { type?: string } }[] }).groups ?? []).map((g) => g.error?.type);
  try {
    await admin.connect();
    await waitFor(
      async () => {
        try {
          await admin.deleteGroups([group]);
          console.log(`deleted its consumer group ${group}`);
          return true;
        } catch (error) {
          const types = errorsOf(error);
          if (types.length > 0 && types.every((type) => type === 'GROUP_ID_NOT_FOUND')) return true;
          throw error;
        }
      },
      {
        description: `the processors to leave ${group}`,
        timeoutMs: 5 * config.ALIAS_CHECK_INTERVAL_MS,
        intervalMs: 500,
      },
    );
  } catch (error) {
    console.error(
      `its consumer group ${group} was left (${(error as Error).message}): npm run kafka -- consumer-groups --delete --group ${group}`,
    );
  } finally {
    await admin.disconnect();
  }
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
