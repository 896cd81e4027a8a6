import { Kafka, type LogEntry, logLevel } from 'kafkajs';

type LogMethod = (object: object, message: string) => void;

/** What the client needs of a logger; pino's and Fastify's both are one. */
export interface ChildLogging {
  child(bindings: Record<string, unknown>): Record<'error' | 'warn' | 'info' | 'debug', LogMethod>;
}

const LEVEL_NAMES: Record<number, string> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export interface KafkaClientOptions {
  clientId: string;
  /** Comma-separated host:port list, as in KAFKA_BROKERS. */
  brokers: string;
  logger: ChildLogging;
  /**
   * How often the client itself retries a failed connection or request. Default: a few quick
   * tries; 0 for a probe, whose answer must come at once.
   */
  retries?: number;
}

/**
 * A kafkajs client whose own log lines go through our logger at debug level, their kafkajs level
 * kept as a field. kafkajs reports every reconnect and rebalance as an ERROR although it recovers
 * by itself; what matters reaches the logs from our components, which know whether it is a failure
 * (a crashed consumer, a 503, a paused partition), and health and metrics show it.
 */
export function createKafkaClient({ clientId, brokers, logger, retries = 5 }: KafkaClientOptions): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers: brokers.split(',').map((b) => b.trim()),
    logLevel: logLevel.WARN,
    // Short and bounded: our components have their own reconnect loops and breakers, and a long
    // client-level retry would keep reconnecting after a producer or consumer was closed.
    retry: { retries, initialRetryTime: 100, maxRetryTime: 1_000 },
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        kafkaLogger.debug({ ...rest, kafkajsLevel: LEVEL_NAMES[level] }, `kafkajs: ${message}`);
      },
  });
}
