import { describe, expect, it } from "vitest";
import { toCloid } from "../../../hotpath/exchange/wire/brands.js";
import type { CoreEvent } from "./events.js";
import { nextPriceUp } from "./grid.js";
import { HYPE_PAIR } from "./markets.js";
import {
  ALICE,
  BOB,
  CAROL,
  PERP,
  PERP_COIN,
  SPOT,
  SPOT_COIN,
  fx,
  insideSpread,
  quietCore,
  str,
  touch,
} from "./testkit.js";

describe("order matching", () => {
  it("IOC fills what the touch offers and cancels the remainder", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "100000" });
    const { ask, askSz } = touch(core, SPOT_COIN);
    const want = askSz + fx("5");
    const [status] = core.placeOrders(
      ALICE,
      [{ asset: SPOT, isBuy: true, px: str(ask), sz: str(want), tif: "Ioc" }],
      0,
    );
    expect(status).toEqual({
      filled: { totalSz: str(askSz), avgPx: str(ask), oid: expect.any(Number) as number },
    });
    const oid = (status as { filled: { oid: number } }).filled.oid;
    const order = core.orderStatus(ALICE, oid);
    expect(order.status === "order" && order.order.status).toBe("canceled");
    expect(order.status === "order" && order.order.order.sz).toBe("5");
    expect(core.openOrders(ALICE)).toEqual([]);
    // The model's touch is depleted until the next model step.
    expect(touch(core, SPOT_COIN).ask > ask).toBe(true);
    core.step(1000);
    expect(core.l2Book(SPOT_COIN)?.levels[1]).toHaveLength(20);
  });

  it("IOC that cannot match returns the exchange's error with the asset suffix", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "1000" });
    const px = insideSpread(core, SPOT_COIN, true);
    const [status] = core.placeOrders(ALICE, [{ asset: SPOT, isBuy: true, px, sz: "1", tif: "Ioc" }], 0);
    expect(status).toEqual({
      error: "Order could not immediately match against any resting orders. asset=10107",
    });
  });

  it("an IOC sweeping several levels reports the volume-weighted price", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "1000000" });
    const levels = core.l2Book(PERP_COIN, 3)!.levels[1];
    core.usdClassTransfer(ALICE, "1000000", true);
    const size = fx(levels[0]!.sz) + fx(levels[1]!.sz) + fx("1");
    const limit = levels[2]!.px;
    const [status] = core.placeOrders(
      ALICE,
      [{ asset: PERP, isBuy: true, px: limit, sz: str(size), tif: "Ioc" }],
      0,
    );
    const notional =
      fx(levels[0]!.px) * fx(levels[0]!.sz) +
      fx(levels[1]!.px) * fx(levels[1]!.sz) +
      fx(levels[2]!.px) * fx("1");
    const avg = (notional + size / 2n) / size; // half-up at 8 decimals (scaled units cancel)
    expect(status).toMatchObject({ filled: { totalSz: str(size), avgPx: str(avg) } });
    expect(core.userFills(ALICE)).toHaveLength(3);
  });

  it("GTC rests and fills with price-time priority", () => {
    const core = quietCore();
    core.fund(ALICE, { HYPE: "10" });
    core.fund(BOB, { HYPE: "10" });
    core.fund(CAROL, { USDC: "1000" });
    const better = insideSpread(core, SPOT_COIN, false); // ask − 1 tick
    const worse = str(touch(core, SPOT_COIN).ask);
    const [a1] = core.placeOrders(ALICE, [{ asset: SPOT, isBuy: false, px: worse, sz: "1", tif: "Gtc" }], 1);
    const [b1] = core.placeOrders(BOB, [{ asset: SPOT, isBuy: false, px: better, sz: "1", tif: "Gtc" }], 2);
    const [a2] = core.placeOrders(ALICE, [{ asset: SPOT, isBuy: false, px: better, sz: "1", tif: "Gtc" }], 3);
    expect(a1).toHaveProperty("resting.oid");
    expect(b1).toHaveProperty("resting.oid");
    expect(touch(core, SPOT_COIN).ask).toBe(fx(better));
    expect(touch(core, SPOT_COIN).askSz).toBe(fx("2"));
    // Carol buys 1.5 at the better price: Bob (earlier) fills fully, Alice's second order half.
    core.placeOrders(CAROL, [{ asset: SPOT, isBuy: true, px: better, sz: "1.5", tif: "Ioc" }], 4);
    const bobOid = (b1 as { resting: { oid: number } }).resting.oid;
    const aliceOid = (a2 as { resting: { oid: number } }).resting.oid;
    expect(core.orderStatus(BOB, bobOid)).toMatchObject({ order: { status: "filled" } });
    expect(core.orderStatus(ALICE, aliceOid)).toMatchObject({
      order: { status: "open", order: { sz: "0.5" } },
    });
    expect(core.openOrders(ALICE).map((o) => o.sz)).toEqual(["0.5", "1"]);
    const [makerFill] = core.userFills(BOB);
    const [takerFill] = core.userFills(CAROL).slice(-1);
    expect(makerFill).toMatchObject({ crossed: false, side: "A", px: better, sz: "1", oid: bobOid });
    expect(takerFill).toMatchObject({ crossed: true, side: "B", px: better, sz: "1", tid: makerFill!.tid });
  });

  it("a GTC crossing the book takes liquidity first and rests the remainder", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "100000" });
    const { ask, askSz } = touch(core, SPOT_COIN);
    const [status] = core.placeOrders(
      ALICE,
      [{ asset: SPOT, isBuy: true, px: str(ask), sz: str(askSz + fx("1")), tif: "Gtc" }],
      0,
    );
    expect(status).toHaveProperty("resting.oid");
    expect(touch(core, SPOT_COIN).bid).toBe(ask);
    expect(touch(core, SPOT_COIN).bidSz).toBe(fx("1"));
    expect(core.spotClearinghouseState(ALICE).balances[0]).toMatchObject({ coin: "USDC", hold: str(ask) });
  });

  it("ALO is rejected with the bbo when it would cross, and rests otherwise", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "1000" });
    const { bid, ask } = touch(core, PERP_COIN);
    core.usdClassTransfer(ALICE, "1000", true);
    const [crossing] = core.placeOrders(
      ALICE,
      [{ asset: PERP, isBuy: true, px: str(ask), sz: "1", tif: "Alo" }],
      0,
    );
    expect(crossing).toEqual({
      error: `Post only order would have immediately matched, bbo was ${str(bid)}@${str(ask)}. asset=159`,
    });
    const [passive] = core.placeOrders(
      ALICE,
      [{ asset: PERP, isBuy: true, px: str(bid), sz: "1", tif: "Alo" }],
      0,
    );
    expect(passive).toHaveProperty("resting.oid");
  });

  it("self-trade prevention cancels the resting order instead of filling it", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "1000", HYPE: "5" });
    const px = insideSpread(core, SPOT_COIN, false);
    const [resting] = core.placeOrders(ALICE, [{ asset: SPOT, isBuy: false, px, sz: "1", tif: "Gtc" }], 0);
    const oid = (resting as { resting: { oid: number } }).resting.oid;
    const [taker] = core.placeOrders(ALICE, [{ asset: SPOT, isBuy: true, px, sz: "1", tif: "Ioc" }], 1);
    expect(taker).toHaveProperty("error");
    expect(core.orderStatus(ALICE, oid)).toMatchObject({ order: { status: "selfTradeCanceled" } });
    expect(core.spotClearinghouseState(ALICE).balances[1]).toMatchObject({
      coin: "HYPE",
      hold: "0",
      total: "5",
    });
    expect(core.userFills(ALICE)).toEqual([]);
  });

  it("cancel and cancelByCloid answer success once, then the exchange's error", () => {
    const core = quietCore();
    core.fund(ALICE, { HYPE: "5" });
    const cloid = toCloid(`0x${"0".repeat(30)}aa`);
    const px = insideSpread(core, SPOT_COIN, false);
    const [r1] = core.placeOrders(ALICE, [{ asset: SPOT, isBuy: false, px, sz: "1", tif: "Gtc", cloid }], 0);
    expect(r1).toEqual({ resting: { oid: expect.any(Number) as number, cloid } });
    const oid = (r1 as { resting: { oid: number } }).resting.oid;
    expect(core.spotClearinghouseState(ALICE).balances[1]).toMatchObject({ hold: "1" });
    expect(core.cancel(BOB, [{ asset: SPOT, oid }], 1)).toEqual([
      { error: "Order was never placed, already canceled, or filled. asset=10107" },
    ]);
    expect(core.cancelByCloid(ALICE, [{ asset: SPOT, cloid }], 1)).toEqual(["success"]);
    expect(core.cancel(ALICE, [{ asset: SPOT, oid }], 2)).toEqual([
      { error: "Order was never placed, already canceled, or filled. asset=10107" },
    ]);
    expect(core.spotClearinghouseState(ALICE).balances[1]).toMatchObject({ hold: "0" });
    expect(core.orderStatus(ALICE, cloid)).toMatchObject({ status: "order", order: { status: "canceled" } });
    expect(core.orderStatus(BOB, oid)).toEqual({ status: "unknownOid" });
  });

  it("a resting order fills as maker when the market moves through it", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "100000" });
    const start = touch(core, SPOT_COIN);
    const px = str(nextPriceUp(start.bid, HYPE_PAIR.spot.grid));
    const [status] = core.placeOrders(ALICE, [{ asset: SPOT, isBuy: true, px, sz: "3", tif: "Alo" }], 0);
    expect(status).toHaveProperty("resting.oid");
    for (let i = 0; i < 600 && core.openOrders(ALICE).length > 0; i++) core.step(1000);
    const fills = core.userFills(ALICE);
    expect(fills.length).toBeGreaterThan(0);
    expect(fills.every((fill) => !fill.crossed && fill.px === px)).toBe(true);
    expect(fills[0]?.fee).toBe(str((fx(fills[0]!.sz) * fx("0.0004") + 99_999_999n) / 100_000_000n));
    const book = core.l2Book(SPOT_COIN)!;
    expect(fx(book.levels[0][0]!.px) < fx(book.levels[1][0]!.px)).toBe(true);
  });
});

describe("pre-trade checks", () => {
  it("rejects orders under the minimum value, perp and spot", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "1000", HYPE: "1" });
    core.usdClassTransfer(ALICE, "500", true);
    const bid = str(touch(core, PERP_COIN).bid);
    expect(
      core.placeOrders(ALICE, [{ asset: PERP, isBuy: true, px: bid, sz: "0.2", tif: "Gtc" }], 0),
    ).toEqual([{ error: "Order must have minimum value of $10. asset=159" }]);
    const spotBid = str(touch(core, SPOT_COIN).bid);
    expect(
      core.placeOrders(ALICE, [{ asset: SPOT, isBuy: true, px: spotBid, sz: "0.2", tif: "Gtc" }], 0),
    ).toEqual([{ error: "Order must have minimum value of 10 USDC. asset=10107" }]);
    // Exactly $10 passes: 0.25 at 40.
    expect(
      core.placeOrders(ALICE, [{ asset: PERP, isBuy: true, px: "40", sz: "0.25", tif: "Alo" }], 0)[0],
    ).toHaveProperty("resting");
  });

  it("rejects spot orders beyond the free balance, counting holds", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "50", HYPE: "1" });
    const bid = str(touch(core, SPOT_COIN).bid);
    expect(core.placeOrders(ALICE, [{ asset: SPOT, isBuy: true, px: bid, sz: "2", tif: "Gtc" }], 0)).toEqual([
      { error: "Insufficient spot balance asset=10107" },
    ]);
    expect(
      core.placeOrders(ALICE, [{ asset: SPOT, isBuy: true, px: bid, sz: "1", tif: "Gtc" }], 0)[0],
    ).toHaveProperty("resting");
    // The first order holds ~40 USDC: a second one of the same size no longer fits.
    expect(core.placeOrders(ALICE, [{ asset: SPOT, isBuy: true, px: bid, sz: "1", tif: "Gtc" }], 0)).toEqual([
      { error: "Insufficient spot balance asset=10107" },
    ]);
    const ask = str(touch(core, SPOT_COIN).ask);
    expect(
      core.placeOrders(ALICE, [{ asset: SPOT, isBuy: false, px: ask, sz: "1.01", tif: "Gtc" }], 0),
    ).toEqual([{ error: "Insufficient spot balance asset=10107" }]);
  });

  it("rejects perp orders beyond the free margin", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "100" });
    core.usdClassTransfer(ALICE, "100", true);
    const bid = str(touch(core, PERP_COIN).bid);
    // 10× max leverage: 100 USDC carries about 1000 USDC of notional (25 HYPE at 40).
    expect(core.placeOrders(ALICE, [{ asset: PERP, isBuy: true, px: bid, sz: "26", tif: "Gtc" }], 0)).toEqual(
      [{ error: "Insufficient margin to place order. asset=159" }],
    );
    expect(
      core.placeOrders(ALICE, [{ asset: PERP, isBuy: true, px: bid, sz: "20", tif: "Gtc" }], 0)[0],
    ).toHaveProperty("resting");
    expect(core.placeOrders(ALICE, [{ asset: PERP, isBuy: true, px: bid, sz: "6", tif: "Gtc" }], 0)).toEqual([
      { error: "Insufficient margin to place order. asset=159" },
    ]);
  });

  it("reduce-only may only reduce, and is capped at the position", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "1000" });
    core.usdClassTransfer(ALICE, "1000", true);
    const { bid, ask } = touch(core, PERP_COIN);
    const sell = { asset: PERP, isBuy: false, px: str(bid), sz: "1", tif: "Ioc" as const, reduceOnly: true };
    expect(core.placeOrders(ALICE, [sell], 0)).toEqual([
      { error: "Reduce only order would increase position. asset=159" },
    ]);
    core.placeOrders(ALICE, [{ asset: PERP, isBuy: true, px: str(ask), sz: "0.5", tif: "Ioc" }], 0);
    const [closing] = core.placeOrders(ALICE, [sell], 1);
    expect(closing).toMatchObject({ filled: { totalSz: "0.5" } });
    expect(core.clearinghouseState(ALICE).assetPositions).toEqual([]);
    expect(core.placeOrders(ALICE, [{ ...sell, isBuy: true, px: str(ask) }], 2)).toEqual([
      { error: "Reduce only order would increase position. asset=159" },
    ]);
  });

  it("pre-validates the grid and lot", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "1000" });
    expect(
      core.placeOrders(ALICE, [{ asset: SPOT, isBuy: true, px: "40.0001", sz: "1", tif: "Gtc" }], 0),
    ).toEqual([{ error: "Price must be divisible by tick size. asset=10107" }]);
    expect(
      core.placeOrders(ALICE, [{ asset: SPOT, isBuy: true, px: "40", sz: "0.505", tif: "Gtc" }], 0),
    ).toEqual([{ error: "Order has invalid size." }]);
  });

  it("answers each order of a batch independently", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "1000" });
    const bid = str(touch(core, SPOT_COIN).bid);
    const statuses = core.placeOrders(
      ALICE,
      [
        { asset: SPOT, isBuy: true, px: bid, sz: "0.1", tif: "Gtc" },
        { asset: SPOT, isBuy: true, px: bid, sz: "1", tif: "Gtc" },
        { asset: 999, isBuy: true, px: bid, sz: "1", tif: "Gtc" },
      ],
      0,
    );
    expect(statuses[0]).toHaveProperty("error");
    expect(statuses[1]).toHaveProperty("resting");
    expect(statuses[2]).toEqual({ error: "Unknown asset. asset=999" });
  });
});

describe("events", () => {
  it("emits order updates, fills, trades and books after each action", () => {
    const core = quietCore();
    const events: CoreEvent[] = [];
    core.subscribe((event) => events.push(event));
    core.fund(ALICE, { USDC: "1000" });
    const { ask } = touch(core, SPOT_COIN);
    core.placeOrders(ALICE, [{ asset: SPOT, isBuy: true, px: str(ask), sz: "1", tif: "Ioc" }], 5);
    const types = events.map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(["trades", "l2Book", "orderUpdates", "userFills"]));
    const trades = events.find((event) => event.type === "trades");
    expect(trades).toMatchObject({
      coin: "@107",
      data: [{ side: "B", px: str(ask), sz: "1", users: [ALICE, expect.any(String)] }],
    });
    const update = events.find((event) => event.type === "orderUpdates");
    expect(update).toMatchObject({
      user: ALICE,
      data: [{ status: "filled", order: { coin: "@107", side: "B" } }],
    });
    events.length = 0;
    core.step(1000);
    expect(events.filter((event) => event.type === "l2Book")).toHaveLength(2);
  });

  it("emits bbo only when the top of book changed", () => {
    const core = quietCore();
    const events: CoreEvent[] = [];
    core.subscribe((event) => events.push(event));
    core.fund(ALICE, { USDC: "1000" });
    core.placeOrders(ALICE, [{ asset: SPOT, isBuy: true, px: "30", sz: "1", tif: "Gtc" }], 0);
    expect(events.filter((event) => event.type === "bbo")).toHaveLength(0);
    core.placeOrders(
      ALICE,
      [{ asset: SPOT, isBuy: true, px: insideSpread(core, SPOT_COIN, true), sz: "1", tif: "Gtc" }],
      0,
    );
    expect(events.filter((event) => event.type === "bbo")).toHaveLength(1);
  });
});
