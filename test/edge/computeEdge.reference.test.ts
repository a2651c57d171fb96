/**
 * The fast edge computation against the straightforward exact-decimal reference (`edgeReference.ts`) on
 * random books, clips, fees, funding and risk limits: sizes, hedge and dust must match exactly, statuses
 * must match, and every bps figure within `BPS_TOLERANCE` (the fast path's doubles carry ~1e-15 relative
 * error; the reference rounds once at 30 decimals).
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { EDGE_DIRECTIONS, type EdgeDirection } from "../../hotpath/edge/direction.js";
import { EdgeIdSequence, recordEdge } from "../../hotpath/edge/edgeRecord.js";
import { BPS_TOLERANCE, referenceEdge } from "./edgeReference.js";
import { fastEdge, referenceSetup, scenarioArb, type EdgeScenario } from "./edgeScenarios.js";

/** Relative tolerance on VWAPs. */
const VWAP_TOLERANCE = 1e-12;

function expectMatch(scenario: EdgeScenario, direction: EdgeDirection): void {
  const { scratch, books, params } = fastEdge(scenario, direction);
  const { perp, spot, params: refParams } = referenceSetup(scenario);
  const expected = referenceEdge(perp, spot, refParams, direction);
  expect(scratch.status).toBe(expected.status);
  if (expected.status !== "ok") return;
  const record = recordEdge(scratch, books, params, new EdgeIdSequence(), 0);
  expect({
    perp: record.perp.size,
    spot: record.spot.size,
    hedged: record.hedgedSize,
    dust: record.spotDust,
  }).toEqual({
    perp: expected.perpSize,
    spot: expected.spotSize,
    hedged: expected.hedgedSize,
    dust: expected.spotDust,
  });
  for (const key of [
    "grossBps",
    "entryFeeBps",
    "exitFeeBps",
    "exitCrossingBps",
    "fundingBps",
    "netBps",
  ] as const) {
    expect(Math.abs(record[key] - expected[key]), `${key}: ${record[key]} vs ${expected[key]}`).toBeLessThan(
      BPS_TOLERANCE,
    );
  }
  expect(Math.abs(record.perp.vwap / expected.perpVwap - 1)).toBeLessThan(VWAP_TOLERANCE);
  expect(Math.abs(record.spot.vwap / expected.spotVwap - 1)).toBeLessThan(VWAP_TOLERANCE);
}

/**
 * A notional cap that falls inside a level with size to spare: the next lot of a real order fills at that
 * level's price, over the cap, so the walk must stop there and not take a lot from the cheaper bid below
 * (found by the scan-depth property test; random scenarios rarely hit it).
 */
const CAP_INSIDE_A_LEVEL: EdgeScenario = {
  perpSzDecimals: 2,
  spotSzDecimals: 2,
  clip: "0.51",
  perpTaker: 0,
  spotTaker: 0,
  fundingPerHour: 0,
  holdingHours: 0,
  oraclePx: "5",
  maxQty: "0.51",
  notionalHeadroomUsdc: "80.04753",
  spotQuoteAvailableUsdc: null,
  spotBaseAvailable: "0.51",
  perp: { bids: [["156.953", "0.01"]], asks: [["156.955", "0.51"]] },
  spot: {
    bids: [
      ["156.956", "1.02"],
      ["156.953", "0.01"],
    ],
    asks: [["156.96", "0.01"]],
  },
};

describe("computeEdge matches the exact-decimal reference", () => {
  it("stops a capped walk inside the level where the cap falls", () => {
    expectMatch(CAP_INSIDE_A_LEVEL, "spotRich");
    const { scratch } = fastEdge(CAP_INSIDE_A_LEVEL, "spotRich");
    expect([scratch.entryQty, scratch.clipLimit]).toEqual([50, "notionalHeadroom"]);
  });

  for (const direction of EDGE_DIRECTIONS) {
    it(`${direction}, HYPE scales (szDecimals 2 on both legs)`, () => {
      fc.assert(
        fc.property(scenarioArb(), (scenario) => expectMatch(scenario, direction)),
        { seed: 20_261_127, numRuns: 3_000 },
      );
    });

    it(`${direction}, lots that differ between the legs`, () => {
      fc.assert(
        fc.property(fc.oneof(scenarioArb(3, 2), scenarioArb(2, 3), scenarioArb(0, 2)), (scenario) =>
          expectMatch(scenario, direction),
        ),
        { seed: 20_261_128, numRuns: 1_500 },
      );
    });
  }
});
