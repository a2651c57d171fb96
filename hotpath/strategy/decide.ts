/**
 * The decision for one edge — one direction of one market, as the hot path computed it this frame — as a
 * pure function of the edge, the books, the position, the risk state, the balances and the strategy: the
 * same code decides in sim, paper and live, and does no I/O. The executor acts on the verdict; the edge is
 * persisted with it (traded, or skipped with `verdict.persisted`).
 *
 * Order of evaluation (the first that applies decides, so the recorded reason is the binding one):
 * 1. Any order's outcome unknown → skip `outcomeUnknown` (nothing is sent while the position is uncertain).
 * 2. Killed → skip, unless the kill asked to flatten and a position is held in this direction.
 * 3. An intent of this market in flight → skip `orderInFlight`; then a kill's flatten → unwind (`kill`).
 * 4. A position held in the other direction → skip `oppositePosition` (its own direction's edge closes it).
 * 5. A position held in this direction: liquidation distance breached → unwind both legs; then, on fresh
 *    books, the close rules (`closeRules.ts`) → close, subject to the rate limit and the rejection cool-down.
 *    No rule → on to 6 (adding to the position is an open like any other).
 * 6. Open: pause, daily loss, breaker, edge status, threshold, throttles, liquidation distance, clip; then the
 *    limit prices (`limitPrices.ts`) and, at those prices, position notional, minimum order value, balances.
 *
 * Allocation: every skip is a preallocated constant, and the work before it (including the per-frame
 * convergence check of a held position) writes only into module-level scratch objects. `decide` is
 * therefore not re-entrant, which the single-threaded hot path never needs. Only a verdict allocates.
 */

import type { MarketScales } from "../book/scales.js";
import type { BookView } from "../edge/computeEdge.js";
import type { EdgeDirection } from "../edge/direction.js";
import type { EdgeParams } from "../edge/edgeParams.js";
import type { EdgeScratch } from "../edge/edgeScratch.js";
import { fundingAgainst, heldTooLong, sizeClose } from "./closeRules.js";
import {
  SKIP,
  type CloseDecision,
  type CloseReason,
  type Decision,
  type OpenDecision,
  type UnwindDecision,
  type UnwindReason,
} from "./decision.js";
import {
  budgetSlack,
  LimitScratch,
  limitNetBps,
  measureDepth,
  placeBuy,
  placeLimits,
  placeSell,
  setConvergenceBudget,
  setForcedExit,
  setOpenBudget,
} from "./limitPrices.js";
import {
  balanceBlock,
  fillPlan,
  minNotionalBlock,
  OrderPlan,
  orderLeg,
  positionNotionalBlock,
  type BalancesView,
} from "./orderPlan.js";
import type { PositionView } from "./position.js";
import { clipBlock, liquidationVerdict, ORDERS_PER_INTENT, throttle } from "./risk/riskChecks.js";
import { dailyLossReached } from "./risk/dailyLoss.js";
import type { AccountRiskView, Clock, MarketRiskView } from "./risk/riskState.js";
import { sellingLeg } from "./sides.js";
import type { MarketStrategy } from "./strategyConfig.js";

/** What `decide` reads of an edge; an `EdgeScratch` (from `EdgeCalculator`) is one, no record needed. */
export type DecisionEdge = Pick<
  EdgeScratch,
  | "direction"
  | "status"
  | "netBps"
  | "perpLots"
  | "spotLots"
  | "hedgedQty"
  | "perpVwap"
  | "spotVwap"
  | "exitFeeBps"
  | "exitCrossingBps"
  | "fundingBps"
>;

/** Both legs' books; a `MarketBooks` is one. */
export interface MarketBooksView {
  readonly perp: BookView;
  readonly spot: BookView;
  readonly scales: MarketScales;
}

/**
 * Everything but the edge and the strategy, for one market. The caller keeps one per market and updates its
 * fields in place (no allocation per frame).
 */
export interface DecisionContext extends Clock {
  /** Wall-clock epoch ms, read once per frame: cool-downs, holding time, the UTC day, `expiresAfter`. */
  readonly nowMs: number;
  readonly books: MarketBooksView;
  /** The fees and current funding rate the edge was computed with (`EdgeCalculator.params`). */
  readonly params: Pick<EdgeParams, "fees" | "fundingRatePerHour">;
  /** The market's breaker reasons (`feed/breaker.ts`); 0 = books fresh and consistent. */
  readonly breakerReasons: number;
  readonly position: PositionView;
  readonly market: MarketRiskView;
  readonly account: AccountRiskView;
  readonly balances: BalancesView;
}

const limits = new LimitScratch();
const plan = new OrderPlan();

export function decide(edge: DecisionEdge, ctx: DecisionContext, strategy: MarketStrategy): Decision {
  const account = ctx.account;
  if (account.outcomeUnknown) return SKIP.outcomeUnknown;
  const direction = edge.direction;
  const held = ctx.position.direction;
  const flatten = account.killed && account.flattenOnKill && held === direction;
  if (account.killed && !flatten) return SKIP.killed;
  // A flatten too waits for the market's intent in flight: its fills change what there is to flatten.
  if (ctx.market.intentInFlight) return SKIP.orderInFlight;
  if (flatten) return unwind("kill", direction, ctx, strategy);
  if (held !== null && held !== direction) return SKIP.oppositePosition;
  if (held === direction) {
    const exit = decideExit(direction, ctx, strategy);
    if (exit !== null) return exit;
  }
  return decideOpen(edge, ctx, strategy, held === direction);
}

/** Step 5: null when no exit rule applies. */
function decideExit(
  direction: EdgeDirection,
  ctx: DecisionContext,
  strategy: MarketStrategy,
): Decision | null {
  if (liquidationVerdict(ctx.market, strategy.limits) === "unwindBoth") {
    return unwind("liquidationDistance", direction, ctx, strategy);
  }
  if (ctx.breakerReasons !== 0) return SKIP.stale;
  let reason: CloseReason | null = null;
  if (fundingAgainst(direction, ctx.params, strategy)) reason = "adverseFunding";
  else if (heldTooLong(ctx.position, ctx, strategy)) reason = "maxHoldingTime";

  const books = ctx.books;
  const scales = strategy.scales;
  const perpSells = sellingLeg(direction, "exit") === "perp";
  const sellBook = perpSells ? books.perp : books.spot;
  const buyBook = perpSells ? books.spot : books.perp;
  const sellScales = perpSells ? scales.perp : scales.spot;
  const buyScales = perpSells ? scales.spot : scales.perp;
  if (
    sizeClose(ctx.position, direction, books.perp, books.spot, strategy, limits) === 0 ||
    !measureDepth(sellBook.bids, buyBook.asks, limits, false)
  ) {
    return reason === null ? null : SKIP.notComputable;
  }
  if (reason === null) {
    setConvergenceBudget(limits, strategy);
    if (!budgetSlack(limits, sellScales, buyScales)) return null;
    reason = "converged";
  } else {
    setForcedExit(limits, strategy);
  }
  const blocked = throttle(ctx.account, ctx.market, strategy.limits, ctx, ORDERS_PER_INTENT, false);
  if (blocked !== null) return SKIP[blocked];
  if (!placeLimits(limits, sellScales, buyScales)) return SKIP.notComputable;
  fillPlan(plan, limits, direction, "exit");
  const orderBlocked =
    minNotionalBlock(plan, strategy) ?? balanceBlock(plan, ctx.balances, ctx.params.fees, strategy);
  if (orderBlocked !== null) return SKIP[orderBlocked];
  const verdict: CloseDecision = {
    kind: "close",
    reason,
    direction,
    perp: orderLeg(plan, "perp", strategy),
    spot: orderLeg(plan, "spot", strategy),
    expiresAfter: ctx.nowMs + strategy.expiresAfterMs,
  };
  return Object.freeze(verdict);
}

/**
 * Both legs of the held position at the forced-exit band around the deepest level each needs, the remainder
 * beyond the visible depth priced at the deepest level (it dies with the IOC). No throttle applies.
 */
function unwind(
  reason: UnwindReason,
  direction: EdgeDirection,
  ctx: DecisionContext,
  strategy: MarketStrategy,
): Decision {
  const position = ctx.position;
  const books = ctx.books;
  const scales = strategy.scales;
  const perpSells = sellingLeg(direction, "exit") === "perp";
  limits.sellLots = perpSells ? position.perpLots : position.spotLots;
  limits.buyLots = perpSells ? position.spotLots : position.perpLots;
  if (limits.sellLots === 0 && limits.buyLots === 0)
    return reason === "kill" ? SKIP.killed : SKIP.notComputable;
  const sellBook = perpSells ? books.perp : books.spot;
  const buyBook = perpSells ? books.spot : books.perp;
  if (!measureDepth(sellBook.bids, buyBook.asks, limits, true)) return SKIP.notComputable;
  setForcedExit(limits, strategy);
  if (limits.sellLots > 0 && !placeSell(limits, perpSells ? scales.perp : scales.spot))
    return SKIP.notComputable;
  if (limits.buyLots > 0 && !placeBuy(limits, perpSells ? scales.spot : scales.perp))
    return SKIP.notComputable;
  fillPlan(plan, limits, direction, "exit");
  const verdict: UnwindDecision = {
    kind: "unwind",
    reason,
    direction,
    perp: plan.perpLots > 0 ? orderLeg(plan, "perp", strategy) : null,
    spot: plan.spotLots > 0 ? orderLeg(plan, "spot", strategy) : null,
    expiresAfter: ctx.nowMs + strategy.expiresAfterMs,
  };
  return Object.freeze(verdict);
}

/** Step 6. */
function decideOpen(
  edge: DecisionEdge,
  ctx: DecisionContext,
  strategy: MarketStrategy,
  adding: boolean,
): Decision {
  const account = ctx.account;
  const riskLimits = strategy.limits;
  if (account.paused) return SKIP.paused;
  if (dailyLossReached(account, riskLimits, ctx)) return SKIP.dailyLossLimit;
  if (ctx.breakerReasons !== 0) return SKIP.stale;
  if (edge.status !== "ok") return SKIP.notComputable;
  if (!(edge.netBps >= strategy.openThresholdBps)) return SKIP.belowThreshold;
  const throttled = throttle(account, ctx.market, riskLimits, ctx, ORDERS_PER_INTENT, true);
  if (throttled !== null) return SKIP[throttled];
  if (liquidationVerdict(ctx.market, riskLimits) !== "ok") return SKIP.liquidationDistance;
  const scales = strategy.scales;
  if (clipBlock(edge.perpLots * scales.perpLotQty, edge.spotLots * scales.spotLotQty, riskLimits) !== null) {
    return SKIP.maxClip;
  }

  const direction = edge.direction;
  const books = ctx.books;
  const perpSells = sellingLeg(direction, "enter") === "perp";
  const sellScales = perpSells ? scales.perp : scales.spot;
  const buyScales = perpSells ? scales.spot : scales.perp;
  limits.sellLots = perpSells ? edge.perpLots : edge.spotLots;
  limits.buyLots = perpSells ? edge.spotLots : edge.perpLots;
  const sellSide = (perpSells ? books.perp : books.spot).bids;
  const buySide = (perpSells ? books.spot : books.perp).asks;
  if (!measureDepth(sellSide, buySide, limits, false)) return SKIP.notComputable;
  setOpenBudget(limits, edge, ctx.params.fees, strategy);
  if (!budgetSlack(limits, sellScales, buyScales) || !placeLimits(limits, sellScales, buyScales)) {
    return SKIP.limitBudget;
  }
  fillPlan(plan, limits, direction, "enter");
  const orderBlocked =
    positionNotionalBlock(plan, adding ? ctx.position : null, strategy) ??
    minNotionalBlock(plan, strategy) ??
    balanceBlock(plan, ctx.balances, ctx.params.fees, strategy);
  if (orderBlocked !== null) return SKIP[orderBlocked];
  const verdict: OpenDecision = {
    kind: "open",
    direction,
    perp: orderLeg(plan, "perp", strategy),
    spot: orderLeg(plan, "spot", strategy),
    expiresAfter: ctx.nowMs + strategy.expiresAfterMs,
    edgeNetBps: edge.netBps,
    limitNetBps: limitNetBps(limits, sellScales, buyScales),
  };
  return Object.freeze(verdict);
}
