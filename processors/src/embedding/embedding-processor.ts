import type { ProductEvent } from '@vsp/schemas';
import {
  AliasWatch,
  type EmbeddingModel,
  type IndexVersion,
  type IndexVersions,
  type ModelOpener,
  type ModelSettings,
  openModelFor,
  versionSpecOf,
} from '@vsp/vector-index';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { ProcessorClosedError } from '../errors.js';
import type { ConsumerRuntime } from '../runtime/consumer-runtime.js';
import type { HealthReport } from '../runtime/health-server.js';
import { untilAvailable } from '../runtime/until-available.js';
import type { EmbeddingMetrics } from './embedding-metrics.js';
import { createVersionConsumer, type VersionConsumerSettings } from './version-consumer.js';

/** What the embedding processor is told, from its settings (see embeddingProcessorSettingsOf). */
export interface EmbeddingProcessorSettings {
  /** What each version's consumer is told. */
  consumer: VersionConsumerSettings;
  /** Where models are found or made, and the one a first version is built with. */
  models: ModelSettings;
  /** Prefix of the versions' consumer groups. */
  groupPrefix: string;
  /** How often the alias is read, to follow a rebuild or a rollback. */
  aliasCheckIntervalMs: number;
}

export interface EmbeddingProcessorOptions extends EmbeddingProcessorSettings {
  kafka: Kafka;
  versions: IndexVersions;
  logger: Logger;
  metrics: EmbeddingMetrics;
  /** Default: openModelFor. Tests wrap it to hold a model load. */
  openModel?: ModelOpener;
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
export class EmbeddingProcessor {
  readonly #options: EmbeddingProcessorOptions;
  readonly #openModel: ModelOpener;
  #following: Following | undefined;
  /** Why no version is followed, while none is. */
  #problem: string | undefined = 'starting';
  /** Finding the first version and opening its model; close() waits for it. */
  #starting: Promise<IndexVersion | undefined> | undefined;
  readonly #stop = new AbortController();
  #closing: Promise<void> | undefined;
  readonly #watch: AliasWatch;
  #fatal: ((error: Error) => void) | undefined;

  constructor(options: EmbeddingProcessorOptions) {
    this.#options = options;
    this.#openModel = options.openModel ?? openModelFor;
    this.#watch = new AliasWatch(options.versions, options.aliasCheckIntervalMs, async (version) => {
      options.logger.info(`alias ${options.versions.alias} now serves ${version.name}: following it`);
      await this.#unfollow();
      if (this.#closing) return;
      await this.#adopt(version);
      await this.#startConsuming();
    });
  }

  onFatal(listener: (error: Error) => void): void {
    this.#fatal = listener;
  }

  /** Follows the version the alias serves, creating the first one (for the configured model) if none exists. */
  async start(): Promise<void> {
    if (this.#closing) throw new ProcessorClosedError();
    const { versions, logger } = this.#options;
    this.#starting = this.#adoptServing();
    const version = await this.#starting;
    if (!version) return;
    await this.#startConsuming();
    logger.info(`Vector index: ${versions.backend.description}, alias ${versions.alias} serves ${version.name}`);
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
      this.#stop.abort();
      // A model still loading cannot be stopped (see EmbeddingModel.close): the start closes it
      // once loaded, and the process must not exit before.
      await this.#starting?.catch(() => undefined);
      await this.#watch.close();
      await this.#unfollow();
    })();
    return this.#closing;
  }

  /** The version the alias serves, waiting for the vector store if need be, adopted. Undefined once closing. */
  async #adoptServing(): Promise<IndexVersion | undefined> {
    const { logger } = this.#options;
    let version: IndexVersion;
    try {
      version = await untilAvailable('The vector store', () => this.#firstVersion(), {
        logger,
        signal: this.#stop.signal,
      });
    } catch (error) {
      if (this.#closing) return undefined;
      throw error;
    }
    if (!this.#closing) await this.#adopt(version);
    return this.#closing ? undefined : version;
  }

  async #firstVersion(): Promise<IndexVersion> {
    const { versions, models, groupPrefix } = this.#options;
    const serving = await versions.serving();
    if (serving) return serving;
    const model = await this.#openModel(undefined, models);
    try {
      return await versions.ensureServing(versionSpecOf(model, models.MODEL_DIR, groupPrefix));
    } finally {
      await model.close();
    }
  }

  /** Opens the model `version` was built with and prepares its consumer; a model that does not open leaves nothing followed. */
  async #adopt(version: IndexVersion): Promise<void> {
    const { consumer, models, kafka, versions, logger, metrics } = this.#options;
    let model: EmbeddingModel;
    try {
      model = await this.#openModel(version, models);
    } catch (error) {
      this.#problem = `${(error as Error).message}; waiting for the alias to move (or a restart)`;
      logger.error({ err: error }, `cannot index ${version.name}`);
      return;
    }
    if (this.#closing) {
      await model.close();
      return;
    }
    const runtime = createVersionConsumer({
      settings: consumer,
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
  }

  /** Consumes for the adopted version; a close meanwhile has closed its runtime already. */
  async #startConsuming(): Promise<void> {
    try {
      await this.#following?.runtime.start();
    } catch (error) {
      if (!this.#closing) throw error;
    }
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
