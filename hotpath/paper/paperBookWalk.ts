/**
 * An IOC order walked through one leg's visible book, as the exchange's matching engine would take it:
 * level by level from the touch, never past the limit price, each level's size at most, the remainder
 * cancelled. Prices and sizes stay exact integers (the leg's price units and lots, `book/scales.ts`) and
 * leave as the exchange's decimal strings.
 *
 * Self-impact: what our own paper orders took from a level is remembered until the leg's book changes (its
 * `sequence` moves), so two orders on one frame — a root and the hedge right after it — do not both take the
 * same liquidity. The next frame is the market's own view again: the venue does not model how long our
 * taking would have moved the real book.
 */

import type { BookSide } from "../book/bookSide.js";
import type { LegBook } from "../book/legBook.js";
import { fromScaledNumber } from "../exchange/decimal/scaled.js";
import type { WireDecimal } from "../exchange/wire/brands.js";

/** One level's part of a fill. */
export interface LevelFill {
  /** The level's price (the maker's). */
  readonly px: WireDecimal;
  readonly sz: WireDecimal;
  /** Price units and lots, for exact sums. */
  readonly pxUnits: number;
  readonly lots: number;
}

/** Liquidity our paper orders took from one leg's visible book since it last changed. */
export class LegImpact {
  private sequence = Number.NaN;
  private readonly takenBids = new Map<number, number>();
  private readonly takenAsks = new Map<number, number>();

  /** Lots taken at `pxUnits` on the side a buy (asks) or a sell (bids) takes, in the book as it is now. */
  taken(leg: LegBook, isBuy: boolean, pxUnits: number): number {
    this.follow(leg);
    return (isBuy ? this.takenAsks : this.takenBids).get(pxUnits) ?? 0;
  }

  take(leg: LegBook, isBuy: boolean, pxUnits: number, lots: number): void {
    this.follow(leg);
    const taken = isBuy ? this.takenAsks : this.takenBids;
    taken.set(pxUnits, (taken.get(pxUnits) ?? 0) + lots);
  }

  /** A new frame replaced the book: nothing of it was taken yet. */
  private follow(leg: LegBook): void {
    if (leg.sequence === this.sequence) return;
    this.sequence = leg.sequence;
    this.takenBids.clear();
    this.takenAsks.clear();
  }
}

/**
 * The fills of an IOC order of `lots` at the limit `limitUnits` (price units) against `leg`'s book now:
 * a buy takes asks at or below the limit, a sell bids at or above it. Empty when nothing crosses.
 */
export function walkBook(
  leg: LegBook,
  isBuy: boolean,
  limitUnits: number,
  lots: number,
  impact: LegImpact,
): LevelFill[] {
  const side: BookSide = isBuy ? leg.asks : leg.bids;
  const { priceDecimals, sizeDecimals } = leg.scales;
  const fills: LevelFill[] = [];
  let remaining = lots;
  for (let level = 0; level < side.depth && remaining > 0; level++) {
    const pxUnits = side.prices[level]!;
    if (isBuy ? pxUnits > limitUnits : pxUnits < limitUnits) break;
    const available = side.sizes[level]! - impact.taken(leg, isBuy, pxUnits);
    if (available <= 0) continue;
    const take = Math.min(remaining, available);
    impact.take(leg, isBuy, pxUnits, take);
    remaining -= take;
    fills.push({
      px: fromScaledNumber(pxUnits, priceDecimals),
      sz: fromScaledNumber(take, sizeDecimals),
      pxUnits,
      lots: take,
    });
  }
  return fills;
}
