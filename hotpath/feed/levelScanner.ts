/**
 * The inner loop of the book-frame scanner: the `[{"px":"…","sz":"…","n":…},…]` arrays of a frame, read
 * from its bytes straight into a `BookSide`, as plain functions over `(bytes, index)` with the index in a
 * local variable.
 *
 * Why not `ScanCursor` methods: a 20-level frame is 40 levels of three tokens each, and with one method call
 * per token (each reading and writing the cursor's `pos` field) V8 stopped inlining the decimal reader:
 * `node --cpu-prof` of the feed benchmark showed it as its own 11 % frame. Fused, the whole side is one
 * loop over locals; the decimal reader hands its end index back through one module variable instead of an
 * object, so nothing is allocated.
 *
 * The grammar and the rules are exactly those of the former cursor methods (`scanCursor.ts` keeps the header
 * tokens): a decimal is `0` or `[1-9][0-9]*` optionally followed by `.` and at least one digit, exact at the
 * leg's scale (non-zero digits below the unit fail), at most `MAX_SAFE_INTEGER` units; `n` is a JSON
 * non-negative integer without leading zeros. Reads past the end of the buffer yield `undefined`, which fails
 * every comparison, so a truncated frame fails where it was cut.
 */

import type { BookSide } from "../book/bookSide.js";
import { POWERS_OF_TEN } from "../book/scales.js";
import type { ScanDepth } from "./scanDepth.js";

const QUOTE = 34;
const COMMA = 44;
const DOT = 46;
const ZERO = 48;
const ONE = 49;
const NINE = 57;
const COLON = 58;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const LOWER_N = 110;
const LOWER_P = 112;
const LOWER_S = 115;
const LOWER_X = 120;
const LOWER_Z = 122;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

const POW10 = Float64Array.from(POWERS_OF_TEN);

/** Where the last successful `decimalAt` ended (just past the closing quote). */
let decimalEnd = 0;

/**
 * The decimal string body starting at `i` (just after its opening quote) through its closing quote, in
 * `10^-decimals` units; NaN when it is not such a decimal (see the module comment). Sets `decimalEnd`.
 */
function decimalAt(text: Buffer, i: number, decimals: number): number {
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
  decimalEnd = i + 1;
  // Each step above is exact while the value is safe, and rounding is monotonic, so one check suffices.
  units *= POW10[decimals - fractionDigits]!;
  return units <= Number.MAX_SAFE_INTEGER ? units : Number.NaN;
}

/**
 * One `{"px":"…","sz":"…","n":…}` at `i`, appended to `side` (which enforces the book rules: positive,
 * strictly worse than the previous level). Returns the index just past its `}`, or -1.
 */
export function scanLevelAt(
  text: Buffer,
  i: number,
  side: BookSide,
  priceDecimals: number,
  sizeDecimals: number,
): number {
  if (
    text[i] !== OPEN_BRACE ||
    text[i + 1] !== QUOTE ||
    text[i + 2] !== LOWER_P ||
    text[i + 3] !== LOWER_X ||
    text[i + 4] !== QUOTE ||
    text[i + 5] !== COLON ||
    text[i + 6] !== QUOTE
  ) {
    return -1;
  }
  const price = decimalAt(text, i + 7, priceDecimals);
  if (price !== price) return -1;
  i = decimalEnd;
  if (
    text[i] !== COMMA ||
    text[i + 1] !== QUOTE ||
    text[i + 2] !== LOWER_S ||
    text[i + 3] !== LOWER_Z ||
    text[i + 4] !== QUOTE ||
    text[i + 5] !== COLON ||
    text[i + 6] !== QUOTE
  ) {
    return -1;
  }
  const size = decimalAt(text, i + 7, sizeDecimals);
  if (size !== size) return -1;
  i = decimalEnd;
  if (
    text[i] !== COMMA ||
    text[i + 1] !== QUOTE ||
    text[i + 2] !== LOWER_N ||
    text[i + 3] !== QUOTE ||
    text[i + 4] !== COLON
  ) {
    return -1;
  }
  i += 5;
  let code = text[i]!;
  let orders = 0;
  if (code === ZERO) {
    code = text[++i]!;
  } else if (code >= ONE && code <= NINE) {
    do {
      orders = orders * 10 + (code - ZERO);
      code = text[++i]!;
    } while (code >= ZERO && code <= NINE);
  } else {
    return -1;
  }
  // `01` is not JSON, and a digit after `0` lands here; so do `.`/`e` (fractions, exponents).
  if (code !== CLOSE_BRACE) return -1;
  return side.append(price, size, orders) ? i + 1 : -1;
}

/** Where the last `scanSideAt` stopped parsing and resumed: `[skippedFrom, skippedTo)`, or −1 for both. */
let skippedFrom = -1;
let skippedTo = -1;

export function lastSkippedFrom(): number {
  return skippedFrom;
}

export function lastSkippedTo(): number {
  return skippedTo;
}

/**
 * `[level,…]` or `[]` at `i`, into `side` (cleared by the caller). Returns the index past `]`, or -1.
 *
 * With a finite `depth`, parsing stops after the first level at which the side holds `depth.lots` lots and
 * `depth.notional` (price units × lots) — or fills its capacity —, and the rest of the side, up to the next
 * `]` before `end`, is skipped unread (`lastSkippedFrom/To`): levels no decision reads are neither parsed nor
 * validated. Level objects hold no `]`, so on an exchange frame that `]` closes the side; on anything else
 * the header checks after it fail or the skipped bytes were never going to be read.
 */
export function scanSideAt(
  text: Buffer,
  i: number,
  end: number,
  side: BookSide,
  priceDecimals: number,
  sizeDecimals: number,
  depth: ScanDepth,
): number {
  skippedFrom = -1;
  skippedTo = -1;
  if (text[i] !== OPEN_BRACKET) return -1;
  i += 1;
  if (text[i] === CLOSE_BRACKET) return i + 1;
  const depthLots = depth.lots;
  const depthNotional = depth.notional;
  const limited = depthLots < Infinity || depthNotional < Infinity;
  let lots = 0;
  let notional = 0;
  for (;;) {
    i = scanLevelAt(text, i, side, priceDecimals, sizeDecimals);
    if (i < 0) return -1;
    const code = text[i];
    if (code === COMMA) {
      if (limited) {
        const stored = side.depth;
        const size = side.sizes[stored - 1]!;
        lots += size;
        notional += size * side.prices[stored - 1]!;
        if ((lots >= depthLots && notional >= depthNotional) || stored === side.capacity) {
          const close = text.indexOf(CLOSE_BRACKET, i);
          if (close < 0 || close >= end) return -1;
          skippedFrom = i;
          skippedTo = close;
          return close + 1;
        }
      }
      i += 1;
    } else {
      return code === CLOSE_BRACKET ? i + 1 : -1;
    }
  }
}
