/**
 * From a reconciled position (exact decimals) to the `MarketPosition` the decision code reads (lots per
 * leg as doubles, see `strategy/position.ts`): what the executor seeds each market with after start-up.
 */

import {
  abs,
  formatDecimal,
  isZero,
  mul,
  parseDecimal,
  roundToDecimals,
} from "../../exchange/decimal/decimal.js";
import type { BasisMarket } from "../../exchange/registry/market.js";
import { MarketPosition } from "../../strategy/position.js";
import type { ReconciledPosition } from "./reconcile.js";

export class PositionSeedError extends Error {
  override readonly name = "PositionSeedError";
}

const MICRO = parseDecimal("1000000");

/**
 * The decision's view of `position`. Perp lots are exact (perp sizes are whole lots); spot lots are what
 * can be sold back or must be bought back, truncated to the lot (a spot buy's base-token fee leaves the
 * balance off the grid). The entry edge in bps is not journaled, so it is NaN.
 */
export function seedMarketPosition(position: ReconciledPosition, market: BasisMarket): MarketPosition {
  const seeded = new MarketPosition();
  if (position.direction === null) return seeded;
  const perp = abs(parseDecimal(position.perp));
  const perpLots = mul(perp, parseDecimal(`1${"0".repeat(market.perp.szDecimals)}`));
  if (perpLots.scale !== 0) {
    throw new PositionSeedError(
      `perp ${market.coin} position ${position.perp} is not a whole number of lots (szDecimals ` +
        `${market.perp.szDecimals})`,
    );
  }
  const spot = roundToDecimals(abs(parseDecimal(position.spot)), market.spot.szDecimals, "down");
  const spotLots = mul(spot, parseDecimal(`1${"0".repeat(market.spot.szDecimals)}`));
  seeded.direction = position.direction;
  seeded.perpLots = Number(formatDecimal(perpLots));
  seeded.spotLots = Number(formatDecimal(spotLots));
  seeded.openedAtMs = position.openedAtMs ?? Number.NaN;
  seeded.entryNetBps = Number.NaN;
  // Display and record values (the rules read direction, sizes and openedAtMs).
  seeded.entryPerpPx = position.entryPerpPx === null ? Number.NaN : Number(position.entryPerpPx);
  seeded.entrySpotPx = position.entrySpotPx === null ? Number.NaN : Number(position.entrySpotPx);
  const funding = parseDecimal(position.fundingSinceOpen);
  seeded.fundingMicroUsdc = isZero(funding)
    ? 0
    : Number(formatDecimal(roundToDecimals(mul(funding, MICRO), 0, "halfEven")));
  return seeded;
}
