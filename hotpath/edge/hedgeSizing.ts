/**
 * Sizing the perp hedge of a spot buy (PROTOCOL §9.2): a spot buy pays its fee in the base token, so buying
 * `q` HYPE credits `q × (1 − spotTakerRate)`, which is off the lot grid. The hedge is that net quantity
 * truncated to the perp lot; the rest stays on the spot account as dust (sellable only together with other
 * balance). Example: 0.5 HYPE bought at 6.3 bps nets 0.4996850 → hedge 0.49, dust 0.009685.
 *
 * Exact: quantities are integer quantity units (`MarketScales.qtyDecimals`) and the rate is in `10^-8`
 * units, so the net quantity is the integer `spotQty × (10^8 − rate)` in units of `10^-(qtyDecimals + 8)`.
 * Results go into the caller's object: the net quantity exceeds the small-integer range, and returning it
 * from a call V8 does not inline would allocate (see `bookWalk.ts`).
 */

import type { MarketScales } from "../book/scales.js";
import { floorDiv } from "./exactDivision.js";
import { FEE_RATE_SCALE } from "./feeRates.js";

/** Decimals of the dust unit beyond the quantity unit: dust is in `10^-(qtyDecimals + 8)` base units. */
export const DUST_EXTRA_DECIMALS = 8;

export interface HedgeSize {
  /** Perp lots hedging the net spot quantity. */
  perpLots: number;
  /** Base left unhedged, in `10^-(qtyDecimals + 8)` base units. */
  dustUnits: number;
}

/**
 * Sizes the hedge of buying `spotLots` at `spotTakerRate` (10^-8 units) into `out`; false when the net
 * quantity leaves the exact integer range.
 */
export function sizePerpHedge(
  spotLots: number,
  spotTakerRate: number,
  scales: MarketScales,
  out: HedgeSize,
): boolean {
  const net = spotLots * scales.spotLotQty * (FEE_RATE_SCALE - spotTakerRate);
  if (!(net <= Number.MAX_SAFE_INTEGER)) return false;
  const perpLotUnits = scales.perpLotQty * FEE_RATE_SCALE;
  const perpLots = floorDiv(net, perpLotUnits);
  out.perpLots = perpLots;
  out.dustUnits = net - perpLots * perpLotUnits;
  return true;
}
