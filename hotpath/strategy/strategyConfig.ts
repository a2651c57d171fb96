/**
 * The strategy's settings: `StrategyConfig`, plain data with documented defaults (no schema library: the
 * process config validates its own input and hands the values over), and `MarketStrategy`, the same settings
 * compiled for one market into the numbers and integer units `decide` compares against per frame.
 *
 * Bps values are decimal strings like the process config's (`"15"`); they become doubles here because they
 * are compared with the edge's bps, which are doubles. Money and sizes become exact integers.
 */

import type { MarketScales } from "../book/scales.js";
import type { GridSpec } from "../exchange/decimal/grid.js";
import { parseDecimal } from "../exchange/decimal/decimal.js";
import { MICRO_USDC_DECIMALS } from "../edge/riskCap.js";
import { StrategyConfigError } from "./errors.js";
import {
  DEFAULT_RISK_LIMITS,
  marketRiskLimits,
  unitsDown,
  type MarketRiskLimits,
  type RiskLimits,
} from "./risk/riskLimits.js";

const BPS_PER_UNIT = 10_000;
const MS_PER_HOUR = 3_600_000;

export interface StrategyConfig {
  /**
   * Open when the edge's net bps (after fees, funding over the horizon and the exit cost) reach this, and
   * a full fill at the limit prices still does: the limits are the worst prices meeting it. Default `"15"`.
   */
  readonly openThresholdBps: string;
  /**
   * Close a held position once its basis at the prices that close it (the rich leg bought back, the cheap
   * one sold, every lot at the deepest level needed) is at most this many bps. Below the open threshold.
   * Default `"3"`.
   */
  readonly closeThresholdBps: string;
  /** One clip, in base units (the edge computation sizes with it; `decide` checks it against the limit). Default `"1"`. */
  readonly clipSize: string;
  /**
   * How far beyond the deepest level a clip needs each limit may go, in bps of that price, even when the
   * edge budget would allow more: a bound on what a delayed order can fill at. Default `"50"`.
   */
  readonly maxSlippageBps: string;
  /**
   * The band for exits no budget prices (max holding time, adverse funding, unwinds): each limit this many
   * bps beyond the deepest level needed. Default `"30"`.
   */
  readonly forcedExitSlippageBps: string;
  /** Close when funding paid by the position reaches this many bps of notional per hour. Default `"1"` (8× the base interest rate). */
  readonly adverseFundingBpsPerHour: string;
  /** The `expiresAfter` of every action: this long after the decision, the exchange refuses it. Default 3000 ms. */
  readonly expiresAfterMs: number;
  /** Close a position held this long, whatever its basis. Default 24 h. */
  readonly maxHoldingMs: number;
  /**
   * No leg below this notional at its limit price, USDC. The exchange refuses orders under $10 and equality
   * is unverified (PROTOCOL §8.3), hence the margin. Default `"11"`.
   */
  readonly minOrderNotionalUsdc: string;
  /** The leverage the perp is set to: an order needs `notional / leverage` of perp withdrawable. Default 3. */
  readonly perpLeverage: number;
  readonly limits: RiskLimits;
}

export const DEFAULT_STRATEGY_CONFIG: StrategyConfig = Object.freeze({
  openThresholdBps: "15",
  closeThresholdBps: "3",
  clipSize: "1",
  maxSlippageBps: "50",
  forcedExitSlippageBps: "30",
  adverseFundingBpsPerHour: "1",
  expiresAfterMs: 3_000,
  maxHoldingMs: 24 * MS_PER_HOUR,
  minOrderNotionalUsdc: "11",
  perpLeverage: 3,
  limits: DEFAULT_RISK_LIMITS,
});

/** One market's compiled strategy; build with `compileStrategy`. Immutable. */
export interface MarketStrategy {
  readonly openThresholdBps: number;
  readonly closeThresholdBps: number;
  /** Fractions (50 bps = 0.005). */
  readonly maxSlippage: number;
  readonly forcedExitSlippage: number;
  /** Funding rate per hour (a fraction) paid by the position at which it is closed. */
  readonly adverseFundingPerHour: number;
  readonly expiresAfterMs: number;
  readonly maxHoldingMs: number;
  readonly minOrderNotionalMicroUsdc: number;
  readonly perpLeverage: number;
  readonly limits: MarketRiskLimits;
  readonly perpGrid: GridSpec;
  readonly spotGrid: GridSpec;
  readonly scales: MarketScales;
}

function bps(text: string, field: string, min: number, max: number): number {
  try {
    parseDecimal(text);
  } catch {
    throw new StrategyConfigError(field, text, "not a plain decimal (bps)");
  }
  const value = Number(text);
  if (!(value >= min && value < max)) {
    throw new StrategyConfigError(field, text, `must be at least ${min} and below ${max} bps`);
  }
  return value;
}

function milliseconds(value: number, field: string, min: number): number {
  if (!(Number.isSafeInteger(value) && value >= min)) {
    throw new StrategyConfigError(field, String(value), `must be a whole number of ms, at least ${min}`);
  }
  return value;
}

export function compileStrategy(config: StrategyConfig, scales: MarketScales): MarketStrategy {
  const openThresholdBps = bps(
    config.openThresholdBps,
    "strategy.openThresholdBps",
    -BPS_PER_UNIT,
    BPS_PER_UNIT,
  );
  const closeThresholdBps = bps(
    config.closeThresholdBps,
    "strategy.closeThresholdBps",
    -BPS_PER_UNIT / 2,
    BPS_PER_UNIT,
  );
  if (!(closeThresholdBps < openThresholdBps)) {
    throw new StrategyConfigError(
      "strategy.closeThresholdBps",
      config.closeThresholdBps,
      `must be below strategy.openThresholdBps (${config.openThresholdBps}), or positions churn`,
    );
  }
  // Both slippages stay below 100 %: a sell limit must stay a positive price.
  const maxSlippageBps = bps(config.maxSlippageBps, "strategy.maxSlippageBps", 0, BPS_PER_UNIT / 2);
  const forcedExitSlippageBps = bps(
    config.forcedExitSlippageBps,
    "strategy.forcedExitSlippageBps",
    0,
    BPS_PER_UNIT / 2,
  );
  const adverseFundingBps = bps(
    config.adverseFundingBpsPerHour,
    "strategy.adverseFundingBpsPerHour",
    0,
    BPS_PER_UNIT,
  );
  unitsDown(config.clipSize, scales.qtyDecimals, "strategy.clipSize");
  const perpLeverage = config.perpLeverage;
  if (!(Number.isSafeInteger(perpLeverage) && perpLeverage >= 1 && perpLeverage <= 100)) {
    throw new StrategyConfigError(
      "strategy.perpLeverage",
      String(perpLeverage),
      "must be a whole number from 1 to 100",
    );
  }
  return Object.freeze({
    openThresholdBps,
    closeThresholdBps,
    maxSlippage: maxSlippageBps / BPS_PER_UNIT,
    forcedExitSlippage: forcedExitSlippageBps / BPS_PER_UNIT,
    adverseFundingPerHour: adverseFundingBps / BPS_PER_UNIT,
    expiresAfterMs: milliseconds(config.expiresAfterMs, "strategy.expiresAfterMs", 1),
    maxHoldingMs: milliseconds(config.maxHoldingMs, "strategy.maxHoldingMs", 1),
    minOrderNotionalMicroUsdc: unitsDown(
      config.minOrderNotionalUsdc,
      MICRO_USDC_DECIMALS,
      "strategy.minOrderNotionalUsdc",
    ),
    perpLeverage,
    limits: marketRiskLimits(config.limits, scales),
    perpGrid: Object.freeze({ market: "perp", szDecimals: scales.perp.sizeDecimals }),
    spotGrid: Object.freeze({ market: "spot", szDecimals: scales.spot.sizeDecimals }),
    scales,
  });
}
