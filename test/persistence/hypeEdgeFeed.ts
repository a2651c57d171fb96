/**
 * The HYPE market's feed with the edge parameters every edge-persistence test and benchmark uses (clip 5
 * HYPE, base-schedule fees, a small positive funding rate), and breaker limits wide enough for recorded or
 * generated frames at any pace.
 */

import type { EdgeIdSequence } from "../../hotpath/edge/edgeRecord.js";
import { feeRatesFromBps } from "../../hotpath/edge/feeRates.js";
import { NO_RISK_CAP } from "../../hotpath/edge/riskCap.js";
import { MarketFeed } from "../../hotpath/feed/marketFeed.js";
import { hypeBooks } from "../book/bookMessages.js";

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
