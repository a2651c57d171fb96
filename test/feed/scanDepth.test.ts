/**
 * The scan depth (`hotpath/feed/scanDepth.ts`) and the guarantee it exists for: every decision reads the
 * same numbers from a book parsed to the depth as from the whole book. Property-tested on random edge
 * scenarios (`test/edge/edgeScenarios.ts`): both legs' frames go through a full-depth scanner and a
 * depth-limited one, and then
 * - both directions' edges (every field of the scratch) are identical, for a clip at the depth's `maxClip`;
 * - unwinding a position worth up to `maxPositionNotionalUsdc` at the touch walks to the same lots, notional
 *   and deepest price on every side.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import type { BookFrame } from "../../hotpath/book/bookFrame.js";
import type { BookSide } from "../../hotpath/book/bookSide.js";
import { MarketBooks } from "../../hotpath/book/marketBooks.js";
import { legScales } from "../../hotpath/book/scales.js";
import { BookWalk, walkWithTail } from "../../hotpath/edge/bookWalk.js";
import { computeEdge } from "../../hotpath/edge/computeEdge.js";
import { EdgeScratch } from "../../hotpath/edge/edgeScratch.js";
import { FrameScanner } from "../../hotpath/feed/frameScanner.js";
import {
  FULL_DEPTH,
  marketScanDepthOf,
  SCAN_DEPTH_MARGIN,
  scanDepthOf,
  type DepthLimits,
} from "../../hotpath/feed/scanDepth.js";
import { l2BookMessage } from "../book/bookMessages.js";
import { fastSetup, scenarioArb, type EdgeScenario } from "../edge/edgeScenarios.js";

describe("scanDepthOf", () => {
  it("reads the margin times the largest clip and position, in the leg's units", () => {
    const perp = legScales("perp", 2); // HYPE: price units 10^-4, lots 10^-2
    const depth = scanDepthOf({ maxClip: "5", maxPositionNotionalUsdc: "1000" }, perp);
    expect(depth.lots).toBe(5 * 100 * SCAN_DEPTH_MARGIN);
    expect(depth.notional).toBe(1000 * 10 ** 4 * 100 * SCAN_DEPTH_MARGIN);
    const spot = legScales("spot", 2); // price units 10^-6
    expect(scanDepthOf({ maxClip: "0.01", maxPositionNotionalUsdc: "0.5" }, spot)).toEqual({
      lots: 2,
      notional: 0.5 * 10 ** 6 * 100 * SCAN_DEPTH_MARGIN,
    });
  });

  it("refuses limits that bound nothing", () => {
    const scales = legScales("perp", 2);
    for (const limits of [
      { maxClip: "0", maxPositionNotionalUsdc: "1" },
      { maxClip: "1", maxPositionNotionalUsdc: "-1" },
      { maxClip: "x", maxPositionNotionalUsdc: "1" },
    ]) {
      expect(() => scanDepthOf(limits, scales)).toThrow(/scan depth needs positive limits/);
    }
  });
});

/** Both legs' frames of a scenario, as the exchange sends them. */
function frameTexts(scenario: EdgeScenario): [string, string] {
  return [
    JSON.stringify(l2BookMessage("HYPE", 1, scenario.perp.bids, scenario.perp.asks)),
    JSON.stringify(l2BookMessage("@107", 1, scenario.spot.bids, scenario.spot.asks)),
  ];
}

/** `books` after scanning both frames with `scanner`; throws when a frame is not handled. */
function scanInto(scanner: FrameScanner, books: MarketBooks, texts: readonly string[]): void {
  for (const text of texts) {
    expect(scanner.scan(text), text).toBe("handled");
    const frame: BookFrame = scanner.frame;
    const leg = frame.coin === "HYPE" ? books.perp : books.spot;
    expect(leg.apply(frame, 1)).toBe("applied");
  }
}

function scratchFields(scratch: EdgeScratch): Record<string, unknown> {
  const { walk: _walk, ...fields } = scratch;
  return fields;
}

function unwindWalk(side: BookSide, lots: number): [number, number, number, boolean] {
  const walk = new BookWalk();
  const enough = walkWithTail(side, lots, walk);
  return [walk.lots, walk.notional, walk.lastPrice, enough];
}

describe("a book parsed to the scan depth", () => {
  it("gives every decision the numbers the whole book gives", () => {
    fc.assert(
      fc.property(scenarioArb(), fc.integer({ min: 1, max: 400_000 }), (scenario, positionCents) => {
        const { books: full, params } = fastSetup(scenario);
        const limited = new MarketBooks({
          coin: "HYPE",
          perpCoin: "HYPE",
          spotCoin: "@107",
          perpSzDecimals: scenario.perpSzDecimals,
          spotSzDecimals: scenario.spotSzDecimals,
        });
        // The tightest limits the clip allows: maxClip is the clip itself.
        const limits: DepthLimits = {
          maxClip: scenario.clip,
          maxPositionNotionalUsdc: (positionCents / 100).toFixed(2),
        };
        const depth = marketScanDepthOf(limits, limited.scales);
        const fullScanner = new FrameScanner([
          { coin: "HYPE", scales: full.scales.perp, scanDepth: FULL_DEPTH },
          { coin: "@107", scales: full.scales.spot, scanDepth: FULL_DEPTH },
        ]);
        const depthScanner = new FrameScanner([
          { coin: "HYPE", scales: limited.scales.perp, scanDepth: depth.perp },
          { coin: "@107", scales: limited.scales.spot, scanDepth: depth.spot },
        ]);
        const texts = frameTexts(scenario);
        scanInto(fullScanner, full, texts);
        scanInto(depthScanner, limited, texts);

        for (const direction of ["perpRich", "spotRich"] as const) {
          const fromFull = new EdgeScratch(direction);
          const fromLimited = new EdgeScratch(direction);
          computeEdge(full.perp, full.spot, full.scales, params, direction, fromFull);
          computeEdge(limited.perp, limited.spot, limited.scales, params, direction, fromLimited);
          expect(scratchFields(fromLimited)).toEqual(scratchFields(fromFull));
        }

        // Unwinding a position worth the position limit at the touch, on each side of each leg.
        for (const leg of ["perp", "spot"] as const) {
          const scales = full.scales[leg];
          for (const sideName of ["bids", "asks"] as const) {
            const fullSide = full[leg][sideName];
            if (fullSide.depth === 0) continue;
            const touchUsdc = fullSide.prices[0]! / scales.priceScale;
            const lots = Math.max(1, Math.floor(((positionCents / 100) * scales.sizeScale) / touchUsdc));
            expect(unwindWalk(limited[leg][sideName], lots)).toEqual(unwindWalk(fullSide, lots));
          }
        }
      }),
      { seed: 20_261_203, numRuns: 3_000 },
    );
  });
});
