/**
 * Test-only generators and independent oracles for the decimal module.
 *
 * The oracles deliberately do not reuse the code under test: arithmetic is checked against decimal.js at a
 * precision far above any operand (so its add/sub/mul are exact), and price validity is checked against the
 * rule text of PROTOCOL §8.1 by counting characters of the canonical string.
 */

import decimalJsModule from "decimal.js";
import type { Decimal as DecimalJsClass } from "decimal.js";
import fc from "fast-check";

import type { MarketKind } from "../../../hotpath/exchange/decimal/grid.js";

// decimal.js ships CommonJS typings but an ESM build whose only export is the default: at run time the
// default import is the class in both module systems, while NodeNext types it as the CommonJS module object.
const DecimalJs = decimalJsModule as unknown as typeof DecimalJsClass;

/** decimal.js with enough precision that no test operand is ever rounded, and no exponent in output. */
export const Big = DecimalJs.clone({
  precision: 1000,
  rounding: DecimalJs.ROUND_DOWN,
  toExpNeg: -9e15,
  toExpPos: 9e15,
});
export type Big = InstanceType<typeof Big>;

/** Settings shared by every property: reproducible, and well above the required 1,000 runs. */
export const PROPERTY_RUNS = { seed: 20_240_611, numRuns: 2_000 } as const;

/** Canonical text of `±coefficient × 10^-scale`, built by decimal.js (not by the formatter under test). */
export function canonicalText(coefficient: bigint, scale: number, negative: boolean): string {
  if (coefficient === 0n) return "0";
  return new Big(`${negative ? "-" : ""}${coefficient}e-${scale}`).toFixed();
}

/** A bigint with a uniformly chosen number of digits, so that small and large magnitudes both appear. */
export function coefficientArb(maxDigits: number, min = 0n): fc.Arbitrary<bigint> {
  return fc
    .integer({ min: 1, max: maxDigits })
    .chain((digits) => fc.bigInt({ min, max: 10n ** BigInt(digits) - 1n }))
    .filter((value) => value >= min);
}

/** Canonical decimal text, either sign, up to `maxDigits` digits and `maxScale` decimals. */
export function decimalTextArb(maxDigits = 30, maxScale = 20): fc.Arbitrary<string> {
  return fc
    .tuple(coefficientArb(maxDigits), fc.integer({ min: 0, max: maxScale }), fc.boolean())
    .map(([coefficient, scale, negative]) => canonicalText(coefficient, scale, negative));
}

/** The same value with trailing zeros added the way the exchange sometimes sends them (`"35.0"`). */
export function withTrailingZeros(text: string, zeros: number): string {
  if (zeros === 0) return text;
  return (text.includes(".") ? text : `${text}.`) + "0".repeat(zeros);
}

/** Positive price text over many decades, plus values hugging a power of ten where carries happen. */
export function priceTextArb(): fc.Arbitrary<string> {
  const general = fc
    .tuple(coefficientArb(12, 1n), fc.integer({ min: 0, max: 14 }))
    .map(([coefficient, scale]) => canonicalText(coefficient, scale, false));
  const nearPowerOfTen = fc
    .tuple(
      fc.integer({ min: -6, max: 7 }),
      fc.bigInt({ min: 1n, max: 999n }),
      fc.integer({ min: 4, max: 14 }),
      fc.boolean(),
    )
    .map(([exponent, offset, offsetScale, below]) => {
      const power = new Big(10).pow(exponent);
      const delta = new Big(`${offset}e-${offsetScale}`);
      return (below ? power.minus(delta) : power.plus(delta)).toFixed();
    })
    .filter((text) => new Big(text).gt(0));
  return fc.oneof(general, nearPowerOfTen);
}

export const marketArb: fc.Arbitrary<MarketKind> = fc.constantFrom("perp", "spot");
export const szDecimalsArb: fc.Arbitrary<number> = fc.integer({ min: 0, max: 8 });

/** Price validity straight from the rule text of PROTOCOL §8.1, on a canonical string. */
export function isValidPriceByRuleText(text: string, market: MarketKind, szDecimals: number): boolean {
  if (text.startsWith("-") || text === "0") return false;
  const point = text.indexOf(".");
  if (point === -1) return true; // integers are always valid
  const decimals = text.length - point - 1;
  const maxDecimals = Math.max(0, (market === "perp" ? 6 : 8) - szDecimals);
  const significantFigures = text.replace(".", "").replace(/^0+/, "").length;
  return decimals <= maxDecimals && significantFigures <= 5;
}

/**
 * The nearest valid price at or beyond `text` in `direction`, found without the notion of a tick: every
 * valid price has some number of decimals d ≤ maxDecimals, and the nearest one is among the roundings of the
 * input to d decimals that pass the rule-text check. `null` when no positive valid price exists that way.
 */
export function nearestValidPriceByRuleText(
  text: string,
  market: MarketKind,
  szDecimals: number,
  direction: "up" | "down",
): string | null {
  const value = new Big(text);
  const maxDecimals = Math.max(0, (market === "perp" ? 6 : 8) - szDecimals);
  let best: Big | null = null;
  for (let decimals = 0; decimals <= maxDecimals; decimals++) {
    const candidate = value.toDecimalPlaces(decimals, direction === "up" ? Big.ROUND_CEIL : Big.ROUND_FLOOR);
    if (!candidate.gt(0) || !isValidPriceByRuleText(candidate.toFixed(), market, szDecimals)) continue;
    if (best === null || (direction === "up" ? candidate.lt(best) : candidate.gt(best))) best = candidate;
  }
  return best === null ? null : best.toFixed();
}
