/**
 * Orders sent in the last minute: a sliding-window counter over a preallocated ring of send times.
 *
 * The ring holds the last `capacity` send times, and `capacity` is the orders-per-minute limit: the check
 * only has to tell counts up to the limit apart, and once `capacity` sends fall inside the window the limit
 * is reached whatever happened before them. Times are kept non-decreasing (a send stamped earlier than the
 * previous one, e.g. after a wall-clock step back, is recorded at the previous time), so counting is a
 * binary search and reading never mutates: `countInWindow` is a pure function of the recorded sends.
 *
 * No allocation after construction.
 */

import type { Clock } from "./riskState.js";

export const ORDER_RATE_WINDOW_MS = 60_000;

/** What the checks read; an `OrderRateWindow` is one. */
export interface OrderRateView {
  /** Recorded sends stamped after `clock.nowMs − ORDER_RATE_WINDOW_MS`, at most the capacity. */
  countInWindow(clock: Clock): number;
}

export class OrderRateWindow implements OrderRateView {
  readonly capacity: number;
  private readonly times: Float64Array;
  /** Index the next send is written at. */
  private next = 0;
  /** Sends held (≤ capacity). */
  private held = 0;
  /** Time of the newest send; −∞ before the first. */
  private newest = Number.NEGATIVE_INFINITY;

  constructor(capacity: number) {
    if (!(Number.isSafeInteger(capacity) && capacity >= 1)) {
      throw new RangeError(`order rate window capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
  }

  /** Records `orders` sends at `nowMs` (epoch ms). */
  record(nowMs: number, orders = 1): void {
    const at = nowMs > this.newest ? nowMs : this.newest;
    this.newest = at;
    const capacity = this.capacity;
    for (let i = 0; i < orders; i++) {
      this.times[this.next] = at;
      this.next = this.next + 1 === capacity ? 0 : this.next + 1;
      if (this.held < capacity) this.held += 1;
    }
  }

  countInWindow(clock: Clock): number {
    const cutoff = clock.nowMs - ORDER_RATE_WINDOW_MS;
    const held = this.held;
    const capacity = this.capacity;
    const oldest = this.next - held < 0 ? this.next - held + capacity : this.next - held;
    // First logical index whose time is after the cutoff (times are non-decreasing in logical order).
    let low = 0;
    let high = held;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const physical = oldest + middle < capacity ? oldest + middle : oldest + middle - capacity;
      if (this.times[physical]! > cutoff) high = middle;
      else low = middle + 1;
    }
    return held - low;
  }
}
