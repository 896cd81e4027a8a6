import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createEventTopic, productEvent } from '@vsp/processors/testing';
import { tap } from '@vsp/tap';
import { createKafka, ensureInfra } from '@vsp/test-harness';
import { FROM_SOURCE } from '../src/support/service-process.js';
import { CleanupScope } from './cleanup-scope.js';

export interface TapBenchOptions {
  events: number;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * `npm run tap` over a pre-filled topic, JSON lines to /dev/null: the whole command (start-up,
 * fetch, decode, format, write), and the tap function alone without output.
 */
export async function runTapBench({ events }: TapBenchOptions): Promise<void> {
  const scope = new CleanupScope();
  try {
    const { kafkaBrokers, schemaRegistryUrl } = await ensureInfra();
    const topic = await createEventTopic(scope, 3);
    const t0 = Date.UTC(2025, 10, 12);
    for (let i = 0; i < events; i += 10_000) {
      await topic.produce(
        Array.from({ length: Math.min(10_000, events - i) }, (_, j) =>
          productEvent('product.updated', `p${(i + j) % 50_000}`, t0 + i + j, {
            title: `Товар ${i + j}`,
            price: `${i + j}.25`,
            currency: 'KGS',
          }),
        ),
      );
    }
    console.log(`tap benchmark: ${events} events, 3 partitions`);

    const started = performance.now();
    const child = spawn(process.execPath, [...FROM_SOURCE, 'tap/src/tap-cli.ts'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        KAFKA_BROKERS: kafkaBrokers.join(','),
        SCHEMA_REGISTRY_URL: schemaRegistryUrl,
        PRODUCT_EVENTS_TOPIC: topic.topic,
      },
      stdio: ['ignore', openSync('/dev/null', 'w'), 'inherit'],
    });
    const [code] = await once(child, 'exit');
    const cliSeconds = (performance.now() - started) / 1000;

    const inProcessStarted = performance.now();
    let lines = 0;
    await tap(
      { from: 'earliest', to: 'end', format: 'jsonl' },
      {
        kafka: await createKafka(),
        registryUrl: schemaRegistryUrl,
        topic: topic.topic,
        write: async (batch) => {
          lines += batch.length;
        },
      },
    );
    const inProcessSeconds = (performance.now() - inProcessStarted) / 1000;

    console.log(
      `  npm run tap > /dev/null: ${(events / cliSeconds).toFixed(0)} events/s (${cliSeconds.toFixed(1)} s including start-up, exit ${code})`,
    );
    console.log(
      `  tap() without output: ${(lines / inProcessSeconds).toFixed(0)} events/s (${inProcessSeconds.toFixed(1)} s, ${lines} lines)`,
    );
  } finally {
    await scope.close();
  }
}
