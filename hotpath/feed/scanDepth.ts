/**
 * How deep the frame scanner reads each side of a leg's `l2Book`: the hot path parses only what its
 * decisions can read (issue "Hot path I": parse only what the edge needs), because parsing all 20 levels of
 * both sides was half of the process's CPU per frame.
 *
 * What reads book depth, and how much of it:
 * - the edge and the open limit prices walk at most one clip, and a clip is at most `risk.maxClip` (a
 *   runtime change of the clip is refused above it); the spot leg of a perp clip is a little more than a
 *   clip (its fee is paid in base), far below the margin below;
 * - unwinds and forced exits walk the position being closed, at most `risk.maxPositionNotionalUsdc` at the
 *   prices it was opened at; the margin covers the price doubling since (beyond that the walk prices the
 *   remainder at the deepest level read, as it already does when the visible book is short).
 * Both limits change only with a restart, so the depth is fixed per process.
 *
 * `SCAN_DEPTH_MARGIN` times both is read: the scanner stops after the first level at which the side holds
 * `lots` lots and `notional` price-units × lots (`levelScanner.scanSideAt`). A book thinner than that is read
 * whole. The depth is a bound on how much is parsed, not a money value: computing it in doubles only moves
 * the stopping level, and reading more than needed is harmless.
 */

import type { LegScales } from "../book/scales.js";

export interface ScanDepth {
  /** Lots (size units) to read before stopping; `Infinity` reads every level. */
  readonly lots: number;
  /** Price units × lots to read before stopping; `Infinity` reads every level. */
  readonly notional: number;
}

/** Every level parsed and validated (tests, tools, and `feed.scanFullBook`). */
export const FULL_DEPTH: ScanDepth = Object.freeze({ lots: Infinity, notional: Infinity });

export const SCAN_DEPTH_MARGIN = 2;

/** What the limits that bound every walk of a leg's book are. */
export interface DepthLimits {
  /** Base units, decimal string (`risk.maxClip`). */
  readonly maxClip: string;
  /** USDC, decimal string (`risk.maxPositionNotionalUsdc`). */
  readonly maxPositionNotionalUsdc: string;
}

export function scanDepthOf(limits: DepthLimits, scales: LegScales): ScanDepth {
  const clip = Number(limits.maxClip);
  const notional = Number(limits.maxPositionNotionalUsdc);
  if (!(clip > 0 && notional > 0 && clip < Infinity && notional < Infinity)) {
    throw new RangeError(
      `scan depth needs positive limits, got maxClip ${limits.maxClip}, ` +
        `maxPositionNotionalUsdc ${limits.maxPositionNotionalUsdc}`,
    );
  }
  return Object.freeze({
    lots: Math.ceil(clip * scales.sizeScale * SCAN_DEPTH_MARGIN),
    notional: Math.ceil(notional * scales.priceScale * scales.sizeScale * SCAN_DEPTH_MARGIN),
  });
}

/** The depth of both legs of a market. */
export interface MarketScanDepth {
  readonly perp: ScanDepth;
  readonly spot: ScanDepth;
}

export const FULL_MARKET_DEPTH: MarketScanDepth = Object.freeze({ perp: FULL_DEPTH, spot: FULL_DEPTH });

export function marketScanDepthOf(
  limits: DepthLimits,
  scales: { readonly perp: LegScales; readonly spot: LegScales },
): MarketScanDepth {
  return Object.freeze({ perp: scanDepthOf(limits, scales.perp), spot: scanDepthOf(limits, scales.spot) });
}
