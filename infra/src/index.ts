export { type InfraConfig, InfraConfigSchema, loadInfraConfig } from './config.js';
export { INFRA_ERROR_CODES, InfraError, StartFailedError } from './errors.js';
export { type InfraEndpoints, LocalInfra } from './local-infra.js';
export { INGRESS_NODE_ARGS, PIPELINE_PROCESSES } from './pipeline.js';
export type { KafkaService } from './services/kafka.js';
export type { QdrantService } from './services/qdrant.js';
