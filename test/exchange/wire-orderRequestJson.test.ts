/**
 * `orderRequestJson` is `JSON.stringify` of a signed order request, byte for byte: over random order actions
 * (every order shape the builders make, with and without cloids, builder fees and trigger orders, which take
 * the generic path), random signatures, nonces and `expiresAfter`; and on fixed examples written out by hand.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  orderAction,
  type Grouping,
  type OrderAction,
  type Tif,
} from "../../hotpath/exchange/wire/actions.js";
import { asWireDecimal, toCloid, toHex, type Hex } from "../../hotpath/exchange/wire/brands.js";
import type { ExchangeRequest, ExchangeSignature } from "../../hotpath/exchange/wire/exchange.js";
import { orderRequestJson } from "../../hotpath/exchange/wire/orderRequestJson.js";
import { assetArb, cloidArb, decimalArb, msArb, orderActionArb } from "./signing/arbitraries.js";

const hexArb = (bytes: number): fc.Arbitrary<Hex> =>
  fc
    .string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 2 * bytes, maxLength: 2 * bytes })
    .map((digits) => toHex(`0x${digits}`));

const signatureArb: fc.Arbitrary<ExchangeSignature> = fc.record({
  r: hexArb(32),
  s: hexArb(32),
  v: fc.constantFrom<27 | 28>(27, 28),
});

/** The shape `signLegs` builds: limit orders with cloids, `grouping` na, `expiresAfter` set. */
const signedOrderActionArb: fc.Arbitrary<OrderAction> = fc
  .array(
    fc.record({
      asset: assetArb,
      isBuy: fc.boolean(),
      price: decimalArb,
      size: decimalArb,
      reduceOnly: fc.boolean(),
      orderType: fc.constantFrom<Tif>("Ioc", "Gtc", "Alo").map((tif) => ({ limit: { tif } })),
      cloid: fc.option(cloidArb, { nil: undefined }),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .chain((orders) =>
    fc
      .constantFrom<Grouping>("na", "normalTpsl", "positionTpsl")
      .map((grouping) => orderAction({ orders, grouping })),
  );

function request(
  action: OrderAction,
  nonce: number,
  signature: ExchangeSignature,
  expiresAfter: number | undefined,
): ExchangeRequest<OrderAction> {
  // The literal `signLegs` writes; `expiresAfter` omitted rather than undefined when absent.
  return expiresAfter === undefined
    ? { action, nonce, signature }
    : { action, nonce, signature, expiresAfter };
}

describe("orderRequestJson", () => {
  it("equals JSON.stringify for the requests signLegs builds", () => {
    fc.assert(
      fc.property(
        signedOrderActionArb,
        msArb,
        signatureArb,
        fc.option(msArb, { nil: undefined }),
        (action, nonce, signature, expiresAfter) => {
          const value = request(action, nonce, signature, expiresAfter);
          expect(orderRequestJson(value)).toBe(JSON.stringify(value));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("equals JSON.stringify for every order action the builders make (builder fees and triggers included)", () => {
    fc.assert(
      fc.property(
        orderActionArb,
        msArb,
        signatureArb,
        fc.option(msArb, { nil: undefined }),
        fc.option(hexArb(20), { nil: undefined }),
        (action, nonce, signature, expiresAfter, vault) => {
          const base = request(action as OrderAction, nonce, signature, expiresAfter);
          const value = vault === undefined ? base : { ...base, vaultAddress: vault as never };
          expect(orderRequestJson(value)).toBe(JSON.stringify(value));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  const r = toHex(`0x${"12".repeat(32)}`);
  const s = toHex(`0x${"ef".repeat(32)}`);
  const twoLegs = orderAction({
    orders: [
      {
        asset: 159,
        isBuy: false,
        price: asWireDecimal("40.301"),
        size: asWireDecimal("1.23"),
        reduceOnly: false,
        orderType: { limit: { tif: "Ioc" } },
        cloid: toCloid("0x1234567890abcdef0000000000000001"),
      },
      {
        asset: 10107,
        isBuy: true,
        price: asWireDecimal("39.699"),
        size: asWireDecimal("1.23"),
        reduceOnly: true,
        orderType: { limit: { tif: "Ioc" } },
        cloid: toCloid("0x1234567890abcdef0000000000000002"),
      },
    ],
  });

  it.each([
    [
      "both legs of a basis trade",
      request(twoLegs, 1764743000123, { r, s, v: 27 }, 1764743005123),
      '{"action":{"type":"order","orders":[' +
        '{"a":159,"b":false,"p":"40.301","s":"1.23","r":false,"t":{"limit":{"tif":"Ioc"}},"c":"0x1234567890abcdef0000000000000001"},' +
        '{"a":10107,"b":true,"p":"39.699","s":"1.23","r":true,"t":{"limit":{"tif":"Ioc"}},"c":"0x1234567890abcdef0000000000000002"}' +
        `],"grouping":"na"},"nonce":1764743000123,"signature":{"r":"${r}","s":"${s}","v":27},"expiresAfter":1764743005123}`,
    ],
    [
      "one leg without cloid or expiresAfter",
      request(
        orderAction({
          orders: [
            {
              asset: 0,
              isBuy: true,
              price: asWireDecimal("0.5"),
              size: asWireDecimal("10"),
              reduceOnly: false,
              orderType: { limit: { tif: "Alo" } },
            },
          ],
          grouping: "normalTpsl",
        }),
        1,
        { r, s, v: 28 },
        undefined,
      ),
      '{"action":{"type":"order","orders":[{"a":0,"b":true,"p":"0.5","s":"10","r":false,"t":{"limit":{"tif":"Alo"}}}],' +
        `"grouping":"normalTpsl"},"nonce":1,"signature":{"r":"${r}","s":"${s}","v":28}}`,
    ],
  ])("writes %s exactly", (_what, value, expected) => {
    expect(orderRequestJson(value)).toBe(expected);
    expect(JSON.stringify(value)).toBe(expected);
  });
});
