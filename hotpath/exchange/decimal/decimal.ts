/**
 * Exact decimal numbers for money: a bigint coefficient times 10^-scale.
 *
 * Why our own scaled bigints instead of binary floats or a library such as decimal.js:
 * - **Exact.** Prices, sizes, balances and fees are decimal on the exchange; a binary float cannot hold
 *   `0.1`, and a value that is off by one ulp formats to a different string and therefore a different
 *   signature hash or a rejected order. Addition, subtraction and multiplication here are exact; only
 *   `divide` and the explicit rounding functions round, and they take the rounding mode as an argument.
 * - **Dependency-free.** The whole thing is a few hundred lines over native `bigint`; there is no
 *   library configuration (global precision, rounding defaults) to get wrong.
 * - **Canonical formatting under our control.** The exchange hashes the strings we send (PROTOCOL §6.4):
 *   `"40"` and `"40.0"` sign differently. Values are kept normalised (no trailing zero in the coefficient
 *   once there is a fraction), so formatting is a plain digit split that can never produce an exponent, a
 *   trailing `.` or `-0`.
 * - **Fast enough off the hot path.** Each operation allocates a small object and a bigint or two, which is
 *   fine for order construction, balances and accounting. The book and edge computations on the hot path use
 *   the scaled-integer fast path in `scaled.ts` instead.
 *
 * Values are immutable (frozen) and every function is pure. The invariant "scale ≥ 0, and the coefficient
 * is not a multiple of ten when scale > 0" makes the representation unique, so `scale` is exactly the number
 * of decimals the value has and two equal values have equal fields.
 */

import type { WireDecimal } from "../wire/brands.js";
import { divideRounded, type Rounding } from "./rounding.js";

export type { Rounding } from "./rounding.js";

declare const decimalBrand: unique symbol;

/** An exact decimal: `coefficient × 10^-scale`. Build one with `parseDecimal` or `fromScaledBigInt`. */
export type Decimal = {
  readonly coefficient: bigint;
  /** Number of decimals; 0 for integers. */
  readonly scale: number;
} & { readonly [decimalBrand]: true };

export class DecimalError extends Error {
  override readonly name = "DecimalError";
  constructor(
    /**
     * `parse`: not a plain decimal; `divisionByZero`; `inexact`: does not fit the requested scale;
     * `argument`: a bad scale or digit count.
     */
    readonly kind: "parse" | "divisionByZero" | "inexact" | "argument",
    /** The offending input, as text, so the log line says what arrived. */
    readonly input: string,
    detail: string,
  ) {
    super(`${detail}: ${JSON.stringify(input)}`);
  }
}

// The grammar the exchange uses and `WireDecimal` accepts; no `+`, exponent, whitespace or bare `.`.
const DECIMAL_TEXT = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

const POWERS_OF_TEN: bigint[] = [];
for (let exponent = 0, power = 1n; exponent <= 40; exponent++, power *= 10n) POWERS_OF_TEN.push(power);

function powerOfTen(exponent: number): bigint {
  return POWERS_OF_TEN[exponent] ?? 10n ** BigInt(exponent);
}

function assertSmallInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value))
    throw new DecimalError("argument", String(value), `${what} must be an integer`);
}

/**
 * The value `units × 10^-scale`, normalised. A negative scale multiplies (`fromScaledBigInt(5n, -2)` is 500).
 */
export function fromScaledBigInt(units: bigint, scale: number): Decimal {
  assertSmallInteger(scale, "scale");
  if (scale < 0) return freeze(units * powerOfTen(-scale), 0);
  let coefficient = units;
  let normalisedScale = scale;
  while (normalisedScale > 0 && coefficient % 10n === 0n) {
    coefficient /= 10n;
    normalisedScale -= 1;
  }
  return freeze(coefficient, normalisedScale);
}

function freeze(coefficient: bigint, scale: number): Decimal {
  return Object.freeze({ coefficient, scale: coefficient === 0n ? 0 : scale }) as Decimal;
}

/**
 * `value × 10^scale` as a bigint, for fixed-point storage. Throws `inexact` rather than rounding silently
 * when the value has more decimals than `scale`; round first with `roundToDecimals` if that is intended.
 */
export function toScaledBigInt(value: Decimal, scale: number): bigint {
  assertSmallInteger(scale, "scale");
  if (value.scale > scale) {
    throw new DecimalError("inexact", formatDecimal(value), `has more than ${scale} decimals`);
  }
  return value.coefficient * powerOfTen(scale - value.scale);
}

/** Parses a plain decimal as the exchange sends it (`"35.0"`, `"0.00031499"`, `"-1.5"`). */
export function parseDecimal(text: string): Decimal {
  const match = DECIMAL_TEXT.exec(text);
  if (match === null) throw new DecimalError("parse", text, "not a plain decimal");
  const [, sign = "", integerDigits = "", fractionDigits = ""] = match;
  return fromScaledBigInt(BigInt(sign + integerDigits + fractionDigits), fractionDigits.length);
}

/** The canonical string: no exponent, no trailing zeros, no trailing `.`, zero as `"0"`. */
export function formatDecimal(value: Decimal): WireDecimal {
  const { coefficient, scale } = value;
  const negative = coefficient < 0n;
  const digits = (negative ? -coefficient : coefficient).toString();
  const sign = negative ? "-" : "";
  if (scale === 0) return (sign + digits) as WireDecimal;
  const padded = digits.length > scale ? digits : "0".repeat(scale - digits.length + 1) + digits;
  const pointAt = padded.length - scale;
  // Normalisation guarantees the last fraction digit is non-zero, so there is nothing to strip.
  return `${sign}${padded.slice(0, pointAt)}.${padded.slice(pointAt)}` as WireDecimal;
}

/** Both coefficients at the larger of the two scales, so that they compare and add digit for digit. */
function aligned(a: Decimal, b: Decimal): [bigint, bigint, number] {
  if (a.scale === b.scale) return [a.coefficient, b.coefficient, a.scale];
  if (a.scale > b.scale) return [a.coefficient, b.coefficient * powerOfTen(a.scale - b.scale), a.scale];
  return [a.coefficient * powerOfTen(b.scale - a.scale), b.coefficient, b.scale];
}

export function add(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = aligned(a, b);
  return fromScaledBigInt(x + y, scale);
}

export function sub(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = aligned(a, b);
  return fromScaledBigInt(x - y, scale);
}

export function mul(a: Decimal, b: Decimal): Decimal {
  return fromScaledBigInt(a.coefficient * b.coefficient, a.scale + b.scale);
}

export function neg(value: Decimal): Decimal {
  return freeze(-value.coefficient, value.scale);
}

export function abs(value: Decimal): Decimal {
  return value.coefficient < 0n ? neg(value) : value;
}

/** −1, 0 or 1 as `a` is below, equal to or above `b`. */
export function compare(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function eq(a: Decimal, b: Decimal): boolean {
  // The representation is unique, so equality is field equality.
  return a.coefficient === b.coefficient && a.scale === b.scale;
}

export function lt(a: Decimal, b: Decimal): boolean {
  return compare(a, b) < 0;
}

export function lte(a: Decimal, b: Decimal): boolean {
  return compare(a, b) <= 0;
}

export function gt(a: Decimal, b: Decimal): boolean {
  return compare(a, b) > 0;
}

export function gte(a: Decimal, b: Decimal): boolean {
  return compare(a, b) >= 0;
}

export function sign(value: Decimal): -1 | 0 | 1 {
  return value.coefficient < 0n ? -1 : value.coefficient > 0n ? 1 : 0;
}

export function isZero(value: Decimal): boolean {
  return value.coefficient === 0n;
}

export function isInteger(value: Decimal): boolean {
  return value.scale === 0;
}

/**
 * `dividend / divisor` rounded to `scale` decimals. Division is the one arithmetic operation that cannot be
 * exact in general, so the caller states both the precision and the direction.
 */
export function divide(dividend: Decimal, divisor: Decimal, scale: number, rounding: Rounding): Decimal {
  assertSmallInteger(scale, "scale");
  if (divisor.coefficient === 0n) {
    throw new DecimalError("divisionByZero", formatDecimal(dividend), "division by zero");
  }
  // dividend / divisor × 10^scale = (c₁ / c₂) × 10^(scale + s₂ − s₁); move the power of ten to whichever
  // side keeps it non-negative, and the sign to the numerator.
  const exponent = scale + divisor.scale - dividend.scale;
  let numerator = exponent >= 0 ? dividend.coefficient * powerOfTen(exponent) : dividend.coefficient;
  let denominator = exponent >= 0 ? divisor.coefficient : divisor.coefficient * powerOfTen(-exponent);
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  return fromScaledBigInt(divideRounded(numerator, denominator, rounding), scale);
}

/**
 * Rounds to `decimals` places after the point. A negative count rounds left of the point
 * (`-2` rounds to hundreds). Values that already fit are returned unchanged.
 */
export function roundToDecimals(value: Decimal, decimals: number, rounding: Rounding): Decimal {
  assertSmallInteger(decimals, "decimals");
  if (value.scale <= decimals) return value;
  const rounded = divideRounded(value.coefficient, powerOfTen(value.scale - decimals), rounding);
  return fromScaledBigInt(rounded, decimals);
}

/**
 * Rounds to `figures` significant figures, counted from the first non-zero digit. A carry into the next
 * power of ten is exact (`99.9995` to 5 figures up is `100`). Zero stays zero.
 */
export function roundToSignificantFigures(value: Decimal, figures: number, rounding: Rounding): Decimal {
  assertSmallInteger(figures, "figures");
  if (figures < 1) throw new DecimalError("argument", String(figures), "significant figures must be ≥ 1");
  if (value.coefficient === 0n) return value;
  return roundToDecimals(value, figures - 1 - leadingDigitExponent(value), rounding);
}

/** The power of ten of the first non-zero digit (`123.4` → 2, `0.0123` → −2); zero has none. */
export function leadingDigitExponent(value: Decimal): number {
  if (value.coefficient === 0n) throw new DecimalError("argument", "0", "zero has no leading digit");
  const magnitude = value.coefficient < 0n ? -value.coefficient : value.coefficient;
  return magnitude.toString().length - 1 - value.scale;
}
