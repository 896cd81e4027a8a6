import fp from 'fastify-plugin';
import type { Kafka } from 'kafkajs';
import { EventLog, type EventLogSettings } from '../event-log/event-log.js';

declare module 'fastify' {
  interface FastifyInstance {
    eventLog: EventLog;
  }
}

export interface EventLogPluginOptions {
  settings: EventLogSettings;
  kafka: Kafka;
  onFatal: (error: Error) => void;
}

/**
 * Owns the event log's lifecycle: starts connecting when the server is ready; when closing
 * begins, sends queued events at once so requests in flight can be answered; once the HTTP
 * server has closed, flushes the rest and disconnects.
 */
export const eventLogPlugin = fp<EventLogPluginOptions>(
  async (app, { settings, kafka, onFatal }) => {
    const eventLog = new EventLog({ settings, kafka, logger: app.log, onFatal });
    eventLog.onBreakerChange((state) => app.metrics.setBreaker(state));
    app.decorate('eventLog', eventLog);
    app.addHook('onReady', async () => eventLog.start());
    app.addHook('preClose', async () => eventLog.drain());
    app.addHook('onClose', () => eventLog.close());
  },
  { name: 'event-log', dependencies: ['metrics'] },
);
