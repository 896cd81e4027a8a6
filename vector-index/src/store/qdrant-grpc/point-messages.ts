import { floatsOf, ProtoReader, ProtoWriter, WireType } from './protobuf.js';

/**
 * The messages of Qdrant's gRPC `Points` service that read and write points with their vectors
 * (field numbers from Qdrant's points.proto and json_with_int.proto, 1.16). Only what the vector
 * store sends and reads is here.
 */

/** A point as sent or read: its UUID, payload (plain JSON) and dense vector. */
export interface GrpcPoint {
  id: string;
  payload: Record<string, unknown>;
  vector: Float32Array;
}

/** `UpsertPoints`: the points into `collection`, answered once applied when `wait`. */
export function upsertPointsMessage(collection: string, points: readonly GrpcPoint[], wait: boolean): Buffer {
  const message = new ProtoWriter(points.length * (points[0]?.vector.byteLength ?? 0) + 1024);
  message.string(1, collection).bool(2, wait);
  for (const point of points) {
    const struct = new ProtoWriter(point.vector.byteLength + 1024).message(1, pointIdOf(point.id));
    for (const entry of mapEntries(point.payload)) struct.message(3, entry);
    const dense = new ProtoWriter(point.vector.byteLength + 8).floats(1, point.vector).bytes;
    const vector = new ProtoWriter(dense.length + 8).message(101, dense).bytes;
    struct.message(4, new ProtoWriter(vector.length + 8).message(1, vector).bytes);
    message.message(3, struct.bytes);
  }
  return message.bytes;
}

/** `GetPoints`: the points of these ids, with payload and vector. */
export function getPointsMessage(collection: string, ids: readonly string[]): Buffer {
  const message = new ProtoWriter().string(1, collection);
  for (const id of ids) message.message(2, pointIdOf(id));
  const enabled = new ProtoWriter(8).bool(1, true).bytes;
  return message.message(4, enabled).message(5, enabled).bytes;
}

/** The points of a `GetResponse`. */
export function pointsOfGetResponse(answer: Buffer): GrpcPoint[] {
  const points: GrpcPoint[] = [];
  const response = new ProtoReader(answer);
  while (response.next()) if (response.field === 1) points.push(retrievedPoint(response.bytes));
  return points;
}

function retrievedPoint(message: Buffer): GrpcPoint {
  const point: GrpcPoint = { id: '', payload: {}, vector: new Float32Array(0) };
  const fields = new ProtoReader(message);
  while (fields.next()) {
    if (fields.field === 1) point.id = pointIdFrom(fields.bytes);
    else if (fields.field === 2) addMapEntry(point.payload, fields.bytes);
    else if (fields.field === 4) point.vector = vectorFrom(fields.bytes);
  }
  return point;
}

/** `PointId` with a UUID. */
function pointIdOf(id: string): Buffer {
  return new ProtoWriter(48).string(2, id).bytes;
}

function pointIdFrom(message: Buffer): string {
  const fields = new ProtoReader(message);
  while (fields.next()) {
    if (fields.field === 2) return fields.bytes.toString('utf8');
    if (fields.field === 1) return String(fields.number);
  }
  return '';
}

/** A `VectorsOutput`'s single dense vector. */
function vectorFrom(vectorsOutput: Buffer): Float32Array {
  const outer = new ProtoReader(vectorsOutput);
  while (outer.next()) if (outer.field === 1) return valuesOf(outer.bytes);
  return new Float32Array(0);
}

/**
 * The floats of a `VectorOutput` or a `DenseVector`: field 1, packed, or one fixed32 field per
 * value, as Qdrant 1.16 sends a `VectorOutput`'s; or, in a `VectorOutput`, a `DenseVector` (101).
 */
function valuesOf(message: Buffer): Float32Array {
  const values = new Float32Array(Math.floor(message.length / 5));
  let count = 0;
  const fields = new ProtoReader(message);
  while (fields.next()) {
    if (fields.field === 1 && fields.wireType === WireType.fixed32) values[count++] = fields.number;
    else if (fields.field === 1) return floatsOf(fields.bytes);
    else if (fields.field === 101) return valuesOf(fields.bytes);
  }
  return values.slice(0, count);
}

/** `map<string, Value>` entries: key 1, value 2. */
function mapEntries(object: Record<string, unknown>): Buffer[] {
  return Object.entries(object).map(
    ([key, value]) => new ProtoWriter().string(1, key).message(2, payloadValue(value)).bytes,
  );
}

/** Sets the key and value of a map entry on `object`. */
function addMapEntry(object: Record<string, unknown>, entry: Buffer): void {
  let key = '';
  let value: unknown = null;
  const fields = new ProtoReader(entry);
  while (fields.next()) {
    if (fields.field === 1) key = fields.bytes.toString('utf8');
    else if (fields.field === 2) value = payloadValueFrom(fields.bytes);
  }
  object[key] = value;
}

/**
 * Qdrant's `Value`, JSON with integers apart from doubles: a whole number goes as an integer, as
 * Qdrant's REST API stores a JSON number without a fraction, so that either API leaves the same
 * payload.
 */
export function payloadValue(value: unknown): Buffer {
  const message = new ProtoWriter(64);
  if (value === null || value === undefined) message.varint(1, 0);
  else if (typeof value === 'boolean') message.bool(5, value);
  else if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) message.varint(3, value);
    else message.double(2, value);
  } else if (typeof value === 'string') message.string(4, value);
  else if (Array.isArray(value)) {
    const list = new ProtoWriter();
    for (const item of value) list.message(1, payloadValue(item));
    message.message(7, list.bytes);
  } else if (typeof value === 'object') {
    const struct = new ProtoWriter();
    for (const entry of mapEntries(value as Record<string, unknown>)) struct.message(1, entry);
    message.message(6, struct.bytes);
  } else {
    throw new TypeError(`a payload cannot hold a ${typeof value}`);
  }
  return message.bytes;
}

export function payloadValueFrom(message: Buffer): unknown {
  const fields = new ProtoReader(message);
  while (fields.next()) {
    switch (fields.field) {
      case 2:
      case 3:
        return fields.number;
      case 4:
        return fields.bytes.toString('utf8');
      case 5:
        return fields.number !== 0;
      case 6: {
        const object: Record<string, unknown> = {};
        const struct = new ProtoReader(fields.bytes);
        while (struct.next()) if (struct.field === 1) addMapEntry(object, struct.bytes);
        return object;
      }
      case 7: {
        const list: unknown[] = [];
        const items = new ProtoReader(fields.bytes);
        while (items.next()) if (items.field === 1) list.push(payloadValueFrom(items.bytes));
        return list;
      }
    }
  }
  return null;
}
