/**
 * Book scales: the documented HYPE scales, and the two claims the book relies on — every valid price of a
 * market converts exactly at its price scale, and price × lots is exact below the stated bound.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { legScales, marketScales } from "../../hotpath/book/scales.js";
import { fromScaledBigInt } from "../../hotpath/exchange/decimal/decimal.js";
import { roundPrice, type MarketKind } from "../../hotpath/exchange/decimal/grid.js";
import { toScaledNumber } from "../../hotpath/exchange/decimal/scaled.js";

describe("leg scales", () => {
  it("are perp 10^-4 / spot 10^-6 prices, 0.01 lots and 10^-6 / 10^-8 notionals for HYPE", () => {
    expect(legScales("perp", 2)).toMatchObject({
      priceDecimals: 4,
      sizeDecimals: 2,
      notionalDecimals: 6,
      priceScale: 10_000,
      sizeScale: 100,
      notionalScale: 1_000_000,
    });
    expect(legScales("spot", 2)).toMatchObject({ priceDecimals: 6, notionalDecimals: 8 });
  });

  it("state the exact notional bound: ≈ $9·10^9 perp, ≈ $9·10^7 spot", () => {
    expect(legScales("perp", 2).maxExactNotionalUsdc).toBe(Number.MAX_SAFE_INTEGER / 1e6);
    expect(legScales("perp", 2).maxExactNotionalUsdc).toBeCloseTo(9_007_199_254.74, 1);
    expect(legScales("spot", 2).maxExactNotionalUsdc).toBeCloseTo(90_071_992.5474, 3);
  });

  it("use integer prices when szDecimals reaches the decimal cap", () => {
    expect(legScales("perp", 6)).toMatchObject({ priceDecimals: 0, notionalDecimals: 6 });
  });
});

describe("market scales", () => {
  it("compare quantities at the finer lot", () => {
    expect(marketScales(2, 2)).toMatchObject({ qtyDecimals: 2, perpLotQty: 1, spotLotQty: 1 });
    expect(marketScales(3, 2)).toMatchObject({ qtyDecimals: 3, perpLotQty: 1, spotLotQty: 10 });
    expect(marketScales(0, 2)).toMatchObject({ qtyDecimals: 2, perpLotQty: 100, spotLotQty: 1 });
  });
});

describe("exactness", () => {
  const marketArb = fc.record({
    market: fc.constantFrom<MarketKind>("perp", "spot"),
    szDecimals: fc.integer({ min: 0, max: 5 }),
  });
  const rawPriceArb = fc
    .tuple(fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.integer({ min: 0, max: 10 }))
    .map(([units, scale]) => fromScaledBigInt(units, scale));

  it("every valid price below 2^53 price units converts exactly at its market's price scale", () => {
    fc.assert(
      fc.property(marketArb, rawPriceArb, fc.boolean(), ({ market, szDecimals }, raw, up) => {
        const spec = { market, szDecimals };
        let valid: string;
        try {
          valid = roundPrice(raw, spec, up ? "up" : "down");
        } catch {
          valid = roundPrice(raw, spec, "up"); // nothing valid below the smallest tick
        }
        const scales = legScales(market, szDecimals);
        const units = toScaledNumber(valid, scales.priceDecimals);
        // Integer prices are valid at any size; past 2^53 price units they are refused, never rounded.
        if (Number(valid) < 0.99 * (Number.MAX_SAFE_INTEGER / scales.priceScale)) {
          expect(Number.isSafeInteger(units), valid).toBe(true);
        } else if (Number(valid) > 1.01 * (Number.MAX_SAFE_INTEGER / scales.priceScale)) {
          expect(units, valid).toBeNaN();
        }
      }),
      { seed: 20_261_125, numRuns: 2_000 },
    );
  });

  it("price units × lots is exact while the product stays at most 2^53 − 1", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        (price, lots) => {
          const exact = BigInt(price) * BigInt(lots);
          fc.pre(exact <= BigInt(Number.MAX_SAFE_INTEGER));
          expect(BigInt(price * lots)).toBe(exact);
        },
      ),
      { seed: 20_261_126, numRuns: 2_000 },
    );
  });
});
