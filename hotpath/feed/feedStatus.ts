/**
 * The feed's state as plain data, for `/ready`, the status stream and logs: per market whether the breaker
 * is open and why, each leg's age and exchange time, and where the edge's funding and oracle inputs come
 * from; for the account, where the fee rates come from. Allocates; never called per frame.
 *
 * Readiness also requires every market's funding to be known (`live` or `startup`): with `unknown` the edge
 * takes funding as 0, which is a guess, so the market is listed with reason `funding_unknown` and `/ready`
 * answers 503 until an `activeAssetCtx` arrives. Fees never block readiness: the fallback is the exchange's
 * base schedule, an upper bound for any tier, so the edge is conservative, not wrong; the source and the
 * reason for a fallback are reported instead.
 */

import type { LegBook } from "../book/legBook.js";
import { breakerReasonNames, type BreakerReason } from "./breaker.js";
import type { FeedConnectionState } from "./feedClient.js";
import type { FundingSource, MarketFeed } from "./marketFeed.js";

/** Where the edge's fee rates come from: the account's tier or the configured base schedule. */
export type FeeSource =
  | { readonly source: "userFees" }
  /** `reason`: no account configured, or why `userFees` could not be read. */
  | { readonly source: "fallback"; readonly reason: string };

/** Why a market is not ready although its breaker is closed. */
export type InputReason = "funding_unknown";

export interface FundingStatus {
  readonly source: FundingSource;
  /** The rate the edge uses (0 when `unknown`). */
  readonly ratePerHour: number;
  /** null = the spot mid stands in (no oracle known). */
  readonly oraclePx: number | null;
  /** ms since the last `activeAssetCtx`; null before the first. */
  readonly ageMs: number | null;
}

export interface LegStatus {
  readonly coin: string;
  /** ms since the last applied frame arrived; null before the first. */
  readonly ageMs: number | null;
  readonly exchangeTimeMs: number | null;
  readonly sequence: number;
  readonly crossed: boolean;
}

export interface MarketStatus {
  readonly coin: string;
  readonly breakerOpen: boolean;
  readonly reasons: readonly BreakerReason[];
  /** Edge inputs that keep the market from being ready (see the module comment). */
  readonly inputReasons: readonly InputReason[];
  readonly funding: FundingStatus;
  readonly perp: LegStatus;
  readonly spot: LegStatus;
}

export interface FeedStatus {
  /**
   * Every market's breaker closed (every leg fresh, in sync, uncrossed), its funding known, and the socket
   * open.
   */
  readonly ready: boolean;
  readonly connection: FeedConnectionState;
  readonly fees: FeeSource;
  readonly markets: readonly MarketStatus[];
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function legStatus(leg: LegBook, nowMs: number): LegStatus {
  return {
    coin: leg.coin,
    ageMs: finiteOrNull(Math.round(nowMs - leg.receivedAtMs)),
    exchangeTimeMs: finiteOrNull(leg.exchangeTimeMs),
    sequence: leg.sequence,
    crossed: leg.crossed,
  };
}

function fundingStatus(market: MarketFeed, nowMs: number): FundingStatus {
  const params = market.edges.params;
  return {
    source: market.fundingSource,
    ratePerHour: params.fundingRatePerHour,
    oraclePx: finiteOrNull(params.oraclePx),
    ageMs: finiteOrNull(Math.round(market.assetCtxAgeMs(nowMs))),
  };
}

export function marketStatus(market: MarketFeed, nowMs: number): MarketStatus {
  const reasons = market.breaker.reasons;
  return {
    coin: market.coin,
    breakerOpen: reasons !== 0,
    reasons: breakerReasonNames(reasons),
    inputReasons: market.fundingSource === "unknown" ? ["funding_unknown"] : [],
    funding: fundingStatus(market, nowMs),
    perp: legStatus(market.books.perp, nowMs),
    spot: legStatus(market.books.spot, nowMs),
  };
}

/** Status at `nowMs` as last evaluated (call `FramePipeline.evaluateBreakers` first for a fresh verdict). */
export function feedStatus(
  markets: readonly MarketFeed[],
  connection: FeedConnectionState,
  fees: FeeSource,
  nowMs: number,
): FeedStatus {
  const statuses = markets.map((market) => marketStatus(market, nowMs));
  return {
    ready:
      connection === "open" &&
      statuses.every((status) => !status.breakerOpen && status.inputReasons.length === 0),
    connection,
    fees,
    markets: statuses,
  };
}
