/**
 * The risk gate's limits on one entry, as the edge computation takes them: integers in the units the walks
 * use, supplied by the caller (the risk module reads positions and balances; this module does no I/O).
 *
 * A limit of `Number.POSITIVE_INFINITY` means "none". `riskCapFromDecimals` converts the decimals the risk
 * module holds, rounding every limit down so that the edge never sizes above a limit.
 */

import {
  parseDecimal,
  roundToDecimals,
  sign,
  toScaledBigInt,
  type Decimal,
} from "../exchange/decimal/decimal.js";
import type { MarketScales } from "../book/scales.js";
import { EdgeInputError } from "./errors.js";

/** Decimals of a micro-USDC, the unit of the USDC limits. */
export const MICRO_USDC_DECIMALS = 6;

export interface EdgeRiskCap {
  /** Largest entry quantity on either leg, in quantity units (`10^-qtyDecimals` base). */
  readonly maxQty: number;
  /** Notional each leg may still add under the position limit, in micro-USDC. */
  readonly notionalHeadroomMicroUsdc: number;
  /** USDC on the spot account a spot buy may spend, in micro-USDC (the buy's fee is paid in the base token). */
  readonly spotQuoteAvailableMicroUsdc: number;
  /** Base token on the spot account a spot sell may sell, in quantity units. */
  readonly spotBaseAvailableQty: number;
}

export const NO_RISK_CAP: EdgeRiskCap = Object.freeze({
  maxQty: Number.POSITIVE_INFINITY,
  notionalHeadroomMicroUsdc: Number.POSITIVE_INFINITY,
  spotQuoteAvailableMicroUsdc: Number.POSITIVE_INFINITY,
  spotBaseAvailableQty: Number.POSITIVE_INFINITY,
});

/** The same limits as decimal strings in natural units (base token, USDC); `null` = no limit. */
export interface RiskCapDecimals {
  readonly maxClip: string | null;
  readonly notionalHeadroomUsdc: string | null;
  readonly spotQuoteAvailableUsdc: string | null;
  readonly spotBaseAvailable: string | null;
}

function toUnitsDown(text: string | null, decimals: number, input: string): number {
  if (text === null) return Number.POSITIVE_INFINITY;
  let value: Decimal;
  try {
    value = parseDecimal(text);
  } catch {
    throw new EdgeInputError("decimal", input, text, "not a plain decimal");
  }
  // A negative headroom or balance (e.g. over the limit already) allows nothing.
  if (sign(value) <= 0) return 0;
  const units = Number(toScaledBigInt(roundToDecimals(value, decimals, "down"), decimals));
  if (!Number.isSafeInteger(units)) {
    throw new EdgeInputError(
      "range",
      input,
      text,
      "too large for exact integer units; use null for no limit",
    );
  }
  return units;
}

export function riskCapFromDecimals(limits: RiskCapDecimals, scales: MarketScales): EdgeRiskCap {
  return Object.freeze({
    maxQty: toUnitsDown(limits.maxClip, scales.qtyDecimals, "maxClip"),
    notionalHeadroomMicroUsdc: toUnitsDown(
      limits.notionalHeadroomUsdc,
      MICRO_USDC_DECIMALS,
      "notionalHeadroomUsdc",
    ),
    spotQuoteAvailableMicroUsdc: toUnitsDown(
      limits.spotQuoteAvailableUsdc,
      MICRO_USDC_DECIMALS,
      "spotQuoteAvailableUsdc",
    ),
    spotBaseAvailableQty: toUnitsDown(limits.spotBaseAvailable, scales.qtyDecimals, "spotBaseAvailable"),
  });
}
