import { setTimeout as delay } from 'node:timers/promises';
import {
  type EmbeddingModel,
  type IndexVersion,
  IndexVersionRefusedError,
  type IndexVersions,
  ModelMismatchError,
  openModel,
  openModelOf,
  type Quantization,
  versionSpecOf,
} from '@vsp/vector-index';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import { DeadLetterTool } from '../dead-letters/dead-letter-tool.js';
import { KnownDeadLetters } from '../dead-letters/known-dead-letters.js';
import { type PartitionPosition, readGroupPosition } from '../runtime/group-offsets.js';
import type { EmbeddingMetrics } from './embedding-metrics.js';
import type { EmbeddingProcessorSettings } from './embedding-processor.js';
import { createVersionConsumer } from './version-consumer.js';

/** What a rebuild is told, from the embedding settings (see rebuildSettingsOf). */
export interface RebuildSettings extends Pick<EmbeddingProcessorSettings, 'consumer' | 'models' | 'groupPrefix'> {
  /** The alias moves once no partition is further than this many events behind. */
  switchLag: number;
  /** How often progress is reported and catch-up checked. */
  progressIntervalMs: number;
}

export interface RebuildOptions {
  settings: RebuildSettings;
  kafka: Kafka;
  versions: IndexVersions;
  logger: Logger;
  metrics: EmbeddingMetrics;
  /** The model to build with, a built-in one by id or a folder; default: the serving version's (a same-model rebuild). */
  model?: { id: string } | { dir: string } | undefined;
  /** The version to build (or resume) instead of the next free one. */
  collection?: string | undefined;
  /** How a new version keeps its vectors; default: as the serving version does (none without one). */
  quantization?: Quantization | undefined;
  /** Move the alias once caught up (default); false leaves the version ready for `index switch`. */
  switchAlias?: boolean;
  /** Aborting stops the rebuild where it is; a later run resumes it. */
  signal?: AbortSignal;
  onProgress(progress: RebuildProgress): void;
}

export interface RebuildProgress {
  version: string;
  /** Events the rebuild has consumed, of those in the log now. */
  done: number;
  /** Events consumed by this run: less than `done` when it resumed an unfinished version. */
  doneThisRun: number;
  total: number;
  eventsPerSecond: number;
  /** Null while no rate is known. */
  etaSeconds: number | null;
  partitions: PartitionPosition[];
  /** Past every partition's end as it was at the start, and within REBUILD_SWITCH_LAG of the end now. */
  caughtUp: boolean;
}

export interface RebuildResult {
  version: IndexVersion;
  resumed: boolean;
  /** The version whose vectors were reused; null: every image was fetched and embedded. */
  donor: string | null;
  switched: boolean;
  /** Aborted before catching up: the version stays `building`. */
  stopped: boolean;
  progress: RebuildProgress;
  /** Seconds the store took to index the filled version for search (its HNSW graph); 0 if stopped. */
  indexSeconds: number;
  deadLetters: {
    /** Events of this run that failed for good, by reason. */
    byReason: Record<string, number>;
    /** Of those, how many the DLQ had already for the same reason (not sent again). */
    alreadyInDlq: number;
  };
}

/**
 * Builds a new version of the index from the beginning of the log, with a consumer group of its
 * own, while the serving version keeps serving and the live processor keeps updating it. A
 * same-model rebuild takes vectors from the serving version instead of embedding again. Once every
 * partition is within REBUILD_SWITCH_LAG of the end, it commits, leaves its group, marks the
 * version ready and moves the alias; the live processors then follow the alias into this group and
 * go on from its commit (see EmbeddingProcessor), so no event is missed. Stopped or killed before that,
 * the version stays `building`, is never served, and the next run resumes it from its commit.
 */
export async function rebuild(options: RebuildOptions): Promise<RebuildResult> {
  const { settings, versions, logger, signal } = options;
  const { topic, dlqTopic } = settings.consumer.runtime;
  const serving = await versions.serving();
  const { model, modelDir } = await openRebuildModel(options, serving);
  try {
    const { version, resumed } = await targetVersion(options, model, modelDir, serving);
    const donor = serving && serving.modelId === model.spec.id && serving.name !== version.name ? serving : undefined;
    logger.info(
      `${resumed ? 'Resuming' : 'Building'} ${version.name} with model ${model.spec.id} from the start of ${topic}` +
        (donor ? `, reusing vectors of ${donor.name}` : ', embedding every image'),
    );
    const knownLetters = await KnownDeadLetters.read(new DeadLetterTool(options.kafka, dlqTopic));
    const runtime = createVersionConsumer({
      settings: settings.consumer,
      kafka: options.kafka,
      logger,
      metrics: options.metrics,
      store: versions.store(version.name),
      groupId: version.group,
      donor: donor && versions.store(donor.name),
      model,
      name: 'rebuild',
      deadLetters: knownLetters,
    });
    let fatal: Error | undefined;
    runtime.onFatal((error) => {
      fatal = error;
    });
    const tracker = new ProgressTracker(options, version);
    try {
      let progress = await tracker.check();
      // Switching to a version whose group had commits before it began would serve part of the log.
      if (!resumed && progress.done > 0) {
        throw new IndexVersionRefusedError(
          `${version.name}'s consumer group ${version.group} has commits from before this version existed: build another version`,
        );
      }
      await runtime.start();
      while (!progress.caughtUp && !signal?.aborted) {
        await delay(settings.progressIntervalMs, undefined, { signal }).catch(() => {});
        if (fatal) throw fatal;
        progress = await tracker.check();
      }
      await runtime.close();
      progress = await tracker.check();
      const stopped = !progress.caughtUp;
      let switched = false;
      let indexSeconds = 0;
      if (!stopped) {
        logger.info(`${version.name} holds the whole log; indexing it for search`);
        const indexing = performance.now();
        await versions.markReady(version.name);
        indexSeconds = (performance.now() - indexing) / 1000;
        if (options.switchAlias !== false) {
          await versions.switchTo(version.name);
          switched = true;
        }
      }
      return {
        version: { ...version, state: stopped ? 'building' : 'ready' },
        resumed,
        donor: donor?.name ?? null,
        switched,
        stopped,
        progress,
        indexSeconds,
        deadLetters: {
          byReason: await deadLettersByReason(options.metrics, 'rebuild'),
          alreadyInDlq: knownLetters.skipped,
        },
      };
    } finally {
      await runtime.close();
      await tracker.close();
    }
  } finally {
    await model.close();
  }
}

async function deadLettersByReason(metrics: EmbeddingMetrics, processor: string): Promise<Record<string, number>> {
  const byReason: Record<string, number> = {};
  for (const { labels, value } of (await metrics.deadLetters.get()).values) {
    if (labels.processor === processor) byReason[String(labels.reason)] = value;
  }
  return byReason;
}

/** The model to build with, and the folder a new version records (none for a built-in model). */
async function openRebuildModel(
  { settings: { models }, model }: RebuildOptions,
  serving: IndexVersion | undefined,
): Promise<{ model: EmbeddingModel; modelDir: string | undefined }> {
  if (model && 'dir' in model)
    return { model: await openModel({ ...models, MODEL_DIR: model.dir }), modelDir: model.dir };
  if (model)
    return { model: await openModel({ ...models, MODEL: model.id, MODEL_DIR: undefined }), modelDir: undefined };
  if (serving) return { model: await openModelOf(serving, models), modelDir: serving.modelDir ?? undefined };
  return { model: await openModel(models), modelDir: models.MODEL_DIR };
}

/** The version named, else an unfinished one of this model, else a new one. */
async function targetVersion(
  { versions, collection, settings, quantization }: RebuildOptions,
  model: EmbeddingModel,
  modelDir: string | undefined,
  serving: IndexVersion | undefined,
): Promise<{ version: IndexVersion; resumed: boolean }> {
  const existing = collection
    ? await versions.get(collection)
    : (await versions.all()).reverse().find((v) => v.state === 'building' && v.modelId === model.spec.id);
  if (existing) {
    if (existing.state !== 'building') {
      throw new IndexVersionRefusedError(
        `${existing.name} is complete already: serve it with \`npm run index -- switch ${existing.name}\``,
      );
    }
    if (existing.modelId !== model.spec.id) {
      throw new ModelMismatchError(
        `${existing.name} is being built with model ${existing.modelId}, not ${model.spec.id}`,
      );
    }
    if (quantization !== undefined && existing.quantization !== quantization) {
      throw new IndexVersionRefusedError(
        `${existing.name} is being built with quantization ${existing.quantization}, not ${quantization}`,
      );
    }
    return { version: existing, resumed: true };
  }
  const name = collection ?? (await versions.nextName());
  const spec = {
    ...versionSpecOf(model, modelDir, settings.groupPrefix),
    quantization: quantization ?? serving?.quantization,
  };
  return { version: await versions.create(spec, { name }), resumed: false };
}

/** Reads the rebuild group's position against the end of the log; keeps the rate and the gauges. */
class ProgressTracker {
  readonly #admin;
  readonly #gauges;
  #last: { done: number; at: number } | undefined;
  /** Done before this run consumed anything. */
  #doneAtStart: number | undefined;
  /** The end of each partition when the rebuild started: it is complete only once past all of them. */
  #startEnds: Map<number, number> | undefined;

  constructor(
    private readonly options: RebuildOptions,
    private readonly version: IndexVersion,
  ) {
    this.#admin = options.kafka.admin();
    const gauge = (name: string, help: string) =>
      new Gauge({ name: `visual_search_rebuild_${name}`, help, registers: [options.metrics.registry] });
    this.#gauges = {
      done: gauge('events_done', 'Events the rebuild has consumed'),
      total: gauge('events_total', 'Events in the log'),
      rate: gauge('events_per_second', 'Events consumed per second over the last interval'),
      eta: gauge('eta_seconds', 'Estimated seconds until the rebuild has caught up'),
    };
  }

  async check(): Promise<RebuildProgress> {
    const { settings, onProgress } = this.options;
    const partitions = await readGroupPosition(this.#admin, this.version.group, settings.consumer.runtime.topic);
    const total = partitions.reduce((sum, p) => sum + p.high - p.low, 0);
    const done = partitions.reduce((sum, p) => sum + Math.max(p.committed - p.low, 0), 0);
    this.#startEnds ??= new Map(partitions.map((p) => [p.partition, p.high]));
    this.#doneAtStart ??= done;
    const now = performance.now();
    const eventsPerSecond = this.#last ? ((done - this.#last.done) * 1000) / Math.max(now - this.#last.at, 1) : 0;
    this.#last = { done, at: now };
    const progress: RebuildProgress = {
      version: this.version.name,
      done,
      doneThisRun: done - this.#doneAtStart,
      total,
      eventsPerSecond,
      etaSeconds: eventsPerSecond > 0 ? (total - done) / eventsPerSecond : null,
      partitions,
      caughtUp: partitions.every(
        (p) => p.lag <= settings.switchLag && Math.max(p.committed, p.low) >= (this.#startEnds?.get(p.partition) ?? 0),
      ),
    };
    this.#gauges.done.set(done);
    this.#gauges.total.set(total);
    this.#gauges.rate.set(eventsPerSecond);
    this.#gauges.eta.set(progress.etaSeconds ?? -1);
    onProgress(progress);
    return progress;
  }

  close(): Promise<void> {
    return this.#admin.disconnect();
  }
}
