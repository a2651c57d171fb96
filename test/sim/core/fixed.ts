/**
 * Exact fixed-point amounts for the simulator core: a `bigint` scaled by 1e8.
 *
 * Every value the exchange puts on the wire (prices, sizes, USDC and token amounts, fee and funding rates)
 * has at most 8 decimals, so one scale covers them all and sums stay exact. Products of two scaled values
 * (price × size, notional × rate) are divided back with an explicit rounding mode; the caller picks the
 * mode, because who the rounding favours is a business rule (see `ledger.ts`).
 *
 * This is deliberately a tiny local helper, independent of the project's decimal module (being written in
 * parallel): the simulator must not share arithmetic with the code it is used to test.
 */
import type { WireDecimal } from "../../../hotpath/exchange/wire/brands.js";

/** Number of decimals carried by every scaled amount. */
export const FX_DECIMALS = 8;
/** 1.0 in scaled units. */
export const FX_ONE = 100_000_000n;

export type Rounding = "floor" | "ceil" | "trunc" | "halfUp" | "halfEven";

export class FixedPointError extends Error {
  override readonly name = "FixedPointError";
}

const DECIMAL_RE = /^(-)?([0-9]+)(?:\.([0-9]+))?$/;

/**
 * Parses a plain decimal string (`"40"`, `"35.0"`, `"-0.00031499"`) into scaled units.
 * Trailing zeros beyond 8 decimals are accepted; any other digit beyond the 8th is an error, never rounded.
 */
export function parseFx(text: string): bigint {
  const match = DECIMAL_RE.exec(text);
  if (match === null) throw new FixedPointError(`not a plain decimal: ${JSON.stringify(text)}`);
  const negative = match[1] !== undefined;
  const integerPart = match[2] ?? "0";
  const fraction = (match[3] ?? "").replace(/0+$/, "");
  if (fraction.length > FX_DECIMALS) {
    throw new FixedPointError(`more than ${FX_DECIMALS} decimals: ${JSON.stringify(text)}`);
  }
  const scaled = BigInt(integerPart) * FX_ONE + BigInt(fraction.padEnd(FX_DECIMALS, "0"));
  return negative ? -scaled : scaled;
}

/** Canonical decimal string: no exponent, no trailing zeros, no trailing `.`, `"0"` for zero. */
export function formatFx(value: bigint): WireDecimal {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const integerPart = magnitude / FX_ONE;
  const fraction = (magnitude % FX_ONE).toString().padStart(FX_DECIMALS, "0").replace(/0+$/, "");
  const body = fraction.length > 0 ? `${integerPart}.${fraction}` : integerPart.toString();
  return (negative && magnitude !== 0n ? `-${body}` : body) as WireDecimal;
}

/** `numerator / denominator` rounded as asked (`halfUp` = half away from zero). */
export function divRound(numerator: bigint, denominator: bigint, mode: Rounding): bigint {
  if (denominator === 0n) throw new RangeError("division by zero");
  let n = numerator;
  let d = denominator;
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const awayFromZero = n < 0n ? q - 1n : q + 1n;
  switch (mode) {
    case "trunc":
      return q;
    case "floor":
      return n < 0n ? q - 1n : q;
    case "ceil":
      return n > 0n ? q + 1n : q;
    case "halfUp": {
      const twice = 2n * (r < 0n ? -r : r);
      return twice >= d ? awayFromZero : q;
    }
    case "halfEven": {
      const twice = 2n * (r < 0n ? -r : r);
      if (twice > d || (twice === d && (q & 1n) !== 0n)) return awayFromZero;
      return q;
    }
  }
}

/** Product of two scaled values, back at scale 1e8. */
export function mulFx(a: bigint, b: bigint, mode: Rounding): bigint {
  return divRound(a * b, FX_ONE, mode);
}

/** Quotient of two scaled values, at scale 1e8. */
export function divFx(a: bigint, b: bigint, mode: Rounding): bigint {
  return divRound(a * FX_ONE, b, mode);
}

/** Nearest scaled value to a float; only the stochastic model and statistics cross this boundary. */
export function fxFromNumber(value: number): bigint {
  if (!Number.isFinite(value)) throw new FixedPointError(`not a finite number: ${value}`);
  return BigInt(Math.round(value * 1e8));
}

/** Approximate float of a scaled value (for the model and reports, never for money). */
export function fxToNumber(value: bigint): number {
  return Number(value) / 1e8;
}

/** Scaled value of a whole number of units. */
export function fxInt(units: number | bigint): bigint {
  return BigInt(units) * FX_ONE;
}

export function absFx(value: bigint): bigint {
  return value < 0n ? -value : value;
}

export function minFx(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function maxFx(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

const POW10: bigint[] = [];
for (let i = 0n, p = 1n; i <= 40n; i++, p *= 10n) POW10.push(p);

/** 10^exponent as a bigint, exponent in [0, 40]. */
export function pow10(exponent: number): bigint {
  const value = POW10[exponent];
  if (value === undefined) throw new RangeError(`pow10 out of range: ${exponent}`);
  return value;
}
