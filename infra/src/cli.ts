import { ConfigError, dotenvPath } from '@vsp/platform';
import { loadInfraConfig } from './config.js';
import { InfraError } from './errors.js';
import { LocalInfra } from './local-infra.js';
import type { LocalService, ServiceState } from './local-service.js';
import { runPipeline } from './pipeline.js';
import { ensureWebhookSecret } from './webhook-secret.js';

const usage = 'usage: infra <start|up|down|status|wipe>';

function describe(service: LocalService, state: ServiceState): string {
  const where = state.endpoint;
  switch (state.kind) {
    case 'external':
      return `${service.name.padEnd(16)} external      ${where}`;
    case 'ours':
      return `${service.name.padEnd(16)} running       ${where} (pid ${state.pid})`;
    case 'foreign':
      return `${service.name.padEnd(16)} answering     ${where} (not started by infra; left alone)`;
    case 'stopped':
      return `${service.name.padEnd(16)} stopped       ${where}`;
  }
}

function print(states: Map<LocalService, ServiceState>): void {
  for (const [service, state] of states) console.log(describe(service, state));
}

async function main(command: string | undefined): Promise<void> {
  const config = loadInfraConfig();
  const infra = new LocalInfra(config);
  switch (command) {
    case 'start': {
      const written = ensureWebhookSecret(dotenvPath, config.WEBHOOK_SECRET);
      if (written) {
        console.log(`Generated WEBHOOK_SECRET (32 random bytes, hex) into ${written}; give it to BakaiMarket.`);
      }
      process.exitCode = await runPipeline(infra, config);
      return;
    }
    case 'up': {
      const started = Date.now();
      const states = await infra.up();
      print(states);
      console.log(
        `infra ready in ${((Date.now() - started) / 1000).toFixed(1)} s (data and logs in ${config.INFRA_HOME})`,
      );
      return;
    }
    case 'status':
      print(await infra.status());
      return;
    case 'down': {
      const stopped = await infra.down();
      console.log(stopped.length ? `stopped ${stopped.map((s) => s.name).join(', ')}` : 'nothing of ours was running');
      return;
    }
    case 'wipe':
      await infra.wipe();
      console.log(`stopped our services and removed their data under ${config.INFRA_HOME}`);
      return;
    default:
      console.error(usage);
      process.exitCode = 2;
  }
}

main(process.argv[2]).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof InfraError) {
    console.error(`infra: ${error.message}`);
    if (error.cause)
      console.error(`  cause: ${error.cause instanceof Error ? error.cause.message : String(error.cause)}`);
  } else {
    console.error(error);
  }
  process.exitCode = 1;
});
