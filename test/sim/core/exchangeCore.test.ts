import { describe, expect, it } from "vitest";
import { ExchangeCore } from "./exchangeCore.js";
import type { CoreEvent } from "./events.js";
import { isValidPrice } from "./grid.js";
import { HYPE_PAIR } from "./markets.js";
import {
  ALICE,
  BOB,
  PERP,
  PERP_COIN,
  SPOT,
  SPOT_COIN,
  START,
  fx,
  insideSpread,
  quietCore,
  str,
  touch,
} from "./testkit.js";

/** A fixed script of actions against a core with the market's own flow on; returns everything observable. */
function runScript(seed: number): unknown {
  const core = new ExchangeCore({ seed, startTimeMs: START, fundingAcceleration: 12 });
  const events: CoreEvent[] = [];
  core.subscribe((event) => events.push(event));
  core.fund(ALICE, { USDC: "50000", HYPE: "100" });
  core.fund(BOB, { USDC: "50000" }, { toPerp: true });
  for (let i = 0; i < 200; i++) {
    core.step(750);
    const now = core.now();
    if (i % 10 === 0) {
      const spot = touch(core, SPOT_COIN);
      core.placeOrders(
        ALICE,
        [
          {
            asset: SPOT,
            isBuy: i % 20 === 0,
            px: str(i % 20 === 0 ? spot.bid : spot.ask),
            sz: "2",
            tif: "Gtc",
          },
        ],
        now,
      );
    }
    if (i % 7 === 0) {
      const perp = touch(core, PERP_COIN);
      core.placeOrders(
        BOB,
        [
          {
            asset: PERP,
            isBuy: i % 14 === 0,
            px: str(i % 14 === 0 ? perp.ask : perp.bid),
            sz: "3",
            tif: "Ioc",
          },
        ],
        now,
      );
    }
  }
  return {
    events,
    books: [core.l2Book(PERP_COIN), core.l2Book(SPOT_COIN)],
    fills: [core.userFills(ALICE), core.userFills(BOB)],
    states: [core.clearinghouseState(BOB), core.spotClearinghouseState(ALICE)],
    funding: core.userFunding(BOB, 0),
  };
}

describe("determinism", () => {
  it("same seed and actions → identical books, fills and events", () => {
    const a = runScript(77);
    expect(JSON.stringify(runScript(77))).toBe(JSON.stringify(a));
    expect(JSON.stringify(runScript(78))).not.toBe(JSON.stringify(a));
  });
});

describe("published books", () => {
  it("are never crossed and always on the grid, with user orders and market flow", () => {
    const core = new ExchangeCore({ seed: 5, startTimeMs: START });
    core.fund(ALICE, { USDC: "100000", HYPE: "500" });
    for (let i = 0; i < 300; i++) {
      core.step(1000);
      if (i % 5 === 0) {
        const spot = touch(core, SPOT_COIN);
        const px = str(i % 10 === 0 ? spot.bid : spot.ask);
        core.placeOrders(ALICE, [{ asset: SPOT, isBuy: i % 10 === 0, px, sz: "1", tif: "Alo" }], core.now());
      }
      for (const market of [HYPE_PAIR.perp, HYPE_PAIR.spot]) {
        const [bids, asks] = core.l2Book(market.coin)!.levels;
        expect(bids).toHaveLength(20);
        expect(asks).toHaveLength(20);
        expect(fx(bids[0]!.px) < fx(asks[0]!.px)).toBe(true);
        for (const level of [...bids, ...asks]) expect(isValidPrice(fx(level.px), market.grid)).toBe(true);
      }
    }
  });
});

describe("fault hooks", () => {
  it("forces partial fills: IOC remainder cancelled, GTC remainder rests", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "100000" }, { toPerp: true });
    core.faults.forcePartialFills(PERP, 2, 0.4);
    const { ask, askSz } = touch(core, PERP_COIN);
    expect(askSz >= fx("10")).toBe(true);
    const [ioc] = core.placeOrders(
      ALICE,
      [{ asset: PERP, isBuy: true, px: str(ask), sz: "10", tif: "Ioc" }],
      0,
    );
    expect(ioc).toMatchObject({ filled: { totalSz: "4" } });
    const [gtc] = core.placeOrders(
      ALICE,
      [{ asset: PERP, isBuy: true, px: str(ask), sz: "5", tif: "Gtc" }],
      0,
    );
    expect(gtc).toHaveProperty("resting");
    expect(core.openOrders(ALICE)[0]).toMatchObject({ sz: "3", origSz: "5" });
    const [normal] = core.placeOrders(
      ALICE,
      [{ asset: PERP, isBuy: true, px: str(ask), sz: "1", tif: "Ioc" }],
      0,
    );
    expect(normal).toMatchObject({ filled: { totalSz: "1" } });
  });

  it("rejects the next N orders with a given error", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "1000" });
    core.faults.rejectNextOrders(2, "Too many requests.", SPOT);
    const order = {
      asset: SPOT,
      isBuy: true,
      px: str(touch(core, SPOT_COIN).bid),
      sz: "1",
      tif: "Gtc" as const,
    };
    expect(core.placeOrders(ALICE, [order, order, order], 0)).toEqual([
      { error: "Too many requests." },
      { error: "Too many requests." },
      { resting: { oid: expect.any(Number) as number } },
    ]);
  });

  it("freezes the feed: no book frames, stale snapshots, time and funding go on", () => {
    const core = quietCore({ fundingAcceleration: 60 });
    const events: CoreEvent[] = [];
    core.subscribe((event) => events.push(event));
    core.step(1000);
    const before = core.l2Book(PERP_COIN);
    core.faults.setModelFrozen(true);
    events.length = 0;
    core.step(120_000);
    expect(events.some((event) => event.type === "l2Book" || event.type === "bbo")).toBe(false);
    expect(core.l2Book(PERP_COIN)).toEqual(before);
    expect(core.now()).toBe(START + 121_000);
    core.faults.setModelFrozen(false);
    core.step(1000);
    expect(core.l2Book(PERP_COIN)!.time).toBe(START + 122_000);
    expect(core.fundingHistory(PERP_COIN, 0)).toHaveLength(2);
  });

  it("publishes a crossed book on demand without corrupting matching", () => {
    const core = quietCore();
    core.faults.setCrossedBook(SPOT, true);
    core.step(1000);
    const [bids, asks] = core.l2Book(SPOT_COIN)!.levels;
    expect(fx(bids[0]!.px) > fx(asks[0]!.px)).toBe(true);
    core.faults.setCrossedBook(SPOT, false);
    core.step(1000);
    const [bids2, asks2] = core.l2Book(SPOT_COIN)!.levels;
    expect(fx(bids2[0]!.px) < fx(asks2[0]!.px)).toBe(true);
  });

  it("skews every exchange timestamp", () => {
    const core = quietCore();
    core.faults.setClockSkew(-2500);
    core.step(1000);
    expect(core.l2Book(PERP_COIN)!.time).toBe(START + 1000 - 2500);
    core.fund(ALICE, { USDC: "1000" });
    core.placeOrders(
      ALICE,
      [{ asset: SPOT, isBuy: true, px: str(touch(core, SPOT_COIN).ask), sz: "1", tif: "Ioc" }],
      START + 1000,
    );
    expect(core.userFills(ALICE)[0]?.time).toBe(START + 1000 - 2500);
    expect(core.clearinghouseState(ALICE).time).toBe(START + 1000 - 2500);
  });
});

describe("scheduleCancel", () => {
  it("enforces the volume gate with the exchange's message", () => {
    const core = quietCore();
    expect(core.scheduleCancel(ALICE, START + 60_000, START)).toEqual({
      ok: false,
      error: "Cannot set scheduled cancel time until enough volume traded. Required: $1000000. Traded: $0.",
    });
  });

  it("cancels every open order when it fires", () => {
    const core = quietCore({ scheduleCancelMinVolume: "0" });
    const events: CoreEvent[] = [];
    core.subscribe((event) => events.push(event));
    core.fund(ALICE, { USDC: "1000", HYPE: "5" });
    // Far from the touch, so the moving market cannot fill them first.
    const bid = "35";
    const ask = "45";
    core.placeOrders(
      ALICE,
      [
        { asset: SPOT, isBuy: true, px: bid, sz: "1", tif: "Gtc" },
        { asset: SPOT, isBuy: false, px: ask, sz: "1", tif: "Gtc" },
      ],
      START,
    );
    expect(core.scheduleCancel(ALICE, START + 1000, START)).toMatchObject({ ok: false });
    expect(core.scheduleCancel(ALICE, START + 10_000, START)).toEqual({ ok: true });
    core.step(9000);
    expect(core.openOrders(ALICE)).toHaveLength(2);
    core.step(1000);
    expect(core.openOrders(ALICE)).toHaveLength(0);
    const statuses = events.flatMap((event) =>
      event.type === "orderUpdates" ? event.data.map((u) => u.status) : [],
    );
    expect(statuses.filter((status) => status === "scheduledCancel")).toHaveLength(2);
    expect(core.spotClearinghouseState(ALICE).balances.every((balance) => balance.hold === "0")).toBe(true);
  });
});

describe("queries", () => {
  it("mirror the info responses' shapes", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "2000", HYPE: "3" });
    core.usdClassTransfer(ALICE, "1000", true);
    const perp = touch(core, PERP_COIN);
    core.placeOrders(ALICE, [{ asset: PERP, isBuy: false, px: str(perp.bid), sz: "1", tif: "Ioc" }], 1);
    const px = insideSpread(core, SPOT_COIN, true);
    core.placeOrders(ALICE, [{ asset: SPOT, isBuy: true, px, sz: "1", tif: "Gtc" }], 2);

    expect(Object.keys(core.clearinghouseState(ALICE))).toEqual([
      "assetPositions",
      "marginSummary",
      "crossMarginSummary",
      "crossMaintenanceMarginUsed",
      "withdrawable",
      "time",
    ]);
    expect(core.clearinghouseState(ALICE).assetPositions[0]).toMatchObject({
      type: "oneWay",
      position: { coin: "HYPE", szi: "-1", leverage: { type: "cross", value: 10 }, maxLeverage: 10 },
    });
    expect(core.openOrders(ALICE)).toEqual([
      {
        coin: "@107",
        side: "B",
        limitPx: px,
        sz: "1",
        oid: expect.any(Number) as number,
        timestamp: 2,
        origSz: "1",
      },
    ]);
    expect(core.frontendOpenOrders(ALICE)[0]).toMatchObject({
      orderType: "Limit",
      tif: "Gtc",
      reduceOnly: false,
      isTrigger: false,
      triggerCondition: "N/A",
      triggerPx: "0",
      children: [],
    });
    expect(Object.keys(core.userFills(ALICE)[0]!)).toEqual([
      "coin",
      "px",
      "sz",
      "side",
      "time",
      "startPosition",
      "dir",
      "closedPnl",
      "hash",
      "oid",
      "crossed",
      "fee",
      "tid",
      "feeToken",
      "twapId",
    ]);
    const mids = core.allMids();
    expect(Object.keys(mids).sort()).toEqual(["@107", "HYPE"]);
    expect(core.bbo(PERP_COIN)?.bbo[0]).toEqual(core.l2Book(PERP_COIN)?.levels[0][0]);
    expect(core.perpAssetCtx(PERP_COIN)).toMatchObject({
      openInterest: "1",
      funding: expect.any(String) as string,
    });
    expect(core.spotAssetCtx(SPOT_COIN)).toMatchObject({ coin: "@107" });
    expect(core.userAbstraction(BOB)).toBe("disabled");
    expect(core.spotClearinghouseState(BOB)).toEqual({ balances: [] });
  });
});

describe("history limits", () => {
  it("forgets the oldest finished orders but never open ones", () => {
    const core = quietCore({ historyLimits: { maxOrders: 20 } });
    core.fund(ALICE, { USDC: "1000" });
    const [first] = core.placeOrders(ALICE, [{ asset: SPOT, isBuy: true, px: "30", sz: "1", tif: "Gtc" }], 0);
    const openOid = (first as { resting: { oid: number } }).resting.oid;
    const statuses = core.placeOrders(
      ALICE,
      Array.from({ length: 100 }, () => ({
        asset: SPOT,
        isBuy: true,
        px: "30",
        sz: "1",
        tif: "Ioc" as const,
      })),
      1,
    );
    expect(statuses.every((status) => "error" in status)).toBe(true);
    expect(core.orderStatus(ALICE, openOid)).toMatchObject({ order: { status: "open" } });
    expect(core.orderStatus(ALICE, openOid + 1)).toEqual({ status: "unknownOid" });
    expect(core.orderStatus(ALICE, openOid + 100)).toMatchObject({ order: { status: "iocCancelRejected" } });
  });
});
