/**
 * What `decide` returns for one edge: skip with a reason, or a verdict the executor acts on (open, close,
 * unwind), each leg with its side, exact size and side-aware limit price.
 *
 * Skips are preallocated frozen constants (`SKIP`), one per reason, so the per-frame skip path allocates
 * nothing; only a trade verdict builds an object. Each skip reason maps to the persisted `SkipReason` the
 * edge is stored with (`PERSISTED_SKIP_REASON`); the finer reason is for the dashboard and the logs.
 */

import type { EdgeDirection } from "../edge/direction.js";
import type { WireDecimal } from "../exchange/wire/brands.js";
import type { SkipReason } from "../persistence/edgeBatchCodec.js";
import type { RiskBlock } from "./risk/riskChecks.js";
import type { LegMarket, OrderSide } from "./sides.js";

/**
 * Every risk block, and:
 * - `orderInFlight`: an intent of this market is unresolved;
 * - `stale`: the market's breaker is open (stale, skewed, crossed or resyncing books);
 * - `notComputable`: the edge has no value (empty or crossed book, no size, overflow), or a close side of
 *   the book is empty;
 * - `belowThreshold`: the edge's net bps are below the open threshold;
 * - `limitBudget`: the edge clears the threshold at its VWAPs, but a full fill at the deepest level the clip
 *   needs on each leg (or at any valid price between there and the budget) would not;
 * - `oppositePosition`: the market holds a position in the other direction (closed by its own rules first);
 * - `insufficientSpotQuote` / `insufficientSpotBase` / `insufficientPerpMargin`: a balance short of the
 *   order at its limit price;
 * - `belowMinNotional`: a leg's notional at its limit is below the exchange minimum (with margin).
 */
export type DecisionSkipReason =
  | RiskBlock
  | "orderInFlight"
  | "stale"
  | "notComputable"
  | "belowThreshold"
  | "limitBudget"
  | "oppositePosition"
  | "insufficientSpotQuote"
  | "insufficientSpotBase"
  | "insufficientPerpMargin"
  | "belowMinNotional";

/** The persisted reason of each skip: the nearest of `SKIP_REASONS` where a reason has none of its own. */
export const PERSISTED_SKIP_REASON: { readonly [R in DecisionSkipReason]: SkipReason } = Object.freeze({
  outcomeUnknown: "orderInFlight",
  killed: "paused",
  paused: "paused",
  dailyLossLimit: "riskLimit",
  maxOpenIntents: "riskLimit",
  ordersPerMinute: "riskLimit",
  coolDownAfterTrade: "riskLimit",
  coolDownAfterRejection: "riskLimit",
  liquidationDistance: "riskLimit",
  maxClip: "riskLimit",
  maxPositionNotional: "riskLimit",
  orderInFlight: "orderInFlight",
  stale: "stale",
  notComputable: "notComputable",
  belowThreshold: "belowThreshold",
  limitBudget: "belowThreshold",
  oppositePosition: "riskLimit",
  insufficientSpotQuote: "insufficientBalance",
  insufficientSpotBase: "insufficientBalance",
  insufficientPerpMargin: "insufficientBalance",
  belowMinNotional: "riskLimit",
});

export const DECISION_SKIP_REASONS = Object.freeze(
  Object.keys(PERSISTED_SKIP_REASON) as DecisionSkipReason[],
);

export interface SkipDecision {
  readonly kind: "skip";
  readonly reason: DecisionSkipReason;
  /** What the edge is persisted with. */
  readonly persisted: SkipReason;
}

/** One order of a verdict, as it will be signed. */
export interface OrderLeg {
  readonly market: LegMarket;
  readonly side: OrderSide;
  /** Limit price on the exchange grid, canonical: the worst price this leg may fill at. */
  readonly limitPx: WireDecimal;
  /** Size in base units on the leg's lot, canonical. */
  readonly size: WireDecimal;
  /** The same size in lots (`10^-szDecimals`). */
  readonly lots: number;
  /** The same price in the leg's price units (`book/scales.ts`). */
  readonly limitPxUnits: number;
  /** Exits reduce the perp position only; entries and spot orders never are. */
  readonly reduceOnly: boolean;
}

/** Enter `direction` (or add to a position held in it): both legs as IOC orders. */
export interface OpenDecision {
  readonly kind: "open";
  readonly direction: EdgeDirection;
  readonly perp: OrderLeg;
  readonly spot: OrderLeg;
  /** The action's `expiresAfter`, epoch ms. */
  readonly expiresAfter: number;
  /** The edge's net bps at its VWAPs. */
  readonly edgeNetBps: number;
  /** Net bps if both legs fill entirely at their limit prices: the guaranteed worst case, ≥ the threshold. */
  readonly limitNetBps: number;
}

/**
 * - `converged`: the basis at the prices that close it is at most the close threshold;
 * - `maxHoldingTime`: held for the configured maximum;
 * - `adverseFunding`: funding paid by the position reached the configured rate.
 */
export type CloseReason = "converged" | "maxHoldingTime" | "adverseFunding";
export const CLOSE_REASONS: readonly CloseReason[] = ["converged", "maxHoldingTime", "adverseFunding"];

/** Take (part of) a held position off on both legs: the rich leg bought back, the cheap one sold. */
export interface CloseDecision {
  readonly kind: "close";
  readonly reason: CloseReason;
  /** The direction of the position being closed. */
  readonly direction: EdgeDirection;
  readonly perp: OrderLeg;
  readonly spot: OrderLeg;
  readonly expiresAfter: number;
}

/**
 * - `liquidationDistance`: the perp liquidation price came closer than the minimum distance;
 * - `kill`: the kill switch asked to flatten.
 */
export type UnwindReason = "liquidationDistance" | "kill";
export const UNWIND_REASONS: readonly UnwindReason[] = ["liquidationDistance", "kill"];

/**
 * Flatten the whole held position on both legs together, priced off the current (possibly stale) books with
 * the forced-exit band; the rest of an order the visible depth cannot fill dies with the IOC and is unwound
 * on a later frame. A leg is null when the position holds nothing on it.
 */
export interface UnwindDecision {
  readonly kind: "unwind";
  readonly reason: UnwindReason;
  readonly direction: EdgeDirection;
  readonly perp: OrderLeg | null;
  readonly spot: OrderLeg | null;
  readonly expiresAfter: number;
}

export type Decision = SkipDecision | OpenDecision | CloseDecision | UnwindDecision;

function skipOf(reason: DecisionSkipReason): SkipDecision {
  return Object.freeze({ kind: "skip", reason, persisted: PERSISTED_SKIP_REASON[reason] });
}

/** The one skip verdict of each reason. */
export const SKIP: { readonly [R in DecisionSkipReason]: SkipDecision } = Object.freeze(
  Object.fromEntries(DECISION_SKIP_REASONS.map((reason) => [reason, skipOf(reason)])) as {
    [R in DecisionSkipReason]: SkipDecision;
  },
);
