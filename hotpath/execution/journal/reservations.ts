/**
 * Reserved cloids (reserve-ahead mode): which durably reserved cloids no intent record explains yet.
 *
 * Cloids are `0x` + a 16-hex-digit prefix (random per boot) + a 16-hex-digit counter, so a block is a
 * counter range under one prefix. A cloid is *outstanding* from its reservation until an intent record
 * uses it (explained) or a release record says it never reached the exchange. After a crash, every
 * outstanding cloid may be on the exchange without its intent record (that record was written but not yet
 * fsync'd): recovery reports them all as "possibly sent → probe by cloid".
 */

import type { Cloid } from "../../exchange/wire/brands.js";
import type { CloidRange, ReleasedRange } from "./records.js";

const COUNTER_DIGITS = 16;

export function cloidOf(prefix: string, counter: number): Cloid {
  return `0x${prefix}${counter.toString(16).padStart(COUNTER_DIGITS, "0")}` as Cloid;
}

export function prefixOf(cloid: Cloid): string {
  return cloid.slice(2, 2 + 16);
}

/**
 * The counter of a cloid (its last 16 hex digits), or -1 when it is beyond what a block can hold (not one
 * of ours). Read digit by digit: it runs on the order path, where a substring per call is avoidable.
 */
export function counterOf(cloid: Cloid): number {
  let counter = 0;
  for (let index = 2 + 16; index < cloid.length; index++) {
    const code = cloid.charCodeAt(index);
    const digit = code <= 57 ? code - 48 : code - 87; // '0'–'9', 'a'–'f' (cloids are lower case)
    counter = counter * 16 + digit;
  }
  return Number.isSafeInteger(counter) ? counter : -1;
}

/** Whether `cloid` carries `prefix` (no substring allocated). */
function hasPrefix(cloid: Cloid, prefix: string): boolean {
  return cloid.startsWith(prefix, 2);
}

interface Block {
  readonly prefix: string;
  readonly from: number;
  readonly count: number;
  readonly lifetimeMs: number;
  /** 1 = outstanding. */
  readonly outstanding: Uint8Array;
  remaining: number;
}

/** An outstanding cloid and the longest lifetime an order using it may have. */
export interface OutstandingCloid {
  readonly cloid: Cloid;
  readonly lifetimeMs: number;
}

export class ReservationLedger {
  readonly #blocks: Block[] = [];

  reserve(range: CloidRange): void {
    const outstanding = new Uint8Array(range.count).fill(1);
    this.#blocks.push({ ...range, outstanding, remaining: range.count });
  }

  /** True when `cloid` was outstanding (it is explained from now on). */
  explain(cloid: Cloid): boolean {
    const counter = counterOf(cloid);
    const index = this.#blockOf(cloid, counter);
    if (index < 0) return false;
    return this.#clearAt(index, counter);
  }

  /** Whether `cloid` is reserved and not yet explained or released. */
  isOutstanding(cloid: Cloid): boolean {
    const counter = counterOf(cloid);
    const index = this.#blockOf(cloid, counter);
    if (index < 0) return false;
    const block = this.#blocks[index] as Block;
    return block.outstanding[counter - block.from] === 1;
  }

  release(ranges: readonly ReleasedRange[]): void {
    for (const range of ranges) {
      for (let counter = range.from; counter < range.from + range.count; counter++) {
        this.#clear(range.prefix, counter);
      }
    }
  }

  /** Whether any outstanding cloid is under `prefix`. */
  hasPrefix(prefix: string): boolean {
    return this.#blocks.some((block) => block.prefix === prefix);
  }

  get outstandingCount(): number {
    let count = 0;
    for (const block of this.#blocks) count += block.remaining;
    return count;
  }

  /** Outstanding cloids under `prefix` only (one boot's). */
  outstandingCountFor(prefix: string): number {
    let count = 0;
    for (const block of this.#blocks) if (block.prefix === prefix) count += block.remaining;
    return count;
  }

  /** Every outstanding cloid, oldest block first. */
  outstanding(): OutstandingCloid[] {
    const cloids: OutstandingCloid[] = [];
    for (const block of this.#blocks) {
      for (let index = 0; index < block.count; index++) {
        if (block.outstanding[index] === 1) {
          cloids.push({ cloid: cloidOf(block.prefix, block.from + index), lifetimeMs: block.lifetimeMs });
        }
      }
    }
    return cloids;
  }

  /** The outstanding cloids as compact ranges (for a snapshot or a release), optionally of one prefix. */
  outstandingRanges(onlyPrefix: string | null = null): CloidRange[] {
    const ranges: CloidRange[] = [];
    for (const block of this.#blocks) {
      if (onlyPrefix !== null && block.prefix !== onlyPrefix) continue;
      let start = -1;
      for (let index = 0; index <= block.count; index++) {
        const open = index < block.count && block.outstanding[index] === 1;
        if (open && start < 0) start = index;
        if (!open && start >= 0) {
          ranges.push({
            prefix: block.prefix,
            from: block.from + start,
            count: index - start,
            lifetimeMs: block.lifetimeMs,
          });
          start = -1;
        }
      }
    }
    return ranges;
  }

  /** The block holding `cloid` (whose counter is `counter`: read once by the caller), or -1. */
  #blockOf(cloid: Cloid, counter: number): number {
    for (let index = 0; index < this.#blocks.length; index++) {
      const block = this.#blocks[index] as Block;
      if (counter >= block.from && counter < block.from + block.count && hasPrefix(cloid, block.prefix)) {
        return index;
      }
    }
    return -1;
  }

  #clear(prefix: string, counter: number): boolean {
    for (let index = 0; index < this.#blocks.length; index++) {
      const block = this.#blocks[index] as Block;
      if (block.prefix === prefix && counter >= block.from && counter < block.from + block.count) {
        return this.#clearAt(index, counter);
      }
    }
    return false;
  }

  #clearAt(index: number, counter: number): boolean {
    const block = this.#blocks[index] as Block;
    if (block.outstanding[counter - block.from] !== 1) return false;
    block.outstanding[counter - block.from] = 0;
    block.remaining -= 1;
    if (block.remaining === 0) this.#blocks.splice(index, 1);
    return true;
  }
}
