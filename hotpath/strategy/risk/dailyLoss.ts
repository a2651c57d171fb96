/**
 * The daily loss limit's day: the UTC calendar day, so the limit resets at 00:00 UTC whatever the host's
 * time zone. The accounting stamps its running PnL with the UTC day it belongs to; a PnL stamped with
 * another day than today's is not today's loss (the accounting has not rolled over yet) and halts nothing.
 */

import type { MarketRiskLimits } from "./riskLimits.js";
import type { AccountRiskView, Clock } from "./riskState.js";

export const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 UTC of the epoch time `epochMs`. */
export function utcDayOf(epochMs: number): number {
  return Math.floor(epochMs / MS_PER_DAY);
}

/**
 * Whether today's loss has reached the limit: the account's day PnL (negative = loss, fees and funding
 * included) counts when it is stamped with today's UTC day. Reaching the limit exactly halts.
 */
export function dailyLossReached(
  account: Pick<AccountRiskView, "dailyPnlMicroUsdc" | "dailyPnlUtcDay">,
  limits: Pick<MarketRiskLimits, "dailyLossLimitMicroUsdc">,
  clock: Clock,
): boolean {
  return (
    account.dailyPnlUtcDay === utcDayOf(clock.nowMs) &&
    -account.dailyPnlMicroUsdc >= limits.dailyLossLimitMicroUsdc
  );
}
