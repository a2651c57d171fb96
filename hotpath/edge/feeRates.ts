/**
 * The account's fee rates as exact integers of `10^-8` (a rate of 0.045 % = 0.00045 is 45 000), from
 * `userFees` or, when that cannot be read, the config's fallback in bps (PROTOCOL §9.1).
 *
 * Why integers: the perp hedge of a spot buy is `truncateToLot(spotQty × (1 − spotTakerRate))` (the buy's
 * fee is taken in the base token, §9.2), and truncating to the lot must be exact; with the rate in 10^-8
 * units that is one integer product and one exact floor division. Rates with more than 8 decimals (e.g.
 * after several discounts) are rounded up, so the edge never assumes a cheaper fee than charged.
 */

import {
  mul,
  parseDecimal,
  roundToDecimals,
  toScaledBigInt,
  type Decimal,
} from "../exchange/decimal/decimal.js";
import type { UserFees } from "../exchange/wire/info.js";
import { EdgeInputError } from "./errors.js";

/** Decimals of a fee-rate unit. */
export const FEE_RATE_DECIMALS = 8;
/** Fee-rate units per 1 (a rate of 1 = 100 %). */
export const FEE_RATE_SCALE = 100_000_000;

/** Rates in `10^-8` units. Taker rates are ≥ 0; maker rates may be negative (rebates). */
export interface FeeRates {
  readonly perpTaker: number;
  readonly perpMaker: number;
  readonly spotTaker: number;
  readonly spotMaker: number;
}

/** The config's `strategy.feeFallbackBps` (decimal strings in bps). */
export interface FeeBps {
  readonly perpTaker: string;
  readonly perpMaker: string;
  readonly spotTaker: string;
  readonly spotMaker: string;
}

const BPS = parseDecimal("0.0001");

function toRateUnits(rate: Decimal, input: string, text: string, taker: boolean): number {
  const units = Number(toScaledBigInt(roundToDecimals(rate, FEE_RATE_DECIMALS, "up"), FEE_RATE_DECIMALS));
  if (!(units < FEE_RATE_SCALE && (taker ? units >= 0 : units > -FEE_RATE_SCALE))) {
    throw new EdgeInputError("range", input, text, "fee rate out of range");
  }
  return units;
}

function parseRate(text: string, input: string): Decimal {
  try {
    return parseDecimal(text);
  } catch {
    throw new EdgeInputError("decimal", input, text, "not a plain decimal");
  }
}

export function feeRatesFromBps(bps: FeeBps, input = "strategy.feeFallbackBps"): FeeRates {
  const rate = (text: string, name: string, taker: boolean): number =>
    toRateUnits(mul(parseRate(text, `${input}.${name}`), BPS), `${input}.${name}`, text, taker);
  return Object.freeze({
    perpTaker: rate(bps.perpTaker, "perpTaker", true),
    perpMaker: rate(bps.perpMaker, "perpMaker", false),
    spotTaker: rate(bps.spotTaker, "spotTaker", true),
    spotMaker: rate(bps.spotMaker, "spotMaker", false),
  });
}

/** `userCrossRate` (perp taker), `userAddRate`, `userSpotCrossRate`, `userSpotAddRate`. */
export function feeRatesFromUserFees(fees: UserFees): FeeRates {
  const rate = (text: string, name: string, taker: boolean): number =>
    toRateUnits(parseRate(text, `userFees.${name}`), `userFees.${name}`, text, taker);
  return Object.freeze({
    perpTaker: rate(fees.userCrossRate, "userCrossRate", true),
    perpMaker: rate(fees.userAddRate, "userAddRate", false),
    spotTaker: rate(fees.userSpotCrossRate, "userSpotCrossRate", true),
    spotMaker: rate(fees.userSpotAddRate, "userSpotAddRate", false),
  });
}
