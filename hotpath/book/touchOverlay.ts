/**
 * How a leg's visible book is composed from its two feeds: the last `l2Book` snapshot (up to 20 levels,
 * every 0.5 s in fast mode) and the last `bbo` (the touch, pushed in every block where it changed).
 *
 * Model: a `bbo` at least as recent as the snapshot replaces the top of the book. Its level becomes level 0,
 * snapshot levels at or better than it are dropped (they have been taken or replaced), and snapshot levels
 * strictly worse follow unchanged. A `null` bbo side means the exchange reports that side empty, so the
 * side is empty. A `bbo` older than the snapshot is ignored: the snapshot already reflects a later block.
 * Deeper levels can therefore be up to one snapshot interval old; the edge walk uses them as they stand.
 */

import type { BookSide } from "./bookSide.js";

/** Writes the visible side into `view`; `touch` holds 0 or 1 level. */
export function composeSide(view: BookSide, snapshot: BookSide, touch: BookSide, useTouch: boolean): void {
  if (!useTouch) {
    view.copyFrom(snapshot);
    return;
  }
  view.clear();
  if (touch.depth === 0) return;
  const touchPrice = touch.prices[0]!;
  view.append(touchPrice, touch.sizes[0]!, touch.orders[0]!);
  const isBid = view.isBid;
  for (let i = 0; i < snapshot.depth && view.depth < view.capacity; i++) {
    const price = snapshot.prices[i]!;
    if (isBid ? price < touchPrice : price > touchPrice) {
      view.append(price, snapshot.sizes[i]!, snapshot.orders[i]!);
    }
  }
}
