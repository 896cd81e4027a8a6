import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { RecordUndecodableError, SchemaRegistryUnavailableError, SchemaRejectedError } from './errors.js';
import {
  avroTypeOptions,
  PRODUCT_EVENT_SUBJECT,
  type ProductEvent,
  productEventSchemaText,
  productEventType,
} from './product-event.js';
import { registryRequest } from './registry-request.js';

const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

export interface ProductEventCodecOptions {
  /** A Confluent-compatible registry, e.g. http://localhost:8081/apis/ccompat/v7 */
  registryUrl: string;
  subject?: string;
  /** Optional: the schema to write with (tests evolve it); defaults to avro/product-event.avsc. */
  schemaText?: string;
}

/**
 * Confluent wire format (magic 0, 4-byte schema id, Avro binary) for ProductEvent. Encoding uses
 * the id our schema was registered under; decoding reads any registered writer schema and resolves
 * it into our reader schema, so records written by an older or newer compatible schema still read.
 * Writer types and resolvers are cached per schema id: decoding is on the processors' hot path.
 */
export class ProductEventCodec {
  readonly #registry: SchemaRegistry;
  readonly #resolvers = new Map<number, Promise<avro.Resolver | undefined>>();
  readonly #writerTypes = new Map<number, Promise<avro.Type>>();
  /** Every record is written here (wire header, then Avro body) and copied out once; grows for large bodies. */
  #scratch = Buffer.allocUnsafe(16 * 1024);

  private constructor(
    readonly registryUrl: string,
    readonly subject: string,
    /** The id records are written with; undefined for a codec that only reads. */
    readonly schemaId: number | undefined,
    readonly writerType: avro.Type,
  ) {
    this.#registry = new SchemaRegistry({ host: registryUrl }, { AVRO: avroTypeOptions() });
  }

  /**
   * Registers the schema (idempotent: the same schema gets the same id), then makes sure the
   * subject is BACKWARD compatible, so an incompatible change is refused by the registry.
   */
  static async register(options: ProductEventCodecOptions): Promise<ProductEventCodec> {
    const subject = options.subject ?? PRODUCT_EVENT_SUBJECT;
    const schemaText = options.schemaText ?? productEventSchemaText;
    const subjectUrl = `${options.registryUrl}/subjects/${encodeURIComponent(subject)}/versions`;
    const registered = await registryRequest(subjectUrl, 'POST', { schema: schemaText }, [409]);
    if (registered.status === 409) {
      throw new SchemaRejectedError(`the registry refused the schema for ${subject}: ${registered.text}`);
    }
    const { id } = registered.json as { id: number };
    await registryRequest(`${options.registryUrl}/config/${encodeURIComponent(subject)}`, 'PUT', {
      compatibility: 'BACKWARD',
    });
    const writerType = options.schemaText
      ? avro.Type.forSchema(JSON.parse(schemaText), avroTypeOptions())
      : productEventType;
    return new ProductEventCodec(options.registryUrl, subject, id, writerType);
  }

  /**
   * A codec for consumers: decodes whatever registered schema a record names, registers nothing.
   */
  static reader(registryUrl: string): ProductEventCodec {
    return new ProductEventCodec(registryUrl, PRODUCT_EVENT_SUBJECT, undefined, productEventType);
  }

  encode(event: ProductEvent): Buffer {
    if (this.schemaId === undefined)
      throw new Error('this codec only reads: use ProductEventCodec.register() to write');
    let end = this.writerType.encode(event, this.#scratch, HEADER_BYTES);
    if (end < 0) {
      // avsc answers how many bytes were missing.
      this.#scratch = Buffer.allocUnsafe(this.#scratch.length - end);
      end = this.writerType.encode(event, this.#scratch, HEADER_BYTES);
    }
    this.#scratch.writeUInt8(MAGIC_BYTE, 0);
    this.#scratch.writeUInt32BE(this.schemaId, 1);
    const record = Buffer.allocUnsafe(end);
    this.#scratch.copy(record, 0, 0, end);
    return record;
  }

  async decode(bytes: Buffer | null): Promise<ProductEvent> {
    const writerId = schemaIdOf(bytes);
    const resolver = await this.#resolverFor(writerId);
    try {
      return productEventType.fromBuffer((bytes as Buffer).subarray(HEADER_BYTES), resolver) as ProductEvent;
    } catch (error) {
      throw new RecordUndecodableError(`Avro body does not match schema id ${writerId}`, { cause: error });
    }
  }

  /**
   * Decodes with the schema the record was written with, not resolved into ours: fields a newer
   * writer added are kept. What a tap shows.
   */
  async decodeAsWritten(bytes: Buffer | null): Promise<{ schemaId: number; value: Record<string, unknown> }> {
    const schemaId = schemaIdOf(bytes);
    const type = await this.#writerType(schemaId);
    try {
      return { schemaId, value: type.fromBuffer((bytes as Buffer).subarray(HEADER_BYTES)) };
    } catch (error) {
      throw new RecordUndecodableError(`Avro body does not match schema id ${schemaId}`, { cause: error });
    }
  }

  /** undefined means the writer schema is ours and needs no resolution. */
  #resolverFor(writerId: number): Promise<avro.Resolver | undefined> {
    return memoise(this.#resolvers, writerId, (id) => this.#loadResolver(id));
  }

  async #loadResolver(writerId: number): Promise<avro.Resolver | undefined> {
    if (writerId === this.schemaId && this.writerType === productEventType) return undefined;
    const writer = await this.#writerType(writerId);
    try {
      return productEventType.createResolver(writer);
    } catch (error) {
      throw new RecordUndecodableError(`schema id ${writerId} cannot be read as ProductEvent`, { cause: error });
    }
  }

  #writerType(id: number): Promise<avro.Type> {
    return memoise(this.#writerTypes, id, (key) => this.#fetchWriterType(key));
  }

  async #fetchWriterType(id: number): Promise<avro.Type> {
    try {
      return (await this.#registry.getSchema(id)) as unknown as avro.Type;
    } catch (error) {
      if ((error as { status?: number }).status === 404) {
        throw new RecordUndecodableError(`schema id ${id} is not in the registry`, { cause: error });
      }
      throw new SchemaRegistryUnavailableError(`could not fetch schema id ${id}`, { cause: error });
    }
  }
}

/** `load(key)` once per key; a failure is forgotten, so that a registry outage is not cached as an answer. */
function memoise<K, V>(cache: Map<K, Promise<V>>, key: K, load: (key: K) => Promise<V>): Promise<V> {
  let value = cache.get(key);
  if (!value) {
    value = load(key);
    cache.set(key, value);
    value.catch(() => cache.delete(key));
  }
  return value;
}

/** The schema id of a record in Confluent wire format. */
function schemaIdOf(bytes: Buffer | null): number {
  if (!bytes || bytes.length < HEADER_BYTES || bytes.readUInt8(0) !== MAGIC_BYTE) {
    throw new RecordUndecodableError('not Confluent wire format (magic byte 0 and a schema id)');
  }
  return bytes.readUInt32BE(1);
}
