/**
 * The rebalancer Lambda's environment, and its real entry module (`handler.ts`) run once end to end: key
 * from an env secret source, pool and client built at module load, one tick against the simulator.
 */

import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { migrateUp } from "../../lambdas/db/migrate.js";
import { RebalancerConfigError, loadRebalancerConfig } from "../../lambdas/rebalancer/config.js";
import { scheduledTimeMs } from "../../lambdas/rebalancer/scheduledHandler.js";
import { lambdaContext } from "../persistence/edgeFixtures.js";
import { type TestPostgres, startTestPostgres } from "../support/postgres.js";
import { startBench } from "./rebalancerHarness.js";

const ARN = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:hlbasis/master";
const BASE = {
  DATABASE_URL: "postgres://u@h:5432/db",
  EXCHANGE_NETWORK: "mainnet",
  HLB_MASTER_KEY_SECRET_ARN: ARN,
};

describe("rebalancer configuration", () => {
  it("applies the defaults, mainnet endpoints and the Secrets Manager source (empty counts as unset)", () => {
    const config = loadRebalancerConfig({
      ...BASE,
      HLB_MASTER_KEY_SECRET_JSON_KEY: "privateKey",
      LOG_LEVEL: "",
    });
    expect(config).toEqual({
      database: { kind: "url", url: "postgres://u@h:5432/db" },
      logLevel: "info",
      dbPoolMax: 1,
      dbConnectTimeoutMs: 5_000,
      dbStatementTimeoutMs: 10_000,
      network: "mainnet",
      infoUrl: "https://api.hyperliquid.xyz/info",
      exchangeUrl: "https://api.hyperliquid.xyz/exchange",
      exchangeTimeoutMs: 10_000,
      masterKeySource: { awsSecretArn: ARN, jsonKey: "privateKey" },
      accountAddress: undefined,
      policy: {
        marginRatio: "0.5",
        clipNotionalUsdc: "100",
        clipsAhead: 2,
        restToPerpShare: undefined,
        bandUsdc: "50",
        minTransferUsdc: "10",
      },
      inFlightWindowMs: 120_000,
      roleRecheckMs: 3_600_000,
      maxDeliveryDelayMs: 60_000,
    });
  });

  it("reads the policy and an explicit endpoint pair, lower-cases the account address", () => {
    const config = loadRebalancerConfig({
      ...BASE,
      EXCHANGE_NETWORK: "testnet",
      EXCHANGE_INFO_URL: "http://127.0.0.1:9/info",
      EXCHANGE_EXCHANGE_URL: "http://127.0.0.1:9/exchange",
      ACCOUNT_ADDRESS: `0x${"AB".repeat(20)}`,
      REBALANCER_MARGIN_RATIO: "0.4",
      REBALANCER_CLIPS_AHEAD: "3",
      REBALANCER_REST_TO_PERP_SHARE: "0.25",
    });
    expect(config).toMatchObject({
      network: "testnet",
      infoUrl: "http://127.0.0.1:9/info",
      accountAddress: `0x${"ab".repeat(20)}`,
      policy: { marginRatio: "0.4", clipsAhead: 3, restToPerpShare: "0.25" },
    });
  });

  it("fails with a typed error naming what is wrong", () => {
    expect(() => loadRebalancerConfig({})).toThrow(RebalancerConfigError);
    expect(() => loadRebalancerConfig({ ...BASE, EXCHANGE_NETWORK: "" })).toThrow(
      /EXCHANGE_NETWORK is required/,
    );
    expect(() => loadRebalancerConfig({ ...BASE, HLB_MASTER_KEY_SECRET_ARN: "" })).toThrow(/HLB_MASTER_KEY/);
    expect(() => loadRebalancerConfig({ ...BASE, HLB_MASTER_KEY_ENV: "MASTER" })).toThrow(/not both/);
    expect(() => loadRebalancerConfig({ ...BASE, REBALANCER_MARGIN_RATIO: "0" })).toThrow(
      /REBALANCER_MARGIN_RATIO/,
    );
    expect(() => loadRebalancerConfig({ ...BASE, EXCHANGE_INFO_URL: "http://x/info" })).toThrow(/both/);
  });

  it("takes the tick from the event's scheduled time and offset, else from the clock", () => {
    const at = Date.UTC(2026, 7, 20, 10, 15, 0);
    expect(scheduledTimeMs({ time: "2026-08-20T10:15:00Z" }, 1)).toBe(at);
    expect(scheduledTimeMs({ time: "2026-08-20T10:15:00Z", offsetSeconds: 30 }, 1)).toBe(at + 30_000);
    expect(scheduledTimeMs({ time: "2026-08-20T10:15:00Z", offsetSeconds: "30" }, 1)).toBe(at);
    expect(scheduledTimeMs({ time: "soon" }, 42)).toBe(42);
    expect(scheduledTimeMs(undefined, 42)).toBe(42);
  });
});

describe("rebalancer Lambda module (handler.ts)", () => {
  let db: TestPostgres;

  beforeAll(async () => {
    db = await startTestPostgres();
    await migrateUp({ databaseUrl: db.url });
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await db?.stop();
  });

  it("resolves the master key from its source and runs a tick", async () => {
    // The module opens its own pool; the test holds no connection (PGlite serves one session).
    const bench = await startBench(null, { spotUsdc: "5000", perpUsdc: "0" });
    try {
      const keyHex = `0x${randomBytes(32).toString("hex")}`;
      // The bench's own key, handed over the way an operator would: through a named variable.
      const { createSigner } = await import("../../hotpath/exchange/signing/index.js");
      const signer = createSigner(keyHex);
      bench.sim.fund([{ address: signer.address, USDC: "5000" }]);
      const env = {
        DATABASE_URL: db.url,
        EXCHANGE_NETWORK: "mainnet",
        EXCHANGE_INFO_URL: bench.sim.info,
        EXCHANGE_EXCHANGE_URL: bench.sim.exchange,
        HLB_MASTER_KEY_ENV: "TEST_REBALANCER_MASTER_KEY",
        TEST_REBALANCER_MASTER_KEY: keyHex,
        LOG_LEVEL: "silent",
      };
      for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
      const { handler } = await import("../../lambdas/rebalancer/handler.js");
      const result = await handler({ time: new Date().toISOString() }, lambdaContext("req-module"));
      expect(result).toMatchObject({
        outcome: "transferred",
        action: "transfer",
        amountUsdc: "1666.66",
        error: null,
      });
      const sent = bench.exchangeBodies.filter((body) => body.action.type === "usdClassTransfer");
      expect(sent).toHaveLength(1);
    } finally {
      await bench.stop();
    }
  });
});
