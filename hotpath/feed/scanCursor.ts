/**
 * A read position in a frame's bytes and the few JSON tokens the book-frame scanner needs, read straight
 * from the bytes the socket delivered: no `Buffer → string` conversion, no substring, no intermediate
 * number or string.
 *
 * Every reader accepts a strict subset of what JSON.parse accepts and reports anything else as failure
 * (`-1`, `NaN`, `false`), so the scanner can fall back to the full decoder instead of guessing. Tokens are
 * ASCII, so a frame that is not ASCII (a UTF-8 sequence is bytes ≥ 0x80) can only fail them. A frame ends
 * at `end`, and the byte there continues no token: it is past the buffer (reads return `undefined`) or a
 * sentinel the transport wrote (`wsConnection.ts`), so every reader, reading sequentially, fails at the end
 * of a truncated frame (the `!` on those reads only silences the type checker). The level arrays are read
 * by `levelScanner.ts` under the same rule.
 */

const QUOTE = 34;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const ONE = 49;
const NINE = 57;

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
  /** Where the frame ends in `text`: `text[end]` is past the buffer or a byte that continues no token. */
  end = 0;

  reset(text: Buffer, start = 0, end = text.length): void {
    this.text = text;
    this.pos = start;
    this.end = end;
  }

  atEnd(): boolean {
    return this.pos === this.end;
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
