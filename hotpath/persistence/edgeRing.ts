/**
 * The hot path's side of edge persistence: a preallocated ring that the frame path copies every computed
 * edge into — both directions of every frame — and that the flusher drains off the critical path.
 *
 * `pushSkipped` / `pushTraded` are O(1), never block and allocate nothing: each writes one slot of
 * struct-of-arrays columns (typed arrays for numbers, a few plain arrays holding references to strings
 * and books that already exist). Sizes, notionals and fee rates are copied as the exact scaled integers the
 * edge was computed with; `drainColumns` (the flusher, off the frame path) copies slots into the columns of
 * a version-2 message, still as numbers — decimal strings and row objects are only made by the decoder.
 *
 * Ring full — the flusher fell behind by a whole ring (65 536 edges by default, several seconds at 10k
 * edges/s; the flusher's drain does not wait on SQS, see `edgeFlusher.ts`, so this takes a starved event
 * loop or a ring sized below one flush interval of edges): the edge being pushed is dropped and counted in
 * `droppedFull`, which `/metrics` shows and the flusher logs (at most once per interval). The newest edge is
 * the one dropped, not the oldest, because the ring never overwrites a slot the flusher has not copied:
 * push and drain then need no coordination, and the loss is counted at the one place it happens.
 *
 * Times: `recordedAtMs` and the books' receive times are on the monotonic clock (`performance.now()`), as
 * the frame path has them; `drainColumns` converts them to epoch ms with the caller's clock offset. The oldest
 * slot's `recordedAtMs` is also what the flusher's age-based flush reads, so it must be that clock.
 */

import type { MarketBooks } from "../book/marketBooks.js";
import type { EdgeParams } from "../edge/edgeParams.js";
import type { EdgeIdSequence } from "../edge/edgeRecord.js";
import type { ClipLimit, EdgeScratch, EdgeStatus } from "../edge/edgeScratch.js";
import { FEE_RATE_DECIMALS } from "../edge/feeRates.js";
import { clipLimitCode, outcomeCode, statusCode, type EdgeColumns } from "./edgeColumnsCodec.js";
import type { SkipReason } from "./edgeRowCodec.js";

/** What the ring reads of a market: a `MarketFeed` is one. */
export interface EdgeSource {
  readonly books: MarketBooks;
  readonly edges: { readonly params: EdgeParams };
}

export const DEFAULT_EDGE_RING_CAPACITY = 65_536;

/** Converts the frame path's monotonic ms to epoch ms (default: `performance.timeOrigin + ms`). */
export type EpochClock = (monotonicMs: number) => number;

export const performanceEpochClock: EpochClock = (monotonicMs) => performance.timeOrigin + monotonicMs;

/**
 * A scaled integer, or 0 when it is outside the exact range — only left by a computation that stopped
 * half-way (status `overflow` and the like), whose sizes mean nothing.
 */
function exactOrZero(units: number): number {
  return Number.isSafeInteger(units) ? units : 0;
}

/** A leg that has received no frame yet has no times (NaN): recorded as 0, the epoch. */
function epochOrZero(monotonicMs: number, toEpochMs: EpochClock): number {
  return Number.isFinite(monotonicMs) ? toEpochMs(monotonicMs) : 0;
}

function timeOrZero(epochMs: number): number {
  return Number.isFinite(epochMs) ? epochMs : 0;
}

export class EdgeRing {
  readonly capacity: number;

  /** Edges accepted into the ring since start. (Counters start as doubles: see `book/legBook.ts`.) */
  pushed = Number.NaN;
  /** Edges refused because the ring was full (the pushed edge is the one dropped). */
  droppedFull = Number.NaN;
  /** Most edges ever held at once. */
  highWater = Number.NaN;

  private readonly ids: EdgeIdSequence;
  /** Next slot to write. */
  private writeAt = 0;
  /** Oldest held slot. */
  private readAt = 0;
  private held = 0;

  // Columns, one entry per slot.
  private readonly edgeId: Float64Array;
  private readonly recordedAtMs: Float64Array;
  private readonly perpRich: Uint8Array;
  private readonly grossBps: Float64Array;
  private readonly netBps: Float64Array;
  private readonly entryFeeBps: Float64Array;
  private readonly exitFeeBps: Float64Array;
  private readonly fundingBps: Float64Array;
  private readonly perpLots: Float64Array;
  private readonly spotLots: Float64Array;
  private readonly hedgedQty: Float64Array;
  private readonly perpVwap: Float64Array;
  private readonly spotVwap: Float64Array;
  private readonly perpNotional: Float64Array;
  private readonly spotNotional: Float64Array;
  private readonly perpExchangeTimeMs: Float64Array;
  private readonly perpReceivedAtMs: Float64Array;
  private readonly spotExchangeTimeMs: Float64Array;
  private readonly spotReceivedAtMs: Float64Array;
  private readonly perpTakerRate: Float64Array;
  private readonly spotTakerRate: Float64Array;
  private readonly fundingRatePerHour: Float64Array;
  // Reference columns: values that already exist elsewhere (no copy, no allocation).
  private readonly books: (MarketBooks | null)[];
  private readonly status: EdgeStatus[];
  private readonly clipLimit: ClipLimit[];
  private readonly skipReason: (SkipReason | null)[];
  private readonly intentId: (string | null)[];

  /** `ids`: the process's one `EdgeIdSequence` (skipped edges take their id from it here). */
  constructor(ids: EdgeIdSequence, capacity: number = DEFAULT_EDGE_RING_CAPACITY) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) {
      throw new RangeError(`edge ring capacity must be a positive integer, got ${capacity}`);
    }
    this.ids = ids;
    this.capacity = capacity;
    const column = (): Float64Array => new Float64Array(capacity);
    this.edgeId = column();
    this.recordedAtMs = column();
    this.perpRich = new Uint8Array(capacity);
    this.grossBps = column();
    this.netBps = column();
    this.entryFeeBps = column();
    this.exitFeeBps = column();
    this.fundingBps = column();
    this.perpLots = column();
    this.spotLots = column();
    this.hedgedQty = column();
    this.perpVwap = column();
    this.spotVwap = column();
    this.perpNotional = column();
    this.spotNotional = column();
    this.perpExchangeTimeMs = column();
    this.perpReceivedAtMs = column();
    this.spotExchangeTimeMs = column();
    this.spotReceivedAtMs = column();
    this.perpTakerRate = column();
    this.spotTakerRate = column();
    this.fundingRatePerHour = column();
    // Filled (not holey) arrays of one element kind, so writes stay on the fast path.
    this.books = new Array<MarketBooks | null>(capacity).fill(null);
    this.status = new Array<EdgeStatus>(capacity).fill("ok");
    this.clipLimit = new Array<ClipLimit>(capacity).fill("clip");
    this.skipReason = new Array<SkipReason | null>(capacity).fill(null);
    this.intentId = new Array<string | null>(capacity).fill(null);
    this.pushed = 0;
    this.droppedFull = 0;
    this.highWater = 0;
  }

  /** Edges held (pushed, not drained yet). */
  get size(): number {
    return this.held;
  }

  /**
   * Copies `scratch` (one direction of `source`'s current edge, computed from its books at the frame
   * received at `recordedAtMs`, monotonic ms) as a skipped edge. Takes the next id from the shared
   * sequence and returns it — also when the ring was full and the edge was dropped (counted).
   */
  pushSkipped(source: EdgeSource, scratch: EdgeScratch, recordedAtMs: number, reason: SkipReason): number {
    const edgeId = this.ids.next();
    this.write(source, scratch, edgeId, recordedAtMs, reason, null);
    return edgeId;
  }

  /**
   * Copies `scratch` as a traded edge: `edgeId` is the id of the `EdgeRecord` the decision built from the
   * same scratch, `intentId` the intent it created (1–128 characters, else RangeError: one bad id would
   * make its whole message poison). Returns false when the ring was full (counted).
   */
  pushTraded(
    source: EdgeSource,
    scratch: EdgeScratch,
    edgeId: number,
    recordedAtMs: number,
    intentId: string,
  ): boolean {
    if (intentId.length === 0 || intentId.length > 128) {
      throw new RangeError(`intent id of edge ${edgeId} must have 1–128 characters, has ${intentId.length}`);
    }
    return this.write(source, scratch, edgeId, recordedAtMs, null, intentId);
  }

  private write(
    source: EdgeSource,
    scratch: EdgeScratch,
    edgeId: number,
    recordedAtMs: number,
    reason: SkipReason | null,
    intentId: string | null,
  ): boolean {
    if (this.held === this.capacity) {
      this.droppedFull += 1;
      return false;
    }
    const i = this.writeAt;
    const books = source.books;
    const params = source.edges.params;
    this.edgeId[i] = edgeId;
    this.recordedAtMs[i] = recordedAtMs;
    this.perpRich[i] = scratch.direction === "perpRich" ? 1 : 0;
    this.grossBps[i] = scratch.grossBps;
    this.netBps[i] = scratch.netBps;
    this.entryFeeBps[i] = scratch.entryFeeBps;
    this.exitFeeBps[i] = scratch.exitFeeBps;
    this.fundingBps[i] = scratch.fundingBps;
    this.perpLots[i] = scratch.perpLots;
    this.spotLots[i] = scratch.spotLots;
    this.hedgedQty[i] = scratch.hedgedQty;
    this.perpVwap[i] = scratch.perpVwap;
    this.spotVwap[i] = scratch.spotVwap;
    this.perpNotional[i] = scratch.perpNotional;
    this.spotNotional[i] = scratch.spotNotional;
    this.perpExchangeTimeMs[i] = books.perp.exchangeTimeMs;
    this.perpReceivedAtMs[i] = books.perp.receivedAtMs;
    this.spotExchangeTimeMs[i] = books.spot.exchangeTimeMs;
    this.spotReceivedAtMs[i] = books.spot.receivedAtMs;
    this.perpTakerRate[i] = params.fees.perpTaker;
    this.spotTakerRate[i] = params.fees.spotTaker;
    this.fundingRatePerHour[i] = params.fundingRatePerHour;
    this.books[i] = books;
    this.status[i] = scratch.status;
    this.clipLimit[i] = scratch.clipLimit;
    this.skipReason[i] = reason;
    this.intentId[i] = intentId;
    this.writeAt = i + 1 === this.capacity ? 0 : i + 1;
    const held = this.held + 1;
    this.held = held;
    this.pushed += 1;
    if (held > this.highWater) this.highWater = held;
    return true;
  }

  /** `recordedAtMs` (monotonic) of the oldest held edge; NaN when empty. */
  oldestRecordedAtMs(): number {
    return this.held === 0 ? Number.NaN : this.recordedAtMs[this.readAt]!;
  }

  /**
   * Moves up to `max` of the oldest edges, in push order, into `out` (appended after its `count` rows;
   * at most its free capacity) and frees their slots. Returns how many. Copies numbers only: times are
   * converted with `toEpochMs`, exact values stay scaled integers (with their decimals), no row object or
   * string is made — the decoder builds rows (`edgeColumnsCodec.ts`).
   */
  drainColumns(max: number, toEpochMs: EpochClock, out: EdgeColumns): number {
    const count = Math.min(max, this.held, out.capacity - out.count);
    const { floats: f, units: u, decimals: d, codes: c } = out;
    for (let n = 0; n < count; n++) {
      const i = this.readAt;
      const k = out.count + n;
      const books = this.books[i]!;
      const scales = books.scales;
      f.edgeId[k] = this.edgeId[i]!;
      f.recordedAtMs[k] = epochOrZero(this.recordedAtMs[i]!, toEpochMs);
      f.grossBps[k] = this.grossBps[i]!;
      f.netBps[k] = this.netBps[i]!;
      f.entryFeeBps[k] = this.entryFeeBps[i]!;
      f.exitFeeBps[k] = this.exitFeeBps[i]!;
      f.fundingBps[k] = this.fundingBps[i]!;
      f.perpVwap[k] = this.perpVwap[i]!;
      f.spotVwap[k] = this.spotVwap[i]!;
      f.perpExchangeTimeMs[k] = timeOrZero(this.perpExchangeTimeMs[i]!);
      f.perpReceivedAtMs[k] = epochOrZero(this.perpReceivedAtMs[i]!, toEpochMs);
      f.spotExchangeTimeMs[k] = timeOrZero(this.spotExchangeTimeMs[i]!);
      f.spotReceivedAtMs[k] = epochOrZero(this.spotReceivedAtMs[i]!, toEpochMs);
      f.fundingRatePerHour[k] = this.fundingRatePerHour[i]!;
      u.perpSize[k] = exactOrZero(this.perpLots[i]!);
      d.perpSize[k] = scales.perp.sizeDecimals;
      u.spotSize[k] = exactOrZero(this.spotLots[i]!);
      d.spotSize[k] = scales.spot.sizeDecimals;
      u.hedgedSize[k] = exactOrZero(this.hedgedQty[i]!);
      d.hedgedSize[k] = scales.qtyDecimals;
      u.perpNotional[k] = exactOrZero(this.perpNotional[i]!);
      d.perpNotional[k] = scales.perp.notionalDecimals;
      u.spotNotional[k] = exactOrZero(this.spotNotional[i]!);
      d.spotNotional[k] = scales.spot.notionalDecimals;
      u.perpTakerFeeRate[k] = exactOrZero(this.perpTakerRate[i]!);
      d.perpTakerFeeRate[k] = FEE_RATE_DECIMALS;
      u.spotTakerFeeRate[k] = exactOrZero(this.spotTakerRate[i]!);
      d.spotTakerFeeRate[k] = FEE_RATE_DECIMALS;
      c.coin[k] = out.coinCode(books.coin);
      c.direction[k] = this.perpRich[i] === 1 ? 0 : 1;
      c.status[k] = statusCode(this.status[i]!);
      c.clipLimit[k] = clipLimitCode(this.clipLimit[i]!);
      const reason = this.skipReason[i] ?? null;
      c.outcome[k] = outcomeCode(reason);
      if (reason === null) out.intentIds.push(this.intentId[i] ?? "");
      this.books[i] = null;
      this.intentId[i] = null;
      this.readAt = i + 1 === this.capacity ? 0 : i + 1;
    }
    out.count += count;
    this.held -= count;
    return count;
  }
}
