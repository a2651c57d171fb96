/**
 * The whole system on one machine, no Docker, no cloud — what `npm start` runs:
 *
 *   simulator (Hyperliquid wire protocol on loopback)
 *     → hot path in `sim` mode (feed, books, edges, decisions, the edge sink)
 *     → SQS (fauxqs, in-process, the real SQS API)
 *     → the `edge-writer` Lambda handler, driven by a local event-source poller that behaves like Lambda's
 *     → Postgres (a real server when `DATABASE_URL` is set or PostgreSQL is installed, else embedded PGlite)
 *
 * Every part is the real one a deployment runs; only the transport between them is local. The process
 * topology differs (one Node process here, separate processes and Lambdas in AWS), the code does not.
 */

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import pg from "pg";

import { startHotpath, type Hotpath } from "../../hotpath/app/hotpath.js";
import { loadConfig, type Config } from "../../hotpath/config/index.js";
import { loadUws } from "../../hotpath/host/uws.js";
import { createLogger, type Logger } from "../../hotpath/observability/logger.js";
import { createEdgeWriterHandler } from "../../lambdas/edge-writer/edgeWriter.js";
import { migrateUp } from "../../lambdas/db/migrate.js";
import { startEventSourcePoller, type EventSourcePoller } from "../local/eventSourcePoller.js";
import { LOCAL_SQS_CREDENTIALS, startLocalSqs, type LocalSqs } from "../local/sqsEmulator.js";
import { startSimulator, type Simulator } from "../sim/server/index.js";
import { startTestPostgres, type TestPostgres } from "../support/postgres.js";

export interface LocalSystemOptions {
  readonly seed: number;
  /** Where the JSON logs of every component go (one file). */
  readonly logFile: string;
  /** `HLB_*` overrides on top of the sim defaults (tests). */
  readonly env?: NodeJS.ProcessEnv;
  /** The host's port; 0 = any free port. */
  readonly hostPort?: number;
}

export interface LocalSystemSummary {
  readonly edges_detected: number;
  readonly edges_persisted: number;
  readonly edges_dropped: number;
  readonly edges_spooled: number;
  readonly intents: number;
  readonly fills_persisted: number | null;
  readonly pnl_usdc: string | null;
  readonly exposure_hype: string | null;
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
  readonly logger: Logger;
  /** Edges of this run in Postgres so far. */
  persistedEdges(): Promise<number>;
  /** Stops the feed, flushes the sink, waits until SQS and the writer have drained, and summarises. */
  stop(options?: { readonly drainTimeoutMs?: number }): Promise<LocalSystemSummary>;
}

export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  mkdirSync(join(options.logFile, ".."), { recursive: true });
  const logger = createLogger({
    service: "hlbasis-local",
    level: "info",
    destination: (await import("pino")).default.destination({
      dest: options.logFile,
      sync: false,
      mkdir: true,
    }),
  });
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
    const sim = await startSimulator({ port: 0, seed: options.seed });
    cleanups.push(() => sim.stop());

    const db = await startTestPostgres();
    cleanups.push(() => db.stop());
    await migrateUp({ databaseUrl: db.url });
    // One connection: PGlite serves a single session, and one is all a writer invocation needs.
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    cleanups.push(() => pool.end());

    const sqs = await startLocalSqs();
    cleanups.push(() => sqs.stop());
    const edgeWriter: EventSourcePoller = startEventSourcePoller({
      client: sqs.createClient(),
      queue: sqs.queues.edges,
      functionName: "edge-writer",
      handler: createEdgeWriterHandler({ db: pool, logger: logger.child({ service: "edge-writer" }) }),
      maximumBatchingWindowSeconds: 1,
      waitTimeSeconds: 1,
      logger,
    });
    cleanups.push(() => edgeWriter.stop());

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
        ...options.env,
      },
    });
    const uws = loadUws();
    const hotpath = await startHotpath({
      config,
      logger: logger.child({ service: "hotpath" }),
      uws,
      edgeSink: {
        queueUrl: sqs.queues.edges.url,
        region: sqs.region,
        endpoint: sqs.endpoint,
        credentials: LOCAL_SQS_CREDENTIALS,
        spoolDir: config.persistence.spoolDir,
      },
    });
    let hotpathStopped = false;
    cleanups.push(async () => {
      if (!hotpathStopped) await hotpath.stop();
    });

    const persistedEdges = async (): Promise<number> => {
      const result = await pool.query<{ n: string }>("SELECT count(*) AS n FROM edges WHERE boot_id = $1", [
        hotpath.bootId,
      ]);
      return Number(result.rows[0]?.n ?? 0);
    };

    return {
      sim,
      hotpath,
      sqs,
      db,
      hostUrl: `http://${config.host.bindAddress}:${hotpath.host.port}`,
      logger,
      persistedEdges,
      stop: async ({ drainTimeoutMs = 30_000 } = {}) => {
        await hotpath.stop();
        hotpathStopped = true;
        const flusher = hotpath.edgeSink?.flusher;
        const detected = flusher?.ring.pushed ?? 0;
        const dropped = flusher === undefined ? 0 : totalDropped(flusher.counters.dropped);
        // Wait until everything sent has been written (or the drain times out: the summary says so).
        const deadline = performance.now() + drainTimeoutMs;
        let persisted = await persistedEdges();
        while (persisted < detected - dropped && performance.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          persisted = await persistedEdges();
        }
        const pollerStats = edgeWriter.stats();
        const summary: LocalSystemSummary = {
          edges_detected: detected,
          edges_persisted: persisted,
          edges_dropped: dropped,
          edges_spooled: flusher?.counters.spooled ?? 0,
          intents: 0,
          fills_persisted: null,
          pnl_usdc: null,
          exposure_hype: null,
          sqs_requests: flusher?.counters.sqsRequests ?? 0,
          lambda_invocations: pollerStats.invocations,
          lambda_failed_records: pollerStats.failedRecords,
          postgres: db.engine,
          uws: uws.build,
        };
        await stopAll();
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
