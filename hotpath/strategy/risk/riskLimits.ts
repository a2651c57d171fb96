/**
 * The risk limits: `RiskLimits` as configured (decimal strings in natural units, like `config.risk`), and
 * `MarketRiskLimits`, the same limits in the exact integer units the per-frame checks compare against,
 * converted once per market off the hot path.
 *
 * Every conversion rounds toward the stricter limit: sizes and notionals down, so that no order passes a
 * limit its decimal form would refuse.
 */

import type { MarketScales } from "../../book/scales.js";
import {
  formatDecimal,
  parseDecimal,
  roundToDecimals,
  sign,
  toScaledBigInt,
  type Decimal,
} from "../../exchange/decimal/decimal.js";
import { MICRO_USDC_DECIMALS } from "../../edge/riskCap.js";
import { StrategyConfigError } from "../errors.js";

export interface RiskLimits {
  /** Largest order on either leg, in base units of the coin. Default `"5"`. */
  readonly maxClip: string;
  /** Largest position per coin on either leg, USDC notional at the order's limit price. Default `"1000"`. */
  readonly maxPositionNotionalUsdc: string;
  /** Intents (open or close) unresolved at once, over all markets; a new open needs one free. Default 2. */
  readonly maxOpenIntents: number;
  /** Orders sent in any sliding 60 s window, over all markets (each leg is one order). Default 60. */
  readonly ordersPerMinute: number;
  /**
   * Loss since 00:00 UTC (realised, fees and funding included, plus whatever unrealised PnL the accounting
   * marks) at which new risk stops, USDC. Default `"50"`.
   */
  readonly dailyLossLimitUsdc: string;
  /**
   * Perp liquidation price closer to the mark than this, in % of the mark: no new risk, and a held position
   * is unwound on both legs together. Default `"20"`.
   */
  readonly minLiquidationDistancePct: string;
  /** No new open on a market for this long after its last trade, ms. Default 1000. */
  readonly coolDownAfterTradeMs: number;
  /** No order on a market for this long after an order of it was rejected, ms. Default 10 000. */
  readonly coolDownAfterRejectionMs: number;
}

export const DEFAULT_RISK_LIMITS: RiskLimits = Object.freeze({
  maxClip: "5",
  maxPositionNotionalUsdc: "1000",
  maxOpenIntents: 2,
  ordersPerMinute: 60,
  dailyLossLimitUsdc: "50",
  minLiquidationDistancePct: "20",
  coolDownAfterTradeMs: 1_000,
  coolDownAfterRejectionMs: 10_000,
});

/** The limits of one market in integer units (`book/scales.ts`); build with `marketRiskLimits`. */
export interface MarketRiskLimits {
  /** Quantity units (`10^-qtyDecimals` base). */
  readonly maxClipQty: number;
  readonly maxPositionNotionalMicroUsdc: number;
  readonly maxOpenIntents: number;
  readonly ordersPerMinute: number;
  readonly dailyLossLimitMicroUsdc: number;
  /** A percentage (20 = 20 %): a ratio, compared with the caller's computed distance. */
  readonly minLiquidationDistancePct: number;
  readonly coolDownAfterTradeMs: number;
  readonly coolDownAfterRejectionMs: number;
}

function positiveDecimal(text: string, field: string): Decimal {
  let value: Decimal;
  try {
    value = parseDecimal(text);
  } catch {
    throw new StrategyConfigError(field, text, "not a plain decimal");
  }
  if (sign(value) <= 0) throw new StrategyConfigError(field, text, "must be above 0");
  return value;
}

/** `text` in units of `10^-decimals`, rounded down; at least one unit and exact as a double. */
export function unitsDown(text: string, decimals: number, field: string): number {
  const units = Number(
    toScaledBigInt(roundToDecimals(positiveDecimal(text, field), decimals, "down"), decimals),
  );
  if (units < 1) throw new StrategyConfigError(field, text, `below one unit of 10^-${decimals}`);
  if (!Number.isSafeInteger(units)) throw new StrategyConfigError(field, text, "too large for exact units");
  return units;
}

function wholeNumber(value: number, field: string, min: number, max: number): number {
  if (!(Number.isSafeInteger(value) && value >= min && value <= max)) {
    throw new StrategyConfigError(field, String(value), `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

export function marketRiskLimits(limits: RiskLimits, scales: MarketScales): MarketRiskLimits {
  // A ratio compared with the caller's computed distance, not money: a double is exact enough.
  const liquidationPct = Number(
    formatDecimal(positiveDecimal(limits.minLiquidationDistancePct, "risk.minLiquidationDistancePct")),
  );
  if (!(liquidationPct < 100)) {
    throw new StrategyConfigError(
      "risk.minLiquidationDistancePct",
      limits.minLiquidationDistancePct,
      "must be below 100",
    );
  }
  // Both legs trade whole lots of the coarser lot, so the clip limit is kept on it.
  const coarseLotQty = Math.max(scales.perpLotQty, scales.spotLotQty);
  const maxClipQty = unitsDown(limits.maxClip, scales.qtyDecimals, "risk.maxClip");
  if (maxClipQty < coarseLotQty) {
    throw new StrategyConfigError("risk.maxClip", limits.maxClip, "below one lot of the coarser leg");
  }
  return Object.freeze({
    maxClipQty: Math.floor(maxClipQty / coarseLotQty) * coarseLotQty,
    maxPositionNotionalMicroUsdc: unitsDown(
      limits.maxPositionNotionalUsdc,
      MICRO_USDC_DECIMALS,
      "risk.maxPositionNotionalUsdc",
    ),
    maxOpenIntents: wholeNumber(limits.maxOpenIntents, "risk.maxOpenIntents", 1, 1_000),
    ordersPerMinute: wholeNumber(limits.ordersPerMinute, "risk.ordersPerMinute", 2, 100_000),
    dailyLossLimitMicroUsdc: unitsDown(
      limits.dailyLossLimitUsdc,
      MICRO_USDC_DECIMALS,
      "risk.dailyLossLimitUsdc",
    ),
    minLiquidationDistancePct: liquidationPct,
    coolDownAfterTradeMs: wholeNumber(
      limits.coolDownAfterTradeMs,
      "risk.coolDownAfterTradeMs",
      0,
      86_400_000,
    ),
    coolDownAfterRejectionMs: wholeNumber(
      limits.coolDownAfterRejectionMs,
      "risk.coolDownAfterRejectionMs",
      0,
      86_400_000,
    ),
  });
}
