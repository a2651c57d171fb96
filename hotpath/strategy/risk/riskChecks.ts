/**
 * The risk checks as pure functions of the risk state, the limits and the time: each returns the first
 * failing limit as a typed reason the dashboard can show (`RiskBlock`), or null when all pass. No
 * allocation: reasons are string constants.
 *
 * Which checks apply to what (`decide` calls them in this order):
 * - every order: an unknown order outcome, the kill switch;
 * - new risk (an open, or adding to a position): pause, the daily loss limit, then the throttles (open
 *   intents, orders per minute, cool-down after a trade and after a rejection), the liquidation distance,
 *   the clip, and at the limit prices the position notional (`orderChecks.ts`);
 * - closes: orders per minute and the cool-down after a rejection only (reducing risk is never blocked by
 *   the limits on taking it);
 * - unwinds (liquidation distance breached, kill with flatten): nothing but an unknown outcome — they are the
 *   safety action itself.
 */

import { dailyLossReached } from "./dailyLoss.js";
import type { MarketRiskLimits } from "./riskLimits.js";
import type { AccountRiskView, Clock, MarketRiskView } from "./riskState.js";

export type RiskBlock =
  | "outcomeUnknown"
  | "killed"
  | "paused"
  | "dailyLossLimit"
  | "maxOpenIntents"
  | "ordersPerMinute"
  | "coolDownAfterTrade"
  | "coolDownAfterRejection"
  | "liquidationDistance"
  | "maxClip"
  | "maxPositionNotional";

export const RISK_BLOCKS: readonly RiskBlock[] = [
  "outcomeUnknown",
  "killed",
  "paused",
  "dailyLossLimit",
  "maxOpenIntents",
  "ordersPerMinute",
  "coolDownAfterTrade",
  "coolDownAfterRejection",
  "liquidationDistance",
  "maxClip",
  "maxPositionNotional",
];

/** Orders of one two-leg intent: the unit of the rate limit. */
export const ORDERS_PER_INTENT = 2;

/** Account-wide halts of new risk: outcome unknown, killed, paused, daily loss limit. */
export function newRiskHalt(
  account: AccountRiskView,
  limits: MarketRiskLimits,
  clock: Clock,
): RiskBlock | null {
  if (account.outcomeUnknown) return "outcomeUnknown";
  if (account.killed) return "killed";
  if (account.paused) return "paused";
  if (dailyLossReached(account, limits, clock)) return "dailyLossLimit";
  return null;
}

/**
 * Throttles on sending `orders` more orders for a market: open intents and the trade cool-down (new risk
 * only, `newRisk`), orders per minute and the rejection cool-down (every order).
 */
export function throttle(
  account: AccountRiskView,
  market: MarketRiskView,
  limits: MarketRiskLimits,
  clock: Clock,
  orders: number,
  newRisk: boolean,
): RiskBlock | null {
  if (newRisk && account.openIntents >= limits.maxOpenIntents) return "maxOpenIntents";
  if (account.orders.countInWindow(clock) + orders > limits.ordersPerMinute) return "ordersPerMinute";
  const nowMs = clock.nowMs;
  if (newRisk && nowMs - market.lastTradeAtMs < limits.coolDownAfterTradeMs) return "coolDownAfterTrade";
  if (nowMs - market.lastRejectionAtMs < limits.coolDownAfterRejectionMs) return "coolDownAfterRejection";
  return null;
}

/**
 * - `ok`: at least the minimum distance (or no perp position: +∞);
 * - `unknown`: the distance is not known (NaN): no new risk, nothing to unwind on that evidence;
 * - `unwindBoth`: closer than the minimum: unwind both legs of a held position together; no new risk.
 */
export type LiquidationVerdict = "ok" | "unknown" | "unwindBoth";

export function liquidationVerdict(market: MarketRiskView, limits: MarketRiskLimits): LiquidationVerdict {
  const distance = market.liquidationDistancePct;
  if (Number.isNaN(distance)) return "unknown";
  return distance < limits.minLiquidationDistancePct ? "unwindBoth" : "ok";
}

/** The clip limit on an order's quantity on either leg (quantity units). */
export function clipBlock(perpQty: number, spotQty: number, limits: MarketRiskLimits): RiskBlock | null {
  return perpQty > limits.maxClipQty || spotQty > limits.maxClipQty ? "maxClip" : null;
}
