import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { type Static, type TObject, Type } from '@sinclair/typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import { documentedSettings } from './documented-settings.js';
import { ConfigError } from './errors.js';
import { type InfraPorts, infraPortSettings, localAddresses, SERVICE_ADDRESS_SETTINGS } from './service-addresses.js';

export interface LoadConfigOptions {
  /** Defaults to the process environment; tests pass their own. */
  env?: Record<string, string | undefined>;
  /** The shared `.env` file; keys docs/CONFIGURATION.md does not list are refused. The environment wins over it. */
  dotenvPath?: string;
}

const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, removeAdditional: true });

/**
 * The one place that reads `process.env`. Coerces types, fills defaults, keeps only keys the
 * schema names (the environment holds PATH and friends), reports every problem at once and
 * returns a frozen object. A service address the schema requires (KAFKA_BROKERS, DATABASE_URL…)
 * and nobody set defaults to this checkout's own infrastructure, on its INFRA_*_PORT ports; a
 * schema that declares one optional (infra's) sees only what the user set.
 */
export function loadConfig<S extends TObject>(schema: S, options: LoadConfigOptions = {}): Readonly<Static<S>> {
  const known = new Set(Object.keys(schema.properties));
  const problems: string[] = [];
  const fromFile = readDotenv(options.dotenvPath);
  // Without the settings reference a key of another process cannot be told from a typo.
  const documented = Object.keys(fromFile).length > 0 ? documentedSettings() : undefined;
  if (documented) {
    for (const key of Object.keys(fromFile)) {
      if (!known.has(key) && !documented.has(key)) problems.push(`${options.dotenvPath}: unknown setting ${key}`);
    }
  }
  const env = options.env ?? process.env;
  const pick = (keys: Iterable<string>) => {
    const picked: Record<string, unknown> = {};
    for (const key of keys) {
      const value = env[key] ?? fromFile[key];
      if (value !== undefined && value !== '') picked[key] = value;
    }
    return picked;
  };
  const merged = pick(known);
  const required = new Set(schema.required ?? []);
  const unset = SERVICE_ADDRESS_SETTINGS.filter((key) => required.has(key) && merged[key] === undefined);
  if (unset.length > 0) {
    const ports = pick(Object.keys(infraPortSettings));
    if (conforms(validatePorts, ports, problems)) {
      for (const key of unset) merged[key] = localAddresses(ports as InfraPorts)[key];
    }
  }
  conforms(ajv.compile({ ...schema, additionalProperties: false }), merged, problems);
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return Object.freeze(merged) as Readonly<Static<S>>;
}

const validatePorts = ajv.compile(Type.Object(infraPortSettings));

/** Validates (coercing, filling defaults in place); each violation becomes a problem naming its setting. */
function conforms(validate: ValidateFunction, values: Record<string, unknown>, problems: string[]): boolean {
  if (validate(values)) return true;
  for (const error of validate.errors ?? []) {
    const key = error.instancePath.replace(/^\//, '') || String(error.params.missingProperty ?? '');
    problems.push(`${key}: ${error.message}`);
  }
  return false;
}

function readDotenv(path: string | undefined): Record<string, string> {
  if (!path || !existsSync(path)) return {};
  return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
}

/**
 * Where the user typed the command. `npm run` moves into the package folder and records the
 * original one in INIT_CWD; file arguments are relative to it.
 */
export function invocationDir(): string {
  return process.env.INIT_CWD ?? process.cwd();
}
