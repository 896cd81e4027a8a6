import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { dotenvPath, repoRoot, runCommandLine, UsageError } from '@vsp/platform';
import { loadInfraConfig } from './config.js';
import { LocalInfra } from './local-infra.js';
import type { LocalService, ServiceState } from './local-service.js';
import { runPipeline } from './pipeline.js';
import { KAFKA_TOOLS, type KafkaTool } from './services/kafka.js';
import { ensureWebhookSecret } from './webhook-secret.js';

const USAGE = `usage: npm start | npm run infra:<command> | npm run kafka -- <tool> [tool options]
  npm start            the whole pipeline in the foreground: infrastructure, ingress, both processors
                       and search; Ctrl-C (or SIGINT/SIGTERM to its pid) stops what it started
  infra:up             start Kafka, the schema registry, PostgreSQL and Qdrant (what is not running)
  infra:status         what runs, where, and whether this checkout started it
  infra:down           stop what this checkout started
  infra:wipe [-- --all]
                       stop, then delete their data and logs under INFRA_HOME (downloads stay);
                       --all also deletes this checkout's data/ (model cache, local images) and logs/
  kafka -- <tool> ...  one of Kafka's own tools against this checkout's broker (--bootstrap-server
                       is added): ${Object.keys(KAFKA_TOOLS).join(', ')}
                       e.g. npm run kafka -- consumer-groups --describe --group visual-search-persistence`;

const COMMANDS = ['start', 'up', 'status', 'down', 'wipe', 'kafka'] as const;

function describe(service: LocalService, state: ServiceState): string {
  const where = state.endpoint;
  switch (state.kind) {
    case 'external':
      return `${service.name.padEnd(16)} external      ${where} (${service.addressSetting} is set)`;
    case 'ours':
      return `${service.name.padEnd(16)} running       ${where} (pid ${state.pid})`;
    case 'foreign':
      return `${service.name.padEnd(16)} TAKEN         ${where} answers but this checkout did not start it`;
    case 'stopped':
      return `${service.name.padEnd(16)} stopped       ${where}`;
  }
}

function print(infra: LocalInfra, states: Map<LocalService, ServiceState>): void {
  for (const [service, state] of states) console.log(describe(service, state));
  if (!infra.qdrant) {
    console.log(
      `${'qdrant'.padEnd(16)} not used      the index is embedded (VECTOR_DATA_DIR); QDRANT_BIN or QDRANT_URL for Qdrant`,
    );
  }
}

// Kafka's tools take their own options: everything after the tool's name is theirs.
const [command, ...rest] = process.argv.slice(2);
if (command === 'kafka' && rest[0] !== undefined && rest[0] in KAFKA_TOOLS) {
  const config = loadInfraConfig();
  const spec = await new LocalInfra(config).kafka.toolCommand(rest[0] as KafkaTool, rest.slice(1));
  const child = spawn(spec.command, spec.args, { stdio: 'inherit' });
  const [code] = await once(child, 'exit');
  process.exit(code ?? 1);
}

await runCommandLine({
  name: command === 'kafka' ? 'kafka' : `infra:${command ?? ''}`,
  usage: USAGE,
  options: { all: { type: 'boolean', default: false } },
  async run({ positionals, values }) {
    const [name, extra] = positionals;
    if (!(COMMANDS as readonly string[]).includes(name ?? ''))
      throw new UsageError(name ? `unknown command ${name}` : `a command is required: ${COMMANDS.join(', ')}`);
    if (name === 'kafka')
      throw new UsageError(
        `${extra ? `unknown tool ${extra}` : 'a tool is required'}: ${Object.keys(KAFKA_TOOLS).join(', ')}`,
      );
    if (extra !== undefined) throw new UsageError(`unexpected argument ${extra}`);
    if (values.all && name !== 'wipe') throw new UsageError('--all goes with wipe only');
    const config = loadInfraConfig();
    const infra = new LocalInfra(config);
    switch (name) {
      case 'start': {
        const written = ensureWebhookSecret(dotenvPath, config.WEBHOOK_SECRET);
        if (written) {
          console.log(`Generated WEBHOOK_SECRET (32 random bytes, hex) into ${written}; give it to BakaiMarket.`);
        }
        return runPipeline(infra, config);
      }
      case 'up': {
        const started = Date.now();
        const { states } = await infra.up();
        print(infra, states);
        console.log(
          `infra ready in ${((Date.now() - started) / 1000).toFixed(1)} s (data and logs in ${config.INFRA_HOME})`,
        );
        return 0;
      }
      case 'status':
        print(infra, await infra.status());
        return 0;
      case 'down': {
        const stopped = await infra.down();
        console.log(
          stopped.length ? `stopped ${stopped.map((s) => s.name).join(', ')}` : 'nothing of ours was running',
        );
        return 0;
      }
      default: {
        await infra.wipe();
        console.log(`stopped our services and removed their data under ${config.INFRA_HOME}`);
        if (values.all) {
          for (const dir of ['data', 'logs']) rmSync(`${repoRoot}${dir}`, { recursive: true, force: true });
          console.log(`removed ${repoRoot}data and ${repoRoot}logs`);
        } else {
          console.log(`kept ${repoRoot}data (model cache, local images) and ${repoRoot}logs: --all removes them too`);
        }
        return 0;
      }
    }
  },
});
