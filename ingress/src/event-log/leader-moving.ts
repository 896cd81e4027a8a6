import { kafkaErrorTypes } from '@vsp/platform';

/** Errors of a leader lost with its broker, or not yet known to the producer: the cluster is electing. */
const LEADER_MOVING = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'BROKER_NOT_AVAILABLE',
  'REPLICA_NOT_AVAILABLE',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
  // The new leader's view of the idempotent producer's sequence after the move; the send after a
  // failure goes through a new producer (RenewableProducer), which starts a sequence of its own.
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
]);
/** Kafka itself refusing the write: waiting would not help within a request's time. */
const REFUSED = new Set(['NOT_ENOUGH_REPLICAS', 'NOT_ENOUGH_REPLICAS_AFTER_APPEND']);

/** A broker gone, or a partition's new leader not known yet: not Kafka refusing the write. */
export function leaderMoving(error: unknown): boolean {
  const types = [...kafkaErrorTypes(error)];
  return types.some((t) => LEADER_MOVING.has(t)) && !types.some((t) => REFUSED.has(t));
}
