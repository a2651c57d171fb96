/**
 * The rebalancer's acceptance (issue 7) against the simulator over its real wire and real Postgres: one
 * test per acceptance line, plus the tick guard's overlap rule and the Lambda entry's event handling.
 */

import type pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { ExchangeHttpClient } from "../../hotpath/exchange/http/httpClient.js";
import { createSigner } from "../../hotpath/exchange/signing/index.js";
import { asWireDecimal } from "../../hotpath/exchange/wire/brands.js";
import { migrateUp } from "../../lambdas/db/migrate.js";
import { AgentKeyError } from "../../lambdas/rebalancer/errors.js";
import { MasterKeyVerifier } from "../../lambdas/rebalancer/masterKey.js";
import { FAILURE_METRIC, METRIC_NAMESPACE } from "../../lambdas/rebalancer/metrics.js";
import { plan } from "../../lambdas/rebalancer/plan.js";
import { runRebalancerTick } from "../../lambdas/rebalancer/rebalancerTick.js";
import { readAccount } from "../../lambdas/rebalancer/accountReader.js";
import { createRebalancerHandler } from "../../lambdas/rebalancer/scheduledHandler.js";
import { tickIdOf } from "../../lambdas/rebalancer/tickStore.js";
import { lambdaContext } from "../persistence/edgeFixtures.js";
import { type TestPostgres, startTestPostgres } from "../support/postgres.js";
import { connectPool } from "./connectPool.js";
import { type Bench, TEST_POLICY, startBench } from "./rebalancerHarness.js";

interface RebalanceRow {
  tick_id: string;
  status: string;
  action: string;
  amount_usdc: string;
  reason: string | null;
  error: string | null;
  spot_usdc: string | null;
  perp_usdc: string | null;
  target_perp_usdc: string | null;
  transfer_nonce: string | null;
  exchange_response: unknown;
  inputs: unknown;
  plan: { bands: { perpLowUsdc: string; perpHighUsdc: string } | null; budget: unknown } | null;
}

describe("rebalancer against the simulator and Postgres", () => {
  let db: TestPostgres;
  let pool: pg.Pool;
  let bench: Bench | undefined;
  // Ticks 30 s apart from the present, so the simulator's nonce window (wall clock) accepts them.
  const baseMs = Math.floor(Date.now() / 30_000) * 30_000 + 1_000;
  let nextTick = 0;
  const freshTick = (): number => baseMs + 30_000 * nextTick++;

  beforeAll(async () => {
    db = await startTestPostgres();
    await migrateUp({ databaseUrl: db.url });
    // Two connections, so that concurrent deliveries meet in Postgres; PGlite serves one session only.
    pool = await connectPool({ connectionString: db.url, max: db.engine === "pglite" ? 1 : 2 });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.stop();
  });

  beforeEach(async () => {
    await pool.query("TRUNCATE transfers, rebalances");
  });

  afterEach(async () => {
    await bench?.stop();
    bench = undefined;
  });

  const rows = async (): Promise<RebalanceRow[]> =>
    (
      await pool.query<RebalanceRow>(
        `SELECT tick_id, status, action, amount_usdc::text, reason, error, spot_usdc::text, perp_usdc::text,
                target_perp_usdc::text, transfer_nonce::text, exchange_response, inputs, plan
         FROM rebalances ORDER BY tick_id`,
      )
    ).rows;
  const transferRows = async (): Promise<Record<string, string>[]> =>
    (
      await pool.query<Record<string, string>>(
        "SELECT transfer_id, kind, amount::text, tick_id, status FROM transfers",
      )
    ).rows;
  const transfersSent = (b: Bench) =>
    b.exchangeBodies.filter((body) => body.action.type === "usdClassTransfer");

  it("imbalanced: one transfer restores the bands, and the next tick leaves it there", async () => {
    bench = await startBench(pool, { spotUsdc: "5000", perpUsdc: "0" });
    const tick = freshTick();
    const result = await runRebalancerTick(bench.deps(), tick);

    // capital 5000; perp need 0 + 2 clips × 100 × 0.5 = 100, spot need 200; the rest 4700 goes to perp
    // in the clips' own proportion 0.5 : 1 → 4700 × 0.333333 = 1566.6651; target 1666.6651 → 1666.66.
    expect(result.outcome).toBe("transferred");
    expect(result.plan).toMatchObject({ action: "transfer", toPerp: true, amountUsdc: "1666.66" });
    expect(transfersSent(bench)).toHaveLength(1);
    expect(transfersSent(bench)[0]!.action).toMatchObject({ amount: "1666.66", toPerp: true });
    expect(await bench.perp()).toMatchObject({ accountValue: "1666.66" });
    expect(await bench.spot("USDC")).toMatchObject({ total: "3333.34" });

    const [row] = await rows();
    expect(row).toMatchObject({
      tick_id: tickIdOf(tick),
      status: "transferred",
      action: "spotToPerp",
      amount_usdc: "1666.66",
      reason: "restorePerp",
      spot_usdc: "5000",
      perp_usdc: "0",
      target_perp_usdc: "1666.6651",
      transfer_nonce: String(result.nonce),
      exchange_response: { status: "ok", response: { type: "default" } },
      error: null,
    });
    expect(row!.inputs).toMatchObject({ accountMode: "disabled", perp: { accountValue: "0" } });
    const bands = row!.plan!.bands!;
    expect(await transferRows()).toEqual([
      {
        transfer_id: `usdClassTransfer:${result.nonce}`,
        kind: "spotToPerp",
        amount: "1666.66",
        tick_id: tickIdOf(tick),
        status: "accepted",
      },
    ]);

    // Restored: the account now sits inside the bands the decision used, so the next tick does nothing.
    const after = Number((await bench.perp()).accountValue);
    expect(after).toBeGreaterThanOrEqual(Number(bands.perpLowUsdc));
    expect(after).toBeLessThanOrEqual(Number(bands.perpHighUsdc));
    const next = await runRebalancerTick(bench.deps(), freshTick());
    expect(next.outcome).toBe("noAction");
    expect(next.plan?.reason).toBe("withinBands");
    expect(transfersSent(bench)).toHaveLength(1);

    const line = bench.tickLines()[0]!;
    expect(line).toMatchObject({
      level: "INFO",
      outcome: "transferred",
      amountUsdc: "1666.66",
      toPerp: true,
      [FAILURE_METRIC]: 0,
      RebalancerTransfers: 1,
    });
  });

  it("balanced: nothing is sent, and the decision is recorded", async () => {
    bench = await startBench(pool, { spotUsdc: "3333.34", perpUsdc: "1666.66" });
    const result = await runRebalancerTick(bench.deps(), freshTick());

    expect(result.outcome).toBe("noAction");
    expect(result.plan).toMatchObject({
      action: "none",
      reason: "withinBands",
      amountUsdc: "0",
      toPerp: null,
    });
    expect(bench.exchangeBodies).toHaveLength(0);
    expect(await rows()).toEqual([
      expect.objectContaining({
        status: "noAction",
        action: "none",
        amount_usdc: "0",
        reason: "withinBands",
      }),
    ]);
    expect(await transferRows()).toEqual([]);
    expect(bench.tickLines()).toHaveLength(1);
  });

  it("the same tick twice (in sequence and at once): one transfer", async () => {
    bench = await startBench(pool, { spotUsdc: "5000", perpUsdc: "0" });
    const tick = freshTick();
    const first = await runRebalancerTick(bench.deps(), tick);
    const again = await runRebalancerTick(bench.deps(), tick + 20_000); // later, same 30 s slot
    expect([first.outcome, again.outcome]).toEqual(["transferred", "duplicate"]);

    const concurrent = freshTick();
    // Move the balance out of the band again so that the concurrent tick has something to do.
    bench.sim.fund([{ address: bench.master.address, USDC: "3000" }]);
    const both = await Promise.all([
      runRebalancerTick(bench.deps(), concurrent),
      runRebalancerTick(bench.deps(), concurrent),
    ]);
    expect(both.map((result) => result.outcome).sort()).toEqual(["duplicate", "transferred"]);

    expect(transfersSent(bench)).toHaveLength(2);
    expect((await rows()).map((row) => row.status)).toEqual(["transferred", "transferred"]);
    expect(await transferRows()).toHaveLength(2);
    const duplicates = bench.tickLines().filter((line) => line["outcome"] === "duplicate");
    expect(duplicates).toHaveLength(2);
    expect(duplicates[0]).toMatchObject({ level: "INFO", [FAILURE_METRIC]: 0 });
  });

  it("a rejected transfer: the error and the exchange's answer are recorded, the failure metric raised", async () => {
    bench = await startBench(pool, { spotUsdc: "5000", perpUsdc: "0" });
    bench.sim.admin!.faults.rejectNextActions(1, "Insufficient balance for token transfer");
    const result = await runRebalancerTick(bench.deps(), freshTick());

    expect(result.outcome).toBe("rejected");
    expect(result.error?.name).toBe("TransferRejectedError");
    expect(transfersSent(bench)).toHaveLength(1);
    expect(await bench.spot("USDC")).toMatchObject({ total: "5000" });
    const [row] = await rows();
    expect(row).toMatchObject({
      status: "rejected",
      action: "spotToPerp",
      amount_usdc: "1666.66",
      exchange_response: { status: "err", response: "Insufficient balance for token transfer" },
    });
    expect(row!.error).toContain("TransferRejectedError");
    expect(row!.error).toContain("Insufficient balance for token transfer");
    expect(await transferRows()).toEqual([]);

    const line = bench.tickLines()[0]!;
    expect(line).toMatchObject({
      level: "ERROR",
      outcome: "rejected",
      [FAILURE_METRIC]: 1,
      network: "mainnet",
    });
    expect(line["_aws"]).toMatchObject({
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [["network"]],
          Metrics: expect.arrayContaining([{ Name: FAILURE_METRIC, Unit: "Count" }]) as unknown,
        },
      ],
    });
  });

  it("no answer to the transfer: outcome unknown, never resent, recorded with its nonce, metric raised", async () => {
    bench = await startBench(pool, { spotUsdc: "5000", perpUsdc: "0" });
    // Reads reach the simulator; the transfer goes to a port nobody listens on.
    const deadExchange = new ExchangeHttpClient({
      infoUrl: bench.sim.info,
      exchangeUrl: "http://127.0.0.1:1/exchange",
      timeoutMs: 2_000,
    });
    try {
      const result = await runRebalancerTick(bench.deps({ exchange: deadExchange }), freshTick());
      expect(result.outcome).toBe("unknown");
      expect(result.error?.name).toBe("TransferOutcomeUnknownError");
      const [row] = await rows();
      expect(row).toMatchObject({
        status: "unknown",
        transfer_nonce: String(result.nonce),
        exchange_response: null,
      });
      expect(row!.error).toContain("outcome unknown");
      expect(bench.tickLines()[0]).toMatchObject({ level: "ERROR", outcome: "unknown", [FAILURE_METRIC]: 1 });
    } finally {
      deadExchange.close();
    }

    // Throttled (HTTP 429) never reached the chain: a rejection, not an unknown.
    bench.sim.admin!.faults.throttleNextRequests(1, "exchange");
    const throttled = await runRebalancerTick(bench.deps(), freshTick());
    expect(throttled.outcome).toBe("rejected");
    expect(throttled.error).toMatchObject({ name: "TransferRejectedError", code: "http429" });
    expect(throttled.exchangeResponse).toBeNull();
    expect(await bench.spot("USDC")).toMatchObject({ total: "5000" });
  });

  it("unified account: no transfer; the budget is reported", async () => {
    bench = await startBench(pool, { spotUsdc: "5000", perpUsdc: "0" });
    expect(bench.sim.admin!.setAccountMode(bench.master.address, "unified")).toMatchObject({ ok: true });
    const result = await runRebalancerTick(bench.deps(), freshTick());

    expect(result.outcome).toBe("noAction");
    expect(result.plan).toMatchObject({
      action: "none",
      reason: "sharedCollateral",
      budget: { collateralUsdc: "5000", heldUsdc: "0", freeUsdc: "5000", positionsNeedUsdc: "0" },
    });
    expect(bench.exchangeBodies).toHaveLength(0);
    const [row] = await rows();
    expect(row).toMatchObject({ status: "noAction", reason: "sharedCollateral", target_perp_usdc: null });
    expect(row!.plan!.budget).toMatchObject({ collateralUsdc: "5000" });
    expect(bench.tickLines()[0]).toMatchObject({ budget: { freeUsdc: "5000" }, outcome: "noAction" });
  });

  it("agent key: a clear typed error before anything is signed or sent", async () => {
    bench = await startBench(pool, { spotUsdc: "5000", perpUsdc: "0" });
    const agent = createSigner(`0x${"7c".repeat(32)}`);
    bench.sim.admin!.registerAgent(bench.master.address, agent.address);
    const result = await runRebalancerTick(
      bench.deps({ masterKey: agent, masterKeySource: "env HLB_MASTER_PRIVATE_KEY" }),
      freshTick(),
    );

    expect(result.outcome).toBe("failed");
    expect(result.error).toBeInstanceOf(AgentKeyError);
    expect((result.error as AgentKeyError).masterAddress).toBe(bench.master.address);
    expect(result.error?.message).toContain("agent key");
    expect(result.error?.message).toContain(bench.master.address);
    expect(result.error?.message).toContain("env HLB_MASTER_PRIVATE_KEY");
    expect(bench.exchangeBodies).toHaveLength(0);
    expect(await bench.spot("USDC")).toMatchObject({ total: "5000" });
    const [row] = await rows();
    expect(row).toMatchObject({ status: "failed", reason: "AgentKeyError", transfer_nonce: null });
    expect(row!.error).toContain("is an API wallet of");
    expect(bench.tickLines()[0]).toMatchObject({ level: "ERROR", outcome: "failed", [FAILURE_METRIC]: 1 });
  });

  it("open hedge: its collateral never leaves below the configured ratio, and HYPE is never sold", async () => {
    bench = await startBench(pool, { spotUsdc: "0", perpUsdc: "2000", hype: "20" });
    await bench.openShort("20");
    const opened = await bench.perp();
    expect(Number(opened.positionValue)).toBeGreaterThan(0);
    bench.exchangeBodies.length = 0;

    // Everything beyond the positions' need wants to go to spot: no clips, no share of the rest for perp.
    const greedy = {
      ...TEST_POLICY,
      clipsAhead: 0,
      restToPerpShare: asWireDecimal("0"),
      bandUsdc: asWireDecimal("0"),
    };
    const ratio = 0.5;
    const result = await runRebalancerTick(bench.deps({ policy: greedy }), freshTick());
    expect(result.outcome).toBe("transferred");
    expect(result.plan).toMatchObject({ toPerp: false, reason: "restoreSpot" });

    const need = Number(opened.positionValue) * ratio;
    const after = await bench.perp();
    expect(Number(after.accountValue)).toBeGreaterThanOrEqual(need);
    // It moved all it could: what is left above the need is less than one cent.
    expect(Number(after.accountValue) - need).toBeLessThan(0.01);
    expect(Number(result.plan!.target!.positionsNeedUsdc)).toBe(need);

    // A policy with an even greedier band still cannot take more: the next tick sends nothing.
    const next = await runRebalancerTick(bench.deps({ policy: greedy }), freshTick());
    expect(next.outcome).toBe("noAction");
    expect(Number((await bench.perp()).accountValue)).toBeGreaterThanOrEqual(need);

    expect(await bench.spot("HYPE")).toMatchObject({ total: "20", hold: "0" });
    expect(bench.exchangeBodies.map((body) => body.action.type)).toEqual(["usdClassTransfer"]);
    // The plan on the account as it now is agrees: nothing left to move.
    const now = plan(await readAccount(bench.http, bench.master.address), greedy);
    expect(now.action).toBe("none");
  });

  it("skips a tick while the previous one is still in flight", async () => {
    bench = await startBench(pool, { spotUsdc: "5000", perpUsdc: "0" });
    const earlier = freshTick();
    await pool.query(
      `INSERT INTO rebalances (tick_id, started_at, action, status, account_address)
       VALUES ($1, to_timestamp($2::double precision / 1000), 'spotToPerp', 'sending', $3)`,
      [tickIdOf(earlier), earlier, bench.master.address],
    );
    const result = await runRebalancerTick(bench.deps(), freshTick());
    expect(result.outcome).toBe("skipped");
    expect(bench.exchangeBodies).toHaveLength(0);
    expect((await rows()).map((row) => [row.status, row.reason])).toEqual([
      ["sending", null],
      ["skipped", "previousTickInFlight"],
    ]);
    expect(bench.tickLines()[0]).toMatchObject({ level: "WARN", blockingTickId: tickIdOf(earlier) });
  });

  it("the Lambda entry: the event's scheduled time is the tick, a redelivery is a duplicate, a late one is dropped", async () => {
    bench = await startBench(pool, { spotUsdc: "5000", perpUsdc: "0" });
    const scheduled = freshTick();
    let wall = scheduled + 300;
    const verifier = new MasterKeyVerifier();
    const deps = bench.deps({ keyVerifier: verifier });
    const handler = createRebalancerHandler({
      deps: () => Promise.resolve(deps),
      logger: bench.logger,
      network: "mainnet",
      maxDeliveryDelayMs: 60_000,
      now: () => wall,
    });
    const event = { time: new Date(scheduled).toISOString(), "detail-type": "Scheduled Event" };
    const first = await handler(event, lambdaContext("req-1"));
    wall = scheduled + 45_000; // redelivered in the next 30 s slot: still the same tick
    const second = await handler(event, lambdaContext("req-2"));
    const half = await handler({ ...event, offsetSeconds: 30 }, lambdaContext("req-3"));
    wall = scheduled + 5 * 60_000;
    const late = await handler({ time: new Date(scheduled + 60_000).toISOString() }, lambdaContext("req-4"));

    expect(first).toMatchObject({
      tickId: tickIdOf(scheduled),
      outcome: "transferred",
      amountUsdc: "1666.66",
    });
    expect(second).toMatchObject({ tickId: tickIdOf(scheduled), outcome: "duplicate" });
    expect(half).toMatchObject({ tickId: tickIdOf(scheduled + 30_000), outcome: "noAction" });
    expect(late).toMatchObject({ outcome: "stale" });
    expect(transfersSent(bench)).toHaveLength(1);
    expect(bench.tickLines().map((line) => line["requestId"])).toEqual(["req-1", "req-2", "req-3", "req-4"]);
    // The verified master key is reused across ticks: userRole (weight 60) was asked once.
    expect(bench.infoBodies.filter((body) => body.type === "userRole")).toHaveLength(1);
  });
});
