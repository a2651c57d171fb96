/**
 * The exchange's price and size grid (PROTOCOL §8) on the core's scaled bigints (1e8).
 *
 * The rules themselves — which prices and sizes are valid, and the grid step in a price's decade — are the
 * project's one implementation in `hotpath/exchange/decimal/grid.ts`; this module only converts the core's
 * scaled values to `Decimal` and back, and adds what the matching engine and the market model need on top:
 * directed snapping (including `"nearest"`), the next price up/down, and the lot in scaled units.
 *
 * The core accepts a size only when it is positive as well as on the lot: a zero size is refused earlier
 * with its own error, and the model never draws one.
 */
import { fromScaledBigInt, type Decimal } from "../../../hotpath/exchange/decimal/decimal.js";
import {
  isValidPrice as isOnPriceGrid,
  isValidSize as isOnLot,
  tickAt,
  type GridSpec as ExchangeGridSpec,
} from "../../../hotpath/exchange/decimal/grid.js";
import { FX_DECIMALS, FixedPointError, divRound, pow10 } from "./fixed.js";

/** How one market's prices and sizes are gridded: its kind (perp or spot) and its `szDecimals`. */
export type GridSpec = ExchangeGridSpec;

export function perpGrid(szDecimals: number): GridSpec {
  return { market: "perp", szDecimals };
}

export function spotGrid(szDecimals: number): GridSpec {
  return { market: "spot", szDecimals };
}

export type SnapDirection = "down" | "up" | "nearest";

function toDecimal(scaled: bigint): Decimal {
  return fromScaledBigInt(scaled, FX_DECIMALS);
}

/** The grid step in the decade of `px` (positive), in scaled units. */
function priceUnit(px: bigint, grid: GridSpec): bigint {
  const tick = tickAt(toDecimal(px), grid);
  // The step is 10^-d with d ≤ 8 − szDecimals, so it is a whole number of scaled units.
  return tick.coefficient * pow10(FX_DECIMALS - tick.scale);
}

function roundToMultiple(value: bigint, unit: bigint, direction: SnapDirection): bigint {
  const mode = direction === "down" ? "floor" : direction === "up" ? "ceil" : "halfUp";
  return divRound(value, unit, mode) * unit;
}

export function isValidPrice(px: bigint, grid: GridSpec): boolean {
  return px > 0n && isOnPriceGrid(toDecimal(px), grid);
}

/** The nearest valid price in `direction`; `px` itself when already valid. */
export function snapPrice(px: bigint, grid: GridSpec, direction: SnapDirection): bigint {
  if (px <= 0n) throw new FixedPointError(`price must be positive: ${px}`);
  if (isValidPrice(px, grid)) return px;
  // A carry into the next power of ten only yields a coarser (still valid) value, and rounding down never
  // leaves the decade, so one rounding step to the decade's grid step lands on the grid.
  const snapped = roundToMultiple(px, priceUnit(px, grid), direction);
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
  const snapped = isValidPrice(below, grid) ? below : roundToMultiple(below, priceUnit(below, grid), "down");
  return snapped > 0n ? snapped : undefined;
}

/** One lot (the smallest size step) in scaled units. */
export function lotSize(grid: GridSpec): bigint {
  return pow10(FX_DECIMALS - grid.szDecimals);
}

export function isValidSize(sz: bigint, grid: GridSpec): boolean {
  return sz > 0n && isOnLot(toDecimal(sz), grid.szDecimals);
}

/** Truncates a size to the lot (never sell or hedge more than intended). */
export function snapSizeDown(sz: bigint, grid: GridSpec): bigint {
  const lot = lotSize(grid);
  return divRound(sz, lot, "floor") * lot;
}
