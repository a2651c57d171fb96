/**
 * The whole system on one machine, no Docker, no cloud — what `npm start` runs:
 *
 *   simulator (Hyperliquid wire protocol on loopback)
 *     → hot path in `sim` mode (feed, books, edges, decisions, orders; the edge sink and the trade shipper)
 *     → SQS (fauxqs, in-process, the real SQS API): `edges`, and `trades.fifo` for intents, orders, fills,
 *     funding, position snapshots and control changes
 *     → the `edge-writer` and `trade-writer` Lambda handlers, driven by local event-source pollers that
 *     behave like Lambda's
 *     → Postgres (a real server when `DATABASE_URL` is set or PostgreSQL is installed, else embedded PGlite)
 *
 * On `stop()` the hot path flushes both queues, and the summary compares what Postgres holds with what the
 * bot knows: edges, fills, and the PnL (`pnl_total`, migration 0008, against the executor's ledger).
 *
 * Every part is the real one a deployment runs; only the transport between them is local. The process
 * topology differs (one Node process here, separate processes and Lambdas in AWS), the code does not.
 */

import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import pg from "pg";

import { startHotpath, type Hotpath } from "../../hotpath/app/hotpath.js";
import { loadConfig, type Config } from "../../hotpath/config/index.js";
import { Secret } from "../../hotpath/config/secret.js";
import { loadUws } from "../../hotpath/host/uws.js";
import { ExchangeHttpClient } from "../../hotpath/exchange/http/httpClient.js";
import { createSigner } from "../../hotpath/exchange/signing/index.js";
import type { WireDecimal } from "../../hotpath/exchange/wire/brands.js";
import { createLogger, type Logger } from "../../hotpath/observability/logger.js";
import { MasterKeyVerifier } from "../../lambdas/rebalancer/masterKey.js";
import { runRebalancerTick } from "../../lambdas/rebalancer/rebalancerTick.js";
import { createEdgeWriterHandler } from "../../lambdas/edge-writer/edgeWriter.js";
import { migrateUp } from "../../lambdas/db/migrate.js";
import { createTradeWriterHandler } from "../../lambdas/trade-writer/tradeWriter.js";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";

import { startEventSourcePoller, type EventSourcePoller } from "../local/eventSourcePoller.js";
import {
  LOCAL_SQS_CREDENTIALS,
  startLocalSqs,
  type LocalSqs,
  type LocalSqsOptions,
} from "../local/sqsEmulator.js";
import { startLocalSchedule } from "../local/rebalancerSchedule.js";
import { HYPE_PAIR } from "../sim/core/markets.js";
import { startSimulator, type Simulator } from "../sim/server/index.js";
import { startTestPostgres, type TestPostgres } from "../support/postgres.js";

const START_SPOT_USDC = "5000";
const START_PERP_USDC = "5000";
const START_HYPE = "20";

export interface LocalSystemOptions {
  readonly seed: number;
  /** Where the JSON logs of every component go (one file). */
  readonly logFile: string;
  /** `HLB_*` overrides on top of the sim defaults (tests). */
  readonly env?: NodeJS.ProcessEnv;
  /** The host's port; 0 = any free port. */
  readonly hostPort?: number;
  /** Basis shocks per hour on the simulator (default 240): more shocks, more trades. */
  readonly basisShocksPerHour?: number;
  /** The SQS emulator's options (tests: short visibility timeouts). */
  readonly sqs?: LocalSqsOptions;
  /** Wraps the trade-writer handler (tests: a Lambda that fails after writing, to force redeliveries). */
  readonly wrapTradeWriter?: (handler: LambdaSqsHandler) => LambdaSqsHandler;
}

export type LambdaSqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface LocalSystemSummary {
  readonly edges_detected: number;
  readonly edges_persisted: number;
  readonly edges_dropped: number;
  readonly edges_spooled: number;
  readonly intents: number;
  /** Fills the bot applied (its ledger). */
  readonly fills: number;
  /** Fills of this run in Postgres. */
  readonly fills_persisted: number;
  /** The bot's PnL: realized price PnL − USDC fees + funding (`TradeLedger`, exact decimal). */
  readonly pnl_usdc: string | null;
  /** The same from Postgres (`pnl_total.net_pnl_usdc`, migration 0008), canonical decimal. */
  readonly pnl_usdc_db: string;
  /** `pnl_usdc === pnl_usdc_db`, as strings. */
  readonly pnl_match: boolean;
  /** Trade events the hot path shipped / SQS acknowledged / dropped. */
  readonly trade_events_shipped: number;
  readonly trade_events_sent: number;
  readonly trade_events_dropped: number;
  readonly exposure_hype: string | null;
  readonly rebalancer_ticks: number;
  readonly sqs_requests: number;
  readonly lambda_invocations: number;
  readonly lambda_failed_records: number;
  readonly postgres: string;
  readonly uws: string;
}

export interface LocalSystem {
  readonly sim: Simulator;
  readonly hotpath: Hotpath;
  readonly sqs: LocalSqs;
  readonly db: TestPostgres;
  readonly hostUrl: string;
  /** The control API's bearer token for this run (`Authorization: Bearer …` on `/control`). */
  readonly controlToken: string;
  readonly logger: Logger;
  /** Edges of this run in Postgres so far. */
  persistedEdges(): Promise<number>;
  /**
   * Stops the hot path (flushing the edge sink and the trade shipper), waits until SQS and the writers have
   * drained, summarises, then stops everything. `inspect` runs on the database after the drain, before it
   * goes away (tests).
   */
  stop(options?: {
    readonly drainTimeoutMs?: number;
    readonly inspect?: (db: pg.Pool) => Promise<void>;
  }): Promise<LocalSystemSummary>;
}

export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  mkdirSync(join(options.logFile, ".."), { recursive: true });
  // One file, one logger per component: each line's `service` says who wrote it (no duplicate keys).
  const destination = (await import("pino")).default.destination({
    dest: options.logFile,
    sync: false,
    mkdir: true,
  });
  const loggerFor = (service: string): Logger => createLogger({ service, level: "info", destination });
  const logger = loggerFor("local-system");
  const workDir = mkdtempSync(join(tmpdir(), "hlbasis-local-"));
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(workDir, { recursive: true, force: true })];
  const stopAll = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        logger.error({ err: error }, "local system: a component failed to stop");
      }
    }
  };

  try {
    // A throwaway account: the master key is funded on the simulator and approves an agent key, which is
    // the only key the hot path holds. Basis shocks in both directions give the strategy something to do.
    const master = createSigner(`0x${randomBytes(32).toString("hex")}`);
    const agent = createSigner(`0x${randomBytes(32).toString("hex")}`);
    const sim = await startSimulator({
      port: 0,
      seed: options.seed,
      core: {
        coins: [
          {
            pair: HYPE_PAIR,
            basis: {
              meanBps: 0,
              halfLifeSec: 4,
              diffusionStdBps: 0.5,
              excursionsPerHour: options.basisShocksPerHour ?? 240,
              shockSizeBps: 70,
              shockUpProbability: 0.5,
            },
          },
        ],
      },
      fund: [
        { address: master.address, USDC: START_SPOT_USDC, HYPE: START_HYPE },
        { address: master.address, USDC: START_PERP_USDC, toPerp: true },
      ],
      agents: [{ master: master.address, agent: agent.address }],
    });
    cleanups.push(() => sim.stop());

    const db = await startTestPostgres();
    cleanups.push(() => db.stop());
    await migrateUp({ databaseUrl: db.url });
    // One connection: PGlite serves a single session, and one is all a writer invocation needs.
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    cleanups.push(() => pool.end());

    const sqs = await startLocalSqs(options.sqs);
    cleanups.push(() => sqs.stop());
    const edgeWriter: EventSourcePoller = startEventSourcePoller({
      client: sqs.createClient(),
      queue: sqs.queues.edges,
      functionName: "edge-writer",
      handler: createEdgeWriterHandler({ db: pool, logger: loggerFor("edge-writer") }),
      maximumBatchingWindowSeconds: 1,
      waitTimeSeconds: 1,
      logger,
    });
    cleanups.push(() => edgeWriter.stop());
    const tradeWriterHandler = createTradeWriterHandler({ db: pool, logger: loggerFor("trade-writer") });
    const tradeWriter: EventSourcePoller = startEventSourcePoller({
      client: sqs.createClient(),
      queue: sqs.queues.trades,
      functionName: "trade-writer",
      handler: options.wrapTradeWriter?.(tradeWriterHandler) ?? tradeWriterHandler,
      // No batching window: fauxqs hands out one message of a FIFO group per receive (STACK.md), so a
      // window would cap one coin's trade events at one per window.
      maximumBatchingWindowSeconds: 0,
      waitTimeSeconds: 1,
      logger,
    });
    cleanups.push(() => tradeWriter.stop());

    const config: Config = loadConfig({
      argv: [],
      env: {
        HLB_MODE: "sim",
        HLB_INFO_URL: sim.info,
        HLB_EXCHANGE_URL: sim.exchange,
        HLB_WS_URL: sim.ws,
        HLB_HOST_PORT: String(options.hostPort ?? 8787),
        HLB_JOURNAL_DIR: join(workDir, "journal"),
        HLB_SPOOL_DIR: join(workDir, "spool"),
        HLB_NONCE_DIR: join(workDir, "nonces"),
        // The trade shipper's queue (its spool goes under HLB_SPOOL_DIR/trades).
        HLB_SQS_TRADE_QUEUE_URL: sqs.queues.trades.url,
        HLB_SQS_ENDPOINT: sqs.endpoint,
        HLB_AWS_REGION: sqs.region,
        ...options.env,
      },
    });
    const uws = loadUws();
    const controlToken = randomBytes(24).toString("hex");
    const hotpath = await startHotpath({
      trading: {
        signer: agent,
        account: master.address,
        network: "mainnet",
        keySource: "generated for this local run",
      },
      config,
      logger: loggerFor("hotpath"),
      uws,
      edgeSink: {
        queueUrl: sqs.queues.edges.url,
        region: sqs.region,
        endpoint: sqs.endpoint,
        credentials: LOCAL_SQS_CREDENTIALS,
        spoolDir: config.persistence.spoolDir,
      },
      // The emulator takes any static keys; the SDK's provider chain would find none here.
      tradeShipper: { credentials: LOCAL_SQS_CREDENTIALS },
      // The control API with a token of this run; every accepted change also lands in control_changes.
      control: {
        token: new Secret(controlToken, "generated for this local run"),
        logger: loggerFor("control"),
        onChange: () => {},
      },
    });
    let hotpathStopped = false;
    cleanups.push(async () => {
      if (!hotpathStopped) await hotpath.stop();
    });

    // The rebalancer on its 30 s schedule, as the Step Functions loop runs it in AWS.
    const rebalancerHttp = new ExchangeHttpClient({ infoUrl: sim.info, exchangeUrl: sim.exchange });
    const keyVerifier = new MasterKeyVerifier();
    const rebalancer = startLocalSchedule(
      (scheduledMs) =>
        runRebalancerTick(
          {
            db: pool,
            exchange: rebalancerHttp,
            masterKey: master,
            masterKeySource: "generated for this local run",
            network: "mainnet",
            policy: {
              marginRatio: "0.5" as WireDecimal,
              clipNotionalUsdc: "100" as WireDecimal,
              clipsAhead: 2,
              bandUsdc: "50" as WireDecimal,
              minTransferUsdc: "10" as WireDecimal,
            },
            logger: loggerFor("rebalancer"),
            keyVerifier,
          },
          scheduledMs,
        ),
      { periodMs: 30_000, onError: (error) => logger.error({ err: error }, "rebalancer tick failed") },
    );
    cleanups.push(async () => {
      await rebalancer.stop();
      rebalancerHttp.close();
    });

    const persistedEdges = async (): Promise<number> => {
      const result = await pool.query<{ n: string }>("SELECT count(*) AS n FROM edges WHERE boot_id = $1", [
        hotpath.bootId,
      ]);
      return Number(result.rows[0]?.n ?? 0);
    };
    // Fills of this run that join their order (cloid) and its intent: a fill without its lineage is not counted.
    const persistedFills = async (): Promise<number> => {
      const result = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM fills f
         JOIN orders o ON o.cloid = f.cloid
         JOIN intents i ON i.intent_id = o.intent_id
         WHERE i.boot_id = $1`,
        [hotpath.bootId],
      );
      return Number(result.rows[0]?.n ?? 0);
    };
    const tradesQueueEmpty = async (): Promise<boolean> => {
      const depth = await sqs.depth(sqs.queues.trades);
      return depth.visible + depth.inFlight === 0;
    };

    return {
      sim,
      hotpath,
      sqs,
      db,
      hostUrl: `http://${config.host.bindAddress}:${hotpath.host.port}`,
      controlToken,
      logger,
      persistedEdges,
      stop: async ({ drainTimeoutMs = 30_000, inspect } = {}) => {
        await hotpath.stop();
        hotpathStopped = true;
        const flusher = hotpath.edgeSink?.flusher;
        const detected = flusher?.ring.pushed ?? 0;
        const dropped = flusher === undefined ? 0 : totalDropped(flusher.counters.dropped);
        const shipper = hotpath.tradeShipping?.shipper;
        const pnl = hotpath.trading?.executor.pnl();
        const botFills = pnl?.total.fills ?? 0;
        // Wait until everything sent has been written (or the drain times out: the summary says so).
        const deadline = performance.now() + drainTimeoutMs;
        let persisted = await persistedEdges();
        let fillsPersisted = await persistedFills();
        while (
          (persisted < detected - dropped || fillsPersisted < botFills || !(await tradesQueueEmpty())) &&
          performance.now() < deadline
        ) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          persisted = await persistedEdges();
          fillsPersisted = await persistedFills();
        }
        // The PnL as the views compute it from the fills and funding rows (canonical decimal text).
        const pnlDb = await pool.query<{ net: string }>(
          "SELECT trim_scale(coalesce(sum(net_pnl_usdc), 0))::text AS net FROM pnl_total",
        );
        const pnlUsdcDb = pnlDb.rows[0]?.net ?? "0";
        const executorStats = hotpath.trading?.executor.stats;
        const exposure = hotpath.trading?.executor
          .exposure()
          .reduce((sum, reading) => sum + reading.netBase, 0);
        const ticks = await pool.query<{ n: string }>("SELECT count(*) AS n FROM rebalances");
        const pollerStats = edgeWriter.stats();
        const tradeStats = tradeWriter.stats();
        const summary: LocalSystemSummary = {
          edges_detected: detected,
          edges_persisted: persisted,
          edges_dropped: dropped,
          edges_spooled: flusher?.counters.spooled ?? 0,
          intents: executorStats === undefined ? 0 : executorStats.rootIntents + executorStats.followUps,
          fills: botFills,
          fills_persisted: fillsPersisted,
          pnl_usdc: pnl?.total.netUsdc ?? null,
          pnl_usdc_db: pnlUsdcDb,
          pnl_match: pnl?.total.netUsdc === pnlUsdcDb,
          trade_events_shipped: shipper?.counters.shipped ?? 0,
          trade_events_sent: shipper?.counters.sent ?? 0,
          trade_events_dropped: shipper?.counters.droppedTotal ?? 0,
          exposure_hype: exposure === undefined ? null : String(exposure),
          rebalancer_ticks: Number(ticks.rows[0]?.n ?? 0),
          sqs_requests: flusher?.counters.sqsRequests ?? 0,
          lambda_invocations: pollerStats.invocations + tradeStats.invocations,
          lambda_failed_records: pollerStats.failedRecords + tradeStats.failedRecords,
          postgres: db.engine,
          uws: uws.build,
        };
        try {
          await inspect?.(pool);
        } finally {
          await stopAll();
        }
        logger.info({ summary }, "local system stopped");
        logger.flush();
        return summary;
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function totalDropped(dropped: Readonly<Record<string, number>>): number {
  let total = 0;
  for (const count of Object.values(dropped)) total += count;
  return total;
}
