import { eventLogTool, runCommandLine, UsageError } from '@vsp/platform';
import { parseOffsetTarget, resetGroupOffsets } from '../runtime/group-offsets.js';

const USAGE = `usage: npm run replay -- --group <group> --to earliest|latest|<ISO time>|<partition:offset,...>
  Moves a stopped consumer group's offsets on the product-events topic, so that its processors read
  from there when they start again. Refused while the group has running members.
  e.g. npm run replay -- --group visual-search-persistence --to earliest
       npm run replay -- --group visual-search-persistence --to 2026-11-28T10:00:00Z`;

await runCommandLine({
  name: 'replay',
  usage: USAGE,
  options: { group: { type: 'string' }, to: { type: 'string' } },
  async run({ values }) {
    if (!values.group || !values.to) throw new UsageError('--group and --to are required');
    const group = values.group;
    const target = parseOffsetTarget(values.to);
    const { config, kafka } = eventLogTool('replay');
    const admin = kafka.admin();
    try {
      await admin.connect();
      const moved = await resetGroupOffsets(admin, group, config.PRODUCT_EVENTS_TOPIC, target);
      for (const { partition, from, to } of moved) {
        console.log(`${config.PRODUCT_EVENTS_TOPIC}[${partition}]  ${from === -1 ? 'none' : from} -> ${to}`);
      }
      console.log(`group ${group} will read from there when its processors start`);
      return 0;
    } finally {
      await admin.disconnect();
    }
  },
});
