/**
 * Edge sink under an SQS outage (issue 6: "SQS unavailable for 30 s mid-run: no edge lost, hot-path latency
 * unaffected"): the hot path's feed → books → edges → edge sink push, fed over a real WebSocket, with the
 * real edge sink sending to the SQS emulator, through three phases of `--phase-seconds` each:
 *
 *   sqsUp      SQS reachable;
 *   sqsDown    connections to SQS refused (new ones and the pooled ones cut): the flusher spools;
 *   recovered  SQS reachable again: the spool drains while new edges keep coming.
 *
 *   npx tsx test/bench/edge-sink-outage.bench.ts [--phase-seconds 30] [--rate 10000] [--warmup-seconds 5]
 *   (also `npm run bench -- edge-sink-outage`)
 *
 * Three processes, so that only the hot path's own work lands on the measured event loop:
 * - the feeder (this file, `--role feeder`) replays simulator book frames (`l2Book` and `bbo` of HYPE perp
 *   and spot from `test/sim/core`'s market model, generated once) over a `ws` server on loopback, frame k
 *   due at k / (rate / 2) s (two edges a frame), and records when it sent each;
 * - SQS (`--role sqs`): the emulator of `test/local/sqsEmulator.ts` (fauxqs, the system's `edges` queue)
 *   behind a TCP proxy that takes the outage: `down` cuts every connection and stops listening, `up`
 *   listens again on the same port;
 * - this process: the hot path's `WsConnection` → `FramePipeline` (scanner, books, both edges) → a sink
 *   that pushes both edges into the real edge sink's ring (`startEdgeSink`: flusher, brotli, SQS client,
 *   spool on disk), as the trading process wires it.
 *
 * Per frame: `receiveToEdgeUs` = the socket read callback → both edges pushed (what `/metrics`'
 * receive→edge histogram covers, plus the pushes); `wireToEdgeUs` = the feeder's send → both edges pushed,
 * which adds the time a frame waited in the socket while the event loop was busy elsewhere (the flusher,
 * the SQS client, the spool): the latency the sink could add to the hot path shows there. Frames are
 * assigned to phases by their send time. Both processes read the same clock
 * (`performance.timeOrigin + performance.now()`, µs resolution).
 *
 * Prints one JSON line per phase (`{"bench":"edge-sink-outage","phase",…,"receiveToEdgeUs":{p50,p99,p999,
 * max},"wireToEdgeUs":{…},"sqs":{…},"gc":{…},"cpuMsPerS",…}`) and a final `{"phase":"total",…}` line with
 * edges pushed, received back from SQS (every message received and decoded after the run), lost (must be
 * 0), duplicates, drops and the time from SQS back to the spool drained. Exits non-zero if an edge was lost.
 * Results: docs/benchmarks.md, "Edge sink under SQS outage".
 */

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { type WebSocket, WebSocketServer } from "ws";

import { EdgeIdSequence } from "../../hotpath/edge/edgeRecord.js";
import { FramePipeline } from "../../hotpath/feed/framePipeline.js";
import type { MarketFeed } from "../../hotpath/feed/marketFeed.js";
import { WsConnection } from "../../hotpath/feed/wsConnection.js";
import { FeedMetrics } from "../../hotpath/metrics/feedMetrics.js";
import { createLogger } from "../../hotpath/observability/logger.js";
import { decodeEdgeBatch } from "../../hotpath/persistence/edgeBatchCodec.js";
import type { EdgeSinkCounters } from "../../hotpath/persistence/edgeSinkMetrics.js";
import { startEdgeSink, type EdgeSinkHandle } from "../../hotpath/persistence/edgeSink.js";
import { startTcpProxy } from "../lambdas/tcpProxy.js";
import { LOCAL_SQS_CREDENTIALS, startLocalSqs } from "../local/sqsEmulator.js";
import { hypeEdgeFeed, hypeSimulatorFrames } from "../persistence/hypeEdgeFeed.js";

const SELF = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FRAMES = 24_000;

const { values: args } = parseArgs({
  options: {
    role: { type: "string", default: "main" },
    "phase-seconds": { type: "string", default: "30" },
    "warmup-seconds": { type: "string", default: "5" },
    rate: { type: "string", default: "10000" },
    // Feeder only: where to write the send times.
    "sent-file": { type: "string" },
  },
});
const PHASE_S = Number(args["phase-seconds"]);
const WARMUP_S = Number(args["warmup-seconds"]);
const RATE = Number(args.rate);
const FRAMES_PER_S = RATE / 2;
if (!(PHASE_S > 0 && WARMUP_S >= 0 && RATE > 0)) {
  throw new Error("--phase-seconds and --rate must be positive, --warmup-seconds not negative");
}

/** Wall-clock epoch ms with µs resolution, comparable across processes on this machine. */
const epochMs = (): number => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------------------------------------------------
// Child processes: line-delimited JSON on stdout, commands on stdin.

interface Child {
  readonly process: ChildProcess;
  /** The next line the child prints, parsed. */
  next<T>(): Promise<T>;
  command(line: string): void;
}

function startChild(role: string, extra: readonly string[] = []): Child {
  const child = spawn(process.execPath, ["--import", "tsx", SELF, "--role", role, ...extra], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    const waiter = waiting.shift();
    if (waiter) waiter(line);
    else lines.push(line);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`${role} process exited with ${code}`))),
  );
  exited.catch(() => undefined);
  return {
    process: child,
    next: <T>() => {
      const line = lines.shift();
      const read =
        line === undefined ? new Promise<string>((resolve) => waiting.push(resolve)) : Promise.resolve(line);
      return Promise.race([read, exited]).then((text) => JSON.parse(text) as T);
    },
    command: (line) => child.stdin.write(`${line}\n`),
  };
}

function commands(handle: (command: string) => Promise<void>): void {
  createInterface({ input: process.stdin }).on("line", (line) => {
    handle(line.trim()).catch((error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    });
  });
}

/** SQS: the emulator's queues behind a proxy that takes the outage. */
async function runSqsRole(): Promise<void> {
  const sqs = await startLocalSqs();
  const port = Number(new URL(sqs.endpoint).port);
  const proxy = await startTcpProxy("127.0.0.1", port);
  const reply = (line: Record<string, unknown>): boolean => process.stdout.write(`${JSON.stringify(line)}\n`);
  reply({
    endpoint: sqs.endpoint,
    proxyEndpoint: `http://127.0.0.1:${proxy.port}`,
    queueUrl: sqs.queues.edges.url,
    region: sqs.region,
  });
  // Every reply carries this process's CPU so far: its share of the two cores is not the hot path's.
  const cpuMs = (): number => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  commands(async (command) => {
    if (command === "down") await proxy.down();
    else if (command === "up") await proxy.up();
    else if (command === "stop") {
      await proxy.close();
      await sqs.stop();
      reply({ ack: command });
      process.exit(0);
    }
    reply({ ack: command, cpuMs: cpuMs() });
  });
}

/** The feeder: paced simulator frames over a WebSocket; writes each frame's send time to `--sent-file`. */
async function runFeederRole(): Promise<void> {
  const sentFile = args["sent-file"];
  if (sentFile === undefined) throw new Error("--role feeder needs --sent-file");
  const frames = hypeSimulatorFrames(FRAMES);
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("feeder did not report a port");
  const connected = new Promise<WebSocket>((resolve) => server.once("connection", resolve));
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
  const socket = await connected;
  commands(async (command) => {
    const match = /^go (\d+(?:\.\d+)?)$/.exec(command);
    if (!match) return;
    const total = Math.floor(Number(match[1]) * FRAMES_PER_S);
    const sent = new Float64Array(total);
    const start = performance.now();
    let next = 0;
    // Frame k is due at start + k / FRAMES_PER_S; a 1 ms timer sends those due (not a busy loop: this
    // process shares the machine's two cores with the measured one).
    await new Promise<void>((resolve) => {
      const turn = (): void => {
        const due = Math.min(total, Math.floor(((performance.now() - start) * FRAMES_PER_S) / 1000) + 1);
        while (next < due) {
          sent[next] = epochMs();
          socket.send(frames[next % FRAMES]!, { binary: false });
          next += 1;
        }
        if (next < total) setTimeout(turn, 1);
        else resolve();
      };
      setTimeout(turn, 1);
    });
    await writeFile(sentFile, new Uint8Array(sent.buffer));
    process.stdout.write(`${JSON.stringify({ sent: total })}\n`);
  });
}

// ---------------------------------------------------------------------------------------------------------
// The hot path

function hotPathMarket(ids: EdgeIdSequence): MarketFeed {
  return hypeEdgeFeed(ids);
}

function percentiles(values: Float64Array): { p50: number; p99: number; p999: number; max: number } {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN;
  const us = (ms: number): number => Math.round(ms * 10_000) / 10; // ms → µs, 0.1 µs
  return { p50: us(at(0.5)), p99: us(at(0.99)), p999: us(at(0.999)), max: us(sorted.at(-1) ?? NaN) };
}

interface GcEntry {
  readonly at: number;
  readonly ms: number;
}

function counterSnapshot(counters: EdgeSinkCounters): Record<string, number> {
  return {
    sent: counters.sent,
    spooled: counters.spooled,
    drainedFromSpool: counters.drainedFromSpool,
    sqsRequests: counters.sqsRequests,
    sqsRequestErrors: counters.sqsRequestErrors,
  };
}

async function receiveAllIds(
  client: SQSClient,
  queueUrl: string,
): Promise<{ ids: number[]; messages: number }> {
  const ids: number[] = [];
  let messages = 0;
  for (;;) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return { ids, messages };
    for (const message of Messages) {
      messages += 1;
      for (const edge of decodeEdgeBatch(message.Body ?? "").edges) ids.push(edge.edgeId);
    }
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, index) => ({
          Id: `d${index}`,
          ReceiptHandle: message.ReceiptHandle,
        })),
      }),
    );
  }
}

async function runMain(): Promise<void> {
  const machine = { node: process.version, cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length };
  const emit = (line: Record<string, unknown>): void => {
    process.stdout.write(`${JSON.stringify({ bench: "edge-sink-outage", ...line, ...machine })}\n`);
  };
  const workDir = await mkdtemp(join(tmpdir(), "hlbasis-outage-bench-"));
  const sentFile = join(workDir, "sent.f64");
  const sqsChild = startChild("sqs");
  const feeder = startChild("feeder", ["--rate", String(RATE), "--sent-file", sentFile]);
  let sink: EdgeSinkHandle | undefined;
  let connection: WsConnection | undefined;
  try {
    const sqs = await sqsChild.next<{
      endpoint: string;
      proxyEndpoint: string;
      queueUrl: string;
      region: string;
    }>();
    const { port } = await feeder.next<{ port: number }>();

    const totalS = WARMUP_S + 3 * PHASE_S;
    const totalFrames = Math.floor(totalS * FRAMES_PER_S);
    const received = new Float64Array(totalFrames).fill(Number.NaN);
    const handled = new Float64Array(totalFrames).fill(Number.NaN);
    const pushedEdges = new Uint8Array(totalFrames);

    const ids = new EdgeIdSequence();
    const feed = hotPathMarket(ids);
    const logLines: string[] = [];
    const logger = createLogger({
      service: "bench",
      level: "info",
      destination: { write: (line: string) => void logLines.push(line) },
    });
    sink = await startEdgeSink(
      {
        queueUrl: sqs.queueUrl,
        region: sqs.region,
        endpoint: sqs.proxyEndpoint,
        credentials: LOCAL_SQS_CREDENTIALS,
        spoolDir: join(workDir, "spool"),
      },
      { ids, logger },
    );
    const ring = sink.ring;
    let frame = 0;
    const pipeline = new FramePipeline(
      [feed],
      new FeedMetrics(),
      (market, receivedAtMs) => {
        // As the trading process's sink does for an edge it does not trade: both directions, every frame.
        ring.pushSkipped(market, market.edges.perpRich, receivedAtMs, "belowThreshold");
        ring.pushSkipped(market, market.edges.spotRich, receivedAtMs, "belowThreshold");
        pushedEdges[frame] = 2;
      },
      createLogger({ service: "bench", level: "silent" }),
    );
    let allReceived: () => void = () => {};
    const everyFrame = new Promise<void>((resolve) => (allReceived = resolve));
    const opened = new Promise<void>((resolve, reject) => {
      connection = new WsConnection(
        `ws://127.0.0.1:${port}`,
        {
          open: () => {
            feed.breaker.connectedAt();
            resolve();
          },
          text: (bytes, start, end) => {
            const receivedAt = performance.now();
            const index = frame;
            if (index >= totalFrames) return;
            // The feeder loops over its frames: their exchange times restart, the books must take them.
            if (index % FRAMES === 0 && index > 0) feed.books.invalidate();
            pipeline.handleRange(bytes, start, end, receivedAt);
            const done = performance.now();
            received[index] = performance.timeOrigin + receivedAt;
            handled[index] = performance.timeOrigin + done;
            frame = index + 1;
            if (frame === totalFrames) allReceived();
          },
          binary: () => {},
          error: (error) => reject(error),
          close: () => {},
        },
        { maxMessageBytes: 4 * 1024 * 1024, handshakeTimeoutMs: 5_000 },
      );
    });
    await opened;

    const gcs: GcEntry[] = [];
    const gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) gcs.push({ at: epochMs(), ms: entry.duration });
    });
    gcObserver.observe({ entryTypes: ["gc"] });

    // Phase changes, by the wall clock: [start of sqsUp, of sqsDown, of recovered, end].
    const marks: number[] = [];
    const counterMarks: Record<string, number>[] = [];
    const cpuMarks: NodeJS.CpuUsage[] = [];
    const loadMarks: number[] = [];
    const mark = (): void => {
      marks.push(epochMs());
      loadMarks.push(Math.round(loadavg()[0]! * 100) / 100);
      counterMarks.push(counterSnapshot(sink!.flusher.counters));
      cpuMarks.push(process.cpuUsage());
    };
    let spoolPeakBytes = 0;
    const sampler = setInterval(() => {
      spoolPeakBytes = Math.max(spoolPeakBytes, sink!.flusher.spoolStats.bytes);
    }, 100);
    let upAt = Number.NaN;
    let drainedAt = Number.NaN;
    const drainWatch = setInterval(() => {
      if (!Number.isNaN(upAt) && Number.isNaN(drainedAt) && !sink!.flusher.spooling) drainedAt = epochMs();
    }, 10);
    const sleep = (s: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, s * 1000));

    // The SQS process's CPU at each mark (it answers every command with it).
    const sqsCpuMarks: number[] = [];
    const sqsCommand = async (command: string): Promise<void> => {
      sqsChild.command(command);
      sqsCpuMarks.push((await sqsChild.next<{ cpuMs: number }>()).cpuMs);
    };
    const feederDone = feeder.next<{ sent: number }>();
    feeder.command(`go ${totalS}`);
    await sleep(WARMUP_S);
    await sqsCommand("cpu");
    mark();
    await sleep(PHASE_S);
    await sqsCommand("down");
    mark();
    await sleep(PHASE_S);
    await sqsCommand("up");
    mark();
    upAt = epochMs();
    await Promise.all([feederDone, everyFrame]);
    await sqsCommand("cpu");
    mark();
    clearInterval(sampler);
    gcObserver.disconnect();
    const sent = new Float64Array((await readFile(sentFile)).buffer.slice(0));
    if (sent.length !== totalFrames) throw new Error(`feeder sent ${sent.length} of ${totalFrames} frames`);

    /** Latencies of the frames sent in [from, to). */
    const latencies = (from: number, to: number) => {
      const receiveToEdge: number[] = [];
      const wireToEdge: number[] = [];
      let edges = 0;
      for (let i = 0; i < totalFrames; i++) {
        if (!(sent[i]! >= from && sent[i]! < to)) continue;
        wireToEdge.push(handled[i]! - sent[i]!);
        receiveToEdge.push(handled[i]! - received[i]!);
        edges += pushedEdges[i]!;
      }
      return {
        frames: receiveToEdge.length,
        edgesPushed: edges,
        receiveToEdgeUs: percentiles(Float64Array.from(receiveToEdge)),
        wireToEdgeUs: percentiles(Float64Array.from(wireToEdge)),
      };
    };
    const phases = ["sqsUp", "sqsDown", "recovered"] as const;
    for (let p = 0; p < phases.length; p++) {
      const from = marks[p]!;
      const to = marks[p + 1]!;
      const before = counterMarks[p]!;
      const after = counterMarks[p + 1]!;
      const delta = Object.fromEntries(
        Object.entries(after).map(([key, value]) => [key, value - before[key]!]),
      );
      const cpu = process.cpuUsage(cpuMarks[p]);
      const cpuNext = process.cpuUsage(cpuMarks[p + 1]);
      const cpuMs = (cpu.user + cpu.system - (cpuNext.user + cpuNext.system)) / 1000;
      const inside = gcs.filter((gc) => gc.at >= from && gc.at < to);
      emit({
        phase: phases[p],
        seconds: Math.round(to - from) / 1000,
        loadAvg1mAtEnd: loadMarks[p + 1],
        edgesPerS: RATE,
        ...latencies(from, to),
        sqs: delta,
        cpuMsPerS: Math.round((cpuMs / ((to - from) / 1000)) * 10) / 10,
        sqsProcessCpuMsPerS:
          Math.round(((sqsCpuMarks[p + 1]! - sqsCpuMarks[p]!) / ((to - from) / 1000)) * 10) / 10,
        gc: {
          count: inside.length,
          pauseMs: Math.round(inside.reduce((sum, gc) => sum + gc.ms, 0) * 10) / 10,
          maxMs: Math.round(inside.reduce((max, gc) => Math.max(max, gc.ms), 0) * 100) / 100,
        },
      });
    }

    // The recovered phase split where the spool finished draining: the drain sends the backlog on top of
    // the live edges, so its seconds are where sending could weigh on the event loop.
    if (!Number.isNaN(drainedAt)) {
      for (const [part, from, to] of [
        ["recovered.draining", marks[2]!, drainedAt],
        ["recovered.drained", drainedAt, marks[3]!],
      ] as const) {
        emit({ phase: part, seconds: Math.round(to - from) / 1000, edgesPerS: RATE, ...latencies(from, to) });
      }
    }

    // Everything still in the ring or the spool goes out before the count.
    await sink.close();
    clearInterval(drainWatch);
    const closed = sink;
    sink = undefined;
    // Straight to the emulator, not through the proxy.
    const client = new SQSClient({
      endpoint: sqs.endpoint,
      region: sqs.region,
      credentials: LOCAL_SQS_CREDENTIALS,
    });
    const { ids: arrived, messages } = await receiveAllIds(client, sqs.queueUrl);
    client.destroy();
    const distinct = new Set(arrived);
    const { counters } = closed.flusher;
    const lost = closed.ring.pushed - distinct.size;
    emit({
      phase: "total",
      seconds: Math.round(marks[3]! - marks[0]!) / 1000,
      loadAvg1m: loadMarks,
      edgesPushed: closed.ring.pushed,
      edgesArrived: arrived.length,
      lost,
      duplicates: arrived.length - distinct.size,
      messages,
      dropped: { ringFull: closed.ring.droppedFull, ...counters.dropped },
      spooled: counters.spooled,
      drainedFromSpool: counters.drainedFromSpool,
      spoolPeakBytes,
      drainAfterUpMs: Number.isNaN(drainedAt) ? null : Math.round(drainedAt - upAt),
      sqsRequests: counters.sqsRequests,
      sqsRequestErrors: counters.sqsRequestErrors,
      warmupSeconds: WARMUP_S,
      logLines: logLines.length,
    });
    if (lost !== 0) process.exitCode = 1;
  } finally {
    connection?.terminate();
    await sink?.close();
    feeder.process.kill("SIGTERM");
    sqsChild.command("stop");
    await new Promise((resolve) => sqsChild.process.once("exit", resolve));
    await rm(workDir, { recursive: true, force: true });
  }
}

if (args.role === "sqs") await runSqsRole();
else if (args.role === "feeder") await runFeederRole();
else await runMain();
