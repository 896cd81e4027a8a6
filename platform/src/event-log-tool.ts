import { type Static, Type } from '@sinclair/typebox';
import type { Kafka } from 'kafkajs';
import { eventLogSettings } from './common-settings.js';
import { loadConfig } from './config.js';
import { createKafkaClient } from './kafka-client.js';
import { createLogger } from './logger.js';
import { dotenvPath } from './repo-paths.js';

const EventLogToolSchema = Type.Object(eventLogSettings);
export type EventLogToolConfig = Readonly<Static<typeof EventLogToolSchema>>;

/**
 * What a command-line tool that reads or moves the event log needs: the event log's settings
 * (environment and `.env`) and a Kafka client whose own lines go to standard error, so that the
 * tool's standard output stays its result.
 */
export function eventLogTool(name: string): { config: EventLogToolConfig; kafka: Kafka } {
  const config = loadConfig(EventLogToolSchema, { dotenvPath });
  const logger = createLogger({ name, level: 'warn', toStderr: true });
  return {
    config,
    kafka: createKafkaClient({ clientId: `visual-search-${name}`, brokers: config.KAFKA_BROKERS, logger }),
  };
}
