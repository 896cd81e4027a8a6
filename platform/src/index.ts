export {
  BREAKER_GAUGE_VALUE,
  type BreakerOptions,
  type BreakerState,
  breakerState,
  createBreaker,
} from './circuit-breaker.js';
export { type CommandLine, runCommandLine, UsageError, userPath } from './command-line.js';
export {
  breakerSettings,
  eventLogSettings,
  imageSettings,
  loggingSettings,
  searchServiceSettings,
  shutdownTimeout,
} from './common-settings.js';
export { invocationDir, type LoadConfigOptions, loadConfig } from './config.js';
export { DailyLogFile } from './daily-log-file.js';
export { configurationDocPath, documentedSettings } from './documented-settings.js';
export {
  ConfigError,
  HttpHeadersTooLargeError,
  HttpRequestMalformedError,
  HttpRequestTimeoutError,
  PackageFileMismatchError,
  PackageUnavailableError,
  PipelineError,
  PLATFORM_ERROR_CODES,
  type PlatformErrorCode,
  SinkRejectedError,
  SinkUnavailableError,
  WaitTimeoutError,
} from './errors.js';
export { type EventLogToolConfig, eventLogTool } from './event-log-tool.js';
export { clientErrorHandler } from './http-client-errors.js';
export { createKafkaClient, type KafkaClientOptions } from './kafka-client.js';
export { kafkaErrorTypes } from './kafka-errors.js';
export { loadOrExit } from './load-or-exit.js';
export { createLogger, createServiceLogger, type Logger, type LoggerOptions, type LoggingConfig } from './logger.js';
export { dotenvPath, repoRoot } from './repo-paths.js';
export { ABORTED, type Aborted, type Attempt, isRetriable, type RetryOptions, retryUntil } from './retry-until.js';
export {
  type InfraPorts,
  infraPortSettings,
  kafkaNodePorts,
  localAddresses,
  localQdrantUrl,
  qdrantNodePorts,
  SERVICE_ADDRESS_SETTINGS,
  type ServiceAddressSetting,
} from './service-addresses.js';
export { ServiceMetrics } from './service-metrics.js';
export { type WaitForOptions, waitFor } from './wait-for.js';
export { filesFromWheel, type WheelFilesRequest } from './wheel-files.js';
