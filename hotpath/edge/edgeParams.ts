/**
 * The non-book inputs of an edge computation: the clip, the fee rates, the funding expectation and the risk
 * cap, in the integer units the computation uses. Built off the hot path (at start-up and whenever fees,
 * funding or the risk limits change); the per-frame computation only reads it.
 */

import type { MarketScales } from "../book/scales.js";
import type { Config } from "../config/index.js";
import {
  parseDecimal,
  roundToDecimals,
  sign,
  toScaledBigInt,
  type Decimal,
} from "../exchange/decimal/decimal.js";
import { EdgeInputError } from "./errors.js";
import { feeRatesFromBps, type FeeRates } from "./feeRates.js";
import type { EdgeRiskCap } from "./riskCap.js";

const MS_PER_HOUR = 3_600_000;

export interface EdgeParams {
  /** The configured clip, in quantity units, on both legs' lots. */
  readonly clipQty: number;
  readonly fees: FeeRates;
  /** The hourly funding rate as a fraction (0.0000125 = 0.00125 %/h); positive: longs pay shorts (§9.3). */
  readonly fundingRatePerHour: number;
  /** Expected holding time, in hours, over which funding accrues. */
  readonly holdingHours: number;
  /** Oracle price (USDC) funding is paid on; NaN = the spot mid (HYPE's oracle is HL's own spot, §9.4). */
  readonly oraclePx: number;
  readonly riskCap: EdgeRiskCap;
}

/**
 * A clip size in base units → quantity units, truncated to the coarser of the two lots (both legs trade
 * whole lots). Throws `EdgeInputError` when it truncates to zero or is too large.
 */
export function clipQtyOf(clipSize: string, scales: MarketScales, input = "strategy.clipSize"): number {
  let value: Decimal;
  try {
    value = parseDecimal(clipSize);
  } catch {
    throw new EdgeInputError("decimal", input, clipSize, "not a plain decimal");
  }
  const lotDecimals = Math.min(scales.perp.sizeDecimals, scales.spot.sizeDecimals);
  const lotQty = Math.max(scales.perpLotQty, scales.spotLotQty);
  const lots =
    sign(value) <= 0 ? 0 : Number(toScaledBigInt(roundToDecimals(value, lotDecimals, "down"), lotDecimals));
  const qty = lots * lotQty;
  if (lots === 0) {
    throw new EdgeInputError("size", input, clipSize, `below one lot (${lotDecimals} decimals)`);
  }
  if (!Number.isSafeInteger(qty)) throw new EdgeInputError("range", input, clipSize, "too large");
  return qty;
}

/** What the strategy config contributes; the rest comes from the account and the market. */
export interface EdgeMarketInputs {
  /** Rates from `userFees`; null = the config's fallback. */
  readonly fees: FeeRates | null;
  readonly fundingRatePerHour: number;
  readonly oraclePx: number;
  readonly riskCap: EdgeRiskCap;
}

export function edgeParamsFromConfig(
  strategy: Config["strategy"],
  scales: MarketScales,
  inputs: EdgeMarketInputs,
): EdgeParams {
  return Object.freeze({
    clipQty: clipQtyOf(strategy.clipSize, scales),
    fees: inputs.fees ?? feeRatesFromBps(strategy.feeFallbackBps),
    fundingRatePerHour: inputs.fundingRatePerHour,
    holdingHours: strategy.holdingHorizonMs / MS_PER_HOUR,
    oraclePx: inputs.oraclePx,
    riskCap: inputs.riskCap,
  });
}
