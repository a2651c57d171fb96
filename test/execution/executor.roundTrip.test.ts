/**
 * Acceptance 1 of issue 5 against the real simulator: a rich edge → both legs as one signed two-order IOC
 * action → both fill → the position is recorded → the basis converges → the position is closed; the
 * executor's PnL equals, to the last digit, a PnL computed independently (decimal.js) from the simulator's
 * own fills and funding ledger, and the account's balances moved by exactly that much. Perp-rich and
 * spot-rich.
 */

import { afterEach, describe, expect, it } from "vitest";

import type { EdgeDirection } from "../../hotpath/edge/direction.js";
import {
  PERP_RICH_SHOCKS,
  SPOT_RICH_SHOCKS,
  START_HYPE,
  START_USDC_PERP,
  START_USDC_SPOT,
  startHarness,
  type Harness,
} from "./executorHarness.js";
import { canonical, Decimal, oraclePnl } from "./executorPnlOracle.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function roundTrip(h: Harness, direction: EdgeDirection): Promise<void> {
  const market = h.executor.marketState("HYPE")!;
  await h.stepUntil("an open", () => h.executor.stats.rootIntents >= 1, 3_000);
  const open = h.traded[0]!;
  const perpSide = direction === "perpRich" ? "sell" : "buy";
  const spotSide = direction === "perpRich" ? "buy" : "sell";
  expect(open.intent).toMatchObject({ action: "open", direction, edgeId: open.record.id });
  expect(open.intent.legs.map((leg) => [leg.market, leg.side, leg.tif, leg.reduceOnly])).toEqual([
    ["perp", perpSide, "Ioc", false],
    ["spot", spotSide, "Ioc", false],
  ]);
  // One signed action: one nonce, the verdict's expiresAfter on both legs.
  const [perpLeg, spotLeg] = open.intent.legs;
  expect(perpLeg!.nonce).toBe(spotLeg!.nonce);
  expect(perpLeg!.expiresAfter).toBe(open.intent.createdAtMs + 3_000);
  expect(h.outcomes).toContainEqual({
    direction,
    edgeId: open.record.id,
    outcome: expect.objectContaining({ kind: "traded", intentId: open.intent.intentId }) as unknown,
  });

  await h.settle("the open to resolve", () => !market.risk.intentInFlight);
  expect(market.position.direction).toBe(direction);
  expect(market.position.perpLots).toBeGreaterThan(0);
  expect(Math.abs(market.position.perpLots - market.position.spotLots)).toBeLessThanOrEqual(1);
  expect(market.positionId).toBe(open.intent.intentId);
  expect(h.journal.state(open.intent.intentId)?.status).toBe("hedged");

  await h.stepUntil("the position to close", () => market.positionId === null, 3_000);
  const close = h.traded.find((entry) => entry.intent.action === "close")!;
  expect(close.intent.positionId).toBe(open.intent.intentId);
  const closeOutcome = h.outcomes.find(
    (entry) => entry.outcome.kind === "traded" && entry.outcome.intentId === close.intent.intentId,
  );
  expect(closeOutcome?.outcome).toMatchObject({ verdict: { kind: "close", reason: "converged" } });
  expect(close.intent.legs.map((leg) => [leg.market, leg.side, leg.reduceOnly])).toEqual([
    ["perp", spotSide, true],
    ["spot", perpSide, false],
  ]);
  expect(market.position.direction).toBeNull();
  expect(h.journal.openIntents()).toEqual([]);
  // Nothing was ever sent twice.
  expect(new Set(h.receivedCloids).size).toBe(h.receivedCloids.length);
  expect(h.executor.stats.illegalEvents).toBe(0);

  // The PnL, against the simulator's own records.
  const funding = h.sim.core.userFunding(h.master.address, 0).map((entry) => entry.delta.usdc);
  await h.settle("every funding payment", () => h.executor.stats.fundingPayments === funding.length);
  const oracle = oraclePnl(h.sim.core.userFills(h.master.address), funding, {
    perpCoin: h.market.perp.coin,
    spotCoin: h.market.spot.wsCoin,
  });
  const pnl = h.executor.pnl();
  expect(pnl.total).toMatchObject({
    realizedPerpUsdc: oracle.realizedPerpUsdc,
    realizedSpotUsdc: oracle.realizedSpotUsdc,
    fees: oracle.fees,
    fundingUsdc: oracle.fundingUsdc,
    netUsdc: oracle.netUsdc,
  });
  expect(pnl.positions).toHaveLength(1);
  expect(pnl.positions[0]).toMatchObject({ positionId: open.intent.intentId, netUsdc: oracle.netUsdc });
  expect(pnl.positions[0]!.closedAtMs).not.toBeNull();
  const holdings = pnl.markets[0]!;
  expect(holdings).toMatchObject({
    perpQty: "0",
    spotQty: oracle.spotQty,
    spotNetQty: oracle.spotNetQty,
    spotOpenCostUsdc: oracle.spotOpenCostUsdc,
  });

  // And the account: every USDC (spot + perp collateral, no position left) and the base token.
  const spotBalances = h.sim.core.spotClearinghouseState(h.master.address).balances;
  const usdc = new Decimal(spotBalances.find((balance) => balance.coin === "USDC")!.total).plus(
    h.sim.core.clearinghouseState(h.master.address).marginSummary.accountValue,
  );
  const base = new Decimal(spotBalances.find((balance) => balance.coin === h.market.spot.base.name)!.total);
  expect(canonical(usdc.minus(START_USDC_SPOT).minus(START_USDC_PERP))).toBe(
    canonical(new Decimal(pnl.total.netUsdc).minus(holdings.spotOpenCostUsdc)),
  );
  expect(canonical(base.minus(START_HYPE))).toBe(holdings.spotNetQty);
}

describe("a basis position from edge to close, against the simulator", () => {
  it("perp-rich: sell perp + buy spot, then buy back and sell on convergence; PnL to the digit", async () => {
    harness = await startHarness({ seed: 4, basis: PERP_RICH_SHOCKS });
    await roundTrip(harness, "perpRich");
    // Funding was paid while the position was held (accelerated funding), and is in the PnL.
    expect(harness.executor.stats.fundingPayments).toBeGreaterThan(0);
  });

  it("spot-rich: buy perp + sell spot inventory, then sell and buy back on convergence", async () => {
    harness = await startHarness({ seed: 4, basis: SPOT_RICH_SHOCKS });
    await roundTrip(harness, "spotRich");
  });

  it("two signed actions (a nonce each) and the reserve-ahead journal: the same open, hedged", async () => {
    const h = (harness = await startHarness({
      seed: 4,
      basis: PERP_RICH_SHOCKS,
      journalMode: "reserveAhead",
      tuning: { actionsPerIntent: "two" },
    }));
    const market = h.executor.marketState("HYPE")!;
    await h.stepUntil("an open", () => h.executor.stats.rootIntents >= 1, 3_000);
    const open = h.traded[0]!.intent;
    expect(open.legs[1]!.nonce).toBeGreaterThan(open.legs[0]!.nonce);
    await h.settle("the open to resolve", () => !market.risk.intentInFlight);
    expect(h.journal.state(open.intentId)?.status).toBe("hedged");
    expect(h.journal.mode).toBe("reserveAhead");
    expect(h.journal.stats.syncFallbacks).toBe(0);
    expect(h.receivedCloids).toEqual(open.legs.map((leg) => leg.cloid));
  });
});
