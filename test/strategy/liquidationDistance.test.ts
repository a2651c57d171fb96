/**
 * The perp liquidation distance the risk checks read, from a `clearinghouseState` position: the mark is the
 * position's own value per unit, no position or no liquidation price is +∞, nonsense is NaN (unknown).
 */

import { describe, expect, it } from "vitest";

import type { PerpPosition } from "../../hotpath/exchange/wire/info.js";
import {
  liquidationDistanceOf,
  liquidationDistancePct,
} from "../../hotpath/strategy/risk/liquidationDistance.js";

function position(szi: string, positionValue: string, liquidationPx: string | null): PerpPosition {
  return {
    coin: "HYPE",
    szi,
    leverage: { type: "cross", value: 3 },
    entryPx: "40",
    positionValue,
    unrealizedPnl: "0",
    returnOnEquity: "0",
    liquidationPx,
    marginUsed: "10",
    maxLeverage: 10,
    cumFunding: { allTime: "0", sinceOpen: "0", sinceChange: "0" },
  } as unknown as PerpPosition;
}

describe("liquidationDistancePct", () => {
  it("is |mark − liquidation| / mark in %, the mark being the position's value per unit", () => {
    // Short 2.5 HYPE worth 100 USDC: mark 40; liquidation at 52 is 30 % above it.
    expect(liquidationDistancePct(position("-2.5", "100.0", "52.0"))).toBeCloseTo(30, 10);
    // Long 0.5 at mark 40, liquidation at 30: 25 % below.
    expect(liquidationDistancePct(position("0.5", "20", "30"))).toBeCloseTo(25, 10);
  });

  it("is +∞ with no position, a flat one, or no liquidation price; NaN when it cannot be a distance", () => {
    expect(liquidationDistancePct(undefined)).toBe(Number.POSITIVE_INFINITY);
    expect(liquidationDistancePct(position("0.0", "0", "30"))).toBe(Number.POSITIVE_INFINITY);
    expect(liquidationDistancePct(position("-1", "40", null))).toBe(Number.POSITIVE_INFINITY);
    expect(liquidationDistancePct(position("-1", "0", "30"))).toBeNaN();
    expect(liquidationDistancePct(position("-1", "40", "x"))).toBeNaN();
  });

  it("finds the market's perp among a snapshot's positions, with its size unsigned", () => {
    const positions = [
      { position: { ...position("1", "90000", "45000"), coin: "BTC" } },
      { position: position("-2.5", "100", "52") },
    ];
    const hype = liquidationDistanceOf(positions, "HYPE");
    expect(hype.perpSize).toBe("2.5");
    expect(hype.pct).toBeCloseTo(30, 10);
    expect(liquidationDistanceOf(positions, "ETH")).toEqual({ pct: Number.POSITIVE_INFINITY, perpSize: "0" });
  });
});
