/**
 * The integer scales a leg's book is held at, derived once per market from the exchange's grid rules
 * (PROTOCOL §8.1), so that every price, size and price × size product on the hot path is an exact integer
 * in a JS number.
 *
 * - Price units: `10^-priceDecimals` USDC with `priceDecimals = (6 perp | 8 spot) − szDecimals`
 *   (`maxPriceDecimals`). Every valid price has at most that many decimals, so it converts exactly
 *   (HYPE: perp 4, spot 6 decimals) up to 2^53 price units (HYPE: ≈ $9·10^11 perp, ≈ $9·10^9 spot); a
 *   larger (integer) price is refused by the conversion, never rounded.
 * - Size units (lots): `10^-szDecimals` of the base token (HYPE: 0.01).
 * - Notional units: a product `price units × lots` is in `10^-(priceDecimals + szDecimals)` USDC, i.e.
 *   `10^-6` on perps and `10^-8` on spot whatever the coin's szDecimals.
 *
 * Exactness bound: an integer held in a double is exact up to 2^53 − 1 (`Number.MAX_SAFE_INTEGER`), and
 * integer addition and multiplication stay exact while their results stay below it. Every walk over a book
 * (`edge/bookWalk.ts`) accumulates notional in these units and checks the running sum against
 * `MAX_SAFE_INTEGER`; the sum is bounded by the clip's notional, so the bound is
 * `maxExactNotionalUsdc` ≈ $9.0·10^9 per perp walk and ≈ $9.0·10^7 per spot walk — four orders of
 * magnitude above any clip this bot places. Past it the walk reports an overflow instead of a rounded value.
 */

import { maxPriceDecimals, type MarketKind } from "../exchange/decimal/grid.js";
import type { BasisMarket } from "../exchange/registry/market.js";

/** `10^0 … 10^22`: every entry is exact as a double. */
export const POWERS_OF_TEN: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

export function powerOfTen(exponent: number): number {
  const value = POWERS_OF_TEN[exponent];
  if (value === undefined) throw new RangeError(`10^${exponent} is not an exact double`);
  return value;
}

/** The integer scales of one leg. Built by `legScales`; immutable. */
export interface LegScales {
  readonly market: MarketKind;
  /** Decimals of a price unit (HYPE: perp 4, spot 6). */
  readonly priceDecimals: number;
  /** Decimals of a lot, the exchange's `szDecimals` (HYPE: 2). */
  readonly sizeDecimals: number;
  /** `priceDecimals + sizeDecimals`: decimals of a notional unit (6 perp, 8 spot). */
  readonly notionalDecimals: number;
  /** `10^priceDecimals`: price units per USDC. */
  readonly priceScale: number;
  /** `10^sizeDecimals`: lots per base unit. */
  readonly sizeScale: number;
  /** `10^notionalDecimals`: notional units per USDC. */
  readonly notionalScale: number;
  /** Largest notional (USDC) a walk can sum exactly: `MAX_SAFE_INTEGER / notionalScale`. */
  readonly maxExactNotionalUsdc: number;
}

export function legScales(market: MarketKind, szDecimals: number): LegScales {
  const priceDecimals = maxPriceDecimals({ market, szDecimals });
  const notionalDecimals = priceDecimals + szDecimals;
  const notionalScale = powerOfTen(notionalDecimals);
  return Object.freeze({
    market,
    priceDecimals,
    sizeDecimals: szDecimals,
    notionalDecimals,
    priceScale: powerOfTen(priceDecimals),
    sizeScale: powerOfTen(szDecimals),
    notionalScale,
    maxExactNotionalUsdc: Number.MAX_SAFE_INTEGER / notionalScale,
  });
}

/** Both legs of one market, plus the common quantity scale used to compare sizes across legs. */
export interface MarketScales {
  readonly perp: LegScales;
  readonly spot: LegScales;
  /**
   * Decimals of a "quantity unit": the finer of the two lots, so that a quantity on either leg's lot is a
   * whole number of quantity units (HYPE: 2, both lots are 0.01).
   */
  readonly qtyDecimals: number;
  /** Quantity units per perp lot (`10^(qtyDecimals − perp.sizeDecimals)`). */
  readonly perpLotQty: number;
  /** Quantity units per spot lot. */
  readonly spotLotQty: number;
}

export function marketScales(perpSzDecimals: number, spotSzDecimals: number): MarketScales {
  const qtyDecimals = Math.max(perpSzDecimals, spotSzDecimals);
  return Object.freeze({
    perp: legScales("perp", perpSzDecimals),
    spot: legScales("spot", spotSzDecimals),
    qtyDecimals,
    perpLotQty: powerOfTen(qtyDecimals - perpSzDecimals),
    spotLotQty: powerOfTen(qtyDecimals - spotSzDecimals),
  });
}

export function marketScalesOf(market: BasisMarket): MarketScales {
  return marketScales(market.perp.szDecimals, market.spot.szDecimals);
}
