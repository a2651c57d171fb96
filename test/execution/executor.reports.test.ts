/**
 * What the exchange reports, as order events: an `order` answer's statuses in leg order, a whole-action
 * refusal, an answer of another shape, fills, and `orderUpdates` entries (live, ended, refused, unknown).
 */

import { describe, expect, it } from "vitest";

import { toHex, type Cloid } from "../../hotpath/exchange/wire/brands.js";
import type { ExchangeResponse } from "../../hotpath/exchange/wire/exchange.js";
import type { UserFill } from "../../hotpath/exchange/wire/info.js";
import type { WsOrderUpdate } from "../../hotpath/exchange/wire/ws.js";
import {
  eventOfFill,
  eventOfOrderUpdate,
  eventsOfResponse,
  oidOfStatus,
} from "../../hotpath/execution/exchangeReports.js";
import { d } from "./intentState.fixtures.js";

const AT = 1_767_225_600_000;

describe("an order action's answer", () => {
  it("maps statuses[i] to leg i: filled, resting, refused; a missing status is unknown", () => {
    const response = {
      status: "ok",
      response: {
        type: "order",
        data: {
          statuses: [
            { filled: { totalSz: d("0.49"), avgPx: d("40.1"), oid: 7 } },
            { resting: { oid: 8 } },
            { error: "Order could not immediately match against any resting orders. asset=10107" },
          ],
        },
      },
    } as ExchangeResponse;
    expect(eventsOfResponse(response, 4, AT)).toEqual([
      { type: "filled", oid: 7, totalSize: "0.49", avgPx: "40.1" },
      { type: "resting", oid: 8 },
      {
        type: "rejected",
        error: "Order could not immediately match against any resting orders. asset=10107",
      },
      { type: "outcomeUnknown", reason: "lostResponse", atMs: AT },
    ]);
    if (response.status === "ok" && response.response.type === "order") {
      expect(response.response.data.statuses.map(oidOfStatus)).toEqual([7, 8, null]);
    }
  });

  it("rejects every leg of an action refused as a whole", () => {
    const response: ExchangeResponse = { status: "err", response: "Action already expired" };
    expect(eventsOfResponse(response, 2, AT)).toEqual([
      { type: "rejected", error: "Action already expired" },
      { type: "rejected", error: "Action already expired" },
    ]);
  });

  it("leaves every leg unknown when the answer is not an order body", () => {
    const response: ExchangeResponse = { status: "ok", response: { type: "default" } };
    expect(eventsOfResponse(response, 2, AT).map((event) => event.type)).toEqual([
      "outcomeUnknown",
      "outcomeUnknown",
    ]);
  });
});

describe("account streams", () => {
  it("a fill carries its trade id, price, size, fee and fee token", () => {
    const fill = {
      coin: "@107",
      px: d("39.977"),
      sz: d("1"),
      side: "B",
      time: AT,
      startPosition: d("0"),
      dir: "Buy",
      closedPnl: d("0"),
      hash: toHex("0x01"),
      oid: 9,
      crossed: true,
      fee: d("0.0007"),
      tid: 42,
      feeToken: "HYPE",
    } satisfies UserFill;
    expect(eventOfFill(fill)).toEqual({
      type: "fill",
      tid: 42,
      oid: 9,
      px: "39.977",
      size: "1",
      fee: "0.0007",
      feeToken: "HYPE",
      timeMs: AT,
    });
  });

  function update(status: string, origSz: string, sz: string): WsOrderUpdate {
    return {
      order: {
        coin: "HYPE",
        side: "A",
        limitPx: d("40.1"),
        sz: d(sz),
        oid: 11,
        timestamp: AT,
        origSz: d(origSz),
        cloid: "0x0000000000000000000000000000000a" as Cloid,
      },
      status,
      statusTimestamp: AT,
    };
  }

  it("an order update: live, part-filled, ended (filled or cancelled with its size), refused, unknown", () => {
    expect(eventOfOrderUpdate(update("open", "1", "1"))).toEqual({ type: "acked", oid: 11 });
    expect(eventOfOrderUpdate(update("open", "1", "0.4"))).toEqual({
      type: "partiallyFilled",
      oid: 11,
      totalSize: "0.6",
    });
    expect(eventOfOrderUpdate(update("filled", "1", "0"))).toEqual({
      type: "cancelled",
      totalSize: "1",
      reason: "filled",
    });
    expect(eventOfOrderUpdate(update("canceled", "1", "0.3"))).toEqual({
      type: "cancelled",
      totalSize: "0.7",
      reason: "canceled",
    });
    expect(eventOfOrderUpdate(update("iocCancelRejected", "1", "1"))).toEqual({
      type: "rejected",
      error: "iocCancelRejected",
    });
    expect(eventOfOrderUpdate(update("somethingNew", "1", "1"))).toBeNull();
  });
});
