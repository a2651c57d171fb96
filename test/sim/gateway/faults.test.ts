/**
 * The admin surface's fault hooks, seen through the gateway as a client would see them: throttling (HTTP
 * 429), injected order errors and whole-action refusals, forced partial fills, crossed and stale books.
 */
import { describe, expect, it } from "vitest";

import { noopAction } from "../../../hotpath/exchange/wire/actions.js";
import type { L2Book } from "../../../hotpath/exchange/wire/info.js";
import {
  MASTER,
  PERP,
  SPOT,
  clientFor,
  info,
  fundedSim,
  orderStatuses,
  refusal,
  touchOf,
} from "./testkit.js";

describe("fault hooks", () => {
  it("throttles the next N requests with HTTP 429 and a null body, per endpoint", () => {
    const sim = fundedSim();
    sim.admin.faults.throttleNextRequests(2, "info");
    expect(sim.gateway.info({ type: "meta" })).toEqual({ status: 429, body: null });
    expect(clientFor(sim, MASTER).l1(noopAction()).status).toBe(200);
    expect(sim.gateway.info({ type: "meta" }).status).toBe(429);
    expect(sim.gateway.info({ type: "meta" }).status).toBe(200);
    sim.admin.faults.throttleNextRequests(1);
    expect(clientFor(sim, MASTER).l1(noopAction())).toEqual({ status: 429, body: null });
  });

  it("rejects the next N orders with the given error, on one market or any", () => {
    const sim = fundedSim();
    const master = clientFor(sim, MASTER);
    sim.admin.faults.rejectNextOrders(1, "Order price too far from oracle", "HYPE");
    const { ask } = touchOf(sim, "@107");
    expect(master.placeOne({ asset: SPOT, isBuy: true, px: ask, sz: "1", tif: "Ioc" })).toMatchObject({
      filled: {},
    });
    expect(master.placeOne({ asset: PERP, isBuy: true, px: "30", sz: "1", tif: "Gtc" })).toEqual({
      error: "Order price too far from oracle",
    });
    expect(master.placeOne({ asset: PERP, isBuy: true, px: "30", sz: "1", tif: "Gtc" })).toMatchObject({
      resting: {},
    });
  });

  it("refuses the next N actions as a whole, spending their nonces", () => {
    const sim = fundedSim();
    const master = clientFor(sim, MASTER);
    sim.admin.faults.rejectNextActions(1, "Too many cumulative requests sent");
    const nonce = master.nextNonce();
    expect(refusal(master.l1(noopAction(), { nonce }))).toBe("Too many cumulative requests sent");
    expect(refusal(master.l1(noopAction(), { nonce }))).toBe(`Invalid nonce: duplicate nonce ${nonce}`);
    expect(master.l1(noopAction()).body).toMatchObject({ status: "ok" });
  });

  it("forces partial fills of IOC orders", () => {
    const sim = fundedSim();
    sim.admin.faults.forcePartialFills(PERP, 1, 0.5);
    const { ask } = touchOf(sim, "HYPE");
    const statuses = orderStatuses(
      clientFor(sim, MASTER).order({ asset: PERP, isBuy: true, px: ask, sz: "2", tif: "Ioc" }),
    );
    expect(statuses).toEqual([{ filled: { totalSz: "1", avgPx: ask, oid: expect.any(Number) as number } }]);
  });

  it("publishes a crossed book, then a stale one, and clears every fault", () => {
    const sim = fundedSim();
    sim.admin.faults.setCrossedBook("@107", true);
    sim.core.step(1000);
    const crossed = info(sim, { type: "l2Book", coin: "@107" }) as L2Book;
    expect(Number(crossed.levels[0][0]?.px)).toBeGreaterThan(Number(crossed.levels[1][0]?.px));

    sim.admin.faults.clear();
    sim.admin.faults.setStaleBooks(true);
    sim.core.step(1000);
    const before = info(sim, { type: "l2Book", coin: "HYPE" });
    sim.core.step(5000);
    expect(info(sim, { type: "l2Book", coin: "HYPE" })).toEqual(before);
    sim.admin.faults.clear();
    sim.core.step(1000);
    expect(info(sim, { type: "l2Book", coin: "HYPE" })).not.toEqual(before);
  });

  it("names unknown markets loudly", () => {
    const sim = fundedSim();
    expect(() => sim.admin.faults.setCrossedBook("BTC", true)).toThrow(/trades no market "BTC"/);
  });
});
