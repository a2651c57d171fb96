/**
 * The executor wired as in the process, against the real simulator over its real wire protocol: the feed
 * client and frame pipeline on one socket (books → edges → `Executor.onMarket`), the executor's own order
 * socket (posts, `orderUpdates`, `userFills`, `userEvents`), a real journal and nonce allocator in a
 * temporary directory, an agent approved by a funded master.
 *
 * The simulator runs on the manual clock: the test steps blocks (`step`, `stepUntil`), and the executor's
 * clock is the simulator's exchange time, so `expiresAfter`, cool-downs and probes follow simulated time.
 * Basis shocks (options of the simulator's market model) make the basis rich, mean reversion makes it
 * converge. The simulator's gateway is wrapped to record every order it receives (cloids), so a test can
 * prove nothing was sent twice. `HLB_TEST_LOG=info` (or `warn`) shows the executor's log lines.
 */

import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { MarketBooks } from "../../hotpath/book/marketBooks.js";
import { marketScalesOf } from "../../hotpath/book/scales.js";
import { clipQtyOf, type EdgeParams } from "../../hotpath/edge/edgeParams.js";
import { EdgeIdSequence, type EdgeRecord } from "../../hotpath/edge/edgeRecord.js";
import { feeRatesFromBps } from "../../hotpath/edge/feeRates.js";
import { riskCapFromDecimals } from "../../hotpath/edge/riskCap.js";
import { ExchangeHttpClient } from "../../hotpath/exchange/http/httpClient.js";
import { NonceAllocator } from "../../hotpath/exchange/nonce/index.js";
import type { BasisMarket } from "../../hotpath/exchange/registry/market.js";
import { createSigner, type Signer } from "../../hotpath/exchange/signing/index.js";
import type { Cloid } from "../../hotpath/exchange/wire/brands.js";
import type { EdgeDirection } from "../../hotpath/edge/direction.js";
import { Executor, type EdgeVerdictOutcome, type ExecutorTuning } from "../../hotpath/execution/executor.js";
import type { Intent } from "../../hotpath/execution/intent.js";
import { IntentJournal, type JournalMode } from "../../hotpath/execution/journal/index.js";
import { loadMarkets } from "../../hotpath/app/marketSetup.js";
import { FeedClient } from "../../hotpath/feed/feedClient.js";
import { FramePipeline } from "../../hotpath/feed/framePipeline.js";
import { MarketFeed } from "../../hotpath/feed/marketFeed.js";
import { assetCtxSubscriptions, feedSubscriptions } from "../../hotpath/feed/subscriptions.js";
import { FeedMetrics } from "../../hotpath/metrics/feedMetrics.js";
import { createLogger, type LogLevelName } from "../../hotpath/observability/logger.js";
import { DEFAULT_STRATEGY_CONFIG, type StrategyConfig } from "../../hotpath/strategy/strategyConfig.js";
import type { BasisOptions } from "../sim/core/marketModel.js";
import { HYPE_PAIR } from "../sim/core/markets.js";
import { startSimulator, type FaultSpec, type Simulator } from "../sim/server/index.js";
import { realGateway } from "../sim/server/gateway-port.js";

/** Perp-rich shocks (+45…75 bps), reverting with a 3 s half-life: an open, then a convergence close. */
export const PERP_RICH_SHOCKS: Partial<BasisOptions> = {
  meanBps: 0,
  halfLifeSec: 3,
  diffusionStdBps: 0.3,
  excursionsPerHour: 120,
  shockSizeBps: 60,
  shockUpProbability: 1,
};

export const SPOT_RICH_SHOCKS: Partial<BasisOptions> = { ...PERP_RICH_SHOCKS, shockUpProbability: 0 };

export const TEST_STRATEGY: StrategyConfig = {
  ...DEFAULT_STRATEGY_CONFIG,
  clipSize: "1",
  limits: {
    ...DEFAULT_STRATEGY_CONFIG.limits,
    coolDownAfterTradeMs: 500,
    coolDownAfterRejectionMs: 500,
    ordersPerMinute: 600,
  },
};

export interface HarnessOptions {
  readonly seed: number;
  readonly basis: Partial<BasisOptions>;
  readonly strategy?: StrategyConfig;
  readonly tuning?: Partial<ExecutorTuning>;
  readonly journalMode?: JournalMode;
  /** Funding every 3 600 000 / this ms of simulated time. Default 360 (every 10 s). */
  readonly fundingAcceleration?: number;
  readonly faults?: readonly FaultSpec[];
  /** The order socket's post timeout (wall ms). Default 1000. */
  readonly postTimeoutMs?: number;
  /**
   * Point the order socket at a port nothing listens on: every order goes over the HTTP fallback, and no
   * account stream arrives (fills are read back over HTTP).
   */
  readonly orderSocketDown?: boolean;
  /** Runs synchronously right after an intent's legs were written (fault injection at the worst moment). */
  readonly afterWrite?: (sim: Simulator, intent: Intent) => void;
}

export interface EdgeOutcomeEntry {
  readonly direction: EdgeDirection;
  readonly edgeId: number | null;
  readonly outcome: EdgeVerdictOutcome;
}

export interface Harness {
  readonly sim: Simulator;
  readonly executor: Executor;
  readonly journal: IntentJournal;
  readonly feed: MarketFeed;
  readonly market: BasisMarket;
  readonly master: Signer;
  readonly agent: Signer;
  readonly http: ExchangeHttpClient;
  /** Every cloid the simulator's gateway received in an order action, in arrival order. */
  readonly receivedCloids: Cloid[];
  readonly outcomes: EdgeOutcomeEntry[];
  readonly traded: { readonly record: EdgeRecord; readonly intent: Intent }[];
  /** Every intent the executor journaled (roots and follow-ups), in order. */
  readonly intents: Intent[];
  clock(): number;
  /** Steps `blocks` blocks, letting frames, posts and answers flow after each. */
  step(blocks: number): Promise<void>;
  /** Steps block by block until `done()`; throws after `maxBlocks`. Returns the blocks stepped. */
  stepUntil(what: string, done: () => boolean, maxBlocks: number): Promise<number>;
  /**
   * Stops the executor and its journal and nonce allocator as a shutdown would, then boots a new process
   * over the same directories: the journal recovers, the new executor restores the open intents.
   */
  restart(): Promise<void>;
  /** Waits (wall clock, no stepping) until `done()`. */
  settle(what: string, done: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export const START_USDC_SPOT = "5000";
export const START_USDC_PERP = "5000";
export const START_HYPE = "20";

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const master = createSigner(`0x${randomBytes(32).toString("hex")}`);
  const agent = createSigner(`0x${randomBytes(32).toString("hex")}`);
  const receivedCloids: Cloid[] = [];
  const sim = await startSimulator({
    seed: options.seed,
    clock: "manual",
    idleTimeoutMs: 0,
    cadence: { blockMs: 70, fastBookMs: 70, bookMs: 5_000, assetCtxMs: 1_000 },
    core: {
      coins: [{ pair: HYPE_PAIR, basis: options.basis }],
      takerFlow: false,
      fundingAcceleration: options.fundingAcceleration ?? 360,
    },
    fund: [
      { address: master.address, USDC: START_USDC_SPOT, HYPE: START_HYPE },
      { address: master.address, USDC: START_USDC_PERP, toPerp: true },
    ],
    agents: [{ master: master.address, agent: agent.address }],
    faults: options.faults ?? [],
    gateway: (context) => {
      const bundle = realGateway(context);
      return {
        ...(bundle.admin === undefined ? {} : { admin: bundle.admin }),
        gateway: {
          info: (body) => bundle.gateway.info(body),
          exchange: (body) => {
            receivedCloids.push(...cloidsOf(body));
            return bundle.gateway.exchange(body);
          },
        },
      };
    },
  });
  const clock = (): number => sim.core.exchangeTime();
  const dir = mkdtempSync(join(tmpdir(), "hlb-executor-"));
  const level = (process.env["HLB_TEST_LOG"] ?? "silent") as LogLevelName;
  const logger = createLogger({ service: "executor-test", level });
  const http = new ExchangeHttpClient({ infoUrl: sim.info, exchangeUrl: sim.exchange });
  const [market] = await loadMarkets(http, ["HYPE"]);
  if (market === undefined) throw new Error("the simulator has no HYPE market");
  const scales = marketScalesOf(market);
  const strategy = options.strategy ?? TEST_STRATEGY;
  const params: EdgeParams = Object.freeze({
    clipQty: clipQtyOf(strategy.clipSize, scales),
    fees: feeRatesFromBps({ perpTaker: "4.5", perpMaker: "1.5", spotTaker: "7", spotMaker: "4" }),
    fundingRatePerHour: 0,
    holdingHours: 8,
    oraclePx: Number.NaN,
    riskCap: riskCapFromDecimals(
      {
        maxClip: strategy.limits.maxClip,
        notionalHeadroomUsdc: strategy.limits.maxPositionNotionalUsdc,
        spotQuoteAvailableUsdc: null,
        spotBaseAvailable: null,
      },
      scales,
    ),
  });
  const ids = new EdgeIdSequence();
  const feedSettings = {
    staleAfterMs: 5_000,
    // Decide on books of the same block only: the simulator redraws its ladders every block.
    maxLegSkewMs: 0,
    pingIntervalMs: 15_000,
    pongTimeoutMs: 5_000,
    reconnectBackoffMinMs: 20,
    reconnectBackoffMaxMs: 200,
  };
  const feed = MarketFeed.create(MarketBooks.forMarket(market), params, ids, feedSettings);
  const outcomes: EdgeOutcomeEntry[] = [];
  const traded: { record: EdgeRecord; intent: Intent }[] = [];
  const intents: Intent[] = [];

  /** One boot of the trading process: journal (recovered), nonce allocator, executor, started. */
  const boot = (): { journal: IntentJournal; nonces: NonceAllocator; executor: Executor } => {
    const { journal } = IntentJournal.open({
      dir: join(dir, "journal"),
      bootId: randomUUID(),
      mode: options.journalMode ?? "fsyncBeforeSend",
      maintenance: "manual",
      nowMs: clock,
    });
    const nonces = NonceAllocator.open({
      signer: agent.address,
      dir: join(dir, "nonces"),
      backgroundRenewal: "inline-only",
      nowMs: clock,
    });
    const executor = new Executor({
      markets: [{ feed, market, spotBase: START_HYPE }],
      strategy,
      journal,
      nonces,
      signer: agent,
      network: "mainnet",
      account: master.address,
      http,
      channel: {
        url: options.orderSocketDown === true ? "ws://127.0.0.1:9/ws" : sim.ws,
        postTimeoutMs: options.postTimeoutMs ?? 1_000,
        reconnectBackoffMinMs: 20,
        reconnectBackoffMaxMs: 200,
      },
      balances: { spotUsdc: START_USDC_SPOT, perpWithdrawable: START_USDC_PERP },
      logger,
      clock,
      edgeIds: ids,
      onEdgeOutcome: (_market, direction, edgeId, outcome) => {
        // Skips are many and alike; keep the trades and the first skip of each reason in a row.
        const last = outcomes[outcomes.length - 1];
        if (outcome.kind === "skip" && last?.outcome === outcome && last.direction === direction) return;
        outcomes.push({ direction, edgeId, outcome });
      },
      onIntent: (intent) => intents.push(intent),
      onTradedEdge: (record, intent) => {
        traded.push({ record, intent });
        options.afterWrite?.(sim, intent);
      },
      tuning: options.tuning ?? {},
    });
    executor.start();
    return { journal, nonces, executor };
  };
  let current = boot();
  // The sink follows the current boot's executor across restarts.
  const pipeline = new FramePipeline(
    [feed],
    new FeedMetrics(),
    (m, t) => current.executor.onMarket(m, t),
    logger,
  );
  const client = new FeedClient({
    url: sim.ws,
    subscriptions: [...feedSubscriptions([feed.books]), ...assetCtxSubscriptions([feed.books])],
    feed: feedSettings,
    pipeline,
    metrics: new FeedMetrics(),
    logger,
  });
  client.start();
  const breakerTimer = setInterval(() => pipeline.evaluateBreakers(), 50);

  const settle = async (what: string, done: () => boolean, timeoutMs = 5_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
      await sleep(5);
    }
  };
  if (options.orderSocketDown !== true) {
    await settle("the order socket", () => current.executor.channel.isOpen);
  }
  await settle("both books", () => feed.books.perp.sequence > 0 && feed.books.spot.sequence > 0);

  /** After a block: its book frames processed, and every post they caused answered (or timed out). */
  const quiet = async (): Promise<void> => {
    const time = sim.core.exchangeTime();
    const deadline = Date.now() + 2_000;
    const caughtUp = (): boolean =>
      feed.books.perp.exchangeTimeMs >= time && feed.books.spot.exchangeTimeMs >= time;
    do await sleep(1);
    while ((!caughtUp() || current.executor.postsInFlight > 0) && Date.now() < deadline);
    await sleep(1);
  };
  const step = async (blocks: number): Promise<void> => {
    for (let i = 0; i < blocks; i++) {
      sim.market.step(1);
      await quiet();
    }
  };
  const stepUntil = async (what: string, done: () => boolean, maxBlocks: number): Promise<number> => {
    for (let i = 0; i < maxBlocks; i++) {
      if (done()) return i;
      await step(1);
    }
    if (done()) return maxBlocks;
    throw new Error(`stepped ${maxBlocks} blocks waiting for ${what}`);
  };

  const shutDown = async (): Promise<void> => {
    await current.executor.stop();
    current.journal.close();
    current.nonces.close();
  };

  return {
    sim,
    get executor() {
      return current.executor;
    },
    get journal() {
      return current.journal;
    },
    restart: async () => {
      await shutDown();
      current = boot();
      if (options.orderSocketDown !== true) {
        await settle("the order socket after the restart", () => current.executor.channel.isOpen);
      }
    },
    feed,
    market,
    master,
    agent,
    http,
    receivedCloids,
    outcomes,
    traded,
    intents,
    clock,
    step,
    stepUntil,
    settle,
    close: async () => {
      clearInterval(breakerTimer);
      await shutDown();
      await client.stop();
      http.close();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function cloidsOf(body: unknown): Cloid[] {
  const action = (body as { action?: { type?: string; orders?: { c?: Cloid }[] } }).action;
  if (action?.type !== "order" || !Array.isArray(action.orders)) return [];
  return action.orders.flatMap((order) => (order.c === undefined ? [] : [order.c]));
}
