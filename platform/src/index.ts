export { breakerSettings, eventLogSettings, loggingSettings, shutdownTimeout } from './common-settings.js';
export { ConfigError, type LoadConfigOptions, loadConfig } from './config.js';
export { DailyLogFile } from './daily-log-file.js';
export { createKafkaClient, type KafkaClientOptions } from './kafka-client.js';
export { loadOrExit } from './load-or-exit.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { PIPELINE_SETTINGS } from './pipeline-settings.js';
export { dotenvPath, repoRoot } from './repo-paths.js';
export { type WaitForOptions, WaitTimeoutError, waitFor } from './wait-for.js';
