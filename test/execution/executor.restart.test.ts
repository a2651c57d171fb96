/**
 * A restart of the trading process over the same journal (in-process: the executor, journal and nonce
 * allocator shut down and boot again, the simulator keeps running): the new executor restores the held
 * position from the journal and closes it later; an intent whose answer was lost with the old process is
 * unknown after the restart, blocks every new intent, and is settled by probing its cloids — never resent.
 */

import { afterEach, describe, expect, it } from "vitest";

import type { Intent } from "../../hotpath/execution/intent.js";
import { PERP_RICH_SHOCKS, startHarness, type Harness } from "./executorHarness.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("restart", () => {
  it("restores a held position from the journal and closes it on convergence", async () => {
    const h = (harness = await startHarness({ seed: 4, basis: PERP_RICH_SHOCKS }));
    const state = () => h.executor.marketState("HYPE")!;
    await h.stepUntil(
      "a position",
      () => state().position.direction !== null && !state().risk.intentInFlight,
      3_000,
    );
    const before = {
      positionId: state().positionId,
      direction: state().position.direction,
      perpLots: state().position.perpLots,
      spotLots: state().position.spotLots,
      holdings: h.executor.pnl().markets[0],
    };

    await h.restart();
    expect(h.executor.stats.rootIntents).toBe(0);
    expect(state()).toMatchObject({ positionId: before.positionId, liquidationKnown: false });
    expect(state().position).toMatchObject({
      direction: before.direction,
      perpLots: before.perpLots,
      spotLots: before.spotLots,
    });
    expect(h.executor.pnl().markets[0]).toMatchObject({
      perpQty: before.holdings!.perpQty,
      spotNetQty: before.holdings!.spotNetQty,
    });
    expect(h.executor.accountRisk.outcomeUnknown).toBe(false);

    await h.stepUntil("the restored position to close", () => state().positionId === null, 3_000);
    const close = h.traded.find((entry) => entry.intent.action === "close")!;
    expect(close.intent.positionId).toBe(before.positionId);
    expect(h.journal.openIntents()).toEqual([]);
    expect(new Set(h.receivedCloids).size).toBe(h.receivedCloids.length);
  });

  it("an intent whose answer died with the old process is probed after the restart, never resent", async () => {
    let restarting: Promise<void> | undefined;
    let current: Harness | undefined;
    const h =
      (harness =
      current =
        await startHarness({
          seed: 4,
          basis: PERP_RICH_SHOCKS,
          // The process goes down the moment both legs are written: their answer can never reach it.
          afterWrite: () => {
            restarting ??= current!.restart();
          },
        }));
    await h.stepUntil("an open", () => restarting !== undefined, 3_000);
    await restarting;
    const root: Intent = h.traded[0]!.intent;

    // The new boot knows the intent only from the journal: its orders are unknown (unless the account
    // stream's snapshot already reported their whole fills), and while any is, nothing new may go out.
    const recovered = h.journal.state(root.intentId);
    for (const order of recovered?.orders ?? []) expect(["unknown", "filled"]).toContain(order.status);
    if (h.executor.accountRisk.outcomeUnknown) {
      const sent = h.receivedCloids.length;
      await h.step(20);
      expect(h.executor.stats.rootIntents).toBe(0);
      expect(h.receivedCloids.length).toBe(sent);
    }

    await h.stepUntil("the probes to settle it", () => !h.executor.accountRisk.outcomeUnknown, 200);
    const received = h.receivedCloids.filter((cloid) => root.legs.some((leg) => leg.cloid === cloid));
    if (received.length === 0) {
      expect(h.journal.state(root.intentId)).toBeUndefined(); // rejected (not found), position closed
    } else {
      // Executed before the old process went down: the restored position is what the exchange filled.
      const fills = h.sim.core.userFills(h.master.address);
      await h.settle("the fills", () => h.executor.pnl().total.fills === fills.length);
      expect(h.journal.state(root.intentId)?.status).toBe("hedged");
    }
    expect(new Set(h.receivedCloids).size).toBe(h.receivedCloids.length);
    expect(h.executor.stats.illegalEvents).toBe(0);
  });
});
