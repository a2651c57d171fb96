/**
 * The market's own aggressive flow: random market orders that hit the combined book between model steps.
 *
 * Without it a resting user order would only ever fill when the model's ladder moves through its price;
 * with it, orders at the touch also fill when the rest of the market trades there (behind the model's
 * displayed depth at the same price, see `orderBook.ts`). Arrivals are Poisson, sizes exponential,
 * truncated to the lot; drawn from their own stream so the price path does not depend on them.
 */
import { fxFromNumber } from "./fixed.js";
import { lotSize, snapSizeDown, type GridSpec } from "./grid.js";
import type { Rng } from "./rng.js";

export interface TakerFlowOptions {
  /** Mean number of market orders per minute, per market. */
  readonly tradesPerMinute: number;
  /** Mean size of one market order, in base units. */
  readonly meanSize: number;
  readonly buyProbability: number;
}

export const DEFAULT_TAKER_FLOW: TakerFlowOptions = {
  tradesPerMinute: 30,
  meanSize: 15,
  buyProbability: 0.5,
};

export interface MarketOrderDraw {
  readonly isBuy: boolean;
  readonly sz: bigint;
}

export function drawTakerFlow(
  rng: Rng,
  dtMs: number,
  options: TakerFlowOptions,
  grid: GridSpec,
): MarketOrderDraw[] {
  const count = rng.poisson((options.tradesPerMinute * dtMs) / 60_000);
  const draws: MarketOrderDraw[] = [];
  const lot = lotSize(grid);
  for (let i = 0; i < count; i++) {
    const isBuy = rng.next() < options.buyProbability;
    let sz = snapSizeDown(fxFromNumber(rng.exponential(options.meanSize)), grid);
    if (sz < lot) sz = lot;
    draws.push({ isBuy, sz });
  }
  return draws;
}
