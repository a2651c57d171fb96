/**
 * Action builders (`wire/actions.ts`): canonical key order (§5.10), optional fields omitted rather than
 * undefined, integer checks.
 */

import { describe, expect, it } from "vitest";
import {
  ActionBuildError,
  approveAgentAction,
  cancelAction,
  cancelByCloidAction,
  noopAction,
  orderAction,
  scheduleCancelAction,
  updateLeverageAction,
  usdClassTransferAction,
  type OrderSpec,
} from "../../hotpath/exchange/wire/actions.js";
import { asWireDecimal, toAddress, toCloid } from "../../hotpath/exchange/wire/brands.js";
import { encodeMsgpack } from "../../hotpath/exchange/signing/msgpack.js";

const hype: OrderSpec = {
  asset: 159,
  isBuy: true,
  price: asWireDecimal("40.123"),
  size: asWireDecimal("0.5"),
  reduceOnly: false,
  orderType: { limit: { tif: "Ioc" } },
};

/** Keys at every level, in order, as msgpack will see them. */
function keyPaths(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => keyPaths(item, `${prefix}[${i}]`));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => [`${prefix}.${k}`, ...keyPaths(v, `${prefix}.${k}`)]);
  }
  return [];
}

describe("L1 action builders", () => {
  it("order: type, orders[{a,b,p,s,r,t,c}], grouping, builder{b,f}", () => {
    const action = orderAction({
      orders: [{ cloid: toCloid("0x000000000000000000000000000000AA"), ...hype }],
      grouping: "normalTpsl",
      builder: { address: toAddress("0x1234567890123456789012345678901234567890"), feeTenthsBps: 10 },
    });
    expect(keyPaths(action)).toEqual([
      ".type",
      ".orders",
      ".orders[0].a",
      ".orders[0].b",
      ".orders[0].p",
      ".orders[0].s",
      ".orders[0].r",
      ".orders[0].t",
      ".orders[0].t.limit",
      ".orders[0].t.limit.tif",
      ".orders[0].c",
      ".grouping",
      ".builder",
      ".builder.b",
      ".builder.f",
    ]);
    expect(action.orders[0]?.c).toBe("0x000000000000000000000000000000aa");
  });

  it("order: absent cloid, builder and grouping are omitted / defaulted, never undefined", () => {
    const action = orderAction({ orders: [{ ...hype, cloid: undefined }], builder: undefined });
    expect(Object.keys(action)).toEqual(["type", "orders", "grouping"]);
    expect(action.grouping).toBe("na");
    expect(Object.keys(action.orders[0]!)).toEqual(["a", "b", "p", "s", "r", "t"]);
  });

  it("trigger orders are rebuilt in isMarket, triggerPx, tpsl order whatever the input order", () => {
    const action = orderAction({
      orders: [
        {
          ...hype,
          orderType: { trigger: { tpsl: "sl", triggerPx: asWireDecimal("39"), isMarket: true } },
        },
      ],
    });
    expect(Object.keys((action.orders[0]!.t as { trigger: object }).trigger)).toEqual([
      "isMarket",
      "triggerPx",
      "tpsl",
    ]);
  });

  it("cancel, cancelByCloid, scheduleCancel, updateLeverage, noop", () => {
    expect(keyPaths(cancelAction([{ oid: 7, asset: 159 }]))).toEqual([
      ".type",
      ".cancels",
      ".cancels[0].a",
      ".cancels[0].o",
    ]);
    expect(
      keyPaths(cancelByCloidAction([{ cloid: toCloid("0x" + "0".repeat(31) + "1"), asset: 10107 }])),
    ).toEqual([".type", ".cancels", ".cancels[0].asset", ".cancels[0].cloid"]);
    expect(Object.keys(scheduleCancelAction())).toEqual(["type"]);
    expect(scheduleCancelAction(1700000060000)).toEqual({ type: "scheduleCancel", time: 1700000060000 });
    expect(Object.keys(updateLeverageAction({ leverage: 3, isCross: true, asset: 159 }))).toEqual([
      "type",
      "asset",
      "isCross",
      "leverage",
    ]);
    expect(encodeMsgpack(noopAction())).toEqual(
      Uint8Array.from([0x81, 0xa4, ...Buffer.from("type"), 0xa4, ...Buffer.from("noop")]),
    );
  });

  it("refuses fractional, negative or unsafe integers and empty orders", () => {
    expect(() => orderAction({ orders: [{ ...hype, asset: 159.5 }] })).toThrow(ActionBuildError);
    expect(() => orderAction({ orders: [] })).toThrow(/at least one order/);
    expect(() => cancelAction([{ asset: 159, oid: -1 }])).toThrow(/cancel.oid/);
    expect(() => scheduleCancelAction(2 ** 53)).toThrow(ActionBuildError);
    expect(() => updateLeverageAction({ asset: 159, isCross: true, leverage: 2.5 })).toThrow(/leverage/);
  });
});

describe("user-signed action builders", () => {
  it("usdClassTransfer: type, signatureChainId, hyperliquidChain, amount, toPerp, nonce", () => {
    expect(usdClassTransferAction({ network: "testnet", amount: "1.5", toPerp: false, nonce: 5 })).toEqual({
      type: "usdClassTransfer",
      signatureChainId: "0x66eee",
      hyperliquidChain: "Testnet",
      amount: "1.5",
      toPerp: false,
      nonce: 5,
    });
  });

  it("approveAgent omits an absent or empty agentName", () => {
    const agentAddress = toAddress("0x1234567890123456789012345678901234567890");
    expect(Object.keys(approveAgentAction({ network: "mainnet", agentAddress, nonce: 1 }))).not.toContain(
      "agentName",
    );
    expect(
      Object.keys(approveAgentAction({ network: "mainnet", agentAddress, agentName: "", nonce: 1 })),
    ).not.toContain("agentName");
    expect(
      approveAgentAction({
        network: "mainnet",
        signatureChainId: "0xa4b1",
        agentAddress,
        agentName: "bot",
        nonce: 1,
      }),
    ).toEqual({
      type: "approveAgent",
      signatureChainId: "0xa4b1",
      hyperliquidChain: "Mainnet",
      agentAddress,
      agentName: "bot",
      nonce: 1,
    });
  });
});
