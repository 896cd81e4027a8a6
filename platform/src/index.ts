export { ConfigError, type LoadConfigOptions, loadConfig } from './config.js';
export { type WaitForOptions, WaitTimeoutError, waitFor } from './wait-for.js';
