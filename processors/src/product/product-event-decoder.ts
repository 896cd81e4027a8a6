import { PRODUCT_EVENT_TYPES, type ProductEvent, type ProductEventCodec } from '@vsp/schemas';
import type { KafkaMessage } from 'kafkajs';
import { EventInvalidError } from '../errors.js';
import { MAX_EVENT_TIME, MIN_EVENT_TIME } from './event-version.js';

const KNOWN_TYPES = new Set<string>(PRODUCT_EVENT_TYPES);

/**
 * Kafka message to ProductEvent, plus the contract's checks that a record from any producer
 * must pass. The codec's own errors (undecodable: permanent; registry down: retriable) pass
 * through as they are.
 */
export async function decodeProductEvent(codec: ProductEventCodec, message: KafkaMessage): Promise<ProductEvent> {
  const event = await codec.decode(message.value);
  if (!KNOWN_TYPES.has(event.event_type)) throw new EventInvalidError(`unknown event_type "${event.event_type}"`);
  if (event.data.product_id === '') throw new EventInvalidError('data.product_id is empty');
  if (
    !Number.isInteger(event.occurred_at) ||
    event.occurred_at < MIN_EVENT_TIME ||
    event.occurred_at > MAX_EVENT_TIME
  ) {
    throw new EventInvalidError(`occurred_at ${event.occurred_at} is not a time the sinks can order`);
  }
  if (message.key !== null && message.key.toString('utf8') !== event.data.product_id) {
    throw new EventInvalidError(`record key "${message.key}" is not data.product_id "${event.data.product_id}"`);
  }
  return event;
}
