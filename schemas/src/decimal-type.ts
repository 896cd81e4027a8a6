import avro from 'avsc';

const DECIMAL_TEXT = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Avro's `decimal` logical type over `bytes`, held in JavaScript as a decimal string ("15000",
 * "19.99") so money never passes through a float. avsc does not ship one.
 */
export class DecimalType extends avro.types.LogicalType {
  readonly #precision: number;
  readonly #scale: number;
  readonly #maxUnscaled: bigint;

  constructor(schema: avro.Schema, opts?: unknown) {
    super(schema, opts);
    const { precision, scale = 0 } = schema as unknown as { precision: number; scale?: number };
    this.#precision = precision;
    this.#scale = scale;
    this.#maxUnscaled = 10n ** BigInt(precision);
  }

  /** Bytes (two's-complement big-endian unscaled integer) to a decimal string without trailing zeros. */
  protected override _fromValue(bytes: Buffer): string {
    let unscaled = bytes.length === 0 ? 0n : BigInt.asIntN(bytes.length * 8, BigInt(`0x${bytes.toString('hex')}`));
    const negative = unscaled < 0n;
    if (negative) unscaled = -unscaled;
    const digits = unscaled.toString().padStart(this.#scale + 1, '0');
    const whole = digits.slice(0, digits.length - this.#scale);
    const fraction = digits.slice(digits.length - this.#scale).replace(/0+$/, '');
    return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
  }

  protected override _toValue(value: unknown): Buffer | undefined {
    const match = typeof value === 'string' ? DECIMAL_TEXT.exec(value) : null;
    if (!match) return undefined;
    const [, sign, whole, fraction = ''] = match;
    if (fraction.length > this.#scale) return undefined;
    const unscaled = BigInt(`${sign}${whole}${fraction.padEnd(this.#scale, '0')}`);
    if ((unscaled < 0n ? -unscaled : unscaled) >= this.#maxUnscaled) return undefined;
    return toTwosComplement(unscaled);
  }

  protected override _resolve(type: avro.Type): ((value: unknown) => unknown) | undefined {
    if (avro.Type.isType(type, 'logical:decimal')) {
      const other = type as unknown as DecimalType;
      if (other.#scale === this.#scale) return (value) => value;
    }
    return undefined;
  }

  protected override _export(schema: avro.Schema): void {
    Object.assign(schema, { precision: this.#precision, scale: this.#scale });
  }
}

function toTwosComplement(value: bigint): Buffer {
  let byteLength = 1;
  while (value >= 1n << BigInt(byteLength * 8 - 1) || value < -(1n << BigInt(byteLength * 8 - 1))) byteLength++;
  const hex = BigInt.asUintN(byteLength * 8, value)
    .toString(16)
    .padStart(byteLength * 2, '0');
  return Buffer.from(hex, 'hex');
}
