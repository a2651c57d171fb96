/**
 * `activeAssetCtx` frames through the frame pipeline: they set the market's funding rate and oracle price
 * in its edge parameters (and nothing on the book path), a market whose funding is unknown is not ready,
 * and frames for other coins or with unusable values leave the parameters alone.
 */

import { describe, expect, it } from "vitest";

import { hypeBooks } from "../book/bookMessages.js";
import type { EdgeParams } from "../../hotpath/edge/edgeParams.js";
import { EdgeIdSequence } from "../../hotpath/edge/edgeRecord.js";
import { feeRatesFromBps } from "../../hotpath/edge/feeRates.js";
import { NO_RISK_CAP } from "../../hotpath/edge/riskCap.js";
import { feedStatus, type FeeSource } from "../../hotpath/feed/feedStatus.js";
import { FramePipeline } from "../../hotpath/feed/framePipeline.js";
import { MarketFeed, type FundingSource } from "../../hotpath/feed/marketFeed.js";
import { assetCtxSubscriptions, feedSubscriptions } from "../../hotpath/feed/subscriptions.js";
import { FeedMetrics } from "../../hotpath/metrics/feedMetrics.js";
import { renderMetrics } from "../../hotpath/metrics/exposition.js";
import { createLogger } from "../../hotpath/observability/logger.js";

const FALLBACK: FeeSource = { source: "fallback", reason: "no accountAddress configured" };

function params(fundingRatePerHour: number, oraclePx: number): EdgeParams {
  return {
    clipQty: 100,
    fees: feeRatesFromBps({ perpTaker: "4.5", perpMaker: "1.5", spotTaker: "7", spotMaker: "4" }),
    fundingRatePerHour,
    holdingHours: 8,
    oraclePx,
    riskCap: NO_RISK_CAP,
  };
}

function ctxFrame(coin: string, funding: string, oraclePx: string): string {
  return JSON.stringify({
    channel: "activeAssetCtx",
    data: {
      coin,
      ctx: {
        dayNtlVlm: "1000.0",
        funding,
        impactPxs: ["24.99", "25.01"],
        markPx: "25.0",
        midPx: "25.0",
        openInterest: "10.0",
        oraclePx,
        premium: "0.0",
        prevDayPx: "24.0",
      },
    },
  });
}

function setUp(source: Exclude<FundingSource, "live">, initial: EdgeParams) {
  const limits = { staleAfterMs: 2000, maxLegSkewMs: 500 };
  const feed = MarketFeed.create(hypeBooks(), initial, new EdgeIdSequence(), limits, source);
  const metrics = new FeedMetrics();
  let sinkCalls = 0;
  const pipeline = new FramePipeline(
    [feed],
    metrics,
    () => (sinkCalls += 1),
    createLogger({ service: "test", level: "silent" }),
    () => 1000,
  );
  return { feed, metrics, pipeline, sinkCalls: () => sinkCalls };
}

describe("activeAssetCtx", () => {
  it("subscribes one activeAssetCtx per perp coin, apart from the book feeds", () => {
    const books = hypeBooks();
    expect(assetCtxSubscriptions([books])).toEqual([{ type: "activeAssetCtx", coin: books.perp.coin }]);
    expect(feedSubscriptions([books]).some((s) => s.type === "activeAssetCtx")).toBe(false);
  });

  it("without any funding the market is not ready and says why; the first ctx makes it live", () => {
    const { feed, metrics, pipeline, sinkCalls } = setUp("unknown", params(0, Number.NaN));
    const before = feedStatus([feed], "open", FALLBACK, 1000);
    expect(before.ready).toBe(false);
    expect(before.fees).toEqual(FALLBACK);
    expect(before.markets[0]).toMatchObject({
      inputReasons: ["funding_unknown"],
      funding: { source: "unknown", ratePerHour: 0, oraclePx: null, ageMs: null },
    });
    const unknownMetrics = renderMetrics({
      metrics,
      markets: [feed],
      connection: "open",
      fees: FALLBACK,
      nowMs: 1000,
    });
    expect(unknownMetrics).toContain('hlbasis_edge_funding_source{coin="HYPE",source="unknown"} 1');

    pipeline.handleFrame(ctxFrame(feed.books.perp.coin, "0.0000125", "25.5"), 900);

    expect(feed.edges.params).toMatchObject({ fundingRatePerHour: 0.0000125, oraclePx: 25.5 });
    expect(feed.fundingSource).toBe("live");
    expect(metrics.frames.activeAssetCtx).toBe(1);
    expect(sinkCalls()).toBe(0); // not a book change: the decision loop is not woken
    const after = feedStatus([feed], "open", FALLBACK, 1000);
    expect(after.markets[0]).toMatchObject({
      inputReasons: [],
      funding: { source: "live", ratePerHour: 0.0000125, oraclePx: 25.5, ageMs: 100 },
    });
    expect(feed.edges.emit("perpRich", 1000).inputs).toMatchObject({
      fundingRatePerHour: 0.0000125,
      oraclePx: 25.5,
    });
  });

  it("replaces the start-up values, and allocates no new parameters when nothing changed", () => {
    const { feed, pipeline } = setUp("startup", params(0.00001, 24));
    expect(feedStatus([feed], "open", FALLBACK, 1000).markets[0]!.funding.source).toBe("startup");
    pipeline.handleFrame(ctxFrame("HYPE", "-0.00002", "25.25"), 950);
    const updated = feed.edges.params;
    expect(updated).toMatchObject({
      fundingRatePerHour: -0.00002,
      oraclePx: 25.25,
      clipQty: 100,
      holdingHours: 8,
    });
    expect(Object.isFrozen(updated)).toBe(true);
    pipeline.handleFrame(ctxFrame("HYPE", "-0.00002", "25.25"), 990);
    expect(feed.edges.params).toBe(updated);
    expect(feed.assetCtxUpdates).toBe(2);
  });

  it("ignores ctx frames for other coins and with unusable values", () => {
    const { feed, metrics, pipeline } = setUp("startup", params(0.00001, 24));
    const initial = feed.edges.params;
    pipeline.handleFrame(ctxFrame("BTC", "0.001", "90000"), 900);
    pipeline.handleFrame(ctxFrame(feed.books.spot.coin, "0.001", "25"), 900);
    expect(metrics.unexpectedCoin).toBe(2);
    pipeline.handleFrame(ctxFrame("HYPE", "0.001", "0"), 900);
    expect(metrics.parseErrors).toBe(1);
    expect(feed.edges.params).toBe(initial);
    expect(feed.fundingSource).toBe("startup");
  });
});
