/**
 * Tick-to-wire benchmark: from a book frame's arrival to both legs of the order it causes written to the
 * order socket, through the real code — the frame pipeline (scan, book, breaker, edge), the executor's sink
 * (`decide`), the intent journal (`appendIntent`, per mode), signing (one EIP-712 `order` action with both
 * legs), and the write of the `post` on the executor's own WebSocket to the exchange simulator. Run:
 * `npx tsx test/bench/tick-to-wire.bench.ts` (or `npm run bench -- tick-to-wire`).
 *
 * Each iteration hands the pipeline a perp and a spot `l2Book` frame (wire bytes, built before timing)
 * whose basis is far above the open threshold: the spot frame makes the executor trade. The prices are away
 * from the simulator's own book so both IOC legs are refused (nothing fills, nothing accumulates); the
 * iteration waits for the answer before the next one, so every intent is measured on a quiet socket.
 * The timestamps are the executor's own latency histograms (`ExecutionLatency`), reset after a warm-up:
 * - `receiveToSink`: the frame's arrival (stamped just before `handleBytes`, as the feed client does) → the
 *   executor's sink: scan, book, breaker, edge;
 * - `sinkToDecided` (decide, both directions: the first trades), `decidedToJournaled` (edge record, ids,
 *   nonce, intent, `appendIntent`), `journaledToSigned`, `signedToWritten`, `tickToWire` (the total).
 * Plus `hot.*`: the scanner, `decide` and signing called back to back (what they cost with warm caches),
 * and the
 * skip path: a million frames through pipeline and executor when nothing trades, against the same pipeline
 * with a sink that does nothing (ns per frame, GCs during the run: the executor's per-frame work must
 * allocate nothing).
 *
 * Prints one JSON line per mode and stage, µs, plus the two extra rows.
 */

// First: V8 tiering as the hot path process has it (before the modules it concerns load).
import { interruptBudget } from "../../hotpath/app/v8Tiering.js";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { PerformanceObserver } from "node:perf_hooks";
import { WebSocket } from "ws";
import { setImmediate as yieldToLoop, setTimeout as sleep } from "node:timers/promises";

import { loadMarkets } from "../../hotpath/app/marketSetup.js";
import { MarketBooks } from "../../hotpath/book/marketBooks.js";
import { marketScalesOf } from "../../hotpath/book/scales.js";
import { clipQtyOf, type EdgeParams } from "../../hotpath/edge/edgeParams.js";
import { EdgeIdSequence } from "../../hotpath/edge/edgeRecord.js";
import { feeRatesFromBps } from "../../hotpath/edge/feeRates.js";
import { NO_RISK_CAP } from "../../hotpath/edge/riskCap.js";
import { ExchangeHttpClient } from "../../hotpath/exchange/http/httpClient.js";
import { NonceAllocator } from "../../hotpath/exchange/nonce/index.js";
import {
  createSigner,
  defaultSecp256k1Backend,
  keepPresignaturesReady,
  signL1Action,
  signUserSignedAction,
  type Signer,
} from "../../hotpath/exchange/signing/index.js";
import { orderAction, usdClassTransferAction } from "../../hotpath/exchange/wire/actions.js";
import type { WireDecimal } from "../../hotpath/exchange/wire/brands.js";
import { Executor } from "../../hotpath/execution/executor.js";
import type { Intent } from "../../hotpath/execution/intent.js";
import { signLegs } from "../../hotpath/execution/signedActions.js";
import { LATENCY_STAGES } from "../../hotpath/execution/executionLatency.js";
import { IntentJournal, type JournalMode } from "../../hotpath/execution/journal/index.js";
import { FramePipeline } from "../../hotpath/feed/framePipeline.js";
import { FrameScanner } from "../../hotpath/feed/frameScanner.js";
import { MarketFeed } from "../../hotpath/feed/marketFeed.js";
import { FeedMetrics } from "../../hotpath/metrics/feedMetrics.js";
import { createLogger } from "../../hotpath/observability/logger.js";
import { decide } from "../../hotpath/strategy/decide.js";
import { DEFAULT_STRATEGY_CONFIG, type StrategyConfig } from "../../hotpath/strategy/strategyConfig.js";

/**
 * `HLB_BENCH_PIN=1`: the simulator on CPU 1 and this process's main thread on CPU 0 (`taskset`), so that a
 * write to the loopback socket does not hand this core to the simulator as it wakes up to read it — which
 * the exchange, on another machine, never does. Off by default (the shared machine's other jobs still run).
 */
const PIN = process.env["HLB_BENCH_PIN"] === "1";
/** `HLB_BENCH_PRESIGN=off` signs every order with RFC 6979 (no prepared nonces), as before 2026-12-03. */
const PRESIGN = process.env["HLB_BENCH_PRESIGN"] !== "off";
const WARMUP = Number(process.env["HLB_BENCH_WARMUP"] ?? 300);
const ITERATIONS = Number(process.env["HLB_BENCH_ITERATIONS"] ?? 3_000);
const SKIP_FRAMES = 500_000;
/**
 * `HLB_BENCH_GAP_MS`: idle time after each intent's answer before the next frame (default none: back to
 * back). Intents in production are minutes apart; with a gap both processes idle between intents, and the
 * measured path starts cold (docs/benchmarks.md "Tick to wire": far slower than back to back).
 */
const GAP_MS = Number(process.env["HLB_BENCH_GAP_MS"] ?? 0);
/** Orders the simulator handles before the measured run (`warmSimulator`); default none. */
const SIM_WARMUP = Number(process.env["HLB_BENCH_SIM_WARMUP"] ?? 0);

let gcCount = 0;
new PerformanceObserver((list) => {
  gcCount += list.getEntries().length;
}).observe({ entryTypes: ["gc"] });

const strategy: StrategyConfig = {
  ...DEFAULT_STRATEGY_CONFIG,
  clipSize: "1",
  limits: {
    ...DEFAULT_STRATEGY_CONFIG.limits,
    ordersPerMinute: 100_000,
    maxOpenIntents: 1_000,
    coolDownAfterTradeMs: 0,
    coolDownAfterRejectionMs: 0,
  },
};

/** A 20-level `l2Book` frame: bids down from `bid`, asks up from `ask`, 0.001 apart, 5–9 HYPE a level. */
function bookFrame(coin: string, time: number, bid: number, ask: number): Buffer {
  const side = (touch: number, step: number): string =>
    Array.from({ length: 20 }, (_, i) => {
      const px = (touch + step * i).toFixed(3);
      return `{"px":"${px}","sz":"${5 + (i % 5)}","n":${1 + (i % 3)}}`;
    }).join(",");
  return Buffer.from(
    `{"channel":"l2Book","data":{"coin":"${coin}","time":${time},"levels":[[${side(bid, -0.001)}],[${side(ask, 0.001)}]]}}`,
  );
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

interface SimProcess {
  readonly info: string;
  readonly exchange: string;
  readonly ws: string;
  stop(): Promise<void>;
}

/**
 * The simulator in its own process (`test/sim/cli.ts`), as the exchange is to the bot: its request handling
 * and garbage do not land in the measured event loop. Paused: its book stays where it starts (≈ 40).
 */
async function startSimProcess(master: Signer, agent: Signer, warmAccount: Signer): Promise<SimProcess> {
  const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "sim", "cli.ts");
  const command = PIN ? "taskset" : process.execPath;
  const prefix = PIN ? ["-c", "1", process.execPath] : [];
  const child: ChildProcess = spawn(
    command,
    [
      ...prefix,
      "--import",
      "tsx",
      cli,
      "--port",
      "0",
      "--seed",
      "3",
      "--paused",
      "--idle-timeout-ms",
      "0",
      "--fund",
      `${master.address}:USDC=200000`,
      "--agent",
      `${master.address}:${agent.address}`,
      "--fund",
      `${warmAccount.address}:USDC=200000`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  const urls = JSON.parse(line) as { info: string; exchange: string; ws: string };
  return {
    ...urls,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/**
 * The floor under `signedToWritten` on this machine: the same number of bytes written by a bare `net.Socket`
 * (no WebSocket, no JSON, no journal) to a bare Node peer in its own process on loopback, one write per round
 * trip as the intents go. On loopback the kernel runs the peer's TCP receive and wakes it inside our `write`
 * (on this VM an idle peer vCPU costs an inter-processor interrupt), which a write to a remote exchange does
 * not pay; this row shows how much of `signedToWritten` is that.
 */
async function writeFloor(bytes: number): Promise<void> {
  const peerSource =
    'const s=require("net").createServer(c=>{c.setNoDelay(true);c.on("data",()=>c.write("k"))});' +
    's.listen(0,"127.0.0.1",()=>console.log(s.address().port));';
  const peer = spawn(process.execPath, ["-e", peerSource], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) =>
    createInterface({ input: peer.stdout }).once("line", (line) => resolve(Number(line))),
  );
  const socket = connect(port, "127.0.0.1");
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once("connect", resolve));
  const payload = Buffer.alloc(bytes, 0x61);
  const times = new Float64Array(ITERATIONS);
  let answered = 0;
  socket.on("data", (chunk: Buffer) => {
    answered += chunk.length;
  });
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const t0 = performance.now();
    socket.write(payload);
    if (i >= WARMUP) times[i - WARMUP] = (performance.now() - t0) * 1000;
    while (answered <= i) await yieldToLoop();
  }
  socket.destroy();
  peer.kill();
  times.sort();
  const pct = (p: number): number => round(times[Math.min(times.length - 1, Math.floor(times.length * p))]!);
  process.stdout.write(
    `${JSON.stringify({ bench: "tick-to-wire", stage: "floor.socketWrite", bytes, count: ITERATIONS, p50Us: pct(0.5), p99Us: pct(0.99), p999Us: pct(0.999) })}\n`,
  );
}

/**
 * `HLB_BENCH_SIM_WARMUP=N`: before the measured run the simulator handles N orders like ours (both legs
 * refused) from another account over its own WebSocket — the exchange is always warm, a fresh simulator is
 * not. Off by default: 20,000 of them changed nothing measurable (2026-12-03, two A/B pairs, reserve-ahead
 * tick to wire p50 141/153 µs warmed against 186/134 µs not, p99 387/388 against 384/434).
 */
async function warmSimulator(
  url: string,
  signer: Signer,
  perpAsset: number,
  spotAsset: number,
): Promise<void> {
  if (SIM_WARMUP === 0) return;
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  let answered = 0;
  socket.on("message", () => {
    answered += 1;
  });
  const action = orderAction({
    orders: [
      {
        asset: perpAsset,
        isBuy: false,
        price: "40.3" as WireDecimal,
        size: "1" as WireDecimal,
        reduceOnly: false,
        orderType: { limit: { tif: "Ioc" } },
      },
      {
        asset: spotAsset,
        isBuy: true,
        price: "39.7" as WireDecimal,
        size: "1" as WireDecimal,
        reduceOnly: false,
        orderType: { limit: { tif: "Ioc" } },
      },
    ],
  });
  const firstNonce = Date.now() - 60_000;
  const BATCH = 50;
  for (let sent = 0; sent < SIM_WARMUP;) {
    for (let i = 0; i < BATCH && sent < SIM_WARMUP; i++, sent++) {
      const nonce = firstNonce + sent;
      const expiresAfter = Date.now() + 60_000;
      const signature = signL1Action({ signer, action, nonce, network: "mainnet", expiresAfter });
      const payload = JSON.stringify({ action, nonce, signature, expiresAfter });
      socket.send(`{"method":"post","id":${sent},"request":{"type":"action","payload":${payload}}}`);
    }
    while (answered < sent) await yieldToLoop();
  }
  socket.close();
}

async function runMode(mode: JournalMode): Promise<void> {
  const master = createSigner(`0x${randomBytes(32).toString("hex")}`);
  const agent = createSigner(`0x${randomBytes(32).toString("hex")}`);
  const warmAccount = createSigner(`0x${randomBytes(32).toString("hex")}`);
  const sim = await startSimProcess(master, agent, warmAccount);
  const dir = mkdtempSync(join(tmpdir(), "hlb-tick-to-wire-"));
  const logger = createLogger({ service: "bench", level: "silent" });
  const http = new ExchangeHttpClient({ infoUrl: sim.info, exchangeUrl: sim.exchange });
  // Half the USDC to the perp account (the master's key), so the perp leg is refused for its price alone.
  for (const account of [master, warmAccount]) {
    const transferNonce = Date.now();
    const transfer = usdClassTransferAction({
      network: "mainnet",
      amount: "100000",
      toPerp: true,
      nonce: transferNonce,
    });
    await http.exchange({
      action: transfer,
      nonce: transferNonce,
      signature: signUserSignedAction({ signer: account, action: transfer }),
    });
  }
  const [market] = await loadMarkets(http, ["HYPE"]);
  if (market === undefined) throw new Error("no HYPE market");
  const scales = marketScalesOf(market);
  const params: EdgeParams = {
    clipQty: clipQtyOf(strategy.clipSize, scales),
    fees: feeRatesFromBps({ perpTaker: "4.5", perpMaker: "1.5", spotTaker: "7", spotMaker: "4" }),
    fundingRatePerHour: 0.0000125,
    holdingHours: 8,
    oraclePx: Number.NaN,
    riskCap: NO_RISK_CAP,
  };
  const limits = { staleAfterMs: 60_000, maxLegSkewMs: 0 };
  const edgeIds = new EdgeIdSequence();
  const feed = MarketFeed.create(MarketBooks.forMarket(market), params, edgeIds, limits);
  const journalErrors: unknown[] = [];
  let lastSent: Intent | undefined;
  const { journal } = IntentJournal.open({
    dir: join(dir, "journal"),
    bootId: randomUUID(),
    mode,
    // Back-to-back intents use cloids far faster than production (a few a minute): reserve in larger
    // blocks, often, so that the measured appends are the reserved kind.
    reserveAhead: { blockSize: 1_024 },
    maintenance: { onError: (error) => journalErrors.push(error), intervalMs: 100 },
  });
  const nonces = NonceAllocator.open({
    signer: agent.address,
    dir: join(dir, "nonces"),
    backgroundRenewal: { onError: () => {} },
  });
  // As the process does (`app/trading.ts`): the order path signs with nonces prepared while idle, and the
  // keeper refills one every 2 ms while the pool is below capacity. The process's pool (32) never drains at
  // the order rates its risk limits allow (a few a minute); these intents come back to back, one per round
  // trip, faster than a 2 ms refill, so the pool starts with one presignature per intent — and the keeper
  // still runs throughout (the pool is below capacity), so its refill work lands between intents as it does
  // in the process.
  const presignatures = PRESIGN
    ? keepPresignaturesReady(agent.enablePresignatures(WARMUP + ITERATIONS + 64))
    : undefined;
  const executor = new Executor({
    markets: [{ feed, market, spotBase: "0" }],
    strategy,
    journal,
    nonces,
    signer: agent,
    network: "mainnet",
    account: master.address,
    http,
    channel: { url: sim.ws, postTimeoutMs: 5_000, reconnectBackoffMinMs: 50, reconnectBackoffMaxMs: 500 },
    balances: { spotUsdc: "100000", perpWithdrawable: "100000" },
    logger,
    edgeIds,
    onIntent: (intent) => {
      lastSent = intent;
    },
  });
  const pipeline = new FramePipeline([feed], new FeedMetrics(), executor.onMarket, logger);
  executor.start();
  pipeline.connected();
  while (!executor.channel.isOpen) await yieldToLoop();

  // The simulator's books sit around 40: a perp bid of 40.5 and a spot ask of 39.5 (≈ 250 bps rich) make an
  // open whose IOC legs (sell perp ≥ ~40.3, buy spot ≤ ~39.7) find nothing to trade against there.
  const total = WARMUP + ITERATIONS;
  const baseTime = Date.now() + 1_000_000;
  const frames = Array.from({ length: total }, (_, i) => [
    bookFrame(market.perp.coin, baseTime + i, 40.5, 40.51),
    bookFrame(market.spot.wsCoin, baseTime + i, 39.49, 39.5),
  ]);
  await warmSimulator(sim.ws, warmAccount, market.perp.assetId, market.spot.assetId);
  const state = executor.marketState("HYPE")!;
  for (let i = 0; i < total; i++) {
    if (i === WARMUP) for (const histogram of Object.values(executor.latency.histograms)) histogram.reset();
    const [perp, spot] = frames[i]!;
    pipeline.handleBytes(perp!, performance.now());
    pipeline.handleBytes(spot!, performance.now());
    if (executor.stats.rootIntents !== i + 1) {
      throw new Error(
        `frame ${i} did not trade (${executor.stats.rootIntents} intents); state ${JSON.stringify(executor.state())}`,
      );
    }
    while (state.risk.intentInFlight) await yieldToLoop();
    if (GAP_MS > 0) await sleep(GAP_MS);
  }
  const fills = (await http.info({ type: "userFills", user: master.address })).length;
  const machine = {
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
    signing: defaultSecp256k1Backend,
    v8InterruptBudget: interruptBudget,
  };
  for (const stage of LATENCY_STAGES) {
    if (stage === "exchangeToReceive" || stage === "writtenToFill") continue;
    const s = executor.latency.histograms[stage].summary();
    process.stdout.write(
      `${JSON.stringify({
        bench: "tick-to-wire",
        journal: mode,
        stage,
        count: s.count,
        p50Us: s.p50,
        p99Us: s.p99,
        p999Us: s.p999,
        maxUs: s.max,
        meanUs: round(s.mean),
        ...machine,
      })}\n`,
    );
  }
  process.stdout.write(
    `${JSON.stringify({ bench: "tick-to-wire", journal: mode, fills, journalStats: journal.stats, errors: journalErrors.length })}\n`,
  );

  if (mode === "fsyncBeforeSend") {
    // Hot, back to back in the same process: the scanner (the parse share of `receiveToSink`), `decide` on
    // the trading context (an open verdict) and signing the last intent's action — what the stages cost
    // when nothing else ran in between, against the per-intent stages above (each after the event loop
    // handled the previous intent's answer, as in production, where an intent follows an idle stretch).
    const scanner = new FrameScanner([feed.books.perp, feed.books.spot]);
    const hotRfc6979Signer = createSigner(`0x${randomBytes(32).toString("hex")}`);
    const hotPresigner = createSigner(`0x${randomBytes(32).toString("hex")}`);
    hotPresigner.enablePresignatures(ITERATIONS + 1);
    state.context.nowMs = Date.now() + 60_000; // past any cool-down
    const scratch = feed.edges.scratch("perpRich");
    const sample = (stage: string, fn: (i: number) => unknown): void => {
      const times = new Float64Array(ITERATIONS);
      for (let i = 0; i < ITERATIONS; i++) {
        const t0 = performance.now();
        fn(i);
        times[i] = (performance.now() - t0) * 1000;
      }
      times.sort();
      const pct = (p: number): number =>
        round(times[Math.min(times.length - 1, Math.floor(times.length * p))]!);
      process.stdout.write(
        `${JSON.stringify({ bench: "tick-to-wire", stage, count: ITERATIONS, p50Us: pct(0.5), p99Us: pct(0.99), p999Us: pct(0.999) })}\n`,
      );
    };
    sample("hot.scan", (i) => {
      const frame = frames[WARMUP + i]![1]!;
      return scanner.scanRange(frame, 0, frame.length);
    });
    if (decide(scratch, state.context, state.strategy).kind !== "open") throw new Error("no open verdict");
    sample("hot.decide", () => decide(scratch, state.context, state.strategy));
    const signedIntent = lastSent!;
    // A fresh signer per row: `agent`'s pool drains within a tight loop and would mix the two paths.
    sample("hot.sign", () => signLegs(signedIntent, [0, 1], hotRfc6979Signer, "mainnet"));
    sample("hot.presign", () => signLegs(signedIntent, [0, 1], hotPresigner, "mainnet"));
    const postBytes =
      Buffer.byteLength(signLegs(signedIntent, [0, 1], hotPresigner, "mainnet").payloadJson) + 80;
    await writeFloor(postBytes);

    // Skip path: a flat basis, nothing trades; both directions decided per frame.
    const flat = Array.from({ length: 64 }, (_, i) => [
      bookFrame(market.perp.coin, baseTime + total + 2 * i, 40, 40.01),
      bookFrame(market.spot.wsCoin, baseTime + total + 2 * i, 39.999, 40.009),
    ]);
    const intentsBefore = executor.stats.rootIntents;
    let time = baseTime + total + 1_000;
    const timeAt = new Map(flat.flat().map((frame) => [frame, frame.indexOf('"time":') + 7]));
    const digits = String(time).length;
    // The time field rewritten in place, digit by digit (no string, no allocation): the book takes the
    // frame as newer, the frame keeps its length.
    const rewrite = (frame: Buffer, at: number): void => {
      let rest = at;
      const start = timeAt.get(frame)!;
      for (let k = digits - 1; k >= 0; k--) {
        frame[start + k] = 48 + (rest % 10);
        rest = Math.floor(rest / 10);
      }
    };
    // The same frames through the executor's sink, and through the same pipeline code with a sink that
    // does nothing: the difference is the executor's share (per-frame `decide` of both directions).
    const bare = new FramePipeline([feed], new FeedMetrics(), () => {}, logger);
    bare.connected();
    for (const [name, target] of [
      ["skipPath.executor", pipeline],
      ["skipPath.noopSink", bare],
      ["skipPath.executor", pipeline],
      ["skipPath.noopSink", bare],
    ] as const) {
      for (let i = 0; i < 20_000; i++) {
        const [perp, spot] = flat[i % 64]!;
        rewrite(perp!, time);
        rewrite(spot!, time);
        time += 1;
        target.handleBytes(perp!, performance.now());
        target.handleBytes(spot!, performance.now());
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      const gcBefore = gcCount;
      const start = process.hrtime.bigint();
      for (let i = 0; i < SKIP_FRAMES; i++) {
        const [perp, spot] = flat[i % 64]!;
        rewrite(perp!, time);
        rewrite(spot!, time);
        time += 1;
        target.handleBytes(perp!, performance.now());
        target.handleBytes(spot!, performance.now());
      }
      const elapsedNs = Number(process.hrtime.bigint() - start);
      await new Promise((resolve) => setTimeout(resolve, 100));
      process.stdout.write(
        `${JSON.stringify({
          bench: "tick-to-wire",
          stage: name,
          frames: 2 * SKIP_FRAMES,
          meanNsPerFrame: round(elapsedNs / (2 * SKIP_FRAMES)),
          gcs: gcCount - gcBefore,
        })}\n`,
      );
    }
    if (executor.stats.rootIntents !== intentsBefore) throw new Error("the flat frames traded");
  }

  presignatures?.stop();
  await executor.stop();
  journal.close();
  nonces.close();
  http.close();
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}

if (PIN) spawnSync("taskset", ["-cp", "0", String(process.pid)], { stdio: "ignore" });
const MODES = (process.env["HLB_BENCH_MODES"] ?? "fsyncBeforeSend,reserveAhead").split(",") as JournalMode[];
for (const mode of MODES) await runMode(mode);
