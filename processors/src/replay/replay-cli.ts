import { parseArgs } from 'node:util';
import { Type } from '@sinclair/typebox';
import { createKafkaClient, createLogger, dotenvPath, eventLogSettings, loadConfig, loadOrExit } from '@vsp/platform';
import { ProcessorError } from '../errors.js';
import { parseOffsetTarget, resetGroupOffsets } from '../runtime/group-offsets.js';

const USAGE = `usage: npm run replay -- --group <group> --to earliest|latest|<ISO time>|<partition:offset,...>
  Moves a stopped consumer group's offsets on the product-events topic, so that its processors read
  from there when they start again. Refused while the group has running members.
  e.g. npm run replay -- --group visual-search-persistence --to earliest
       npm run replay -- --group visual-search-persistence --to 2026-11-28T10:00:00Z`;

const { values } = parseArgs({
  options: { group: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', default: false } },
});
if (values.help || !values.group || !values.to) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}
const config = loadOrExit('replay', () => loadConfig(Type.Object({ ...eventLogSettings }), { dotenvPath }));
const logger = createLogger({ name: 'replay', level: 'warn', toStderr: true });
const admin = createKafkaClient({ clientId: 'visual-search-replay', brokers: config.KAFKA_BROKERS, logger }).admin();

try {
  const target = parseOffsetTarget(values.to);
  await admin.connect();
  const moved = await resetGroupOffsets(admin, values.group, config.PRODUCT_EVENTS_TOPIC, target);
  for (const { partition, from, to } of moved) {
    console.log(`${config.PRODUCT_EVENTS_TOPIC}[${partition}]  ${from === -1 ? 'none' : from} -> ${to}`);
  }
  console.log(`group ${values.group} will read from there when its processors start`);
} catch (error) {
  const code = error instanceof ProcessorError ? ` (${error.code})` : '';
  console.error(`replay: ${(error as Error).message}${code}`);
  process.exitCode = 2;
} finally {
  await admin.disconnect();
}
