/**
 * Acceptance 8 (first half) of issue 5, against the simulator: the daily loss limit halts new risk.
 * A basis that keeps widening after the open (perp-rich shocks faster than it reverts) turns the position
 * into a loss; the maximum holding time closes it. The day's PnL the risk gate reads — realised PnL less
 * every fee (spot-buy fees in HYPE valued at their fill price) plus funding — equals an independent
 * decimal.js computation from the simulator's own fills and funding ledger, it is past the limit, and from
 * then on every rich edge is skipped with the reason `dailyLossLimit` (the reason each edge is persisted
 * with, as a risk limit; `Executor.newRiskHalt()` names it): not one more order reaches the exchange while
 * the basis stays rich.
 */

import { afterEach, describe, expect, it } from "vitest";

import { MICRO } from "../../hotpath/execution/executionMarket.js";
import { SKIP } from "../../hotpath/strategy/decision.js";
import type { BasisOptions } from "../sim/core/marketModel.js";
import { startHarness, TEST_STRATEGY, type Harness } from "./executorHarness.js";
import { Decimal, oraclePnl } from "./executorPnlOracle.js";

/** +60 bps shocks about every 2 s of market time, reverting with a 3 s half-life: the basis keeps widening. */
const WIDENING_PERP_RICH: Partial<BasisOptions> = {
  meanBps: 0,
  halfLifeSec: 3,
  diffusionStdBps: 0.3,
  excursionsPerHour: 1_800,
  shockSizeBps: 60,
  shockUpProbability: 1,
};

const DAILY_LOSS_LIMIT_USDC = "0.05";
const LIMIT_MICRO = 50_000;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** The day's PnL as the risk gate counts it, from the simulator's records: net USDC less base-token fees at their price. */
function oracleDailyPnl(h: Harness): Decimal {
  const fills = h.sim.core.userFills(h.master.address);
  const funding = h.sim.core.userFunding(h.master.address, 0).map((entry) => entry.delta.usdc);
  const oracle = oraclePnl(fills, funding, { perpCoin: h.market.perp.coin, spotCoin: h.market.spot.wsCoin });
  const baseFeesUsdc = fills
    .filter((fill) => fill.feeToken !== "USDC")
    .reduce((sum, fill) => sum.plus(new Decimal(fill.fee).times(fill.px)), new Decimal(0));
  return new Decimal(oracle.netUsdc).minus(baseFeesUsdc);
}

describe("acceptance 8: the daily loss limit", () => {
  it("halts new risk once the day's loss (fees and funding included) passes the limit, and says why", async () => {
    const h = (harness = await startHarness({
      seed: 4,
      basis: WIDENING_PERP_RICH,
      // Funding every 10 s of market time: the held position collects some before it is closed.
      fundingAcceleration: 360,
      strategy: {
        ...TEST_STRATEGY,
        maxHoldingMs: 12_000,
        limits: { ...TEST_STRATEGY.limits, dailyLossLimitUsdc: DAILY_LOSS_LIMIT_USDC },
      },
    }));
    const market = h.executor.marketState("HYPE")!;
    await h.stepUntil(
      "an open",
      () => market.position.direction !== null && !market.risk.intentInFlight,
      3_000,
    );
    const open = h.traded[0]!.intent;
    // The open's fees alone are a loss, below the limit: trading goes on.
    expect(h.executor.accountRisk.dailyPnlMicroUsdc).toBeLessThan(0);
    expect(-h.executor.accountRisk.dailyPnlMicroUsdc).toBeLessThan(LIMIT_MICRO);
    expect(h.executor.newRiskHalt()).toBeNull();

    await h.stepUntil(
      "the position to close",
      () => market.positionId === null && !market.risk.intentInFlight,
      3_000,
    );
    const close = h.traded.find((entry) => entry.intent.action === "close");
    expect(close?.intent.positionId).toBe(open.positionId);
    expect(
      h.outcomes.find(
        (entry) => entry.outcome.kind === "traded" && entry.outcome.intentId === close!.intent.intentId,
      )?.outcome,
    ).toMatchObject({ verdict: { kind: "close", reason: "maxHoldingTime" } });
    expect(h.executor.stats.fundingPayments).toBeGreaterThan(0);
    await h.settle(
      "every funding payment",
      () => h.executor.stats.fundingPayments === h.sim.core.userFunding(h.master.address, 0).length,
    );

    // The gate's figure, to the micro-USDC, against the simulator's own fills and funding.
    const daily = oracleDailyPnl(h);
    expect(h.executor.accountRisk.dailyPnlMicroUsdc).toBeCloseTo(daily.times(MICRO).toNumber(), 0);
    expect(daily.lessThan(new Decimal(DAILY_LOSS_LIMIT_USDC).negated())).toBe(true);

    // The basis stays rich: every edge now is skipped for the daily loss, and nothing more is sent.
    const sent = h.receivedCloids.length;
    const roots = h.executor.stats.rootIntents;
    const seen = h.outcomes.length;
    let richest = Number.NEGATIVE_INFINITY;
    for (let block = 0; block < 300; block++) {
      await h.step(1);
      richest = Math.max(richest, h.sim.core.modelState("HYPE").basisBps);
    }
    expect(richest).toBeGreaterThan(60);
    expect(h.executor.stats.rootIntents).toBe(roots);
    expect(h.receivedCloids.length).toBe(sent);
    const since = h.outcomes.slice(seen).map((entry) => entry.outcome);
    expect(since).toContain(SKIP.dailyLossLimit);
    expect(since.every((outcome) => outcome.kind === "skip")).toBe(true);
    // Why, for the operator: the executor's account-wide halt, and each edge's reason (persisted as a risk limit).
    expect(h.executor.newRiskHalt()).toBe("dailyLossLimit");
    expect(SKIP.dailyLossLimit).toMatchObject({ reason: "dailyLossLimit", persisted: "riskLimit" });
  }, 120_000);
});
