import type { FastifyBaseLogger } from 'fastify';
import { Kafka, type LogEntry, logLevel } from 'kafkajs';
import type { IngressConfig } from './config.js';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client whose own log lines go through our logger, as JSON, at WARN and above. */
export function createKafka(config: IngressConfig, logger: FastifyBaseLogger): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: config.KAFKA_CLIENT_ID,
    brokers: config.KAFKA_BROKERS.split(',').map((b) => b.trim()),
    logLevel: logLevel.WARN,
    // Short and bounded: the event log has its own reconnect loop and breaker, and a long
    // client-level retry would keep reconnecting after the producer was closed.
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1_000 },
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        kafkaLogger[LEVELS[level] ?? 'info'](rest, `kafkajs: ${message}`);
      },
  });
}
