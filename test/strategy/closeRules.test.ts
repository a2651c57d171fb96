/**
 * The close and unwind rules of a held position, each with the case that fires and the one just short of
 * it: adverse funding (its sign depends on the direction), maximum holding time, convergence, the
 * liquidation distance, the kill switch's flatten; the close size; what may and may not hold a close back.
 */

import { describe, expect, it } from "vitest";

import type { EdgeDirection } from "../../hotpath/edge/direction.js";
import { fundingAgainst } from "../../hotpath/strategy/closeRules.js";
import { decide } from "../../hotpath/strategy/decide.js";
import type { Decision } from "../../hotpath/strategy/decision.js";
import { BREAKER_STALE } from "../../hotpath/feed/breaker.js";
import {
  booksOf,
  contextOf,
  edgeOf,
  edgeParams,
  NOW_MS,
  positionOf,
  strategyOf,
  type BookText,
  type TestContext,
} from "./strategyFixtures.js";

const HOUR = 3_600_000;

/** A basis of ≈ 30 bps at the exit prices either way round: neither converged nor worth adding to. */
const WIDE_HIGH: BookText = { bids: [["40.2", "50"]], asks: [["40.21", "50"]] };
const WIDE_LOW: BookText = { bids: [["40.09", "50"]], asks: [["40.1", "50"]] };
/** Exit basis (40.11 − 40.1) / 40.1 = 2.49 bps for either direction. */
const EVEN: BookText = { bids: [["40.1", "10"]], asks: [["40.11", "10"]] };

interface Setup {
  context: TestContext;
  run: (change?: Parameters<typeof strategyOf>[1]) => Decision;
}

/** A position held in `direction` on books where it is neither converged nor worth adding to. */
function holding(direction: EdgeDirection, books = wideBooks(direction), lots = 100): Setup {
  const params = edgeParams(books);
  const context = contextOf(books, params);
  context.position = positionOf(direction, lots, lots);
  return {
    context,
    run: (change = {}) =>
      decide(edgeOf(books, context.params, direction), context, strategyOf(books, change)),
  };
}

function wideBooks(direction: EdgeDirection) {
  return direction === "perpRich" ? booksOf(WIDE_HIGH, WIDE_LOW) : booksOf(WIDE_LOW, WIDE_HIGH);
}

describe("no rule applies", () => {
  it.each(["perpRich", "spotRich"] as const)(
    "%s: held, not converged, funding fine → no close",
    (direction) => {
      const decision = holding(direction).run();
      expect(decision).toMatchObject({ kind: "skip", reason: "belowThreshold" });
    },
  );
});

describe("adverse funding", () => {
  it("the sign follows the direction: perpRich (short perp) pays a negative rate, spotRich a positive one", () => {
    const strategy = { adverseFundingPerHour: 0.0001 };
    expect(fundingAgainst("perpRich", { fundingRatePerHour: -0.0001 }, strategy)).toBe(true);
    expect(fundingAgainst("perpRich", { fundingRatePerHour: 0.0001 }, strategy)).toBe(false);
    expect(fundingAgainst("spotRich", { fundingRatePerHour: 0.0001 }, strategy)).toBe(true);
    expect(fundingAgainst("spotRich", { fundingRatePerHour: -0.0001 }, strategy)).toBe(false);
    expect(fundingAgainst("perpRich", { fundingRatePerHour: -0.000099 }, strategy)).toBe(false);
    expect(fundingAgainst("perpRich", { fundingRatePerHour: Number.NaN }, strategy)).toBe(false);
    // A threshold of 0 closes on any payment, never on a zero rate.
    expect(fundingAgainst("perpRich", { fundingRatePerHour: 0 }, { adverseFundingPerHour: 0 })).toBe(false);
    expect(fundingAgainst("perpRich", { fundingRatePerHour: -1e-9 }, { adverseFundingPerHour: 0 })).toBe(
      true,
    );
  });

  it.each([
    ["perpRich", -0.0002, "close"],
    // Received, not paid: no close; 2 bps/h over the 8 h horizon even makes adding worth it.
    ["perpRich", 0.0002, "open"],
    ["spotRich", 0.0002, "close"],
    ["spotRich", -0.0002, "open"],
    ["perpRich", -0.00005, "skip"],
  ] as const)("%s at %s per hour (threshold 1 bps/h) → %s", (direction, rate, kind) => {
    const setup = holding(direction);
    setup.context.params = { ...setup.context.params, fundingRatePerHour: rate };
    const decision = setup.run();
    expect(decision.kind).toBe(kind);
    if (decision.kind === "close") expect(decision.reason).toBe("adverseFunding");
  });
});

describe("maximum holding time", () => {
  it.each([
    [24 * HOUR, "close"],
    [24 * HOUR - 1, "skip"],
  ] as const)("held %s ms of 24 h → %s", (heldMs, kind) => {
    const setup = holding("perpRich");
    setup.context.position = positionOf("perpRich", 100, 100, NOW_MS - heldMs);
    const decision = setup.run();
    expect(decision.kind).toBe(kind);
    if (decision.kind === "close") expect(decision.reason).toBe("maxHoldingTime");
  });

  it("exits at the forced-exit band, not at the close threshold", () => {
    const setup = holding("perpRich");
    setup.context.position = positionOf("perpRich", 100, 100, NOW_MS - 25 * HOUR);
    const decision = setup.run({ forcedExitSlippageBps: "30" });
    if (decision.kind !== "close") throw new Error(decision.kind);
    // Buy the perp back up to 40.21 × 1.003 = 40.33063 → 40.33; sell spot down to 40.09 × 0.997 = 39.96973 → 39.97.
    expect([decision.perp.side, decision.perp.limitPx, decision.spot.side, decision.spot.limitPx]).toEqual([
      "buy",
      "40.33",
      "sell",
      "39.97",
    ]);
  });
});

describe("convergence", () => {
  it.each(["perpRich", "spotRich"] as const)(
    "%s: exit basis 2.49 bps closes at a threshold of 3, not of 2",
    (direction) => {
      const books = booksOf(EVEN, EVEN);
      expect(holding(direction, books).run({ closeThresholdBps: "3" })).toMatchObject({
        kind: "close",
        reason: "converged",
      });
      expect(holding(direction, books).run({ closeThresholdBps: "2" }).kind).toBe("skip");
    },
  );

  it("perpRich: buy the perp back and sell spot, limits within the threshold", () => {
    const decision = holding("perpRich", booksOf(EVEN, EVEN)).run({ closeThresholdBps: "3" });
    if (decision.kind !== "close") throw new Error(decision.kind);
    // (40.111 − 40.099) / 40.099 = 2.99 bps ≤ 3; one tick more on either leg would exceed it.
    expect([decision.perp.limitPx, decision.spot.limitPx]).toEqual(["40.111", "40.099"]);
    expect([decision.perp.size, decision.spot.size]).toEqual(["1", "1"]);
    expect(decision.expiresAfter).toBe(NOW_MS + 3_000);
  });

  it("a converged close of a wide position is not held back by the threshold of another direction", () => {
    // spotRich held on books that are perp-rich: its exit (sell perp bids 40.2, buy spot asks 40.1) is a
    // negative basis, far below the close threshold.
    const decision = holding("spotRich", booksOf(WIDE_HIGH, WIDE_LOW)).run();
    expect(decision).toMatchObject({ kind: "close", reason: "converged" });
  });
});

describe("close size", () => {
  it("at most the clip limit per close", () => {
    const decision = holding("perpRich", booksOf(EVEN, EVEN), 1_000).run({ limits: { maxClip: "2" } });
    if (decision.kind !== "close") throw new Error(decision.kind);
    expect([decision.perp.size, decision.spot.size]).toEqual(["2", "2"]);
  });

  it("at most what both close sides show", () => {
    const decision = holding("perpRich", booksOf(EVEN, EVEN), 2_500).run();
    if (decision.kind !== "close") throw new Error(decision.kind);
    expect([decision.perp.size, decision.spot.size]).toEqual(["10", "10"]);
  });

  it("the hedged part of an uneven position", () => {
    const setup = holding("perpRich", booksOf(EVEN, EVEN));
    setup.context.position = positionOf("perpRich", 99, 100);
    const decision = setup.run();
    if (decision.kind !== "close") throw new Error(decision.kind);
    expect([decision.perp.lots, decision.spot.lots]).toEqual([99, 99]);
  });
});

describe("what holds a close back", () => {
  function converged(): Setup {
    return holding("perpRich", booksOf(EVEN, EVEN));
  }

  it("the rate limit and the rejection cool-down", () => {
    const limited = converged();
    limited.context.account.orders.record(NOW_MS - 1_000, 999);
    expect(limited.run()).toMatchObject({ kind: "skip", reason: "ordersPerMinute" });
    const rejected = converged();
    rejected.context.market.lastRejectionAtMs = NOW_MS - 9_999;
    expect(rejected.run()).toMatchObject({ kind: "skip", reason: "coolDownAfterRejection" });
    rejected.context.market.lastRejectionAtMs = NOW_MS - 10_000;
    expect(rejected.run().kind).toBe("close");
  });

  it("stale books", () => {
    const setup = converged();
    setup.context.breakerReasons = BREAKER_STALE;
    expect(setup.run()).toMatchObject({ kind: "skip", reason: "stale" });
  });

  it("not the limits on new risk: pause, daily loss, open intents, the trade cool-down", () => {
    const setup = converged();
    setup.context.account.paused = true;
    setup.context.account.dailyPnlMicroUsdc = -1e12;
    setup.context.account.openIntents = 1_000;
    setup.context.market.lastTradeAtMs = NOW_MS;
    expect(setup.run()).toMatchObject({ kind: "close", reason: "converged" });
  });

  it("an unknown order outcome, an intent in flight, the kill switch", () => {
    const unknown = converged();
    unknown.context.account.outcomeUnknown = true;
    expect(unknown.run()).toMatchObject({ kind: "skip", reason: "outcomeUnknown" });
    const inFlight = converged();
    inFlight.context.market.intentInFlight = true;
    expect(inFlight.run()).toMatchObject({ kind: "skip", reason: "orderInFlight" });
    const killed = converged();
    killed.context.account.killed = true;
    expect(killed.run()).toMatchObject({ kind: "skip", reason: "killed" });
  });
});

describe("unwind", () => {
  it.each([
    [5, "unwind"],
    [19.99, "unwind"],
    [20, "skip"],
    [Number.POSITIVE_INFINITY, "skip"],
    [Number.NaN, "skip"],
  ] as const)("liquidation distance %s (minimum 20) → %s", (distance, kind) => {
    const setup = holding("perpRich");
    setup.context.market.liquidationDistancePct = distance;
    const decision = setup.run();
    expect(decision.kind).toBe(kind);
    if (decision.kind === "unwind") expect(decision.reason).toBe("liquidationDistance");
  });

  it("goes out whatever else holds orders back, except an unknown outcome", () => {
    const setup = holding("spotRich");
    setup.context.market.liquidationDistancePct = 1;
    setup.context.breakerReasons = BREAKER_STALE;
    setup.context.account.paused = true;
    setup.context.account.orders.record(NOW_MS, 1_000);
    setup.context.market.lastRejectionAtMs = NOW_MS;
    const decision = setup.run();
    if (decision.kind !== "unwind") throw new Error(decision.kind);
    // spotRich is long perp / short spot: sell the perp (reduce-only), buy spot back.
    expect([decision.perp?.side, decision.perp?.reduceOnly, decision.spot?.side]).toEqual([
      "sell",
      true,
      "buy",
    ]);
    setup.context.account.outcomeUnknown = true;
    expect(setup.run()).toMatchObject({ kind: "skip", reason: "outcomeUnknown" });
  });

  it("the whole position, beyond the visible depth, priced at the band from the deepest level", () => {
    const setup = holding("perpRich", booksOf(EVEN, EVEN), 2_500);
    setup.context.market.liquidationDistancePct = 1;
    const decision = setup.run({ forcedExitSlippageBps: "30" });
    if (decision.kind !== "unwind") throw new Error(decision.kind);
    // Buy 25 perp up to 40.11 × 1.003 = 40.23033 → 40.23; sell 25 spot down to 40.1 × 0.997 = 39.9797 → 39.98.
    expect([
      decision.perp?.size,
      decision.perp?.limitPx,
      decision.spot?.size,
      decision.spot?.limitPx,
    ]).toEqual(["25", "40.23", "25", "39.98"]);
  });

  it("a one-sided position unwinds the side it holds", () => {
    const setup = holding("perpRich");
    setup.context.position = positionOf("perpRich", 100, 0);
    setup.context.market.liquidationDistancePct = 1;
    const decision = setup.run();
    if (decision.kind !== "unwind") throw new Error(decision.kind);
    expect(decision.spot).toBeNull();
    expect(decision.perp).toMatchObject({ side: "buy", size: "1", reduceOnly: true });
  });

  it("the kill switch flattens when asked, once the intent in flight resolved, and only the held direction", () => {
    const setup = holding("perpRich");
    setup.context.account.killed = true;
    expect(setup.run()).toMatchObject({ kind: "skip", reason: "killed" });
    setup.context.account.flattenOnKill = true;
    setup.context.market.intentInFlight = true;
    expect(setup.run()).toMatchObject({ kind: "skip", reason: "orderInFlight" });
    setup.context.market.intentInFlight = false;
    expect(setup.run()).toMatchObject({ kind: "unwind", reason: "kill", direction: "perpRich" });
    const other = decide(
      edgeOf(setup.context.books, setup.context.params, "spotRich"),
      setup.context,
      strategyOf(setup.context.books),
    );
    expect(other).toMatchObject({ kind: "skip", reason: "killed" });
  });
});
