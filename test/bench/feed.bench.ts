/**
 * Feed hot-path benchmark: CPU per `l2Book` message through the real hot path (ws@8 → frame scanner →
 * books → edges, `FramePipeline`) against a baseline on the same stream (`ws` with default options →
 * `JSON.parse` → a top-of-book basis), each in its own process.
 *
 *   npm run bench:feed -- [--ws <url> --info <url>] [--n <messages>] [--coin HYPE] [--runtime tsx]
 *                         [--book-scan decisionDepth|full]
 *
 * The hot path parses each book side as deep as the process would with the default configuration's risk
 * limits (`feed.bookScan` `decisionDepth`, `hotpath/feed/scanDepth.ts`); `--book-scan full` parses and
 * validates every level, as `HLB_FEED_BOOK_SCAN=full` does.
 *
 * Without `--ws`, the simulator runs in stress mode in a child process (`test/sim/cli.ts --rate stress`):
 * 20-level `l2Book` snapshots of the perp and the spot pair as fast as the socket drains. Each phase warms
 * up on `--n / 5` messages (at most 20 000), then measures `--n`: wall time, process CPU (user + system,
 * `process.cpuUsage`), RSS at the end, and receive → edge latency per message (HdrHistogram, µs).
 *
 * Both phases run as production would: compiled JavaScript on plain `node`. The parent bundles this file
 * with `esbuild` (hot-path modules inlined, npm packages left as imports) into `node_modules/.cache/`, so
 * that the bundle resolves the same packages, and runs each phase from it. The `tsx` loader alone costs
 * ≈ 50 MB of RSS and would dominate the RSS figure; `--runtime tsx` runs the phases under it instead.
 *
 * Prints one JSON line per phase (`{"phase","msgs","edges","wall_ms","msgs_per_s","cpu_us_per_msg",
 * "rss_mb","p50_us","p99_us","runtime"}`) and a final `{"ratio_cpu":baseline/hotpath, …}` line.
 */

import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import type WebSocket from "ws";

import { loadMarkets } from "../../hotpath/app/marketSetup.js";
import { MarketBooks } from "../../hotpath/book/marketBooks.js";
import { EdgeIdSequence } from "../../hotpath/edge/edgeRecord.js";
import { feeRatesFromBps } from "../../hotpath/edge/feeRates.js";
import { NO_RISK_CAP } from "../../hotpath/edge/riskCap.js";
import { clipQtyOf } from "../../hotpath/edge/edgeParams.js";
import { ExchangeHttpClient } from "../../hotpath/exchange/http/httpClient.js";
import { FramePipeline } from "../../hotpath/feed/framePipeline.js";
import { WsConnection } from "../../hotpath/feed/wsConnection.js";
import { MarketFeed } from "../../hotpath/feed/marketFeed.js";
import { FULL_MARKET_DEPTH, marketScanDepthOf } from "../../hotpath/feed/scanDepth.js";
import { loadConfig } from "../../hotpath/config/index.js";
import { FeedMetrics } from "../../hotpath/metrics/feedMetrics.js";
import { LatencyHistogram } from "../../hotpath/metrics/latencyHistogram.js";
import { createLogger } from "../../hotpath/observability/logger.js";

// Meaningful in the parent only (run from `test/bench/`); the phases, which may run from a bundle, use
// neither.
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SELF = fileURLToPath(import.meta.url);
/** Inside the project's `node_modules`, so that the bundle's package imports resolve as the sources' do. */
const BUNDLE_DIR = join(ROOT, "node_modules", ".cache", "hlbasis-bench");

type Runtime = "compiled" | "tsx";

interface Args {
  ws: string | undefined;
  info: string | undefined;
  n: number;
  coin: string;
  phase: "hotpath" | "baseline" | undefined;
  runtime: Runtime;
  bookScan: "decisionDepth" | "full";
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    ws: undefined,
    info: undefined,
    n: 200_000,
    coin: "HYPE",
    phase: undefined,
    runtime: "compiled",
    bookScan: "decisionDepth",
  };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--ws") args.ws = value;
    else if (flag === "--info") args.info = value;
    else if (flag === "--n") args.n = Number(value);
    else if (flag === "--coin") args.coin = value;
    else if (flag === "--phase" && (value === "hotpath" || value === "baseline")) args.phase = value;
    else if (flag === "--runtime" && (value === "compiled" || value === "tsx")) args.runtime = value;
    else if (flag === "--book-scan" && (value === "decisionDepth" || value === "full")) args.bookScan = value;
    else
      throw new Error(
        `unknown flag ${flag} (known: --ws, --info, --n, --coin, --runtime compiled|tsx, ` +
          "--book-scan decisionDepth|full)",
      );
  }
  if (!(Number.isInteger(args.n) && args.n > 0)) throw new Error(`--n must be a positive integer`);
  return args;
}

interface PhaseResult {
  phase: string;
  msgs: number;
  edges: number;
  wall_ms: number;
  msgs_per_s: number;
  cpu_us_per_msg: number;
  /** The kernel's share (socket reads) of `cpu_us_per_msg`. */
  cpu_sys_us_per_msg: number;
  rss_mb: number;
  p50_us: number;
  p99_us: number;
  runtime: string;
}

/**
 * Counts messages and measures the `n` after the warm-up: call `counted()` after each message is handled;
 * `done` resolves with the result and `finish` is called once, to close the socket.
 */
function measurement(
  phase: string,
  n: number,
  latency: LatencyHistogram,
  edges: () => number,
  finish: () => void,
): { counted: () => void; done: Promise<Omit<PhaseResult, "runtime">> } {
  const warmup = Math.min(20_000, Math.floor(n / 5));
  let seen = 0;
  let startWall = 0;
  let startCpu = process.cpuUsage();
  let startEdges = 0;
  let resolveDone: (result: Omit<PhaseResult, "runtime">) => void = () => {};
  const done = new Promise<Omit<PhaseResult, "runtime">>((resolve) => (resolveDone = resolve));
  const counted = (): void => {
    seen += 1;
    if (seen === warmup) {
      latency.reset();
      startEdges = edges();
      startWall = performance.now();
      startCpu = process.cpuUsage();
    } else if (seen === warmup + n) {
      const cpu = process.cpuUsage(startCpu);
      const wall = performance.now() - startWall;
      finish();
      resolveDone({
        phase,
        msgs: n,
        edges: edges() - startEdges,
        wall_ms: Math.round(wall),
        msgs_per_s: Math.round((n / wall) * 1000),
        cpu_us_per_msg: Number(((cpu.user + cpu.system) / n).toFixed(3)),
        cpu_sys_us_per_msg: Number((cpu.system / n).toFixed(3)),
        rss_mb: Number((process.memoryUsage().rss / 1024 / 1024).toFixed(1)),
        p50_us: latency.percentile(50),
        p99_us: latency.percentile(99),
      });
    }
  };
  return { counted, done };
}

function subscribeMessages(coins: readonly string[]): string[] {
  return coins.map((coin) => JSON.stringify({ method: "subscribe", subscription: { type: "l2Book", coin } }));
}

function subscribe(socket: WebSocket, coins: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.once("open", () => {
      for (const message of subscribeMessages(coins)) socket.send(message);
      resolve();
    });
  });
}

async function runHotpath(args: Args & { ws: string; info: string }): Promise<Omit<PhaseResult, "runtime">> {
  const http = new ExchangeHttpClient({ infoUrl: args.info, exchangeUrl: args.info });
  const [market] = await loadMarkets(http, [args.coin]);
  const books = MarketBooks.forMarket(market!);
  const feed = MarketFeed.create(
    books,
    {
      clipQty: clipQtyOf("1", books.scales),
      fees: feeRatesFromBps({ perpTaker: "4.5", perpMaker: "1.5", spotTaker: "7", spotMaker: "4" }),
      fundingRatePerHour: 0,
      holdingHours: 8,
      oraclePx: Number.NaN,
      riskCap: NO_RISK_CAP,
    },
    new EdgeIdSequence(),
    { staleAfterMs: 2000, maxLegSkewMs: 500 },
    "startup",
    // As the process runs: the default configuration's limits bound how deep each side is parsed.
    args.bookScan === "full"
      ? FULL_MARKET_DEPTH
      : marketScanDepthOf(loadConfig({ env: {}, argv: [] }).risk, books.scales),
  );
  const metrics = new FeedMetrics();
  const pipeline = new FramePipeline(
    [feed],
    metrics,
    () => {},
    createLogger({ service: "bench", level: "warn" }),
  );
  // The feed client's transport and options (`FeedClient`), handing ranges of its read buffer over.
  const { counted, done } = measurement(
    "hotpath",
    args.n,
    metrics.receiveToEdgeUs,
    () => metrics.edgesPerpRich + metrics.edgesSpotRich,
    () => socket.terminate(),
  );
  const socket: WsConnection = new WsConnection(
    args.ws,
    {
      open: () => {
        for (const message of subscribeMessages([books.perp.coin, books.spot.coin])) socket.send(message);
        feed.breaker.connectedAt();
      },
      text: (bytes, start, end) => {
        pipeline.handleRange(bytes, start, end, performance.now());
        counted();
      },
      binary: () => {},
      error: (error) => process.stderr.write(`hot path socket: ${error.message}\n`),
      close: () => {},
    },
    { maxMessageBytes: 4 * 1024 * 1024, handshakeTimeoutMs: 5_000 },
  );
  const result = await done;
  if (metrics.parseErrors > 0 || metrics.scannerFallback > 0) {
    process.stderr.write(
      `hot path: ${metrics.parseErrors} parse errors, ${metrics.scannerFallback} fallbacks\n`,
    );
  }
  return result;
}

interface TopLevel {
  px: string;
}
interface BookFrame {
  channel: string;
  data: { coin: string; levels: [TopLevel[], TopLevel[]] };
}

/** What a straightforward client does: default `ws`, `JSON.parse`, a touch-to-touch basis in doubles. */
async function runBaseline(args: Args & { ws: string; info: string }): Promise<Omit<PhaseResult, "runtime">> {
  const http = new ExchangeHttpClient({ infoUrl: args.info, exchangeUrl: args.info });
  const [market] = await loadMarkets(http, [args.coin]);
  const perpCoin = market!.perp.coin;
  const spotCoin = market!.spot.wsCoin;
  // Loaded here only: the hot-path phase must not pay `ws`'s memory (≈15 MB of RSS with its native addons).
  const { default: WebSocketClient } = await import("ws");
  const socket = new WebSocketClient(args.ws);
  await subscribe(socket, [perpCoin, spotCoin]);
  const latency = new LatencyHistogram();
  const top = { perpBid: Number.NaN, perpAsk: Number.NaN, spotBid: Number.NaN, spotAsk: Number.NaN };
  let edges = 0;
  let sink = 0;
  const { counted, done } = measurement(
    "baseline",
    args.n,
    latency,
    () => edges,
    () => socket.terminate(),
  );
  socket.on("message", (data: Buffer) => {
    const receivedAtMs = performance.now();
    const frame = JSON.parse(data.toString()) as BookFrame;
    counted();
    if (frame.channel !== "l2Book") return;
    const [bids, asks] = frame.data.levels;
    const bid = Number(bids[0]?.px);
    const ask = Number(asks[0]?.px);
    if (frame.data.coin === perpCoin) {
      top.perpBid = bid;
      top.perpAsk = ask;
    } else if (frame.data.coin === spotCoin) {
      top.spotBid = bid;
      top.spotAsk = ask;
    } else {
      return;
    }
    // perpRich and spotRich gross basis at the touch, less taker fees on both legs.
    const perpRich = ((top.perpBid - top.spotAsk) / top.spotAsk) * 10_000 - 11.5;
    const spotRich = ((top.spotBid - top.perpAsk) / top.perpAsk) * 10_000 - 11.5;
    if (!Number.isNaN(perpRich + spotRich)) {
      edges += 2;
      sink += perpRich > spotRich ? 1 : 0;
    }
    latency.record((performance.now() - receivedAtMs) * 1000);
  });
  const result = await done;
  if (sink < 0) process.stderr.write("unreachable\n");
  return result;
}

async function startStressSimulator(): Promise<{ ws: string; info: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/sim/cli.ts", "--port", "0", "--rate", "stress", "--seed", "1"],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  while (!stdout.includes("\n")) {
    if (child.exitCode !== null) throw new Error(`simulator exited ${child.exitCode}: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const { ws, info } = JSON.parse(stdout.split("\n")[0] ?? "") as { ws: string; info: string };
  return { ws, info, stop: () => child.kill("SIGTERM") };
}

/** Bundles this file for plain `node`; returns the bundle's path. */
async function compileSelf(): Promise<string> {
  const { build } = await import("esbuild");
  await mkdir(BUNDLE_DIR, { recursive: true });
  const outfile = join(BUNDLE_DIR, "feed.bench.mjs");
  await build({
    entryPoints: [SELF],
    outfile,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
  });
  return outfile;
}

function runPhase(
  phase: "hotpath" | "baseline",
  args: Args & { ws: string; info: string },
  bundle: string | undefined,
): Promise<PhaseResult> {
  const entry = bundle === undefined ? ["--import", "tsx", SELF] : [bundle];
  const runtime = bundle === undefined ? "tsx" : "node (esbuild bundle)";
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...entry,
        "--phase",
        phase,
        "--ws",
        args.ws,
        "--info",
        args.info,
        "--n",
        String(args.n),
        "--coin",
        args.coin,
        "--book-scan",
        args.bookScan,
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`${phase} phase exited ${code}`));
      else resolve({ ...(JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as PhaseResult), runtime });
    });
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.phase !== undefined) {
    if (args.ws === undefined || args.info === undefined) throw new Error("--phase needs --ws and --info");
    const target = { ...args, ws: args.ws, info: args.info };
    const result = args.phase === "hotpath" ? await runHotpath(target) : await runBaseline(target);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  if ((args.ws === undefined) !== (args.info === undefined))
    throw new Error("give both --ws and --info, or neither");
  const sim = args.ws === undefined ? await startStressSimulator() : undefined;
  const target = { ...args, ws: args.ws ?? sim!.ws, info: args.info ?? sim!.info };
  try {
    const bundle = args.runtime === "compiled" ? await compileSelf() : undefined;
    const hot = await runPhase("hotpath", target, bundle);
    process.stdout.write(`${JSON.stringify(hot)}\n`);
    const base = await runPhase("baseline", target, bundle);
    process.stdout.write(`${JSON.stringify(base)}\n`);
    process.stdout.write(
      `${JSON.stringify({
        ratio_cpu: Number((base.cpu_us_per_msg / hot.cpu_us_per_msg).toFixed(2)),
        target_ratio: 5,
        met: base.cpu_us_per_msg / hot.cpu_us_per_msg >= 5 && hot.rss_mb <= 80,
        node: process.versions.node,
        runtime: hot.runtime,
        source: sim === undefined ? target.ws : "simulator --rate stress (child process)",
      })}\n`,
    );
  } finally {
    sim?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
