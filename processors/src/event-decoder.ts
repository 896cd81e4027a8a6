import { PRODUCT_EVENT_TYPES, type ProductEvent, type ProductEventCodec, SchemaError } from '@vsp/schemas';
import type { KafkaMessage } from 'kafkajs';
import { EventInvalidError, RecordUndecodableError, SchemaRegistryUnavailableError } from './errors.js';

const KNOWN_TYPES = new Set<string>(PRODUCT_EVENT_TYPES);

/**
 * Kafka message to ProductEvent, with the contract's checks a record from any producer must
 * pass. Codec errors are translated into this package's catalogue, keeping their `retriable`.
 */
export async function decodeProductEvent(codec: ProductEventCodec, message: KafkaMessage): Promise<ProductEvent> {
  let event: ProductEvent;
  try {
    event = await codec.decode(message.value);
  } catch (error) {
    if (error instanceof SchemaError && error.retriable)
      throw new SchemaRegistryUnavailableError(error.message, { cause: error });
    throw new RecordUndecodableError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  if (!KNOWN_TYPES.has(event.event_type)) throw new EventInvalidError(`unknown event_type "${event.event_type}"`);
  if (event.data.product_id === '') throw new EventInvalidError('data.product_id is empty');
  if (!Number.isFinite(event.occurred_at)) throw new EventInvalidError('occurred_at is not a time');
  if (message.key !== null && message.key.toString('utf8') !== event.data.product_id) {
    throw new EventInvalidError(`record key "${message.key}" is not data.product_id "${event.data.product_id}"`);
  }
  return event;
}
