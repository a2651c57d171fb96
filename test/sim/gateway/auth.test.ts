/**
 * What the gateway refuses, each with the exchange's answer: unknown signers (wrong key, tampered body,
 * other network), zero signatures, nonce reuse and the nonce window and floor, expired actions, vaults,
 * bodies that do not deserialize (HTTP 422); and the order rules the core applies (tick, minimum value,
 * balance, margin) as per-order errors inside HTTP 200.
 */
import { describe, expect, it } from "vitest";

import { noopAction, usdClassTransferAction } from "../../../hotpath/exchange/wire/actions.js";
import { actionRefusals, DESERIALIZE_FAILURE } from "./index.js";
import {
  AGENT,
  MASTER,
  PERP,
  SPOT,
  STRANGER,
  clientFor,
  fundedSim,
  orderOf,
  orderStatuses,
  refusal,
  touchOf,
} from "./testkit.js";

const DAY_MS = 86_400_000;

describe("signers", () => {
  it("refuses an order signed with a key that is no account or agent, naming the recovered address", () => {
    const sim = fundedSim();
    const { ask } = touchOf(sim, "HYPE");
    const reply = clientFor(sim, STRANGER).order({ asset: PERP, isBuy: true, px: ask, sz: "1", tif: "Ioc" });
    expect(refusal(reply)).toBe(`L1 error: User or API Wallet ${STRANGER.address} does not exist.`);
  });

  it("recovers some other address from a body changed after signing", () => {
    const sim = fundedSim();
    const master = clientFor(sim, MASTER);
    const body = master.l1Body(orderOf({ asset: PERP, isBuy: true, px: "30", sz: "1", tif: "Gtc" }));
    const tampered = {
      ...body,
      action: orderOf({ asset: PERP, isBuy: true, px: "31", sz: "1", tif: "Gtc" }),
    };
    const text = refusal(sim.gateway.exchange(tampered));
    expect(text).toMatch(/^L1 error: User or API Wallet 0x[0-9a-f]{40} does not exist\.$/);
    expect(text).not.toContain(MASTER.address);
  });

  it("refuses a zero signature as unrecoverable", () => {
    const sim = fundedSim();
    const body = clientFor(sim, MASTER).l1Body(noopAction());
    const zero = `0x${"0".repeat(64)}`;
    expect(refusal(sim.gateway.exchange({ ...body, signature: { r: zero, s: zero, v: 27 } }))).toBe(
      "Unable to recover signer.",
    );
  });

  it("accepts the signature source of its network only", () => {
    const mainnet = fundedSim();
    const testnetSigned = clientFor(mainnet, MASTER).l1(noopAction(), { network: "testnet" });
    expect(refusal(testnetSigned)).toMatch(/^L1 error: User or API Wallet 0x[0-9a-f]{40} does not exist\.$/);

    const testnet = fundedSim({ signatureSource: "b" });
    const master = clientFor(testnet, MASTER);
    expect(master.l1(noopAction(), { network: "testnet" }).body).toEqual({
      status: "ok",
      response: { type: "default" },
    });
    const mainnetTransfer = usdClassTransferAction({
      network: "mainnet",
      amount: "1",
      toPerp: true,
      nonce: master.nextNonce(),
    });
    expect(refusal(master.userSigned(mainnetTransfer))).toBe(actionRefusals.wrongChain);
  });

  it("refuses user-signed actions from unfunded signers, and L1 actions for a vault", () => {
    const sim = fundedSim();
    expect(refusal(clientFor(sim, STRANGER).usdClassTransfer("1", true))).toBe(
      `Must deposit before performing actions. User: ${STRANGER.address}`,
    );
    expect(refusal(clientFor(sim, MASTER).l1(noopAction(), { vaultAddress: AGENT.address }))).toBe(
      `Vault not registered: ${AGENT.address}`,
    );
  });

  it("in canonical mode (the default), recovers from the canonical form, whatever key order or padding was sent", () => {
    const sim = fundedSim();
    const master = clientFor(sim, MASTER);
    const action = orderOf({ asset: PERP, isBuy: true, px: "30", sz: "1", tif: "Gtc" });
    const body = master.l1Body(action);
    const reordered = {
      ...body,
      action: {
        grouping: "na",
        orders: [{ t: { limit: { tif: "Gtc" } }, s: "1.00", r: false, p: "30.0", b: true, a: PERP }],
        type: "order",
      },
    };
    expect(orderStatuses(sim.gateway.exchange(reordered))[0]).toMatchObject({ resting: {} });

    // Signed over the non-canonical form itself: the exchange hashes another form, so another signer.
    const signedAsSent = master.l1Body(reordered.action);
    expect(refusal(sim.gateway.exchange(signedAsSent))).toMatch(/^L1 error: User or API Wallet/);
    // As-sent mode accepts exactly what was signed.
    const asSent = fundedSim({ l1ActionHashing: "asSent" });
    expect(
      orderStatuses(asSent.gateway.exchange(clientFor(asSent, MASTER).l1Body(reordered.action)))[0],
    ).toMatchObject({
      resting: {},
    });
  });
});

describe("nonces", () => {
  it("refuses a reused nonce, whether the first use succeeded or not", () => {
    const sim = fundedSim();
    const master = clientFor(sim, MASTER);
    const nonce = master.nextNonce();
    expect(master.l1(noopAction(), { nonce }).body).toEqual({ status: "ok", response: { type: "default" } });
    expect(refusal(master.l1(noopAction(), { nonce }))).toBe(`Invalid nonce: duplicate nonce ${nonce}`);
  });

  it("admits nonces strictly inside (T − 2 d, T + 1 d) of the exchange's time, clock skew included", () => {
    const sim = fundedSim();
    const master = clientFor(sim, MASTER);
    const now = sim.core.exchangeTime();
    expect(refusal(master.l1(noopAction(), { nonce: now - 2 * DAY_MS }))).toBe(
      `Invalid nonce: nonce too low ${now - 2 * DAY_MS} < ${now - 2 * DAY_MS + 1}`,
    );
    expect(refusal(master.l1(noopAction(), { nonce: now + DAY_MS }))).toBe(
      `Invalid nonce: nonce too high ${now + DAY_MS} > ${now + DAY_MS - 1}`,
    );
    expect(master.l1(noopAction(), { nonce: now - 2 * DAY_MS + 1 }).body).toMatchObject({ status: "ok" });
    expect(master.l1(noopAction(), { nonce: now + DAY_MS - 1 }).body).toMatchObject({ status: "ok" });

    sim.admin.faults.setClockSkew(-3 * DAY_MS);
    const skewed = master.nextNonce();
    expect(refusal(master.l1(noopAction(), { nonce: skewed }))).toMatch(/^Invalid nonce: nonce too high/);
  });

  it("keeps the 100 highest nonces per signer: a new one must exceed the smallest of them", () => {
    const sim = fundedSim();
    const master = clientFor(sim, MASTER);
    const base = sim.core.exchangeTime();
    for (let i = 1; i <= 100; i++) {
      expect(master.l1(noopAction(), { nonce: base + 10 * i }).body).toMatchObject({ status: "ok" });
    }
    // Below the smallest kept (base + 10): too low; between kept ones: fine.
    expect(refusal(master.l1(noopAction(), { nonce: base + 5 }))).toBe(
      `Invalid nonce: nonce too low ${base + 5} < ${base + 11}`,
    );
    expect(master.l1(noopAction(), { nonce: base + 15 }).body).toMatchObject({ status: "ok" });
    // Still remembered as used, though now below the floor.
    expect(refusal(master.l1(noopAction(), { nonce: base + 10 }))).toBe(
      `Invalid nonce: duplicate nonce ${base + 10}`,
    );
  });

  it("tracks nonces per signer: an agent and its master have separate sets", () => {
    const sim = fundedSim();
    sim.admin.registerAgent(MASTER.address, AGENT.address);
    const nonce = sim.core.exchangeTime() + 1;
    expect(clientFor(sim, MASTER).l1(noopAction(), { nonce }).body).toMatchObject({ status: "ok" });
    expect(clientFor(sim, AGENT).l1(noopAction(), { nonce }).body).toMatchObject({ status: "ok" });
  });

  it("refuses a user-signed action whose nonce differs from the envelope's", () => {
    const sim = fundedSim();
    const master = clientFor(sim, MASTER);
    const action = usdClassTransferAction({
      network: "mainnet",
      amount: "1",
      toPerp: true,
      nonce: master.nextNonce(),
    });
    const body = master.userSignedBody(action);
    expect(refusal(sim.gateway.exchange({ ...body, nonce: action.nonce + 1 }))).toBe("Nonce mismatch.");
  });
});

describe("expiresAfter", () => {
  it("refuses an action past its expiry and spends its nonce; a future expiry is fine", () => {
    const sim = fundedSim();
    const master = clientFor(sim, MASTER);
    const now = sim.core.exchangeTime();
    const nonce = master.nextNonce();
    expect(refusal(master.l1(noopAction(), { nonce, expiresAfter: now - 1 }))).toBe("Action already expired");
    expect(refusal(master.l1(noopAction(), { nonce, expiresAfter: now + 60_000 }))).toBe(
      `Invalid nonce: duplicate nonce ${nonce}`,
    );
    expect(master.l1(noopAction(), { expiresAfter: now + 60_000 }).body).toMatchObject({ status: "ok" });
  });

  it("is not accepted on user-signed actions", () => {
    const sim = fundedSim();
    const master = clientFor(sim, MASTER);
    const body = master.userSignedBody(
      usdClassTransferAction({ network: "mainnet", amount: "1", toPerp: true, nonce: master.nextNonce() }),
    );
    expect(refusal(sim.gateway.exchange({ ...body, expiresAfter: sim.core.exchangeTime() + 1000 }))).toBe(
      actionRefusals.expiresAfterOnUserAction,
    );
  });
});

describe("bodies that do not deserialize", () => {
  it("get HTTP 422 with the exchange's text, before any signature check", () => {
    const sim = fundedSim();
    const master = clientFor(sim, MASTER);
    const order = (p: unknown, s: unknown = "1") => ({
      type: "order",
      orders: [{ a: PERP, b: true, p, s, r: false, t: { limit: { tif: "Gtc" } } }],
      grouping: "na",
    });
    const good = master.l1Body(noopAction());
    for (const body of [
      { ...good, action: { type: "launchRocket" } },
      { ...good, action: order("30.000000001") },
      { ...good, action: order(30) },
      { ...good, action: order("3e1") },
      { ...good, action: order("-30") },
      { ...good, action: order("30", "") },
      { ...good, action: { type: "noop", extra: 1 } },
      { ...good, unexpected: true },
      { ...good, nonce: "1" },
      { ...good, signature: { r: "0xzz", s: "0x1", v: 27 } },
      { action: { type: "noop" }, nonce: 1 },
      "noop",
      null,
    ]) {
      expect(sim.gateway.exchange(body), JSON.stringify(body)).toEqual({
        status: 422,
        body: DESERIALIZE_FAILURE,
      });
    }
  });

  it("decodes trailing zeros within 8 decimals; only a signature over the canonical form is accepted", () => {
    const action = {
      type: "order",
      orders: [{ a: PERP, b: true, p: "30.000000000", s: "1.0", r: false, t: { limit: { tif: "Gtc" } } }],
      grouping: "na",
    };
    const asSent = fundedSim({ l1ActionHashing: "asSent" });
    const reply = asSent.gateway.exchange(clientFor(asSent, MASTER).l1Body(action));
    expect(orderStatuses(reply)[0]).toMatchObject({ resting: {} });
    // The trailing-zero pitfall (PROTOCOL §6.4): "30.0" hashes differently from "30", so by default the
    // signature recovers another address.
    const canonical = fundedSim();
    expect(refusal(canonical.gateway.exchange(clientFor(canonical, MASTER).l1Body(action)))).toMatch(
      /^L1 error: User or API Wallet/,
    );
  });

  it("names actions the simulator does not model instead of pretending they are malformed", () => {
    const sim = fundedSim();
    const body = clientFor(sim, MASTER).l1Body({ type: "setReferrer", code: "CCXT1" });
    expect(refusal(sim.gateway.exchange(body))).toBe(actionRefusals.actionNotModelled("setReferrer"));
  });
});

describe("order rules (per-order errors, HTTP 200)", () => {
  it("refuses a price off the tick grid", () => {
    const sim = fundedSim();
    const statuses = orderStatuses(
      clientFor(sim, MASTER).order({ asset: PERP, isBuy: true, px: "30.0001", sz: "1", tif: "Gtc" }),
    );
    expect(statuses).toEqual([{ error: "Price must be divisible by tick size. asset=159" }]);
  });

  it("refuses orders below 10 USDC on both legs", () => {
    const sim = fundedSim();
    const master = clientFor(sim, MASTER);
    expect(master.placeOne({ asset: PERP, isBuy: true, px: "30", sz: "0.33", tif: "Gtc" })).toEqual({
      error: "Order must have minimum value of $10. asset=159",
    });
    expect(master.placeOne({ asset: SPOT, isBuy: true, px: "30", sz: "0.33", tif: "Gtc" })).toEqual({
      error: "Order must have minimum value of 10 USDC. asset=10107",
    });
  });

  it("refuses orders exceeding the spot balance or the perp margin", () => {
    const sim = fundedSim();
    const master = clientFor(sim, MASTER);
    expect(master.placeOne({ asset: SPOT, isBuy: true, px: "30", sz: "40", tif: "Gtc" })).toEqual({
      error: "Insufficient spot balance asset=10107",
    });
    expect(master.placeOne({ asset: SPOT, isBuy: false, px: "50", sz: "1", tif: "Gtc" })).toEqual({
      error: "Insufficient spot balance asset=10107",
    });
    expect(master.placeOne({ asset: PERP, isBuy: true, px: "30", sz: "400", tif: "Gtc" })).toEqual({
      error: "Insufficient margin to place order. asset=159",
    });
  });

  it("answers each order of a batch on its own; trigger orders are not modelled", () => {
    const sim = fundedSim();
    const action = {
      type: "order",
      orders: [
        { a: PERP, b: true, p: "30", s: "1", r: false, t: { limit: { tif: "Gtc" } } },
        {
          a: PERP,
          b: false,
          p: "20",
          s: "1",
          r: true,
          t: { trigger: { isMarket: true, triggerPx: "20", tpsl: "sl" } },
        },
        { a: PERP, b: true, p: "30.00001", s: "1", r: false, t: { limit: { tif: "Gtc" } } },
      ],
      grouping: "na",
    };
    const statuses = orderStatuses(sim.gateway.exchange(clientFor(sim, MASTER).l1Body(action)));
    expect(statuses).toEqual([
      { resting: { oid: expect.any(Number) as number } },
      { error: actionRefusals.triggerNotModelled },
      { error: "Price must be divisible by tick size. asset=159" },
    ]);
  });
});
