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
}

const US_PER_MS = 1000;

export class ExecutionLatency {
  readonly histograms: { readonly [S in LatencyStage]: LatencyHistogram };
  private readonly pending = new Map<string, Pending>();

  constructor(
    /** Monotonic ms → epoch ms, to compare an arrival with the exchange's time. */
    private readonly toEpochMs: (monotonicMs: number) => number = (ms) => performance.timeOrigin + ms,
  ) {
    const histograms = {} as Record<LatencyStage, LatencyHistogram>;
    for (const stage of LATENCY_STAGES) histograms[stage] = new LatencyHistogram();
    this.histograms = histograms;
  }

  /** A root intent's path from its frame to the wire. */
  recordSend(intentId: string, stamps: SendStamps): void {
    const h = this.histograms;
    if (Number.isFinite(stamps.bookExchangeTimeMs)) {
      h.exchangeToReceive.record(
        (this.toEpochMs(stamps.receivedAtMs) - stamps.bookExchangeTimeMs) * US_PER_MS,
      );
    }
    h.receiveToSink.record((stamps.sinkAtMs - stamps.receivedAtMs) * US_PER_MS);
    h.sinkToDecided.record((stamps.decidedAtMs - stamps.sinkAtMs) * US_PER_MS);
    h.decidedToJournaled.record((stamps.journaledAtMs - stamps.decidedAtMs) * US_PER_MS);
    h.journaledToSigned.record((stamps.signedAtMs - stamps.journaledAtMs) * US_PER_MS);
    h.signedToWritten.record((stamps.writtenAtMs - stamps.signedAtMs) * US_PER_MS);
    h.tickToWire.record((stamps.writtenAtMs - stamps.receivedAtMs) * US_PER_MS);
    this.written(intentId, stamps.writtenAtMs);
  }

  /** Any intent (a follow-up too) written at `writtenAtMs`: its answer and first fill are timed from there. */
  written(intentId: string, writtenAtMs: number): void {
    this.pending.set(intentId, { writtenAtMs, acked: false, filled: false });
  }

  answered(intentId: string, atMs: number): void {
    const entry = this.pending.get(intentId);
    if (entry === undefined || entry.acked) return;
    entry.acked = true;
    this.histograms.writtenToAck.record((atMs - entry.writtenAtMs) * US_PER_MS);
    if (entry.filled) this.pending.delete(intentId);
  }

  filled(intentId: string, atMs: number): void {
    const entry = this.pending.get(intentId);
    if (entry === undefined || entry.filled) return;
    entry.filled = true;
    this.histograms.writtenToFill.record((atMs - entry.writtenAtMs) * US_PER_MS);
    if (entry.acked) this.pending.delete(intentId);
  }

  /** The intent resolved: nothing more to time for it. */
  forget(intentId: string): void {
    this.pending.delete(intentId);
  }
}
