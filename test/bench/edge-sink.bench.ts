/**
 * Edge sink benchmark (issue 6, hot-path side): what persisting every edge costs the frame path, how many
 * SQS requests it takes, and what an SQS outage does to both.
 *
 *   npx tsx test/bench/edge-sink.bench.ts [--steady-s 30] [--outage-s 60] [--rate 10000]
 *   (also `npm run bench -- edge-sink`)
 *
 * Edges come from the exchange simulator's market model (`test/sim/core`): 24 000 book frames (`l2Book`
 * and `bbo` of HYPE perp and spot, 70 ms model steps) are generated once, then replayed as Buffers through
 * the real `FramePipeline`, whose sink pushes both directions of every frame into the ring
 * (`pushSkipped`). SQS is fauxqs 1.9.2 in a child process (so its CPU does not land on the measured event
 * loop), reached through an in-process TCP proxy that can refuse connections (the outage).
 *
 * One JSON line per measurement:
 * - `push`: ns per `pushSkipped` / `pushTraded` — mean over 200 000 calls (GCs counted meanwhile), p50/p99
 *   of 20 000 individually timed calls (the timer adds ≈50 ns);
 * - `flusherCost`: main-thread µs per edge of the flusher's work (ring → columns; columns → bytes and the
 *   base64 body) and thread-pool µs per edge of brotli; bytes per edge of the v2 body;
 * - `capacity`: body bytes per edge and edges per 256 KiB message, for simulator edges and for noisy edges
 *   (every value new on every edge: the compression worst case), i.e. the floor of SQS requests per
 *   million edges (one message per request);
 * - `paced`: a real-time run at `--rate` edges/s (frames at rate/2 per second, each handled when due):
 *   per phase, for blocks of 2.5 s with the sink off (frames handled, nothing pushed) and on, alternating
 *   in the same run so that both see the same machine: the frame's wait (due → handled: event-loop
 *   blocking, GC pauses, the flusher's turns; up to 1 ms is the driver's 1 ms timer) and its work (handle +
 *   both pushes), process CPU ms per second (all threads), and the phase's GCs.
 *   Runs: `steady` (SQS up, `--steady-s`), `outage` (SQS up for a quarter, connections refused for half,
 *   up again: `--outage-s`);
 * - `sqs`: per run, edges pushed vs arrived (all received back through the SQS client and decoded: lost,
 *   duplicates), SQS requests per million edges, edges per message, spooled/drained, drops, spool peak,
 *   time from SQS back to the spool drained.
 */

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants as zlibConstants } from "node:zlib";

import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";

import { EdgeIdSequence } from "../../hotpath/edge/edgeRecord.js";
import { FramePipeline, type EdgeSink } from "../../hotpath/feed/framePipeline.js";
import type { MarketFeed } from "../../hotpath/feed/marketFeed.js";
import { FeedMetrics } from "../../hotpath/metrics/feedMetrics.js";
import { createLogger } from "../../hotpath/observability/logger.js";
import {
  DEFAULT_V2_QUALITY,
  SQS_MAX_MESSAGE_BYTES,
  decodeEdgeBatch,
  encodeEdgeColumnsV2,
  packEdgeColumnsV2,
} from "../../hotpath/persistence/edgeBatchCodec.js";
import { EdgeColumns, columnsFromRows, columnsToBytes } from "../../hotpath/persistence/edgeColumnsCodec.js";
import { EdgeRing, performanceEpochClock } from "../../hotpath/persistence/edgeRing.js";
import { startEdgeSink, type EdgeSinkHandle } from "../../hotpath/persistence/edgeSink.js";
import { startTcpProxy, type TcpProxy } from "../lambdas/tcpProxy.js";
import { TEST_BOOT_ID, makeNoisyEdges } from "../persistence/edgeFixtures.js";
import { hypeEdgeFeed, hypeSimulatorFrames } from "../persistence/hypeEdgeFeed.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const REGION = "ap-northeast-1";
const CREDENTIALS = { accessKeyId: "bench", secretAccessKey: "bench" };
const FRAMES = 24_000;

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}
const STEADY_S = argument("steady-s", 30);
const OUTAGE_S = argument("outage-s", 60);
const RATE = argument("rate", 10_000);
/** The paced runs alternate blocks of this many seconds with the sink off and on. */
const BLOCK_S = 2.5;

const machine = { node: process.version, cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length };
function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: "edge-sink", ...line, ...machine })}\n`);
}
const round = (value: number, digits = 3): number => Math.round(value * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------------------------------------------------
// GC accounting

interface GcEntry {
  readonly at: number;
  readonly ms: number;
}
const gcs: GcEntry[] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcs.push({ at: entry.startTime, ms: entry.duration });
});
gcObserver.observe({ entryTypes: ["gc"] });
async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 50));
}
function gcsBetween(from: number, to: number): { count: number; pauseMs: number; maxMs: number } {
  const inside = gcs.filter((gc) => gc.at >= from && gc.at < to);
  return {
    count: inside.length,
    pauseMs: round(
      inside.reduce((sum, gc) => sum + gc.ms, 0),
      1,
    ),
    maxMs: round(
      inside.reduce((max, gc) => Math.max(max, gc.ms), 0),
      2,
    ),
  };
}

// ---------------------------------------------------------------------------------------------------------
// The market: simulator frames through the real pipeline

interface Market {
  readonly feed: MarketFeed;
  readonly ids: EdgeIdSequence;
  /** Handles frame `index` (wrapping around the generated frames) received at `receivedAtMs`. */
  handle(index: number, receivedAtMs: number): void;
}

function market(
  frames: readonly Buffer[],
  sink: (feed: MarketFeed, ids: EdgeIdSequence) => EdgeSink,
): Market {
  const ids = new EdgeIdSequence();
  const feed = hypeEdgeFeed(ids);
  const pipeline = new FramePipeline(
    [feed],
    new FeedMetrics(),
    sink(feed, ids),
    createLogger({ service: "bench", level: "silent" }),
  );
  return {
    feed,
    ids,
    handle: (index, receivedAtMs) => {
      const at = index % frames.length;
      // Replaying the frames again: their exchange times restart, so the books must take them anyway.
      if (at === 0 && index > 0) feed.books.invalidate();
      pipeline.handleBytes(frames[at]!, receivedAtMs);
    },
  };
}

/** Off during the paced runs' "sink off" blocks: frames are handled, nothing is pushed. */
let pushing = true;

const skippedSink =
  (ring: () => EdgeRing): ((feed: MarketFeed) => EdgeSink) =>
  () =>
  (target, receivedAtMs) => {
    if (!pushing) return;
    const edges = target.edges;
    ring().pushSkipped(target, edges.perpRich, receivedAtMs, "belowThreshold");
    ring().pushSkipped(target, edges.spotRich, receivedAtMs, "belowThreshold");
  };

// ---------------------------------------------------------------------------------------------------------
// 1. push

let sinkValue: unknown;

async function benchPush(frames: readonly Buffer[]): Promise<void> {
  const iterations = 200_000;
  const samples = 20_000;
  const warmUp = 20_000;
  const noop: EdgeSink = () => {};
  const m = market(frames, () => noop);
  for (let i = 0; i < 50; i++) m.handle(i, performance.now()); // both books, edges computed
  const feed = m.feed;
  const perpRich = feed.edges.perpRich;
  if (perpRich.status !== "ok") throw new Error(`edge not ok: ${perpRich.status}`);
  const at = performance.now();
  for (const [name, pushInto] of [
    [
      "pushSkipped",
      (ring: EdgeRing, i: number): unknown => ring.pushSkipped(feed, perpRich, at + i, "belowThreshold"),
    ],
    [
      "pushTraded",
      (ring: EdgeRing, i: number): unknown => ring.pushTraded(feed, perpRich, i, at + i, "intent-1"),
    ],
  ] as const) {
    const ring = new EdgeRing(new EdgeIdSequence(), iterations + warmUp + samples + 16);
    const push = (i: number): unknown => pushInto(ring, i);
    for (let i = 0; i < warmUp; i++) sinkValue = push(i);
    await settle();
    const gcBefore = gcs.length;
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) sinkValue = push(i);
    const elapsed = Number(process.hrtime.bigint() - start);
    await settle();
    const gcCount = gcs.length - gcBefore;
    const times = new Float64Array(samples);
    for (let i = 0; i < samples; i++) {
      const t0 = process.hrtime.bigint();
      sinkValue = push(i);
      times[i] = Number(process.hrtime.bigint() - t0);
    }
    times.sort();
    emit({
      measurement: "push",
      call: name,
      iterations,
      meanNs: round(elapsed / iterations, 1),
      p50Ns: times[Math.floor(samples * 0.5)],
      p99Ns: times[Math.floor(samples * 0.99)],
      gcs: gcCount,
      droppedFull: ring.droppedFull,
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// 2. flusher cost, 3. capacity

/** `count` simulator edges, drained from a ring as the flusher drains them. */
function simulatorColumns(frames: readonly Buffer[], count: number, firstFrame = 0): EdgeColumns {
  const ring = new EdgeRing(new EdgeIdSequence(), count + 2);
  const m = market(
    frames,
    skippedSink(() => ring),
  );
  for (let i = firstFrame; ring.size < count; i++) m.handle(i, performance.now());
  const columns = new EdgeColumns(count);
  ring.drainColumns(count, performanceEpochClock, columns);
  return columns;
}

async function benchFlusherCost(frames: readonly Buffer[]): Promise<void> {
  const count = 14_000;
  const warmUpRounds = 5;
  const rounds = 20;
  let drainMs = 0;
  let serializeMs = 0;
  let base64Ms = 0;
  let brotliMs = 0;
  let bytes = 0;
  const ring = new EdgeRing(new EdgeIdSequence(), count);
  const m = market(
    frames,
    skippedSink(() => ring),
  );
  const columns = new EdgeColumns(count);
  let frame = 0;
  for (let r = 0; r < warmUpRounds + rounds; r++) {
    while (ring.size < count) m.handle(frame++, performance.now());
    columns.clear();
    let t0 = performance.now();
    ring.drainColumns(count, performanceEpochClock, columns);
    const drain = performance.now() - t0;
    t0 = performance.now();
    const raw = columnsToBytes(columns);
    const serialize = performance.now() - t0;
    // Synchronously here; the flusher runs it in libuv's thread pool.
    t0 = performance.now();
    const packed = brotliCompressSync(raw, {
      params: {
        [zlibConstants.BROTLI_PARAM_QUALITY]: DEFAULT_V2_QUALITY,
        [zlibConstants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    });
    const brotli = performance.now() - t0;
    t0 = performance.now();
    sinkValue = packed.toString("base64");
    const base64 = performance.now() - t0;
    if (r < warmUpRounds) continue;
    drainMs += drain;
    serializeMs += serialize;
    brotliMs += brotli;
    base64Ms += base64;
    bytes += Buffer.byteLength(await encodeEdgeColumnsV2(TEST_BOOT_ID, columns));
  }
  const edges = count * rounds;
  const us = (ms: number): number => round((ms * 1000) / edges);
  emit({
    measurement: "flusherCost",
    edgesPerMessage: count,
    eventLoopUsPerEdge: { drainColumns: us(drainMs), serialize: us(serializeMs), base64: us(base64Ms) },
    threadPoolUsPerEdge: { brotli: us(brotliMs) },
    bodyBytesPerEdge: round(bytes / edges, 2),
    quality: DEFAULT_V2_QUALITY,
  });
}

async function benchCapacity(frames: readonly Buffer[]): Promise<void> {
  for (const [kind, columns] of [
    ["simulator", simulatorColumns(frames, 40_000)],
    ["noisy", columnsFromRows(makeNoisyEdges(1, 20_000, 3))],
  ] as const) {
    const messages = await packEdgeColumnsV2(TEST_BOOT_ID, columns);
    // Body bytes (base64 included) per edge over all messages: what a 256 KiB request can carry.
    const bytesPerEdge = messages.reduce((sum, message) => sum + message.bytes, 0) / columns.count;
    emit({
      measurement: "capacity",
      edges: kind,
      bodyBytesPerEdge: round(bytesPerEdge, 2),
      edgesPer256KiB: Math.floor(SQS_MAX_MESSAGE_BYTES / bytesPerEdge),
      requestsPerMillionFloor: round(1e6 / (SQS_MAX_MESSAGE_BYTES / bytesPerEdge), 1),
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// 4–6. paced runs

interface Fauxqs {
  readonly port: number;
  readonly queueUrl: string;
  readonly child: ChildProcess;
}

async function startFauxqsChild(): Promise<Fauxqs> {
  const script = `
    import { startFauxqs } from "fauxqs";
    const server = await startFauxqs({ port: 0, logger: false });
    const { queueUrl } = server.createQueue("edges", { attributes: { MaximumMessageSize: "262144" } });
    process.stdout.write(JSON.stringify({ port: server.port, queueUrl }) + "\\n");
    process.on("SIGTERM", () => server.stop().then(() => process.exit(0)));
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buffered = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const newline = buffered.indexOf("\n");
      if (newline >= 0) resolve(buffered.slice(0, newline));
    });
    child.once("exit", (code) => reject(new Error(`fauxqs exited with ${code}`)));
  });
  const { port, queueUrl } = JSON.parse(line) as { port: number; queueUrl: string };
  return { port, queueUrl, child };
}

async function receiveAllIds(fauxqs: Fauxqs): Promise<{ ids: number[]; messages: number }> {
  const client = new SQSClient({
    region: REGION,
    endpoint: `http://127.0.0.1:${fauxqs.port}`,
    credentials: CREDENTIALS,
  });
  const ids: number[] = [];
  let messages = 0;
  for (;;) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: fauxqs.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) break;
    for (const message of Messages) {
      messages += 1;
      for (const edge of decodeEdgeBatch(message.Body ?? "").edges) ids.push(edge.edgeId);
    }
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: fauxqs.queueUrl,
        Entries: Messages.map((message, index) => ({
          Id: `d${index}`,
          ReceiptHandle: message.ReceiptHandle,
        })),
      }),
    );
  }
  client.destroy();
  return { ids, messages };
}

function percentiles(values: Float64Array): { p50: number; p99: number; p999: number; max: number } {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: sorted.at(-1) ?? NaN };
}

interface Phase {
  readonly name: string;
  /** Seconds from the run's start. */
  readonly fromS: number;
  readonly toS: number;
  /** Called once when the phase starts. */
  readonly enter?: () => Promise<void> | void;
}

function stats(values: Float64Array, digits: number): Record<string, number> {
  const p = percentiles(values);
  const us = (ms: number): number => round(ms * 1000, digits);
  return { p50: us(p.p50), p99: us(p.p99), p999: us(p.p999), max: us(p.max) };
}

/**
 * Handles `seconds × RATE / 2` frames, each when due, alternating blocks of `BLOCK_S` with the sink
 * pushing and not (same process, same minute of a shared machine: a fair comparison), and reports per
 * phase and per block kind the frame's wait (due → handled) and work (handle + pushes), in µs.
 */
async function paced(name: string, m: Market, seconds: number, phases: readonly Phase[]): Promise<void> {
  const framesPerS = RATE / 2;
  const total = Math.floor(seconds * framesPerS);
  const wait = new Float64Array(total);
  const work = new Float64Array(total);
  const sinkOn = new Uint8Array(total);
  const start = performance.now();
  const phaseAt: number[] = [];
  let next = 0;
  let phase = 0;
  const failures: unknown[] = [];
  // Process CPU (all threads: the event loop, brotli's pool, the SQS client's I/O) per phase and block kind.
  const cpuMs = phases.map(() => [0, 0]);
  let cpuMark = process.cpuUsage();
  let cpuPhase = 0;
  let cpuKind = 0;
  const chargeCpu = (): void => {
    const used = process.cpuUsage(cpuMark);
    cpuMark = process.cpuUsage();
    cpuMs[cpuPhase]![cpuKind]! += (used.user + used.system) / 1000;
  };
  // A timer callback every millisecond (like a socket's readiness, not a busy loop, so that process CPU
  // means something; not an awaited promise, so that the driver makes little garbage). Frames due in
  // between wait for it: up to 1 ms of each frame's wait is this granularity, sink on or off alike.
  await new Promise<void>((resolve) => {
    const turn = (): void => {
      const now = performance.now();
      while (phase < phases.length && now - start >= phases[phase]!.fromS * 1000) {
        phaseAt.push(now);
        Promise.resolve(phases[phase]!.enter?.()).catch((error: unknown) => failures.push(error));
        phase += 1;
      }
      pushing = Math.floor((now - start) / (BLOCK_S * 1000)) % 2 === 1;
      if ((pushing ? 1 : 0) !== cpuKind || phase - 1 !== cpuPhase) {
        chargeCpu();
        cpuKind = pushing ? 1 : 0;
        cpuPhase = Math.max(0, phase - 1);
      }
      // Frame k is due at start + k / rate: frames 0..floor(elapsed × rate) are due by now.
      const due = Math.min(total, Math.floor(((now - start) * framesPerS) / 1000) + 1);
      while (next < due) {
        const t0 = performance.now();
        wait[next] = t0 - (start + (next * 1000) / framesPerS);
        m.handle(next, t0);
        work[next] = performance.now() - t0;
        sinkOn[next] = pushing ? 1 : 0;
        next += 1;
      }
      if (next < total) setTimeout(turn, 1);
      else resolve();
    };
    setTimeout(turn, 1);
  });
  chargeCpu();
  pushing = true;
  if (failures.length > 0) throw new AggregateError(failures, "a phase change failed");
  phaseAt.push(performance.now());
  for (let p = 0; p < phases.length; p++) {
    const from = Math.floor(phases[p]!.fromS * framesPerS);
    const to = Math.min(total, Math.floor(phases[p]!.toS * framesPerS));
    const select = (on: number, values: Float64Array): Float64Array =>
      values.subarray(from, to).filter((_, i) => sinkOn[from + i] === on);
    const line = (on: number): Record<string, unknown> => ({
      frames: select(on, wait).length,
      cpuMsPerS: round(cpuMs[p]![on]! / (select(on, wait).length / framesPerS), 1),
      waitUs: stats(select(on, wait), 1),
      workUs: stats(select(on, work), 2),
    });
    emit({
      measurement: "paced",
      run: name,
      phase: phases[p]!.name,
      seconds: phases[p]!.toS - phases[p]!.fromS,
      edgesPerS: RATE,
      blockS: BLOCK_S,
      sinkOff: line(0),
      sinkOn: line(1),
      gc: gcsBetween(phaseAt[p]!, phaseAt[p + 1]!),
    });
  }
}

async function sinkRun(
  name: string,
  frames: readonly Buffer[],
  seconds: number,
  phasesFor: (proxy: TcpProxy) => Phase[],
): Promise<void> {
  const fauxqs = await startFauxqsChild();
  const proxy = await startTcpProxy("127.0.0.1", fauxqs.port);
  const spoolDir = await mkdtemp(join(tmpdir(), "hlbasis-bench-spool-"));
  const warnings: string[] = [];
  const logger = createLogger({
    service: "bench",
    level: "info",
    destination: { write: (line: string) => void warnings.push(line) },
  });
  // The sink needs the market's id sequence, the market's frame sink needs the ring: tie the knot.
  const started: { handle?: EdgeSinkHandle } = {};
  const m = market(
    frames,
    skippedSink(() => started.handle!.ring),
  );
  const handle = await startEdgeSink(
    {
      queueUrl: fauxqs.queueUrl,
      region: REGION,
      endpoint: `http://127.0.0.1:${proxy.port}`,
      credentials: CREDENTIALS,
      spoolDir,
    },
    { ids: m.ids, logger },
  );
  started.handle = handle;
  const phases = phasesFor(proxy);
  let spoolPeakBytes = 0;
  const sampler = setInterval(
    () => (spoolPeakBytes = Math.max(spoolPeakBytes, handle.flusher.spoolStats.bytes)),
    100,
  );
  let recoveredAt = Number.NaN;
  let upAt = Number.NaN;
  const watcher = setInterval(() => {
    if (!Number.isNaN(upAt) && Number.isNaN(recoveredAt) && !handle.flusher.spooling)
      recoveredAt = performance.now();
  }, 10);
  const timedPhases = phases.map((phase) =>
    phase.name === "recovered"
      ? {
          ...phase,
          enter: async () => {
            await phase.enter?.();
            upAt = performance.now();
          },
        }
      : phase,
  );
  await paced(name, m, seconds, timedPhases);
  clearInterval(sampler);
  clearInterval(watcher);
  const closeStart = performance.now();
  await handle.close();
  const closeMs = performance.now() - closeStart;
  const { counters } = handle.flusher;
  const { ids, messages } = await receiveAllIds(fauxqs);
  const unique = new Set(ids);
  emit({
    measurement: "sqs",
    run: name,
    edgesPushed: handle.ring.pushed,
    edgesArrived: ids.length,
    distinctArrived: unique.size,
    lost: handle.ring.pushed - unique.size,
    duplicates: ids.length - unique.size,
    messages,
    sqsRequests: counters.sqsRequests,
    sqsRequestErrors: counters.sqsRequestErrors,
    requestsPerMillionEdges: round((counters.sqsRequests / handle.ring.pushed) * 1e6, 1),
    successfulRequestsPerMillionEdges: round(
      ((counters.sqsRequests - counters.sqsRequestErrors) / handle.ring.pushed) * 1e6,
      1,
    ),
    edgesPerMessage: Math.round(ids.length / Math.max(1, messages)),
    spooled: counters.spooled,
    drainedFromSpool: counters.drainedFromSpool,
    dropped: { ringFull: handle.ring.droppedFull, ...counters.dropped },
    ringHighWater: handle.ring.highWater,
    spoolPeakBytes,
    drainAfterUpMs: Number.isNaN(upAt) ? null : round(recoveredAt - upAt, 0),
    closeMs: round(closeMs, 0),
    logLines: warnings.length,
  });
  await proxy.close();
  fauxqs.child.kill("SIGTERM");
  await rm(spoolDir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------------------

const frames = hypeSimulatorFrames(FRAMES);
await benchPush(frames);
await benchFlusherCost(frames);
await benchCapacity(frames);
await sinkRun("steady", frames, STEADY_S, () => [{ name: "sqsUp", fromS: 0, toS: STEADY_S }]);
await sinkRun("outage", frames, OUTAGE_S, (proxy) => [
  { name: "sqsUp", fromS: 0, toS: OUTAGE_S / 4 },
  { name: "sqsDown", fromS: OUTAGE_S / 4, toS: (OUTAGE_S * 3) / 4, enter: () => proxy.down() },
  { name: "recovered", fromS: (OUTAGE_S * 3) / 4, toS: OUTAGE_S, enter: () => proxy.up() },
]);
gcObserver.disconnect();
if (sinkValue === Symbol.for("never")) console.log(sinkValue);
