/** The staleness/skew breaker: each reason, resync after (re)connect, clearing, trip counting; backoff. */

import { describe, expect, it } from "vitest";

import { ReconnectBackoff } from "../../hotpath/feed/backoff.js";
import {
  BREAKER_CROSSED,
  BREAKER_RESYNCING,
  BREAKER_SKEW,
  BREAKER_STALE,
  MarketBreaker,
  breakerReasonNames,
  breakerReasons,
  type BreakerLeg,
} from "../../hotpath/feed/breaker.js";

const LIMITS = { staleAfterMs: 2000, maxLegSkewMs: 500 };

interface MutableLeg {
  receivedAtMs: number;
  exchangeTimeMs: number;
  crossed: boolean;
  sequence: number;
}

function leg(receivedAtMs: number, exchangeTimeMs: number, crossed = false): MutableLeg {
  return { receivedAtMs, exchangeTimeMs, crossed, sequence: 1 };
}

function frame(target: MutableLeg, receivedAtMs: number, exchangeTimeMs: number): void {
  target.receivedAtMs = receivedAtMs;
  target.exchangeTimeMs = exchangeTimeMs;
  target.sequence += 1;
}

describe("breakerReasons (pure)", () => {
  const fresh: BreakerLeg = leg(1000, 5000);

  it("is clear for fresh, synced, aligned, uncrossed legs", () => {
    expect(breakerReasons(fresh, leg(1000, 5100), true, true, 1500, LIMITS)).toBe(0);
  });

  it("trips on a leg older than staleAfterMs by the local clock, whatever its exchange time", () => {
    expect(breakerReasons(fresh, leg(1000, 5000), true, true, 3001, LIMITS)).toBe(BREAKER_STALE);
    expect(breakerReasons(fresh, leg(1000, 5000), true, true, 3000, LIMITS)).toBe(0);
  });

  it("trips on a leg whose exchange time is older than maxExchangeAgeMs by the wall clock, when set", () => {
    const aged = { ...LIMITS, maxExchangeAgeMs: 2000 };
    // Received just now (monotonic 1000 → now 1001), but its data.time is 2001 ms behind the wall clock.
    expect(breakerReasons(fresh, leg(1000, 5000), true, true, 1001, aged, 7000)).toBe(0);
    expect(breakerReasons(fresh, leg(1000, 4999), true, true, 1001, aged, 7000)).toBe(BREAKER_STALE);
    expect(breakerReasons(leg(1000, 4999), fresh, true, true, 1001, aged, 7000)).toBe(BREAKER_STALE);
    // Unset: exchange age is not checked, whatever the wall clock says.
    expect(breakerReasons(fresh, leg(1000, 4999), true, true, 1001, LIMITS, 1e12)).toBe(0);
  });

  it("trips on exchange-time skew between the legs beyond maxLegSkewMs, either way", () => {
    expect(breakerReasons(fresh, leg(1000, 5501), true, true, 1000, LIMITS)).toBe(BREAKER_SKEW);
    expect(breakerReasons(leg(1000, 5501), fresh, true, true, 1000, LIMITS)).toBe(BREAKER_SKEW);
    expect(breakerReasons(fresh, leg(1000, 5500), true, true, 1000, LIMITS)).toBe(0);
  });

  it("trips on a crossed leg, and while a leg is not resynced or never received", () => {
    expect(breakerReasons(fresh, leg(1000, 5000, true), true, true, 1000, LIMITS)).toBe(BREAKER_CROSSED);
    expect(breakerReasons(fresh, fresh, true, false, 1000, LIMITS)).toBe(BREAKER_RESYNCING);
    const never = leg(Number.NaN, Number.NaN);
    expect(breakerReasons(fresh, never, true, true, 1000, LIMITS)).toBe(BREAKER_RESYNCING);
  });

  it("reports several reasons at once, by name", () => {
    const reasons = breakerReasons(fresh, leg(0, 9000, true), true, false, 2500, LIMITS);
    expect(breakerReasonNames(reasons)).toEqual(["stale", "skew", "crossed", "resyncing"]);
  });
});

describe("MarketBreaker", () => {
  it("starts open (resyncing) and closes once both legs have a frame after connecting", () => {
    const perp = leg(Number.NaN, Number.NaN);
    const spot = leg(Number.NaN, Number.NaN);
    const breaker = new MarketBreaker(perp, spot, LIMITS);
    expect(breaker.open).toBe(true);
    breaker.connectedAt();
    expect(breaker.evaluate(0)).toBe(BREAKER_RESYNCING);
    frame(perp, 10, 1000);
    expect(breaker.evaluate(10)).toBe(BREAKER_RESYNCING);
    frame(spot, 20, 1000);
    expect(breaker.evaluate(20)).toBe(0);
    expect(breaker.open).toBe(false);
  });

  it("blocks from disconnect until each leg's first frame on the new connection", () => {
    const perp = leg(0, 1000);
    const spot = leg(0, 1000);
    const breaker = new MarketBreaker(perp, spot, LIMITS);
    breaker.connectedAt();
    frame(perp, 1, 1000);
    frame(spot, 1, 1000);
    expect(breaker.evaluate(1)).toBe(0);
    breaker.disconnected();
    expect(breaker.evaluate(2)).toBe(BREAKER_RESYNCING);
    // Books still look fresh, but they are from the old connection.
    breaker.connectedAt();
    expect(breaker.evaluate(3)).toBe(BREAKER_RESYNCING);
    frame(perp, 4, 1100);
    frame(spot, 4, 1100);
    expect(breaker.evaluate(4)).toBe(0);
    expect(breaker.trips[3]).toBe(1);
  });

  it("trips stale on the timer with no frames, clears when fresh data returns, counts each trip", () => {
    const perp = leg(0, 1000);
    const spot = leg(0, 1000);
    const breaker = new MarketBreaker(perp, spot, LIMITS);
    breaker.connectedAt();
    frame(perp, 0, 1000);
    frame(spot, 0, 1000);
    expect(breaker.evaluate(1000)).toBe(0);
    expect(breaker.evaluate(2500)).toBe(BREAKER_STALE);
    expect(breaker.evaluate(2600)).toBe(BREAKER_STALE);
    frame(perp, 2700, 3700);
    frame(spot, 2700, 3700);
    expect(breaker.evaluate(2700)).toBe(0);
    expect(breaker.evaluate(5000)).toBe(BREAKER_STALE);
    expect(breaker.trips[0]).toBe(2);
  });
});

describe("ReconnectBackoff", () => {
  it("grows exponentially with equal jitter, caps, and resets", () => {
    const low = new ReconnectBackoff({ minMs: 100, maxMs: 1000 }, () => 0);
    expect([low.next(), low.next(), low.next(), low.next(), low.next()]).toEqual([50, 100, 200, 400, 500]);
    low.reset();
    expect(low.next()).toBe(50);
    const high = new ReconnectBackoff({ minMs: 100, maxMs: 1000 }, () => 0.999);
    expect(high.next()).toBeLessThan(100);
    expect(() => new ReconnectBackoff({ minMs: 0, maxMs: 10 })).toThrow(RangeError);
  });
});
