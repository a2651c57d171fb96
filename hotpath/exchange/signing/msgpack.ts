/**
 * A MessagePack encoder for exactly what exchange actions contain, with the byte choices the L1 action
 * hash depends on (PROTOCOL.md §6.2).
 *
 * Design choices:
 * - Maps are plain objects written in insertion order (`Object.keys`); a property whose value is
 *   `undefined` is skipped, as if absent, because a stray nil key changes the hash.
 * - Integers use the shortest form (as Python `msgpack`, `@msgpack/msgpack` and the exchange's Rust
 *   encoder do). `bigint` covers the full u64 / i64 range with the same shortest-form rule.
 * - A non-integer number THROWS instead of becoming float64: a float on the wire is always a bug (prices
 *   and sizes are decimal strings) and it would silently change the hash. Unsafe integers (> 2^53) throw
 *   too: the value has already lost precision; pass a bigint.
 * - Strings are UTF-8 with an ASCII fast path; lone surrogates throw (they have no UTF-8 form, and the
 *   exchange's JSON decoder rejects them).
 * - Speed: one `MsgpackWriter` owns a growing buffer that is reused across calls, and encoding is a plain
 *   recursive switch with no closures. Errors carry the path of the offending value; the path is collected
 *   while the exception unwinds, so the happy path pays nothing for it.
 * - Only the types actions need: no bin, ext, float, Map or Date.
 */

/** What the encoder accepts. Map values may be `undefined` (skipped). */
export type MsgpackValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | readonly MsgpackValue[]
  | { readonly [key: string]: MsgpackValue | undefined };

/** A value cannot be encoded the way the exchange hashes it. `path` locates it, e.g. `orders[0].p`. */
export class MsgpackEncodeError extends Error {
  override readonly name = "MsgpackEncodeError";
  private readonly segments: string[] = [];
  constructor(
    readonly reason: string,
    readonly value: unknown,
  ) {
    super(reason);
    this.refreshMessage();
  }

  /** Where the bad value sits in the encoded object (`$` = the root). */
  get path(): string {
    return "$" + this.segments.join("");
  }

  /** @internal called while unwinding, innermost segment first. */
  prependSegment(segment: string): void {
    this.segments.unshift(segment);
    this.refreshMessage();
  }

  private refreshMessage(): void {
    this.message = `cannot msgpack-encode ${describe(this.value)} at ${this.path}: ${this.reason}`;
  }
}

function describe(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" || typeof value === "boolean" || value === undefined) return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return value.toString();
  if (value === null) return "null";
  return `an object (${Object.prototype.toString.call(value)})`;
}

const MAX_DEPTH = 32;
const INITIAL_CAPACITY = 1024;

const TWO_POW_32 = 0x1_0000_0000;
const U64_MAX = 0xffff_ffff_ffff_ffffn;
const I64_MIN = -0x8000_0000_0000_0000n;

/**
 * Appends msgpack (and raw bytes, for the L1 preimage) to a reusable buffer. `view()` returns a window
 * onto the internal buffer: valid until the next write or `reset()`; copy it (`toBytes()`) to keep it.
 */
export class MsgpackWriter {
  private buf: Uint8Array;
  private dv: DataView;
  private pos = 0;

  constructor(initialCapacity = INITIAL_CAPACITY) {
    this.buf = new Uint8Array(initialCapacity);
    this.dv = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.pos;
  }

  reset(): void {
    this.pos = 0;
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  toBytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** Encodes one value. On error the writer's content is unspecified; `reset()` before reuse. */
  writeValue(value: MsgpackValue): void {
    this.write(value, 0);
  }

  writeByte(byte: number): void {
    this.ensure(1);
    this.buf[this.pos++] = byte;
  }

  writeBytes(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Big-endian u64 of a non-negative safe integer (the caller validates). */
  writeU64(value: number): void {
    this.ensure(8);
    this.dv.setUint32(this.pos, Math.floor(value / TWO_POW_32));
    this.dv.setUint32(this.pos + 4, value >>> 0);
    this.pos += 8;
  }

  private ensure(extra: number): void {
    const needed = this.pos + extra;
    if (needed <= this.buf.length) return;
    let capacity = this.buf.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }

  private write(value: unknown, depth: number): void {
    switch (typeof value) {
      case "string":
        this.writeString(value);
        return;
      case "number":
        this.writeNumber(value);
        return;
      case "boolean":
        this.writeByte(value ? 0xc3 : 0xc2);
        return;
      case "bigint":
        this.writeBigInt(value);
        return;
      case "object":
        if (value === null) {
          this.writeByte(0xc0);
          return;
        }
        if (depth >= MAX_DEPTH) {
          throw new MsgpackEncodeError(`nested deeper than ${MAX_DEPTH} levels (a cycle?)`, value);
        }
        if (Array.isArray(value)) {
          this.writeArray(value as readonly unknown[], depth + 1);
          return;
        }
        if (!isPlainObject(value)) {
          throw new MsgpackEncodeError("only plain objects, arrays and primitives can be encoded", value);
        }
        this.writeMap(value as Readonly<Record<string, unknown>>, depth + 1);
        return;
      default:
        throw new MsgpackEncodeError(
          value === undefined
            ? "undefined is only allowed as a map value (where it is skipped)"
            : "unsupported type",
          value,
        );
    }
  }

  private writeArray(items: readonly unknown[], depth: number): void {
    const n = items.length;
    if (n <= 15) {
      this.writeByte(0x90 | n);
    } else if (n <= 0xffff) {
      this.ensure(3);
      this.buf[this.pos] = 0xdc;
      this.dv.setUint16(this.pos + 1, n);
      this.pos += 3;
    } else {
      this.ensure(5);
      this.buf[this.pos] = 0xdd;
      this.dv.setUint32(this.pos + 1, n);
      this.pos += 5;
    }
    for (let i = 0; i < n; i++) {
      try {
        this.write(items[i], depth);
      } catch (e) {
        if (e instanceof MsgpackEncodeError) e.prependSegment(`[${i}]`);
        throw e;
      }
    }
  }

  private writeMap(map: Readonly<Record<string, unknown>>, depth: number): void {
    const keys = Object.keys(map);
    let n = 0;
    for (const key of keys) if (map[key] !== undefined) n++;
    if (n <= 15) {
      this.writeByte(0x80 | n);
    } else if (n <= 0xffff) {
      this.ensure(3);
      this.buf[this.pos] = 0xde;
      this.dv.setUint16(this.pos + 1, n);
      this.pos += 3;
    } else {
      this.ensure(5);
      this.buf[this.pos] = 0xdf;
      this.dv.setUint32(this.pos + 1, n);
      this.pos += 5;
    }
    for (const key of keys) {
      const item = map[key];
      if (item === undefined) continue;
      try {
        this.writeString(key);
        this.write(item, depth);
      } catch (e) {
        if (e instanceof MsgpackEncodeError) e.prependSegment(`.${key}`);
        throw e;
      }
    }
  }

  private writeNumber(value: number): void {
    if (!Number.isInteger(value)) {
      throw new MsgpackEncodeError(
        "non-integer number: a float64 would change the action hash (send prices and sizes as decimal strings)",
        value,
      );
    }
    if (!Number.isSafeInteger(value)) {
      throw new MsgpackEncodeError("integer beyond 2^53 has lost precision; pass a bigint", value);
    }
    if (value >= 0) {
      if (value < 0x80) {
        this.writeByte(value);
      } else if (value <= 0xff) {
        this.ensure(2);
        this.buf[this.pos] = 0xcc;
        this.buf[this.pos + 1] = value;
        this.pos += 2;
      } else if (value <= 0xffff) {
        this.ensure(3);
        this.buf[this.pos] = 0xcd;
        this.dv.setUint16(this.pos + 1, value);
        this.pos += 3;
      } else if (value <= 0xffff_ffff) {
        this.ensure(5);
        this.buf[this.pos] = 0xce;
        this.dv.setUint32(this.pos + 1, value);
        this.pos += 5;
      } else {
        this.ensure(9);
        this.buf[this.pos] = 0xcf;
        this.dv.setUint32(this.pos + 1, Math.floor(value / TWO_POW_32));
        this.dv.setUint32(this.pos + 5, value >>> 0);
        this.pos += 9;
      }
      return;
    }
    if (value >= -0x20) {
      this.writeByte(0xe0 | (value + 0x20));
    } else if (value >= -0x80) {
      this.ensure(2);
      this.buf[this.pos] = 0xd0;
      this.dv.setInt8(this.pos + 1, value);
      this.pos += 2;
    } else if (value >= -0x8000) {
      this.ensure(3);
      this.buf[this.pos] = 0xd1;
      this.dv.setInt16(this.pos + 1, value);
      this.pos += 3;
    } else if (value >= -0x8000_0000) {
      this.ensure(5);
      this.buf[this.pos] = 0xd2;
      this.dv.setInt32(this.pos + 1, value);
      this.pos += 5;
    } else {
      this.ensure(9);
      this.buf[this.pos] = 0xd3;
      this.dv.setBigInt64(this.pos + 1, BigInt(value));
      this.pos += 9;
    }
  }

  private writeBigInt(value: bigint): void {
    if (value > U64_MAX || value < I64_MIN) {
      throw new MsgpackEncodeError("integer outside the u64/i64 range", value);
    }
    // Same shortest-form rule as numbers: the encoding depends on the value, not on its JS type.
    if (value >= -0x8000_0000n && value <= 0xffff_ffffn) {
      this.writeNumber(Number(value));
    } else if (value > 0n) {
      this.ensure(9);
      this.buf[this.pos] = 0xcf;
      this.dv.setBigUint64(this.pos + 1, value);
      this.pos += 9;
    } else {
      this.ensure(9);
      this.buf[this.pos] = 0xd3;
      this.dv.setBigInt64(this.pos + 1, value);
      this.pos += 9;
    }
  }

  private writeString(value: string): void {
    const charCount = value.length;
    // Bytes needed: ASCII strings (the common case: keys, decimals, hex) are 1 byte per UTF-16 unit.
    let byteLength = charCount;
    let ascii = true;
    for (let i = 0; i < charCount; i++) {
      if (value.charCodeAt(i) >= 0x80) {
        ascii = false;
        byteLength = utf8Length(value);
        break;
      }
    }
    this.writeStringHeader(byteLength, value);
    this.ensure(byteLength);
    if (ascii) {
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < charCount; i++) buf[p++] = value.charCodeAt(i);
      this.pos = p;
    } else {
      const written = textEncoder.encodeInto(
        value,
        this.buf.subarray(this.pos, this.pos + byteLength),
      ).written;
      this.pos += written;
    }
  }

  private writeStringHeader(byteLength: number, value: string): void {
    if (byteLength <= 31) {
      this.writeByte(0xa0 | byteLength);
    } else if (byteLength <= 0xff) {
      this.ensure(2);
      this.buf[this.pos] = 0xd9;
      this.buf[this.pos + 1] = byteLength;
      this.pos += 2;
    } else if (byteLength <= 0xffff) {
      this.ensure(3);
      this.buf[this.pos] = 0xda;
      this.dv.setUint16(this.pos + 1, byteLength);
      this.pos += 3;
    } else if (byteLength <= 0xffff_ffff) {
      this.ensure(5);
      this.buf[this.pos] = 0xdb;
      this.dv.setUint32(this.pos + 1, byteLength);
      this.pos += 5;
    } else {
      throw new MsgpackEncodeError("string too long", value.slice(0, 32));
    }
  }
}

const textEncoder = new TextEncoder();

/** UTF-8 length of a string with non-ASCII characters; throws on lone surrogates. */
function utf8Length(value: string): number {
  let length = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x80) length += 1;
    else if (code < 0x800) length += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) {
        throw new MsgpackEncodeError("string contains a lone surrogate (no UTF-8 form)", value);
      }
      length += 4;
      i++;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      throw new MsgpackEncodeError("string contains a lone surrogate (no UTF-8 form)", value);
    } else length += 3;
  }
  return length;
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const sharedWriter = new MsgpackWriter();

/** Encodes `value` into a fresh byte array (the scratch buffer behind it is reused). */
export function encodeMsgpack(value: MsgpackValue): Uint8Array {
  sharedWriter.reset();
  try {
    sharedWriter.writeValue(value);
    return sharedWriter.toBytes();
  } finally {
    sharedWriter.reset();
  }
}
