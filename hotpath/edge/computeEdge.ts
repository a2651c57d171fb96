/**
 * The edge of one direction for one clip against the current books: a pure function of the two legs' books,
 * the market scales and the parameters, writing into a reusable `EdgeScratch` (no allocation).
 *
 * Model (all amounts for the hedged quantity H, in bps of H × entry buy VWAP):
 *
 * 1. Entry quantity: the configured clip, reduced by the risk cap (max quantity; for spotRich the base
 *    balance), then by what each entry side can fill — its visible depth and, per leg, the notional
 *    headroom (for the perpRich spot buy also the USDC balance) — walking levels, in whole lots.
 * 2. Lots: spotRich trades the same quantity on both legs. perpRich buys `q` spot, whose fee is taken in the
 *    base token, and hedges `truncateToLot(q × (1 − spotTakerRate))` on the perp; the rest is dust
 *    (`hedgeSizing.ts`), valued at the spot VWAP, i.e. neither gain nor loss.
 * 3. Gross = (sell-leg VWAP − buy-leg VWAP) / buy-leg VWAP, from executable VWAPs across levels.
 * 4. Entry fees: perp taker on the perp notional and spot taker on the spot notional (a spot buy pays in the
 *    base token, worth rate × notional at the fill price; a spot sell pays in USDC).
 * 5. Exit round trip, assuming the basis has converged (both mids equal) when we close: closing H crosses
 *    each book from its mid, costing (exit buy VWAP − mid) + (mid − exit sell VWAP) per unit, measured on
 *    the current books for H (depth short → remainder at the deepest level, flagged); plus taker fees on
 *    both exit notionals (the spot leg valued at its exit VWAP whichever token pays it).
 * 6. Funding over the horizon: hourly rate × hours × H × oracle price, received when short the perp
 *    (perpRich) and the rate is positive, paid otherwise.
 * 7. Net = gross − entry fees − exit fees − exit crossing + funding.
 *
 * Exactness: lots and notionals are exact integers (`bookWalk.ts`); VWAPs, fees, funding and bps are doubles
 * computed from them (relative error ~1e-15). Any integer leaving the exact range yields `overflow`.
 */

import type { BookSide } from "../book/bookSide.js";
import { POWERS_OF_TEN, type LegScales, type MarketScales } from "../book/scales.js";
import { fundingSign, type EdgeDirection } from "./direction.js";
import { UNCAPPED, walkSide, walkWithTail } from "./bookWalk.js";
import { FEE_RATE_SCALE } from "./feeRates.js";
import { sizePerpHedge } from "./hedgeSizing.js";
import type { EdgeParams } from "./edgeParams.js";
import { MICRO_USDC_DECIMALS } from "./riskCap.js";
import type { ClipLimit, EdgeScratch, EdgeStatus } from "./edgeScratch.js";

const BPS_PER_UNIT = 10_000;

/** What the computation reads of a leg's book; a `LegBook` is one. */
export interface BookView {
  readonly bids: BookSide;
  readonly asks: BookSide;
  readonly crossed: boolean;
}

/** Notional units of the leg per micro-USDC (the unit of the risk cap's USDC limits). */
function microUsdcToNotional(scales: LegScales): number {
  return POWERS_OF_TEN[scales.notionalDecimals - MICRO_USDC_DECIMALS]!;
}

/**
 * Reduces `qty` (quantity units) to what `side` fills within `out.walk.notionalCap` (set by the caller, so
 * that the double does not cross a call boundary); records `limit` when it bound. Returns the new
 * quantity, or -1 on overflow.
 */
function limitByWalk(
  side: BookSide,
  lotQty: number,
  qty: number,
  limit: ClipLimit,
  out: EdgeScratch,
): number {
  const lotCap = Math.floor(qty / lotQty);
  const walk = out.walk;
  walk.lotCap = lotCap;
  walkSide(side, walk);
  if (walk.overflow) return -1;
  if (walk.lots >= lotCap) return qty;
  out.clipLimit = limit;
  return walk.lots * lotQty;
}

function finish(out: EdgeScratch, status: EdgeStatus): EdgeStatus {
  out.status = status;
  return status;
}

/** Computes `direction`'s edge into `out` and returns its status. */
export function computeEdge(
  perp: BookView,
  spot: BookView,
  scales: MarketScales,
  params: EdgeParams,
  direction: EdgeDirection,
  out: EdgeScratch,
): EdgeStatus {
  out.reset(direction);
  if (perp.bids.depth === 0 || perp.asks.depth === 0 || spot.bids.depth === 0 || spot.asks.depth === 0) {
    return finish(out, "emptyBook");
  }
  if (perp.crossed || spot.crossed) return finish(out, "crossedBook");

  const perpRich = direction === "perpRich";
  const perpEntry = perpRich ? perp.bids : perp.asks;
  const spotEntry = perpRich ? spot.asks : spot.bids;
  const { perpLotQty, spotLotQty } = scales;
  const cap = params.riskCap;

  // 1. Entry quantity, aligned to the lot it is traded in: the spot lot for perpRich (the perp hedge is
  //    truncated separately), the coarser lot for spotRich (same quantity on both legs).
  const lotQty = perpRich ? spotLotQty : Math.max(perpLotQty, spotLotQty);
  let qty = params.clipQty;
  if (cap.maxQty < qty) {
    qty = cap.maxQty;
    out.clipLimit = "riskMaxQty";
  }
  if (!perpRich && cap.spotBaseAvailableQty < qty) {
    qty = cap.spotBaseAvailableQty;
    out.clipLimit = "spotBalance";
  }
  qty = Math.floor(qty / lotQty) * lotQty;
  // USDC limits in each leg's notional units; past the exact range (or Infinity) they mean no cap. They
  // reach the walks through `walk.notionalCap`, never as arguments (see `bookWalk.ts`).
  const walk = out.walk;
  const spotPerMicro = microUsdcToNotional(scales.spot);
  walk.notionalCap = UNCAPPED;
  qty = limitByWalk(perpEntry, perpLotQty, qty, "bookDepth", out);
  walk.notionalCap = Math.min(cap.notionalHeadroomMicroUsdc * microUsdcToNotional(scales.perp), UNCAPPED);
  if (qty >= 0) qty = limitByWalk(perpEntry, perpLotQty, qty, "notionalHeadroom", out);
  walk.notionalCap = UNCAPPED;
  if (qty >= 0) qty = limitByWalk(spotEntry, spotLotQty, qty, "bookDepth", out);
  walk.notionalCap = Math.min(cap.notionalHeadroomMicroUsdc * spotPerMicro, UNCAPPED);
  if (qty >= 0) qty = limitByWalk(spotEntry, spotLotQty, qty, "notionalHeadroom", out);
  if (qty >= 0 && perpRich) {
    walk.notionalCap = Math.min(cap.spotQuoteAvailableMicroUsdc * spotPerMicro, UNCAPPED);
    qty = limitByWalk(spotEntry, spotLotQty, qty, "spotBalance", out);
  }
  if (qty < 0) return finish(out, "overflow");
  qty = Math.floor(qty / lotQty) * lotQty;
  out.entryQty = qty;

  // 2. Lots per leg.
  const fees = params.fees;
  const spotLots = qty / spotLotQty;
  out.spotLots = spotLots;
  if (perpRich) {
    if (!sizePerpHedge(spotLots, fees.spotTaker, scales, out)) return finish(out, "overflow");
  } else {
    out.perpLots = qty / perpLotQty;
  }
  const perpLots = out.perpLots;
  if (perpLots === 0 || spotLots === 0) return finish(out, "noSize");
  const hedgedQty = perpLots * perpLotQty;
  out.hedgedQty = hedgedQty;

  // 3. Entry VWAPs (both fit: the quantity was limited to each side's fill).
  walk.notionalCap = UNCAPPED;
  walk.lotCap = perpLots;
  walkSide(perpEntry, walk);
  if (walk.overflow) return finish(out, "overflow");
  const perpNotional = walk.notional;
  walk.lotCap = spotLots;
  walkSide(spotEntry, walk);
  if (walk.overflow) return finish(out, "overflow");
  const spotNotional = walk.notional;
  out.perpNotional = perpNotional;
  out.spotNotional = spotNotional;

  // 4. Exit walks for the hedged quantity on the opposite sides.
  const exitPerpLots = perpLots;
  const exitSpotLots = Math.floor(hedgedQty / spotLotQty);
  let depthShort = !walkWithTail(perpRich ? perp.asks : perp.bids, exitPerpLots, walk);
  if (walk.overflow) return finish(out, "overflow");
  const exitPerpNotional = walk.notional;
  depthShort = !walkWithTail(perpRich ? spot.bids : spot.asks, exitSpotLots, walk) || depthShort;
  if (walk.overflow) return finish(out, "overflow");
  const exitSpotNotional = walk.notional;
  out.exitPerpLots = exitPerpLots;
  out.exitSpotLots = exitSpotLots;
  out.exitDepthShort = depthShort;

  // 5. Money, in USDC.
  const perpScales = scales.perp;
  const spotScales = scales.spot;
  const perpUsdc = perpNotional / perpScales.notionalScale;
  const spotUsdc = spotNotional / spotScales.notionalScale;
  const perpVwap = perpUsdc / (perpLots / perpScales.sizeScale);
  const spotVwap = spotUsdc / (spotLots / spotScales.sizeScale);
  const sellVwap = perpRich ? perpVwap : spotVwap;
  const buyVwap = perpRich ? spotVwap : perpVwap;
  const hedgedBase = hedgedQty / POWERS_OF_TEN[scales.qtyDecimals]!;
  const toBps = BPS_PER_UNIT / (hedgedBase * buyVwap);

  const perpRate = fees.perpTaker / FEE_RATE_SCALE;
  const spotRate = fees.spotTaker / FEE_RATE_SCALE;
  const perpMid = (perp.bids.prices[0]! + perp.asks.prices[0]!) / 2 / perpScales.priceScale;
  const spotMid = (spot.bids.prices[0]! + spot.asks.prices[0]!) / 2 / spotScales.priceScale;
  const exitPerpUsdc = exitPerpNotional / perpScales.notionalScale;
  const exitSpotUsdc = exitSpotNotional / spotScales.notionalScale;
  const exitPerpBase = exitPerpLots / perpScales.sizeScale;
  const exitSpotBase = exitSpotLots / spotScales.sizeScale;
  // Buying back above the mid and selling below it both cost; the sign flips with the direction.
  const exitCrossing = perpRich
    ? exitPerpUsdc - exitPerpBase * perpMid + (exitSpotBase * spotMid - exitSpotUsdc)
    : exitPerpBase * perpMid - exitPerpUsdc + (exitSpotUsdc - exitSpotBase * spotMid);
  const fundingPx = params.oraclePx > 0 ? params.oraclePx : spotMid;
  const funding =
    fundingSign(direction) * params.fundingRatePerHour * params.holdingHours * hedgedBase * fundingPx;

  out.perpVwap = perpVwap;
  out.spotVwap = spotVwap;
  out.exitPerpVwap = exitPerpLots > 0 ? exitPerpUsdc / exitPerpBase : Number.NaN;
  out.exitSpotVwap = exitSpotLots > 0 ? exitSpotUsdc / exitSpotBase : Number.NaN;
  out.perpMid = perpMid;
  out.spotMid = spotMid;
  out.fundingPx = fundingPx;
  out.grossBps = ((sellVwap - buyVwap) / buyVwap) * BPS_PER_UNIT;
  out.entryFeeBps = (perpRate * perpUsdc + spotRate * spotUsdc) * toBps;
  out.exitFeeBps = (perpRate * exitPerpUsdc + spotRate * exitSpotUsdc) * toBps;
  out.exitCrossingBps = exitCrossing * toBps;
  out.fundingBps = funding * toBps;
  out.netBps = out.grossBps - out.entryFeeBps - out.exitFeeBps - out.exitCrossingBps + out.fundingBps;
  return finish(out, "ok");
}
