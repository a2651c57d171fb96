/**
 * Limit prices: for a two-leg cross (one leg sells, the other buys), the worst prices at which a full fill of
 * both legs still meets the edge budget — never "touch ± slippage" — rounded side-aware onto the exchange
 * grid (PROTOCOL §8).
 *
 * Budget. Every trade `decide` prices is a linear condition on the two limit prices, in USDC:
 *
 *     a × Psell − b × Pbuy − k ≥ 0
 *
 * - Open (`setOpenBudget`): the edge's net bps with its VWAPs replaced by the limits (`computeEdge.ts`, step 7)
 *   must reach the open threshold m. For the hedged quantity H, the buy leg's quantity Qb and the taker
 *   rates f, that is `H(Ps − Pb) − f_sell·H·Ps − f_buy·Qb·Pb − C ≥ m·H·Pb`, where C is the edge's exit cost
 *   and funding in USDC (exit fees + exit crossing − funding received, estimated on the current books). So
 *   `a = H(1 − f_sell)`, `b = H(1 + m) + f_buy·Qb`, `k = C`.
 * - Convergence close (`setConvergenceBudget`): the basis at the close prices, `(Pbuy − Psell) / Psell` (the
 *   rich leg bought back over the cheap leg sold), must be at most the close threshold T: `a = 1 + T`, `b = 1`,
 *   `k = 0`, per unit.
 * - Forced exits (`setForcedExit`: max holding time, adverse funding, unwinds) have no budget: they exit at
 *   any price within the forced-exit band.
 *
 * Split. Each leg starts from its depth price — the deepest level the order needs on the current book, the
 * least aggressive limit that fills it entirely. If the budget fails there, there is no trade (the edge's
 * VWAP looked good, the worst lot does not). Otherwise the slack `S = a·Dsell − b·Dbuy − k` is split in half:
 * the sell limit may go `S / 2a` below its depth and the buy limit `S / 2b` above, so each leg can slip by
 * about the same amount (a ≈ b ≈ H) before the order stops filling, and at both limits the budget holds with
 * equality. Each limit is then capped by the band (`maxSlippage` for budgeted trades) beyond its depth.
 *
 * Rounding. A sell rounds up and a buy rounds down onto the grid, so rounding only ever improves the worst
 * fill; a limit never passes its depth price in the favourable direction (it must still reach the deepest
 * level needed), and book prices are on the grid, so the rounded limit lies between the budget boundary and
 * the depth price. Exactness: the budget is evaluated in doubles (relative error ~1e-15), and a margin of
 * 1e-9 of the amounts involved (1e-5 bps) is kept from the boundary before placing, so that no rounding
 * error can put a limit on the wrong side; the property tests check the condition in exact arithmetic.
 *
 * Per frame (a held position is checked for convergence on every frame) `measureDepth` and `budgetSlack`
 * allocate nothing: inputs and results travel in a reusable `LimitScratch`, never as double arguments or
 * return values (see `edge/bookWalk.ts` for why).
 */

import type { BookSide } from "../book/bookSide.js";
import { POWERS_OF_TEN, type LegScales } from "../book/scales.js";
import { BookWalk, UNCAPPED, walkSide, walkWithTail } from "../edge/bookWalk.js";
import type { EdgeScratch } from "../edge/edgeScratch.js";
import { FEE_RATE_SCALE, type FeeRates } from "../edge/feeRates.js";
import { MAX_PRICE_SIGNIFICANT_FIGURES, type PriceDirection } from "../exchange/decimal/grid.js";
import { sellingLeg } from "./sides.js";
import type { MarketStrategy } from "./strategyConfig.js";

const BPS_PER_UNIT = 10_000;

/** Relative distance kept from the exact budget boundary (see the module comment). */
export const BUDGET_MARGIN = 1e-9;

/** What the open budget reads of an edge; an `EdgeScratch` is one. */
export type BudgetEdge = Pick<
  EdgeScratch,
  | "direction"
  | "perpLots"
  | "spotLots"
  | "hedgedQty"
  | "perpVwap"
  | "spotVwap"
  | "exitFeeBps"
  | "exitCrossingBps"
  | "fundingBps"
>;

/** Numeric fields start as doubles (NaN) for the reason given in `book/legBook.ts`. */
export class LimitScratch {
  // Inputs.
  /** Lots the selling / buying leg must fill. */
  sellLots = Number.NaN;
  buyLots = Number.NaN;
  /** The budget `a·Psell − b·Pbuy − k ≥ 0` (USDC); `budgeted = false` for forced exits. */
  sellCoef = Number.NaN;
  buyCoef = Number.NaN;
  constantUsdc = Number.NaN;
  budgeted = true;
  /** Largest move of each limit beyond its depth price, as a fraction of it. */
  band = Number.NaN;
  /** Open budgets: H (base units) and the threshold (bps), for `limitNetBps`. */
  hedgedBase = Number.NaN;
  minNetBps = Number.NaN;

  // Results.
  /** Price units of the deepest level each leg needs. */
  sellDepthUnits = Number.NaN;
  buyDepthUnits = Number.NaN;
  /** `a·Dsell − b·Dbuy − k` less the margin, USDC; the budget holds at the depths when ≥ 0. */
  slackUsdc = Number.NaN;
  /** The limits in integer price units before the grid (sell rounded up, buy down to a unit). */
  sellRawUnits = Number.NaN;
  buyRawUnits = Number.NaN;
  /** The limits on the grid, price units. */
  sellLimitUnits = Number.NaN;
  buyLimitUnits = Number.NaN;

  readonly walk = new BookWalk();
}

/**
 * Lots of `side` fillable up to `lotCap` (visible depth only). Returns a small integer, so the result does
 * not box.
 */
export function fillableLots(side: BookSide, lotCap: number, walk: BookWalk): number {
  walk.lotCap = lotCap;
  walk.notionalCap = UNCAPPED;
  walkSide(side, walk);
  return walk.lots;
}

/**
 * The depth prices of `out.sellLots` on `sell` (a bid side) and `out.buyLots` on `buy` (an ask side). False
 * when a side cannot fill its lots from its visible levels; with `tail`, the remainder is priced at the
 * deepest visible level instead (unwinds: whatever the IOC cannot fill dies with it), and false only when a
 * side with lots to fill is empty. A leg with no lots gets a NaN depth.
 */
export function measureDepth(sell: BookSide, buy: BookSide, out: LimitScratch, tail: boolean): boolean {
  return depthOf(sell, out.sellLots, out, tail, true) && depthOf(buy, out.buyLots, out, tail, false);
}

function depthOf(side: BookSide, lots: number, out: LimitScratch, tail: boolean, selling: boolean): boolean {
  const walk = out.walk;
  let ok: boolean;
  if (lots === 0) {
    walk.lastPrice = Number.NaN;
    ok = true;
  } else if (side.depth === 0) {
    ok = false;
  } else if (tail) {
    walkWithTail(side, lots, walk);
    ok = true;
  } else {
    ok = fillableLots(side, lots, walk) >= lots;
  }
  if (selling) out.sellDepthUnits = walk.lastPrice;
  else out.buyDepthUnits = walk.lastPrice;
  return ok;
}

/** The open budget of `edge` (see the module comment), with the `maxSlippage` band. */
export function setOpenBudget(
  out: LimitScratch,
  edge: BudgetEdge,
  fees: FeeRates,
  strategy: MarketStrategy,
): void {
  const scales = strategy.scales;
  const perpSells = sellingLeg(edge.direction, "enter") === "perp";
  const hedged = edge.hedgedQty / POWERS_OF_TEN[scales.qtyDecimals]!;
  const sellRate = (perpSells ? fees.perpTaker : fees.spotTaker) / FEE_RATE_SCALE;
  const buyRate = (perpSells ? fees.spotTaker : fees.perpTaker) / FEE_RATE_SCALE;
  const buyBase = perpSells ? edge.spotLots / scales.spot.sizeScale : edge.perpLots / scales.perp.sizeScale;
  const buyVwap = perpSells ? edge.spotVwap : edge.perpVwap;
  const minNet = strategy.openThresholdBps / BPS_PER_UNIT;
  out.sellCoef = hedged * (1 - sellRate);
  out.buyCoef = hedged * (1 + minNet) + buyRate * buyBase;
  // computeEdge expressed these in bps of H × buy VWAP; this is the USDC amount again.
  out.constantUsdc =
    ((edge.exitFeeBps + edge.exitCrossingBps - edge.fundingBps) * hedged * buyVwap) / BPS_PER_UNIT;
  out.budgeted = true;
  out.band = strategy.maxSlippage;
  out.hedgedBase = hedged;
  out.minNetBps = strategy.openThresholdBps;
}

/** The convergence budget of a close (see the module comment), with the `maxSlippage` band. */
export function setConvergenceBudget(out: LimitScratch, strategy: MarketStrategy): void {
  out.sellCoef = 1 + strategy.closeThresholdBps / BPS_PER_UNIT;
  out.buyCoef = 1;
  out.constantUsdc = 0;
  out.budgeted = true;
  out.band = strategy.maxSlippage;
}

/** No budget: both limits at the forced-exit band beyond their depths. */
export function setForcedExit(out: LimitScratch, strategy: MarketStrategy): void {
  out.budgeted = false;
  out.band = strategy.forcedExitSlippage;
}

/** Computes `out.slackUsdc` at the depth prices; true when the budget holds there (with the margin). */
export function budgetSlack(out: LimitScratch, sellScales: LegScales, buyScales: LegScales): boolean {
  const sellAmount = (out.sellCoef * out.sellDepthUnits) / sellScales.priceScale;
  const buyAmount = (out.buyCoef * out.buyDepthUnits) / buyScales.priceScale;
  const constant = out.constantUsdc;
  const margin = BUDGET_MARGIN * (sellAmount + buyAmount + (constant < 0 ? -constant : constant));
  const slack = sellAmount - buyAmount - constant - margin;
  out.slackUsdc = slack;
  // NaN (a missing depth or edge value) fails.
  return slack >= 0;
}

/**
 * The tick (price units) of the grid decade `units` lies in: `10^min(priceDecimals, max(0, digits − 5))`,
 * i.e. grid.ts's `10^min(0, max(e − 4, −maxDecimals))` USDC expressed in price units, whose decimals are the
 * market's maximum (`book/scales.ts`).
 */
function tickUnits(units: number, scales: LegScales): number {
  let digits = 1;
  while (digits < 16 && units >= POWERS_OF_TEN[digits]!) digits += 1;
  const significantStep = digits - MAX_PRICE_SIGNIFICANT_FIGURES;
  const exponent = significantStep < 0 ? 0 : significantStep;
  return POWERS_OF_TEN[exponent < scales.priceDecimals ? exponent : scales.priceDecimals]!;
}

/**
 * The nearest valid price at or above (`"up"`) or at or below (`"down"`) `units`, a positive integer number
 * of the leg's price units: grid.ts's `roundPrice` without allocation (a property test holds them equal).
 */
export function roundPriceUnits(units: number, scales: LegScales, direction: PriceDirection): number {
  const tick = tickUnits(units, scales);
  const remainder = units % tick;
  if (remainder === 0) return units;
  return direction === "down" ? units - remainder : units - remainder + tick;
}

/**
 * Places both limits (see the module comment) into `out.sell*Units` / `out.buy*Units`. False when no valid
 * price lies between the budget boundary and a depth price (only possible for depth prices off the grid).
 * Call after `budgetSlack` returned true, or with `budgeted = false`.
 */
export function placeLimits(out: LimitScratch, sellScales: LegScales, buyScales: LegScales): boolean {
  return placeSell(out, sellScales) && placeBuy(out, buyScales);
}

/** The sell limit alone (an unwind leg); false as for `placeLimits`. */
export function placeSell(out: LimitScratch, scales: LegScales): boolean {
  const depth = out.sellDepthUnits;
  let limit = depth * (1 - out.band);
  if (out.budgeted) {
    const budgetLimit = depth - (out.slackUsdc / (2 * out.sellCoef)) * scales.priceScale;
    if (budgetLimit > limit) limit = budgetLimit;
  }
  if (limit > depth) limit = depth;
  const raw = Math.ceil(limit);
  if (!(raw >= 1)) return false;
  const units = roundPriceUnits(raw, scales, "up");
  out.sellRawUnits = raw;
  out.sellLimitUnits = units;
  return units <= depth;
}

/** The buy limit alone (an unwind leg); false as for `placeLimits`. */
export function placeBuy(out: LimitScratch, scales: LegScales): boolean {
  const depth = out.buyDepthUnits;
  let limit = depth * (1 + out.band);
  if (out.budgeted) {
    const budgetLimit = depth + (out.slackUsdc / (2 * out.buyCoef)) * scales.priceScale;
    if (budgetLimit < limit) limit = budgetLimit;
  }
  if (limit < depth) limit = depth;
  const raw = Math.floor(limit);
  if (!(raw >= 1 && raw <= Number.MAX_SAFE_INTEGER)) return false;
  const units = roundPriceUnits(raw, scales, "down");
  out.buyRawUnits = raw;
  out.buyLimitUnits = units;
  return units >= depth;
}

/**
 * Net bps of an open if both legs fill entirely at the placed limits (the edge formula at those prices):
 * at least the threshold whenever `placeLimits` succeeded on an open budget.
 */
export function limitNetBps(out: LimitScratch, sellScales: LegScales, buyScales: LegScales): number {
  const sellPx = out.sellLimitUnits / sellScales.priceScale;
  const buyPx = out.buyLimitUnits / buyScales.priceScale;
  const surplus = out.sellCoef * sellPx - out.buyCoef * buyPx - out.constantUsdc;
  return (surplus * BPS_PER_UNIT) / (out.hedgedBase * buyPx) + out.minNetBps;
}
