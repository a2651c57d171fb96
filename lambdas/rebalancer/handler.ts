/**
 * The rebalancer Lambda's entry point (`handler`), invoked on a 30-second schedule (EventBridge, or a Step
 * Functions workflow that invokes it twice a minute; see scheduledHandler.ts for the event shapes).
 *
 * Configuration, logger, `pg` pool and exchange client are created once per execution environment, at
 * module load; the master key is fetched (Secrets Manager, or an env variable locally) on the first
 * invocation and kept — a failed fetch is retried by the next one. Environment: lambdas/README.md.
 */

import pg from "pg";

import { resolvePrivateKey } from "../../hotpath/config/resolve-secret.js";
import { ExchangeHttpClient } from "../../hotpath/exchange/http/httpClient.js";
import { createSigner } from "../../hotpath/exchange/signing/index.js";
import { createLogger } from "../../hotpath/observability/logger.js";
import { databaseConnection } from "../db/lambdaEnv.js";
import { loadRebalancerConfig } from "./config.js";
import { MasterKeyVerifier } from "./masterKey.js";
import type { RebalancerDeps } from "./rebalancerTick.js";
import { createRebalancerHandler } from "./scheduledHandler.js";
import { TickStore } from "./tickStore.js";

const config = loadRebalancerConfig();
const logger = createLogger({ service: "rebalancer", level: config.logLevel });

const pool = new pg.Pool({
  ...(await databaseConnection(config.database)),
  max: config.dbPoolMax,
  connectionTimeoutMillis: config.dbConnectTimeoutMs,
  statement_timeout: config.dbStatementTimeoutMs,
  // Lambda freezes idle environments; drop idle connections rather than find them dead later.
  idleTimeoutMillis: 60_000,
});
// An idle client losing its server emits here; without a listener the process dies.
pool.on("error", (error) => {
  logger.warn({ err: error }, "idle postgres connection lost");
});

const exchange = new ExchangeHttpClient({
  infoUrl: config.infoUrl,
  exchangeUrl: config.exchangeUrl,
  timeoutMs: config.exchangeTimeoutMs,
});
const keyVerifier = new MasterKeyVerifier(config.roleRecheckMs);
const tickStore = new TickStore(pool, { inFlightWindowMs: config.inFlightWindowMs });

let deps: Promise<RebalancerDeps> | undefined;

async function buildDeps(): Promise<RebalancerDeps> {
  const secret = await resolvePrivateKey(config.masterKeySource);
  return {
    db: pool,
    exchange,
    masterKey: createSigner(secret.reveal()),
    masterKeySource: secret.description,
    network: config.network,
    policy: config.policy,
    logger,
    accountAddress: config.accountAddress,
    keyVerifier,
    tickStore,
  };
}

export const handler = createRebalancerHandler({
  deps: () => {
    deps ??= buildDeps().catch((error: unknown) => {
      deps = undefined;
      throw error;
    });
    return deps;
  },
  logger,
  network: config.network,
  maxDeliveryDelayMs: config.maxDeliveryDelayMs,
});
