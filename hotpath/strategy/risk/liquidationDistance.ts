/**
 * The perp liquidation distance the risk checks read (`MarketRiskView.liquidationDistancePct`), from what the
 * exchange reports for a position in `clearinghouseState`: |mark − liquidationPx| / mark, in % of the mark.
 * The mark is the position's own `positionValue / |szi|` (the exchange values positions at the mark), so the
 * distance is that of one consistent snapshot. +∞ with no position or no liquidation price (the exchange
 * reports none when the account cannot be liquidated); NaN when the numbers do not make a distance — which the
 * risk checks treat as unknown (no new risk, nothing unwound on that evidence).
 *
 * A ratio for a limit check, not a money value: doubles are exact enough.
 */

import type { PerpPosition } from "../../exchange/wire/info.js";

export function liquidationDistancePct(position: PerpPosition | undefined): number {
  if (position === undefined) return Number.POSITIVE_INFINITY;
  const size = Math.abs(Number(position.szi));
  if (size === 0 || position.liquidationPx === null) return Number.POSITIVE_INFINITY;
  const mark = Number(position.positionValue) / size;
  const liquidation = Number(position.liquidationPx);
  if (!(mark > 0 && mark < Infinity && liquidation >= 0 && liquidation < Infinity)) return Number.NaN;
  return (Math.abs(mark - liquidation) / mark) * 100;
}

/** The distance for `perpCoin` among a snapshot's positions (+∞ when it holds none), and that position's |szi|. */
export function liquidationDistanceOf(
  positions: readonly { readonly position: PerpPosition }[],
  perpCoin: string,
): { readonly pct: number; readonly perpSize: string } {
  const position = positions.find((entry) => entry.position.coin === perpCoin)?.position;
  return {
    pct: liquidationDistancePct(position),
    perpSize: position === undefined ? "0" : position.szi.replace(/^-/, ""),
  };
}
