import { eventLogTool, runCommandLine, UsageError } from '@vsp/platform';
import { dlqTopicName } from '@vsp/schemas';
import { DeadLetterTool } from './dead-letter-tool.js';

const USAGE = `usage: npm run dlq -- <command>
  list                                   every dead letter: where it came from, stage, reason, whether
                                         its event was replayed
  replay [--reason CODE] [--group GROUP] [--again]
                                         re-produce the events of matching letters to their original
                                         topic, each event once; events replayed before are left
                                         alone unless --again`;

await runCommandLine({
  name: 'dlq',
  usage: USAGE,
  options: { reason: { type: 'string' }, group: { type: 'string' }, again: { type: 'boolean' } },
  async run({ positionals, values }) {
    const command = positionals[0];
    if (command !== 'list' && command !== 'replay')
      throw new UsageError(command ? `unknown command ${command}` : 'a command is required');
    const { config, kafka } = eventLogTool('dlq');
    const dlqTopic = dlqTopicName(config.PRODUCT_EVENTS_TOPIC);
    const tool = new DeadLetterTool(kafka, dlqTopic);

    switch (command) {
      case 'list': {
        const letters = await tool.read();
        const replayed = await tool.replayed(letters);
        console.log(
          `${letters.length} dead letters in ${dlqTopic}, ${replayed.filter(Boolean).length} of them replayed`,
        );
        for (const [i, l] of letters.entries()) {
          const h = l.headers;
          console.log(
            `${l.dlqPartition}/${l.dlqOffset}  ${replayed[i] ? 'replayed' : 'pending '}  from ${h['dlq.original.topic']}/${h['dlq.original.partition']}/${h['dlq.original.offset']}` +
              `  ${h['dlq.consumer.group']}  ${h['dlq.stage']}  ${h['dlq.error.code']}  event ${h.event_id ?? '?'}  ${h['dlq.error.message']}`,
          );
        }
        break;
      }
      case 'replay': {
        const { replayed, alreadyReplayed, truncated } = await tool.replay({
          reason: values.reason,
          group: values.group,
          again: values.again,
        });
        console.log(`replayed the events of ${replayed.length} dead letters from ${dlqTopic}`);
        if (alreadyReplayed.length > 0) {
          console.log(
            `left alone ${alreadyReplayed.length} whose event was replayed before or has another letter (--again sends those replayed before again)`,
          );
        }
        for (const l of truncated) {
          const h = l.headers;
          console.log(
            `not replayed ${l.dlqPartition}/${l.dlqOffset}: its value was cut to fit the DLQ; the original is at ` +
              `${h['dlq.original.topic']}/${h['dlq.original.partition']}/${h['dlq.original.offset']}`,
          );
        }
        break;
      }
    }
    return 0;
  },
});
