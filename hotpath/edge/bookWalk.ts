/**
 * Walking one side of a book from the touch: how many lots can be taken under a size cap and a notional cap,
 * and the exact notional they cost — the executable VWAP across levels, not just the touch.
 *
 * Prices are price units and sizes lots (`book/scales.ts`), so `lots × price` is an exact integer of
 * notional units as long as the running sum stays at most `MAX_SAFE_INTEGER`; the walk checks that bound
 * and reports `overflow` rather than a rounded sum. A notional cap at or above `MAX_SAFE_INTEGER` means
 * "no cap".
 *
 * Limits go in and results come out through a reusable `BookWalk`, never as arguments or return values:
 * notionals exceed the small-integer range, and V8 boxes such a double in a new HeapNumber whenever it
 * crosses a call boundary that was not inlined (measured: 48 bytes per edge computation before this, and
 * GCs during the benchmark; none after). For the same reason the floor division is written out inline.
 */

import type { BookSide } from "../book/bookSide.js";

/** "No notional cap." */
export const UNCAPPED = Number.MAX_SAFE_INTEGER;

/** Numeric fields start as doubles (NaN) for the reason given in `book/legBook.ts`. */
export class BookWalk {
  /** Input: most lots to take. */
  lotCap = Number.NaN;
  /** Input: most notional units to spend; `UNCAPPED` for none. */
  notionalCap = UNCAPPED;
  /** Lots taken. */
  lots = Number.NaN;
  /** Exact notional of the lots taken, in the leg's notional units. */
  notional = Number.NaN;
  /** Price units of the deepest level touched; NaN when nothing was taken. */
  lastPrice = Number.NaN;
  /** The notional went past `MAX_SAFE_INTEGER`: `notional` is not exact and must not be used. */
  overflow = false;

  /** Sets the limits of the next walk. */
  limit(lotCap: number, notionalCap: number): this {
    this.lotCap = lotCap;
    this.notionalCap = notionalCap;
    return this;
  }
}

/**
 * Takes levels of `side` from the touch until `walk.lotCap` lots are taken, the next lot would take the
 * notional above `walk.notionalCap`, or the side runs out; results in `walk`.
 */
export function walkSide(side: BookSide, walk: BookWalk): BookWalk {
  const lotCap = walk.lotCap;
  const notionalCap = walk.notionalCap;
  const capNotional = notionalCap < UNCAPPED;
  const prices = side.prices;
  const sizes = side.sizes;
  let lots = 0;
  let notional = 0;
  let lastPrice = Number.NaN;
  for (let i = 0; i < side.depth && lots < lotCap; i++) {
    const price = prices[i]!;
    let take = Math.min(sizes[i]!, lotCap - lots);
    let capped = false;
    if (capNotional) {
      // ⌊(cap − notional) / price⌋ inline (`floorDiv`): a call would box the non-Smi dividend.
      const room = notionalCap - notional;
      let affordable = Math.floor(room / price);
      if (affordable * price > room) affordable -= 1;
      else if ((affordable + 1) * price <= room) affordable += 1;
      if (affordable < take) {
        take = affordable;
        capped = true;
      }
    }
    if (take <= 0) break;
    lots += take;
    notional += take * price;
    lastPrice = price;
    // The cap stopped us inside this level: the next lot of an order fills here, not at a deeper (for bids,
    // cheaper) level, so nothing deeper may be counted.
    if (capped) break;
  }
  walk.lots = lots;
  walk.notional = notional;
  walk.lastPrice = lastPrice;
  walk.overflow = !(notional <= Number.MAX_SAFE_INTEGER);
  return walk;
}

/**
 * Exactly `lots` lots from `side`; when the visible depth is short, the remainder is priced at the deepest
 * visible level (an optimistic bound, flagged by the return value). Returns true when the depth sufficed.
 * `side` must not be empty.
 */
export function walkWithTail(side: BookSide, lots: number, walk: BookWalk): boolean {
  walk.lotCap = lots;
  walk.notionalCap = UNCAPPED;
  walkSide(side, walk);
  if (walk.lots >= lots) return true;
  const tailPrice = side.prices[side.depth - 1]!;
  walk.notional += (lots - walk.lots) * tailPrice;
  walk.lots = lots;
  walk.lastPrice = tailPrice;
  walk.overflow = !(walk.notional <= Number.MAX_SAFE_INTEGER);
  return false;
}
