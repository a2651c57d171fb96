/**
 * Property tests of the price/size grid against the rule text of PROTOCOL §8.1 (see `oracles.ts`) and
 * against NK's `formatPrice` / `formatSize` as an external implementation.
 *
 * Documented differences from NK (both produce prices the exchange accepts):
 * - a non-integer price ≥ 100 000: NK truncates to 5 significant figures (`123456.7` → `123450`), we go to
 *   the nearest integer below (`123456`), since integers are always valid;
 * - a size below one lot: NK throws, `truncateSize` returns `"0"` (the order builder refuses it).
 */

import { formatPrice, formatSize } from "@nktkas/hyperliquid/utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  add,
  compare,
  formatDecimal,
  fromScaledBigInt,
  parseDecimal,
  sub,
} from "../../../hotpath/exchange/decimal/decimal.js";
import {
  type GridSpec,
  GridError,
  isValidPrice,
  isValidSize,
  limitPrice,
  maxPriceDecimals,
  meetsMinNotional,
  minSizeFor,
  roundPrice,
  tickAt,
  truncateSize,
} from "../../../hotpath/exchange/decimal/grid.js";
import {
  Big,
  coefficientArb,
  canonicalText,
  isValidPriceByRuleText,
  marketArb,
  nearestValidPriceByRuleText,
  priceTextArb,
  PROPERTY_RUNS,
  szDecimalsArb,
} from "./oracles.js";

const specArb: fc.Arbitrary<GridSpec> = fc.record({ market: marketArb, szDecimals: szDecimalsArb });
const directionArb = fc.constantFrom("up" as const, "down" as const);

/** Non-negative size text: up to 12 digits and 12 decimals. */
const sizeTextArb = fc
  .tuple(coefficientArb(12), fc.integer({ min: 0, max: 12 }))
  .map(([coefficient, scale]) => canonicalText(coefficient, scale, false));

function outcome<T>(run: () => T): { value: T } | { error: unknown } {
  try {
    return { value: run() };
  } catch (error) {
    return { error };
  }
}

describe("roundPrice", () => {
  it("lands on the nearest valid price in the requested direction (or throws if there is none)", () => {
    fc.assert(
      fc.property(priceTextArb(), specArb, directionArb, (px, spec, direction) => {
        const expected = nearestValidPriceByRuleText(px, spec.market, spec.szDecimals, direction);
        const result = outcome(() => roundPrice(parseDecimal(px), spec, direction));
        if (expected === null) {
          expect("error" in result && result.error instanceof GridError).toBe(true);
          return;
        }
        expect(result).toEqual({ value: expected });
      }),
      PROPERTY_RUNS,
    );
  });

  it("returns a valid price on the requested side of the input", () => {
    fc.assert(
      fc.property(priceTextArb(), specArb, directionArb, (px, spec, direction) => {
        const input = parseDecimal(px);
        const result = outcome(() => roundPrice(input, spec, direction));
        if ("error" in result) return; // covered by the previous property
        const rounded = parseDecimal(result.value);
        expect(isValidPriceByRuleText(result.value, spec.market, spec.szDecimals)).toBe(true);
        expect(isValidPrice(rounded, spec)).toBe(true);
        expect(compare(rounded, input)).not.toBe(direction === "up" ? -1 : 1);
        // A valid input is kept unchanged.
        if (isValidPrice(input, spec)) expect(result.value).toBe(px);
      }),
      PROPERTY_RUNS,
    );
  });

  it("isValidPrice agrees with the rule text", () => {
    fc.assert(
      fc.property(priceTextArb(), specArb, (px, spec) => {
        expect(isValidPrice(parseDecimal(px), spec)).toBe(
          isValidPriceByRuleText(px, spec.market, spec.szDecimals),
        );
      }),
      PROPERTY_RUNS,
    );
  });

  it("tickAt is the distance from a valid price to the next one up", () => {
    fc.assert(
      fc.property(priceTextArb(), specArb, directionArb, (px, spec, direction) => {
        const onGrid = outcome(() => parseDecimal(roundPrice(parseDecimal(px), spec, direction)));
        if ("error" in onGrid) return;
        // Nudge by less than any tick (prices never have more than maxPriceDecimals decimals).
        const nudged = add(onGrid.value, fromScaledBigInt(1n, maxPriceDecimals(spec) + 1));
        const next = parseDecimal(roundPrice(nudged, spec, "up"));
        expect(formatDecimal(sub(next, onGrid.value))).toBe(formatDecimal(tickAt(onGrid.value, spec)));
      }),
      PROPERTY_RUNS,
    );
  });

  it("agrees with NK's formatPrice (truncation) below 100 000 and on integers", () => {
    fc.assert(
      fc.property(priceTextArb(), specArb, (px, spec) => {
        const ours = outcome(() => roundPrice(parseDecimal(px), spec, "down"));
        const theirs = outcome(() => formatPrice(px, spec.szDecimals, spec.market));
        const value = new Big(px);
        if (value.lt(100_000) || value.isInteger()) {
          if ("error" in ours) {
            expect(ours.error).toBeInstanceOf(GridError);
            expect("error" in theirs && theirs.error instanceof RangeError).toBe(true);
          } else {
            expect(theirs).toEqual(ours);
          }
          return;
        }
        // Documented difference: NK's 5-significant-figure truncation is valid but not the nearest.
        if (!("value" in ours && "value" in theirs)) throw new Error("both must succeed above 100 000");
        expect(isValidPriceByRuleText(theirs.value, spec.market, spec.szDecimals)).toBe(true);
        expect(new Big(theirs.value).lte(ours.value)).toBe(true);
      }),
      PROPERTY_RUNS,
    );
  });
});

describe("limitPrice", () => {
  it("never crosses the intended limit in the direction that matters for the order", () => {
    fc.assert(
      fc.property(
        priceTextArb(),
        specArb,
        fc.constantFrom("buy" as const, "sell" as const),
        fc.constantFrom("aggressive" as const, "passive" as const),
        (px, spec, side, style) => {
          const intended = parseDecimal(px);
          const result = outcome(() => limitPrice(intended, side, style, spec));
          if ("error" in result) {
            // Only a downward rounding below the smallest tick can fail.
            expect(result.error).toBeInstanceOf(GridError);
            expect((side === "buy") === (style === "aggressive")).toBe(false);
            return;
          }
          const limit = parseDecimal(result.value);
          expect(isValidPrice(limit, spec)).toBe(true);
          const order = compare(limit, intended);
          if (side === "buy" && style === "aggressive") expect(order).toBeGreaterThanOrEqual(0);
          if (side === "sell" && style === "aggressive") expect(order).toBeLessThanOrEqual(0);
          if (side === "buy" && style === "passive") expect(order).toBeLessThanOrEqual(0);
          if (side === "sell" && style === "passive") expect(order).toBeGreaterThanOrEqual(0);
        },
      ),
      PROPERTY_RUNS,
    );
  });
});

describe("sizes", () => {
  it("truncateSize is at most the input, on the lot, and less than one lot below it", () => {
    fc.assert(
      fc.property(sizeTextArb, szDecimalsArb, (sz, szDecimals) => {
        const input = parseDecimal(sz);
        const truncated = parseDecimal(truncateSize(input, szDecimals));
        expect(compare(truncated, input)).toBeLessThanOrEqual(0);
        expect(isValidSize(truncated, szDecimals)).toBe(true);
        expect(compare(sub(input, truncated), fromScaledBigInt(1n, szDecimals))).toBe(-1);
      }),
      PROPERTY_RUNS,
    );
  });

  it("truncateSize agrees with NK's formatSize (which throws instead of returning 0)", () => {
    fc.assert(
      fc.property(sizeTextArb, szDecimalsArb, (sz, szDecimals) => {
        const ours = truncateSize(parseDecimal(sz), szDecimals);
        const theirs = outcome(() => formatSize(sz, szDecimals));
        if (ours === "0") expect("error" in theirs && theirs.error instanceof RangeError).toBe(true);
        else expect(theirs).toEqual({ value: ours });
      }),
      PROPERTY_RUNS,
    );
  });

  it("minSizeFor is the smallest lot that meets the minimum notional", () => {
    fc.assert(
      fc.property(
        priceTextArb(),
        szDecimalsArb,
        fc.tuple(coefficientArb(6, 1n), fc.integer({ min: 0, max: 4 })),
        (px, szDecimals, [minUnits, minScale]) => {
          const price = parseDecimal(px);
          const minimum = fromScaledBigInt(minUnits, minScale);
          const size = parseDecimal(minSizeFor(price, szDecimals, minimum));
          const lot = fromScaledBigInt(1n, szDecimals);
          expect(isValidSize(size, szDecimals)).toBe(true);
          expect(meetsMinNotional(price, size, minimum)).toBe(true);
          expect(meetsMinNotional(price, sub(size, lot), minimum)).toBe(false);
        },
      ),
      PROPERTY_RUNS,
    );
  });
});
