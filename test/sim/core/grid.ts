/**
 * The exchange's price and size grid (PROTOCOL §8), on scaled bigints.
 *
 * Price: at most 5 significant figures and at most `MAX_DECIMALS − szDecimals` decimals (6 on perps, 8 on
 * spot); an integer price is always valid whatever its length. Size: a multiple of the lot 10^−szDecimals.
 * Snapping rounds in an explicit direction, so a passive bid never moves up and an ask never moves down.
 */
import { FX_DECIMALS, FX_ONE, FixedPointError, divRound, pow10 } from "./fixed.js";

export const MAX_SIG_FIGS = 5;
export const PERP_MAX_DECIMALS = 6;
export const SPOT_MAX_DECIMALS = 8;

/** How one market's prices and sizes are gridded. */
export interface GridSpec {
  readonly szDecimals: number;
  /** `MAX_DECIMALS − szDecimals`: 4 for the HYPE perp, 6 for HYPE spot. */
  readonly maxPxDecimals: number;
}

export function perpGrid(szDecimals: number): GridSpec {
  return { szDecimals, maxPxDecimals: PERP_MAX_DECIMALS - szDecimals };
}

export function spotGrid(szDecimals: number): GridSpec {
  return { szDecimals, maxPxDecimals: SPOT_MAX_DECIMALS - szDecimals };
}

export type SnapDirection = "down" | "up" | "nearest";

/** From here on only integers are valid prices (a non-integer would need a 6th significant figure). */
const INTEGER_ONLY_FROM = pow10(MAX_SIG_FIGS) * FX_ONE;

/** The spacing of valid non-integer prices around `px` (scaled units). */
function priceUnit(px: bigint, maxPxDecimals: number): bigint {
  const capUnit = pow10(FX_DECIMALS - maxPxDecimals);
  const digits = px.toString().length;
  const sigUnit = digits > MAX_SIG_FIGS ? pow10(digits - MAX_SIG_FIGS) : 1n;
  return capUnit > sigUnit ? capUnit : sigUnit;
}

function roundToMultiple(value: bigint, unit: bigint, direction: SnapDirection): bigint {
  const mode = direction === "down" ? "floor" : direction === "up" ? "ceil" : "halfUp";
  return divRound(value, unit, mode) * unit;
}

export function isValidPrice(px: bigint, grid: GridSpec): boolean {
  if (px <= 0n) return false;
  if (px % FX_ONE === 0n) return true;
  if (px >= INTEGER_ONLY_FROM) return false;
  return px % priceUnit(px, grid.maxPxDecimals) === 0n;
}

/** The nearest valid price in `direction`; `px` itself when already valid. */
export function snapPrice(px: bigint, grid: GridSpec, direction: SnapDirection): bigint {
  if (px <= 0n) throw new FixedPointError(`price must be positive: ${px}`);
  if (isValidPrice(px, grid)) return px;
  // A carry into the next power of ten only yields a coarser (still valid) value, and rounding down never
  // leaves the decade, so one rounding step lands on the grid.
  const unit = px >= INTEGER_ONLY_FROM ? FX_ONE : priceUnit(px, grid.maxPxDecimals);
  const snapped = roundToMultiple(px, unit, direction);
  if (snapped <= 0n) throw new FixedPointError(`price ${px} rounds to zero on this grid`);
  return snapped;
}

/** The next valid price strictly above `px`. */
export function nextPriceUp(px: bigint, grid: GridSpec): bigint {
  return snapPrice(px + 1n, grid, "up");
}

/** The next valid price strictly below `px`, or `undefined` at the bottom of the grid. */
export function nextPriceDown(px: bigint, grid: GridSpec): bigint | undefined {
  if (px <= 1n) return undefined;
  const below = px - 1n;
  const unit = below >= INTEGER_ONLY_FROM ? FX_ONE : priceUnit(below, grid.maxPxDecimals);
  const snapped = isValidPrice(below, grid) ? below : roundToMultiple(below, unit, "down");
  return snapped > 0n ? snapped : undefined;
}

/** One lot (the smallest size step) in scaled units. */
export function lotSize(grid: GridSpec): bigint {
  return pow10(FX_DECIMALS - grid.szDecimals);
}

export function isValidSize(sz: bigint, grid: GridSpec): boolean {
  return sz > 0n && sz % lotSize(grid) === 0n;
}

/** Truncates a size to the lot (never sell or hedge more than intended). */
export function snapSizeDown(sz: bigint, grid: GridSpec): bigint {
  const lot = lotSize(grid);
  return divRound(sz, lot, "floor") * lot;
}
