/**
 * Ships trade events (intents, orders, fills, funding, transfers, snapshots, control changes) from the hot
 * path to the trades queue (SQS FIFO), off the critical path: `ship(event)` only stores a reference in a
 * bounded in-memory queue; a timer encodes (`tradeEventCodec.ts`), sends `SendMessageBatch` with each
 * event's group and deduplication ids, retries with backoff, and spools to a bounded local file when SQS
 * does not take the messages in time.
 *
 * Order. The queue is FIFO per message group, and the writer needs an intent before its orders, so this
 * shipper keeps the order of `ship` calls end to end: one SendMessageBatch in flight at a time; once a
 * message is spooled, every later one is spooled behind it until the spool has drained in order. (SQS can
 * refuse single entries of a batch while accepting later ones of the same group; that rare reorder is
 * repaired downstream: an order that arrives before its intent fails its foreign key and is redelivered
 * after its intent landed.)
 *
 * Crash-loss bound. An event is held only in RAM from `ship` until SQS acknowledged it or the spool's
 * append resolved: at most `maxHoldMs` (default 1 s) plus one tick and one spool append, because a batch not
 * acknowledged within `maxHoldMs` of its oldest event is spooled instead of retried further. The intent
 * journal stays the source of truth for anything lost in that window (a crash): replaying the journal's open
 * intents through `ship` after a restart is harmless — every event is idempotent downstream.
 *
 * Delivery is at least once. SQS drops a repeat of a deduplication id within 5 minutes; the writer's keys
 * drop it after that.
 *
 * Full queue (`capacity` events waiting: the timer starved for a long time): the new event is dropped and
 * counted (`queueFull`), never an older one. A full spool drops too (`spoolFull`). Every drop is counted
 * by reason (`counters`, `renderTradeShipperMetrics`) and logged at most once per `logIntervalMs`.
 *
 * The spool is the edge sink's `EdgeSpool`, used as it is: it stores message bodies, and a trade message's
 * group and deduplication ids are derived from its body (`tradeMessageOfBody`), so nothing else needs
 * storing. Give the trade shipper its own spool directory.
 */

import { setTimeout as sleep } from "node:timers/promises";

import { ReconnectBackoff, type BackoffLimits } from "../feed/backoff.js";
import { ThrottledWarning } from "../feed/throttledLog.js";
import type { PrometheusWriter } from "../metrics/prometheus.js";
import type { Logger } from "../observability/logger.js";
import { EdgeSpool, type SpooledMessage } from "./edgeSpool.js";
import {
  EdgeQueueRequestError,
  SqsBatchSender,
  type EdgeQueueEntryFailure,
  type SqsQueueOptions,
} from "./edgeSqsSender.js";
import {
  SQS_MAX_BATCH_ENTRIES,
  TRADE_SQS_LIMITS,
  type TradeEvent,
  type TradeMessage,
  packTradeMessages,
  sendBatchEntries,
  tradeMessageOf,
  tradeMessageOfBody,
} from "./tradeEventCodec.js";

// ---------------------------------------------------------------------------------------------------------
// Sending

/** Sends one batch of messages to the trades queue. The shipper's only view of SQS (tests may wrap it). */
export interface TradeBatchSender {
  /**
   * Resolves with the entries SQS did not accept, by index in `messages` as `e<index>` (empty: all
   * accepted); rejects with `EdgeQueueRequestError` when the request as a whole failed or `signal` aborted.
   */
  sendBatch(
    messages: readonly TradeMessage[],
    signal: AbortSignal,
  ): Promise<readonly EdgeQueueEntryFailure[]>;
}

export type SqsTradeSenderOptions = SqsQueueOptions;

/** `SendMessageBatch` to the trades queue (FIFO: group and deduplication ids per entry). */
export class SqsTradeSender extends SqsBatchSender implements TradeBatchSender {
  sendBatch(
    messages: readonly TradeMessage[],
    signal: AbortSignal,
  ): Promise<readonly EdgeQueueEntryFailure[]> {
    return this.sendEntries(sendBatchEntries(messages), signal);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Counters

export const TRADE_DROP_REASONS = [
  "queueFull",
  "closed",
  "unencodable",
  "rejected",
  "spoolFull",
  "spoolError",
  "spoolCorrupt",
] as const;
export type TradeDropReason = (typeof TRADE_DROP_REASONS)[number];

export class TradeShipperCounters {
  /** Events accepted by `ship`. */
  shipped = 0;
  /** Events SQS acknowledged (directly or from the spool). */
  sent = 0;
  spooled = 0;
  drainedFromSpool = 0;
  sqsRequests = 0;
  sqsRequestErrors = 0;
  sqsEntryErrors = 0;
  readonly dropped: Record<TradeDropReason, number> = {
    queueFull: 0,
    closed: 0,
    unencodable: 0,
    rejected: 0,
    spoolFull: 0,
    spoolError: 0,
    spoolCorrupt: 0,
  };

  get droppedTotal(): number {
    let total = 0;
    for (const reason of TRADE_DROP_REASONS) total += this.dropped[reason];
    return total;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The shipper

export interface TradeShipperTuning {
  /** Events waiting in RAM at most; default 65 536. */
  readonly capacity?: number;
  /** The crash-loss bound: a batch not acknowledged this long after its oldest event is spooled. Default 1 000. */
  readonly maxHoldMs?: number;
  /** Timer period. Default 50. */
  readonly tickMs?: number;
  /** Per-request timeout of the spool drainer's requests (direct sends are bounded by their deadline). */
  readonly requestTimeoutMs?: number;
  /** Backoff between direct retries (bounded by the deadline). Default 20..200 ms. */
  readonly retryBackoff?: BackoffLimits;
  /** Backoff of the spool drainer while SQS stays unavailable. Default 250..5 000 ms. */
  readonly drainBackoff?: BackoffLimits;
  /** How long `close()` lets the drainer empty the spool while SQS is up. Default 2 000. */
  readonly closeDrainMs?: number;
  /** Drops (and SQS errors) are logged at most once per this. Default 10 000. */
  readonly logIntervalMs?: number;
}

export interface TradeShipperOptions extends TradeShipperTuning {
  readonly sender: TradeBatchSender;
  readonly spool: EdgeSpool;
  readonly logger: Logger;
  /** Monotonic milliseconds; default `performance.now`. */
  readonly now?: () => number;
  /** Uniform in [0, 1), for the backoff jitter. */
  readonly random?: () => number;
}

/** A direct attempt starts only with at least this long left before its deadline (see the edge flusher). */
const MIN_ATTEMPT_MS = 50;

type AttemptResult =
  | { readonly ok: true; readonly failures: readonly EdgeQueueEntryFailure[] }
  | { readonly ok: false; readonly error: EdgeQueueRequestError };

export class TradeShipper {
  readonly counters = new TradeShipperCounters();
  private readonly sender: TradeBatchSender;
  private readonly spool: EdgeSpool;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly capacity: number;
  private readonly maxHoldMs: number;
  private readonly tickMs: number;
  private readonly requestTimeoutMs: number;
  private readonly retryBackoff: BackoffLimits;
  private readonly drainBackoff: BackoffLimits;
  private readonly closeDrainMs: number;
  private readonly logIntervalMs: number;

  /** The in-memory queue: a ring of event references and their `ship` times (preallocated). */
  private readonly events: (TradeEvent | undefined)[];
  private readonly shippedAt: Float64Array;
  private head = 0;
  private size = 0;
  private highWater = 0;

  private timer: NodeJS.Timeout | undefined;
  private worker: Promise<void> | undefined;
  private spoolingNow = false;
  private readonly appends = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private closed = false;
  private closing: Promise<void> | undefined;

  private loggedDrops = 0;
  private lastDropLogMs = Number.NEGATIVE_INFINITY;
  private readonly requestFailureLog: ThrottledWarning;
  private readonly spoolFailureLog: ThrottledWarning;
  private readonly rejectionLog: ThrottledWarning;

  constructor(options: TradeShipperOptions) {
    this.sender = options.sender;
    this.spool = options.spool;
    this.logger = options.logger;
    this.now = options.now ?? (() => performance.now());
    this.random = options.random ?? Math.random;
    this.capacity = options.capacity ?? 65_536;
    this.maxHoldMs = options.maxHoldMs ?? 1_000;
    this.tickMs = options.tickMs ?? 50;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 2_000;
    this.retryBackoff = options.retryBackoff ?? { minMs: 20, maxMs: 200 };
    this.drainBackoff = options.drainBackoff ?? { minMs: 250, maxMs: 5_000 };
    this.closeDrainMs = options.closeDrainMs ?? 2_000;
    this.logIntervalMs = options.logIntervalMs ?? 10_000;
    if (!(Number.isInteger(this.capacity) && this.capacity > 0)) {
      throw new RangeError(`trade shipper capacity must be a positive integer, got ${this.capacity}`);
    }
    if (!(this.maxHoldMs >= this.tickMs + MIN_ATTEMPT_MS)) {
      throw new RangeError(
        `trade shipper needs maxHoldMs ≥ tickMs + ${MIN_ATTEMPT_MS}, got ${this.maxHoldMs} vs ${this.tickMs}`,
      );
    }
    this.events = new Array<TradeEvent | undefined>(this.capacity).fill(undefined);
    this.shippedAt = new Float64Array(this.capacity);
    const throttled = (message: string): ThrottledWarning =>
      new ThrottledWarning(this.logger, message, this.logIntervalMs, this.now);
    this.requestFailureLog = throttled(
      "SQS SendMessageBatch to the trades queue failed; retrying, then spooling",
    );
    this.spoolFailureLog = throttled("trade spool failed; trade events dropped or delayed");
    this.rejectionLog = throttled("SQS refused trade messages as the sender's fault; events dropped");
  }

  /**
   * Queues `event` for shipping; O(1), no I/O, no encoding. False when it was dropped (queue full, or
   * closed), which is counted. The event object must not be mutated afterwards (intents and events are
   * immutable by construction).
   */
  ship(event: TradeEvent): boolean {
    if (this.closed) {
      this.counters.dropped.closed += 1;
      return false;
    }
    if (this.size === this.capacity) {
      this.counters.dropped.queueFull += 1;
      return false;
    }
    const slot = (this.head + this.size) % this.capacity;
    this.events[slot] = event;
    this.shippedAt[slot] = this.now();
    this.size += 1;
    if (this.size > this.highWater) this.highWater = this.size;
    this.counters.shipped += 1;
    return true;
  }

  /** Starts the timer; drains what an earlier run left in the spool first. */
  start(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setInterval(() => this.tick(), this.tickMs);
    if (!this.spool.isEmpty) {
      this.logger.info(
        { spooledMessages: this.spool.messageCount },
        "trade spool holds messages from an earlier run; draining them first",
      );
      this.spoolingNow = true;
      this.kick();
    }
  }

  get spooling(): boolean {
    return this.spoolingNow;
  }

  /** Events waiting in RAM. */
  get queued(): number {
    return this.size;
  }

  /** Most events waiting in RAM at once. */
  get queuedHighWater(): number {
    return this.highWater;
  }

  get spoolStats(): { readonly bytes: number; readonly messages: number } {
    return { bytes: this.spool.bytes, messages: this.spool.messageCount };
  }

  private tick(): void {
    this.reportDrops();
    if (this.spoolingNow) this.queueToSpool();
    if (this.size > 0 || this.spoolingNow) this.kick();
  }

  private kick(): void {
    if (this.worker !== undefined) return;
    this.worker = this.work()
      .catch((error: unknown) => this.logger.error({ err: error }, "trade shipper failed unexpectedly"))
      .finally(() => (this.worker = undefined));
  }

  /** Oldest queued event and its ship time, removed. */
  private dequeue(): { readonly event: TradeEvent; readonly atMs: number } {
    const slot = this.head;
    const event = this.events[slot] as TradeEvent;
    this.events[slot] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size -= 1;
    return { event, atMs: this.shippedAt[slot]! };
  }

  /** `event`'s message, or null (counted, logged) when it cannot be encoded: a bug, never retried. */
  private encode(event: TradeEvent): TradeMessage | null {
    try {
      return tradeMessageOf(event);
    } catch (error) {
      this.counters.dropped.unencodable += 1;
      this.logger.error({ err: error, kind: event.kind }, "trade event cannot be encoded; dropped");
      return null;
    }
  }

  private async work(): Promise<void> {
    while (!this.abort.signal.aborted) {
      if (this.spoolingNow) {
        if (!(await this.drainOnce())) return;
        continue;
      }
      if (this.size === 0) return;
      // Up to one SendMessageBatch's worth of events, in order, sent one request at a time.
      let oldestAtMs = Number.POSITIVE_INFINITY;
      const messages: TradeMessage[] = [];
      while (this.size > 0 && messages.length < SQS_MAX_BATCH_ENTRIES) {
        const { event, atMs } = this.dequeue();
        oldestAtMs = Math.min(oldestAtMs, atMs);
        const message = this.encode(event);
        if (message !== null) messages.push(message);
      }
      const deadlineMs = oldestAtMs + this.maxHoldMs;
      const batches = packTradeMessages(messages, TRADE_SQS_LIMITS);
      for (let index = 0; index < batches.length; index++) {
        const unsent = await this.sendDirect(batches[index]!.messages, deadlineMs);
        if (unsent.length > 0) {
          // Keep the order: what SQS did not take, then the rest of this round, then the queue.
          this.enterSpooling([...unsent, ...batches.slice(index + 1).flatMap((batch) => batch.messages)]);
          break;
        }
      }
    }
  }

  /** Sends `messages` until each is accepted or refused, or the deadline; returns those not accepted. */
  private async sendDirect(messages: readonly TradeMessage[], deadlineMs: number): Promise<TradeMessage[]> {
    let pending = [...messages];
    const backoff = new ReconnectBackoff(this.retryBackoff, this.random);
    for (;;) {
      if (this.abort.signal.aborted) return pending;
      const remainingMs = deadlineMs - this.now();
      if (remainingMs < MIN_ATTEMPT_MS) return pending;
      const result = await this.attempt(pending, Math.min(remainingMs, this.requestTimeoutMs));
      if (!result.ok && result.error.contentRejected) {
        this.reject(pending.length, result.error.code, result.error.message);
        return [];
      }
      if (result.ok) {
        pending = this.settle(pending, result.failures, false);
        if (pending.length === 0) return [];
      }
      const delayMs = backoff.next();
      if (this.now() + delayMs + MIN_ATTEMPT_MS > deadlineMs) return pending;
      await sleep(delayMs);
    }
  }

  /** Counts what SQS accepted or refused for good; returns the entries to retry, in order. */
  private settle(
    pending: readonly TradeMessage[],
    failures: readonly EdgeQueueEntryFailure[],
    fromSpool: boolean,
  ): TradeMessage[] {
    const failed = new Map(failures.map((failure) => [failure.id, failure]));
    const retry: TradeMessage[] = [];
    pending.forEach((message, index) => {
      const failure = failed.get(`e${index}`);
      if (failure === undefined) {
        this.counters.sent += 1;
        if (fromSpool) this.counters.drainedFromSpool += 1;
      } else if (failure.senderFault) {
        this.reject(1, failure.code, failure.message);
      } else {
        retry.push(message);
      }
    });
    return retry;
  }

  /** One SendMessageBatch, counted; never throws. */
  private async attempt(messages: readonly TradeMessage[], timeoutMs: number): Promise<AttemptResult> {
    this.counters.sqsRequests += 1;
    try {
      const timeout = AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs)));
      const signal = AbortSignal.any([timeout, this.abort.signal]);
      const failures = await this.sender.sendBatch(messages, signal);
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

  private reject(events: number, code: string, reason: string): void {
    this.counters.dropped.rejected += events;
    this.rejectionLog.warn(() => ({ code, reason, events }));
  }

  // ------------------------------------------------------------------------------------------------------
  // Spool

  private enterSpooling(unsent: readonly TradeMessage[]): void {
    if (!this.spoolingNow) {
      this.spoolingNow = true;
      this.logger.warn(
        { unsent: unsent.length, queued: this.size },
        "SQS did not take trade messages in time; spooling them until it does",
      );
    }
    for (const message of unsent) this.toSpool(message);
    this.queueToSpool();
  }

  /** Moves every queued event to the spool, in order (while spooling: order across the outage). */
  private queueToSpool(): void {
    while (this.size > 0) {
      const message = this.encode(this.dequeue().event);
      if (message !== null) this.toSpool(message);
    }
  }

  private toSpool(message: TradeMessage): void {
    const append: Promise<void> = this.spool
      .append({ body: message.body, bytes: message.bytes, edgeCount: 1 })
      .then(
        (result) => {
          if (result === "full") this.counters.dropped.spoolFull += 1;
          else this.counters.spooled += 1;
        },
        (error: unknown) => {
          this.counters.dropped.spoolError += 1;
          this.spoolFailureLog.warn(() => ({ err: error, operation: "append" }));
        },
      );
    const tracked: Promise<void> = append.finally(() => this.appends.delete(tracked));
    this.appends.add(tracked);
  }

  /** Sends the oldest spooled batch until SQS took it, then acknowledges it. False when closing aborted it. */
  private async drainOnce(): Promise<boolean> {
    const spool = this.spool;
    if (spool.isEmpty) {
      this.spoolingNow = false;
      this.logger.info({ drained: this.counters.drainedFromSpool }, "trade spool drained; sending directly");
      return true;
    }
    if (spool.messageCount === 0) {
      await Promise.allSettled([...this.appends]); // appends in progress: wait for them to land
      return true;
    }
    const backoff = new ReconnectBackoff(this.drainBackoff, this.random);
    let records: SpooledMessage[];
    try {
      records = await spool.peek(TRADE_SQS_LIMITS.maxBatchEntries, TRADE_SQS_LIMITS.maxBatchBytes);
    } catch (error) {
      this.spoolFailureLog.warn(() => ({ err: error, operation: "read" }));
      return this.pause(backoff.next());
    }
    let pending: TradeMessage[] = [];
    for (const record of records) {
      const message = record.body === null ? null : this.fromSpool(record.body);
      if (message === null) {
        this.counters.dropped.spoolCorrupt += 1;
        this.logger.error({ bytes: record.bytes }, "trade spool record is corrupt; event dropped");
      } else {
        pending.push(message);
      }
    }
    while (pending.length > 0) {
      if (this.abort.signal.aborted) return false;
      const result = await this.attempt(pending, this.requestTimeoutMs);
      if (this.abort.signal.aborted) return false;
      if (!result.ok && result.error.contentRejected) {
        this.reject(pending.length, result.error.code, result.error.message);
        break;
      }
      if (result.ok) pending = this.settle(pending, result.failures, true);
      if (pending.length > 0 && !(await this.pause(backoff.next()))) return false;
    }
    try {
      await spool.ack(records.length);
    } catch (error) {
      // The cursor did not move on disk: a restart would resend these (deduplicated downstream).
      this.spoolFailureLog.warn(() => ({ err: error, operation: "ack" }));
    }
    return true;
  }

  private fromSpool(body: string): TradeMessage | null {
    try {
      return tradeMessageOfBody(body);
    } catch {
      return null;
    }
  }

  /** Waits `ms` unless closing aborts it; false when aborted. */
  private async pause(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.abort.signal });
      return true;
    } catch {
      return false;
    }
  }

  // ------------------------------------------------------------------------------------------------------
  // Drops and shutdown

  private reportDrops(): void {
    const total = this.counters.droppedTotal;
    const nowMs = this.now();
    if (total === this.loggedDrops || nowMs - this.lastDropLogMs < this.logIntervalMs) return;
    this.logger.warn(
      {
        droppedSinceLastLog: total - this.loggedDrops,
        droppedTotal: total,
        byReason: { ...this.counters.dropped },
      },
      "trade events dropped",
    );
    this.loggedDrops = total;
    this.lastDropLogMs = nowMs;
  }

  /**
   * Stops accepting events, sends (or spools) everything queued, lets the spool drain for up to
   * `closeDrainMs`, closes the spool. Resolves when no event is held only in RAM.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.closed = true;
    if (this.spoolingNow) this.queueToSpool();
    const patience = new AbortController();
    const finished = (async () => {
      // The worker may be between rounds: run it until the queue is sent or spooled and the spool drained.
      while (this.worker !== undefined || this.size > 0 || (this.spoolingNow && !this.spool.isEmpty)) {
        if (this.abort.signal.aborted) break;
        this.kick();
        await this.worker;
        if (this.spoolingNow) this.queueToSpool();
      }
    })();
    await Promise.race([
      finished,
      sleep(this.closeDrainMs, undefined, { signal: patience.signal }).catch(() => {}),
    ]);
    patience.abort();
    this.abort.abort();
    await finished;
    this.queueToSpool();
    while (this.appends.size > 0) await Promise.allSettled([...this.appends]);
    await this.spool.close();
    this.reportDrops();
    this.logger.info(
      {
        shipped: this.counters.shipped,
        sent: this.counters.sent,
        spooledLeft: this.spool.messageCount,
        dropped: this.counters.droppedTotal,
      },
      "trade shipper closed",
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Wiring and metrics

export interface TradeShipperConfig extends TradeShipperTuning {
  readonly queueUrl: string;
  readonly region: string;
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly connectTimeoutMs?: number;
  /** The trade spool's own directory (not the edge spool's). */
  readonly spoolDir: string;
  /** Default 64 MiB: trade events are few; a day of an outage fits many times over. */
  readonly spoolMaxBytes?: number;
}

export interface StartedTradeShipper {
  readonly shipper: TradeShipper;
  /** `shipper.close()`, then the SQS client's sockets. */
  close(): Promise<void>;
}

/** Opens the spool, builds the SQS sender and starts the shipper. */
export async function startTradeShipper(
  config: TradeShipperConfig,
  deps: { readonly logger: Logger },
): Promise<StartedTradeShipper> {
  const spool = await EdgeSpool.open({
    dir: config.spoolDir,
    maxBytes: config.spoolMaxBytes ?? 64 * 1024 * 1024,
    logger: deps.logger,
  });
  const sender = new SqsTradeSender({
    queueUrl: config.queueUrl,
    region: config.region,
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    ...(config.credentials === undefined ? {} : { credentials: config.credentials }),
    ...(config.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: config.connectTimeoutMs }),
  });
  const shipper = new TradeShipper({ ...config, sender, spool, logger: deps.logger });
  shipper.start();
  return {
    shipper,
    async close() {
      await shipper.close();
      sender.destroy();
    },
  };
}

/** Adds the trade shipper's families to `out` (call from the `/metrics` renderer). */
export function renderTradeShipperMetrics(out: PrometheusWriter, shipper: TradeShipper): void {
  const { counters } = shipper;
  out.counter("hlbasis_trade_shipper_shipped_total", "Trade events accepted for shipping", counters.shipped);
  out.counter("hlbasis_trade_shipper_sent_total", "Trade events SQS acknowledged", counters.sent);
  out.counter("hlbasis_trade_shipper_spooled_total", "Trade events written to the spool", counters.spooled);
  out.counter(
    "hlbasis_trade_shipper_drained_total",
    "Trade events sent from the spool",
    counters.drainedFromSpool,
  );
  const droppedHelp = "Trade events dropped, by reason";
  for (const reason of TRADE_DROP_REASONS) {
    out.counter("hlbasis_trade_shipper_dropped_total", droppedHelp, counters.dropped[reason], { reason });
  }
  out.counter(
    "hlbasis_trade_shipper_sqs_requests_total",
    "SendMessageBatch requests made",
    counters.sqsRequests,
  );
  const errorsHelp = "SendMessageBatch failures, whole requests or single entries";
  out.counter("hlbasis_trade_shipper_sqs_errors_total", errorsHelp, counters.sqsRequestErrors, {
    kind: "request",
  });
  out.counter("hlbasis_trade_shipper_sqs_errors_total", errorsHelp, counters.sqsEntryErrors, {
    kind: "entry",
  });
  out.gauge("hlbasis_trade_shipper_queued", "Trade events waiting in RAM", shipper.queued);
  out.gauge(
    "hlbasis_trade_shipper_spooling",
    "1 while new trade messages go to the spool",
    shipper.spooling ? 1 : 0,
  );
  out.gauge(
    "hlbasis_trade_shipper_spool_messages",
    "Unacknowledged trade messages in the spool",
    shipper.spoolStats.messages,
  );
}
