/**
 * The trade-writer Lambda's entry point (`handler`), for the trades queue (SQS FIFO, with
 * `ReportBatchItemFailures` enabled on the event source mapping and a redrive policy to a FIFO DLQ).
 *
 * The configuration, logger and `pg` pool are created once per execution environment, at module load,
 * and reused by every invocation (a connection per cold start, not per batch). Environment variables are
 * listed in lambdas/README.md.
 */

import pg from "pg";

import { createLogger } from "../../hotpath/observability/logger.js";
import { databaseConnection, databaseSourceOf } from "../db/lambdaEnv.js";
import { loadTradeWriterConfig } from "./config.js";
import { createTradeWriterHandler } from "./tradeWriter.js";

const config = loadTradeWriterConfig();
const logger = createLogger({ service: "trade-writer", level: config.LOG_LEVEL });

const pool = new pg.Pool({
  ...(await databaseConnection(databaseSourceOf(config))),
  max: config.DB_POOL_MAX,
  connectionTimeoutMillis: config.DB_CONNECT_TIMEOUT_MS,
  statement_timeout: config.DB_STATEMENT_TIMEOUT_MS,
  // Lambda freezes idle environments; drop idle connections rather than find them dead later.
  idleTimeoutMillis: 60_000,
});
// An idle client losing its server (failover, restart) emits here; without a listener the process dies.
// The pool discards that client and the next query connects afresh.
pool.on("error", (error) => {
  logger.warn({ err: error }, "idle postgres connection lost");
});

export const handler = createTradeWriterHandler({ db: pool, logger });
