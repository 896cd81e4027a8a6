/**
 * Every setting any process of the pipeline reads. The `.env` file at the repository root is
 * shared by all of them, so a key in it is refused only when no process knows it (a typo).
 * The README's configuration table lists the same names.
 */
export const PIPELINE_SETTINGS = new Set([
  // infrastructure
  'INFRA_HOME',
  'INFRA_KAFKA_PORT',
  'INFRA_REGISTRY_PORT',
  'INFRA_POSTGRES_PORT',
  'INFRA_READY_TIMEOUT_MS',
  'KAFKA_BROKERS',
  'SCHEMA_REGISTRY_URL',
  'DATABASE_URL',
  // ingress
  'PORT',
  'HOST',
  'WEBHOOK_SECRET',
  'WEBHOOK_BODY_LIMIT_BYTES',
  'KAFKA_CLIENT_ID',
  'PRODUCT_EVENTS_TOPIC',
  'PRODUCT_EVENTS_PARTITIONS',
  'PRODUCT_EVENTS_REPLICATION',
  'PRODUCER_LINGER_MS',
  'PRODUCER_MAX_BATCH',
  'PRODUCER_SEND_TIMEOUT_MS',
  'BREAKER_RESET_MS',
  'BREAKER_ERROR_PERCENT',
  'BREAKER_VOLUME_THRESHOLD',
  'LOG_LEVEL',
  'LOG_DIR',
  'SHUTDOWN_TIMEOUT_MS',
  // processors
  'DATABASE_POOL_SIZE',
  'PERSISTENCE_GROUP_ID',
  'PERSISTENCE_PORT',
  'PERSISTENCE_HOST',
  'PERSISTENCE_CONCURRENCY',
  'CONSUMER_SESSION_TIMEOUT_MS',
  'RETRY_INITIAL_MS',
  'RETRY_MAX_MS',
  'SINK_TIMEOUT_MS',
  'QDRANT_URL',
  // npm run webhook:test
  'WEBHOOK_TEST_URL',
]);
