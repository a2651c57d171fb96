/**
 * The exchange's refusals, through the real server: requests signed with the project's own signing
 * (`hotpath/exchange/signing`, via the gateway testkit's builders) are POSTed to `/exchange`, and the exact
 * HTTP reply is asserted — status 200, JSON, and the exchange's text (PROTOCOL §12). The gateway's unit
 * tests prove the rules; these prove the texts survive the transport unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { usdClassTransferAction } from "../../../hotpath/exchange/wire/actions.js";
import { MASTER, PERP, SPOT, STRANGER, orderOf, type OrderArgs } from "../gateway/testkit.js";
import type { Simulator } from "../server/simulator.js";
import { START, testSimulator } from "../server/testkit.js";
import { post, signingClient, type HttpReply } from "./testkit.js";

/** `{"status":"err","response":text}`: an action refused as a whole. */
function refused(text: string): HttpReply {
  return { status: 200, type: "application/json", body: { status: "err", response: text } };
}

/** `{"status":"ok",…}` with one order status, the error `text`: one order refused, the action accepted. */
function orderRefused(text: string): HttpReply {
  return {
    status: 200,
    type: "application/json",
    body: { status: "ok", response: { type: "order", data: { statuses: [{ error: text }] } } },
  };
}

describe("refusals over HTTP", () => {
  let sim: Simulator;
  // The clock is manual and starts at START, so nonces just above it are inside the exchange's window.
  const master = signingClient(MASTER, START);

  beforeAll(async () => {
    sim = await testSimulator({
      fund: [
        { address: MASTER.address, USDC: "1000" },
        { address: MASTER.address, USDC: "1000", toPerp: true },
      ],
    });
  });

  afterAll(async () => {
    await sim.stop();
  });

  const send = (body: unknown): Promise<HttpReply> => post(sim, "exchange", body);

  it("refuses actions signed with a key that is not the account's", async () => {
    const stranger = signingClient(STRANGER, START);
    const order = orderOf({ asset: PERP, isBuy: true, px: "30", sz: "1", tif: "Gtc" });
    // An L1 action names no account: the signer recovered is the account, and this one has none.
    expect(await send(stranger.l1Body(order))).toEqual(
      refused(`L1 error: User or API Wallet ${STRANGER.address} does not exist.`),
    );
    const transfer = usdClassTransferAction({
      network: "mainnet",
      amount: "1",
      toPerp: true,
      nonce: stranger.nextNonce(),
    });
    expect(await send(stranger.userSignedBody(transfer))).toEqual(
      refused(`Must deposit before performing actions. User: ${STRANGER.address}`),
    );
  });

  it("refuses a reused nonce and does not execute the action again", async () => {
    const nonce = master.nextNonce();
    const order = orderOf({ asset: PERP, isBuy: true, px: "31", sz: "1", tif: "Gtc" });
    const first = await send(master.l1Body(order, { nonce }));
    expect(first.body).toMatchObject({ status: "ok", response: { data: { statuses: [{ resting: {} }] } } });
    expect(await send(master.l1Body(order, { nonce }))).toEqual(
      refused(`Invalid nonce: duplicate nonce ${nonce}`),
    );
    const open = (await post(sim, "info", { type: "openOrders", user: MASTER.address })).body as {
      limitPx: string;
    }[];
    expect(open.filter((entry) => entry.limitPx === "31")).toHaveLength(1);
  });

  const ORDER_RULES: readonly { rule: string; order: OrderArgs; error: string }[] = [
    {
      rule: "a perp price off the tick grid",
      order: { asset: PERP, isBuy: true, px: "30.00001", sz: "1", tif: "Gtc" },
      error: "Price must be divisible by tick size. asset=159",
    },
    {
      rule: "a spot price off the tick grid",
      order: { asset: SPOT, isBuy: true, px: "30.0000001", sz: "1", tif: "Gtc" },
      error: "Price must be divisible by tick size. asset=10107",
    },
    {
      rule: "a perp order below $10",
      order: { asset: PERP, isBuy: true, px: "30", sz: "0.33", tif: "Gtc" },
      error: "Order must have minimum value of $10. asset=159",
    },
    {
      rule: "a spot order below 10 USDC",
      order: { asset: SPOT, isBuy: true, px: "30", sz: "0.33", tif: "Gtc" },
      error: "Order must have minimum value of 10 USDC. asset=10107",
    },
    {
      rule: "a spot buy exceeding the USDC balance",
      order: { asset: SPOT, isBuy: true, px: "30", sz: "40", tif: "Gtc" },
      error: "Insufficient spot balance asset=10107",
    },
    {
      rule: "a perp order exceeding the margin",
      order: { asset: PERP, isBuy: true, px: "30", sz: "400", tif: "Gtc" },
      error: "Insufficient margin to place order. asset=159",
    },
  ];

  it.each(ORDER_RULES)("refuses $rule with the exchange's text", async ({ order, error }) => {
    expect(await send(master.l1Body(orderOf(order)))).toEqual(orderRefused(error));
  });
});
