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
import { AliasWatch } from './vector-store/alias-watch.js';
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
  /** Why no version is followed, while none is. */
  #problem: string | undefined = 'starting';
  #closing: Promise<void> | undefined;
  readonly #watch: AliasWatch;
  #fatal: ((error: Error) => void) | undefined;

  constructor(options: LiveEmbeddingOptions) {
    this.#options = options;
    this.#watch = new AliasWatch(options.versions, options.config.ALIAS_CHECK_INTERVAL_MS, async (version) => {
      options.logger.info(`alias ${options.versions.alias} now serves ${version.name}: following it`);
      await this.#unfollow();
      if (!this.#closing) await this.#follow(version);
    });
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
    this.#watch.start(version.name);
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
      await this.#watch.close();
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

  async #follow(version: IndexVersion): Promise<void> {
    const { config, kafka, versions, logger, metrics } = this.#options;
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
