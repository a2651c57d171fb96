/**
 * When a held basis position is taken off, and how much at a time. Pure, allocation-free (they run on every
 * frame while a position is held).
 *
 * Rules, in the order `decide` applies them:
 * 1. `adverseFunding`: the position pays funding at or above `adverseFundingPerHour`. The sign depends on the
 *    direction: `perpRich` is short the perp and receives a positive rate, `spotRich` is long and pays it
 *    (PROTOCOL §9.3), so the rate paid is `−fundingSign(direction) × rate`.
 * 2. `maxHoldingTime`: held for `maxHoldingMs` since the first fill.
 * 3. `converged`: the basis at the prices that close the size below (every lot at the deepest level needed)
 *    is at most the close threshold (`limitPrices.ts`, convergence budget).
 *
 * Size: the hedged quantity of the position, at most the clip limit per close, and at most what both close
 * sides of the book show — a larger position closes over several frames rather than sending an order the
 * visible book cannot fill.
 */

import type { BookView } from "../edge/computeEdge.js";
import type { EdgeDirection } from "../edge/direction.js";
import { fundingSign } from "../edge/direction.js";
import type { EdgeParams } from "../edge/edgeParams.js";
import { fillableLots, type LimitScratch } from "./limitPrices.js";
import { hedgedQtyOf, type PositionView } from "./position.js";
import type { Clock } from "./risk/riskState.js";
import { sellingLeg } from "./sides.js";
import type { MarketStrategy } from "./strategyConfig.js";

/** Rule 1. A NaN rate (unknown) closes nothing. */
export function fundingAgainst(
  direction: EdgeDirection,
  funding: Pick<EdgeParams, "fundingRatePerHour">,
  strategy: Pick<MarketStrategy, "adverseFundingPerHour">,
): boolean {
  const paid = -fundingSign(direction) * funding.fundingRatePerHour;
  return paid > 0 && paid >= strategy.adverseFundingPerHour;
}

/** Rule 2. An unknown opening time (NaN) closes nothing. */
export function heldTooLong(
  position: PositionView,
  clock: Clock,
  strategy: Pick<MarketStrategy, "maxHoldingMs">,
): boolean {
  return clock.nowMs - position.openedAtMs >= strategy.maxHoldingMs;
}

/**
 * Sizes the next close of `position` (held in `direction`) into `out.sellLots` / `out.buyLots` and returns
 * its quantity (quantity units; 0 = nothing both close sides can fill).
 */
export function sizeClose(
  position: PositionView,
  direction: EdgeDirection,
  perp: BookView,
  spot: BookView,
  strategy: MarketStrategy,
  out: LimitScratch,
): number {
  const scales = strategy.scales;
  const { perpLotQty, spotLotQty } = scales;
  const coarseLotQty = perpLotQty > spotLotQty ? perpLotQty : spotLotQty;
  let qty = hedgedQtyOf(position, scales);
  if (qty > strategy.limits.maxClipQty) qty = strategy.limits.maxClipQty;
  const perpSells = sellingLeg(direction, "exit") === "perp";
  const perpSide = perpSells ? perp.bids : perp.asks;
  const spotSide = perpSells ? spot.asks : spot.bids;
  const perpQty = fillableLots(perpSide, qty / perpLotQty, out.walk) * perpLotQty;
  if (perpQty < qty) qty = perpQty;
  const spotQty = fillableLots(spotSide, qty / spotLotQty, out.walk) * spotLotQty;
  if (spotQty < qty) qty = spotQty;
  qty = Math.floor(qty / coarseLotQty) * coarseLotQty;
  out.sellLots = perpSells ? qty / perpLotQty : qty / spotLotQty;
  out.buyLots = perpSells ? qty / spotLotQty : qty / perpLotQty;
  return qty;
}
