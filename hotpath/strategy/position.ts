/**
 * A market's basis position as the decision sees it: flat, or held in one direction with a size on each
 * leg. The inventory (fills, reconciliation) owns and updates it; `decide` reads it through `PositionView`.
 *
 * Sizes are whole lots of each leg, as magnitudes: the perp position (short for `perpRich`, long for
 * `spotRich`) and the spot base bought for the position (`perpRich`: what can be sold back, i.e. the net of
 * the buy's base-token fee truncated to the lot) or sold out of inventory (`spotRich`: what must be bought
 * back). Numeric fields start as doubles for the reason given in `book/legBook.ts`.
 */

import type { MarketScales } from "../book/scales.js";
import type { EdgeDirection } from "../edge/direction.js";

export interface PositionView {
  /** null: flat. */
  readonly direction: EdgeDirection | null;
  readonly perpLots: number;
  readonly spotLots: number;
  /** Wall-clock epoch ms of the first fill of the position. */
  readonly openedAtMs: number;
  /** For the record and the dashboard (the rules read direction, sizes and `openedAtMs`). */
  readonly entryNetBps: number;
  /** Entry VWAPs, USDC. */
  readonly entryPerpPx: number;
  readonly entrySpotPx: number;
  /** Funding received (+) or paid (−) so far, micro-USDC. */
  readonly fundingMicroUsdc: number;
}

export class MarketPosition implements PositionView {
  direction: EdgeDirection | null = null;
  perpLots = Number.NaN;
  spotLots = Number.NaN;
  openedAtMs = Number.NaN;
  entryNetBps = Number.NaN;
  entryPerpPx = Number.NaN;
  entrySpotPx = Number.NaN;
  fundingMicroUsdc = Number.NaN;

  constructor() {
    this.perpLots = 0;
    this.spotLots = 0;
    this.fundingMicroUsdc = 0;
  }
}

export const FLAT: PositionView = Object.freeze(new MarketPosition());

/**
 * The quantity held on both legs (quantity units), on the coarser lot: what a close can take off together.
 * 0 when flat or when one leg is empty (a naked leg is the executor's hedge, not a basis to close).
 */
export function hedgedQtyOf(position: PositionView, scales: MarketScales): number {
  if (position.direction === null) return 0;
  const perpQty = position.perpLots * scales.perpLotQty;
  const spotQty = position.spotLots * scales.spotLotQty;
  const coarseLotQty = scales.perpLotQty > scales.spotLotQty ? scales.perpLotQty : scales.spotLotQty;
  const both = perpQty < spotQty ? perpQty : spotQty;
  return Math.floor(both / coarseLotQty) * coarseLotQty;
}
