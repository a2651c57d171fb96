/**
 * Moves edges from the ring to SQS, off the frame path: a timer (not the frames) drains the ring into
 * columns, packs them into compressed v2 messages, and sends them with `SendMessageBatch`; when
 * SQS does not acknowledge in time, the messages go to the local spool, which is drained in order once SQS
 * is back, before anything newer.
 *
 * Crash-loss bound. An edge is held only in RAM from its push until SQS acknowledged its message or the
 * spool's append resolved. The flusher keeps that window within `flushIntervalMs` of the edge's
 * `recordedAtMs`: the ring is drained once its oldest edge is `flushIntervalMs − sendBudgetMs − tickMs`
 * old (or earlier, as soon as it holds one message's worth), and each message carries a deadline of its
 * oldest edge + `flushIntervalMs`, after which it is no longer retried but spooled. A crash therefore loses
 * at most the edges of the last `flushIntervalMs` (1 s by default), plus what event-loop stalls and one
 * spool append add to it. Since spooling is local and cheap, a short SQS hiccup costs a detour through the
 * disk, never an edge.
 *
 * Per tick (`tickMs`):
 * 1. Flush when due: take about one message's worth of edges (`targetEdges`, adapted to the compressed
 *    size observed so far), copy them out of the ring as numbers (`EdgeColumns`, ≈0.1 µs an edge, in
 *    slices with event-loop turns in between), serialise (a memory copy) and compress in libuv's thread
 *    pool. No row objects or strings are made here: the decoder makes them, in the Lambda.
 * 2. Dispatch each message: to the spool when spooling (order), else to the outbox.
 * 3. Pump the outbox: up to `maxInFlight` SendMessageBatch requests (≤ 10 entries, ≤ 256 KiB). A request
 *    that fails as a whole, or entries SQS refused as retryable, are retried with jittered exponential
 *    backoff until the deadline; then spooled. Entries refused as the sender's fault are dropped (counted,
 *    logged): resending them cannot succeed, and spooling them would block the spool forever.
 * 4. Log drops, at most once per `dropLogIntervalMs`.
 *
 * Spooling: the first message spooled switches new messages to the spool too, and starts the drainer: it
 * reads the oldest spooled records (≤ 10, ≤ 256 KiB), sends them with backoff (`drainBackoff`, no deadline),
 * and acknowledges them in the spool only when SQS accepted them all. When the spool is empty, messages go
 * straight to SQS again. A process that starts with a non-empty spool (an earlier run's) starts spooling.
 *
 * `close()` (SIGTERM): stops the timer, flushes the whole ring, waits for sends in flight (each ends by its
 * deadline, spooling what SQS did not take), gives the drainer up to `closeDrainMs` to empty the spool while
 * SQS is up, and returns when nothing is held only in RAM. Call it after the feed stopped pushing.
 */

import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";

import { ReconnectBackoff, type BackoffLimits } from "../feed/backoff.js";
import { ThrottledWarning } from "../feed/throttledLog.js";
import type { Logger } from "../observability/logger.js";
import {
  SQS_LIMITS,
  DEFAULT_V2_QUALITY,
  EdgeColumns,
  packEdgeColumnsV2,
  type PackLimits,
  type PackedMessage,
} from "./edgeBatchCodec.js";
import { performanceEpochClock, type EdgeRing, type EpochClock } from "./edgeRing.js";
import { EdgeSinkCounters, FLUSHER_DROP_REASONS, type EdgeSinkMetricsSource } from "./edgeSinkMetrics.js";
import type { EdgeSpool, SpooledMessage } from "./edgeSpool.js";
import {
  EdgeQueueRequestError,
  type EdgeBatchSender,
  type EdgeQueueEntry,
  type EdgeQueueEntryFailure,
} from "./edgeSqsSender.js";

export interface EdgeFlusherTuning {
  /** The crash-loss bound: every edge is acknowledged or spooled within this of its push. Default 1 000. */
  readonly flushIntervalMs?: number;
  /** Part of the interval kept for encoding and sending before a message is spooled. Default 300. */
  readonly sendBudgetMs?: number;
  /** Timer period. Default 50. */
  readonly tickMs?: number;
  /** SendMessageBatch requests in flight at once (direct sends). Default 4. */
  readonly maxInFlight?: number;
  /** Per-request timeout of the spool drainer's requests (direct sends are bounded by their deadline). */
  readonly requestTimeoutMs?: number;
  /** Cap on edges per message; default 20 000 (the Lambda inserts one message in one statement). */
  readonly maxEdgesPerMessage?: number;
  /** Brotli quality of the v2 bodies. */
  readonly compressionQuality?: number;
  /** Backoff between direct retries (bounded by the deadline). Default 20..200 ms. */
  readonly retryBackoff?: BackoffLimits;
  /** Backoff of the spool drainer while SQS stays unavailable. Default 250..5 000 ms. */
  readonly drainBackoff?: BackoffLimits;
  /** How long `close()` lets the drainer empty the spool while SQS is up. Default 2 000. */
  readonly closeDrainMs?: number;
  /** Drops (and SQS errors) are logged at most once per this. Default 10 000. */
  readonly logIntervalMs?: number;
}

export interface EdgeFlusherOptions extends EdgeFlusherTuning {
  readonly ring: EdgeRing;
  readonly sender: EdgeBatchSender;
  readonly spool: EdgeSpool;
  readonly logger: Logger;
  /** This process's boot id (a random UUID), carried by every message. */
  readonly bootId: string;
  readonly limits?: PackLimits;
  /** Monotonic clock of the ring's `recordedAtMs`; default `performance.now`. */
  readonly now?: () => number;
  readonly toEpochMs?: EpochClock;
  /** Uniform in [0, 1), for the backoff jitter. */
  readonly random?: () => number;
}

/** A message waiting for a direct send, with the time by which it must be acknowledged or spooled. */
interface Outgoing {
  readonly message: PackedMessage;
  readonly deadlineMs: number;
}

/** An edge count observed per message starts the size estimate this pessimistic (bytes of body per edge). */
const INITIAL_BYTES_PER_EDGE = 40;
/** Fill messages to this share of the limit, so the estimate's error rarely forces a split. */
const FILL_TARGET = 0.9;
/** Edges copied out of the ring between two event-loop turns (≈0.2 ms of work). */
const DRAIN_SLICE = 2_048;
/**
 * A direct attempt starts only with at least this long left before the deadline. A request aborted at the
 * deadline may still have landed, and its spooled copy then lands a second time (the database
 * deduplicates, but the queue carries it twice): so no attempt is started that only a fast answer could
 * save.
 */
const MIN_ATTEMPT_MS = 50;

type AttemptResult =
  | { readonly ok: true; readonly failures: readonly EdgeQueueEntryFailure[] }
  | { readonly ok: false; readonly error: EdgeQueueRequestError };

export class EdgeFlusher implements EdgeSinkMetricsSource {
  readonly ring: EdgeRing;
  readonly counters = new EdgeSinkCounters();
  private readonly sender: EdgeBatchSender;
  private readonly spool: EdgeSpool;
  private readonly logger: Logger;
  private readonly bootId: string;
  private readonly limits: PackLimits;
  private readonly now: () => number;
  private readonly toEpochMs: EpochClock;
  private readonly random: () => number;

  private readonly flushIntervalMs: number;
  private readonly flushAgeMs: number;
  private readonly tickMs: number;
  private readonly maxInFlight: number;
  private readonly requestTimeoutMs: number;
  private readonly maxEdgesPerMessage: number;
  private readonly quality: number;
  private readonly retryBackoff: BackoffLimits;
  private readonly drainBackoff: BackoffLimits;
  private readonly closeDrainMs: number;
  private readonly logIntervalMs: number;

  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private bytesPerEdge = INITIAL_BYTES_PER_EDGE;
  private readonly columns: EdgeColumns;
  private readonly outbox: Outgoing[] = [];
  private inFlight = 0;
  private readonly jobs = new Set<Promise<void>>();
  private readonly appends = new Set<Promise<void>>();
  /** Edges out of the ring that are neither acknowledged, spooled nor dropped. */
  private inFlightEdges = 0;
  private spoolingNow = false;
  private drainer: Promise<void> | undefined;
  private readonly drainAbort = new AbortController();
  private closing: Promise<void> | undefined;

  private loggedDrops = 0;
  private lastDropLogMs = Number.NEGATIVE_INFINITY;
  private readonly requestFailureLog: ThrottledWarning;
  private readonly spoolFailureLog: ThrottledWarning;
  private readonly rejectionLog: ThrottledWarning;

  constructor(options: EdgeFlusherOptions) {
    this.ring = options.ring;
    this.sender = options.sender;
    this.spool = options.spool;
    this.logger = options.logger;
    this.bootId = options.bootId;
    this.limits = options.limits ?? SQS_LIMITS;
    this.now = options.now ?? (() => performance.now());
    this.toEpochMs = options.toEpochMs ?? performanceEpochClock;
    this.random = options.random ?? Math.random;
    this.flushIntervalMs = options.flushIntervalMs ?? 1_000;
    const sendBudgetMs = options.sendBudgetMs ?? 300;
    this.tickMs = options.tickMs ?? 50;
    this.flushAgeMs = this.flushIntervalMs - sendBudgetMs - this.tickMs;
    if (!(sendBudgetMs > 0 && this.flushAgeMs >= 0)) {
      throw new RangeError(
        `edge flusher needs 0 < sendBudgetMs and sendBudgetMs + tickMs ≤ flushIntervalMs, got ` +
          `${sendBudgetMs} + ${this.tickMs} vs ${this.flushIntervalMs}`,
      );
    }
    this.maxInFlight = options.maxInFlight ?? 4;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 2_000;
    this.maxEdgesPerMessage = options.maxEdgesPerMessage ?? 20_000;
    this.columns = new EdgeColumns(this.maxEdgesPerMessage);
    this.quality = options.compressionQuality ?? DEFAULT_V2_QUALITY;
    this.retryBackoff = options.retryBackoff ?? { minMs: 20, maxMs: 200 };
    this.drainBackoff = options.drainBackoff ?? { minMs: 250, maxMs: 5_000 };
    this.closeDrainMs = options.closeDrainMs ?? 2_000;
    this.logIntervalMs = options.logIntervalMs ?? 10_000;
    const throttled = (message: string): ThrottledWarning =>
      new ThrottledWarning(this.logger, message, this.logIntervalMs, this.now);
    this.requestFailureLog = throttled("SQS SendMessageBatch failed; retrying, then spooling");
    this.spoolFailureLog = throttled("edge spool append failed; edges dropped");
    this.rejectionLog = throttled("SQS refused edge messages as the sender's fault; edges dropped");
  }

  /** Starts the timer; drains what an earlier run left in the spool. */
  start(): void {
    if (this.timer !== undefined || this.closing !== undefined) return;
    this.timer = setInterval(() => this.tick(), this.tickMs);
    if (!this.spool.isEmpty) {
      this.logger.info(
        { spooledMessages: this.spool.messageCount, spooledEdges: this.spool.edgeCount },
        "edge spool holds messages from an earlier run; draining them first",
      );
      this.enterSpooling();
    }
  }

  get spooling(): boolean {
    return this.spoolingNow;
  }

  get spoolStats(): { bytes: number; messages: number; edges: number } {
    return { bytes: this.spool.bytes, messages: this.spool.messageCount, edges: this.spool.edgeCount };
  }

  get edgesInFlight(): number {
    return this.inFlightEdges;
  }

  /** Edges per message the flusher currently aims for (from the compressed size observed so far). */
  get targetEdges(): number {
    const fit = Math.floor((FILL_TARGET * this.limits.maxMessageBytes) / this.bytesPerEdge);
    return Math.max(1, Math.min(this.maxEdgesPerMessage, fit));
  }

  private tick(): void {
    this.reportDrops();
    if (this.flushing === undefined && this.due()) {
      this.flushing = this.flush(false)
        .catch((error: unknown) => this.logger.error({ err: error }, "edge flush failed unexpectedly"))
        .finally(() => (this.flushing = undefined));
    }
    this.pump();
  }

  private due(): boolean {
    const ring = this.ring;
    if (ring.size === 0) return false;
    return ring.size >= this.targetEdges || this.now() - ring.oldestRecordedAtMs() >= this.flushAgeMs;
  }

  // ------------------------------------------------------------------------------------------------------
  // Ring → messages

  /** Drains the ring into messages while due (or until empty when `all`), one message's worth at a time. */
  private async flush(all: boolean): Promise<void> {
    const ring = this.ring;
    while (ring.size > 0 && (all || this.due())) {
      const deadlineMs = ring.oldestRecordedAtMs() + this.flushIntervalMs;
      const take = Math.min(ring.size, this.targetEdges);
      this.inFlightEdges += take;
      // One column set, reused: packing has finished with it before the next round refills it.
      const columns = this.columns;
      columns.clear();
      while (columns.count < take) {
        ring.drainColumns(Math.min(DRAIN_SLICE, take - columns.count), this.toEpochMs, columns);
        if (columns.count < take) await nextTurn();
      }
      let messages: PackedMessage[];
      try {
        messages = await packEdgeColumnsV2(this.bootId, columns, {
          maxMessageBytes: this.limits.maxMessageBytes,
          quality: this.quality,
        });
      } catch (error) {
        this.inFlightEdges -= take;
        this.counters.dropped.unencodable += take;
        this.logger.error({ err: error, edges: take }, "edge batch could not be encoded; edges dropped");
        continue;
      }
      this.learnSize(messages);
      for (const message of messages) this.dispatch({ message, deadlineMs });
    }
  }

  private learnSize(messages: readonly PackedMessage[]): void {
    let bytes = 0;
    let edges = 0;
    for (const message of messages) {
      bytes += message.bytes;
      edges += message.edgeCount;
    }
    const observed = bytes / edges;
    // A split means the estimate was too optimistic: adopt the observation at once; else smooth.
    this.bytesPerEdge =
      messages.length > 1 ? Math.max(observed, this.bytesPerEdge) : 0.7 * this.bytesPerEdge + 0.3 * observed;
  }

  private dispatch(outgoing: Outgoing): void {
    if (this.spoolingNow) {
      this.toSpool(outgoing.message);
      return;
    }
    this.outbox.push(outgoing);
    this.pump();
  }

  // ------------------------------------------------------------------------------------------------------
  // Direct sends

  private pump(): void {
    if (this.spoolingNow) {
      this.spoolOutbox();
      return;
    }
    const head = this.outbox[0];
    if (head !== undefined && head.deadlineMs <= this.now()) {
      // Waited for a send slot until its deadline: SQS is too slow to keep the bound.
      this.enterSpooling();
      return;
    }
    while (this.inFlight < this.maxInFlight && this.outbox.length > 0) {
      const batch = this.takeBatch();
      this.inFlight += 1;
      const job: Promise<void> = this.sendDirect(batch)
        .catch((error: unknown) => {
          // Not expected (attempt never throws): keep the edges rather than lose them silently.
          this.logger.error({ err: error }, "edge send failed unexpectedly; spooling its messages");
          for (const outgoing of batch) this.toSpool(outgoing.message, true);
        })
        .finally(() => {
          this.inFlight -= 1;
          this.jobs.delete(job);
          this.pump();
        });
      this.jobs.add(job);
    }
  }

  /** The oldest outbox messages that fit one SendMessageBatch. */
  private takeBatch(): Outgoing[] {
    const batch: Outgoing[] = [];
    let bytes = 0;
    while (this.outbox.length > 0 && batch.length < this.limits.maxBatchEntries) {
      const next = this.outbox[0]!;
      if (batch.length > 0 && bytes + next.message.bytes > this.limits.maxBatchBytes) break;
      batch.push(next);
      bytes += next.message.bytes;
      this.outbox.shift();
    }
    return batch;
  }

  private async sendDirect(batch: readonly Outgoing[]): Promise<void> {
    let pending = batch.map((outgoing, index) => ({
      id: `m${index}`,
      body: outgoing.message.body,
      message: outgoing.message,
    }));
    const deadlineMs = Math.min(...batch.map((outgoing) => outgoing.deadlineMs));
    const backoff = new ReconnectBackoff(this.retryBackoff, this.random);
    for (;;) {
      const remainingMs = deadlineMs - this.now();
      if (remainingMs < MIN_ATTEMPT_MS) break;
      const result = await this.attempt(pending, Math.min(remainingMs, this.requestTimeoutMs));
      if (!result.ok && result.error.contentRejected) {
        this.reject(pending, result.error.code, result.error.message);
        return;
      }
      if (result.ok) {
        const failed = new Map(result.failures.map((failure) => [failure.id, failure]));
        const retry: typeof pending = [];
        for (const entry of pending) {
          const failure = failed.get(entry.id);
          if (failure === undefined) this.acknowledged(entry.message, false);
          else if (failure.senderFault) this.reject([entry], failure.code, failure.message);
          else retry.push(entry);
        }
        pending = retry;
        if (pending.length === 0) return;
      }
      const delayMs = backoff.next();
      if (this.now() + delayMs + MIN_ATTEMPT_MS > deadlineMs) break;
      await sleep(delayMs);
    }
    for (const entry of pending) this.toSpool(entry.message, true);
  }

  /** One SendMessageBatch of `entries`, counted; never throws. */
  private async attempt(entries: readonly EdgeQueueEntry[], timeoutMs: number): Promise<AttemptResult> {
    this.counters.sqsRequests += 1;
    try {
      const timeout = AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs)));
      const signal = AbortSignal.any([timeout, this.drainAbort.signal]);
      const failures = await this.sender.sendBatch(entries, signal);
      this.counters.sqsEntryErrors += failures.length;
      if (failures.some((failure) => !failure.senderFault)) {
        this.requestFailureLog.warn(() => ({ failedEntries: failures }));
      }
      return { ok: true, failures };
    } catch (error) {
      this.counters.sqsRequestErrors += 1;
      const failure =
        error instanceof EdgeQueueRequestError
          ? error
          : new EdgeQueueRequestError("Unknown", String(error), { cause: error });
      this.requestFailureLog.warn(() => ({ code: failure.code, reason: failure.message }));
      return { ok: false, error: failure };
    }
  }

  private acknowledged(message: { readonly edgeCount: number }, fromSpool: boolean): void {
    this.counters.sent += message.edgeCount;
    this.counters.messagesSent += 1;
    if (fromSpool) this.counters.drainedFromSpool += message.edgeCount;
    else this.inFlightEdges -= message.edgeCount;
  }

  private reject(
    entries: readonly { readonly message: { readonly edgeCount: number } }[],
    code: string,
    reason: string,
    fromSpool = false,
  ): void {
    let edges = 0;
    for (const entry of entries) edges += entry.message.edgeCount;
    this.counters.dropped.rejected += edges;
    if (!fromSpool) this.inFlightEdges -= edges;
    this.rejectionLog.warn(() => ({ code, reason, messages: entries.length, edges }));
  }

  // ------------------------------------------------------------------------------------------------------
  // Spool

  private enterSpooling(): void {
    if (!this.spoolingNow) {
      this.spoolingNow = true;
      this.logger.warn(
        { outbox: this.outbox.length, inFlightRequests: this.inFlight },
        "edge messages go to the local spool until SQS takes them again",
      );
    }
    this.spoolOutbox();
    this.startDrainer();
  }

  private spoolOutbox(): void {
    while (this.outbox.length > 0) this.toSpool(this.outbox.shift()!.message);
  }

  /** Appends `message` to the spool after everything spooled before it; counts the outcome. */
  private toSpool(message: PackedMessage, afterFailedSend = false): void {
    if (afterFailedSend && !this.spoolingNow) {
      this.spoolingNow = true;
      this.logger.warn(
        { edges: message.edgeCount, outbox: this.outbox.length, inFlightRequests: this.inFlight - 1 },
        "SQS did not acknowledge within the flush interval; spooling edge messages until it does",
      );
      this.spoolOutbox();
    }
    const edges = message.edgeCount;
    const append: Promise<void> = this.spool.append(message).then(
      (result) => {
        if (result === "full") this.counters.dropped.spoolFull += edges;
        else this.counters.spooled += edges;
      },
      (error: unknown) => {
        this.counters.dropped.spoolError += edges;
        this.spoolFailureLog.warn(() => ({ err: error, edges }));
      },
    );
    const tracked: Promise<void> = append.finally(() => {
      this.inFlightEdges -= edges;
      this.appends.delete(tracked);
    });
    this.appends.add(tracked);
    this.startDrainer();
  }

  private startDrainer(): void {
    if (this.drainer !== undefined || this.drainAbort.signal.aborted) return;
    this.drainer = this.drainSpool().finally(() => {
      this.drainer = undefined;
      // Messages spooled while the drainer was deciding to stop: start again.
      if (this.spoolingNow && !this.drainAbort.signal.aborted) this.startDrainer();
    });
  }

  private async drainSpool(): Promise<void> {
    const backoff = new ReconnectBackoff(this.drainBackoff, this.random);
    const spool = this.spool;
    while (!this.drainAbort.signal.aborted) {
      if (spool.isEmpty) {
        this.spoolingNow = false;
        this.logger.info({ drained: this.counters.drainedFromSpool }, "edge spool drained; sending directly");
        this.pump();
        return;
      }
      if (spool.messageCount === 0) {
        await Promise.allSettled([...this.appends]); // appends in progress: wait for them to land
        continue;
      }
      let records: SpooledMessage[];
      try {
        records = await spool.peek(this.limits.maxBatchEntries, this.limits.maxBatchBytes);
      } catch (error) {
        this.spoolFailureLog.warn(() => ({ err: error, operation: "read" }));
        if (!(await this.pause(backoff.next()))) return;
        continue;
      }
      if (!(await this.sendSpooled(records, backoff))) return;
      backoff.reset();
      try {
        await spool.ack(records.length);
      } catch (error) {
        // The cursor did not move on disk: a restart would resend these (the database deduplicates).
        this.spoolFailureLog.warn(() => ({ err: error, operation: "ack" }));
      }
    }
  }

  /** Sends spooled records until SQS took or refused each one. False when aborted (closing). */
  private async sendSpooled(records: readonly SpooledMessage[], backoff: ReconnectBackoff): Promise<boolean> {
    let pending: { id: string; body: string; message: SpooledMessage }[] = [];
    records.forEach((record, index) => {
      if (record.body === null) {
        this.counters.dropped.spoolCorrupt += record.edgeCount;
        this.logger.error(
          { edges: record.edgeCount },
          "edge spool record failed its checksum; edges dropped",
        );
      } else {
        pending.push({ id: `s${index}`, body: record.body, message: record });
      }
    });
    while (pending.length > 0) {
      if (this.drainAbort.signal.aborted) return false;
      const result = await this.attempt(pending, this.requestTimeoutMs);
      if (this.drainAbort.signal.aborted) return false;
      if (!result.ok) {
        if (result.error.contentRejected) {
          this.reject(pending, result.error.code, result.error.message, true);
          return true;
        }
        if (!(await this.pause(backoff.next()))) return false;
        continue;
      }
      const failed = new Map(result.failures.map((failure) => [failure.id, failure]));
      const retry: typeof pending = [];
      for (const entry of pending) {
        const failure = failed.get(entry.id);
        if (failure === undefined) this.acknowledged(entry.message, true);
        else if (failure.senderFault) this.reject([entry], failure.code, failure.message, true);
        else retry.push(entry);
      }
      pending = retry;
      if (pending.length > 0 && !(await this.pause(backoff.next()))) return false;
    }
    return true;
  }

  /** Waits `ms` unless closing aborts it; false when aborted. */
  private async pause(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.drainAbort.signal });
      return true;
    } catch {
      return false;
    }
  }

  // ------------------------------------------------------------------------------------------------------
  // Drops and shutdown

  private totalDropped(): number {
    let total = this.ring.droppedFull;
    for (const reason of FLUSHER_DROP_REASONS) total += this.counters.dropped[reason];
    return total;
  }

  /** Logs new drops, at most once per `logIntervalMs` (the frame path never logs). */
  private reportDrops(): void {
    const total = this.totalDropped();
    const nowMs = this.now();
    if (total === this.loggedDrops || nowMs - this.lastDropLogMs < this.logIntervalMs) return;
    this.logger.warn(
      {
        droppedSinceLastLog: total - this.loggedDrops,
        droppedTotal: total,
        byReason: { ringFull: this.ring.droppedFull, ...this.counters.dropped },
      },
      "edges dropped",
    );
    this.loggedDrops = total;
    this.lastDropLogMs = nowMs;
  }

  /**
   * Flushes the ring, waits for sends in flight (spooling what SQS does not take by their deadlines), lets
   * the spool drain for up to `closeDrainMs`, closes the spool. Resolves when no edge is held only in RAM.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flushing;
    await this.flush(true);
    while (this.jobs.size > 0 || this.outbox.length > 0) {
      this.pump();
      await Promise.allSettled([...this.jobs]);
    }
    while (this.appends.size > 0) await Promise.allSettled([...this.appends]);
    const drainer = this.drainer;
    if (drainer !== undefined) {
      const patience = new AbortController();
      await Promise.race([
        drainer,
        sleep(this.closeDrainMs, undefined, { signal: patience.signal }).catch(() => {}),
      ]);
      patience.abort();
    }
    this.drainAbort.abort();
    await this.drainer;
    await this.spool.close();
    this.reportDrops();
    this.logger.info(
      {
        pushed: this.ring.pushed,
        sent: this.counters.sent,
        spooledEdgesLeft: this.spool.edgeCount,
        dropped: this.totalDropped(),
        leftInRing: this.ring.size,
      },
      "edge flusher closed",
    );
  }
}
