/**
 * The follow-up planner on real books and real intent states (built through the state machine): a hedge
 * by the cumulative filled quantity (net of the base-token fee a spot buy pays), then an unwind of what
 * filled, reduce-only on the perp; residuals below a lot accepted; an empty book side waits.
 */

import { describe, expect, it } from "vitest";

import { MarketBooks } from "../../hotpath/book/marketBooks.js";
import { marketScales } from "../../hotpath/book/scales.js";
import { asWireDecimal, type Cloid } from "../../hotpath/exchange/wire/brands.js";
import type { L2Level } from "../../hotpath/exchange/wire/info.js";
import { planFollowUp, type FollowUpInput } from "../../hotpath/execution/followUpPlan.js";
import {
  initialIntentState,
  isIllegal,
  transition,
  type IntentState,
  type OrderEvent,
} from "../../hotpath/execution/intentState.js";
import { compileStrategy, DEFAULT_STRATEGY_CONFIG } from "../../hotpath/strategy/strategyConfig.js";
import {
  cloid,
  d,
  fill,
  filled,
  followUpIntent,
  leg,
  openIntent,
  sent,
  SPOT_ASSET,
} from "./intentState.fixtures.js";

const strategy = compileStrategy(DEFAULT_STRATEGY_CONFIG, marketScales(2, 2));
/** The fixture's orders are worth ≈ 12 USDC: a minimum of 1 USDC lets partial hedges through. */
const smallOrders = compileStrategy(
  { ...DEFAULT_STRATEGY_CONFIG, minOrderNotionalUsdc: "1" },
  marketScales(2, 2),
);

/** Five 10-HYPE levels a side, 0.01 apart, from the given touch prices. */
function books(
  perp: { bid: number; ask: number },
  spot: { bid: number; ask: number } | "noAsks",
): MarketBooks {
  const result = new MarketBooks({
    coin: "HYPE",
    perpCoin: "HYPE",
    spotCoin: "@107",
    perpSzDecimals: 2,
    spotSzDecimals: 2,
  });
  const side = (touch: number, step: number): L2Level[] =>
    Array.from({ length: 5 }, (_, i) => ({
      px: asWireDecimal((touch + step * i).toFixed(2)),
      sz: asWireDecimal("10"),
      n: 1,
    }));
  const spotLevels: [L2Level[], L2Level[]] =
    spot === "noAsks" ? [side(24.5, -0.01), []] : [side(spot.bid, -0.01), side(spot.ask, 0.01)];
  for (const [coin, levels] of [
    ["HYPE", [side(perp.bid, -0.01), side(perp.ask, 0.01)]],
    ["@107", spotLevels],
  ] as const) {
    const applied = result.applyMessage({ channel: "l2Book", data: { coin, time: 1, levels } }, 1);
    if (applied !== "applied") throw new Error(`book not applied: ${applied}`);
  }
  return result;
}

const BOOKS = books({ bid: 24.49, ask: 24.5 }, { bid: 24.5, ask: 24.51 });

function apply(state: IntentState, target: Cloid, ...events: OrderEvent[]): IntentState {
  let next = state;
  for (const event of events) {
    const result = transition(next, { type: "order", cloid: target, event });
    if (isIllegal(result)) throw new Error(result.message);
    next = result;
  }
  return next;
}

const ROOT = openIntent(1); // perp sell 0.49 (cloid 10), spot buy 0.5 (cloid 11)
const PERP = cloid(10);
const SPOT = cloid(11);

function input(state: IntentState, overrides: Partial<FollowUpInput> = {}): FollowUpInput {
  return {
    state,
    books: BOOKS,
    strategy,
    baseToken: "HYPE",
    spotTakerFee: d("0.0007"),
    flatten: false,
    maxFollowUps: 4,
    ...overrides,
  };
}

const perpFilled = (state: IntentState, size = "0.49"): IntentState =>
  apply(state, PERP, sent(), fill(1, size, { oid: 1000 }), filled(size, { oid: 1000 }));
const spotRejected = (state: IntentState): IntentState =>
  apply(state, SPOT, sent(), { type: "rejected", error: "Insufficient spot balance asset=10107" });
const spotFilled = (state: IntentState, size: string, fee: string): IntentState =>
  apply(
    state,
    SPOT,
    sent(),
    fill(2, size, { oid: 1001, fee, feeToken: "HYPE" }),
    filled(size, { oid: 1001 }),
  );

describe("hedge", () => {
  it("buys the missing spot, grossed up by its base-token fee, in the forced-exit band", () => {
    const state = spotRejected(perpFilled(initialIntentState(ROOT)));
    expect(state.status).toBe("needsHedge");
    // Net −0.49 HYPE; 0.49 / (1 − 0.0007) = 0.49034…, up to the lot: 0.5. Limit 24.51 × 1.003 = 24.58353, down.
    expect(planFollowUp(input(state))).toMatchObject({
      kind: "order",
      action: "hedge",
      legs: [{ market: "spot", side: "buy", size: "0.5", limitPx: "24.583", reduceOnly: false }],
    });
  });

  it("sells the missing perp against the spot bought net of its fee, rounded down", () => {
    const state = apply(spotFilled(initialIntentState(ROOT), "0.5", "0.00035"), PERP, sent(), {
      type: "rejected",
      error: "Insufficient margin to place order. asset=159",
    });
    // Net +0.49965: sell 0.49 perp (never more than covers). Limit 24.49 × 0.997 = 24.41653, up: 24.417.
    expect(planFollowUp(input(state))).toMatchObject({
      kind: "order",
      action: "hedge",
      legs: [{ market: "perp", side: "sell", size: "0.49", limitPx: "24.417", reduceOnly: false }],
    });
  });

  it("completes a partial fill by the cumulative quantity", () => {
    const state = spotFilled(perpFilled(initialIntentState(ROOT)), "0.25", "0.000175");
    expect(state.status).toBe("needsHedge");
    // Net −0.49 + 0.249825 = −0.240175 → 0.24034 gross → 0.25.
    expect(planFollowUp(input(state, { strategy: smallOrders }))).toMatchObject({
      kind: "order",
      action: "hedge",
      legs: [{ market: "spot", side: "buy", size: "0.25" }],
    });
  });

  it("accepts an imbalance below one lot (the legs are balanced net of the fee)", () => {
    const state = spotFilled(perpFilled(initialIntentState(ROOT)), "0.49", "0.000343");
    expect(planFollowUp(input(state))).toMatchObject({ kind: "accept" });
  });
});

describe("unwind", () => {
  function afterFailedHedge(): IntentState {
    const root = spotRejected(perpFilled(initialIntentState(ROOT)));
    const hedge = followUpIntent(ROOT, 2, "hedge", [
      leg({
        cloid: cloid(20),
        market: "spot",
        asset: SPOT_ASSET,
        side: "buy",
        size: d("0.5"),
        limitPx: d("24.6"),
      }),
    ]);
    const withHedge = transition(root, { type: "followUp", intent: hedge });
    if (isIllegal(withHedge)) throw new Error(withHedge.message);
    return apply(withHedge, cloid(20), sent(), {
      type: "rejected",
      error: "Order could not immediately match against any resting orders. asset=10107",
    });
  }

  it("takes the filled perp off reduce-only when the hedge failed", () => {
    const state = afterFailedHedge();
    expect(state).toMatchObject({ status: "needsHedge", followUpInFlight: false });
    expect(planFollowUp(input(state))).toMatchObject({
      kind: "order",
      action: "unwind",
      legs: [{ market: "perp", side: "buy", size: "0.49", limitPx: "24.573", reduceOnly: true }],
    });
  });

  it("sells back what a spot buy delivered, net of its fee, when the perp never filled", () => {
    const state = apply(spotFilled(initialIntentState(ROOT), "0.5", "0.00035"), PERP, sent(), {
      type: "rejected",
      error: "Insufficient margin to place order. asset=159",
    });
    // A kill's flatten unwinds at once: 0.5 − 0.00035 = 0.49965 held → 0.49 sold, 0.00965 left as dust.
    expect(planFollowUp(input(state, { flatten: true }))).toMatchObject({
      kind: "order",
      action: "unwind",
      legs: [{ market: "spot", side: "sell", size: "0.49", reduceOnly: false }],
    });
  });

  it("unwinds instead of hedging below the minimum order value (a reduce-only perp is exempt)", () => {
    const state = spotRejected(
      apply(
        initialIntentState(ROOT),
        PERP,
        sent(),
        fill(1, "0.1", { oid: 1000 }),
        filled("0.1", { oid: 1000 }),
      ),
    );
    // Hedging would buy 0.11 spot (≈ 2.7 USDC), under the 11 USDC minimum: the 0.1 perp is taken off.
    expect(planFollowUp(input(state))).toMatchObject({
      kind: "order",
      action: "unwind",
      legs: [{ market: "perp", side: "buy", size: "0.1", reduceOnly: true }],
    });
  });

  it("waits while a book side it needs is empty, and gives up after the allowed follow-ups", () => {
    const state = spotRejected(perpFilled(initialIntentState(ROOT)));
    expect(planFollowUp(input(state, { books: books({ bid: 24.49, ask: 24.5 }, "noAsks") }))).toMatchObject({
      kind: "wait",
    });
    expect(planFollowUp(input(afterFailedHedge(), { maxFollowUps: 1 }))).toMatchObject({ kind: "giveUp" });
  });
});
