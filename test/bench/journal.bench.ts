/**
 * Intent journal benchmark: what the write-ahead journal adds to the order path, per mode. Run:
 * `npx tsx test/bench/journal.bench.ts` (or `npm run bench -- journal`). Files go to the OS temp directory,
 * which must be on the same kind of disk as production's journal for the numbers to mean anything.
 *
 * Prints one JSON line per measurement, µs per call (p50 / p99 / p99.9 / max from individually timed calls,
 * after a warm-up), `gcs` = garbage collections during the timed calls, and `heapBytesPerCall` = JS heap
 * growth per timed call over a batch of 100 between forced collections (what the call allocates and keeps
 * until the next scavenge). Each journal measurement closes the intent it appended after the timed call,
 * untimed, so the open set stays as small as in production.
 * - `rawFdatasync`: `writeSync` + `fdatasyncSync` of a 300-byte line on a plain file (the floor);
 * - `encode`: a two-leg intent record to its line (`JSON.stringify` + CRC-32), no I/O;
 * - `appendIntent.fsyncBeforeSend`: the default-mode append (validate, plan, encode, write, fdatasync, commit);
 * - `appendDurable.order`: `appendDurable` of an order-event record (write + fdatasync);
 * - `appendIntent.reserveAhead.burst`: the reserve-ahead append, back to back (the asynchronous fdatasync
 *   runs in the thread pool meanwhile);
 * - `appendIntent.reserveAhead.paced`: the same, one intent per event-loop turn, so appends race the
 *   fdatasync started after the previous one (the realistic case);
 * - `appendBuffered.order`: an order event (written, fsync'd asynchronously), paced.
 */

import { mkdtempSync, openSync, closeSync, fdatasyncSync, rmSync, writeSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

import type { Cloid, WireDecimal } from "../../hotpath/exchange/wire/brands.js";
import type { Intent, IntentId } from "../../hotpath/execution/intent.js";
import {
  encodeRecord,
  IntentJournal,
  type JournalMode,
  type OrderRecord,
} from "../../hotpath/execution/journal/index.js";

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

const BOOT_ID = "0f7c3b2a-9d4e-4c61-8b5a-2e9f1d3c4b5a";

let gcCount = 0;
const gcObserver = new PerformanceObserver((list) => {
  gcCount += list.getEntries().length;
});
gcObserver.observe({ entryTypes: ["gc"] });

interface Result {
  iterations: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  gcs: number;
  heapBytesPerCall: number;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 50));
}

interface Pacing<T> {
  /** Yield to the event loop (setImmediate) between calls, untimed. */
  readonly paced: boolean;
  /** Untimed set-up before each call (its result is the call's argument), and clean-up after it. */
  readonly before: (index: number) => T;
  readonly after?: (value: T) => void;
}

/** Times `fn(before(i))` one call at a time, after a warm-up. */
async function measure<T>(
  iterations: number,
  warmup: number,
  pacing: Pacing<T>,
  fn: (value: T) => void,
): Promise<Result> {
  const { paced, before, after = () => {} } = pacing;
  let index = 0;
  for (let warm = 0; warm < warmup; warm++) {
    const value = before(index++);
    fn(value);
    after(value);
    if (paced) await new Promise((resolve) => setImmediate(resolve));
  }
  // Allocation of the timed call alone: a batch small enough that no scavenge runs inside it, the set-up
  // done before and the clean-up after the batch.
  const batch = Math.min(100, iterations);
  const values: T[] = [];
  for (let at = 0; at < batch; at++) values.push(before(index++));
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  for (const value of values) fn(value);
  const heapBytesPerCall = (process.memoryUsage().heapUsed - heapBefore) / batch;
  for (const value of values) after(value);
  await settle();
  const times = new Float64Array(iterations);
  const gcBefore = gcCount;
  for (let at = 0; at < iterations; at++) {
    const value = before(index++);
    const start = process.hrtime.bigint();
    fn(value);
    times[at] = Number(process.hrtime.bigint() - start);
    after(value);
    if (paced) await new Promise((resolve) => setImmediate(resolve));
  }
  await settle();
  const gcs = gcCount - gcBefore;
  let total = 0;
  for (const time of times) total += time;
  times.sort();
  const at = (quantile: number): number =>
    round((times[Math.min(iterations - 1, Math.floor(iterations * quantile))] ?? 0) / 1000);
  return {
    iterations,
    meanUs: round(total / iterations / 1000),
    p50Us: at(0.5),
    p99Us: at(0.99),
    p999Us: at(0.999),
    maxUs: round((times[iterations - 1] ?? 0) / 1000),
    gcs,
    heapBytesPerCall: Math.round(heapBytesPerCall),
  };
}

const machine = { node: process.version, cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length };

function report(measurement: string, result: Result, extra: Record<string, unknown> = {}): void {
  process.stdout.write(
    `${JSON.stringify({ bench: "journal", measurement, ...result, ...extra, ...machine })}\n`,
  );
}

const d = (value: string): WireDecimal => value as WireDecimal;

/** A two-leg perp-rich open with the given cloids, as the executor would journal it. */
function intentOf(sequence: number, perpCloid: Cloid, spotCloid: Cloid, nowMs: number): Intent {
  const timing = { nonce: nowMs, expiresAfter: nowMs + 5_000, reduceOnly: false, tif: "Ioc" as const };
  return {
    intentId: `${BOOT_ID}:${sequence}` as IntentId,
    parentIntentId: null,
    bootId: BOOT_ID,
    edgeId: sequence,
    positionId: `${BOOT_ID}:${sequence}`,
    coin: "HYPE",
    direction: "perpRich",
    action: "open",
    legs: [
      {
        market: "perp",
        asset: 159,
        side: "sell",
        limitPx: d("24.512"),
        size: d("0.49"),
        cloid: perpCloid,
        ...timing,
      },
      {
        market: "spot",
        asset: 10107,
        side: "buy",
        limitPx: d("24.538"),
        size: d("0.5"),
        cloid: spotCloid,
        ...timing,
      },
    ],
    createdAtMs: nowMs,
  };
}

function cloidOf(counter: number): Cloid {
  return `0x00000000000000aa${counter.toString(16).padStart(16, "0")}` as Cloid;
}

function notSentRecord(intent: Intent): OrderRecord {
  const cloid = intent.legs[0]?.cloid as Cloid;
  return { t: "order", intentId: intent.intentId, cloid, event: { type: "notSent", reason: "bench" } };
}

function recordBytes(intent: Intent): number {
  return Buffer.byteLength(encodeRecord({ t: "intent", intent }));
}

const root = mkdtempSync(join(tmpdir(), "hlb-journal-bench-"));
const openJournal = (mode: JournalMode, name: string): IntentJournal =>
  IntentJournal.open({
    dir: join(root, name),
    bootId: BOOT_ID,
    mode,
    maintenance: "manual",
    // One block covers every cloid of a run: the timer's top-ups (an fsync each) stay out of the timings.
    reserveAhead: { blockSize: 65_536 },
  }).journal;

/** Untimed clean-up: both legs never sent, position closed (buffered), so the open set stays empty. */
function closeUnsent(journal: IntentJournal, intent: Intent, fromLeg: number): void {
  for (const leg of intent.legs.slice(fromLeg))
    journal.appendOrderEvent(leg.cloid, { type: "notSent", reason: "bench" });
  journal.appendBuffered({ t: "closed", positionId: intent.positionId, atMs: Date.now() });
}

try {
  // The floor: one line, write + fdatasync.
  {
    const fd = openSync(join(root, "raw.ndjson"), "a");
    const line = `${"x".repeat(299)}\n`;
    const raw = await measure(2000, 200, { paced: false, before: () => line }, (text) => {
      writeSync(fd, text);
      fdatasyncSync(fd);
    });
    report("rawFdatasync", raw, { bytes: 300 });
    closeSync(fd);
  }

  // Encoding alone.
  {
    const sample = intentOf(1, cloidOf(1), cloidOf(2), Date.now());
    let sink = 0;
    const encoded = await measure(50_000, 5_000, { paced: false, before: () => sample }, (intent) => {
      sink += encodeRecord({ t: "intent", intent }).length;
    });
    report("encode", encoded, { bytes: recordBytes(sample) });
    if (sink < 0) console.log(sink);
  }

  // Default mode: fsync before send.
  {
    const journal = openJournal("fsyncBeforeSend", "durable");
    const fresh = (index: number): Intent =>
      intentOf(index + 1, journal.nextCloid(), journal.nextCloid(), Date.now());
    const appended = await measure(
      2000,
      200,
      { paced: false, before: fresh, after: (intent) => closeUnsent(journal, intent, 0) },
      (intent) => journal.appendIntent(intent),
    );
    report("appendIntent.fsyncBeforeSend", appended, { bytes: recordBytes(fresh(99_999)) });
    const order = await measure(
      2000,
      200,
      {
        paced: false,
        before: (index) => {
          const intent = fresh(100_000 + index);
          journal.appendBuffered({ t: "intent", intent });
          return intent;
        },
        after: (intent) => closeUnsent(journal, intent, 1),
      },
      (intent) => journal.appendDurable(notSentRecord(intent)),
    );
    report("appendDurable.order", order, { bytes: Buffer.byteLength(encodeRecord(notSentRecord(fresh(1)))) });
    journal.close();
  }

  // Reserve-ahead: back to back, then one intent per event-loop turn.
  for (const paced of [false, true]) {
    const journal = openJournal("reserveAhead", paced ? "reserve-paced" : "reserve-burst");
    const fresh = (index: number): Intent =>
      intentOf(index + 1, journal.nextCloid(), journal.nextCloid(), Date.now());
    const result = await measure(
      paced ? 5000 : 20_000,
      1000,
      { paced, before: fresh, after: (intent) => closeUnsent(journal, intent, 0) },
      (intent) => journal.appendIntent(intent),
    );
    await journal.flush();
    report(`appendIntent.reserveAhead.${paced ? "paced" : "burst"}`, result, {
      syncFallbacks: journal.stats.syncFallbacks,
      inlineReservations: journal.stats.inlineReservations,
      asyncSyncs: journal.stats.asyncSyncs,
    });
    if (paced) {
      const buffered = await measure(
        5000,
        500,
        {
          paced: true,
          before: (index) => {
            const intent = fresh(200_000 + index);
            journal.appendBuffered({ t: "intent", intent });
            return intent;
          },
          after: (intent) => closeUnsent(journal, intent, 1),
        },
        (intent) =>
          journal.appendOrderEvent(intent.legs[0]?.cloid as Cloid, { type: "notSent", reason: "bench" }),
      );
      report("appendBuffered.order", buffered);
    }
    journal.close();
  }
} finally {
  gcObserver.disconnect();
  rmSync(root, { recursive: true, force: true });
}
