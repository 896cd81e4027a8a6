import { rmSync } from 'node:fs';
import type { InfraConfig } from './config.js';
import type { LocalService, ServiceState } from './local-service.js';
import { KafkaService } from './services/kafka.js';
import { PostgresService } from './services/postgres.js';
import { QdrantService } from './services/qdrant.js';
import { SchemaRegistryService } from './services/schema-registry.js';

export interface InfraEndpoints {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  databaseUrl: string;
  /** Undefined: no Qdrant is configured, and the index is embedded in the processes. */
  qdrantUrl: string | undefined;
}

/**
 * The services the pipeline needs (Kafka as one node or several), started and stopped together:
 * Kafka, the registry, PostgreSQL, and Qdrant when one is configured (QDRANT_URL or QDRANT_BIN).
 */
export class LocalInfra {
  readonly kafkaNodes: readonly KafkaService[];
  readonly schemaRegistry: SchemaRegistryService;
  readonly postgres: PostgresService;
  /** Empty: no Qdrant is configured. */
  readonly qdrantNodes: readonly QdrantService[];

  constructor(private readonly config: InfraConfig) {
    this.kafkaNodes = KafkaService.cluster(config);
    this.schemaRegistry = new SchemaRegistryService(config);
    this.postgres = new PostgresService(config);
    this.qdrantNodes = config.QDRANT_BIN || config.QDRANT_URL ? QdrantService.cluster(config) : [];
  }

  /** Kafka's first node: the one to ask for the cluster's address, its tools, or to stop in a 1-node setup. */
  get kafka(): KafkaService {
    return this.kafkaNodes[0] as KafkaService;
  }

  /** Qdrant's first node, undefined when the index is embedded. */
  get qdrant(): QdrantService | undefined {
    return this.qdrantNodes[0];
  }

  get services(): readonly LocalService[] {
    return [...this.kafkaNodes, this.schemaRegistry, this.postgres, ...this.qdrantNodes];
  }

  get endpoints(): InfraEndpoints {
    return {
      kafkaBrokers: this.kafka.endpoint.split(','),
      schemaRegistryUrl: this.schemaRegistry.endpoint,
      databaseUrl: this.postgres.endpoint,
      qdrantUrl: this.qdrant?.endpoint,
    };
  }

  /**
   * Starts what is not running, in parallel, and resolves once every service answers, with their
   * states and which of them this call started. When one cannot start, the ones this call started
   * are stopped again before the error is thrown, so a failed start leaves nothing behind.
   */
  async up(): Promise<{ states: Map<LocalService, ServiceState>; started: LocalService[] }> {
    const before = await this.status();
    const started = [...before].filter(([, state]) => state.kind === 'stopped').map(([service]) => service);
    const missing = await Promise.allSettled(started.map((service) => service.checkPrerequisites()));
    const refused = missing.find((r) => r.status === 'rejected');
    if (refused) throw refused.reason;
    const results = await Promise.allSettled(this.services.map(async (s) => [s, await s.up()] as const));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) {
      for (const service of started) await service.down();
      throw failed.reason;
    }
    const states = new Map(
      results.map((r) => (r as PromiseFulfilledResult<readonly [LocalService, ServiceState]>).value),
    );
    return { states, started };
  }

  async status(): Promise<Map<LocalService, ServiceState>> {
    const states = await Promise.all(this.services.map(async (s) => [s, await s.state()] as const));
    return new Map(states);
  }

  async down(): Promise<LocalService[]> {
    const stopped = await Promise.all(this.services.map(async (s) => ((await s.down()) ? s : undefined)));
    return stopped.filter((s) => s !== undefined);
  }

  /** Stops our services and deletes their data and logs; downloads stay cached. */
  async wipe(): Promise<void> {
    await this.down();
    for (const service of this.services) await service.wipeOutside();
    for (const dir of ['data', 'logs', 'run'])
      rmSync(`${this.config.INFRA_HOME}/${dir}`, { recursive: true, force: true });
  }
}
