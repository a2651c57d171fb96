/**
 * Signed trading through the gateway: IOC fills on both HYPE legs with balances, positions and fees
 * moving (the spot buy pays its fee in HYPE), GTC rest and cancel by oid and by cloid, an agent trading for
 * its master, spot↔perp transfers by the master (and not by the agent), and determinism.
 */
import { describe, expect, it } from "vitest";

import {
  cancelAction,
  cancelByCloidAction,
  usdClassTransferAction,
} from "../../../hotpath/exchange/wire/actions.js";
import { toCloid } from "../../../hotpath/exchange/wire/brands.js";
import type {
  ClearinghouseState,
  OpenOrder,
  SpotClearinghouseState,
  UserFill,
} from "../../../hotpath/exchange/wire/info.js";
import { actionRefusals } from "./index.js";
import {
  AGENT,
  MASTER,
  PERP,
  SPOT,
  clientFor,
  info,
  newSim,
  okBody,
  orderStatuses,
  refusal,
  touchOf,
  type Sim,
} from "./testkit.js";

function spotBalances(sim: Sim, user: string): Record<string, { total: string; hold: string }> {
  const state = info(sim, { type: "spotClearinghouseState", user }) as SpotClearinghouseState;
  return Object.fromEntries(state.balances.map((b) => [b.coin, { total: b.total, hold: b.hold }]));
}

function perpState(sim: Sim, user: string): ClearinghouseState {
  return info(sim, { type: "clearinghouseState", user }) as ClearinghouseState;
}

function fills(sim: Sim, user: string): UserFill[] {
  return info(sim, { type: "userFills", user }) as UserFill[];
}

const DEFAULT_OK = { status: "ok", response: { type: "default" } };

describe("IOC on both HYPE legs", () => {
  it("buys spot (fee in HYPE) and sells the perp (fee in USDC), moving balances and the position", () => {
    const sim = newSim();
    sim.admin.fund(MASTER.address, { USDC: "5000" });
    sim.admin.fund(MASTER.address, { USDC: "1000" }, { toPerp: true });
    const master = clientFor(sim, MASTER);

    const spotAsk = touchOf(sim, "@107").ask;
    const [spotStatus] = orderStatuses(
      master.order({ asset: SPOT, isBuy: true, px: spotAsk, sz: "1", tif: "Ioc" }),
    );
    expect(spotStatus).toEqual({
      filled: { totalSz: "1", avgPx: spotAsk, oid: expect.any(Number) as number },
    });
    const [spotFill] = fills(sim, MASTER.address);
    expect(spotFill).toMatchObject({
      coin: "@107",
      side: "B",
      sz: "1",
      px: spotAsk,
      feeToken: "HYPE",
      crossed: true,
    });
    // 0.07 % taker on 1 HYPE, taken from the HYPE received.
    expect(spotFill?.fee).toBe("0.0007");
    const balances = spotBalances(sim, MASTER.address);
    expect(balances["HYPE"]?.total).toBe("0.9993");
    expect(Number(balances["USDC"]?.total)).toBeCloseTo(5000 - Number(spotAsk), 8);

    const perpBid = touchOf(sim, "HYPE").bid;
    const [perpStatus] = orderStatuses(
      master.order({ asset: PERP, isBuy: false, px: perpBid, sz: "1", tif: "Ioc" }),
    );
    expect(perpStatus).toMatchObject({ filled: { totalSz: "1", avgPx: perpBid } });
    const perpFill = fills(sim, MASTER.address)[0];
    expect(perpFill).toMatchObject({ coin: "HYPE", side: "A", dir: "Open Short", feeToken: "USDC" });
    expect(Number(perpFill?.fee)).toBeCloseTo(Number(perpBid) * 0.00045, 8);
    const state = perpState(sim, MASTER.address);
    expect(state.assetPositions[0]?.position).toMatchObject({ coin: "HYPE", szi: "-1", entryPx: perpBid });
    expect(Number(state.marginSummary.accountValue)).toBeLessThan(1000);
  });

  it("reports an IOC that cannot match as a per-order error inside an ok response", () => {
    const sim = newSim();
    sim.admin.fund(MASTER.address, { USDC: "5000" });
    const { bid } = touchOf(sim, "@107");
    const reply = clientFor(sim, MASTER).order({ asset: SPOT, isBuy: true, px: bid, sz: "1", tif: "Ioc" });
    expect(reply).toEqual({
      status: 200,
      body: {
        status: "ok",
        response: {
          type: "order",
          data: {
            statuses: [
              { error: "Order could not immediately match against any resting orders. asset=10107" },
            ],
          },
        },
      },
    });
  });
});

describe("GTC rest and cancel", () => {
  it("rests a GTC, cancels it by oid, and refuses a second cancel", () => {
    const sim = newSim();
    sim.admin.fund(MASTER.address, { USDC: "5000" });
    const master = clientFor(sim, MASTER);
    const restPx = "30";
    const [status] = orderStatuses(
      master.order({ asset: SPOT, isBuy: true, px: restPx, sz: "1", tif: "Gtc" }),
    );
    if (status === undefined || typeof status === "string" || !("resting" in status))
      throw new Error("not resting");
    const oid = status.resting.oid;
    expect(info(sim, { type: "openOrders", user: MASTER.address })).toEqual([
      expect.objectContaining({ coin: "@107", side: "B", limitPx: restPx, sz: "1", oid }) as OpenOrder,
    ]);
    expect(spotBalances(sim, MASTER.address)["USDC"]?.hold).toBe("30");

    expect(okBody(master.l1(cancelAction([{ asset: SPOT, oid }])))).toEqual({
      status: "ok",
      response: { type: "cancel", data: { statuses: ["success"] } },
    });
    expect(info(sim, { type: "openOrders", user: MASTER.address })).toEqual([]);
    expect(spotBalances(sim, MASTER.address)["USDC"]?.hold).toBe("0");
    expect(okBody(master.l1(cancelAction([{ asset: SPOT, oid }])))).toEqual({
      status: "ok",
      response: {
        type: "cancel",
        data: { statuses: [{ error: "Order was never placed, already canceled, or filled. asset=10107" }] },
      },
    });
  });

  it("rests a GTC with a cloid and cancels it by cloid", () => {
    const sim = newSim();
    sim.admin.fund(MASTER.address, { USDC: "1000" }, { toPerp: true });
    const master = clientFor(sim, MASTER);
    const cloid = toCloid("0x000000000000000000000000000000aa");
    const [status] = orderStatuses(
      master.order({ asset: PERP, isBuy: false, px: "50", sz: "1", tif: "Gtc", cloid }),
    );
    expect(status).toEqual({ resting: { oid: expect.any(Number) as number, cloid } });
    expect(info(sim, { type: "orderStatus", user: MASTER.address, oid: cloid })).toMatchObject({
      status: "order",
      order: { status: "open", order: { cloid, limitPx: "50", tif: "Gtc" } },
    });

    expect(okBody(master.l1(cancelByCloidAction([{ asset: PERP, cloid }])))).toEqual({
      status: "ok",
      response: { type: "cancel", data: { statuses: ["success"] } },
    });
    expect(info(sim, { type: "orderStatus", user: MASTER.address, oid: cloid })).toMatchObject({
      order: { status: "canceled" },
    });
    expect(info(sim, { type: "frontendOpenOrders", user: MASTER.address })).toEqual([]);
  });
});

describe("agents", () => {
  it("trades for the master once the master approved it; fills and positions are the master's", () => {
    const sim = newSim();
    sim.admin.fund(MASTER.address, { USDC: "1000" }, { toPerp: true });
    const agent = clientFor(sim, AGENT);
    const { ask } = touchOf(sim, "HYPE");
    expect(refusal(agent.order({ asset: PERP, isBuy: true, px: ask, sz: "1", tif: "Ioc" }))).toBe(
      actionRefusals.unknownL1Signer(AGENT.address),
    );

    expect(okBody(clientFor(sim, MASTER).approveAgent(AGENT.address))).toEqual(DEFAULT_OK);
    const [status] = orderStatuses(agent.order({ asset: PERP, isBuy: true, px: ask, sz: "1", tif: "Ioc" }));
    expect(status).toMatchObject({ filled: { totalSz: "1" } });
    expect(fills(sim, MASTER.address)).toHaveLength(1);
    expect(fills(sim, AGENT.address)).toEqual([]);
    expect(perpState(sim, MASTER.address).assetPositions[0]?.position.szi).toBe("1");
  });

  it("registered directly by the admin, it trades the same way", () => {
    const sim = newSim();
    sim.admin.fund(MASTER.address, { USDC: "1000" });
    sim.admin.registerAgent(MASTER.address, AGENT.address);
    const { ask } = touchOf(sim, "@107");
    clientFor(sim, AGENT).placeOne({ asset: SPOT, isBuy: true, px: ask, sz: "1", tif: "Ioc" });
    expect(spotBalances(sim, MASTER.address)["HYPE"]?.total).toBe("0.9993");
  });
});

describe("usdClassTransfer", () => {
  it("moves USDC spot → perp and back when the master signs", () => {
    const sim = newSim();
    sim.admin.fund(MASTER.address, { USDC: "1000" });
    const master = clientFor(sim, MASTER);
    expect(okBody(master.usdClassTransfer("400", true))).toEqual(DEFAULT_OK);
    expect(spotBalances(sim, MASTER.address)["USDC"]?.total).toBe("600");
    expect(perpState(sim, MASTER.address).withdrawable).toBe("400");
    expect(okBody(master.usdClassTransfer("100.5", false))).toEqual(DEFAULT_OK);
    expect(perpState(sim, MASTER.address).withdrawable).toBe("299.5");
    expect(refusal(master.usdClassTransfer("5000", true))).toBe("Insufficient balance for token transfer");
  });

  it("is refused when an agent signs it, and when it names a vault", () => {
    const sim = newSim();
    sim.admin.fund(MASTER.address, { USDC: "1000" });
    sim.admin.registerAgent(MASTER.address, AGENT.address);
    expect(refusal(clientFor(sim, AGENT).usdClassTransfer("100", true))).toBe(
      actionRefusals.mustDeposit(AGENT.address),
    );
    const master = clientFor(sim, MASTER);
    const body = master.userSignedBody(
      usdClassTransferAction({ network: "mainnet", amount: "100", toPerp: true, nonce: master.nextNonce() }),
    );
    expect(refusal(sim.gateway.exchange({ ...body, vaultAddress: MASTER.address }))).toBe(
      "Vault may not perform this action.",
    );
    expect(perpState(sim, MASTER.address).withdrawable).toBe("0");
  });
});

describe("determinism", () => {
  function run(): unknown[] {
    const sim = newSim({ seed: 7, takerFlow: {} });
    sim.admin.fund(MASTER.address, { USDC: "20000" });
    sim.admin.fund(MASTER.address, { USDC: "20000" }, { toPerp: true });
    const master = clientFor(sim, MASTER);
    for (let i = 0; i < 20; i++) {
      sim.core.step(500);
      const leg = i % 2 === 0 ? "@107" : "HYPE";
      const { bid, ask } = touchOf(sim, leg);
      const isBuy = i % 4 < 2;
      master.order({
        asset: leg === "HYPE" ? PERP : SPOT,
        isBuy,
        px: isBuy ? ask : bid,
        sz: "2",
        tif: "Ioc",
      });
      master.order({
        asset: leg === "HYPE" ? PERP : SPOT,
        isBuy,
        px: isBuy ? bid : ask,
        sz: "1",
        tif: "Gtc",
      });
    }
    sim.core.step(60_000);
    return [info(sim, { type: "userFills", user: MASTER.address }), perpState(sim, MASTER.address)];
  }

  it("gives the same fills for the same seed and the same requests", () => {
    const first = run();
    expect((first[0] as unknown[]).length).toBeGreaterThan(20);
    expect(run()).toEqual(first);
  });
});
