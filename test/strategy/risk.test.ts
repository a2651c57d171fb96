/**
 * The risk limits: the sliding-window order counter against a naive model, the daily loss limit at the UTC
 * day boundary, each check at its boundary, the first failing limit through `decide` (one limit lifted at
 * a time), and the conversion and validation of the configured limits.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { decide } from "../../hotpath/strategy/decide.js";
import { StrategyConfigError } from "../../hotpath/strategy/errors.js";
import { dailyLossReached, utcDayOf } from "../../hotpath/strategy/risk/dailyLoss.js";
import { ORDER_RATE_WINDOW_MS, OrderRateWindow } from "../../hotpath/strategy/risk/orderRateWindow.js";
import {
  clipBlock,
  liquidationVerdict,
  throttle,
  type RiskBlock,
} from "../../hotpath/strategy/risk/riskChecks.js";
import { DEFAULT_RISK_LIMITS, marketRiskLimits } from "../../hotpath/strategy/risk/riskLimits.js";
import { AccountRiskState, MarketRiskState } from "../../hotpath/strategy/risk/riskState.js";
import { compileStrategy, DEFAULT_STRATEGY_CONFIG } from "../../hotpath/strategy/strategyConfig.js";
import { marketScales } from "../../hotpath/book/scales.js";
import {
  booksOf,
  contextOf,
  edgeOf,
  edgeParams,
  NOW_MS,
  strategyOf,
  type BookText,
} from "./strategyFixtures.js";

const HYPE_SCALES = marketScales(2, 2);
const LIMITS = marketRiskLimits(DEFAULT_RISK_LIMITS, HYPE_SCALES);

describe("orders per minute", () => {
  it("counts the sends of the last 60 s like a naive list, up to its capacity", () => {
    const step = fc.record({
      advanceMs: fc.oneof(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 50_000, max: 70_000 })),
      // A negative advance is a wall-clock step back.
      back: fc.boolean(),
      orders: fc.integer({ min: 0, max: 4 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(step, { maxLength: 120 }), (capacity, steps) => {
        const window = new OrderRateWindow(capacity);
        const sent: number[] = [];
        let now = NOW_MS;
        let newest = Number.NEGATIVE_INFINITY;
        for (const { advanceMs, back, orders } of steps) {
          now += back ? -Math.min(advanceMs, 2_000) : advanceMs;
          window.record(now, orders);
          newest = Math.max(newest, now);
          for (let i = 0; i < orders; i++) sent.push(newest);
          const inWindow = sent.filter((time) => time > now - ORDER_RATE_WINDOW_MS).length;
          expect(window.countInWindow({ nowMs: now })).toBe(Math.min(inWindow, capacity));
        }
      }),
      { seed: 7, numRuns: 500 },
    );
  });

  it("a send exactly 60 s ago has left the window", () => {
    const window = new OrderRateWindow(10);
    window.record(NOW_MS, 2);
    expect(window.countInWindow({ nowMs: NOW_MS + ORDER_RATE_WINDOW_MS - 1 })).toBe(2);
    expect(window.countInWindow({ nowMs: NOW_MS + ORDER_RATE_WINDOW_MS })).toBe(0);
  });
});

describe("daily loss limit", () => {
  const endOfDay = Date.UTC(2026, 10, 24, 23, 59, 59, 999);
  const day = utcDayOf(endOfDay);

  it("counts today's PnL up to 23:59:59.999 UTC and none of it from 00:00 UTC", () => {
    const account = { dailyPnlMicroUsdc: -50_000_000, dailyPnlUtcDay: day };
    expect(dailyLossReached(account, LIMITS, { nowMs: endOfDay })).toBe(true);
    expect(dailyLossReached(account, LIMITS, { nowMs: endOfDay + 1 })).toBe(false);
    expect(utcDayOf(endOfDay + 1)).toBe(day + 1);
  });

  it("reaching the limit exactly halts; a micro-USDC less does not; gains never do", () => {
    const at = (pnl: number) =>
      dailyLossReached({ dailyPnlMicroUsdc: pnl, dailyPnlUtcDay: day }, LIMITS, { nowMs: endOfDay });
    expect([at(-50_000_000), at(-49_999_999), at(1e9), at(-1e12)]).toEqual([true, false, false, true]);
  });
});

describe("checks at their boundaries", () => {
  function throttled(
    change: (account: AccountRiskState, market: MarketRiskState) => void,
    newRisk = true,
  ): RiskBlock | null {
    const account = new AccountRiskState(LIMITS.ordersPerMinute);
    const market = new MarketRiskState();
    change(account, market);
    return throttle(account, market, LIMITS, { nowMs: NOW_MS }, 2, newRisk);
  }

  it("open intents, orders per minute, cool-downs (in that order)", () => {
    expect(throttled(() => undefined)).toBeNull();
    expect(throttled((account) => (account.openIntents = 1))).toBeNull();
    expect(throttled((account) => (account.openIntents = 2))).toBe("maxOpenIntents");
    expect(throttled((account) => account.orders.record(NOW_MS - 1, 58))).toBeNull();
    expect(throttled((account) => account.orders.record(NOW_MS - 1, 59))).toBe("ordersPerMinute");
    expect(throttled((_, market) => (market.lastTradeAtMs = NOW_MS - 999))).toBe("coolDownAfterTrade");
    expect(throttled((_, market) => (market.lastTradeAtMs = NOW_MS - 1_000))).toBeNull();
    expect(throttled((_, market) => (market.lastRejectionAtMs = NOW_MS - 9_999))).toBe(
      "coolDownAfterRejection",
    );
    expect(throttled((_, market) => (market.lastRejectionAtMs = NOW_MS - 10_000))).toBeNull();
    expect(
      throttled((account, market) => {
        account.openIntents = 5;
        account.orders.record(NOW_MS, 60);
        market.lastTradeAtMs = NOW_MS;
      }),
    ).toBe("maxOpenIntents");
  });

  it("closes are held back by the rate and the rejection cool-down only", () => {
    expect(throttled((account) => (account.openIntents = 99), false)).toBeNull();
    expect(throttled((_, market) => (market.lastTradeAtMs = NOW_MS), false)).toBeNull();
    expect(throttled((account) => account.orders.record(NOW_MS, 59), false)).toBe("ordersPerMinute");
    expect(throttled((_, market) => (market.lastRejectionAtMs = NOW_MS), false)).toBe(
      "coolDownAfterRejection",
    );
  });

  it("liquidation distance: below the minimum unwinds both, unknown blocks, none is fine", () => {
    const verdict = (distance: number) => {
      const market = new MarketRiskState();
      market.liquidationDistancePct = distance;
      return liquidationVerdict(market, LIMITS);
    };
    expect([verdict(19.999), verdict(20), verdict(Number.POSITIVE_INFINITY), verdict(Number.NaN)]).toEqual([
      "unwindBoth",
      "ok",
      "ok",
      "unknown",
    ]);
  });

  it("clip: at most the limit on either leg", () => {
    expect(clipBlock(500, 500, LIMITS)).toBeNull();
    expect(clipBlock(501, 500, LIMITS)).toBe("maxClip");
    expect(clipBlock(500, 501, LIMITS)).toBe("maxClip");
  });
});

/** Perp rich by ≈ 50 bps: a 1 HYPE open at ≈ 40 USDC per leg, ≈ 25 bps net. */
const HIGH: BookText = { bids: [["40.3", "30"]], asks: [["40.31", "30"]] };
const LOW: BookText = { bids: [["40.09", "30"]], asks: [["40.1", "30"]] };

describe("the first failing limit through decide", () => {
  it("reports each limit in order as the ones before it are lifted", () => {
    const books = booksOf(HIGH, LOW);
    const params = edgeParams(books, { clip: "2" });
    const context = contextOf(books, params, 60);
    const strategy = strategyOf(books, {
      limits: {
        maxClip: "1",
        maxPositionNotionalUsdc: "50",
        maxOpenIntents: 2,
        ordersPerMinute: 60,
        dailyLossLimitUsdc: "50",
        minLiquidationDistancePct: "20",
      },
    });
    const edge = edgeOf(books, params, "perpRich");
    const { account, market } = context;
    account.outcomeUnknown = true;
    account.killed = true;
    market.intentInFlight = true;
    account.paused = true;
    account.dailyPnlMicroUsdc = -50_000_000;
    context.breakerReasons = 1;
    account.openIntents = 2;
    account.orders.record(NOW_MS, 59);
    // Stamped at the time the clock is moved to below, so that they still hold then.
    market.lastTradeAtMs = NOW_MS + ORDER_RATE_WINDOW_MS;
    market.lastRejectionAtMs = NOW_MS + ORDER_RATE_WINDOW_MS;
    market.liquidationDistancePct = Number.NaN;

    const lifts: [string, () => void][] = [
      ["outcomeUnknown", () => (account.outcomeUnknown = false)],
      ["killed", () => (account.killed = false)],
      ["orderInFlight", () => (market.intentInFlight = false)],
      ["paused", () => (account.paused = false)],
      ["dailyLossLimit", () => (account.dailyPnlMicroUsdc = -49_999_999)],
      ["stale", () => (context.breakerReasons = 0)],
      ["maxOpenIntents", () => (account.openIntents = 1)],
      ["ordersPerMinute", () => (context.nowMs = NOW_MS + ORDER_RATE_WINDOW_MS)],
      ["coolDownAfterTrade", () => (market.lastTradeAtMs = Number.NEGATIVE_INFINITY)],
      ["coolDownAfterRejection", () => (market.lastRejectionAtMs = Number.NEGATIVE_INFINITY)],
      ["liquidationDistance", () => (market.liquidationDistancePct = Number.POSITIVE_INFINITY)],
    ];
    for (const [reason, lift] of lifts) {
      expect(decide(edge, context, strategy)).toMatchObject({ kind: "skip", reason });
      lift();
    }
    // 2 HYPE against a 1 HYPE clip limit.
    expect(decide(edge, context, strategy)).toMatchObject({ kind: "skip", reason: "maxClip" });
    // 1 HYPE at ≈ 40.3 USDC per leg, 50 USDC allowed: fine from flat.
    const clipOne = edgeParams(books, { clip: "1" });
    const smaller = edgeOf(books, clipOne, "perpRich");
    context.params = clipOne;
    expect(decide(smaller, context, strategy)).toMatchObject({ kind: "open" });
    // The spot buy of 1 HYPE at its limit (40.12) is above 40.1 USDC.
    const tighter = strategyOf(books, { limits: { maxPositionNotionalUsdc: "40.1" } });
    expect(decide(smaller, context, tighter)).toMatchObject({ kind: "skip", reason: "maxPositionNotional" });
  });
});

describe("configured limits", () => {
  it("convert to integer units, rounding toward the stricter limit", () => {
    const limits = marketRiskLimits(
      {
        ...DEFAULT_RISK_LIMITS,
        maxClip: "2.579",
        maxPositionNotionalUsdc: "1000.0000009",
        dailyLossLimitUsdc: "0.5",
      },
      marketScales(2, 1),
    );
    // Clip on the coarser lot (0.1): 2.5.
    expect(limits.maxClipQty).toBe(250);
    expect(limits.maxPositionNotionalMicroUsdc).toBe(1_000_000_000);
    expect(limits.dailyLossLimitMicroUsdc).toBe(500_000);
    expect(limits.minLiquidationDistancePct).toBe(20);
  });

  it.each([
    [{ maxClip: "0" }, "risk.maxClip"],
    [{ maxClip: "0.001" }, "risk.maxClip"],
    [{ maxClip: "1e3" }, "risk.maxClip"],
    [{ ordersPerMinute: 1 }, "risk.ordersPerMinute"],
    [{ maxOpenIntents: 0 }, "risk.maxOpenIntents"],
    [{ minLiquidationDistancePct: "100" }, "risk.minLiquidationDistancePct"],
    [{ dailyLossLimitUsdc: "-5" }, "risk.dailyLossLimitUsdc"],
    [{ coolDownAfterTradeMs: 1.5 }, "risk.coolDownAfterTradeMs"],
  ] as const)("refuse %o naming %s", (change, field) => {
    expect(() => marketRiskLimits({ ...DEFAULT_RISK_LIMITS, ...change }, HYPE_SCALES)).toThrow(
      expect.objectContaining({ name: "StrategyConfigError", field }) as Error,
    );
  });

  it("the default strategy compiles for HYPE with the documented values", () => {
    const strategy = compileStrategy(DEFAULT_STRATEGY_CONFIG, HYPE_SCALES);
    expect(strategy).toMatchObject({
      openThresholdBps: 15,
      closeThresholdBps: 3,
      maxSlippage: 0.005,
      forcedExitSlippage: 0.003,
      adverseFundingPerHour: 0.0001,
      expiresAfterMs: 3_000,
      maxHoldingMs: 86_400_000,
      minOrderNotionalMicroUsdc: 11_000_000,
      perpLeverage: 3,
      limits: {
        maxClipQty: 500,
        maxPositionNotionalMicroUsdc: 1_000_000_000,
        maxOpenIntents: 2,
        ordersPerMinute: 60,
        dailyLossLimitMicroUsdc: 50_000_000,
        minLiquidationDistancePct: 20,
        coolDownAfterTradeMs: 1_000,
        coolDownAfterRejectionMs: 10_000,
      },
    });
  });

  it.each([
    [{ closeThresholdBps: "15" }, "strategy.closeThresholdBps"],
    [{ openThresholdBps: "abc" }, "strategy.openThresholdBps"],
    [{ maxSlippageBps: "5000" }, "strategy.maxSlippageBps"],
    [{ forcedExitSlippageBps: "-1" }, "strategy.forcedExitSlippageBps"],
    [{ expiresAfterMs: 0 }, "strategy.expiresAfterMs"],
    [{ perpLeverage: 0 }, "strategy.perpLeverage"],
    [{ clipSize: "0.001" }, "strategy.clipSize"],
  ] as const)("refuse %o naming %s", (change, field) => {
    expect(() => compileStrategy({ ...DEFAULT_STRATEGY_CONFIG, ...change }, HYPE_SCALES)).toThrow(
      StrategyConfigError,
    );
    expect(() => compileStrategy({ ...DEFAULT_STRATEGY_CONFIG, ...change }, HYPE_SCALES)).toThrow(
      expect.objectContaining({ field }) as Error,
    );
  });
});
