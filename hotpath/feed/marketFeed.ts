/**
 * What the feed keeps per market: both books, the edge calculator over them, the breaker that says
 * whether that edge may be traded, and where the edge's funding and oracle inputs currently come from.
 * Built once at start-up.
 */

import type { MarketBooks } from "../book/marketBooks.js";
import { EdgeCalculator } from "../edge/edgeCalculator.js";
import type { EdgeParams } from "../edge/edgeParams.js";
import type { EdgeIdSequence } from "../edge/edgeRecord.js";
import { MarketBreaker, type BreakerLimits } from "./breaker.js";
import { FULL_MARKET_DEPTH, type MarketScanDepth } from "./scanDepth.js";

/**
 * Where the edge's funding rate and oracle price come from:
 * - `live`: the last `activeAssetCtx` frame (its age is `assetCtxAgeMs`; the values are kept across a
 *   reconnect, when they are only as old as that age says);
 * - `startup`: the one `metaAndAssetCtxs` read at start-up, until the first `activeAssetCtx` arrives;
 * - `unknown`: neither yet. The edge then takes funding as 0 and the oracle as the spot mid, which it must
 *   not present as known: the market's status says so and `/ready` stays 503 (`feedStatus.ts`).
 */
export type FundingSource = "live" | "startup" | "unknown";

export class MarketFeed {
  readonly breaker: MarketBreaker;
  private source: FundingSource;
  /** Monotonic ms the last `activeAssetCtx` was applied at; NaN before the first. */
  private assetCtxAtMs = Number.NaN;
  /** `activeAssetCtx` frames applied. */
  assetCtxUpdates = 0;

  /**
   * `fundingSource`: where `edges.params`' funding and oracle came from (the start-up read by default);
   * `scanDepth`: how much of each leg's book the frame scanner reads (all of it by default).
   */
  constructor(
    readonly books: MarketBooks,
    readonly edges: EdgeCalculator,
    limits: BreakerLimits,
    fundingSource: Exclude<FundingSource, "live"> = "startup",
    readonly scanDepth: MarketScanDepth = FULL_MARKET_DEPTH,
  ) {
    if (edges.books !== books) throw new RangeError(`edge calculator of ${books.coin} reads other books`);
    this.breaker = new MarketBreaker(books.perp, books.spot, limits);
    this.source = fundingSource;
  }

  static create(
    books: MarketBooks,
    params: EdgeParams,
    ids: EdgeIdSequence,
    limits: BreakerLimits,
    fundingSource: Exclude<FundingSource, "live"> = "startup",
    scanDepth: MarketScanDepth = FULL_MARKET_DEPTH,
  ): MarketFeed {
    return new MarketFeed(books, new EdgeCalculator(books, params, ids), limits, fundingSource, scanDepth);
  }

  get coin(): string {
    return this.books.coin;
  }

  get fundingSource(): FundingSource {
    return this.source;
  }

  /** ms since the last `activeAssetCtx` was applied; NaN before the first. */
  assetCtxAgeMs(nowMs: number): number {
    return nowMs - this.assetCtxAtMs;
  }

  /**
   * A live asset context (`activeAssetCtx`, ~1/s): the hourly funding rate and the oracle price become
   * the edge's parameters. Called from the decoder path, never per book frame; it allocates one
   * parameter object only when a value changed, and recomputes the edge scratches at once so whoever
   * reads them next sees the new inputs.
   */
  applyAssetCtx(fundingRatePerHour: number, oraclePx: number, receivedAtMs: number): void {
    const edges = this.edges;
    const params = edges.params;
    if (params.fundingRatePerHour !== fundingRatePerHour || params.oraclePx !== oraclePx) {
      edges.setParams(Object.freeze({ ...params, fundingRatePerHour, oraclePx }));
      edges.update();
    }
    this.source = "live";
    this.assetCtxAtMs = receivedAtMs;
    this.assetCtxUpdates += 1;
  }
}
