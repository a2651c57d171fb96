/**
 * Fault hooks: deliberate misbehaviour the tests and the demo switch on to exercise the bot's defences.
 *
 * - partial fills: the next N orders on an asset match at most a fraction of their size (the rest follows
 *   the order's tif: IOC cancels it, GTC rests it);
 * - rejections: the next N orders (on an asset, or any) are answered with a given error string;
 * - frozen model: the books stop updating and no book/bbo frames are published (a stalled feed), while
 *   time, funding and user actions go on;
 * - crossed book: published snapshots of an asset show a bid above the best ask (a corrupt feed; matching
 *   still uses the true book);
 * - clock skew: every timestamp the exchange emits is shifted by an offset.
 */
import { fxFromNumber } from "./fixed.js";

interface Countdown {
  remaining: number;
}

export class FaultInjector {
  private readonly partialFills = new Map<number, Countdown & { fraction: bigint }>();
  private readonly rejections: (Countdown & { asset: number | undefined; error: string })[] = [];
  private readonly crossedAssets = new Set<number>();
  private frozen = false;
  private skewMs = 0;

  /** The next `count` orders on `asset` that reach matching fill at most `fraction` (0 < fraction < 1). */
  forcePartialFills(asset: number, count: number, fraction: number): void {
    if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`fraction must be in [0, 1): ${fraction}`);
    this.partialFills.set(asset, { remaining: count, fraction: fxFromNumber(fraction) });
  }

  /** The next `count` orders (on `asset`, or on any asset when omitted) are rejected with `error`. */
  rejectNextOrders(count: number, error: string, asset?: number): void {
    this.rejections.push({ remaining: count, asset, error });
  }

  setModelFrozen(frozen: boolean): void {
    this.frozen = frozen;
  }

  get modelFrozen(): boolean {
    return this.frozen;
  }

  setCrossedBook(asset: number, crossed: boolean): void {
    if (crossed) this.crossedAssets.add(asset);
    else this.crossedAssets.delete(asset);
  }

  isBookCrossed(asset: number): boolean {
    return this.crossedAssets.has(asset);
  }

  setClockSkew(ms: number): void {
    this.skewMs = ms;
  }

  get clockSkewMs(): number {
    return this.skewMs;
  }

  /** Removes every fault. */
  clear(): void {
    this.partialFills.clear();
    this.rejections.length = 0;
    this.crossedAssets.clear();
    this.frozen = false;
    this.skewMs = 0;
  }

  /** Consumes one injected rejection for an order on `asset`, if any. */
  takeRejection(asset: number): string | undefined {
    const index = this.rejections.findIndex((entry) => entry.asset === undefined || entry.asset === asset);
    const entry = this.rejections[index];
    if (entry === undefined) return undefined;
    entry.remaining--;
    if (entry.remaining <= 0) this.rejections.splice(index, 1);
    return entry.error;
  }

  /** Consumes one forced partial fill on `asset`: the scaled fraction of the size allowed to match. */
  takePartialFill(asset: number): bigint | undefined {
    const entry = this.partialFills.get(asset);
    if (entry === undefined) return undefined;
    entry.remaining--;
    if (entry.remaining <= 0) this.partialFills.delete(asset);
    return entry.fraction;
  }
}
