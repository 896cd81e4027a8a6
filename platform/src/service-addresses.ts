import { Type } from '@sinclair/typebox';

/**
 * The shape of this checkout's own infrastructure (`npm run infra:up`): its ports, and how many
 * Kafka brokers it runs. Two checkouts on one host run side by side by giving one of them other
 * ports; every process and command-line tool of a checkout then finds its services through
 * `localAddresses`.
 */
export const infraPortSettings = {
  /** Broker n (1, 2, …) listens on INFRA_KAFKA_PORT + 2(n-1), its controller on the port after. */
  INFRA_KAFKA_PORT: Type.Integer({ default: 9092, minimum: 1, maximum: 65500 }),
  /** 1: one combined broker+controller. 3 (or more): a KRaft quorum of that many combined nodes. */
  INFRA_KAFKA_BROKERS: Type.Integer({ default: 1, minimum: 1, maximum: 9 }),
  INFRA_REGISTRY_PORT: Type.Integer({ default: 8081, minimum: 1, maximum: 65535 }),
  INFRA_POSTGRES_PORT: Type.Integer({ default: 5433, minimum: 1, maximum: 65535 }),
  /** Qdrant node n's HTTP port is INFRA_QDRANT_PORT + 3(n-1); its gRPC and p2p ports follow it. */
  INFRA_QDRANT_PORT: Type.Integer({ default: 6333, minimum: 1, maximum: 65500 }),
  /** 1: one Qdrant. 3 (or more): a cluster of that many nodes in Qdrant's distributed mode. */
  INFRA_QDRANT_NODES: Type.Integer({ default: 1, minimum: 1, maximum: 9 }),
};

export type InfraPorts = Readonly<{ [K in keyof typeof infraPortSettings]: number }>;

export const SERVICE_ADDRESS_SETTINGS = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'DATABASE_URL', 'QDRANT_URL'] as const;
export type ServiceAddressSetting = (typeof SERVICE_ADDRESS_SETTINGS)[number];

/** Where each service of this checkout's infrastructure answers. */
export function localAddresses(ports: InfraPorts): Readonly<Record<ServiceAddressSetting, string>> {
  return {
    KAFKA_BROKERS: kafkaNodePorts(ports)
      .map(({ broker }) => `localhost:${broker}`)
      .join(','),
    SCHEMA_REGISTRY_URL: `http://localhost:${ports.INFRA_REGISTRY_PORT}/apis/ccompat/v7`,
    DATABASE_URL: `postgres://postgres@127.0.0.1:${ports.INFRA_POSTGRES_PORT}/visual_search`,
    QDRANT_URL: localQdrantUrl(ports),
  };
}

/** Where the Qdrant nodes this checkout's infra runs answer, node 1 first, separated by commas. */
export const localQdrantUrl = (ports: Pick<InfraPorts, 'INFRA_QDRANT_PORT' | 'INFRA_QDRANT_NODES'>) =>
  qdrantNodePorts(ports)
    .map(({ http }) => `http://127.0.0.1:${http}`)
    .join(',');

/** The HTTP, gRPC and peer-to-peer port of each local Qdrant node, node 1 first. */
export function qdrantNodePorts(
  ports: Pick<InfraPorts, 'INFRA_QDRANT_PORT' | 'INFRA_QDRANT_NODES'>,
): { http: number; grpc: number; p2p: number }[] {
  return Array.from({ length: ports.INFRA_QDRANT_NODES }, (_, i) => {
    const http = ports.INFRA_QDRANT_PORT + 3 * i;
    return { http, grpc: http + 1, p2p: http + 2 };
  });
}

/** The broker and controller port of each local Kafka node, node 1 first. */
export function kafkaNodePorts(ports: InfraPorts): { broker: number; controller: number }[] {
  return Array.from({ length: ports.INFRA_KAFKA_BROKERS }, (_, i) => {
    const broker = ports.INFRA_KAFKA_PORT + 2 * i;
    return { broker, controller: broker + 1 };
  });
}
