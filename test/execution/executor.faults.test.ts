/**
 * The executor under the simulator's fault injection (acceptance 2–4 of issue 5): a rejected leg is hedged
 * or, when the hedge fails too, the filled leg is unwound (reduce-only); a partial fill is hedged by the
 * cumulative quantity; a lost answer leaves the outcome unknown, stops every new intent, and is settled by
 * a probe by cloid — and no order is ever sent twice (the simulator's gateway records every cloid).
 */

import { afterEach, describe, expect, it } from "vitest";

import type { Intent } from "../../hotpath/execution/intent.js";
import { PERP_RICH_SHOCKS, startHarness, type Harness } from "./executorHarness.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const SPOT_REFUSAL = "Insufficient spot balance asset=10107";

function followUpsOf(h: Harness, root: Intent): readonly Intent[] {
  return h.journal.state(root.intentId)?.followUps ?? [];
}

function expectNothingSentTwice(h: Harness): void {
  expect(h.receivedCloids.length).toBeGreaterThan(0);
  expect(new Set(h.receivedCloids).size).toBe(h.receivedCloids.length);
}

/** |perp + spot net| in base units: what the bot's own fills leave unhedged. */
function residual(h: Harness): number {
  return Math.abs(h.executor.exposure()[0]!.netBase);
}

async function firstOpen(h: Harness): Promise<Intent> {
  await h.stepUntil("an open", () => h.executor.stats.rootIntents >= 1, 3_000);
  return h.traded[0]!.intent;
}

describe("a leg the exchange rejects", () => {
  it("is hedged by the cumulative filled quantity of the other, within a second", async () => {
    const h = (harness = await startHarness({ seed: 4, basis: PERP_RICH_SHOCKS }));
    h.sim.faults.rejectOrders(1, SPOT_REFUSAL, h.market.spot.assetId);
    const root = await firstOpen(h);
    const market = h.executor.marketState("HYPE")!;
    await h.settle("the root to resolve", () => !market.risk.intentInFlight);

    const state = h.journal.state(root.intentId)!;
    expect(state.status).toBe("hedged");
    const [hedge] = followUpsOf(h, root);
    expect(hedge).toMatchObject({ action: "hedge", parentIntentId: root.intentId });
    // The spot leg was refused outright; the perp sold 0.99: the hedge buys the root's spot size for it.
    expect(hedge!.legs.map((leg) => [leg.market, leg.side, leg.size, leg.reduceOnly])).toEqual([
      ["spot", "buy", root.legs[1]!.size, false],
    ]);
    expect(hedge!.createdAtMs - root.createdAtMs).toBeLessThan(1_000);
    expect(market.position).toMatchObject({ direction: "perpRich", perpLots: 99, spotLots: 99 });
    expect(residual(h)).toBeLessThan(0.01);
    expectNothingSentTwice(h);
  });

  it("unwinds the filled leg reduce-only when the hedge is refused too; nothing naked is left", async () => {
    const h = (harness = await startHarness({ seed: 4, basis: PERP_RICH_SHOCKS }));
    h.sim.faults.rejectOrders(2, SPOT_REFUSAL, h.market.spot.assetId);
    const root = await firstOpen(h);
    const market = h.executor.marketState("HYPE")!;
    await h.stepUntil("the position to be flattened and closed", () => market.positionId === null, 100);

    // Only the perp ever filled: sold by the root, bought back by the unwind.
    const fills = h.sim.core.userFills(h.master.address);
    expect(fills.map((fill) => [fill.coin, fill.side])).toEqual([
      [h.market.perp.coin, "B"],
      [h.market.perp.coin, "A"],
    ]);
    const [hedge, unwind] = recorded(h, root);
    expect(hedge?.action).toBe("hedge");
    expect(unwind?.action).toBe("unwind");
    expect(unwind!.legs.map((leg) => [leg.market, leg.side, leg.size, leg.reduceOnly])).toEqual([
      ["perp", "buy", root.legs[0]!.size, true],
    ]);
    expect(market.position.direction).toBeNull();
    expect(h.executor.pnl().markets[0]!.perpQty).toBe("0");
    expect(residual(h)).toBeLessThan(0.01);
    expect(h.journal.openIntents()).toEqual([]);
    expectNothingSentTwice(h);
  });

  it("hedges a partial fill by the cumulative quantity", async () => {
    const h = (harness = await startHarness({ seed: 4, basis: PERP_RICH_SHOCKS }));
    h.sim.faults.partialFills(h.market.spot.assetId, 1, 0.5);
    const root = await firstOpen(h);
    const market = h.executor.marketState("HYPE")!;
    await h.settle("the root to resolve", () => !market.risk.intentInFlight);

    const state = h.journal.state(root.intentId)!;
    expect(state.status).toBe("hedged");
    const spotOrder = state.orders.find((order) => order.cloid === root.legs[1]!.cloid)!;
    expect(spotOrder.status).toBe("partial");
    const [hedge] = state.followUps;
    expect(hedge!.legs.map((leg) => [leg.market, leg.side, leg.size])).toEqual([["spot", "buy", "0.5"]]);
    expect(market.position).toMatchObject({ direction: "perpRich", perpLots: 99, spotLots: 99 });
    expect(residual(h)).toBeLessThan(0.01);
    expectNothingSentTwice(h);
  });
});

/** The follow-ups of `root` as they were journaled (the journal forgets them once the position closed). */
function recorded(h: Harness, root: Intent): Intent[] {
  return h.intents.filter((intent) => intent.parentIntentId === root.intentId);
}

describe("an answer that never comes", () => {
  it("leaves the outcome unknown, stops new intents, and is settled by a probe — never resent", async () => {
    let dropped = false;
    const h = (harness = await startHarness({
      seed: 4,
      basis: PERP_RICH_SHOCKS,
      // The order socket (and the feed's) closes the moment both legs are written: no answer can come.
      afterWrite: (sim) => {
        if (dropped) return;
        dropped = true;
        sim.faults.dropConnections();
      },
    }));
    const root = await firstOpen(h);
    await h.settle("the outcome to become unknown", () => h.executor.accountRisk.outcomeUnknown);
    const state = h.journal.state(root.intentId)!;
    expect(state.orders.map((order) => order.status)).toEqual(["unknown", "unknown"]);

    // While unknown, the rich edge is skipped (outcomeUnknown), nothing new is sent.
    const sentBefore = h.receivedCloids.length;
    const skipsBefore = h.outcomes.length;
    await h.step(20);
    expect(h.executor.accountRisk.outcomeUnknown).toBe(true);
    expect(h.executor.stats.rootIntents).toBe(1);
    expect(h.receivedCloids.length).toBe(sentBefore);
    const skipped = h.outcomes.slice(skipsBefore).map((entry) => entry.outcome);
    expect(skipped).toContainEqual(expect.objectContaining({ kind: "skip", reason: "outcomeUnknown" }));

    // Past expiresAfter (3 s of simulated time) the probes settle both legs.
    await h.stepUntil("the probes to settle the legs", () => !h.executor.accountRisk.outcomeUnknown, 200);
    expect(h.executor.probesSent).toBeGreaterThanOrEqual(2);
    const received = h.receivedCloids.filter((cloid) => root.legs.some((leg) => leg.cloid === cloid));
    if (received.length === 0) {
      // The socket closed before the simulator read the post (the usual case): the exchange never saw either
      // leg, the probes found nothing after expiry, the root ended rejected and its empty position closed.
      for (const leg of root.legs) {
        expect(h.sim.core.orderStatus(h.master.address, leg.cloid)).toEqual({ status: "unknownOid" });
      }
      expect(h.journal.state(root.intentId)).toBeUndefined();
      expect(h.executor.pnl().positions.find((p) => p.positionId === root.positionId)?.fills ?? 0).toBe(0);
    } else {
      // The simulator read the post just before the close: the probes found what it executed, and every
      // fill it made is the executor's too (read back or from the stream's snapshot).
      expect(received).toHaveLength(2);
      const fills = h.sim.core.userFills(h.master.address);
      await h.settle("every fill", () => h.executor.pnl().total.fills === fills.length);
    }
    expect(h.executor.stats.illegalEvents).toBe(0);

    // Trading resumes with new cloids; the lost ones are never sent (again).
    await h.stepUntil("a new intent", () => h.executor.stats.rootIntents >= 2, 3_000);
    await h.step(2);
    for (const leg of root.legs) {
      expect(h.receivedCloids.filter((cloid) => cloid === leg.cloid).length).toBe(
        received.length === 0 ? 0 : 1,
      );
    }
    expectNothingSentTwice(h);
  });

  it("a dropped answer: the exchange's order updates settle the legs, nothing is resent", async () => {
    const h = (harness = await startHarness({ seed: 4, basis: PERP_RICH_SHOCKS, postTimeoutMs: 300 }));
    h.sim.faults.dropPosts({ count: 1 });
    const root = await firstOpen(h);
    const market = h.executor.marketState("HYPE")!;
    await h.settle("the root to resolve", () => !market.risk.intentInFlight);
    expect(h.journal.state(root.intentId)?.status).toBe("hedged");
    expect(h.executor.accountRisk.outcomeUnknown).toBe(false);
    expect(h.receivedCloids.filter((cloid) => root.legs.some((leg) => leg.cloid === cloid))).toHaveLength(2);
    expectNothingSentTwice(h);
  });

  it("with the socket down orders go over HTTP only; a refused request is unknown until probed", async () => {
    const h = (harness = await startHarness({ seed: 4, basis: PERP_RICH_SHOCKS, orderSocketDown: true }));
    // The first order action is answered 429 without being executed: its outcome cannot be known.
    h.sim.faults.http429({ count: 1 }, ["exchange"]);
    const root = await firstOpen(h);
    await h.settle("the outcome to become unknown", () => h.executor.accountRisk.outcomeUnknown);
    expect(h.executor.httpFallbacks).toBe(1);
    expect(h.receivedCloids).toEqual([]); // the 429 came before the gateway

    await h.step(20);
    expect(h.executor.stats.rootIntents).toBe(1);
    await h.stepUntil("the probes to settle it", () => !h.executor.accountRisk.outcomeUnknown, 200);
    expect(h.executor.probesSent).toBeGreaterThanOrEqual(2);
    for (const leg of root.legs) {
      expect(h.sim.core.orderStatus(h.master.address, leg.cloid)).toEqual({ status: "unknownOid" });
    }
    expect(h.journal.state(root.intentId)).toBeUndefined(); // rejected after expiry; its empty position closed

    // The next open goes over HTTP too and fills; with no account stream its fills are read back.
    const market = h.executor.marketState("HYPE")!;
    await h.stepUntil("a second open", () => h.executor.stats.rootIntents >= 2, 3_000);
    await h.stepUntil("it to resolve", () => !market.risk.intentInFlight, 200);
    expect(h.executor.httpFallbacks).toBe(2);
    expect(h.executor.stats.fillReadBacks).toBeGreaterThanOrEqual(1);
    expect(h.executor.pnl().total.fills).toBe(h.sim.core.userFills(h.master.address).length);
    expect(market.position.direction).toBe("perpRich");
    expectNothingSentTwice(h);
  });
});
