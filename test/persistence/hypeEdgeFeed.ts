/**
 * The HYPE market as the edge-persistence tests and benchmarks drive it: its feed with the edge parameters
 * they all use (clip 5 HYPE, base-schedule fees, a small positive funding rate) and breaker limits wide enough
 * for recorded or generated frames at any pace, and the simulator's frames for it.
 */

import type { EdgeIdSequence } from "../../hotpath/edge/edgeRecord.js";
import { feeRatesFromBps } from "../../hotpath/edge/feeRates.js";
import { NO_RISK_CAP } from "../../hotpath/edge/riskCap.js";
import { MarketFeed } from "../../hotpath/feed/marketFeed.js";
import { hypeBooks } from "../book/bookMessages.js";
import { ExchangeCore } from "../sim/core/index.js";
import { bookData, dataFrame } from "../sim/server/frames.js";

export function hypeEdgeFeed(ids: EdgeIdSequence): MarketFeed {
  return MarketFeed.create(
    hypeBooks(),
    {
      clipQty: 500,
      fees: feeRatesFromBps({ perpTaker: "4.5", perpMaker: "1.5", spotTaker: "7", spotMaker: "4" }),
      fundingRatePerHour: 0.0000125,
      holdingHours: 8,
      oraclePx: Number.NaN,
      riskCap: NO_RISK_CAP,
    },
    ids,
    { staleAfterMs: 1e9, maxLegSkewMs: 1e9 },
  );
}

/** The first `count` wire frames (20-level `l2Book` and `bbo`, both legs) of the seed-1 simulator. */
export function hypeSimulatorFrames(count: number): Buffer[] {
  const core = new ExchangeCore({ seed: 1 });
  const frames: Buffer[] = [];
  const unsubscribe = core.subscribe((event) => {
    if (event.type === "l2Book")
      frames.push(Buffer.from(dataFrame("l2Book", bookData(event.data, 20, false))));
    else if (event.type === "bbo") frames.push(Buffer.from(dataFrame("bbo", event.data)));
  });
  while (frames.length < count) core.step(70);
  unsubscribe();
  return frames.slice(0, count);
}
