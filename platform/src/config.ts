import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import type { Static, TObject } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { ConfigError } from './errors.js';
import { PIPELINE_SETTINGS } from './pipeline-settings.js';

export interface LoadConfigOptions {
  /** Defaults to the process environment; tests pass their own. */
  env?: Record<string, string | undefined>;
  /** The shared `.env` file; keys no process of the pipeline knows are refused. The environment wins over it. */
  dotenvPath?: string;
}

const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, removeAdditional: true });

/**
 * The one place that reads `process.env`. Coerces types, fills defaults, keeps only keys the
 * schema names (the environment holds PATH and friends), reports every problem at once and
 * returns a frozen object.
 */
export function loadConfig<S extends TObject>(schema: S, options: LoadConfigOptions = {}): Readonly<Static<S>> {
  const known = new Set(Object.keys(schema.properties));
  for (const key of known) {
    if (!PIPELINE_SETTINGS.has(key)) throw new Error(`setting ${key} is missing from PIPELINE_SETTINGS`);
  }
  const problems: string[] = [];
  const fromFile = readDotenv(options.dotenvPath);
  for (const key of Object.keys(fromFile)) {
    if (!PIPELINE_SETTINGS.has(key)) problems.push(`${options.dotenvPath}: unknown setting ${key}`);
  }
  const env = options.env ?? process.env;
  const merged: Record<string, unknown> = {};
  for (const key of known) {
    const value = env[key] ?? fromFile[key];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const validate = ajv.compile({ ...schema, additionalProperties: false });
  if (!validate(merged)) {
    for (const error of validate.errors ?? []) {
      const key = error.instancePath.replace(/^\//, '') || String(error.params.missingProperty ?? '');
      problems.push(`${key}: ${error.message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(merged) as Readonly<Static<S>>;
}

function readDotenv(path: string | undefined): Record<string, string> {
  if (!path || !existsSync(path)) return {};
  return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
}
