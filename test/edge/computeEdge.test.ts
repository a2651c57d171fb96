/**
 * Worked examples of the edge computation, checked by hand, and each status and clip limit.
 */

import { describe, expect, it } from "vitest";

import { computeEdge } from "../../hotpath/edge/computeEdge.js";
import type { EdgeParams } from "../../hotpath/edge/edgeParams.js";
import { EdgeScratch } from "../../hotpath/edge/edgeScratch.js";
import { feeRatesFromBps } from "../../hotpath/edge/feeRates.js";
import { NO_RISK_CAP, type EdgeRiskCap } from "../../hotpath/edge/riskCap.js";
import type { EdgeDirection } from "../../hotpath/edge/direction.js";
import { hypeBooks, l2BookMessage, type LevelText } from "../book/bookMessages.js";

const BASE_FEES = feeRatesFromBps({ perpTaker: "4.5", perpMaker: "1.5", spotTaker: "7", spotMaker: "4" });

const PERP: [LevelText[], LevelText[]] = [
  [
    ["40.12", "1.5"],
    ["40.1", "3"],
  ],
  [
    ["40.13", "2"],
    ["40.2", "5"],
  ],
];
const SPOT: [LevelText[], LevelText[]] = [
  [
    ["40", "1.5"],
    ["39.99", "3"],
  ],
  [
    ["40.01", "0.5"],
    ["40.02", "5"],
  ],
];

function params(change: Partial<EdgeParams> = {}): EdgeParams {
  return {
    clipQty: 200,
    fees: BASE_FEES,
    fundingRatePerHour: 0.0000125,
    holdingHours: 8,
    oraclePx: Number.NaN,
    riskCap: NO_RISK_CAP,
    ...change,
  };
}

function run(
  direction: EdgeDirection,
  change: Partial<EdgeParams> = {},
  perp: [LevelText[], LevelText[]] = PERP,
  spot: [LevelText[], LevelText[]] = SPOT,
): EdgeScratch {
  const books = hypeBooks();
  books.applyMessage(l2BookMessage("HYPE", 1, perp[0], perp[1]), 1);
  books.applyMessage(l2BookMessage("@107", 1, spot[0], spot[1]), 1);
  const out = new EdgeScratch(direction);
  computeEdge(books.perp, books.spot, books.scales, params(change), direction, out);
  return out;
}

function cap(change: Partial<EdgeRiskCap>): EdgeRiskCap {
  return { ...NO_RISK_CAP, ...change };
}

describe("perpRich, 2 HYPE clip, base fees", () => {
  const edge = run("perpRich");

  it("buys 2 spot across two ask levels and hedges the net 1.9986 HYPE as 1.99 on the perp", () => {
    expect(edge.status).toBe("ok");
    expect(edge.spotLots).toBe(200);
    expect(edge.spotNotional).toBe(8_003_500_000); // 0.5 × 40.01 + 1.5 × 40.02 = 80.035 USDC at 10^-8
    expect(edge.perpLots).toBe(199);
    expect(edge.perpNotional).toBe(79_829_000); // 1.5 × 40.12 + 0.49 × 40.1 = 79.829 USDC at 10^-6
    expect(edge.dustUnits).toBe(86_000_000); // 0.0086 HYPE at 10^-10
    expect(edge.spotVwap).toBeCloseTo(40.0175, 12);
    expect(edge.perpVwap).toBeCloseTo(79.829 / 1.99, 12);
  });

  it("has gross, fees, exit and funding as documented", () => {
    const reference = 1.99 * 40.0175; // hedged quantity × entry buy VWAP
    expect(edge.grossBps).toBeCloseTo(((79.829 / 1.99 - 40.0175) / 40.0175) * 1e4, 9);
    expect(edge.entryFeeBps).toBeCloseTo(((0.00045 * 79.829 + 0.0007 * 80.035) / reference) * 1e4, 9);
    // Exit: buy 1.99 perp at 40.13 (mid 40.125), sell 1.99 spot: 1.5 at 40 + 0.49 at 39.99 (mid 40.005).
    const exitPerp = 1.99 * 40.13;
    const exitSpot = 1.5 * 40 + 0.49 * 39.99;
    expect(edge.exitFeeBps).toBeCloseTo(((0.00045 * exitPerp + 0.0007 * exitSpot) / reference) * 1e4, 9);
    expect(edge.exitCrossingBps).toBeCloseTo(
      ((exitPerp - 1.99 * 40.125 + (1.99 * 40.005 - exitSpot)) / reference) * 1e4,
      9,
    );
    expect(edge.fundingBps).toBeCloseTo(((0.0000125 * 8 * 1.99 * 40.005) / reference) * 1e4, 9);
    expect(edge.netBps).toBeCloseTo(
      edge.grossBps - edge.entryFeeBps - edge.exitFeeBps - edge.exitCrossingBps + edge.fundingBps,
      12,
    );
    expect(edge.exitDepthShort).toBe(false);
  });
});

describe("spotRich", () => {
  it("trades the same quantity on both legs and pays funding when it is positive", () => {
    const edge = run("spotRich");
    expect([edge.perpLots, edge.spotLots, edge.dustUnits]).toEqual([200, 200, 0]);
    expect(edge.perpVwap).toBeCloseTo(40.13, 12);
    expect(edge.spotVwap).toBeCloseTo((1.5 * 40 + 0.5 * 39.99) / 2, 12);
    expect(edge.grossBps).toBeLessThan(0);
    expect(edge.fundingBps).toBeLessThan(0);
    expect(edge.fundingBps).toBeCloseTo(-((0.0000125 * 8 * 2 * 40.005) / (2 * 40.13)) * 1e4, 9);
  });

  it("uses the oracle price for funding when one is given", () => {
    const edge = run("spotRich", { oraclePx: 41 });
    expect(edge.fundingPx).toBe(41);
    expect(edge.fundingBps).toBeCloseTo(-((0.0000125 * 8 * 2 * 41) / (2 * 40.13)) * 1e4, 9);
  });
});

describe("the spot-buy fee in HYPE (PROTOCOL §9.2)", () => {
  it("buying 0.5 HYPE at 6.3 bps hedges 0.49 and leaves 0.009685 HYPE", () => {
    const fees = { ...BASE_FEES, spotTaker: 63_000 };
    const edge = run("perpRich", { clipQty: 50, fees });
    expect([edge.spotLots, edge.perpLots, edge.dustUnits]).toEqual([50, 49, 96_850_000]);
  });

  it("cannot hedge a one-lot buy: noSize", () => {
    const edge = run("perpRich", { clipQty: 1 });
    expect(edge.status).toBe("noSize");
    expect([edge.spotLots, edge.perpLots]).toEqual([1, 0]);
  });

  it("hedges 1:1 at a zero spot fee", () => {
    const edge = run("perpRich", { fees: { ...BASE_FEES, spotTaker: 0 } });
    expect([edge.spotLots, edge.perpLots, edge.dustUnits]).toEqual([200, 200, 0]);
  });
});

describe("clip limits", () => {
  it.each<[string, EdgeDirection, Partial<EdgeParams>, string, number]>([
    ["the clip", "perpRich", {}, "clip", 200],
    ["the risk max quantity", "perpRich", { riskCap: cap({ maxQty: 120 }) }, "riskMaxQty", 120],
    // 60 USDC of headroom buys 1.49 perp at 40.13 (59.7937); the spot sell of 1.5 at 40 would fit.
    [
      "the notional headroom",
      "spotRich",
      { riskCap: cap({ notionalHeadroomMicroUsdc: 60_000_000 }) },
      "notionalHeadroom",
      149,
    ],
    // 40 USDC buys 0.5 at 40.01 and 0.49 at 40.02.
    [
      "the USDC balance",
      "perpRich",
      { riskCap: cap({ spotQuoteAvailableMicroUsdc: 40_000_000 }) },
      "spotBalance",
      99,
    ],
    ["the HYPE balance", "spotRich", { riskCap: cap({ spotBaseAvailableQty: 77 }) }, "spotBalance", 77],
    ["the book depth", "perpRich", { clipQty: 10_000 }, "bookDepth", 450],
  ])("%s", (_name, direction, change, limit, entryQty) => {
    const edge = run(direction, change);
    expect(edge.clipLimit).toBe(limit);
    expect(edge.entryQty).toBe(entryQty);
  });

  it("a zero limit leaves nothing to trade", () => {
    expect(run("spotRich", { riskCap: cap({ spotBaseAvailableQty: 0 }) }).status).toBe("noSize");
    expect(run("perpRich", { riskCap: cap({ notionalHeadroomMicroUsdc: 0 }) }).status).toBe("noSize");
  });
});

describe("statuses", () => {
  it("needs both sides of both legs", () => {
    expect(run("perpRich", {}, [PERP[0], []]).status).toBe("emptyBook");
    expect(run("spotRich", {}, PERP, [[], SPOT[1]]).status).toBe("emptyBook");
  });

  it("refuses a crossed leg", () => {
    expect(run("perpRich", {}, [[["40.2", "1"]], [["40.15", "1"]]]).status).toBe("crossedBook");
  });

  it("prices the exit beyond the visible depth at the deepest level, and says so", () => {
    const thin: [LevelText[], LevelText[]] = [PERP[0], [["40.13", "0.5"]]];
    const edge = run("perpRich", {}, thin);
    expect(edge.status).toBe("ok");
    expect(edge.exitDepthShort).toBe(true);
    expect(edge.exitPerpVwap).toBeCloseTo(40.13, 12);
  });

  it("reports overflow instead of an inexact notional past the spot bound (≈ $9·10^7)", () => {
    const huge: [LevelText[], LevelText[]] = [[["999", "200000"]], [["1000", "200000"]]];
    const edge = run("spotRich", { clipQty: 20_000_000 }, huge, huge);
    expect(edge.status).toBe("overflow");
  });
});
