/**
 * The set-up conversions into the edge's integer units (fee rates, risk limits, clip, config) and the small
 * exact helpers (floor division, walks, hedge sizing).
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { BookSide } from "../../hotpath/book/bookSide.js";
import { marketScales } from "../../hotpath/book/scales.js";
import { ConfigSchema } from "../../hotpath/config/index.js";
import { BookWalk, UNCAPPED, walkSide, walkWithTail } from "../../hotpath/edge/bookWalk.js";
import { clipQtyOf, edgeParamsFromConfig } from "../../hotpath/edge/edgeParams.js";
import { EdgeInputError } from "../../hotpath/edge/errors.js";
import { floorDiv } from "../../hotpath/edge/exactDivision.js";
import { feeRatesFromBps, feeRatesFromUserFees } from "../../hotpath/edge/feeRates.js";
import { sizePerpHedge, type HedgeSize } from "../../hotpath/edge/hedgeSizing.js";
import { NO_RISK_CAP, riskCapFromDecimals } from "../../hotpath/edge/riskCap.js";
import { asWireDecimal } from "../../hotpath/exchange/wire/brands.js";
import type { UserFees } from "../../hotpath/exchange/wire/info.js";

const HYPE = marketScales(2, 2);

function inputError(run: () => unknown): EdgeInputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EdgeInputError);
    return error as EdgeInputError;
  }
  throw new Error("expected an EdgeInputError");
}

describe("fee rates", () => {
  it("convert the config's bps to 10^-8 units", () => {
    expect(
      feeRatesFromBps({ perpTaker: "4.5", perpMaker: "1.5", spotTaker: "7", spotMaker: "-0.2" }),
    ).toEqual({
      perpTaker: 45_000,
      perpMaker: 15_000,
      spotTaker: 70_000,
      spotMaker: -2_000,
    });
  });

  it("read userFees, rounding a rate finer than 10^-8 up", () => {
    const fees: UserFees = {
      userCrossRate: asWireDecimal("0.000405"),
      userAddRate: asWireDecimal("0.000135"),
      userSpotCrossRate: asWireDecimal("0.000630000001"),
      userSpotAddRate: asWireDecimal("0"),
      activeReferralDiscount: asWireDecimal("0"),
      activeStakingDiscount: { bpsOfMaxSupply: asWireDecimal("0"), discount: asWireDecimal("0.1") },
    };
    expect(feeRatesFromUserFees(fees)).toEqual({
      perpTaker: 40_500,
      perpMaker: 13_500,
      spotTaker: 63_001,
      spotMaker: 0,
    });
  });

  it("refuse what is not a rate", () => {
    expect(
      inputError(() => feeRatesFromBps({ perpTaker: "x", perpMaker: "0", spotTaker: "0", spotMaker: "0" }))
        .kind,
    ).toBe("decimal");
    expect(
      inputError(() => feeRatesFromBps({ perpTaker: "-1", perpMaker: "0", spotTaker: "0", spotMaker: "0" }))
        .kind,
    ).toBe("range");
    expect(
      inputError(() =>
        feeRatesFromBps({ perpTaker: "10000", perpMaker: "0", spotTaker: "0", spotMaker: "0" }),
      ).input,
    ).toBe("strategy.feeFallbackBps.perpTaker");
  });
});

describe("risk cap", () => {
  it("converts decimals to units, rounding every limit down", () => {
    expect(
      riskCapFromDecimals(
        {
          maxClip: "5.009",
          notionalHeadroomUsdc: "1000.0000009",
          spotQuoteAvailableUsdc: "-3",
          spotBaseAvailable: null,
        },
        HYPE,
      ),
    ).toEqual({
      maxQty: 500,
      notionalHeadroomMicroUsdc: 1_000_000_000,
      spotQuoteAvailableMicroUsdc: 0,
      spotBaseAvailableQty: Number.POSITIVE_INFINITY,
    });
  });

  it("refuses text that is not a decimal and values past the exact range", () => {
    const none = {
      maxClip: null,
      notionalHeadroomUsdc: null,
      spotQuoteAvailableUsdc: null,
      spotBaseAvailable: null,
    };
    expect(inputError(() => riskCapFromDecimals({ ...none, maxClip: "1e3" }, HYPE)).kind).toBe("decimal");
    expect(
      inputError(() => riskCapFromDecimals({ ...none, notionalHeadroomUsdc: "1" + "0".repeat(12) }, HYPE))
        .kind,
    ).toBe("range");
  });
});

describe("clip and config", () => {
  it("truncates the clip to the coarser lot", () => {
    expect(clipQtyOf("1", HYPE)).toBe(100);
    expect(clipQtyOf("1.239", HYPE)).toBe(123);
    expect(clipQtyOf("1.239", marketScales(3, 2))).toBe(1_230);
    expect(inputError(() => clipQtyOf("0.009", HYPE)).kind).toBe("size");
    expect(inputError(() => clipQtyOf("-1", HYPE)).kind).toBe("size");
  });

  it("builds parameters from the default config", () => {
    const config = ConfigSchema.parse({});
    const params = edgeParamsFromConfig(config.strategy, HYPE, {
      fees: null,
      fundingRatePerHour: 0.0000125,
      oraclePx: Number.NaN,
      riskCap: NO_RISK_CAP,
    });
    expect(params).toMatchObject({
      clipQty: 100,
      fees: { perpTaker: 45_000, spotTaker: 70_000 },
      holdingHours: 8,
      fundingRatePerHour: 0.0000125,
    });
    expect(Object.isFrozen(params)).toBe(true);
  });
});

describe("exact helpers", () => {
  it("floorDiv is the exact floor quotient", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 52n }), fc.bigInt({ min: 1n, max: 2n ** 40n }), (a, b) => {
        expect(BigInt(floorDiv(Number(a), Number(b)))).toBe(a / b);
      }),
      { seed: 20_261_130, numRuns: 5_000 },
    );
    expect(floorDiv(2 ** 52 - 1, 3)).toBe(Math.floor((2 ** 52 - 1) / 3));
  });

  it("hedge sizing: the recorded 0.5 HYPE buy at 6.3 bps", () => {
    const out: HedgeSize = { perpLots: -1, dustUnits: -1 };
    // Net 0.4996850000 HYPE (at 10^-10): 0.49 hedged, 0.009685 left.
    expect(sizePerpHedge(50, 63_000, HYPE, out)).toBe(true);
    expect(out).toEqual({ perpLots: 49, dustUnits: 96_850_000 });
    // A perp lot ten times the spot lot: 0.4996850 → 0.4 on a 0.1 lot.
    expect(sizePerpHedge(50, 63_000, marketScales(1, 2), out)).toBe(true);
    expect(out).toEqual({ perpLots: 4, dustUnits: 996_850_000 });
    expect(sizePerpHedge(2 ** 40, 0, HYPE, out)).toBe(false);
  });

  it("walks stop at the size cap, the notional cap, or the end of the side", () => {
    const asks = new BookSide(false);
    asks.append(100, 5, 1);
    asks.append(110, 5, 1);
    const walk = new BookWalk();
    expect(walkSide(asks, walk.limit(7, UNCAPPED))).toMatchObject({ lots: 7, notional: 720, lastPrice: 110 });
    expect(walkSide(asks, walk.limit(10, 829))).toMatchObject({ lots: 7, notional: 720 });
    expect(walkSide(asks, walk.limit(10, 830))).toMatchObject({ lots: 8, notional: 830 });
    expect(walkSide(asks, walk.limit(99, UNCAPPED))).toMatchObject({ lots: 10, notional: 1050 });
    expect(walkSide(asks, walk.limit(0, UNCAPPED))).toMatchObject({ lots: 0, notional: 0 });
    expect(walkWithTail(asks, 12, walk)).toBe(false);
    expect(walk).toMatchObject({ lots: 12, notional: 1270 });
    expect(walkWithTail(asks, 3, walk)).toBe(true);
  });

  it("walks report overflow past 2^53 notional units", () => {
    const bids = new BookSide(true);
    bids.append(2 ** 40, 2 ** 20, 1);
    const walk = walkSide(bids, new BookWalk().limit(2 ** 20, UNCAPPED));
    expect(walk.overflow).toBe(true);
  });
});
