/**
 * Book + edge benchmark: the per-frame cost of hot path I on the recorded 20-level HYPE `l2Book` frame
 * (1.5 KB, hftbacktest capture) and on a `bbo` frame. Run: `npx tsx test/bench/book-edge.bench.ts`.
 * Frames are flat strings decoded from a Buffer, as the `ws` client delivers them.
 *
 * Prints one JSON line per measurement, µs per message:
 * - `jsonParse`: `JSON.parse` alone (what every JSON client pays before doing anything);
 * - `decodeWsMessage`: the full validating decoder (the scanner's fallback);
 * - `scan`: `FrameScanner.scan` into its preallocated frame (exact integers, no JSON.parse);
 * - `scanApply`: scan + `MarketBooks.apply` (copy into the leg, overlay, crossed flag);
 * - `edgeUpdate`: `EdgeCalculator.update` after a book change (both directions: walks, hedge, exit, bps);
 * - `frameToEdge`: scan + apply + edge update — the whole path from frame text to both edges;
 * - `decodeToEdge`: the same through the fallback (decodeWsMessage + applyMessage + update).
 * Each has `meanUs` (mean over `iterations` after a warm-up) and `p50Us` / `p99Us` from individually timed
 * calls (the timer itself adds ≈0.05 µs). `gcs` counts garbage collections during the timed mean loop: zero
 * over 200 000 frames means the path allocated nothing the collector had to reclaim. (The benchmarked
 * closures return strings, not doubles, so that the harness itself does not box a number per call; the
 * one GC sometimes seen with `scanApply` comes from `performance.now()`, whose result V8 boxes: 16 bytes a
 * call, which the feed client pays once per frame anyway.)
 */

import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { PerformanceObserver } from "node:perf_hooks";

import { MarketBooks } from "../../hotpath/book/marketBooks.js";
import { EdgeCalculator } from "../../hotpath/edge/edgeCalculator.js";
import { EdgeIdSequence } from "../../hotpath/edge/edgeRecord.js";
import { feeRatesFromBps } from "../../hotpath/edge/feeRates.js";
import { NO_RISK_CAP } from "../../hotpath/edge/riskCap.js";
import { decodeWsMessage } from "../../hotpath/exchange/wire/decode-ws.js";
import type { WsBboMessage, WsL2BookMessage } from "../../hotpath/exchange/wire/ws.js";
import { FrameScanner } from "../../hotpath/feed/frameScanner.js";

const CAPTURE = new URL(
  "../../../shared/hyperliquid/fixtures/hftbacktest-capture/hype_ws_capture_2025-01-12.txt",
  import.meta.url,
);

/** A flat string, as `ws` hands a text frame over (not a slice or a rope of another string). */
function asReceived(text: string): string {
  return Buffer.from(text, "utf8").toString("utf8");
}

function capturedBookFrame(): string {
  const line = readFileSync(CAPTURE, "utf8")
    .split("\n")
    .find((candidate) => candidate.includes('{"channel":"l2Book"'));
  if (line === undefined) throw new Error("no l2Book frame in the capture");
  return asReceived(line.slice(line.indexOf(" ") + 1));
}

const perpFrame = capturedBookFrame();
// The same levels as the spot leg, slightly cheaper, so both directions have depth on every side.
const spotFrame = asReceived(
  perpFrame.replace('"coin":"HYPE"', '"coin":"@107"').replace(/"px":"21\.2/g, '"px":"21.1'),
);
const bboFrame = asReceived(
  '{"channel":"bbo","data":{"coin":"HYPE","time":1736682893900,"bbo":[{"px":"21.278","sz":"42.09","n":1},{"px":"21.305","sz":"100.26","n":2}]}}',
);

const books = new MarketBooks({
  coin: "HYPE",
  perpCoin: "HYPE",
  spotCoin: "@107",
  perpSzDecimals: 2,
  spotSzDecimals: 2,
});
const scanner = new FrameScanner([books.perp, books.spot]);
const calculator = new EdgeCalculator(
  books,
  {
    clipQty: 500, // 5 HYPE: walks several levels on both legs
    fees: feeRatesFromBps({ perpTaker: "4.5", perpMaker: "1.5", spotTaker: "7", spotMaker: "4" }),
    fundingRatePerHour: 0.0000125,
    holdingHours: 8,
    oraclePx: Number.NaN,
    riskCap: NO_RISK_CAP,
  },
  new EdgeIdSequence(),
);

function expectHandled(text: string): void {
  if (scanner.scan(text) !== "handled") throw new Error(`scanner did not handle ${text.slice(0, 80)}`);
  if (books.apply(scanner.frame, performance.now()) !== "applied") throw new Error("book did not apply");
}
expectHandled(perpFrame);
expectHandled(spotFrame);
calculator.update();
if (calculator.perpRich.status !== "ok" || calculator.spotRich.status !== "ok") {
  throw new Error(`edges not ok: ${calculator.perpRich.status} ${calculator.spotRich.status}`);
}

function decoded<T>(text: string): T {
  const result = decodeWsMessage(text);
  if (!result.ok) throw result.error;
  return result.message as T;
}
const perpMessage = decoded<WsL2BookMessage>(perpFrame);
const bboMessage = decoded<WsBboMessage>(bboFrame);

let gcCount = 0;
const gcObserver = new PerformanceObserver((list) => {
  gcCount += list.getEntries().length;
});
gcObserver.observe({ entryTypes: ["gc"] });

let sink: unknown;

interface Result {
  meanUs: number;
  p50Us: number;
  p99Us: number;
  gcs: number;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Lets the observer deliver the GC entries queued during a loop. */
async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 50));
}

/**
 * Mean over `iterations` after a warm-up (counting GCs meanwhile), then p50/p99 from `samples` individually
 * timed calls (whose timer allocates bigints, so they are not GC-counted).
 */
async function measure(iterations: number, samples: number, fn: () => unknown): Promise<Result> {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) sink = fn();
  await settle();
  const gcBefore = gcCount;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink = fn();
  const elapsed = Number(process.hrtime.bigint() - start);
  await settle();
  const gcs = gcCount - gcBefore;
  const times = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const t0 = process.hrtime.bigint();
    sink = fn();
    times[i] = Number(process.hrtime.bigint() - t0);
  }
  times.sort();
  return {
    meanUs: round(elapsed / iterations / 1000),
    p50Us: round(times[Math.floor(samples * 0.5)]! / 1000),
    p99Us: round(times[Math.floor(samples * 0.99)]! / 1000),
    gcs,
  };
}

const frames = [
  ["l2Book20", perpFrame],
  ["bbo", bboFrame],
] as const;

const machine = { node: process.version, cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length };
for (const [name, frame] of frames) {
  const bytes = Buffer.byteLength(frame);
  // The socket hands the hot path a Buffer; scanning it directly is the production path.
  const frameBytes = Buffer.from(frame, "utf8");
  const message = name === "bbo" ? bboMessage : perpMessage;
  const rows: [string, number, () => unknown][] = [
    ["jsonParse", 20_000, (): unknown => JSON.parse(frame)],
    ["decodeWsMessage", 5_000, () => decodeWsMessage(frame)],
    ["scan", 200_000, () => scanner.scanBytes(frameBytes)],
    [
      "scanApply",
      200_000,
      () => {
        scanner.scanBytes(frameBytes);
        return books.apply(scanner.frame, performance.now());
      },
    ],
    [
      "edgeUpdate",
      200_000,
      () => {
        books.sequence += 1; // force a recomputation without touching the books
        calculator.update();
        return calculator.perpRich.status;
      },
    ],
    [
      "frameToEdge",
      200_000,
      () => {
        if (scanner.scanBytes(frameBytes) === "handled") books.apply(scanner.frame, performance.now());
        calculator.update();
        return calculator.spotRich.status;
      },
    ],
    [
      "decodeToEdge",
      5_000,
      () => {
        const result = decodeWsMessage(frame);
        if (result.ok) books.applyMessage(message, performance.now());
        calculator.update();
        return calculator.spotRich.status;
      },
    ],
  ];
  for (const [measurement, iterations, fn] of rows) {
    const result = await measure(iterations, Math.min(iterations, 20_000), fn);
    process.stdout.write(
      `${JSON.stringify({ bench: "book-edge", frame: name, bytes, measurement, iterations, ...result, ...machine })}\n`,
    );
  }
}
gcObserver.disconnect();
if (sink === Symbol.for("never")) console.log(sink);
