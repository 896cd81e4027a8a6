import { setTimeout as delay } from 'node:timers/promises';
import type { ProductEvent } from '@vsp/schemas';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { ProcessorClosedError } from '../errors.js';
import type { ConsumerRuntime } from '../runtime/consumer-runtime.js';
import type { HealthReport } from '../runtime/health-server.js';
import { untilAvailable } from '../runtime/until-available.js';
import type { EmbeddingConfig } from './config.js';
import type { EmbeddingMetrics } from './embedding-metrics.js';
import { createEmbeddingProcessor } from './embedding-processor.js';
import type { EmbeddingModel } from './model/embedding-model.js';
import { openModel, openModelOf, versionSpecOf } from './model/open-model.js';
import type { IndexVersion, IndexVersions } from './vector-store/index-versions.js';

export interface LiveEmbeddingOptions {
  config: EmbeddingConfig;
  kafka: Kafka;
  versions: IndexVersions;
  logger: Logger;
  metrics: EmbeddingMetrics;
}

interface Following {
  version: IndexVersion;
  model: EmbeddingModel;
  runtime: ConsumerRuntime<ProductEvent>;
}

/**
 * The embedding processor: keeps the version the alias serves in step with the log, and follows
 * the alias when a rebuild or a rollback moves it. Every version has a consumer group of its own
 * and records the model it was built with; a processor that moves joins that group with that
 * model and goes on from the group's last commit. So the events between a rebuild's last commit
 * and the switch reach the new version, none is missed, and a version rolled back to catches up
 * on what it missed while another served.
 */
export class LiveEmbedding {
  readonly #options: LiveEmbeddingOptions;
  #following: Following | undefined;
  /** The version last tried, followed or not. */
  #target: string | undefined;
  /** Why no version is followed, while none is. */
  #problem: string | undefined = 'starting';
  #closing: Promise<void> | undefined;
  #watching: Promise<void> | undefined;
  readonly #stop = new AbortController();
  #fatal: ((error: Error) => void) | undefined;

  constructor(options: LiveEmbeddingOptions) {
    this.#options = options;
  }

  onFatal(listener: (error: Error) => void): void {
    this.#fatal = listener;
  }

  /** Follows the version the alias serves, creating the first one (for the configured model) if none exists. */
  async start(): Promise<void> {
    if (this.#closing) throw new ProcessorClosedError();
    const { versions, config, logger } = this.#options;
    const version = await untilAvailable('The vector store', () => this.#firstVersion(), logger);
    if (this.#closing) return;
    await this.#follow(version);
    logger.info(`Vector index: Qdrant at ${config.QDRANT_URL}, alias ${versions.alias} serves ${version.name}`);
    this.#watching = this.#watch();
  }

  health(): HealthReport {
    const version = this.#following?.version.name ?? null;
    if (this.#following && !this.#problem) return { ...this.#following.runtime.health(), version };
    return {
      status: this.#closing ? 'stopping' : 'degraded',
      problems: [`not indexing: ${this.#problem}`],
      processor: 'embedding',
      version,
    };
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#stop.abort();
      await this.#watching;
      await this.#unfollow();
    })();
    return this.#closing;
  }

  async #firstVersion(): Promise<IndexVersion> {
    const { versions, config } = this.#options;
    const serving = await versions.serving();
    if (serving) return serving;
    const model = await openModel(config);
    try {
      return await versions.ensureServing(versionSpecOf(model, config.MODEL_DIR, config.EMBEDDING_GROUP_ID));
    } finally {
      await model.close();
    }
  }

  /** Polls the alias; when it has moved, leaves the old version's group and joins the new one's. */
  async #watch(): Promise<void> {
    const { versions, config, logger } = this.#options;
    while (!this.#closing) {
      await delay(config.ALIAS_CHECK_INTERVAL_MS, undefined, { signal: this.#stop.signal }).catch(() => {});
      if (this.#closing) return;
      const serving = await versions.serving().catch(() => undefined);
      if (!serving || serving.name === this.#target) continue;
      logger.info(`alias ${versions.alias} now serves ${serving.name}: following it`);
      await this.#unfollow();
      if (!this.#closing) await this.#follow(serving);
    }
  }

  async #follow(version: IndexVersion): Promise<void> {
    const { config, kafka, versions, logger, metrics } = this.#options;
    this.#target = version.name;
    let model: EmbeddingModel;
    try {
      model = await openModelOf(version, config);
    } catch (error) {
      this.#problem = `${(error as Error).message}; waiting for the alias to move (or a restart)`;
      logger.error({ err: error }, `cannot index ${version.name}`);
      return;
    }
    const runtime = createEmbeddingProcessor({
      config,
      kafka,
      store: versions.store(version.name),
      groupId: version.group,
      model,
      logger,
      metrics,
    });
    runtime.onFatal((error) => this.#fatal?.(error));
    this.#following = { version, model, runtime };
    this.#problem = undefined;
    await runtime.start();
  }

  async #unfollow(): Promise<void> {
    const following = this.#following;
    this.#following = undefined;
    this.#problem = 'switching versions';
    if (!following) return;
    await following.runtime.close();
    await following.model.close();
  }
}
