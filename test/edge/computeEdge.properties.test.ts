/**
 * Properties of the edge computation that pin its sign conventions, so that a reversed direction, a
 * flipped funding sign or a fee that adds instead of subtracting cannot ship: direction signs, swapping the
 * books, monotonicity in the perp price, funding, fees, VWAP monotonicity in size, size limits, and the
 * spot-buy fee currency rule.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { BookSide } from "../../hotpath/book/bookSide.js";
import { BookWalk, UNCAPPED, walkSide } from "../../hotpath/edge/bookWalk.js";
import type { EdgeDirection } from "../../hotpath/edge/direction.js";
import type { EdgeParams } from "../../hotpath/edge/edgeParams.js";
import type { EdgeScratch } from "../../hotpath/edge/edgeScratch.js";
import { NO_RISK_CAP } from "../../hotpath/edge/riskCap.js";
import type { LevelText } from "../book/bookMessages.js";
import { decimalText } from "../feed/frameArbitraries.js";
import { BPS_TOLERANCE } from "./edgeReference.js";
import { fastEdge, PRICE_DECIMALS, scenarioArb, type BookText, type EdgeScenario } from "./edgeScenarios.js";

const RUNS = { seed: 20_261_129, numRuns: 1_500 } as const;
const TICKS = 10 ** PRICE_DECIMALS;

function ticksOf(px: string): number {
  return Math.round(Number(px) * TICKS);
}

function shiftBook(book: BookText, ticks: number): BookText {
  const shift = (levels: LevelText[]): LevelText[] =>
    levels.map(([px, sz]) => [decimalText(ticksOf(px) + ticks, PRICE_DECIMALS, 0), sz]);
  return { bids: shift(book.bids), asks: shift(book.asks) };
}

function lowest(levels: readonly LevelText[]): number {
  return Math.min(...levels.map(([px]) => ticksOf(px)));
}

function highest(levels: readonly LevelText[]): number {
  return Math.max(...levels.map(([px]) => ticksOf(px)));
}

const noFunding = (params: EdgeParams): EdgeParams => ({ ...params, fundingRatePerHour: 0 });
const noFees = (params: EdgeParams): EdgeParams => ({
  ...params,
  fees: { perpTaker: 0, perpMaker: 0, spotTaker: 0, spotMaker: 0 },
});

function edge(
  scenario: EdgeScenario,
  direction: EdgeDirection,
  change?: (p: EdgeParams) => EdgeParams,
): EdgeScratch {
  return fastEdge(scenario, direction, change).scratch;
}

describe("direction signs", () => {
  it("perp bids above every spot ask: perpRich gross > 0, spotRich gross < 0", () => {
    fc.assert(
      fc.property(scenarioArb(), fc.integer({ min: 1, max: 300 }), (scenario, gap) => {
        const shift = highest(scenario.spot.asks) - lowest(scenario.perp.bids) + gap;
        const rich = { ...scenario, perp: shiftBook(scenario.perp, shift) };
        const perpRich = edge(rich, "perpRich");
        const spotRich = edge(rich, "spotRich");
        fc.pre(perpRich.status === "ok" && spotRich.status === "ok");
        expect(perpRich.grossBps).toBeGreaterThan(0);
        expect(spotRich.grossBps).toBeLessThan(0);
      }),
      RUNS,
    );
  });

  it("perp asks below every spot bid: spotRich gross > 0, perpRich gross < 0", () => {
    fc.assert(
      fc.property(scenarioArb(), fc.integer({ min: 1, max: 300 }), (scenario, gap) => {
        const shift = lowest(scenario.spot.bids) - highest(scenario.perp.asks) - gap;
        fc.pre(lowest(scenario.perp.bids) + shift > 0);
        const cheap = { ...scenario, perp: shiftBook(scenario.perp, shift) };
        const perpRich = edge(cheap, "perpRich");
        const spotRich = edge(cheap, "spotRich");
        fc.pre(perpRich.status === "ok" && spotRich.status === "ok");
        expect(spotRich.grossBps).toBeGreaterThan(0);
        expect(perpRich.grossBps).toBeLessThan(0);
      }),
      RUNS,
    );
  });

  it("swapping the books swaps the directions (no fees, no funding)", () => {
    fc.assert(
      fc.property(scenarioArb(), (generated) => {
        // The balance limits belong to one direction each; the rest apply to both alike.
        const scenario = { ...generated, spotQuoteAvailableUsdc: null, spotBaseAvailable: null };
        const swapped = { ...scenario, perp: scenario.spot, spot: scenario.perp };
        const change = (params: EdgeParams): EdgeParams => noFees(noFunding(params));
        for (const [direction, mirror] of [
          ["perpRich", "spotRich"],
          ["spotRich", "perpRich"],
        ] as const) {
          const original = edge(scenario, direction, change);
          const reversed = edge(swapped, mirror, change);
          expect(reversed.status).toBe(original.status);
          if (original.status !== "ok") continue;
          expect([reversed.perpLots, reversed.spotLots]).toEqual([original.spotLots, original.perpLots]);
          expect(Math.abs(reversed.grossBps - original.grossBps)).toBeLessThan(BPS_TOLERANCE);
          expect(Math.abs(reversed.netBps - original.netBps)).toBeLessThan(BPS_TOLERANCE);
        }
      }),
      RUNS,
    );
  });
});

describe("monotonicity in the perp price", () => {
  it("a higher perp price never decreases perpRich gross", () => {
    fc.assert(
      fc.property(scenarioArb(), fc.integer({ min: 1, max: 500 }), (scenario, up) => {
        const before = edge(scenario, "perpRich");
        const after = edge({ ...scenario, perp: shiftBook(scenario.perp, up) }, "perpRich");
        fc.pre(before.status === "ok" && after.status === "ok");
        expect(after.grossBps).toBeGreaterThanOrEqual(before.grossBps - BPS_TOLERANCE);
      }),
      RUNS,
    );
  });

  it("a higher perp price never increases spotRich gross (no notional limit)", () => {
    fc.assert(
      fc.property(scenarioArb(), fc.integer({ min: 1, max: 500 }), (generated, up) => {
        const scenario = { ...generated, notionalHeadroomUsdc: null };
        const before = edge(scenario, "spotRich");
        const after = edge({ ...scenario, perp: shiftBook(scenario.perp, up) }, "spotRich");
        fc.pre(before.status === "ok" && after.status === "ok");
        expect(after.grossBps).toBeLessThanOrEqual(before.grossBps + BPS_TOLERANCE);
      }),
      RUNS,
    );
  });
});

describe("funding", () => {
  it("positive funding helps perpRich (short perp) and hurts spotRich (long perp)", () => {
    fc.assert(
      fc.property(
        scenarioArb(),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 72 }),
        (scenario, rate, hours) => {
          const withFunding = { ...scenario, fundingPerHour: rate, holdingHours: hours };
          for (const direction of ["perpRich", "spotRich"] as const) {
            const paid = edge(withFunding, direction);
            const none = edge(withFunding, direction, noFunding);
            if (paid.status !== "ok") continue;
            if (direction === "perpRich") {
              expect(paid.fundingBps).toBeGreaterThan(0);
              expect(paid.netBps).toBeGreaterThan(none.netBps);
            } else {
              expect(paid.fundingBps).toBeLessThan(0);
              expect(paid.netBps).toBeLessThan(none.netBps);
            }
            expect(Math.abs(paid.netBps - none.netBps - paid.fundingBps)).toBeLessThan(BPS_TOLERANCE);
          }
        },
      ),
      RUNS,
    );
  });

  it("scales with the rate, the horizon and the oracle price", () => {
    fc.assert(
      fc.property(scenarioArb(), (generated) => {
        const scenario = { ...generated, fundingPerHour: 1_250, holdingHours: 8, oraclePx: null };
        const scratch = edge(scenario, "perpRich");
        fc.pre(scratch.status === "ok");
        // 0.0000125/h × 8 h = 1 bps of the funding price, re-expressed on the entry buy VWAP.
        expect(scratch.fundingBps).toBeCloseTo((1 * scratch.spotMid) / scratch.spotVwap, 9);
        expect(scratch.fundingPx).toBe(scratch.spotMid);
      }),
      RUNS,
    );
  });
});

describe("fees and exit costs", () => {
  it("only ever subtract, and net ≤ gross − entry fees (+ funding)", () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        for (const direction of ["perpRich", "spotRich"] as const) {
          const scratch = edge(scenario, direction);
          if (scratch.status !== "ok") continue;
          expect(scratch.entryFeeBps).toBeGreaterThanOrEqual(0);
          expect(scratch.exitFeeBps).toBeGreaterThanOrEqual(0);
          expect(scratch.exitCrossingBps).toBeGreaterThanOrEqual(0);
          expect(scratch.netBps - scratch.fundingBps).toBeLessThanOrEqual(
            scratch.grossBps - scratch.entryFeeBps + BPS_TOLERANCE,
          );
          const free = edge(scenario, direction, (params) => noFunding(noFees(params)));
          expect(free.netBps).toBeLessThanOrEqual(free.grossBps + BPS_TOLERANCE);
        }
      }),
      RUNS,
    );
  });

  it("a higher fee rate lowers net when it does not change the sizes", () => {
    fc.assert(
      fc.property(scenarioArb(), fc.integer({ min: 1, max: 50_000 }), (scenario, extra) => {
        // Every fee of spotRich, and the perp fee of perpRich, leave the traded sizes unchanged.
        const cases: [EdgeDirection, (p: EdgeParams) => EdgeParams][] = [
          ["spotRich", (p) => ({ ...p, fees: { ...p.fees, spotTaker: p.fees.spotTaker + extra } })],
          ["spotRich", (p) => ({ ...p, fees: { ...p.fees, perpTaker: p.fees.perpTaker + extra } })],
          ["perpRich", (p) => ({ ...p, fees: { ...p.fees, perpTaker: p.fees.perpTaker + extra } })],
        ];
        for (const [direction, raise] of cases) {
          const base = edge(scenario, direction);
          const dearer = edge(scenario, direction, raise);
          if (base.status !== "ok") continue;
          expect([dearer.perpLots, dearer.spotLots]).toEqual([base.perpLots, base.spotLots]);
          expect(dearer.netBps).toBeLessThan(base.netBps);
          expect(dearer.entryFeeBps).toBeGreaterThan(base.entryFeeBps);
        }
      }),
      RUNS,
    );
  });
});

describe("VWAP across levels", () => {
  const sideArb = fc.array(fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 1_000 })), {
    minLength: 1,
    maxLength: 20,
  });

  function buildSide(isBid: boolean, levels: readonly [number, number][]): BookSide {
    const side = new BookSide(isBid);
    let price = isBid ? 10_000_000 : 1_000;
    for (const [step, lots] of levels) {
      price += isBid ? -step : step;
      side.append(price, lots, 1);
    }
    return side;
  }

  it("is non-decreasing in size on asks (buying) and non-increasing on bids (selling)", () => {
    fc.assert(
      fc.property(
        sideArb,
        fc.boolean(),
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 1, max: 20_000 }),
        (levels, isBid, a, b) => {
          const side = buildSide(isBid, levels);
          const small = new BookWalk();
          const large = new BookWalk();
          walkSide(side, small.limit(Math.min(a, b), UNCAPPED));
          walkSide(side, large.limit(Math.max(a, b), UNCAPPED));
          // Compare notional / lots exactly by cross-multiplying.
          const smallVwap = BigInt(small.notional) * BigInt(large.lots);
          const largeVwap = BigInt(large.notional) * BigInt(small.lots);
          if (isBid) expect(largeVwap <= smallVwap).toBe(true);
          else expect(largeVwap >= smallVwap).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it("makes the entry VWAPs monotone in the clip", () => {
    fc.assert(
      fc.property(scenarioArb(), fc.integer({ min: 1, max: 3_000 }), (scenario, more) => {
        const small = edge(scenario, "spotRich", noFees);
        const large = edge(scenario, "spotRich", (p) => noFees({ ...p, clipQty: p.clipQty + more }));
        fc.pre(small.status === "ok" && large.status === "ok");
        expect(large.perpVwap).toBeGreaterThanOrEqual(small.perpVwap * (1 - 1e-15)); // buying the perp
        expect(large.spotVwap).toBeLessThanOrEqual(small.spotVwap * (1 + 1e-15)); // selling spot
      }),
      RUNS,
    );
  });
});

describe("executable size", () => {
  it("stays within each entry side's depth, the clip and every risk limit", () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        for (const direction of ["perpRich", "spotRich"] as const) {
          const { scratch, books, params } = fastEdge(scenario, direction);
          if (scratch.status !== "ok") continue;
          const perpRich = direction === "perpRich";
          const cap = params.riskCap;
          const perpEntry = perpRich ? books.perp.bids : books.perp.asks;
          const spotEntry = perpRich ? books.spot.asks : books.spot.bids;
          expect(scratch.perpLots).toBeLessThanOrEqual(perpEntry.totalSize());
          expect(scratch.spotLots).toBeLessThanOrEqual(spotEntry.totalSize());
          expect(scratch.entryQty).toBeLessThanOrEqual(Math.min(params.clipQty, cap.maxQty));
          expect(scratch.hedgedQty).toBeLessThanOrEqual(scratch.entryQty);
          // Notionals are in 10^-6 (perp) and 10^-8 (spot) USDC; the headroom in 10^-6.
          expect(scratch.perpNotional).toBeLessThanOrEqual(cap.notionalHeadroomMicroUsdc);
          expect(scratch.spotNotional).toBeLessThanOrEqual(cap.notionalHeadroomMicroUsdc * 100);
          if (perpRich)
            expect(scratch.spotNotional).toBeLessThanOrEqual(cap.spotQuoteAvailableMicroUsdc * 100);
          else expect(scratch.spotLots).toBeLessThanOrEqual(cap.spotBaseAvailableQty);
        }
      }),
      RUNS,
    );
  });

  it("is the whole clip when nothing else binds", () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        const scratch = edge(scenario, "spotRich", (p) => ({ ...p, riskCap: NO_RISK_CAP }));
        fc.pre(scratch.status === "ok" && scratch.clipLimit === "clip");
        expect(scratch.entryQty).toBe(fastEdge(scenario, "spotRich").params.clipQty);
      }),
      RUNS,
    );
  });
});

describe("spot-buy fee currency", () => {
  it("perpRich hedges truncateToLot(spot × (1 − spot taker)) and keeps the rest as dust; spotRich hedges 1:1", () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        const perpRich = edge(scenario, "perpRich");
        if (perpRich.status === "ok") {
          const netUnits = BigInt(perpRich.spotLots) * (100_000_000n - BigInt(scenario.spotTaker));
          expect(BigInt(perpRich.perpLots)).toBe(netUnits / 100_000_000n);
          expect(BigInt(perpRich.dustUnits)).toBe(netUnits % 100_000_000n);
          if (scenario.spotTaker > 0) expect(perpRich.perpLots).toBeLessThan(perpRich.spotLots);
        }
        const spotRich = edge(scenario, "spotRich");
        if (spotRich.status === "ok") {
          expect(spotRich.perpLots).toBe(spotRich.spotLots);
          expect(spotRich.dustUnits).toBe(0);
        }
      }),
      RUNS,
    );
  });
});
