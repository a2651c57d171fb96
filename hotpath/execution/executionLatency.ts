/**
 * Latency telemetry of the order path, per intent, in HdrHistograms the metrics page renders (µs):
 *
 * - `exchangeToReceive`: the newer book leg's exchange time → the frame's arrival (clock skew included);
 * - `receiveToSink`: arrival → the executor's sink (scan, book, breaker, edge);
 * - `sinkToDecided`: the sink → a trade verdict (`decide`, both directions when the second one trades);
 * - `decidedToJournaled`: the verdict → the intent journaled (ids, nonce, intent, `appendIntent`);
 * - `journaledToSigned`: → every action of the intent signed and serialised;
 * - `signedToWritten`: → every action written to the socket (or handed to the HTTP fallback);
 * - `tickToWire`: arrival → both legs written — the tick-to-wire;
 * - `writtenToAck` / `writtenToFill`: written → the exchange's answer / the first fill (every intent,
 *   follow-ups included).
 *
 * Recording allocates nothing; only the per-intent "written at" entry waiting for its answer and first fill
 * is kept, and dropped once both came (or the intent resolved).
 *
 * Per root intent, once its answer and first fill came (or it resolved without them), `onRootLatency`
 * receives the whole breakdown — the process logs it as one `intent latency` line, which the saved Logs
 * Insights query `hlbasis/intents-latency-breakdown` reads. That happens after the fill, never on the path
 * from frame to wire.
 */

import { LatencyHistogram } from "../metrics/latencyHistogram.js";

export const LATENCY_STAGES = [
  "exchangeToReceive",
  "receiveToSink",
  "sinkToDecided",
  "decidedToJournaled",
  "journaledToSigned",
  "signedToWritten",
  "tickToWire",
  "writtenToAck",
  "writtenToFill",
] as const;

export type LatencyStage = (typeof LATENCY_STAGES)[number];

/** The message of the per-root-intent breakdown line (read by a saved Logs Insights query). */
export const INTENT_LATENCY_MESSAGE = "intent latency";

/** The times of one root intent's path from frame to wire: monotonic ms, except the exchange time. */
export interface SendStamps {
  /** Epoch ms of the newer leg's book (exchange clock); NaN when unknown. */
  bookExchangeTimeMs: number;
  receivedAtMs: number;
  sinkAtMs: number;
  decidedAtMs: number;
  journaledAtMs: number;
  signedAtMs: number;
  writtenAtMs: number;
}

interface Pending {
  readonly writtenAtMs: number;
  acked: boolean;
  filled: boolean;
  /** Root intents only: what its breakdown line needs. */
  readonly root: RootPending | undefined;
}

interface RootPending {
  readonly coin: string;
  readonly kind: string;
  readonly stamps: SendStamps;
  readonly exchangeToReceiveUs: number | null;
  ackUs: number | null;
  fillUs: number | null;
}

/** One root intent's path, µs per stage (null: not reached), as the `intent latency` line carries it. */
export interface RootLatency {
  readonly intentId: string;
  readonly coin: string;
  /** The decision that made the intent: `open`, `close`, `unwind`. */
  readonly kind: string;
  /** How far the intent got: `filled` (answered and filled), `answered`, `unanswered`. */
  readonly status: "filled" | "answered" | "unanswered";
  readonly latencyUs: { readonly [S in LatencyStage]: number | null };
}

const US_PER_MS = 1000;

export class ExecutionLatency {
  readonly histograms: { readonly [S in LatencyStage]: LatencyHistogram };
  private readonly pending = new Map<string, Pending>();

  constructor(
    /** Monotonic ms → epoch ms, to compare an arrival with the exchange's time. */
    private readonly toEpochMs: (monotonicMs: number) => number = (ms) => performance.timeOrigin + ms,
    /** Each root intent's breakdown, once complete (see the module comment). */
    private readonly onRootLatency?: (line: RootLatency) => void,
  ) {
    const histograms = {} as Record<LatencyStage, LatencyHistogram>;
    for (const stage of LATENCY_STAGES) histograms[stage] = new LatencyHistogram();
    this.histograms = histograms;
  }

  /** A root intent's path from its frame to the wire; `label` names it in its breakdown line. */
  recordSend(
    intentId: string,
    stamps: SendStamps,
    label: { readonly coin: string; readonly kind: string } = { coin: "", kind: "" },
  ): void {
    const h = this.histograms;
    let exchangeToReceiveUs: number | null = null;
    if (Number.isFinite(stamps.bookExchangeTimeMs)) {
      exchangeToReceiveUs = (this.toEpochMs(stamps.receivedAtMs) - stamps.bookExchangeTimeMs) * US_PER_MS;
      h.exchangeToReceive.record(exchangeToReceiveUs);
    }
    h.receiveToSink.record((stamps.sinkAtMs - stamps.receivedAtMs) * US_PER_MS);
    h.sinkToDecided.record((stamps.decidedAtMs - stamps.sinkAtMs) * US_PER_MS);
    h.decidedToJournaled.record((stamps.journaledAtMs - stamps.decidedAtMs) * US_PER_MS);
    h.journaledToSigned.record((stamps.signedAtMs - stamps.journaledAtMs) * US_PER_MS);
    h.signedToWritten.record((stamps.writtenAtMs - stamps.signedAtMs) * US_PER_MS);
    h.tickToWire.record((stamps.writtenAtMs - stamps.receivedAtMs) * US_PER_MS);
    const root =
      this.onRootLatency === undefined
        ? undefined
        : { ...label, stamps, exchangeToReceiveUs, ackUs: null, fillUs: null };
    this.pending.set(intentId, { writtenAtMs: stamps.writtenAtMs, acked: false, filled: false, root });
  }

  /** Any intent (a follow-up too) written at `writtenAtMs`: its answer and first fill are timed from there. */
  written(intentId: string, writtenAtMs: number): void {
    const root = this.pending.get(intentId)?.root;
    this.pending.set(intentId, { writtenAtMs, acked: false, filled: false, root });
  }

  answered(intentId: string, atMs: number): void {
    const entry = this.pending.get(intentId);
    if (entry === undefined || entry.acked) return;
    entry.acked = true;
    const us = (atMs - entry.writtenAtMs) * US_PER_MS;
    this.histograms.writtenToAck.record(us);
    if (entry.root !== undefined) entry.root.ackUs = us;
    if (entry.filled) this.complete(intentId, entry);
  }

  filled(intentId: string, atMs: number): void {
    const entry = this.pending.get(intentId);
    if (entry === undefined || entry.filled) return;
    entry.filled = true;
    const us = (atMs - entry.writtenAtMs) * US_PER_MS;
    this.histograms.writtenToFill.record(us);
    if (entry.root !== undefined) entry.root.fillUs = us;
    if (entry.acked) this.complete(intentId, entry);
  }

  /** The intent resolved: nothing more to time for it (a root's breakdown goes out with what it has). */
  forget(intentId: string): void {
    const entry = this.pending.get(intentId);
    if (entry !== undefined) this.complete(intentId, entry);
  }

  private complete(intentId: string, entry: Pending): void {
    this.pending.delete(intentId);
    const root = entry.root;
    if (root === undefined || this.onRootLatency === undefined) return;
    const stamps = root.stamps;
    const us = (fromMs: number, toMs: number): number => Math.round((toMs - fromMs) * US_PER_MS);
    this.onRootLatency({
      intentId,
      coin: root.coin,
      kind: root.kind,
      status: entry.filled ? "filled" : entry.acked ? "answered" : "unanswered",
      latencyUs: {
        exchangeToReceive: root.exchangeToReceiveUs === null ? null : Math.round(root.exchangeToReceiveUs),
        receiveToSink: us(stamps.receivedAtMs, stamps.sinkAtMs),
        sinkToDecided: us(stamps.sinkAtMs, stamps.decidedAtMs),
        decidedToJournaled: us(stamps.decidedAtMs, stamps.journaledAtMs),
        journaledToSigned: us(stamps.journaledAtMs, stamps.signedAtMs),
        signedToWritten: us(stamps.signedAtMs, stamps.writtenAtMs),
        tickToWire: us(stamps.receivedAtMs, stamps.writtenAtMs),
        writtenToAck: root.ackUs === null ? null : Math.round(root.ackUs),
        writtenToFill: root.fillUs === null ? null : Math.round(root.fillUs),
      },
    });
  }
}
