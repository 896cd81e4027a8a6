import { ConfigError } from './errors.js';

/**
 * For a process's entry point: loads its config, or prints every problem and exits with 1.
 * Nothing else should run on a bad config.
 */
export function loadOrExit<T>(processName: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${processName}: ${error.message}`);
    process.exit(1);
  }
}
