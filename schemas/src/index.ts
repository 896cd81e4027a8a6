export { DecimalType } from './decimal-type.js';
export {
  type FieldProblem,
  PayloadInvalidError,
  RecordUndecodableError,
  SCHEMA_ERROR_CODES,
  SchemaError,
  type SchemaErrorCode,
  SchemaRegistryUnavailableError,
  SchemaRejectedError,
} from './errors.js';
export {
  avroTypeOptions,
  emptyProductData,
  PRODUCT_EVENT_SUBJECT,
  PRODUCT_EVENT_TYPES,
  type ProductData,
  type ProductEvent,
  type ProductEventType,
  productEventSchemaText,
  productEventType,
} from './product-event.js';
export { ProductEventCodec, type ProductEventCodecOptions } from './product-event-codec.js';
export { checkCompatibility, type RegisteredSchema, registeredSchema } from './schema-subject.js';
export {
  dlqTopicName,
  ensureTopics,
  replicationFor,
  type TopicSettings,
  type TopicSpec,
  topicSpecs,
} from './topics.js';
export {
  type EventTimePolicy,
  parseEventTime,
  toProductEvent,
  type WebhookPayload,
  WebhookPayloadSchema,
} from './webhook-payload.js';
