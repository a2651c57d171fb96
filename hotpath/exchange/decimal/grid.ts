/**
 * The exchange's price and size grid (PROTOCOL §8): which prices and sizes an order may carry, and how to
 * move an intended value onto the grid without ever trading worse than intended or more than held.
 *
 * Rules [§8.1]: a price has at most 5 significant figures and at most `(6 perp | 8 spot) − szDecimals`
 * decimals, but an integer price is always valid; a size has at most `szDecimals` decimals.
 *
 * Design: instead of applying "decimal cap" and "5 significant figures" as two rounding steps (§8.4), we
 * compute the grid step of the decade the price lies in — `tick = 10^min(0, max(e − 4, −maxDecimals))`
 * where `e` is the power of ten of the leading digit — and round once to a multiple of it. Within a decade
 * the valid prices are exactly the multiples of that step, and the next power of ten is a multiple of it
 * too, so a single directed rounding lands on the nearest valid price in that direction, carries included
 * (`99.9995` up → `100`). The two forms agree below 100 000; above, the clamp to 1 keeps the nearest integer
 * where two-step truncation (and NK's `formatPrice`) goes to 5 significant figures and skips valid prices
 * (`123456.7` down → `123456` here, `123450` there). Both are accepted by the exchange.
 *
 * Prices must be positive. A price below the smallest tick that would round down to zero throws instead of
 * producing the meaningless price `"0"`. Sizes are magnitudes (non-negative); take `abs` of a signed
 * position first.
 *
 * Everything that goes on the wire comes back as a canonical `WireDecimal`; parse it with `parseDecimal` if
 * you need to compute with it.
 */

import type { WireDecimal } from "../wire/brands.js";
import {
  type Decimal,
  divide,
  formatDecimal,
  fromScaledBigInt,
  gte,
  leadingDigitExponent,
  mul,
  roundToDecimals,
  sign,
} from "./decimal.js";

export type MarketKind = "perp" | "spot";

/** The grid parameters of one market; `szDecimals` comes from `meta` / `spotMeta` (§4.1, §4.2). */
export interface GridSpec {
  readonly market: MarketKind;
  readonly szDecimals: number;
}

export type PriceDirection = "up" | "down";
export type Side = "buy" | "sell";
/** Aggressive: meant to take liquidity (IOC). Passive: meant to rest on the book (ALO). */
export type OrderStyle = "aggressive" | "passive";

export const MAX_PRICE_SIGNIFICANT_FIGURES = 5;
/** `MAX_DECIMALS` of §8.1, before subtracting `szDecimals`. */
export const MAX_PRICE_DECIMALS: Readonly<Record<MarketKind, number>> = { perp: 6, spot: 8 };
/** Both perps and spot reject orders below $10 / 10 USDC of value (§8.1). */
export const DEFAULT_MIN_NOTIONAL: Decimal = fromScaledBigInt(10n, 0);

export class GridError extends Error {
  override readonly name = "GridError";
  constructor(
    /**
     * `spec`: bad szDecimals; `price`: not positive, or rounds to zero; `size`: negative;
     * `notional`: non-positive minimum.
     */
    readonly kind: "spec" | "price" | "size" | "notional",
    /** The offending value as text. */
    readonly input: string,
    detail: string,
  ) {
    super(`${detail}: ${JSON.stringify(input)}`);
  }
}

function assertSzDecimals(szDecimals: number): void {
  if (!(Number.isInteger(szDecimals) && szDecimals >= 0)) {
    throw new GridError("spec", String(szDecimals), "szDecimals must be a non-negative integer");
  }
}

/** `(6 | 8) − szDecimals`, never below 0: a market with more size decimals trades integer prices. */
export function maxPriceDecimals(spec: GridSpec): number {
  assertSzDecimals(spec.szDecimals);
  return Math.max(0, MAX_PRICE_DECIMALS[spec.market] - spec.szDecimals);
}

/** Decimals of the grid step in the decade of `px` (the step is `10^-result`); `px` must be positive. */
function tickDecimals(px: Decimal, spec: GridSpec): number {
  const significantFigureStep = leadingDigitExponent(px) - (MAX_PRICE_SIGNIFICANT_FIGURES - 1);
  const stepExponent = Math.min(0, Math.max(significantFigureStep, -maxPriceDecimals(spec)));
  return -stepExponent;
}

function assertPositivePrice(px: Decimal): void {
  if (sign(px) <= 0) throw new GridError("price", formatDecimal(px), "price must be positive");
}

/**
 * The grid step in the decade containing `px`, i.e. the distance from a valid `px` to the next valid price
 * above. (Just below a power of ten the step down is finer: below `100` comes `99.999`.)
 */
export function tickAt(px: Decimal, spec: GridSpec): Decimal {
  assertPositivePrice(px);
  return fromScaledBigInt(1n, tickDecimals(px, spec));
}

export function isValidPrice(px: Decimal, spec: GridSpec): boolean {
  // Normalised decimals carry exactly `scale` decimals, so "on the grid" is "no finer than the step".
  return sign(px) > 0 && px.scale <= tickDecimals(px, spec);
}

/** The nearest valid price at or above (`"up"`) or at or below (`"down"`) `px`. */
export function roundPrice(px: Decimal, spec: GridSpec, direction: PriceDirection): WireDecimal {
  assertPositivePrice(px);
  const rounded = roundToDecimals(px, tickDecimals(px, spec), direction);
  if (sign(rounded) <= 0) {
    throw new GridError("price", formatDecimal(px), "price is below the smallest tick");
  }
  return formatDecimal(rounded);
}

/**
 * The limit price to send for an intended price, rounded so that the order is never worse for us than
 * intended in the way that matters for its style:
 * - aggressive buy rounds up and aggressive sell rounds down, so the limit still reaches the price we meant
 *   to take (at most one tick more generous);
 * - passive buy rounds down and passive sell rounds up, so a resting order never pays more / sells for less
 *   than intended and does not move toward crossing the spread.
 */
export function limitPrice(intended: Decimal, side: Side, style: OrderStyle, spec: GridSpec): WireDecimal {
  const roundsUp = (side === "buy") === (style === "aggressive");
  return roundPrice(intended, spec, roundsUp ? "up" : "down");
}

/**
 * `sz` truncated down to the lot (`szDecimals` decimals): never sell or hedge more than is held. May return
 * `"0"`; the order builder must refuse it, since a reduce-only order of size `"0"` closes the whole position
 * (§8.1).
 */
export function truncateSize(sz: Decimal, szDecimals: number): WireDecimal {
  assertSzDecimals(szDecimals);
  if (sign(sz) < 0) throw new GridError("size", formatDecimal(sz), "size must not be negative");
  return formatDecimal(roundToDecimals(sz, szDecimals, "down"));
}

/** Non-negative and on the lot. Zero is on the lot; whether it may be sent is the order builder's call. */
export function isValidSize(sz: Decimal, szDecimals: number): boolean {
  assertSzDecimals(szDecimals);
  return sign(sz) >= 0 && sz.scale <= szDecimals;
}

/** `px × sz`, exact. */
export function notional(px: Decimal, sz: Decimal): Decimal {
  return mul(px, sz);
}

/**
 * Whether `px × sz ≥ minNotional`. Whether the exchange accepts a notional of exactly the minimum is
 * unverified (§8.3), so callers should size with a margin rather than rely on equality passing.
 */
export function meetsMinNotional(
  px: Decimal,
  sz: Decimal,
  minNotional: Decimal = DEFAULT_MIN_NOTIONAL,
): boolean {
  return gte(notional(px, sz), minNotional);
}

/** The smallest size on the lot whose notional at `px` is at least `minNotional` (e.g. 0.43 at 23.757). */
export function minSizeFor(
  px: Decimal,
  szDecimals: number,
  minNotional: Decimal = DEFAULT_MIN_NOTIONAL,
): WireDecimal {
  assertSzDecimals(szDecimals);
  assertPositivePrice(px);
  if (sign(minNotional) <= 0) {
    throw new GridError("notional", formatDecimal(minNotional), "minimum notional must be positive");
  }
  // Rounding the exact quotient up to the lot gives the least lot multiple q with q ≥ min / px, i.e.
  // q × px ≥ min.
  return formatDecimal(divide(minNotional, px, szDecimals, "up"));
}
