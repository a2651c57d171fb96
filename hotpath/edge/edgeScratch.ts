/**
 * The mutable result of one edge computation, reused for every frame (one per direction per market), so the
 * per-frame path allocates nothing. `edgeRecord.ts` copies it into an immutable record when an edge is
 * emitted.
 *
 * Units: lots and notionals are exact integers at the leg's scales (`book/scales.ts`), quantities are
 * quantity units, and prices, USDC amounts and bps are doubles derived from them.
 */

import { BookWalk } from "./bookWalk.js";
import type { EdgeDirection } from "./direction.js";

/**
 * - `ok`: every field below is valid;
 * - `emptyBook`: a side of either leg is empty (entry needs one side, the exit estimate the other);
 * - `crossedBook`: either leg's best bid ≥ best ask (inconsistent view; no edge is computed);
 * - `noSize`: the clip reduced to zero lots on a leg (risk cap, balance, depth or hedge truncation);
 * - `overflow`: a notional or quantity left the exact integer range (`book/scales.ts`).
 */
export type EdgeStatus = "ok" | "emptyBook" | "crossedBook" | "noSize" | "overflow";

/** The constraint that set the entry quantity (the last one that reduced it). */
export type ClipLimit = "clip" | "riskMaxQty" | "spotBalance" | "bookDepth" | "notionalHeadroom";

/**
 * Numeric fields are declared as NaN and set by `reset` (from the constructor): they start as doubles for
 * the reason given in `book/legBook.ts`.
 */
export class EdgeScratch {
  direction: EdgeDirection;
  status: EdgeStatus = "emptyBook";
  clipLimit: ClipLimit = "clip";

  // Entry, executable across levels.
  /** Entry quantity after the clip, risk, balance and depth limits, before hedge truncation (qty units). */
  entryQty = Number.NaN;
  perpLots = Number.NaN;
  spotLots = Number.NaN;
  /** Exact notional of the perp leg, in perp notional units (10^-6 USDC for HYPE). */
  perpNotional = Number.NaN;
  /** Exact notional of the spot leg, in spot notional units (10^-8 USDC). */
  spotNotional = Number.NaN;
  perpVwap = Number.NaN;
  spotVwap = Number.NaN;
  /** Quantity held on both legs (qty units): the perp lots for perpRich, the common size for spotRich. */
  hedgedQty = Number.NaN;
  /** Base left unhedged by a spot buy's fee, in `10^-(qtyDecimals + 8)` base units; 0 for spotRich. */
  dustUnits = Number.NaN;

  // Exit estimate for the hedged quantity against the current books.
  exitPerpLots = Number.NaN;
  exitSpotLots = Number.NaN;
  exitPerpVwap = Number.NaN;
  exitSpotVwap = Number.NaN;
  /** Visible depth did not cover the exit; the remainder was priced at the deepest level. */
  exitDepthShort = false;
  perpMid = Number.NaN;
  spotMid = Number.NaN;
  /** The price funding was computed on (the oracle input, or the spot mid). */
  fundingPx = Number.NaN;

  // Money, all in bps of the hedged notional at the entry buy VWAP.
  grossBps = Number.NaN;
  entryFeeBps = Number.NaN;
  exitFeeBps = Number.NaN;
  exitCrossingBps = Number.NaN;
  fundingBps = Number.NaN;
  netBps = Number.NaN;

  /** Walk scratch, reused by every walk of a computation. */
  readonly walk = new BookWalk();

  constructor(direction: EdgeDirection) {
    this.direction = direction;
    this.reset(direction);
  }

  reset(direction: EdgeDirection): void {
    this.direction = direction;
    this.status = "emptyBook";
    this.clipLimit = "clip";
    this.entryQty = 0;
    this.perpLots = 0;
    this.spotLots = 0;
    this.perpNotional = 0;
    this.spotNotional = 0;
    this.perpVwap = Number.NaN;
    this.spotVwap = Number.NaN;
    this.hedgedQty = 0;
    this.dustUnits = 0;
    this.exitPerpLots = 0;
    this.exitSpotLots = 0;
    this.exitPerpVwap = Number.NaN;
    this.exitSpotVwap = Number.NaN;
    this.exitDepthShort = false;
    this.perpMid = Number.NaN;
    this.spotMid = Number.NaN;
    this.fundingPx = Number.NaN;
    this.grossBps = Number.NaN;
    this.entryFeeBps = Number.NaN;
    this.exitFeeBps = Number.NaN;
    this.exitCrossingBps = Number.NaN;
    this.fundingBps = Number.NaN;
    this.netBps = Number.NaN;
  }
}
