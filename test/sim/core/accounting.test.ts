import { describe, expect, it } from "vitest";
import type { CoreEvent } from "./events.js";
import { divRound, mulFx } from "./fixed.js";
import { BASE_FEE_RATES, Ledger, MODEL_ADDRESS } from "./ledger.js";
import { HYPE_PAIR, MarketTable } from "./markets.js";
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

const ceilFee = (notional: bigint, rate: bigint): bigint => divRound(notional * rate, 100_000_000n, "ceil");

describe("spot fees", () => {
  it("a spot buy pays its fee in HYPE (0.5 HYPE at 0.07 % → 0.49965 credited)", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "1000" });
    const { ask } = touch(core, SPOT_COIN);
    core.placeOrders(ALICE, [{ asset: SPOT, isBuy: true, px: str(ask), sz: "0.5", tif: "Ioc" }], 0);
    const [fill] = core.userFills(ALICE);
    expect(fill).toMatchObject({
      coin: "@107",
      dir: "Buy",
      side: "B",
      fee: "0.00035",
      feeToken: "HYPE",
      crossed: true,
    });
    expect(fill).toMatchObject({ startPosition: "0", closedPnl: "0", sz: "0.5", px: str(ask) });
    const balances = core.spotClearinghouseState(ALICE).balances;
    expect(balances).toEqual([
      {
        coin: "USDC",
        token: 0,
        hold: "0",
        total: str(fx("1000") - mulFx(ask, fx("0.5"), "halfEven")),
        entryNtl: "0",
      },
      {
        coin: "HYPE",
        token: 150,
        hold: "0",
        total: "0.49965",
        entryNtl: str(mulFx(ask, fx("0.5"), "halfEven")),
      },
    ]);
  });

  it("a spot sell pays its fee in USDC", () => {
    const core = quietCore();
    core.fund(ALICE, { HYPE: "2" });
    const { bid } = touch(core, SPOT_COIN);
    core.placeOrders(ALICE, [{ asset: SPOT, isBuy: false, px: str(bid), sz: "1", tif: "Ioc" }], 0);
    const [fill] = core.userFills(ALICE);
    const notional = mulFx(bid, fx("1"), "halfEven");
    const fee = ceilFee(notional, BASE_FEE_RATES.spotCross);
    expect(fill).toMatchObject({
      dir: "Sell",
      side: "A",
      feeToken: "USDC",
      fee: str(fee),
      startPosition: "2",
    });
    expect(core.spotClearinghouseState(ALICE).balances).toMatchObject([
      { coin: "USDC", total: str(notional - fee) },
      { coin: "HYPE", total: "1" },
    ]);
  });

  it("a maker pays the add rate and per-user rates apply", () => {
    const core = quietCore();
    core.fund(ALICE, { HYPE: "2" });
    core.fund(BOB, { USDC: "1000" });
    core.setUserFees(BOB, { spotCross: "0.00063" });
    const px = insideSpread(core, SPOT_COIN, false);
    core.placeOrders(ALICE, [{ asset: SPOT, isBuy: false, px, sz: "0.5", tif: "Gtc" }], 0);
    core.placeOrders(BOB, [{ asset: SPOT, isBuy: true, px, sz: "0.5", tif: "Ioc" }], 1);
    expect(core.userFills(BOB)[0]).toMatchObject({ fee: "0.000315", feeToken: "HYPE", crossed: true });
    const makerFee = ceilFee(mulFx(fx(px), fx("0.5"), "halfEven"), BASE_FEE_RATES.spotAdd);
    expect(core.userFills(ALICE)[0]).toMatchObject({ fee: str(makerFee), feeToken: "USDC", crossed: false });
    expect(core.userFees(BOB)).toMatchObject({ userSpotCrossRate: "0.00063", userCrossRate: "0.00045" });
  });
});

describe("perp accounting", () => {
  it("opens and closes with realised PnL and fees in USDC", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "1000" }, { toPerp: true });
    core.fund(BOB, { USDC: "1000" }, { toPerp: true });
    const openPx = insideSpread(core, PERP_COIN, false);
    core.placeOrders(ALICE, [{ asset: PERP, isBuy: false, px: openPx, sz: "2", tif: "Gtc" }], 0);
    core.placeOrders(BOB, [{ asset: PERP, isBuy: true, px: openPx, sz: "2", tif: "Ioc" }], 1);
    const openNtl = mulFx(fx(openPx), fx("2"), "halfEven");
    const bobOpenFee = ceilFee(openNtl, BASE_FEE_RATES.perpCross);
    const aliceOpenFee = ceilFee(openNtl, BASE_FEE_RATES.perpAdd);
    expect(core.userFills(BOB)[0]).toMatchObject({
      dir: "Open Long",
      startPosition: "0",
      closedPnl: "0",
      fee: str(bobOpenFee),
      feeToken: "USDC",
    });
    expect(core.userFills(ALICE)[0]).toMatchObject({
      dir: "Open Short",
      startPosition: "0",
      fee: str(aliceOpenFee),
    });
    expect(core.clearinghouseState(BOB).assetPositions[0]?.position).toMatchObject({
      szi: "2",
      entryPx: openPx,
    });
    expect(core.clearinghouseState(ALICE).assetPositions[0]?.position).toMatchObject({
      szi: "-2",
      entryPx: openPx,
    });

    // Bob sells 3 into Alice's bid one tick higher: closes 2 (profit), flips 1 short.
    const closePx = insideSpread(core, PERP_COIN, true);
    core.placeOrders(ALICE, [{ asset: PERP, isBuy: true, px: closePx, sz: "3", tif: "Gtc" }], 2);
    core.placeOrders(BOB, [{ asset: PERP, isBuy: false, px: closePx, sz: "3", tif: "Ioc" }], 3);
    const pnl = mulFx(fx(closePx) - fx(openPx), fx("2"), "halfEven");
    const [bobClose] = core.userFills(BOB);
    expect(bobClose).toMatchObject({ dir: "Long > Short", startPosition: "2", closedPnl: str(pnl), sz: "3" });
    const [aliceClose] = core.userFills(ALICE);
    expect(aliceClose).toMatchObject({ dir: "Short > Long", startPosition: "-2", closedPnl: str(-pnl) });
    const bobCloseFee = ceilFee(mulFx(fx(closePx), fx("3"), "halfEven"), BASE_FEE_RATES.perpCross);
    const bobState = core.clearinghouseState(BOB);
    expect(bobState.assetPositions[0]?.position).toMatchObject({ szi: "-1", entryPx: closePx });
    // Collateral = 1000 + pnl − fees; the account value adds the open short's unrealised PnL at the mark.
    const mark = core.oracleAndMark(PERP_COIN)!.markPx;
    const upnl = fx(closePx) - mark;
    expect(bobState.marginSummary.accountValue).toBe(str(fx("1000") + pnl - bobOpenFee - bobCloseFee + upnl));
  });

  it("tracks 'Close Long' and realised PnL against the model's book", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "1000" }, { toPerp: true });
    const { ask, bid } = touch(core, PERP_COIN);
    core.placeOrders(ALICE, [{ asset: PERP, isBuy: true, px: str(ask), sz: "1", tif: "Ioc" }], 0);
    core.placeOrders(ALICE, [{ asset: PERP, isBuy: false, px: str(bid), sz: "1", tif: "Ioc" }], 1);
    const [close, open] = core.userFills(ALICE);
    expect(open).toMatchObject({ dir: "Open Long" });
    expect(close).toMatchObject({ dir: "Close Long", startPosition: "1", closedPnl: str(bid - ask) });
    const fees = ceilFee(ask, BASE_FEE_RATES.perpCross) + ceilFee(bid, BASE_FEE_RATES.perpCross);
    expect(core.clearinghouseState(ALICE).marginSummary.accountValue).toBe(
      str(fx("1000") + bid - ask - fees),
    );
  });
});

describe("funding", () => {
  it("positive rate: longs pay shorts, payment = size × oracle × rate (PROTOCOL §9.3 example)", () => {
    const markets = new MarketTable([HYPE_PAIR]);
    const ledger = new Ledger(markets);
    const marks = { markPx: () => fx("40") };
    ledger.fund(ALICE, { USDC: "1000" }, { toPerp: true });
    ledger.fund(BOB, { USDC: "1000" }, { toPerp: true });
    ledger.settle(ALICE, HYPE_PAIR.perp, false, fx("40"), fx("10"), "house");
    ledger.settle(BOB, HYPE_PAIR.perp, true, fx("40"), fx("10"), "house");
    ledger.settle(MODEL_ADDRESS, HYPE_PAIR.perp, true, fx("40"), fx("10"), "house");
    ledger.settle(MODEL_ADDRESS, HYPE_PAIR.perp, false, fx("40"), fx("10"), "house");
    const payments = ledger.applyFunding(PERP, fx("40"), fx("0.0000125"), START);
    const common = { time: START, coin: "HYPE", fundingRate: fx("0.0000125") };
    expect(payments).toEqual([
      { user: ALICE, usdc: fx("0.005"), szi: fx("-10"), ...common },
      { user: BOB, usdc: fx("-0.005"), szi: fx("10"), ...common },
    ]);
    expect(ledger.perpSummary(ALICE, marks).accountValue).toBe(fx("1000.005"));
    expect(ledger.position(BOB, PERP)?.cumFunding.allTime).toBe(fx("0.005"));
    const negative = ledger.applyFunding(PERP, fx("40"), fx("-0.0001"), START);
    expect(negative.find((p) => p.user === ALICE)?.usdc).toBe(fx("-0.04"));
  });

  it("rounds every payment in the exchange's favour and keeps the residue", () => {
    const ledger = new Ledger(new MarketTable([HYPE_PAIR]));
    ledger.settle(ALICE, HYPE_PAIR.perp, false, fx("40.001"), fx("0.33"), "house");
    ledger.settle(MODEL_ADDRESS, HYPE_PAIR.perp, true, fx("40.001"), fx("0.33"), "house");
    const [paid] = ledger.applyFunding(PERP, fx("40.001"), fx("0.00001234"), START);
    // Exact credit: 0.33 × 40.001 × 0.00001234 = 0.000162892072… → floor 0.00016289.
    expect(paid?.usdc).toBe(fx("0.00016289"));
    expect(ledger.fundingResidue() > 0n).toBe(true);
  });

  it("settles hourly in the core, with events and userFunding history", () => {
    const core = quietCore({ startTimeMs: START });
    const events: CoreEvent[] = [];
    core.subscribe((event) => events.push(event));
    core.fund(ALICE, { USDC: "1000" }, { toPerp: true });
    const { bid } = touch(core, PERP_COIN);
    core.placeOrders(ALICE, [{ asset: PERP, isBuy: false, px: str(bid), sz: "10", tif: "Ioc" }], 0);
    core.step(3_600_000);
    const [record] = core.userFunding(ALICE, 0);
    const rate = fx(record!.delta.fundingRate);
    const oracle = core.oracleAndMark(PERP_COIN)!.oraclePx;
    const expected = divRound(fx("10") * oracle * rate, 10n ** 16n, "floor");
    expect(record).toMatchObject({
      time: START + 3_600_000,
      delta: { type: "funding", coin: "HYPE", szi: "-10", usdc: str(expected) },
    });
    if (rate > 0n) expect(fx(record!.delta.usdc) > 0n).toBe(true);
    expect(events.find((event) => event.type === "userFunding")).toMatchObject({
      user: ALICE,
      data: { coin: "HYPE", szi: "-10" },
    });
    expect(core.fundingHistory(PERP_COIN, 0)).toHaveLength(1);
  });

  it("accelerates the funding interval", () => {
    const core = quietCore({ fundingAcceleration: 60 });
    core.fund(ALICE, { USDC: "1000" }, { toPerp: true });
    const { ask } = touch(core, PERP_COIN);
    core.placeOrders(ALICE, [{ asset: PERP, isBuy: true, px: str(ask), sz: "1", tif: "Ioc" }], 0);
    for (let i = 0; i < 300; i++) core.step(1000);
    expect(core.userFunding(ALICE, 0)).toHaveLength(5);
  });
});

describe("spot ↔ perp transfers and account modes", () => {
  it("standard mode: in up to the free spot USDC, out up to withdrawable", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "1000" });
    expect(core.userAbstraction(ALICE)).toBe("disabled");
    expect(core.usdClassTransfer(ALICE, "1000.01", true)).toEqual({
      ok: false,
      error: "Insufficient balance for token transfer",
    });
    expect(core.usdClassTransfer(ALICE, "600", true)).toEqual({ ok: true });
    expect(core.spotClearinghouseState(ALICE).balances[0]).toMatchObject({ total: "400" });
    const { ask } = touch(core, PERP_COIN);
    core.placeOrders(ALICE, [{ asset: PERP, isBuy: true, px: str(ask), sz: "50", tif: "Ioc" }], 0);
    const withdrawable = fx(core.clearinghouseState(ALICE).withdrawable);
    expect(withdrawable < fx("600")).toBe(true);
    expect(core.usdClassTransfer(ALICE, str(withdrawable + 1n), false)).toMatchObject({ ok: false });
    expect(core.usdClassTransfer(ALICE, str(withdrawable), false)).toEqual({ ok: true });
    expect(core.clearinghouseState(ALICE).withdrawable).toBe("0");
    expect(core.usdClassTransfer(ALICE, "0", true)).toEqual({ ok: false, error: "Invalid amount." });
  });

  it("standard mode keeps perp collateral apart from spot USDC", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "1000" });
    const bid = str(touch(core, PERP_COIN).bid);
    expect(core.placeOrders(ALICE, [{ asset: PERP, isBuy: true, px: bid, sz: "1", tif: "Gtc" }], 0)).toEqual([
      { error: "Insufficient margin to place order. asset=159" },
    ]);
  });

  it("unified mode: spot USDC is the perp collateral and transfers are a no-op", () => {
    const core = quietCore({ defaultAbstraction: "unifiedAccount" });
    core.fund(ALICE, { USDC: "1000" });
    expect(core.userAbstraction(ALICE)).toBe("unifiedAccount");
    expect(core.usdClassTransfer(ALICE, "500", true)).toEqual({ ok: true });
    expect(core.spotClearinghouseState(ALICE).balances[0]).toMatchObject({ total: "1000" });
    const { ask } = touch(core, PERP_COIN);
    core.placeOrders(ALICE, [{ asset: PERP, isBuy: true, px: str(ask), sz: "5", tif: "Ioc" }], 0);
    const fee = ceilFee(mulFx(ask, fx("5"), "halfEven"), BASE_FEE_RATES.perpCross);
    const usdc = core.spotClearinghouseState(ALICE).balances[0]!;
    expect(usdc.total).toBe(str(fx("1000") - fee));
    const state = core.clearinghouseState(ALICE);
    expect(fx(usdc.hold)).toBe(fx(state.marginSummary.totalMarginUsed));
    // Perp margin is reserved out of spot USDC for spot orders.
    const spotBid = touch(core, SPOT_COIN).bid;
    const free = fx(usdc.total) - fx(usdc.hold);
    const tooBig = (divRound(free * 100_000_000n, spotBid, "floor") / 1_000_000n) * 1_000_000n + 1_000_000n;
    expect(
      core.placeOrders(
        ALICE,
        [{ asset: SPOT, isBuy: true, px: str(spotBid), sz: str(tooBig), tif: "Gtc" }],
        1,
      ),
    ).toEqual([{ error: "Insufficient spot balance asset=10107" }]);
  });

  it("switching to unified merges the perp collateral", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "1000" });
    core.usdClassTransfer(ALICE, "400", true);
    expect(core.setUserAbstraction(ALICE, "unifiedAccount")).toEqual({ ok: true });
    expect(core.spotClearinghouseState(ALICE).balances[0]).toMatchObject({ total: "1000" });
    expect(core.clearinghouseState(ALICE).marginSummary.accountValue).toBe("1000");
  });

  it("updateLeverage changes the margin used", () => {
    const core = quietCore();
    core.fund(ALICE, { USDC: "1000" }, { toPerp: true });
    const { ask } = touch(core, PERP_COIN);
    core.placeOrders(ALICE, [{ asset: PERP, isBuy: true, px: str(ask), sz: "10", tif: "Ioc" }], 0);
    const at10 = fx(core.clearinghouseState(ALICE).marginSummary.totalMarginUsed);
    expect(core.updateLeverage(ALICE, PERP, 5)).toEqual({ ok: true });
    const position = core.clearinghouseState(ALICE).assetPositions[0]!.position;
    expect(position.leverage).toEqual({ type: "cross", value: 5 });
    expect(fx(position.marginUsed)).toBe(at10 * 2n);
    expect(core.updateLeverage(ALICE, PERP, 11)).toMatchObject({ ok: false });
    expect(core.updateLeverage(ALICE, SPOT, 2)).toMatchObject({ ok: false });
  });
});
