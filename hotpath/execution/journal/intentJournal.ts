/**
 * The write-ahead intent journal: a local, append-only file in which every intent (legs, prices, sizes,
 * cloids, nonces) is recorded before its bytes leave the process, followed by every event of its orders
 * and the position's close. One writer (a lock file), one event loop, synchronous appends.
 *
 * Two modes (see `hotpath/execution/README.md` for the trade-off and the numbers):
 * - `fsyncBeforeSend` (default, the literal rule): `appendIntent` = `writeSync` + `fdatasyncSync`;
 *   when it returns, the record survives a power loss. Costs one device flush per intent on the order path.
 * - `reserveAhead`: off the order path the journal durably reserves blocks of cloids and a nonce ceiling.
 *   `appendIntent` for an intent whose cloids are reserved and whose nonces are under the ceiling is a
 *   `writeSync` only (in the page cache: it survives a process crash, not a power loss) with an fdatasync
 *   started right after, off the event loop. After a power loss, recovery reports every reserved cloid no
 *   record explains as possibly sent, to be probed: nothing can be on the exchange the journal does not
 *   at least name. An intent that does not qualify is fsync'd inline, as in the default mode.
 *
 * Order events (`sent`, acks, fills, …) are written at once and fsync'd asynchronously in both modes:
 * nothing is sent on the strength of them, and the exchange can tell them again (probe, `userFills` since
 * the last journaled fill). Position closes and cloid releases are fsync'd before returning.
 *
 * Failure: a failed write or fsync fails the journal for good (`JournalWriteError`, then
 * `JournalFailedError`); the owner must stop new risk and restart, and recovery takes it from there.
 */

import { randomBytes } from "node:crypto";
import { closeSync, fdatasync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, writeSync } from "node:fs";

import type { Cloid } from "../../exchange/wire/brands.js";
import { type Intent, type IntentId, IntentIdSequence, toIntentId } from "../intent.js";
import type { IntentState, OrderEvent } from "../intentState.js";
import {
  JournalClosedError,
  JournalFailedError,
  JournalIoError,
  JournalRecordRefusedError,
  JournalWriteError,
} from "./errors.js";
import { JournalLock } from "./journalLock.js";
import { type GroupPlan, type JournalState, type StatePlan, StateRejection } from "./journalState.js";
import {
  type ClosedRecord,
  encodeRecord,
  type IntentRecord,
  JOURNAL_FORMAT,
  type JournalMode,
  LineEncoder,
  lineOf,
  type JournalRecord,
  type OrderRecord,
  type ReleaseRecord,
  type ResidualRecord,
  type SegmentRecord,
} from "./records.js";
import { type JournalRecovery, replayNewest, replaySegment, restartRecords, summarize } from "./recovery.js";
import { cloidOf, counterOf, prefixOf } from "./reservations.js";
import { pruneSegments, removeTemporaryFiles, segmentPath, writeSegmentAtomically } from "./segments.js";

export const JOURNAL_DEFAULTS = {
  mode: "fsyncBeforeSend" as JournalMode,
  /** Rotate (snapshot + new segment) past this size: recovery reads at most about this much. */
  maxSegmentBytes: 64 * 1024 * 1024,
  /** Segments kept on disk, the current one included (older ones are history only). */
  retainSegments: 4,
  maintenanceIntervalMs: 1000,
  reserveAhead: {
    /** Cloids per reservation; after a crash at most about this many are probed. */
    blockSize: 32,
    /** How far above now (and the highest nonce) a nonce reservation reaches. */
    nonceLeaseMs: 5 * 60 * 1000,
    /** Longest `expiresAfter − createdAtMs` an intent may have to skip the inline fsync. */
    maxOrderLifetimeMs: 60 * 1000,
  },
} as const;

export interface JournalMaintenance {
  /** Receives a failure of the background work (a reservation, a rotation, an async fsync). */
  readonly onError: (error: unknown) => void;
  /** Default 1 s. */
  readonly intervalMs?: number;
}

export interface ReserveAheadOptions {
  readonly blockSize?: number;
  readonly nonceLeaseMs?: number;
  readonly maxOrderLifetimeMs?: number;
}

export interface IntentJournalOptions {
  /** Directory for the segments and the lock (one journal per trading process and agent key). */
  readonly dir: string;
  /** The process's boot id (random per start, shared with the edge persistence); prefixes intent ids. */
  readonly bootId: string;
  readonly mode?: JournalMode;
  readonly reserveAhead?: ReserveAheadOptions;
  readonly maxSegmentBytes?: number;
  readonly retainSegments?: number;
  /**
   * `{ onError }`: a timer (unref'd) tops up reservations and rotates the segment off the order path — use
   * this in the trading process. `"manual"`: the owner calls `maintain()`.
   */
  readonly maintenance: JournalMaintenance | "manual";
  /** Epoch ms; default `Date.now`. Injected in tests. */
  readonly nowMs?: () => number;
  /** This boot's cloid prefix, 16 hex digits; default 8 random bytes. Injected in tests. */
  readonly cloidPrefix?: string;
}

/** Counters for metrics; mutated in place (no allocation per append). */
export interface JournalStats {
  appends: number;
  /** Appends that returned after an fdatasync. */
  durableAppends: number;
  /** Appends that returned after the write only (fsync'd asynchronously). */
  bufferedAppends: number;
  /** Reserve-ahead intents that had to be fsync'd inline (cloid not reserved, nonce above the ceiling, …). */
  syncFallbacks: number;
  /** Reservations written because `nextCloid()` ran out (the maintenance timer was late). */
  inlineReservations: number;
  reservations: number;
  asyncSyncs: number;
  rotations: number;
  /** Size of the current segment. */
  bytes: number;
  /** Bytes of the current segment known to be on stable storage. */
  durableBytes: number;
}

/** Records an owner may append; the journal writes the others itself. */
export type AppendableRecord = IntentRecord | OrderRecord | ResidualRecord | ClosedRecord | ReleaseRecord;

interface FlushWaiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const PREFIX_RE = /^[0-9a-f]{16}$/;

export class IntentJournal {
  readonly dir: string;
  readonly bootId: string;
  readonly mode: JournalMode;
  /** This boot's cloids are `0x` + this + a 16-digit counter. */
  readonly cloidPrefix: string;
  readonly stats: JournalStats = {
    appends: 0,
    durableAppends: 0,
    bufferedAppends: 0,
    syncFallbacks: 0,
    inlineReservations: 0,
    reservations: 0,
    asyncSyncs: 0,
    rotations: 0,
    bytes: 0,
    durableBytes: 0,
  };

  readonly #state: JournalState;
  readonly #lock: JournalLock;
  readonly #nowMs: () => number;
  readonly #intentIds: IntentIdSequence;
  readonly #maxSegmentBytes: number;
  readonly #retainSegments: number;
  readonly #blockSize: number;
  readonly #nonceLeaseMs: number;
  readonly #maxOrderLifetimeMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #timer: NodeJS.Timeout | null;

  #segment: number;
  #fd: number;
  /** Next counter `nextCloid()` hands out, and the end (exclusive) of what is durably reserved. */
  #cloidNext = 1;
  #reservedEnd = 1;
  #closed = false;
  #failure: Error | null = null;

  // Asynchronous fdatasync (group commit): at most one in flight; appends meanwhile set #dirty.
  #syncPending = false;
  #syncInFlightFd: number | null = null;
  #dirty = false;
  /** Descriptors of rotated-away segments whose in-flight fdatasync must finish before they are closed. */
  readonly #retired = new Set<number>();
  readonly #encoder = new LineEncoder();
  #waiters: FlushWaiter[] = [];
  readonly #runSync = (): void => this.#startSync();

  /**
   * Opens (creating if needed) the journal in `options.dir`: takes the lock, replays the newest segment,
   * truncates a torn last record (reported in `recovery.warnings`), records the boot and marks every
   * unfinished order `unknown` (reason `restart`). The recovery says what to probe before trading.
   */
  static open(options: IntentJournalOptions): { journal: IntentJournal; recovery: JournalRecovery } {
    const { dir } = options;
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new JournalIoError(dir, "creating the journal directory", { cause: error });
    }
    const lock = JournalLock.acquire(dir);
    let fd: number | null = null;
    let journal: IntentJournal | null = null;
    try {
      const nowMs = options.nowMs ?? Date.now;
      const cloidPrefix = options.cloidPrefix ?? randomBytes(8).toString("hex");
      if (!PREFIX_RE.test(cloidPrefix)) {
        throw new RangeError(
          `cloidPrefix must be 16 lower-case hex digits, got ${JSON.stringify(cloidPrefix)}`,
        );
      }
      toIntentId(`${options.bootId}:1`); // the boot id prefixes intent ids: check its alphabet first
      removeTemporaryFiles(dir);
      let replay = replayNewest(dir);
      if (replay !== null) checkFreshBoot(replay.state, options.bootId, cloidPrefix);
      else {
        const header = segmentHeader(1, nowMs(), options.bootId, cloidPrefix, 0, null);
        writeSegmentAtomically(dir, 1, encodeRecord(header));
        replay = replaySegment(segmentPath(dir, 1), 1);
      }
      if (replay.tornTail !== null) truncate(replay.file, replay.validBytes);
      try {
        fd = openSync(replay.file, "a");
      } catch (error) {
        throw new JournalIoError(replay.file, "opening the segment for appending", { cause: error });
      }
      journal = new IntentJournal(
        { ...options, cloidPrefix },
        lock,
        replay.state,
        replay.segmentNumber,
        fd,
        replay.validBytes,
      );
      const recoveredAtMs = nowMs();
      journal.#boot(recoveredAtMs);
      const warnings = replay.tornTail === null ? [] : [replay.tornTail];
      const recovery = summarize(dir, replay, replay.state, recoveredAtMs, warnings);
      if (journal.mode === "reserveAhead") journal.#reserve(true);
      return { journal, recovery };
    } catch (error) {
      if (journal !== null) journal.#stopTimer();
      if (fd !== null) closeSync(fd);
      lock.release();
      throw error;
    }
  }

  private constructor(
    options: IntentJournalOptions,
    lock: JournalLock,
    state: JournalState,
    segment: number,
    fd: number,
    size: number,
  ) {
    this.dir = options.dir;
    this.bootId = options.bootId;
    this.mode = options.mode ?? JOURNAL_DEFAULTS.mode;
    this.cloidPrefix = options.cloidPrefix ?? randomBytes(8).toString("hex");
    this.#intentIds = new IntentIdSequence(options.bootId);
    this.#lock = lock;
    this.#state = state;
    this.#segment = segment;
    this.#fd = fd;
    this.stats.bytes = size;
    this.stats.durableBytes = size;
    this.#nowMs = options.nowMs ?? Date.now;
    const reserve = options.reserveAhead ?? {};
    const defaults = JOURNAL_DEFAULTS.reserveAhead;
    this.#maxSegmentBytes = positive(
      "maxSegmentBytes",
      options.maxSegmentBytes ?? JOURNAL_DEFAULTS.maxSegmentBytes,
    );
    this.#retainSegments = positive(
      "retainSegments",
      options.retainSegments ?? JOURNAL_DEFAULTS.retainSegments,
    );
    this.#blockSize = positive("blockSize", reserve.blockSize ?? defaults.blockSize);
    this.#nonceLeaseMs = positive("nonceLeaseMs", reserve.nonceLeaseMs ?? defaults.nonceLeaseMs);
    this.#maxOrderLifetimeMs = positive(
      "maxOrderLifetimeMs",
      reserve.maxOrderLifetimeMs ?? defaults.maxOrderLifetimeMs,
    );
    if (options.maintenance === "manual") {
      this.#onError = () => {};
      this.#timer = null;
    } else {
      const { onError } = options.maintenance;
      this.#onError = onError;
      const intervalMs = positive(
        "intervalMs",
        options.maintenance.intervalMs ?? JOURNAL_DEFAULTS.maintenanceIntervalMs,
      );
      this.#timer = setInterval(() => {
        try {
          this.maintain();
        } catch (error) {
          onError(error);
        }
      }, intervalMs);
      this.#timer.unref();
    }
  }

  /** The segment being appended to. */
  get file(): string {
    return segmentPath(this.dir, this.#segment);
  }

  get segment(): number {
    return this.#segment;
  }

  // -------------------------------------------------------------------------------------------------------
  // Ids

  nextIntentId(): IntentId {
    return this.#intentIds.next();
  }

  /**
   * The next cloid of this boot. In reserve-ahead mode it comes from a durable reservation; if the timer
   * fell behind and none is left, one is written here (an inline fsync, counted in `inlineReservations`).
   */
  nextCloid(): Cloid {
    this.#checkWritable();
    if (this.mode === "reserveAhead" && this.#cloidNext >= this.#reservedEnd) {
      this.stats.inlineReservations += 1;
      this.#reserve(true);
    }
    const cloid = cloidOf(this.cloidPrefix, this.#cloidNext);
    this.#cloidNext += 1;
    return cloid;
  }

  // -------------------------------------------------------------------------------------------------------
  // Appends

  /**
   * Journals an intent (a root, or a hedge/unwind of an open root) before it is sent: when this returns,
   * the record is durable (`fsyncBeforeSend`), or reserve-ahead covers it. Returns the root's new state.
   * Throws `JournalRecordRefusedError` (invalid, or illegal in the current state; nothing written),
   * `JournalWriteError` / `JournalFailedError` (do not send).
   */
  appendIntent(intent: Intent): IntentState {
    // `#append` for an intent record, without its generic steps: the plan straight from the intent, the
    // line from `encodeIntent` (the bytes `JSON.stringify` would give, for less work), the root's new
    // state from the plan (what `#stateOf` would look up after the commit).
    const fallback = this.mode === "reserveAhead" && !this.#coveredByReservation(intent);
    this.#checkWritable();
    let plan: GroupPlan;
    try {
      plan = this.#state.planIntent(intent);
    } catch (error) {
      if (error instanceof StateRejection)
        throw new JournalRecordRefusedError("intent", error.reason, error.transition);
      throw error;
    }
    const json = this.#encoder.encodeIntent(intent);
    this.#finishAppend(json, this.mode === "fsyncBeforeSend" || fallback, plan);
    if (fallback) this.stats.syncFallbacks += 1;
    return plan.state;
  }

  /** Journals an event of an open order (buffered: fsync'd asynchronously). Returns its root's new state. */
  appendOrderEvent(cloid: Cloid, event: OrderEvent): IntentState {
    const root = this.#state.rootOfCloid.get(cloid);
    const order =
      root === undefined
        ? undefined
        : this.#stateOf(root).orders.find((candidate) => candidate.cloid === cloid);
    if (order === undefined) {
      throw new JournalRecordRefusedError("order", `no open intent has an order with cloid ${cloid}`);
    }
    this.#append({ t: "order", intentId: order.intentId, cloid, event }, false);
    return this.#stateOf(order.intentId);
  }

  /** Accepts a root's remaining imbalance as it is (e.g. below one lot): it counts as hedged. */
  acceptResidual(rootIntentId: IntentId, reason: string): IntentState {
    this.#append({ t: "residual", intentId: rootIntentId, reason }, false);
    return this.#stateOf(rootIntentId);
  }

  /** Closes every open intent of the position (each must be hedged, unwound or rejected); durable. */
  appendPositionClosed(positionId: string, atMs: number): void {
    this.#append({ t: "closed", positionId, atMs }, true);
  }

  /**
   * Reserved cloids that never reached the exchange (a probe found nothing after they expired): they stop
   * counting as possibly sent. Durable.
   */
  releaseCloids(cloids: readonly Cloid[], reason: string): void {
    if (cloids.length === 0) return;
    const ranges = cloids.map((cloid) => ({
      prefix: prefixOf(cloid),
      from: Math.max(0, counterOf(cloid)),
      count: 1,
    }));
    this.#append({ t: "release", ranges, reason, atMs: this.#nowMs() }, true);
  }

  /** Appends a record and fdatasyncs it before returning. Throws as `appendIntent` does. */
  appendDurable(record: AppendableRecord): void {
    this.#append(record, true);
  }

  /** Appends a record (in the page cache when this returns) and starts an fdatasync off the event loop. */
  appendBuffered(record: AppendableRecord): void {
    this.#append(record, false);
  }

  // -------------------------------------------------------------------------------------------------------
  // Queries

  /** The state of the root an open intent (root or follow-up) belongs to. */
  state(intentId: IntentId): IntentState | undefined {
    const root = this.#state.rootOfIntent.get(intentId);
    return root === undefined ? undefined : this.#state.groups.get(root)?.state;
  }

  stateOfCloid(cloid: Cloid): IntentState | undefined {
    const root = this.#state.rootOfCloid.get(cloid);
    return root === undefined ? undefined : this.#state.groups.get(root)?.state;
  }

  /** Open root intents, oldest first. */
  openIntents(): IntentState[] {
    return [...this.#state.groups.values()].map((group) => group.state);
  }

  /**
   * True while any open order's outcome is unknown, or a cloid reserved by an earlier boot may be on the
   * exchange unexplained: no new risk until probes resolve them.
   */
  hasUnknownOutcome(): boolean {
    return this.#state.hasUnknownOutcome(this.cloidPrefix);
  }

  get lastFillTimeMs(): number | null {
    return this.#state.lastFillTimeMs;
  }

  get highestNonce(): number | null {
    return this.#state.highestNonce;
  }

  // -------------------------------------------------------------------------------------------------------
  // Durability, maintenance, rotation

  /** Resolves once everything appended so far is on stable storage. */
  flush(): Promise<void> {
    if (this.#failure !== null)
      return Promise.reject(new JournalFailedError(this.file, { cause: this.#failure }));
    if (this.stats.durableBytes >= this.stats.bytes) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ target: this.stats.bytes, resolve, reject });
      this.#scheduleSync();
    });
  }

  /**
   * Off-the-order-path upkeep (the maintenance timer calls it): reserve the next block of cloids when less
   * than half a block is left, renew the nonce ceiling when less than half its lease is left, and rotate
   * the segment once it exceeds `maxSegmentBytes`.
   */
  maintain(): void {
    if (this.#closed || this.#failure !== null) return;
    if (this.mode === "reserveAhead") {
      const cloidsLeft = this.#reservedEnd - this.#cloidNext;
      const ceiling = this.#state.nonceCeiling ?? 0;
      const nonceFrontier = Math.max(this.#nowMs(), this.#state.highestNonce ?? 0);
      if (cloidsLeft < this.#blockSize / 2) this.#reserve(true);
      else if (ceiling - nonceFrontier < this.#nonceLeaseMs / 2) this.#reserve(false);
    }
    if (this.stats.bytes > this.#maxSegmentBytes) this.rotate();
  }

  /**
   * Starts a new segment holding a snapshot of the open intents (their records, copied) and the
   * summaries (last fill time, nonces, outstanding reservations); recovery then reads only that segment.
   * Synchronous (a few fsyncs): call it off the order path.
   */
  rotate(): void {
    this.#checkWritable();
    this.#syncNow();
    const next = this.#segment + 1;
    const lines: string[] = [];
    for (const group of this.#state.groups.values())
      for (const json of group.records) lines.push(lineOf(json));
    const header = segmentHeader(
      next,
      this.#nowMs(),
      this.bootId,
      this.cloidPrefix,
      lines.length,
      this.#state,
    );
    const content = encodeRecord(header) + lines.join("");
    writeSegmentAtomically(this.dir, next, content);
    // From here recovery reads the new segment: the old one must not receive another record.
    let fd: number;
    try {
      fd = openSync(segmentPath(this.dir, next), "a");
    } catch (error) {
      throw this.#fail(
        new JournalWriteError(segmentPath(this.dir, next), 0, "opening the new segment", { cause: error }),
      );
    }
    this.#retire(this.#fd);
    this.#fd = fd;
    this.#segment = next;
    this.stats.bytes = Buffer.byteLength(content);
    this.stats.durableBytes = this.stats.bytes;
    this.stats.rotations += 1;
    pruneSegments(this.dir, this.#retainSegments);
  }

  /**
   * Releases this boot's unused reserved cloids (they were never sent), syncs, closes the file and frees
   * the lock. After a clean close a restart has nothing to probe that it did not already know.
   */
  close(): void {
    if (this.#closed) return;
    try {
      if (this.#failure === null) {
        if (this.mode === "reserveAhead") {
          const ranges = this.#state.reservations.outstandingRanges(this.cloidPrefix);
          if (ranges.length > 0) {
            this.#append(
              {
                t: "release",
                ranges: ranges.map(({ prefix, from, count }) => ({ prefix, from, count })),
                reason: "clean shutdown: reserved and never used",
                atMs: this.#nowMs(),
              },
              false,
            );
          }
        }
        this.#syncNow();
      }
    } finally {
      this.#closed = true;
      this.#stopTimer();
      this.#retire(this.#fd);
      this.#lock.release();
      this.#settleWaiters();
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // Internals

  #append(record: JournalRecord, durable: boolean): void {
    this.#checkWritable();
    let plan;
    try {
      plan = this.#state.plan(record);
    } catch (error) {
      if (error instanceof StateRejection)
        throw new JournalRecordRefusedError(record.t, error.reason, error.transition);
      throw error;
    }
    const json = JSON.stringify(record);
    this.#encoder.encode(json);
    this.#finishAppend(json, durable, plan);
  }

  /** Writes the line in the encoder, syncs it (now, or soon), counts it and commits its plan. */
  #finishAppend(json: string, durable: boolean, plan: StatePlan): void {
    this.#write(this.#encoder.lineBytes);
    if (durable) {
      this.#syncNow();
      this.stats.durableAppends += 1;
    } else {
      this.#scheduleSync();
      this.stats.bufferedAppends += 1;
    }
    this.stats.appends += 1;
    this.#state.commit(plan, json);
  }

  /** Writes the encoder's first `bytes` bytes (one whole record) in one call. */
  #write(bytes: number): void {
    const offset = this.stats.bytes;
    let written: number;
    try {
      written = writeSync(this.#fd, this.#encoder.buffer, 0, bytes);
    } catch (error) {
      throw this.#fail(new JournalWriteError(this.file, offset, "writing a record", { cause: error }));
    }
    this.stats.bytes += written;
    if (written !== bytes) {
      // A short write (disk full) left a torn record: recovery truncates it; nothing more may follow it.
      throw this.#fail(
        new JournalWriteError(this.file, offset, `writing a record (${written} of ${bytes} bytes)`),
      );
    }
  }

  #syncNow(): void {
    if (this.stats.durableBytes >= this.stats.bytes) return;
    try {
      fdatasyncSync(this.#fd);
    } catch (error) {
      throw this.#fail(new JournalWriteError(this.file, this.stats.bytes, "fdatasync", { cause: error }));
    }
    this.stats.durableBytes = this.stats.bytes;
    this.#settleWaiters();
  }

  #scheduleSync(): void {
    this.#dirty = true;
    if (this.#syncPending) return;
    this.#syncPending = true;
    // After the caller's send, not before: the order path ends in this same tick.
    setImmediate(this.#runSync);
  }

  #startSync(): void {
    if (
      this.#closed ||
      this.#failure !== null ||
      !this.#dirty ||
      this.stats.durableBytes >= this.stats.bytes
    ) {
      this.#dirty = false;
      this.#syncPending = false;
      this.#settleWaiters();
      return;
    }
    this.#dirty = false;
    const fd = this.#fd;
    const target = this.stats.bytes;
    this.#syncInFlightFd = fd;
    this.stats.asyncSyncs += 1;
    fdatasync(fd, (error) => {
      this.#syncInFlightFd = null;
      if (this.#retired.delete(fd)) closeQuietly(fd);
      if (error !== null) {
        const failure = this.#fail(
          new JournalWriteError(this.file, target, "asynchronous fdatasync", { cause: error }),
        );
        this.#syncPending = false;
        this.#settleWaiters();
        this.#onError(failure);
        return;
      }
      // A rotation in the meantime synced and replaced the file: its counters are already current.
      if (fd === this.#fd && target > this.stats.durableBytes) this.stats.durableBytes = target;
      this.#settleWaiters();
      if (this.#dirty) this.#startSync();
      else this.#syncPending = false;
    });
  }

  #settleWaiters(): void {
    if (this.#waiters.length === 0) return;
    const failure = this.#failure;
    const remaining: FlushWaiter[] = [];
    for (const waiter of this.#waiters) {
      if (failure !== null) waiter.reject(new JournalFailedError(this.file, { cause: failure }));
      else if (this.stats.durableBytes >= waiter.target) waiter.resolve();
      else if (this.#closed) waiter.reject(new JournalClosedError(this.dir));
      else remaining.push(waiter);
    }
    this.#waiters = remaining;
  }

  /** Closes a descriptor now, or when the fdatasync in flight on it completes. */
  #retire(fd: number): void {
    if (this.#syncInFlightFd === fd) this.#retired.add(fd);
    else closeQuietly(fd);
  }

  #stopTimer(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
  }

  #fail(error: Error): Error {
    this.#failure ??= error;
    return error;
  }

  #checkWritable(): void {
    if (this.#closed) throw new JournalClosedError(this.dir);
    if (this.#failure !== null) throw new JournalFailedError(this.file, { cause: this.#failure });
  }

  #stateOf(intentId: IntentId): IntentState {
    const state = this.state(intentId);
    if (state === undefined) throw new JournalRecordRefusedError("query", `no open intent ${intentId}`);
    return state;
  }

  /** Reserve-ahead: may this intent go out before its record is fsync'd? */
  #coveredByReservation(intent: Intent): boolean {
    const ceiling = this.#state.nonceCeiling;
    if (ceiling === null) return false;
    for (const leg of intent.legs) {
      if (leg.nonce > ceiling) return false;
      if (leg.expiresAfter - intent.createdAtMs > this.#maxOrderLifetimeMs) return false;
      if (!this.#state.reservations.isOutstanding(leg.cloid)) return false;
    }
    return true;
  }

  /** Durably reserves a block of cloids (when `cloids`) and raises the nonce ceiling. */
  #reserve(cloids: boolean): void {
    const nowMs = this.#nowMs();
    // From the nonces in use, not from the previous ceiling: the ceiling must stay near the clock.
    const frontier = Math.max(nowMs, this.#state.highestNonce ?? 0);
    const range = cloids
      ? {
          prefix: this.cloidPrefix,
          from: this.#reservedEnd,
          count: this.#blockSize,
          lifetimeMs: this.#maxOrderLifetimeMs,
        }
      : null;
    const nonceCeiling = Math.max(frontier + this.#nonceLeaseMs, this.#state.nonceCeiling ?? 0);
    this.#append({ t: "reserve", range, nonceCeiling, atMs: nowMs }, true);
    if (range !== null) this.#reservedEnd += range.count;
    this.stats.reservations += 1;
  }

  /** The boot record, then the restart event of every unfinished order, then one fdatasync. */
  #boot(atMs: number): void {
    this.#append(
      {
        t: "boot",
        bootId: this.bootId,
        cloidPrefix: this.cloidPrefix,
        mode: this.mode,
        pid: process.pid,
        atMs,
      },
      false,
    );
    for (const record of restartRecords(this.#state, atMs)) this.#append(record, false);
    this.#syncNow();
  }
}

/**
 * A boot must not reuse the previous boot's id (intent ids would repeat) or any cloid prefix still in use
 * (cloids would repeat): both are random per start in production, injected only in tests.
 */
function checkFreshBoot(state: JournalState, bootId: string, cloidPrefix: string): void {
  if (bootId === state.lastBootId) {
    throw new RangeError(
      `bootId ${bootId} is the previous boot's: intent ids would repeat; pass a fresh random UUID per start`,
    );
  }
  if (cloidPrefix === state.lastCloidPrefix || state.reservations.hasPrefix(cloidPrefix)) {
    throw new RangeError(`cloidPrefix ${cloidPrefix} was used by an earlier boot of this journal`);
  }
}

function segmentHeader(
  segment: number,
  createdAtMs: number,
  bootId: string,
  cloidPrefix: string,
  records: number,
  state: JournalState | null,
): SegmentRecord {
  return {
    t: "segment",
    format: JOURNAL_FORMAT,
    segment,
    createdAtMs,
    bootId,
    cloidPrefix,
    snapshot: {
      records,
      lastFillTimeMs: state?.lastFillTimeMs ?? null,
      highestNonce: state?.highestNonce ?? null,
      nonceCeiling: state?.nonceCeiling ?? null,
      reserved: state?.reservations.outstandingRanges() ?? [],
    },
  };
}

/** Cuts a torn last record: the file ends with the last complete one. */
function truncate(file: string, length: number): void {
  let fd: number | null = null;
  try {
    fd = openSync(file, "r+");
    ftruncateSync(fd, length);
    fdatasyncSync(fd);
  } catch (error) {
    throw new JournalIoError(file, `truncating the torn last record at byte ${length}`, { cause: error });
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // closing is best effort once the data is synced (or the journal failed)
  }
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new RangeError(`${name} must be a positive whole number, got ${value}`);
  return value;
}
