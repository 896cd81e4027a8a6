import type { Producer, ProducerRecord, RecordMetadata } from 'kafkajs';

/**
 * The ingress's producer, replaced after a failed send. kafkajs's idempotent producer can be left
 * unable to write after one: its sequence numbers no longer match the broker's, and every later
 * batch fails with OUT_OF_ORDER_SEQUENCE_NUMBER (seen after a broker loss; tulios/kafkajs#598).
 * So the send after a failure goes through a new producer: a new producer id, sequences from 0.
 * At-least-once either way: a failed batch was answered 503 and may be sent again.
 */
export class RenewableProducer {
  #producer: Producer;
  #failed = false;
  /** The replaced producer's disconnect, awaited by our own. */
  #retiring: Promise<void> = Promise.resolve();

  constructor(private readonly create: () => Producer) {
    this.#producer = create();
  }

  connect(): Promise<void> {
    return this.#producer.connect();
  }

  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    try {
      if (this.#failed) await this.#renew();
      return await this.#producer.send(record);
    } catch (error) {
      this.#failed = true;
      throw error;
    }
  }

  async disconnect(): Promise<void> {
    await Promise.all([this.#producer.disconnect(), this.#retiring]);
  }

  async #renew(): Promise<void> {
    const old = this.#producer;
    this.#producer = this.create();
    this.#retiring = Promise.all([this.#retiring, old.disconnect().catch(() => {})]).then(() => {});
    await this.#producer.connect();
    this.#failed = false;
  }
}
