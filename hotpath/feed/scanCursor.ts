/**
 * A read position in a frame's bytes and the few JSON tokens the book-frame scanner needs, read straight
 * from the bytes the socket delivered: no `Buffer → string` conversion, no substring, no intermediate
 * number or string.
 *
 * Every reader accepts a strict subset of what JSON.parse accepts and reports anything else as failure
 * (`-1`, `NaN`, `false`), so the scanner can fall back to the full decoder instead of guessing. Tokens are
 * ASCII, so a frame that is not ASCII (a UTF-8 sequence is bytes ≥ 0x80) can only fail them. Reads past the
 * end return `undefined`, which fails every comparison, so a truncated frame fails the token it was cut in
 * (the `!` on those reads only silences the type checker: `undefined` is the intended sentinel).
 */

import { POWERS_OF_TEN } from "../book/scales.js";

const QUOTE = 34;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const ONE = 49;
const NINE = 57;
const COLON = 58;
const OPEN_BRACE = 123;
const LOWER_N = 110;
const LOWER_P = 112;
const LOWER_S = 115;
const LOWER_X = 120;
const LOWER_Z = 122;

/** The bytes of an ASCII token, for `ScanCursor.take`. */
export function asciiToken(token: string): Uint8Array {
  if (!/^[\x20-\x7e]+$/.test(token))
    throw new RangeError(`token ${JSON.stringify(token)} is not printable ASCII`);
  return Buffer.from(token, "latin1");
}

const EMPTY = Buffer.alloc(0);

export class ScanCursor {
  /** A `Buffer` (not a plain `Uint8Array`), so the element loads below stay monomorphic. */
  text: Buffer = EMPTY;
  pos = 0;

  reset(text: Buffer): void {
    this.text = text;
    this.pos = 0;
  }

  atEnd(): boolean {
    return this.pos === this.text.length;
  }

  /** Consumes `token` if the bytes continue with it. */
  take(token: Uint8Array): boolean {
    const text = this.text;
    const p = this.pos;
    const length = token.length;
    for (let i = 0; i < length; i++) {
      if (text[p + i] !== token[i]) return false;
    }
    this.pos = p + length;
    return true;
  }

  /**
   * The level keys, checked with unrolled comparisons against constants: they occur three times per level,
   * and this was about twice as fast as a general token match (measured on Node 20, on strings).
   */
  /** `{"px":"` */
  takePriceKey(): boolean {
    const text = this.text;
    const p = this.pos;
    if (
      text[p] === OPEN_BRACE &&
      text[p + 1] === QUOTE &&
      text[p + 2] === LOWER_P &&
      text[p + 3] === LOWER_X &&
      text[p + 4] === QUOTE &&
      text[p + 5] === COLON &&
      text[p + 6] === QUOTE
    ) {
      this.pos = p + 7;
      return true;
    }
    return false;
  }

  /** `,"sz":"` */
  takeSizeKey(): boolean {
    const text = this.text;
    const p = this.pos;
    if (
      text[p] === COMMA &&
      text[p + 1] === QUOTE &&
      text[p + 2] === LOWER_S &&
      text[p + 3] === LOWER_Z &&
      text[p + 4] === QUOTE &&
      text[p + 5] === COLON &&
      text[p + 6] === QUOTE
    ) {
      this.pos = p + 7;
      return true;
    }
    return false;
  }

  /** `,"n":` */
  takeOrdersKey(): boolean {
    const text = this.text;
    const p = this.pos;
    if (
      text[p] === COMMA &&
      text[p + 1] === QUOTE &&
      text[p + 2] === LOWER_N &&
      text[p + 3] === QUOTE &&
      text[p + 4] === COLON
    ) {
      this.pos = p + 5;
      return true;
    }
    return false;
  }

  /** Consumes one character if it has the code `code`. */
  takeChar(code: number): boolean {
    if (this.text[this.pos] !== code) return false;
    this.pos += 1;
    return true;
  }

  /**
   * A JSON number that is a non-negative integer written as plain digits (`0` or no leading zero), at most
   * `MAX_SAFE_INTEGER`; `-1` otherwise. Stops before the first non-digit, so `1.5` or `1e3` leave `.`/`e`
   * for the caller's next token to reject.
   */
  uint(): number {
    const text = this.text;
    let i = this.pos;
    let code = text[i]!;
    let value = 0;
    if (code === ZERO) {
      i += 1;
      if (isDigit(text[i]!)) return -1; // "01" is not JSON
    } else if (code >= ONE && code <= NINE) {
      do {
        value = value * 10 + (code - ZERO);
        code = text[++i]!;
      } while (code >= ZERO && code <= NINE);
      // Each step is exact while the result is safe, and rounding is monotonic, so one check suffices.
      if (!(value <= Number.MAX_SAFE_INTEGER)) return -1;
    } else {
      return -1;
    }
    this.pos = i;
    return value;
  }

  /**
   * The rest of a JSON string, from just after its opening quote through its closing quote, holding a plain
   * non-negative decimal (`0`, `35`, `35.0`, `0.0015`), as an exact integer of `10^-decimals` units; `NaN`
   * when the text is not such a decimal, has a non-zero digit beyond `decimals`, or the result exceeds
   * `MAX_SAFE_INTEGER` (the same rules as `toScaledNumber`, without the sign). `decimals` ≤ 22.
   */
  scaledDecimal(decimals: number): number {
    const text = this.text;
    let i = this.pos;
    let code = text[i]!;
    let units = 0;
    if (code === ZERO) {
      code = text[++i]!;
    } else if (code >= ONE && code <= NINE) {
      do {
        units = units * 10 + (code - ZERO);
        code = text[++i]!;
      } while (code >= ZERO && code <= NINE);
    } else {
      return Number.NaN;
    }
    let fractionDigits = 0;
    if (code === DOT) {
      code = text[++i]!;
      if (!(code >= ZERO && code <= NINE)) return Number.NaN;
      do {
        if (fractionDigits < decimals) {
          units = units * 10 + (code - ZERO);
          fractionDigits += 1;
        } else if (code !== ZERO) {
          return Number.NaN; // a digit below the unit
        }
        code = text[++i]!;
      } while (code >= ZERO && code <= NINE);
    }
    if (code !== QUOTE) return Number.NaN;
    this.pos = i + 1;
    units *= POWERS_OF_TEN[decimals - fractionDigits]!;
    return units <= Number.MAX_SAFE_INTEGER ? units : Number.NaN;
  }

  /**
   * Skips the rest of a JSON string holding a decimal in the wire grammar (`-?(0|[1-9][0-9]*)(\.[0-9]+)?`,
   * what the decoder's `WireDecimal` accepts), through its closing quote; false if it is anything else.
   */
  skipWireDecimal(): boolean {
    const text = this.text;
    let i = this.pos;
    if (text[i] === MINUS) i += 1;
    let code = text[i]!;
    if (code === ZERO) {
      code = text[++i]!;
    } else if (code >= ONE && code <= NINE) {
      do code = text[++i]!;
      while (code >= ZERO && code <= NINE);
    } else {
      return false;
    }
    if (code === DOT) {
      code = text[++i]!;
      if (!(code >= ZERO && code <= NINE)) return false;
      do code = text[++i]!;
      while (code >= ZERO && code <= NINE);
    }
    if (code !== QUOTE) return false;
    this.pos = i + 1;
    return true;
  }
}

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE;
}
