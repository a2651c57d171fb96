/**
 * Scaled-integer fast path for the hot path: a decimal string straight to an integer JS number of
 * `10^-scale` units (e.g. scale 8: `"23.757"` → 2375700000), and back to a canonical wire string.
 *
 * Why: book updates and edge computations run on every message; allocating a bigint-backed `Decimal` per
 * level would cost more than the rest of the computation. A JS number holds an integer exactly up to
 * 2^53 − 1, and integer addition, subtraction and comparison stay exact below that bound, so prices and sizes
 * held as integer units can be compared and summed without any rounding error.
 *
 * Exactness bound: `toScaledNumber` returns a value only when `|value × 10^scale| ≤ 2^53 − 1`
 * (`Number.MAX_SAFE_INTEGER`) and the text has no non-zero digit beyond `scale` decimals; it then equals
 * `value × 10^scale` exactly. At scale 8 that covers |value| ≤ 90 071 992.547 409 91, ample for HYPE prices
 * and sizes, but not for a USD notional in the hundreds of millions — choose the scale per quantity.
 * Products of two scaled numbers are NOT covered (2375700000² overflows 2^53); convert to `Decimal` for
 * multiplication that must be exact.
 *
 * `toScaledNumber` reports invalid or inexact input as `NaN` instead of throwing, so the caller can test one
 * value (`Number.isNaN`) in a tight loop; it allocates nothing. It accepts exactly the grammar of
 * `parseDecimal`.
 */

import type { WireDecimal } from "../wire/brands.js";
import { DecimalError } from "./decimal.js";

/** Largest scale for which `10^scale` is itself exact as a double. */
export const MAX_SCALED_NUMBER_SCALE = 22;

const POWERS_OF_TEN: readonly number[] = Array.from(
  { length: MAX_SCALED_NUMBER_SCALE + 1 },
  (_, i) => 10 ** i,
);

const CHAR_ZERO = 48;
const CHAR_NINE = 57;
const CHAR_MINUS = 45;
const CHAR_DOT = 46;

/**
 * `text × 10^scale` as an exact integer number, or `NaN` if the text is not a plain decimal, has non-zero
 * digits beyond `scale` decimals, or the result exceeds `Number.MAX_SAFE_INTEGER` in magnitude.
 */
export function toScaledNumber(text: string, scale: number): number {
  if (!(Number.isInteger(scale) && scale >= 0 && scale <= MAX_SCALED_NUMBER_SCALE)) return NaN;
  const length = text.length;
  let index = 0;
  let negative = false;
  if (length > 0 && text.charCodeAt(0) === CHAR_MINUS) {
    negative = true;
    index = 1;
  }
  if (index >= length) return NaN;

  // Every intermediate below is an integer no larger than the final result, so if the final result is at
  // most MAX_SAFE_INTEGER every step was exact; and once a step exceeds it, all later ones do (rounding is
  // monotonic), so one check at the end suffices.
  let units = 0;
  const first = text.charCodeAt(index);
  if (first === CHAR_ZERO) {
    index += 1; // a leading zero must stand alone: "0", "0.5", never "01"
  } else if (first > CHAR_ZERO && first <= CHAR_NINE) {
    for (; index < length; index++) {
      const code = text.charCodeAt(index);
      if (code < CHAR_ZERO || code > CHAR_NINE) break;
      units = units * 10 + (code - CHAR_ZERO);
    }
  } else {
    return NaN;
  }

  let fractionDigits = 0;
  if (index < length) {
    if (text.charCodeAt(index) !== CHAR_DOT) return NaN;
    index += 1;
    if (index >= length) return NaN; // "5." is not a plain decimal
    for (; index < length; index++) {
      const code = text.charCodeAt(index);
      if (code < CHAR_ZERO || code > CHAR_NINE) return NaN;
      if (fractionDigits < scale) {
        units = units * 10 + (code - CHAR_ZERO);
        fractionDigits += 1;
      } else if (code !== CHAR_ZERO) {
        return NaN; // a digit below the unit: not representable at this scale
      }
    }
  }

  units *= POWERS_OF_TEN[scale - fractionDigits] ?? NaN;
  if (!(units <= Number.MAX_SAFE_INTEGER)) return NaN;
  // `0 - units` rather than `-units`: "-0" must come out as +0.
  return negative ? 0 - units : units;
}

/**
 * The canonical wire string of `units × 10^-scale`. Throws a `DecimalError` when `units` is not a safe
 * integer (the caller's arithmetic already lost exactness) or the scale is out of range.
 */
export function fromScaledNumber(units: number, scale: number): WireDecimal {
  if (!Number.isSafeInteger(units)) {
    throw new DecimalError("inexact", String(units), "scaled value is not a safe integer");
  }
  if (!(Number.isInteger(scale) && scale >= 0 && scale <= MAX_SCALED_NUMBER_SCALE)) {
    throw new DecimalError("argument", String(scale), "scale out of range");
  }
  const negative = units < 0;
  // Safe integers print as plain digits (exponent notation starts at 1e21).
  const digits = String(negative ? -units : units);
  const sign = negative ? "-" : "";
  if (scale === 0) return (sign + digits) as WireDecimal;
  const padded = digits.length > scale ? digits : "0".repeat(scale - digits.length + 1) + digits;
  const pointAt = padded.length - scale;
  let end = padded.length;
  while (end > pointAt && padded.charCodeAt(end - 1) === CHAR_ZERO) end -= 1;
  if (end === pointAt) return (sign + padded.slice(0, pointAt)) as WireDecimal;
  return `${sign}${padded.slice(0, pointAt)}.${padded.slice(pointAt, end)}` as WireDecimal;
}
