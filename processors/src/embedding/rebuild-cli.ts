import { createKafkaClient, createLogger, runCommandLine, UsageError, userPath } from '@vsp/platform';
import {
  BUILT_IN_MODEL_IDS,
  INDEX_STORE_KINDS,
  type IndexStoreKind,
  IndexVersions,
  isBuiltInModel,
  QUANTIZATIONS,
  type Quantization,
} from '@vsp/vector-index';
import closeWithGrace from 'close-with-grace';
import { HealthServer } from '../runtime/health-server.js';
import { loadEmbeddingConfig, rebuildSettingsOf } from './config.js';
import { EmbeddingMetrics } from './embedding-metrics.js';
import { type RebuildProgress, rebuild } from './rebuild.js';

const USAGE = `usage: npm run rebuild -- [--model ID|DIR] [--collection NAME] [--no-switch] [--to embedded|qdrant] [--quantize int8|none]
  Builds a new version of the vector index from the start of the log while the current one keeps
  serving, then moves the alias to it. Ctrl-C (or a crash) leaves it unfinished; run again to resume.
  --model ID|DIR     the model to embed with: a built-in one (${BUILT_IN_MODEL_IDS.join(', ')})
                     or a model folder (default: the serving version's, reusing its vectors)
  --collection NAME  the version to build or resume (default: an unfinished one, else the next free)
  --no-switch        leave the finished version ready for \`npm run index -- switch NAME\`
  --quantize int8    Qdrant only: search int8 copies of the vectors kept in memory and re-score the
                     best with the float vectors kept on disk, about a quarter of the memory; none:
                     floats only (default: as the serving version)
  --to STORE         build in the other store (${INDEX_STORE_KINDS.join(' or ')}) with the serving version's
                     model: how the index moves between stores; then point the services at it`;

await runCommandLine({
  name: 'rebuild',
  usage: USAGE,
  options: {
    model: { type: 'string' },
    collection: { type: 'string' },
    'no-switch': { type: 'boolean', default: false },
    to: { type: 'string' },
    quantize: { type: 'string' },
  },
  async run({ values }) {
    const to = values.to;
    if (to !== undefined && !(INDEX_STORE_KINDS as readonly string[]).includes(to)) {
      throw new UsageError(`--to ${to}: expected ${INDEX_STORE_KINDS.join(' or ')}`);
    }
    const quantization = values.quantize;
    if (quantization !== undefined && !(QUANTIZATIONS as readonly string[]).includes(quantization)) {
      throw new UsageError(`--quantize ${quantization}: expected ${QUANTIZATIONS.join(' or ')}`);
    }
    const config = loadEmbeddingConfig();
    const current = IndexVersions.open(config);
    const versions = to ? IndexVersions.openIn(to as IndexStoreKind, config) : current;
    // A move keeps the model: without --model, the one the current store serves with.
    const from = to && values.model === undefined ? await current.serving() : undefined;
    const modelOption = values.model ?? from?.modelDir ?? from?.modelId;
    const logger = createLogger({
      name: 'rebuild',
      level: config.LOG_LEVEL,
      logDir: config.LOG_DIR || undefined,
      format: config.LOG_FORMAT,
      toStderr: true,
    });
    const metrics = new EmbeddingMetrics('visual_search_rebuild_process_');
    const health = new HealthServer(metrics, () => ({ status: 'ok', problems: [] }));
    const port = await health.listen(config.REBUILD_PORT, '127.0.0.1');
    console.error(`rebuild metrics on http://127.0.0.1:${port}/metrics`);
    const stop = new AbortController();
    const started = performance.now();
    const done = rebuild({
      settings: rebuildSettingsOf(config),
      kafka: createKafkaClient({ clientId: 'visual-search-rebuild', brokers: config.KAFKA_BROKERS, logger }),
      versions,
      logger,
      metrics,
      model:
        modelOption === undefined
          ? undefined
          : isBuiltInModel(modelOption)
            ? { id: modelOption }
            : { dir: userPath(modelOption) },
      collection: values.collection,
      quantization: quantization as Quantization | undefined,
      switchAlias: !values['no-switch'],
      signal: stop.signal,
      onProgress: (progress) => console.log(progressLine(progress)),
    }).finally(() => health.close());
    closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger }, async ({ signal }) => {
      if (signal) console.error(`stopping on ${signal}: the version stays unfinished; run again to resume`);
      stop.abort();
      await done.catch(() => undefined);
    });

    const result = await done;
    const seconds = (performance.now() - started) / 1000;
    const fetched = (await metrics.imagesFetched.get()).values.reduce((total, v) => total + v.value, 0);
    const vectors = (await metrics.vectors.get()).values.map((v) => `${v.labels.source} ${v.value}`).join(', ');
    console.log(
      `${result.version.name}${result.resumed ? ' (resumed)' : ''}: ${result.progress.doneThisRun} events in ${seconds.toFixed(1)} s` +
        ` (${Math.round(result.progress.doneThisRun / seconds)}/s, of it ${result.indexSeconds.toFixed(1)} s indexing for search);` +
        ` images fetched ${fetched}; vectors ${vectors || 'none'}`,
    );
    const reasons = Object.entries(result.deadLetters.byReason);
    if (reasons.length > 0) {
      const total = reasons.reduce((sum, [, count]) => sum + count, 0);
      console.log(
        `dead letters: ${total} (${reasons.map(([reason, count]) => `${reason} ${count}`).join(', ')}); ` +
          `${result.deadLetters.alreadyInDlq} of them were in the DLQ already and were not sent again; npm run dlq -- list`,
      );
    }
    if (result.stopped) console.log(`${result.version.name} is unfinished: run again to resume`);
    else if (result.switched) console.log(`${config.VECTOR_ALIAS} now serves ${result.version.name}`);
    else console.log(`${result.version.name} is ready: npm run index -- switch ${result.version.name}`);
    if (to && !result.stopped) {
      console.log(
        `${versions.backend.description} holds the index now; to serve from it, set VECTOR_STORE=${to} in .env and restart the services`,
      );
    }
    return 0;
  },
});

function progressLine(p: RebuildProgress): string {
  const percent = p.total === 0 ? 100 : (100 * p.done) / p.total;
  const eta = p.etaSeconds === null ? '?' : `${Math.ceil(p.etaSeconds)} s`;
  const lag = p.partitions.map((partition) => `${partition.partition}:${partition.lag}`).join(' ');
  return (
    `${p.version}  ${p.done}/${p.total} events (${percent.toFixed(1)}%)  ${Math.round(p.eventsPerSecond)}/s` +
    `  eta ${eta}  lag ${lag}${p.caughtUp ? '  caught up' : ''}`
  );
}
