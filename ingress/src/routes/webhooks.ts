import { type EventTimePolicy, type ProductEvent, toProductEvent } from '@vsp/schemas';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BodyMalformedError, EventLogUnavailableError, IngressError } from '../errors.js';
import type { WebhookSignature } from '../webhook/signature.js';

export interface WebhookRoutesOptions {
  signature: WebhookSignature;
  bodyLimit: number;
  eventTimePolicy: EventTimePolicy;
}

// RFC 8259: a JSON text is UTF-8. fatal: invalid bytes throw instead of becoming U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

const HEALTH = { status: 'healthy', service: 'webhooks', message: 'Webhook endpoint is ready to receive events' };

/**
 * BakaiMarket's endpoint. Encapsulated: the raw-body JSON parser below applies to these routes
 * only, because the signature covers the exact bytes received, never a re-serialisation.
 */
export async function webhookRoutes(
  app: FastifyInstance,
  { signature, bodyLimit, eventTimePolicy }: WebhookRoutesOptions,
): Promise<void> {
  // JSON only (Fastify also parses text/plain by default): anything else is answered 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (_request, body, done) =>
    done(null, body),
  );

  app.get('/api/v1/webhooks/health', async () => HEALTH);

  // Counted once the answer is out, whatever it was: 415 and 413 never reach the handler.
  app.decorateRequest('eventType', 'unknown');
  app.addHook('onResponse', (request, reply, done) => {
    if (request.routeOptions.url === '/api/v1/webhooks/bakai') {
      const labels = { event_type: request.eventType };
      (reply.statusCode === 200 ? app.metrics.webhooks : app.metrics.errors).inc(labels);
      app.metrics.duration.observe(labels, reply.elapsedTime / 1000);
    }
    done();
  });

  app.post('/api/v1/webhooks/bakai', async (request) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    signature.verify(raw, request.headers['x-webhook-signature']);
    const event = parse(raw, Date.now(), eventTimePolicy);
    request.eventType = event.event_type;
    request.log.info(`Webhook received: ${event.event_type} (event_id: ${event.event_id})`);
    const location = await publish(app, request, event);
    const taskId = `${location.topic}/${location.partition}/${location.offset}`;
    request.log.info(`Task queued: ${taskId}`);
    return {
      success: true,
      message: 'Webhook received and queued for processing',
      event_id: event.event_id,
      task_id: taskId,
    };
  });
}

declare module 'fastify' {
  interface FastifyRequest {
    eventType: string;
  }
}

function parse(raw: Buffer, receivedAt: number, policy: EventTimePolicy): ProductEvent {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new BodyMalformedError('The body is not valid UTF-8');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new BodyMalformedError(`The body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BodyMalformedError('The body must be a JSON object');
  }
  return toProductEvent(body, raw, receivedAt, policy);
}

async function publish(app: FastifyInstance, request: FastifyRequest, event: ProductEvent) {
  try {
    return await app.eventLog.publish(event, { request_id: String(request.id) });
  } catch (error) {
    // A refusal while Kafka is unavailable is expected and answered 503 (the marketplace retries):
    // the event log says once per outage how many there were, rather than a line with a stack each.
    if (error instanceof EventLogUnavailableError) {
      request.log.debug(`Webhook refused: ${event.event_id} (${error.code}: ${error.message})`);
    } else request.log.error({ err: error }, `Failed to process webhook: ${event.event_id}`);
    throw error instanceof IngressError
      ? error
      : new EventLogUnavailableError('The event could not be queued', 1, { cause: error });
  }
}
