/**
 * `/exchange` responses (the docs' examples in PROTOCOL.md §5) and the error-string table (§12).
 */

import { describe, expect, expectTypeOf, it } from "vitest";

import { decodeExchangeResponse } from "../../hotpath/exchange/wire/decode-exchange.js";
import {
  classifyExchangeError,
  EXCHANGE_ERRORS,
  type ExchangeRequest,
  type ExchangeResponse,
  type ExchangeResponseFor,
  type OrderResponseBody,
  type CancelResponseBody,
  type DefaultResponseBody,
} from "../../hotpath/exchange/wire/exchange.js";
import type { WsPostMessage } from "../../hotpath/exchange/wire/ws.js";

function decoded(json: string): ExchangeResponse {
  const result = decodeExchangeResponse(JSON.parse(json));
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe("decodeExchangeResponse", () => {
  it("order statuses: resting, filled, error and the trigger strings", () => {
    expect(
      decoded(
        '{"status":"ok","response":{"type":"order","data":{"statuses":[{"resting":{"oid":77738308}}]}}}',
      ),
    ).toEqual({
      status: "ok",
      response: { type: "order", data: { statuses: [{ resting: { oid: 77738308 } }] } },
    });

    const filled = decoded(
      '{"status":"ok","response":{"type":"order","data":{"statuses":[{"filled":{"totalSz":"1.0","avgPx":"25.585","oid":296683658818}}]}}}',
    );
    expect(
      filled.status === "ok" && filled.response.type === "order" && filled.response.data.statuses[0],
    ).toEqual({
      filled: { totalSz: "1.0", avgPx: "25.585", oid: 296683658818 },
    });

    const mixed = decoded(
      '{"status":"ok","response":{"type":"order","data":{"statuses":[' +
        '{"filled":{"totalSz":"0.02","avgPx":"1891.4","oid":1,"cloid":"0x000000000000000000000000000000AA"}},' +
        '"waitingForTrigger","waitingForFill",{"error":"Order must have minimum value of $10."}]}}}',
    );
    if (mixed.status !== "ok" || mixed.response.type !== "order")
      throw new Error("expected an order response");
    expect(mixed.response.data.statuses).toEqual([
      { filled: { totalSz: "0.02", avgPx: "1891.4", oid: 1, cloid: "0x000000000000000000000000000000aa" } },
      "waitingForTrigger",
      "waitingForFill",
      { error: "Order must have minimum value of $10." },
    ]);
  });

  it("cancel statuses, default and err", () => {
    expect(decoded('{"status":"ok","response":{"type":"cancel","data":{"statuses":["success"]}}}')).toEqual({
      status: "ok",
      response: { type: "cancel", data: { statuses: ["success"] } },
    });
    expect(
      decoded(
        '{"status":"ok","response":{"type":"cancel","data":{"statuses":[{"error":"Order was never placed, already canceled, or filled."}]}}}',
      ),
    ).toMatchObject({
      response: { data: { statuses: [{ error: "Order was never placed, already canceled, or filled." }] } },
    });
    expect(decoded('{"status":"ok","response":{"type":"default"}}')).toEqual({
      status: "ok",
      response: { type: "default" },
    });
    expect(decoded('{"status":"err","response":"Invalid nonce: duplicate nonce 1741107452532"}')).toEqual({
      status: "err",
      response: "Invalid nonce: duplicate nonce 1741107452532",
    });
  });

  it("rejects shapes we cannot act on, naming the field", () => {
    const cases: [unknown, string][] = [
      [{ status: "maybe" }, "status"],
      [{ status: "err", response: { msg: "x" } }, "response"],
      [{ status: "ok", response: { type: "twapOrder", data: {} } }, "response.type"],
      [{ status: "ok", response: { type: "order", data: {} } }, "response.data.statuses"],
      [
        { status: "ok", response: { type: "order", data: { statuses: [{ resting: { oid: "1" } }] } } },
        "response.data.statuses[0]",
      ],
      [
        { status: "ok", response: { type: "cancel", data: { statuses: ["done"] } } },
        "response.data.statuses[0]",
      ],
    ];
    for (const [value, field] of cases) {
      const result = decodeExchangeResponse(value);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.subject).toBe("exchange response");
        expect(result.error.field).toBe(field);
      }
    }
  });
});

describe("classifyExchangeError", () => {
  it("matches every documented message by prefix, suffixes included", () => {
    const examples: [string, keyof typeof EXCHANGE_ERRORS][] = [
      ["Order could not immediately match against any resting orders.", "iocNoMatch"],
      [
        "Post only order would have immediately matched, bbo was 0.56057@0.56086. asset=31",
        "postOnlyWouldCross",
      ],
      ["Order must have minimum value of $10.", "belowMinimumValue"],
      ["Order must have minimum value of 10 USDC.", "belowMinimumValue"],
      ["Price must be divisible by tick size. asset=159", "tickSize"],
      ["Order has invalid price.", "invalidPrice"],
      ["Order price cannot be more than 80% away from the reference price", "priceBand"],
      ["Order price too far from oracle", "tooFarFromOracle"],
      ["(Spot-only) Order has insufficient spot balance to trade", "insufficientSpotBalance"],
      ["Insufficient spot balance asset=10107", "insufficientSpotBalance"],
      ["Order was never placed, already canceled, or filled.", "cancelTargetMissing"],
      [
        "Cannot set scheduled cancel time until enough volume traded. Required: $1000000. Traded: $373.47205.",
        "scheduleCancelVolume",
      ],
      ["Vault may not perform this action.", "vaultNotAllowed"],
      [
        "L1 error: User or API Wallet 0x1234567890abcdef1234567890abcdef12345678 does not exist.",
        "unknownSigner",
      ],
      ["User or API Wallet 0xabc does not exist.", "unknownSigner"],
      ["Must deposit before performing actions. User: 0x1234", "mustDeposit"],
      ["Invalid nonce: duplicate nonce 1741107452532", "invalidNonce"],
      ['Error parsing JSON into valid websocket request: {"method":"sub"}', "wsMalformedRequest"],
      ['Already subscribed: {"type":"bbo","coin":"HYPE"}', "alreadySubscribed"],
      ['Already unsubscribed: {"type":"bbo","coin":"HYPE"}', "alreadyUnsubscribed"],
      ['Invalid subscription {"type":"bbo"}', "invalidSubscription"],
      ["too many pending post requests id=1234", "tooManyPendingPosts"],
      ["Cannot track more than 15 total users.", "tooManyTrackedUsers"],
    ];
    for (const [message, code] of examples) expect(classifyExchangeError(message), message).toBe(code);
    // Every table entry is exercised.
    expect(new Set(examples.map(([, code]) => code))).toEqual(new Set(Object.keys(EXCHANGE_ERRORS)));
  });

  it("returns undefined for messages it does not know", () => {
    expect(classifyExchangeError("Something new went wrong")).toBeUndefined();
    expect(classifyExchangeError("")).toBeUndefined();
  });
});

describe("types", () => {
  it("the envelope composes with any action type, and responses follow the action", () => {
    type Noop = { readonly type: "noop" };
    const request = {
      action: { type: "noop" },
      nonce: 1713825891591,
      signature: { r: "0x01", s: "0x02", v: 27 },
    } as unknown as ExchangeRequest<Noop>;
    expectTypeOf(request.action).toEqualTypeOf<Noop>();
    expectTypeOf<WsPostMessage<Noop>["request"]>().toExtend<{ type: "info" | "action" }>();

    expectTypeOf<
      Extract<ExchangeResponseFor<"order">, { status: "ok" }>["response"]
    >().toEqualTypeOf<OrderResponseBody>();
    expectTypeOf<
      Extract<ExchangeResponseFor<"cancelByCloid">, { status: "ok" }>["response"]
    >().toEqualTypeOf<CancelResponseBody>();
    expectTypeOf<
      Extract<ExchangeResponseFor<"scheduleCancel">, { status: "ok" }>["response"]
    >().toEqualTypeOf<DefaultResponseBody>();
  });
});
