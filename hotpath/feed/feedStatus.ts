/**
 * The feed's state as plain data, for `/ready`, the status stream and logs: per market whether the breaker
 * is open and why, and each leg's age and exchange time. Allocates; never called per frame.
 */

import type { LegBook } from "../book/legBook.js";
import { breakerReasonNames, type BreakerReason } from "./breaker.js";
import type { FeedConnectionState } from "./feedClient.js";
import type { MarketFeed } from "./marketFeed.js";

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
  readonly perp: LegStatus;
  readonly spot: LegStatus;
}

export interface FeedStatus {
  /** Every market's breaker closed (every leg fresh, in sync, uncrossed) and the socket open. */
  readonly ready: boolean;
  readonly connection: FeedConnectionState;
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

export function marketStatus(market: MarketFeed, nowMs: number): MarketStatus {
  const reasons = market.breaker.reasons;
  return {
    coin: market.coin,
    breakerOpen: reasons !== 0,
    reasons: breakerReasonNames(reasons),
    perp: legStatus(market.books.perp, nowMs),
    spot: legStatus(market.books.spot, nowMs),
  };
}

/** Status at `nowMs` as last evaluated (call `FramePipeline.evaluateBreakers` first for a fresh verdict). */
export function feedStatus(
  markets: readonly MarketFeed[],
  connection: FeedConnectionState,
  nowMs: number,
): FeedStatus {
  const statuses = markets.map((market) => marketStatus(market, nowMs));
  return {
    ready: connection === "open" && statuses.every((status) => !status.breakerOpen),
    connection,
    markets: statuses,
  };
}
