import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { InfraConfig } from './config.js';
import type { LocalInfra } from './local-infra.js';
import type { LocalService } from './local-service.js';

export interface PipelineProcess {
  name: string;
  /** Entry module, relative to the repository root. */
  entry: string;
}

/** What `npm start` runs beside the infrastructure. */
export const PIPELINE_PROCESSES: readonly PipelineProcess[] = [
  { name: 'ingress', entry: 'ingress/src/main.ts' },
  { name: 'persistence', entry: 'processors/src/persistence/main.ts' },
  { name: 'embedding', entry: 'processors/src/embedding/main.ts' },
];

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs the pipeline in the foreground: infrastructure first, then each service as a child process
 * pointed at it. The first SIGINT/SIGTERM is passed to the services (each drains and exits on its
 * own); once they have exited, the infrastructure services that this run started are stopped.
 * Whatever was already running before is left running.
 */
export async function runPipeline(infra: LocalInfra, config: InfraConfig): Promise<number> {
  const before = await infra.status();
  await infra.up();
  const startedHere = [...before].filter(([, state]) => state.kind === 'stopped').map(([service]) => service);
  const { kafkaBrokers, schemaRegistryUrl, databaseUrl, qdrantUrl } = infra.endpoints;
  const children = PIPELINE_PROCESSES.map((p) =>
    spawn(process.execPath, ['--import', 'tsx', p.entry], {
      cwd: repoRoot,
      stdio: 'inherit',
      // Own process group: Ctrl-C in the terminal reaches only this launcher, which passes on one
      // SIGTERM. A service that got both would take the second signal as "exit now".
      detached: true,
      env: {
        ...process.env,
        KAFKA_BROKERS: kafkaBrokers.join(','),
        SCHEMA_REGISTRY_URL: schemaRegistryUrl,
        DATABASE_URL: databaseUrl,
        QDRANT_URL: qdrantUrl,
      },
    }),
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`\npipeline: ${signal}, stopping ${PIPELINE_PROCESSES.map((p) => p.name).join(', ')}`);
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const codes = await Promise.all(
    children.map(async (child: ChildProcess, i) => {
      const [code] = await once(child, 'exit');
      // One service dying takes the others down: a half-running pipeline would mislead.
      if (!stopping) {
        console.error(`pipeline: ${PIPELINE_PROCESSES[i]?.name} exited with ${code}`);
        stop('SIGTERM');
      }
      return code as number | null;
    }),
  );
  await stopServices(startedHere, config);
  return codes.every((code) => code === 0) ? 0 : 1;
}

async function stopServices(services: LocalService[], config: InfraConfig): Promise<void> {
  for (const service of services) await service.down();
  if (services.length > 0)
    console.log(`pipeline: stopped ${services.map((s) => s.name).join(', ')} (data kept in ${config.INFRA_HOME})`);
}
