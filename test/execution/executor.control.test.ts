/**
 * The executor as the control API's target, against the simulator: pause stops new risk but lets a held
 * position close; kill stops every order (and refuses a resume); kill with flatten unwinds both legs of the
 * held position and nothing after; runtime settings apply all or nothing, the clip reaching the edge
 * computation.
 */

import { afterEach, describe, expect, it } from "vitest";

import { ControlRefusedError } from "../../hotpath/control/controlTarget.js";
import { SKIP } from "../../hotpath/strategy/decision.js";
import { PERP_RICH_SHOCKS, startHarness, type Harness } from "./executorHarness.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function holdPosition(h: Harness): Promise<void> {
  const market = h.executor.marketState("HYPE")!;
  await h.stepUntil(
    "a position",
    () => market.position.direction !== null && !market.risk.intentInFlight,
    3_000,
  );
}

describe("control", () => {
  it("kill stops every order, also the close; resume is refused", async () => {
    const h = (harness = await startHarness({ seed: 4, basis: PERP_RICH_SHOCKS }));
    await holdPosition(h);
    const sent = h.receivedCloids.length;
    h.executor.kill({ flatten: false });
    expect(h.executor.state()).toMatchObject({ killed: true, flattenOnKill: false });
    // Long enough for the basis to converge (which would close the position) and for new shocks.
    await h.step(600);
    expect(h.receivedCloids.length).toBe(sent);
    expect(h.executor.marketState("HYPE")!.position.direction).toBe("perpRich");
    expect(h.outcomes.map((entry) => entry.outcome)).toContainEqual(SKIP.killed);
    expect(() => h.executor.resume()).toThrow(ControlRefusedError);
    expect(h.executor.state().killed).toBe(true);
  });

  it("kill with flatten unwinds both legs of the held position, then sends nothing", async () => {
    const h = (harness = await startHarness({ seed: 4, basis: PERP_RICH_SHOCKS }));
    await holdPosition(h);
    const market = h.executor.marketState("HYPE")!;
    h.executor.kill({ flatten: true });
    await h.stepUntil("the flatten", () => market.positionId === null, 50);
    const flatten = h.outcomes.find(
      (entry) => entry.outcome.kind === "traded" && entry.outcome.verdict.kind === "unwind",
    );
    expect(flatten?.outcome).toMatchObject({ verdict: { kind: "unwind", reason: "kill" } });
    expect(market.position.direction).toBeNull();
    const sent = h.receivedCloids.length;
    await h.step(300);
    expect(h.receivedCloids.length).toBe(sent);
  });

  it("pause stops new risk but the held position still closes on convergence", async () => {
    const h = (harness = await startHarness({ seed: 4, basis: PERP_RICH_SHOCKS }));
    await holdPosition(h);
    const market = h.executor.marketState("HYPE")!;
    h.executor.pause("operator check");
    expect(h.executor.state()).toMatchObject({ paused: true, pausedReason: "operator check" });
    await h.stepUntil("the close", () => market.positionId === null, 3_000);
    const opens = h.traded.filter((entry) => entry.intent.action === "open");
    expect(opens).toHaveLength(1);
    // Past further shocks: still no open while paused; then resume.
    await h.step(800);
    expect(h.traded.filter((entry) => entry.intent.action === "open")).toHaveLength(1);
    expect(h.outcomes.map((entry) => entry.outcome)).toContainEqual(SKIP.paused);
    h.executor.resume();
    expect(h.executor.state()).toMatchObject({ paused: false, pausedReason: null });
  });

  it("applies runtime settings all or nothing; the clip reaches the edge computation", async () => {
    const h = (harness = await startHarness({ seed: 4, basis: PERP_RICH_SHOCKS }));
    const before = h.executor.state().settings;
    const clipBefore = h.feed.edges.params.clipQty;
    // A valid threshold with an invalid close threshold: nothing changes.
    expect(() => h.executor.applySettings({ openThresholdBps: "25", closeThresholdBps: "30" })).toThrow(
      ControlRefusedError,
    );
    expect(h.executor.state().settings).toEqual(before);
    expect(() => h.executor.applySettings({ clipSize: "7" })).toThrow(ControlRefusedError); // above maxClip 5
    expect(h.feed.edges.params.clipQty).toBe(clipBefore);

    const applied = h.executor.applySettings({ openThresholdBps: "25", clipSize: "2" });
    expect(applied).toMatchObject({ openThresholdBps: "25", clipSize: "2" });
    expect(h.executor.state().settings).toEqual(applied);
    expect(h.feed.edges.params.clipQty).toBe(200);
    expect(h.executor.marketState("HYPE")!.strategy.openThresholdBps).toBe(25);
  });
});
