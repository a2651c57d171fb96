/**
 * The liquidation distance while a perp is held, against the simulator: unknown (new risk blocked) until an
 * account snapshot of exactly the held position reports it; a snapshot of another size (taken before the
 * latest fills) is ignored; a distance below `minLiquidationDistancePct` (20 %) unwinds both legs together.
 */

import { afterEach, describe, expect, it } from "vitest";

import { PERP_RICH_SHOCKS, startHarness, type Harness } from "./executorHarness.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("executor liquidation distance", () => {
  it("is unknown while a perp is held until a matching snapshot reports it, and unwinds when breached", async () => {
    const h = (harness = await startHarness({ seed: 11, basis: PERP_RICH_SHOCKS }));
    const market = h.executor.marketState("HYPE")!;
    expect(market.risk.liquidationDistancePct).toBe(Number.POSITIVE_INFINITY); // flat
    await h.stepUntil("an open", () => h.executor.stats.rootIntents >= 1, 3_000);
    await h.settle("the open to resolve", () => !market.risk.intentInFlight);
    expect(market.position.perpLots).toBeGreaterThan(0);
    expect(market.risk.liquidationDistancePct).toBeNaN();

    const held = (market.position.perpLots / 100).toFixed(2);
    // A snapshot from before the fills (flat): not this position.
    h.executor.setLiquidationDistance("HYPE", Number.POSITIVE_INFINITY, "0");
    expect(market.risk.liquidationDistancePct).toBeNaN();
    h.executor.setLiquidationDistance("HYPE", 35, held);
    expect(market.risk.liquidationDistancePct).toBe(35);

    const unwound = (): unknown =>
      h.outcomes.find((entry) => entry.outcome.kind === "traded" && entry.outcome.verdict.kind === "unwind")
        ?.outcome;
    h.executor.setLiquidationDistance("HYPE", 5, held);
    await h.stepUntil("an unwind", () => unwound() !== undefined, 3_000);
    expect(unwound()).toMatchObject({ verdict: { kind: "unwind", reason: "liquidationDistance" } });
    await h.settle("the unwind to resolve", () => !market.risk.intentInFlight);
    const close = h.traded.at(-1)!.intent;
    expect(close.action).toBe("close");
    expect(close.legs.map((leg) => leg.market).sort()).toEqual(["perp", "spot"]);
  });
});
