/**
 * One side of a top-N book (bids or asks) in preallocated typed arrays: prices in price units, sizes in lots,
 * order counts, all exact integers (see `scales.ts`). Index 0 is the touch.
 *
 * `append` is the single place where a level is accepted, for the frame scanner and for the full decoder's
 * message alike, so both paths enforce the same rules: price and size positive and exact (a `NaN` from an
 * inexact conversion fails the test), bids strictly descending and asks strictly ascending, order counts
 * non-negative integers. Levels beyond the capacity are still validated (a frame is accepted or rejected as
 * a whole) but not stored: the book is the top `capacity` levels of the frame.
 *
 * No allocation after construction. Typed-array reads use `!`: every index is below `depth ≤ capacity`, and
 * the assertion costs nothing at run time where `?? fallback` would add a branch per read.
 */

export const MAX_BOOK_LEVELS = 20;

export class BookSide {
  readonly isBid: boolean;
  readonly capacity: number;
  /** Price units; `prices[0]` is the best price. Only `[0, depth)` is meaningful. */
  readonly prices: Float64Array;
  /** Lots. */
  readonly sizes: Float64Array;
  /** Number of orders at the level (`n`). */
  readonly orders: Float64Array;
  /** Stored levels. */
  depth = 0;
  /** Levels appended since `clear`, stored or not. */
  levelCount = 0;
  /** Price of the last appended level, for the ordering check (a double from the start: see `legBook.ts`). */
  private lastPrice = Number.NaN;

  constructor(isBid: boolean, capacity: number = MAX_BOOK_LEVELS) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) {
      throw new RangeError(`book capacity must be a positive integer, got ${capacity}`);
    }
    this.isBid = isBid;
    this.capacity = capacity;
    this.prices = new Float64Array(capacity);
    this.sizes = new Float64Array(capacity);
    this.orders = new Float64Array(capacity);
  }

  clear(): void {
    this.depth = 0;
    this.levelCount = 0;
    this.lastPrice = 0;
  }

  /**
   * Appends the next level of a frame (worse than the previous one); false if the level breaks a rule, in
   * which case the side is left half-written and the caller must discard the whole frame.
   */
  append(price: number, size: number, orders: number): boolean {
    // Written so that NaN fails every test.
    if (!(price > 0 && size > 0 && orders >= 0 && orders <= Number.MAX_SAFE_INTEGER)) return false;
    if (this.levelCount > 0 && !(this.isBid ? price < this.lastPrice : price > this.lastPrice)) return false;
    const depth = this.depth;
    if (depth < this.capacity) {
      this.prices[depth] = price;
      this.sizes[depth] = size;
      this.orders[depth] = orders;
      this.depth = depth + 1;
    }
    this.levelCount += 1;
    this.lastPrice = price;
    return true;
  }

  /** Copies `other`'s stored levels (up to this side's capacity). */
  copyFrom(other: BookSide): void {
    const depth = Math.min(other.depth, this.capacity);
    for (let i = 0; i < depth; i++) {
      this.prices[i] = other.prices[i]!;
      this.sizes[i] = other.sizes[i]!;
      this.orders[i] = other.orders[i]!;
    }
    this.depth = depth;
    this.levelCount = depth;
    this.lastPrice = depth > 0 ? this.prices[depth - 1]! : 0;
  }

  /** Best price in price units, or NaN when the side is empty. */
  bestPrice(): number {
    return this.depth > 0 ? this.prices[0]! : NaN;
  }

  /** Total lots over the stored levels. */
  totalSize(): number {
    let total = 0;
    for (let i = 0; i < this.depth; i++) total += this.sizes[i]!;
    return total;
  }
}
