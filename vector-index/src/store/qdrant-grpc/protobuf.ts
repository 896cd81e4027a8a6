/**
 * The little of Protocol Buffers' wire format that Qdrant's point messages use: varints, doubles,
 * strings, nested messages and packed floats. Written by hand because the chosen packages hold no
 * protobuf or gRPC library, and these few messages (point-messages.ts) do not need one.
 */

/** How a field's value is laid out after its tag. */
export const WireType = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

/** Appends fields to a message; nested messages are written into a writer of their own. */
export class ProtoWriter {
  #bytes: Buffer<ArrayBufferLike>;
  #length = 0;

  /** `size`: the bytes it starts with; it grows as needed. */
  constructor(size = 256) {
    this.#bytes = Buffer.allocUnsafe(size);
  }

  get bytes(): Buffer {
    return this.#bytes.subarray(0, this.#length);
  }

  varint(field: number, value: number): this {
    this.#tag(field, WireType.varint);
    this.#varint(value);
    return this;
  }

  bool(field: number, value: boolean): this {
    return this.varint(field, value ? 1 : 0);
  }

  double(field: number, value: number): this {
    this.#tag(field, WireType.fixed64);
    this.#reserve(8);
    this.#length = this.#bytes.writeDoubleLE(value, this.#length);
    return this;
  }

  string(field: number, value: string): this {
    return this.message(field, Buffer.from(value, 'utf8'));
  }

  /** A length-delimited field: a nested message's bytes (or a string's). */
  message(field: number, bytes: Uint8Array): this {
    this.#tag(field, WireType.bytes);
    this.#varint(bytes.length);
    this.#reserve(bytes.length);
    this.#bytes.set(bytes, this.#length);
    this.#length += bytes.length;
    return this;
  }

  /** A packed `repeated float`: the values' little-endian bytes, as they lie in memory. */
  floats(field: number, values: Float32Array): this {
    return this.message(field, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }

  #tag(field: number, wireType: number): void {
    this.#varint(field * 8 + wireType);
  }

  /** Non-negative integers up to 2^53; negative ones are written as 10-byte two's complement. */
  #varint(value: number): void {
    this.#reserve(10);
    let low = value >>> 0;
    let high = Math.floor(value / 2 ** 32) >>> 0;
    while (high > 0 || low > 0x7f) {
      this.#bytes[this.#length++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    this.#bytes[this.#length++] = low;
  }

  #reserve(extra: number): void {
    if (this.#length + extra <= this.#bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#bytes.length * 2, this.#length + extra));
    this.#bytes.copy(grown, 0, 0, this.#length);
    this.#bytes = grown;
  }
}

/**
 * Reads a message's fields in order: each `next()` moves to the following field and sets `field`,
 * `wireType` and its value; unknown fields are the caller's to skip. Varints are read as int64
 * (exact up to 2^53 either side of zero) and fixed32 values as floats: every varint field we read
 * is an int64, a bool, an enum, or a uint64 below 2^63, and every fixed32 field a float.
 */
export class ProtoReader {
  field = 0;
  wireType = 0;
  /** Varint, fixed64 and fixed32 values (a fixed64 read as a double, a fixed32 as a float). */
  number = 0;
  /** Length-delimited values: a nested message, a string or packed numbers. */
  bytes: Buffer = EMPTY;
  #at = 0;

  constructor(private readonly message: Buffer) {}

  next(): boolean {
    if (this.#at >= this.message.length) return false;
    const tag = this.#varint();
    this.field = Math.floor(tag / 8);
    this.wireType = tag % 8;
    if (this.wireType === WireType.varint) {
      this.number = this.#varint();
    } else if (this.wireType === WireType.fixed64) {
      this.number = this.message.readDoubleLE(this.#at);
      this.#at += 8;
    } else if (this.wireType === WireType.bytes) {
      const length = this.#varint();
      this.bytes = this.message.subarray(this.#at, this.#at + length);
      this.#at += length;
    } else if (this.wireType === WireType.fixed32) {
      this.number = this.message.readFloatLE(this.#at);
      this.#at += 4;
    } else {
      throw new Error(`protobuf wire type ${this.wireType} is not one Qdrant's point messages use`);
    }
    return true;
  }

  #varint(): number {
    const start = this.#at;
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.message[this.#at++];
      if (byte === undefined) throw new Error('a protobuf varint ran past the end of its message');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 128;
    }
    // Ten bytes: a negative int64, which a double cannot hold in its unsigned form.
    return this.#at - start < 10 ? value : negativeVarint(this.message.subarray(start, this.#at));
  }
}

function negativeVarint(bytes: Buffer): number {
  let value = 0n;
  for (const [i, byte] of bytes.entries()) value |= BigInt(byte & 0x7f) << BigInt(7 * i);
  return Number(BigInt.asIntN(64, value));
}

/** Packed floats, copied out so the vector does not keep the whole answer's buffer alive. */
export function floatsOf(bytes: Buffer): Float32Array {
  const copy = new Uint8Array(bytes);
  return new Float32Array(copy.buffer, 0, copy.length / Float32Array.BYTES_PER_ELEMENT);
}

const EMPTY = Buffer.alloc(0);
