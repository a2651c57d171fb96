/**
 * Start-up and periodic reconciliation against the simulator over its real HTTP API: trade as the executor
 * would (journal, sign, send, journal the outcome), restart, reconcile; then make the account drift behind
 * the bot's back and check that reconciliation refuses with the reason.
 */

import { afterEach, describe, expect, it } from "vitest";

import { add, formatDecimal, parseDecimal, sub } from "../../hotpath/exchange/decimal/decimal.js";
import type { Mismatch } from "../../hotpath/execution/reconcile/mismatch.js";
import { ReconciliationError } from "../../hotpath/execution/reconcile/errors.js";
import {
  type MismatchReport,
  PeriodicReconciler,
  type PollOutcome,
} from "../../hotpath/execution/reconcile/periodicReconciler.js";
import {
  reconcileAtStartup,
  type StartupReconciliation,
  type StartupReconcilerOptions,
} from "../../hotpath/execution/reconcile/startupReconciler.js";
import { type DeskOptions, SimDesk } from "./reconcile.simSupport.js";

const desks: SimDesk[] = [];
afterEach(async () => {
  for (const desk of desks.splice(0)) await desk.stop();
});

async function desk(options: DeskOptions = {}): Promise<SimDesk> {
  const started = await SimDesk.start(options);
  desks.push(started);
  return started;
}

/** Restarts the journal and reconciles, as the process does at start-up. */
function restart(
  trading: SimDesk,
  overrides: Partial<StartupReconcilerOptions> = {},
): Promise<StartupReconciliation> {
  const { journal, recovery } = trading.openJournal();
  return reconcileAtStartup({
    http: trading.http,
    address: trading.master.address,
    markets: trading.markets,
    accountMode: "standard",
    journal,
    recovery,
    checkpoints: trading.checkpoints,
    ...overrides,
  });
}

async function refusal(promise: Promise<unknown>): Promise<readonly Mismatch[]> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(ReconciliationError);
  return (error as ReconciliationError).mismatches;
}

describe("start-up reconciliation against the simulator", () => {
  it("adopts the balances on a first start, then explains a journaled trade, funding and a transfer after restarts", async () => {
    const trading = await desk({ fundingAcceleration: 3_600 });
    const first = await restart(trading);
    expect(first.baseline).toBe("adopted");
    expect(first.positions[0]).toMatchObject({ coin: "HYPE", perp: "0", spot: "0", direction: null });
    expect(first.balances).toMatchObject({ usdc: "10000", usdcSpot: "5000", usdcPerpCollateral: "5000" });

    await trading.openBasis({ size: "0.5" });
    trading.sim.market.step(30); // 2.1 s of simulated time: two funding settlements at 3 600× speed
    const second = await restart(trading);
    expect(second.baseline).toBe("checkpoint");
    expect(second.explained.fills).toHaveLength(2);
    expect(second.explained.funding).toBeGreaterThanOrEqual(1);
    const spotFill = second.explained.fills.find((fill) => fill.coin === "@107");
    expect(spotFill?.feeToken).toBe("HYPE");
    const position = second.positions[0];
    expect(position).toMatchObject({ coin: "HYPE", perp: "-0.5", direction: "perpRich" });
    // The spot leg holds what was bought minus the fee the exchange took in HYPE, on top of the 2 funded.
    const net = sub(parseDecimal("0.5"), parseDecimal(spotFill?.fee ?? "0"));
    expect(position?.spot).toBe(formatDecimal(net));
    expect(second.balances.tokens[0]?.total).toBe(formatDecimal(add(parseDecimal("2"), net)));

    const moved = await trading.transfer("100", true);
    expect(moved.status).toBe("ok");
    const third = await restart(trading);
    expect(third.explained.fills).toHaveLength(0);
    expect(third.balances.usdcSpot).not.toBe(second.balances.usdcSpot);
    expect(third.balances.usdc).toBe(second.balances.usdc);
  });

  it("attributes the fills of a position opened and closed since the checkpoint to the journal's closed intents", async () => {
    const trading = await desk();
    await restart(trading);
    const { intent } = await trading.openBasis({ size: "0.5" });
    trading.sim.market.step(3);
    await trading.closeBasis(intent.positionId, "0.5", "0.49");
    expect(trading.journal.state(intent.intentId)?.status).toBe("hedged");
    trading.journal.appendPositionClosed(intent.positionId, Date.now());
    const restarted = await restart(trading);
    expect(trading.journal.openIntents()).toHaveLength(0);
    expect(restarted.explained.fills).toHaveLength(4);
    expect(restarted.positions[0]).toMatchObject({ perp: "0", spot: "0", direction: null });
  });

  it("refuses when a resting order placed directly on the exchange is not in the journal", async () => {
    const trading = await desk();
    await restart(trading);
    await trading.openBasis();
    const placed = await trading.manualOrder({
      market: "perp",
      isBuy: true,
      px: "20",
      size: "1",
      tif: "Gtc",
    });
    expect(JSON.stringify(placed)).toContain("resting");
    const mismatches = await refusal(restart(trading));
    expect(mismatches.map((mismatch) => mismatch.kind)).toEqual(["restingOrder"]);
    expect(mismatches[0]?.message).toMatch(
      /^resting order oid \d+ \(cloid 0x[0-9a-f]{32}\) buy 1 of 1 HYPE @ 20 is not in the journal$/,
    );
    // Nothing of it is checkpointed: the next start still refuses.
    await refusal(restart(trading));
  });

  it("refuses on a manual trade with another cloid and on a deposit, saying what and how much", async () => {
    const trading = await desk();
    await restart(trading);
    await trading.openBasis();
    const { perpBid } = await trading.touch();
    const sold = await trading.manualOrder({
      market: "perp",
      isBuy: false,
      px: String(Math.floor(Number(perpBid) * 0.98)),
      size: "0.3",
      tif: "Ioc",
    });
    expect(JSON.stringify(sold)).toContain("filled");
    trading.admin.fund(trading.master.address, { USDC: "250" });
    const mismatches = await refusal(restart(trading));
    const byKind = new Map(mismatches.map((mismatch) => [mismatch.kind, mismatch]));
    expect([...byKind.keys()].sort()).toEqual(["foreignFill", "perpPosition", "usdcBalance"]);
    expect(byKind.get("foreignFill")?.message).toContain("HYPE sell 0.3");
    expect(byKind.get("foreignFill")?.message).toContain("is not from any journaled order");
    expect(byKind.get("perpPosition")?.message).toBe(
      "perp HYPE position on the exchange -0.8, the journal's open intents explain -0.5 (difference -0.3)",
    );
    // The manual fill's cash is counted (it is a fill); the deposit is what nothing explains.
    expect(byKind.get("usdcBalance")?.message).toContain("(difference 250)");
  });

  it("refuses on a spot balance the fills do not explain (a HYPE deposit)", async () => {
    const trading = await desk();
    await restart(trading);
    await trading.openBasis();
    trading.admin.fund(trading.master.address, { HYPE: "0.25" });
    const mismatches = await refusal(restart(trading));
    expect(mismatches.map((mismatch) => mismatch.kind)).toEqual(["spotBalance"]);
    expect(mismatches[0]?.message).toContain("(difference 0.25)");
  });

  it("after a crash between send and response, probes by cloid, journals the fills, and passes", async () => {
    const trading = await desk();
    await restart(trading);
    const { intent } = await trading.openBasis({ outcome: "crash" });
    const restarted = await restart(trading);
    expect(restarted.probes.map((probe) => [probe.outcome, probe.status])).toEqual([
      ["settled", "filled"],
      ["settled", "filled"],
    ]);
    expect(restarted.journaledFills).toBeGreaterThanOrEqual(2);
    expect(restarted.positions[0]).toMatchObject({ perp: "-0.5", direction: "perpRich" });
    const state = trading.journal.state(intent.intentId);
    expect(state?.status).toBe("hedged");
    expect(state?.orders.every((order) => order.fills.tids.length > 0)).toBe(true);
  });

  it("waits for an order that never left to expire, then settles it as not found", async () => {
    const trading = await desk();
    await restart(trading);
    const { intent } = await trading.openBasis({ outcome: "unsent", lifetimeMs: 300 });
    const restarted = await restart(trading, { clockSkewMs: 50, maxProbeWaitMs: 5_000 });
    expect(restarted.probes.map((probe) => [probe.answer, probe.status])).toEqual([
      ["not found", "rejected"],
      ["not found", "rejected"],
    ]);
    expect(trading.journal.state(intent.intentId)?.status).toBe("rejected");
    expect(restarted.positions[0]?.perp).toBe("0");
  });

  it("refuses to wait past maxProbeWaitMs for an unsent order's expiry, and says when to retry", async () => {
    const trading = await desk();
    await restart(trading);
    await trading.openBasis({ outcome: "unsent", lifetimeMs: 60_000 });
    const mismatches = await refusal(restart(trading, { maxProbeWaitMs: 100 }));
    expect(mismatches.map((mismatch) => mismatch.kind)).toEqual(["unknownOutcome", "unknownOutcome"]);
    expect(mismatches[0]?.message).toContain('the exchange answers "not found" and it expires at');
  });

  it("checks a unified account's USDC as one pool, and refuses when configured for the other mode", async () => {
    const trading = await desk({ unified: true });
    const first = await restart(trading, { accountMode: "unified" });
    expect(first.balances).toMatchObject({ accountMode: "unified", usdc: "5000", usdcPerpCollateral: null });
    await trading.openBasis();
    const second = await restart(trading, { accountMode: "unified" });
    expect(second.positions[0]).toMatchObject({ perp: "-0.5", direction: "perpRich" });
    expect(second.balances.usdc).toBe(second.balances.usdcSpot);
    const mismatches = await refusal(restart(trading, { accountMode: "standard" }));
    expect(mismatches.map((mismatch) => mismatch.kind)).toContain("accountMode");
  });
});

describe("PeriodicReconciler against the simulator", () => {
  async function running(trading: SimDesk, maxConsecutiveMisses = 5) {
    const start = await restart(trading);
    const reports: MismatchReport[] = [];
    const polls: PollOutcome[] = [];
    const reconciler = new PeriodicReconciler({
      http: trading.http,
      address: trading.master.address,
      markets: trading.markets,
      accountMode: "standard",
      intervalMs: 60_000,
      window: start.window,
      expected: () => ({ inventory: start.inventory, openIntents: trading.journal.openIntents() }),
      onMismatch: (report) => reports.push(report),
      onPoll: (outcome) => polls.push(outcome),
      checkpoints: trading.checkpoints,
      maxConsecutiveMisses,
    });
    return { reconciler, reports, polls, start };
  }

  it("passes while the account matches, explains fills the executor has not counted, and flags a deposit", async () => {
    const trading = await desk();
    const { reconciler, reports } = await running(trading);
    expect(await reconciler.runOnce()).toMatchObject({ kind: "ok", uncountedFills: 0 });
    // The executor's inventory has not counted these fills yet (the feed is late): explained, not flagged.
    await trading.openBasis();
    expect(await reconciler.runOnce()).toMatchObject({ kind: "ok", uncountedFills: 2 });
    trading.admin.fund(trading.master.address, { USDC: "40" });
    const outcome = await reconciler.runOnce();
    expect(outcome.kind).toBe("mismatch");
    expect(reports).toHaveLength(1);
    expect(reports[0]?.mismatches.map((mismatch) => mismatch.kind)).toEqual(["usdcBalance"]);
    expect(reports[0]?.mismatches[0]?.message).toContain("(difference 40)");
    expect(reconciler.stats).toMatchObject({ polls: 3, ok: 2, mismatches: 1 });
  });

  it("flags a resting order placed behind its back", async () => {
    const trading = await desk();
    const { reconciler, reports } = await running(trading);
    await trading.manualOrder({ market: "spot", isBuy: true, px: "20", size: "1", tif: "Gtc" });
    await reconciler.runOnce();
    expect(reports[0]?.mismatches.map((mismatch) => mismatch.kind)).toEqual(["restingOrder"]);
  });

  it("skips a poll while an order is in flight, and flags a check that cannot run for too long", async () => {
    const trading = await desk();
    const { reconciler, reports, polls } = await running(trading, 2);
    await trading.openBasis({ outcome: "unsent", lifetimeMs: 60_000 });
    expect(await reconciler.runOnce()).toMatchObject({ kind: "busy" });
    expect(reports).toHaveLength(0);
    expect(await reconciler.runOnce()).toMatchObject({ kind: "busy" });
    expect(reports[0]?.mismatches[0]).toMatchObject({ kind: "notReconciled", polls: 2 });
    expect(reports[0]?.mismatches[0]?.message).toContain("is in flight");
    expect(polls.map((poll) => poll.kind)).toEqual(["busy", "busy"]);
  });

  it("counts read failures (HTTP 429) as misses", async () => {
    const trading = await desk();
    const { reconciler, reports } = await running(trading, 2);
    trading.admin.faults.throttleNextRequests(50, "info");
    expect(await reconciler.runOnce()).toMatchObject({ kind: "failed" });
    expect(await reconciler.runOnce()).toMatchObject({ kind: "failed" });
    expect(reports[0]?.mismatches[0]?.message).toContain("HTTP 429");
    trading.admin.faults.clear();
    expect(await reconciler.runOnce()).toMatchObject({ kind: "ok" });
  });

  it("runs on its timer and stops cleanly", async () => {
    const trading = await desk();
    const start = await restart(trading);
    const polls: PollOutcome[] = [];
    const reconciler = new PeriodicReconciler({
      http: trading.http,
      address: trading.master.address,
      markets: trading.markets,
      accountMode: "standard",
      intervalMs: 20,
      window: start.window,
      expected: () => ({ inventory: start.inventory, openIntents: trading.journal.openIntents() }),
      onMismatch: () => undefined,
      onPoll: (outcome) => polls.push(outcome),
    });
    reconciler.start();
    await expect.poll(() => polls.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    await reconciler.stop();
    const after = polls.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(polls.length).toBe(after);
    expect(polls.every((poll) => poll.kind === "ok")).toBe(true);
  });
});
