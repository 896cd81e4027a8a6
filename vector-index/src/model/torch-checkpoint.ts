import { ModelInvalidError } from '../errors.js';

/** One tensor of a checkpoint: its shape and its values, row-major. */
export interface CheckpointTensor {
  shape: number[];
  values: Float32Array | BigInt64Array;
}

interface PickleGlobal {
  global: string;
}

interface TensorRef {
  storageKey: string;
  offset: number;
  shape: number[];
  stride: number[];
}

interface StorageRef {
  key: string;
  type: string;
}

const ELEMENT_BYTES: Record<string, number> = { FloatStorage: 4, LongStorage: 8 };

/**
 * Reads a state dict saved by PyTorch's legacy (pre-1.6, non-zip) `torch.save`: five pickles in a
 * row (magic number, protocol version, system info, the object with its storages as persistent
 * ids, the sorted storage keys), then each storage as a little-endian int64 element count and its
 * raw bytes, in the order of the keys. Only what a state dict of float and long tensors needs is
 * understood; anything else is refused (MODEL_INVALID), so no code in the file ever runs.
 */
export function readTorchCheckpoint(bytes: Buffer): Map<string, CheckpointTensor> {
  const reader = new PickleReader(bytes);
  const magic = reader.load();
  if (magic !== 0x1950a86a20f9469cfc6cn) throw new ModelInvalidError('not a legacy PyTorch checkpoint (magic number)');
  reader.load(); // protocol version
  reader.load(); // system info: sizes are read from the storage types
  const stateDict = reader.load();
  const keys = reader.load();
  if (!(stateDict instanceof Map) || !Array.isArray(keys))
    throw new ModelInvalidError('the checkpoint is not a state dict');
  let at = reader.position;
  const storages = new Map<string, Buffer>();
  for (const key of keys as string[]) {
    const storage = reader.storages.get(key);
    if (!storage) throw new ModelInvalidError(`storage ${key} is never referenced`);
    const elementBytes = ELEMENT_BYTES[storage.type];
    if (elementBytes === undefined) throw new ModelInvalidError(`storage type ${storage.type} is not supported`);
    const count = Number(bytes.readBigInt64LE(at));
    at += 8;
    storages.set(key, bytes.subarray(at, at + count * elementBytes));
    at += count * elementBytes;
  }
  const tensors = new Map<string, CheckpointTensor>();
  for (const [name, ref] of stateDict as Map<string, unknown>) {
    if (!isTensorRef(ref)) throw new ModelInvalidError(`${name} is not a tensor`);
    tensors.set(name, tensorOf(ref, reader.storages.get(ref.storageKey) as StorageRef, storages));
  }
  return tensors;
}

/** The tensor's values in row-major order, gathered through its strides (converted weights often are not contiguous). */
function tensorOf(ref: TensorRef, storage: StorageRef, storages: Map<string, Buffer>): CheckpointTensor {
  const data = storages.get(ref.storageKey) as Buffer;
  const count = ref.shape.reduce((product, n) => product * n, 1);
  const float = storage.type === 'FloatStorage';
  const values = float ? new Float32Array(count) : new BigInt64Array(count);
  const index = ref.shape.map(() => 0);
  for (let i = 0; i < count; i++) {
    const element = ref.offset + index.reduce((sum, at, d) => sum + at * (ref.stride[d] as number), 0);
    if (float) values[i] = data.readFloatLE(element * 4);
    else values[i] = data.readBigInt64LE(element * 8);
    for (let d = index.length - 1; d >= 0; d--) {
      index[d] = (index[d] as number) + 1;
      if ((index[d] as number) < (ref.shape[d] as number)) break;
      index[d] = 0;
    }
  }
  return { shape: ref.shape, values };
}

const isTensorRef = (value: unknown): value is TensorRef =>
  typeof value === 'object' && value !== null && 'storageKey' in value;

/** The subset of Python's pickle machine (protocols 2–4) that a state dict uses. */
class PickleReader {
  position = 0;
  readonly storages = new Map<string, StorageRef>();
  readonly #bytes: Buffer;
  readonly #memo = new Map<number, unknown>();

  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  load(): unknown {
    this.#memo.clear();
    const stack: unknown[] = [];
    const marks: number[] = [];
    const popMark = () => {
      const at = marks.pop();
      if (at === undefined) throw new ModelInvalidError('pickle: unbalanced mark');
      return stack.splice(at);
    };
    for (;;) {
      const op = this.#u8();
      switch (op) {
        case 0x80: // PROTO
          this.#u8();
          break;
        case 0x95: // FRAME
          this.position += 8;
          break;
        case 0x2e: // STOP
          return stack.pop();
        case 0x28: // MARK
          marks.push(stack.length);
          break;
        case 0x7d: // EMPTY_DICT
          stack.push(new Map());
          break;
        case 0x5d: // EMPTY_LIST
          stack.push([]);
          break;
        case 0x29: // EMPTY_TUPLE
          stack.push([]);
          break;
        case 0x74: // TUPLE
          stack.push(popMark());
          break;
        case 0x85: // TUPLE1
        case 0x86: // TUPLE2
        case 0x87: // TUPLE3
          stack.push(stack.splice(stack.length - (op - 0x84)));
          break;
        case 0x4e: // NONE
          stack.push(null);
          break;
        case 0x88: // NEWTRUE
          stack.push(true);
          break;
        case 0x89: // NEWFALSE
          stack.push(false);
          break;
        case 0x4a: // BININT
          stack.push(this.#bytes.readInt32LE(this.#advance(4)));
          break;
        case 0x4b: // BININT1
          stack.push(this.#u8());
          break;
        case 0x4d: // BININT2
          stack.push(this.#bytes.readUInt16LE(this.#advance(2)));
          break;
        case 0x8a: // LONG1
          stack.push(this.#long(this.#u8()));
          break;
        case 0x47: // BINFLOAT
          stack.push(this.#bytes.readDoubleBE(this.#advance(8)));
          break;
        case 0x58: // BINUNICODE
          stack.push(this.#text(this.#bytes.readUInt32LE(this.#advance(4))));
          break;
        case 0x8c: // SHORT_BINUNICODE
        case 0x55: // SHORT_BINSTRING
          stack.push(this.#text(this.#u8()));
          break;
        case 0x54: // BINSTRING
          stack.push(this.#text(this.#bytes.readUInt32LE(this.#advance(4))));
          break;
        case 0x71: // BINPUT
          this.#memo.set(this.#u8(), stack.at(-1));
          break;
        case 0x72: // LONG_BINPUT
          this.#memo.set(this.#bytes.readUInt32LE(this.#advance(4)), stack.at(-1));
          break;
        case 0x94: // MEMOIZE
          this.#memo.set(this.#memo.size, stack.at(-1));
          break;
        case 0x68: // BINGET
          stack.push(this.#memo.get(this.#u8()));
          break;
        case 0x6a: // LONG_BINGET
          stack.push(this.#memo.get(this.#bytes.readUInt32LE(this.#advance(4))));
          break;
        case 0x63: {
          // GLOBAL: "module\nname\n"
          const module = this.#line();
          stack.push({ global: `${module}.${this.#line()}` } satisfies PickleGlobal);
          break;
        }
        case 0x51: // BINPERSID
          stack.push(this.#persistent(stack.pop()));
          break;
        case 0x52: {
          // REDUCE
          const args = stack.pop() as unknown[];
          stack.push(this.#reduce(stack.pop() as PickleGlobal, args));
          break;
        }
        case 0x62: // BUILD: state for an object; a state dict's metadata is not needed
          stack.pop();
          break;
        case 0x73: {
          // SETITEM
          const value = stack.pop();
          const key = stack.pop();
          (stack.at(-1) as Map<unknown, unknown>).set(key, value);
          break;
        }
        case 0x75: {
          // SETITEMS
          const items = popMark();
          const dict = stack.at(-1) as Map<unknown, unknown>;
          for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
          break;
        }
        case 0x61: // APPEND
          (stack.at(-2) as unknown[]).push(stack.pop());
          break;
        case 0x65: {
          // APPENDS
          const items = popMark();
          (stack.at(-1) as unknown[]).push(...items);
          break;
        }
        default:
          throw new ModelInvalidError(`pickle: opcode 0x${op.toString(16)} at ${this.position - 1} is not supported`);
      }
    }
  }

  /** ('storage', <StorageType>, key, location, size[, view]) names a storage; anything else is refused. */
  #persistent(id: unknown): StorageRef {
    const [kind, type, key] = id as [unknown, PickleGlobal | undefined, unknown];
    if (kind !== 'storage' || typeof key !== 'string' || !type?.global.startsWith('torch.')) {
      throw new ModelInvalidError('pickle: a persistent id that is not a storage');
    }
    const storage = { key, type: type.global.slice('torch.'.length) };
    this.storages.set(key, storage);
    return storage;
  }

  /** The calls a state dict makes: an ordered dict, and tensors rebuilt over storages. */
  #reduce(callable: PickleGlobal, args: unknown[]): unknown {
    switch (callable.global) {
      case 'collections.OrderedDict':
        return new Map();
      case 'torch._utils._rebuild_tensor_v2': {
        const [storage, offset, shape, stride] = args as [StorageRef, number, number[], number[]];
        return { storageKey: storage.key, offset, shape, stride } satisfies TensorRef;
      }
      default:
        throw new ModelInvalidError(`pickle: a call to ${callable.global} is not allowed`);
    }
  }

  #u8(): number {
    return this.#bytes.readUInt8(this.#advance(1));
  }

  #advance(count: number): number {
    const at = this.position;
    if (at + count > this.#bytes.length) throw new ModelInvalidError('pickle: truncated');
    this.position += count;
    return at;
  }

  #text(length: number): string {
    return this.#bytes.toString('utf8', this.#advance(length), this.position);
  }

  #line(): string {
    const end = this.#bytes.indexOf(0x0a, this.position);
    if (end < 0) throw new ModelInvalidError('pickle: truncated');
    const text = this.#bytes.toString('latin1', this.position, end);
    this.position = end + 1;
    return text;
  }

  /** A little-endian two's-complement integer of `length` bytes. */
  #long(length: number): bigint {
    let value = 0n;
    const start = this.#advance(length);
    for (let i = length - 1; i >= 0; i--) value = (value << 8n) | BigInt(this.#bytes[start + i] as number);
    if (length > 0 && ((this.#bytes[start + length - 1] as number) & 0x80) !== 0) value -= 1n << BigInt(8 * length);
    return value;
  }
}
