/**
 * Encoder for PostgreSQL's binary COPY format (`COPY … FROM STDIN (FORMAT binary)`): a header
 * (`BINARY_COPY_HEADER`), then per row a field count and length-prefixed fields in each type's binary
 * "send" form (`BinaryCopyWriter`, any number of chunks), then a trailer (`BINARY_COPY_TRAILER`).
 *
 * Why binary and not text: the server then parses no numbers, timestamps or uuids (its text parsers are
 * most of a text COPY's server time on the 29-column edges row), and the client formats none.
 * Only the types the edge rows use are here; each writer produces exactly what that type's `*_recv`
 * function reads (see src/backend/utils/adt/ in the PostgreSQL sources):
 *   text      UTF-8 bytes                      int8   8-byte big-endian two's complement
 *   uuid      16 bytes (`uuidBytes`)           timestamptz  int8 microseconds since 2000-01-01 UTC
 *   numeric   int16 ndigits, int16 weight, uint16 sign, int16 dscale, ndigits × int16 base-10000 digits
 *
 * Values PostgreSQL would refuse and that the wire cannot even carry (a timestamp or numeric beyond the
 * type's range, a malformed number) throw `CopyValueError` with the SQLSTATE the server would have used,
 * so callers treat them exactly like the server's own data errors (class 22).
 */

/** Signature, flags (no OIDs), header extension length (none). */
export const BINARY_COPY_HEADER: Buffer = Buffer.concat([
  Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"),
  Buffer.alloc(8),
]);
/** A field count of -1 ends the data. */
export const BINARY_COPY_TRAILER: Buffer = Buffer.from([0xff, 0xff]);

const INITIAL_CAPACITY = 1 << 20;

/** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in Unix microseconds. */
const PG_EPOCH_UNIX_US = 946_684_800_000_000;
/** timestamptz range accepted by the server (MIN_TIMESTAMP ≤ t < END_TIMESTAMP), in µs since 2000. */
const PG_MIN_TIMESTAMP_US = -211_813_488_000_000_000;
const PG_END_TIMESTAMP_US = 9_223_371_331_200_000_000;
const TWO_32 = 4_294_967_296;

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_DSCALE_MAX = 0x3fff;
const INT16_MAX = 32_767;

const CHAR_0 = 48;
const CHAR_9 = 57;
const CHAR_MINUS = 45;
const CHAR_PLUS = 43;
const CHAR_DOT = 46;
const CHAR_E_LOWER = 101;
const CHAR_E_UPPER = 69;

/** A value the server's binary input would refuse; `code` is the SQLSTATE it would have raised. */
export class CopyValueError extends Error {
  override readonly name = "CopyValueError";
  constructor(
    readonly code: "22003" | "22008" | "22P02",
    message: string,
  ) {
    super(message);
  }
}

/** 10^0 … 10^3: the weight of a decimal digit inside one base-10000 numeric digit. */
const POW10 = [1, 10, 100, 1000] as const;

/**
 * Writes rows of a COPY stream into a growing buffer. Call `beginRow(fields)`, then exactly `fields`
 * field writers, per row; `finish()` returns the rows' bytes (without header or trailer).
 */
export class BinaryCopyWriter {
  private buffer: Buffer;
  private offset = 0;
  /** Scratch for one numeric's base-10000 digits, reused across values. */
  private digits = new Uint16Array(32);
  /** Weight of `digits[0]` from the last grouping (see `groupsPlain`). */
  private groupWeight = 0;

  constructor(initialCapacity = INITIAL_CAPACITY) {
    this.buffer = Buffer.allocUnsafe(Math.max(64, initialCapacity));
  }

  private reserve(bytes: number): void {
    const needed = this.offset + bytes;
    if (needed <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }

  beginRow(fieldCount: number): void {
    this.reserve(2);
    this.offset = putInt16(this.buffer, this.offset, fieldCount);
  }

  null(): void {
    this.reserve(4);
    this.offset = putInt32(this.buffer, this.offset, -1);
  }

  text(value: string | null): void {
    if (value === null) return this.null();
    const length = value.length;
    // At most 3 UTF-8 bytes per UTF-16 code unit.
    this.reserve(4 + length * 3);
    const buffer = this.buffer;
    const start = this.offset + 4;
    // Short ASCII (every enum and id here) is copied by hand: cheaper than a native UTF-8 encode call.
    let at = start;
    for (let i = 0; i < length; i += 1) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) {
        at = start + buffer.write(value, start, "utf8");
        break;
      }
      buffer[at] = code;
      at += 1;
    }
    putInt32(buffer, this.offset, at - start);
    this.offset = at;
  }

  /** A safe integer (|value| ≤ 2^53 − 1) as int8. */
  int8(value: number): void {
    this.reserve(12);
    this.offset = putInt64(this.buffer, putInt32(this.buffer, this.offset, 8), value);
  }

  /** Raw bytes as one field, e.g. a uuid from `uuidBytes` (encoded once, written per row). */
  bytes(value: Uint8Array): void {
    this.reserve(4 + value.length);
    const at = putInt32(this.buffer, this.offset, value.length);
    this.buffer.set(value, at);
    this.offset = at + value.length;
  }

  /**
   * Epoch milliseconds (fractions allowed) as timestamptz, rounded to the microsecond — the server's
   * own precision.
   */
  timestamptzFromEpochMs(epochMs: number): void {
    const micros = Math.round(epochMs * 1000) - PG_EPOCH_UNIX_US;
    if (!(micros >= PG_MIN_TIMESTAMP_US && micros < PG_END_TIMESTAMP_US)) {
      throw new CopyValueError("22008", `timestamp out of range: ${epochMs} ms since 1970`);
    }
    this.reserve(12);
    this.offset = putInt64(this.buffer, putInt32(this.buffer, this.offset, 8), micros);
  }

  /**
   * A decimal string as numeric, exactly: `-?digits[.digits][e±digits]` (the exponent form is what
   * `String(double)` gives for very small or large doubles). The scale kept is the one written, so
   * "309.71795800" reads back as "309.71795800", as with the server's text input.
   */
  numeric(value: string | null): void {
    if (value === null) return this.null();
    const length = value.length;
    let i = 0;
    let negative = false;
    if (value.charCodeAt(0) === CHAR_MINUS) {
      negative = true;
      i = 1;
    }
    const intStart = i;
    while (i < length && isDigit(value.charCodeAt(i))) i += 1;
    const intEnd = i;
    // Base-10000 digits aligned on the decimal point: the integer part grouped from the point leftwards,
    // the fraction grouped as it is scanned (one pass over what is usually the longer part).
    const intGroups = Math.ceil((intEnd - intStart) / 4);
    const capacity = intGroups + Math.ceil((length - i) / 4) + 1;
    if (this.digits.length < capacity) this.digits = new Uint16Array(capacity * 2);
    const digits = this.digits;
    for (let group = intGroups - 1, at = intEnd - 1; group >= 0; group -= 1) {
      let groupValue = 0;
      for (let scale = 1; scale < 10_000 && at >= intStart; scale *= 10, at -= 1) {
        groupValue += (value.charCodeAt(at) - CHAR_0) * scale;
      }
      digits[group] = groupValue;
    }
    let count = intGroups;
    this.groupWeight = intGroups - 1;
    let fracStart = i;
    let fracEnd = i;
    if (i < length && value.charCodeAt(i) === CHAR_DOT) {
      i += 1;
      fracStart = i;
      let accumulated = 0;
      let left = 4;
      while (i < length) {
        const code = value.charCodeAt(i);
        if (!isDigit(code)) break;
        accumulated = accumulated * 10 + (code - CHAR_0);
        i += 1;
        left -= 1;
        if (left === 0) {
          digits[count] = accumulated;
          count += 1;
          accumulated = 0;
          left = 4;
        }
      }
      if (left !== 4) {
        digits[count] = accumulated * POW10[left as 0 | 1 | 2 | 3];
        count += 1;
      }
      fracEnd = i;
    }
    let exponent = 0;
    let hasExponent = false;
    if (i < length && (value.charCodeAt(i) === CHAR_E_LOWER || value.charCodeAt(i) === CHAR_E_UPPER)) {
      hasExponent = true;
      i += 1;
      let exponentSign = 1;
      if (value.charCodeAt(i) === CHAR_MINUS || value.charCodeAt(i) === CHAR_PLUS) {
        exponentSign = value.charCodeAt(i) === CHAR_MINUS ? -1 : 1;
        i += 1;
      }
      const exponentStart = i;
      while (i < length && isDigit(value.charCodeAt(i)) && i - exponentStart < 6) {
        exponent = exponent * 10 + (value.charCodeAt(i) - CHAR_0);
        i += 1;
      }
      if (i === exponentStart) i = -1;
      exponent *= exponentSign;
    }
    if (i !== length || intEnd === intStart || (fracStart !== intEnd && fracEnd === fracStart)) {
      throw new CopyValueError("22P02", `invalid numeric ${JSON.stringify(value.slice(0, 64))}`);
    }
    const dscale = Math.max(0, fracEnd - fracStart - exponent);
    if (hasExponent) count = this.groupsWithExponent(value, intStart, intEnd, fracStart, fracEnd, exponent);

    // Drop zero base-10000 digits at both ends: the server's canonical form (and fewer bytes).
    const out = this.digits; // the exponent form may have replaced the scratch array
    let first = 0;
    let last = count;
    let weight = this.groupWeight;
    while (first < last && out[first] === 0) {
      first += 1;
      weight -= 1;
    }
    while (last > first && out[last - 1] === 0) last -= 1;
    const ndigits = last - first;
    if (ndigits === 0) {
      weight = 0;
      negative = false;
    }
    if (ndigits > INT16_MAX || Math.abs(weight) > INT16_MAX || dscale > NUMERIC_DSCALE_MAX) {
      throw new CopyValueError("22003", `numeric out of range: ${JSON.stringify(value.slice(0, 64))}`);
    }
    this.reserve(12 + ndigits * 2);
    const buffer = this.buffer;
    let at = putInt32(buffer, this.offset, 8 + ndigits * 2);
    at = putInt16(buffer, at, ndigits);
    at = putInt16(buffer, at, weight);
    at = putInt16(buffer, at, negative ? NUMERIC_NEG : NUMERIC_POS);
    at = putInt16(buffer, at, dscale);
    for (let d = first; d < last; d += 1) at = putInt16(buffer, at, out[d]!);
    this.offset = at;
  }

  /**
   * The exact decimal `units × 10^-places` as numeric, byte for byte what `numeric()` writes for its
   * canonical string (no trailing fraction zeros: `fromScaledNumber`'s form), without building the string.
   * `units` must be a safe integer and `places` 0–22 (the caller validated both: `edgeColumnsCodec.ts`).
   */
  numericScaled(units: number, places: number): void {
    const negative = units < 0;
    let rest = negative ? -units : units;
    let scale = places;
    // The canonical form drops trailing fraction zeros, and the display scale with them. Exact: `rest` is
    // a safe integer divisible by 10, so is its quotient.
    while (scale > 0 && rest !== 0 && rest % 10 === 0) {
      rest /= 10;
      scale -= 1;
    }
    if (rest === 0) {
      this.reserve(12);
      const at = putInt32(this.buffer, this.offset, 8);
      this.offset = putInt64(this.buffer, at, 0); // ndigits 0, weight 0, positive, dscale 0
      return;
    }
    // Base-10000 digits from the lowest: the fraction is padded on the right to whole groups, so the
    // lowest group takes 4 − pad decimal digits of `rest`, scaled by 10^pad. `rest - low` is divisible,
    // so each division is exact (a plain floor(rest / 10^k) can round up near 2^53).
    const fractionGroups = Math.ceil(scale / 4);
    const pad = fractionGroups * 4 - scale;
    const digits = this.digits;
    const firstDivisor = pad === 0 ? 10_000 : POW10[(4 - pad) as 1 | 2 | 3];
    let low = rest % firstDivisor;
    digits[0] = low * POW10[pad as 0 | 1 | 2 | 3];
    rest = (rest - low) / firstDivisor;
    let count = 1;
    while (rest !== 0) {
      low = rest % 10_000;
      digits[count] = low;
      rest = (rest - low) / 10_000;
      count += 1;
    }
    let lowest = 0;
    while (digits[lowest] === 0) lowest += 1; // the top digit is not zero: the loop stops
    const ndigits = count - lowest;
    const weight = count - 1 - fractionGroups;
    this.reserve(12 + ndigits * 2);
    const buffer = this.buffer;
    let at = putInt32(buffer, this.offset, 8 + ndigits * 2);
    at = putInt16(buffer, at, ndigits);
    at = putInt16(buffer, at, weight);
    at = putInt16(buffer, at, negative ? NUMERIC_NEG : NUMERIC_POS);
    at = putInt16(buffer, at, scale);
    for (let d = count - 1; d >= lowest; d -= 1) at = putInt16(buffer, at, digits[d]!);
    this.offset = at;
  }

  /**
   * A double as numeric through `String(value)`, the shortest decimal that round-trips it (never through
   * float8); NaN and ±Infinity (not computed) as NULL.
   */
  numericFromDouble(value: number): void {
    if (Number.isFinite(value)) this.numeric(String(value));
    else this.null();
  }

  /**
   * The exponent form (rare: `String(double)` below 1e-6 or from 1e21): a decimal digit at power p
   * (× 10^p) lands in base-10000 digit floor(p / 4), scaled by 10^(p mod 4).
   */
  private groupsWithExponent(
    value: string,
    intStart: number,
    intEnd: number,
    fracStart: number,
    fracEnd: number,
    exponent: number,
  ): number {
    const intDigits = intEnd - intStart;
    const powerAt = (at: number): number =>
      (at < fracStart ? intDigits - 1 - (at - intStart) : -(at - fracStart + 1)) + exponent;
    const lastAt = fracEnd > fracStart ? fracEnd - 1 : intEnd - 1;
    const weight = Math.floor(powerAt(intStart) / 4);
    const count = weight - Math.floor(powerAt(lastAt) / 4) + 1;
    if (this.digits.length < count) this.digits = new Uint16Array(count * 2);
    const digits = this.digits;
    digits.fill(0, 0, count);
    for (let at = intStart; at < fracEnd; at += 1) {
      if (at === intEnd) at = fracStart;
      const power = powerAt(at);
      const group = Math.floor(power / 4);
      digits[weight - group]! +=
        (value.charCodeAt(at) - CHAR_0) * POW10[(power - group * 4) as 0 | 1 | 2 | 3];
    }
    this.groupWeight = weight;
    return count;
  }

  /** Bytes written so far (a position for `repeat`). */
  get length(): number {
    return this.offset;
  }

  /** Writes again the bytes written at [start, end): a field whose value repeats, without re-encoding it. */
  repeat(start: number, end: number): void {
    this.reserve(end - start);
    this.buffer.copyWithin(this.offset, start, end);
    this.offset += end - start;
  }

  /** The rows written so far; the writer must not be used afterwards. */
  finish(): Buffer {
    return this.buffer.subarray(0, this.offset);
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A canonical UUID string (8-4-4-4-12 hex digits, any case) as its 16-byte binary form. */
export function uuidBytes(value: string): Buffer {
  if (!UUID_RE.test(value)) throw new CopyValueError("22P02", `invalid uuid ${JSON.stringify(value)}`);
  return Buffer.from(value.replaceAll("-", ""), "hex");
}

// Byte-wise big-endian writers: cheaper than Buffer#write*BE (no argument checks) in this hot loop.
// Each returns the offset after what it wrote.

function putInt16(buffer: Buffer, at: number, value: number): number {
  buffer[at] = (value >> 8) & 0xff;
  buffer[at + 1] = value & 0xff;
  return at + 2;
}

function putInt32(buffer: Buffer, at: number, value: number): number {
  buffer[at] = (value >>> 24) & 0xff;
  buffer[at + 1] = (value >>> 16) & 0xff;
  buffer[at + 2] = (value >>> 8) & 0xff;
  buffer[at + 3] = value & 0xff;
  return at + 4;
}

/** An integer-valued double within ±2^63 as int64 (two's complement). */
function putInt64(buffer: Buffer, at: number, value: number): number {
  const high = Math.floor(value / TWO_32);
  putInt32(buffer, at, high | 0);
  return putInt32(buffer, at + 4, (value - high * TWO_32) >>> 0);
}

function isDigit(code: number): boolean {
  return code >= CHAR_0 && code <= CHAR_9;
}
