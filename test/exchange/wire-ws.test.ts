/**
 * `decodeWsMessage` over every recorded WebSocket frame in the shared fixtures, over documented shapes of
 * the channels no recording covers, and over malformed frames (which must come back as typed errors).
 */

import { readFileSync } from "node:fs";

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { toAddress } from "../../hotpath/exchange/wire/brands.js";
import {
  decodeWsMessage,
  postIdOfWsError,
  type WsDecodeResult,
} from "../../hotpath/exchange/wire/decode-ws.js";
import {
  dataChannelOf,
  WS_GREETING,
  type WsInboundMessage,
  type WsInboundMessageOf,
  type WsChannel,
} from "../../hotpath/exchange/wire/ws.js";

const FIXTURES = new URL("../../../shared/hyperliquid/fixtures/", import.meta.url);

function fixture(path: string): string {
  return readFileSync(new URL(path, FIXTURES), "utf8");
}

/**
 * A HyperLiquid.Net subscription test file: `> ` frames we send, `< ` server acks, then a line `= ` followed
 * by the expected data message, pretty-printed with tabs over the rest of the file.
 */
function jkorfFrames(name: string): { sent: string[]; acks: string[]; data: string } {
  const lines = fixture(`jkorf-hyperliquid-net/${name}`).split(/\r?\n/);
  const dataStart = lines.findIndex((line) => line.startsWith("="));
  if (dataStart < 0) throw new Error(`${name}: no "=" line`);
  const head = lines.slice(0, dataStart);
  return {
    sent: head.filter((line) => line.startsWith("> ")).map((line) => line.slice(2)),
    acks: head.filter((line) => line.startsWith("< ")).map((line) => line.slice(2)),
    data: [lines[dataStart]?.slice(1) ?? "", ...lines.slice(dataStart + 1)].join("\n"),
  };
}

/** hftbacktest capture: one frame per line, `<local receive ns> <raw text frame>`. */
function hftbacktestFrames(): { receivedNs: bigint; frame: string }[] {
  return fixture("hftbacktest-capture/hype_ws_capture_2025-01-12.txt")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const space = line.indexOf(" ");
      return { receivedNs: BigInt(line.slice(0, space)), frame: line.slice(space + 1) };
    });
}

function decodeOk(text: string): WsInboundMessage {
  const result = decodeWsMessage(text);
  if (!result.ok) throw new Error(`expected a message, got ${result.error.message}`);
  return result.message;
}

function decodeAs<C extends WsChannel>(text: string, channel: C): WsInboundMessageOf<C> {
  const message = decodeOk(text);
  expect(message.channel).toBe(channel);
  return message as WsInboundMessageOf<C>;
}

function decodeErr(text: string): Extract<WsDecodeResult, { ok: false }>["error"] {
  const result = decodeWsMessage(text);
  if (result.ok) throw new Error(`expected an error, got channel ${result.message.channel}`);
  return result.error;
}

/** Pretty-printed and compact (as the live server sends it) must decode identically. */
function compact(text: string): string {
  return JSON.stringify(JSON.parse(text));
}

describe("recorded frames: jkorf-hyperliquid-net", () => {
  it("BookTicker.txt: bbo ack and frame", () => {
    const { acks, data } = jkorfFrames("BookTicker.txt");
    expect(acks).toHaveLength(1);
    const ack = decodeAs(acks[0] ?? "", "subscriptionResponse");
    expect(ack.data).toEqual({ method: "subscribe", subscription: { type: "bbo", coin: "HYPE" } });

    const bbo = decodeAs(data, "bbo");
    expect(bbo.data.coin).toBe("HYPE");
    expect(bbo.data.time).toBe(1766566375292);
    expect(bbo.data.bbo).toEqual([
      { px: "23.757", sz: "42.09", n: 1 },
      { px: "23.758", sz: "100.26", n: 2 },
    ]);
    expect(decodeOk(compact(data))).toEqual(bbo);
  });

  it("OrderBook.txt: the l2Book ack echoes nSigFigs/mantissa null, the book keeps level order", () => {
    const { acks, data } = jkorfFrames("OrderBook.txt");
    const ack = decodeAs(acks[0] ?? "", "subscriptionResponse");
    expect(ack.data.subscription).toEqual({ type: "l2Book", coin: "HYPE", nSigFigs: null, mantissa: null });

    const book = decodeAs(data, "l2Book");
    expect(book.data.coin).toBe("HYPE");
    expect(book.data.time).toBe(1764842873555);
    const [bids, asks] = book.data.levels;
    expect(bids.map((level) => level.px)).toEqual(["34.967", "34.962"]);
    expect(asks.map((level) => [level.px, level.sz, level.n])).toEqual([
      ["34.969", "1473.06", 2],
      ["34.97", "1544.51", 4],
    ]);
    expect(book.data.fast).toBeUndefined();
    expect(decodeOk(compact(data))).toEqual(book);
  });

  it("Order.txt: an open spot order on @107 without a cloid", () => {
    const { acks, data } = jkorfFrames("Order.txt");
    // The origin redacted the user to "mtiz"; the ack's echo is loose, so it still decodes.
    expect(decodeAs(acks[0] ?? "", "subscriptionResponse").data.subscription).toEqual({
      type: "orderUpdates",
      user: "mtiz",
    });
    const updates = decodeAs(data, "orderUpdates");
    expect(updates.data).toEqual([
      {
        order: {
          coin: "@107",
          side: "B",
          limitPx: "30.0",
          sz: "0.49",
          oid: 1,
          timestamp: 1764843090519,
          origSz: "0.49",
        },
        status: "open",
        statusTimestamp: 1764843090519,
      },
    ]);
    expect(updates.data[0]?.order.cloid).toBeUndefined();
  });

  it("UserEventTrade.txt: userEvents arrive on channel user; a spot buy pays its fee in HYPE", () => {
    const { acks, data } = jkorfFrames("UserEventTrade.txt");
    expect(decodeAs(acks[0] ?? "", "subscriptionResponse").data.subscription.type).toBe("userEvents");
    const event = decodeAs(data, "user");
    if (!("fills" in event.data)) throw new Error("expected the fills variant");
    expect(event.data.fills).toHaveLength(1);
    expect(event.data.fills[0]).toEqual({
      coin: "@107",
      px: "34.895",
      sz: "0.5",
      side: "B",
      time: 1764840678849,
      startPosition: "0.01388282",
      dir: "Buy",
      closedPnl: "0.0",
      hash: "0x01",
      oid: 257770947487,
      crossed: true,
      fee: "0.00031499",
      tid: 1,
      feeToken: "HYPE",
      twapId: null,
    });
  });
});

describe("recorded frames: hftbacktest capture", () => {
  const frames = hftbacktestFrames();

  it("holds three frames in receive order", () => {
    expect(frames).toHaveLength(3);
    expect(frames.map(({ frame }) => decodeOk(frame).channel)).toEqual([
      "trades",
      "subscriptionResponse",
      "l2Book",
    ]);
    const times = frames.map(({ receivedNs }) => receivedNs);
    expect([...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(times);
  });

  it("trades: 30 HYPE trades with 50-bit tids, zero hashes and [buyer, seller] addresses", () => {
    const trades = decodeAs(frames[0]?.frame ?? "", "trades").data;
    expect(trades).toHaveLength(30);
    for (const trade of trades) {
      expect(trade.coin).toBe("HYPE");
      expect(["A", "B"]).toContain(trade.side);
      expect(Number.isSafeInteger(trade.tid)).toBe(true);
      expect(trade.users).toHaveLength(2);
      for (const user of trade.users) expect(user).toMatch(/^0x[0-9a-f]{40}$/);
    }
    expect(trades[0]).toMatchObject({
      side: "A",
      px: "21.269",
      sz: "7.78",
      time: 1736682877317,
      tid: 185481619581124,
    });
    expect(trades.some((trade) => /^0x0{64}$/.test(trade.hash))).toBe(true);
    expect(Math.max(...trades.map((trade) => trade.tid))).toBeGreaterThan(1e15);
    expect(trades.at(-1)?.time).toBe(1736682893702);
  });

  it("subscriptionResponse: the server adds nSigFigs/mantissa null to the echo", () => {
    const ack = decodeAs(frames[1]?.frame ?? "", "subscriptionResponse");
    expect(ack.data).toEqual({
      method: "subscribe",
      subscription: { type: "l2Book", coin: "HYPE", nSigFigs: null, mantissa: null },
    });
  });

  it("l2Book: 20 × 20 levels, bids descending, asks ascending, sizes kept as sent", () => {
    const book = decodeAs(frames[2]?.frame ?? "", "l2Book").data;
    expect(book.coin).toBe("HYPE");
    expect(book.time).toBe(1736682893796);
    const [bids, asks] = book.levels;
    expect(bids).toHaveLength(20);
    expect(asks).toHaveLength(20);
    expect(bids[0]).toEqual({ px: "21.277", sz: "80.29", n: 2 });
    expect(asks[0]).toEqual({ px: "21.306", sz: "223.2", n: 2 });
    // Plain numbers are fine for an ordering check in a test; the bot compares decimals.
    const bidPx = bids.map((level) => Number(level.px));
    const askPx = asks.map((level) => Number(level.px));
    expect(bidPx).toEqual([...bidPx].sort((a, b) => b - a));
    expect(askPx).toEqual([...askPx].sort((a, b) => a - b));
    expect(bids.map((level) => level.sz)).toContain("1.0");
  });
});

describe("documented shapes without a recording", () => {
  const fill = {
    coin: "HYPE",
    px: "40.1",
    sz: "0.5",
    side: "A",
    time: 1,
    startPosition: "0",
    dir: "Open Short",
    closedPnl: "0.0",
    hash: "0x" + "ab".repeat(32),
    oid: 7,
    crossed: false,
    fee: "-0.0003",
    tid: 9,
    feeToken: "USDC",
    cloid: "0x000000000000000000000000000000AA",
  };
  const user = "0x" + "12".repeat(20);

  it("userFills snapshot; the cloid is lower-cased by the brand", () => {
    const message = decodeAs(
      JSON.stringify({ channel: "userFills", data: { isSnapshot: true, user, fills: [fill] } }),
      "userFills",
    );
    expect(message.data.isSnapshot).toBe(true);
    expect(message.data.fills[0]?.cloid).toBe("0x000000000000000000000000000000aa");
    expect(message.data.fills[0]?.fee).toBe("-0.0003");
  });

  it("userEvents funding, liquidation and nonUserCancel variants", () => {
    const funding = decodeAs(
      JSON.stringify({
        channel: "user",
        data: {
          funding: {
            time: 5,
            coin: "HYPE",
            usdc: "0.005",
            szi: "-10",
            fundingRate: "0.0000125",
            nSamples: null,
          },
        },
      }),
      "user",
    );
    expect(funding.data).toEqual({
      funding: { time: 5, coin: "HYPE", usdc: "0.005", szi: "-10", fundingRate: "0.0000125", nSamples: null },
    });

    const liquidation = decodeAs(
      JSON.stringify({
        channel: "user",
        data: {
          liquidation: {
            lid: 3,
            liquidator: user,
            liquidated_user: user,
            liquidated_ntl_pos: "100.5",
            liquidated_account_value: "2.1",
          },
        },
      }),
      "user",
    );
    expect("liquidation" in liquidation.data && liquidation.data.liquidation.lid).toBe(3);

    const cancel = decodeAs(
      JSON.stringify({ channel: "user", data: { nonUserCancel: [{ coin: "@107", oid: 11 }] } }),
      "user",
    );
    expect(cancel.data).toEqual({ nonUserCancel: [{ coin: "@107", oid: 11 }] });
  });

  it("userFundings with snapshot flag", () => {
    const message = decodeAs(
      JSON.stringify({
        channel: "userFundings",
        data: {
          user,
          isSnapshot: true,
          fundings: [{ time: 1, coin: "HYPE", usdc: "-0.1", szi: "2", fundingRate: "0.0001", nSamples: 1 }],
        },
      }),
      "userFundings",
    );
    expect(message.data.fundings[0]?.usdc).toBe("-0.1");
  });

  it("activeAssetCtx (docs' ctx) and activeSpotAssetCtx", () => {
    const ctx = {
      dayNtlVlm: "1169046.29406",
      funding: "0.0000125",
      impactPxs: ["14.3047", "14.3444"],
      markPx: "14.3161",
      midPx: "14.314",
      openInterest: "688.11",
      oraclePx: "14.32",
      premium: "0.00031774",
      prevDayPx: "15.322",
    };
    const perp = decodeAs(
      JSON.stringify({ channel: "activeAssetCtx", data: { coin: "HYPE", ctx } }),
      "activeAssetCtx",
    );
    expect(perp.data.ctx.funding).toBe("0.0000125");

    const spotCtx = {
      coin: "@107",
      dayNtlVlm: "1.0",
      markPx: "40.1",
      midPx: null,
      prevDayPx: "39.0",
      circulatingSupply: "333000000.0",
      totalSupply: "999000000.0",
      dayBaseVlm: "10.0",
    };
    const spot = decodeAs(
      JSON.stringify({ channel: "activeSpotAssetCtx", data: { coin: "@107", ctx: spotCtx } }),
      "activeSpotAssetCtx",
    );
    expect(spot.data.ctx.midPx).toBeNull();
  });

  it("bbo with an empty side, fast l2Book, allMids", () => {
    const bbo = decodeAs(
      JSON.stringify({
        channel: "bbo",
        data: { coin: "@107", time: 2, bbo: [null, { px: "40", sz: "1", n: 1 }] },
      }),
      "bbo",
    );
    expect(bbo.data.bbo[0]).toBeNull();

    const fast = decodeAs(
      JSON.stringify({ channel: "l2Book", data: { coin: "HYPE", time: 3, levels: [[], []], fast: true } }),
      "l2Book",
    );
    expect(fast.data.fast).toBe(true);

    const mids = decodeAs(
      JSON.stringify({ channel: "allMids", data: { mids: { HYPE: "40.1", "@107": "40.05" } } }),
      "allMids",
    );
    expect(mids.data.mids["@107"]).toBe("40.05");
  });

  it("post replies: info, action and error", () => {
    const info = decodeAs(
      JSON.stringify({
        channel: "post",
        data: { id: 1, response: { type: "info", payload: { type: "l2Book", data: { coin: "HYPE" } } } },
      }),
      "post",
    );
    expect(info.data.response).toEqual({ type: "info", payload: { type: "l2Book", data: { coin: "HYPE" } } });

    const action = decodeAs(
      '{"channel":"post","data":{"id":256,"response":{"type":"action","payload":' +
        '{"status":"ok","response":{"type":"order","data":{"statuses":[{"resting":{"oid":88383}}]}}}}}}',
      "post",
    );
    expect(action.data.id).toBe(256);
    expect(action.data.response).toEqual({
      type: "action",
      payload: {
        status: "ok",
        response: { type: "order", data: { statuses: [{ resting: { oid: 88383 } }] } },
      },
    });

    const error = decodeAs(
      JSON.stringify({
        channel: "post",
        data: { id: 2, response: { type: "error", payload: "429 Too Many Requests" } },
      }),
      "post",
    );
    expect(error.data.response.payload).toBe("429 Too Many Requests");
  });

  it("pong and error", () => {
    expect(decodeOk('{"channel":"pong"}')).toEqual({ channel: "pong" });
    const error = decodeAs('{"channel":"error","data":"too many pending post requests id=1234"}', "error");
    expect(postIdOfWsError(error.data)).toBe(1234);
    expect(postIdOfWsError("Already subscribed: {}")).toBeUndefined();
  });

  it("dataChannelOf maps userEvents to user and spot activeAssetCtx to activeSpotAssetCtx", () => {
    expect(dataChannelOf({ type: "userEvents", user: toAddress("0x" + "12".repeat(20)) })).toBe("user");
    expect(dataChannelOf({ type: "activeAssetCtx", coin: "HYPE" })).toBe("activeAssetCtx");
    expect(dataChannelOf({ type: "activeAssetCtx", coin: "@107" })).toBe("activeSpotAssetCtx");
    expect(dataChannelOf({ type: "activeAssetCtx", coin: "PURR/USDC" })).toBe("activeSpotAssetCtx");
    expect(dataChannelOf({ type: "l2Book", coin: "HYPE", fast: true })).toBe("l2Book");
  });
});

describe("malformed frames give typed errors", () => {
  const book = hftbacktestFrames()[2]?.frame ?? "";

  it("the greeting text", () => {
    const error = decodeErr(WS_GREETING);
    expect(error.code).toBe("greeting");
    expect(error.excerpt).toBe(WS_GREETING);
  });

  it("non-JSON and truncated JSON", () => {
    expect(decodeErr("").code).toBe("not_json");
    expect(decodeErr("hello").code).toBe("not_json");
    const truncated = decodeErr(book.slice(0, 300));
    expect(truncated.code).toBe("not_json");
    expect(truncated.excerpt.length).toBeLessThanOrEqual(201);
  });

  it("JSON that is not an object, or has no channel", () => {
    expect(decodeErr("null").code).toBe("not_object");
    expect(decodeErr("[]").code).toBe("not_object");
    expect(decodeErr("42").code).toBe("not_object");
    expect(decodeErr('"pong"').code).toBe("not_object");
    expect(decodeErr("{}").code).toBe("missing_channel");
    expect(decodeErr('{"channel":7,"data":{}}').code).toBe("missing_channel");
  });

  it("unknown channels, including inherited property names", () => {
    for (const channel of ["webData3", "candle", "notification", "constructor", "__proto__", "toString"]) {
      const error = decodeErr(JSON.stringify({ channel, data: {} }));
      expect(error.code).toBe("unknown_channel");
      expect(error.channel).toBe(channel);
    }
  });

  it("wrong types name the field", () => {
    const parsed = JSON.parse(book) as { data: { levels: { px: unknown; n: unknown }[][]; time: unknown } };

    const pxAsNumber = structuredClone(parsed);
    const firstAsk = pxAsNumber.data.levels[1]?.[0];
    if (firstAsk === undefined) throw new Error("fixture has no asks");
    firstAsk.px = 21.306;
    const error = decodeErr(JSON.stringify(pxAsNumber));
    expect(error.code).toBe("invalid_payload");
    expect(error.channel).toBe("l2Book");
    expect(error.field).toBe("data.levels[1][0].px");

    const nAsString = structuredClone(parsed);
    const firstBid = nAsString.data.levels[0]?.[0];
    if (firstBid === undefined) throw new Error("fixture has no bids");
    firstBid.n = "2";
    expect(decodeErr(JSON.stringify(nAsString)).field).toBe("data.levels[0][0].n");

    const timeAsString = structuredClone(parsed);
    timeAsString.data.time = "1736682893796";
    expect(decodeErr(JSON.stringify(timeAsString)).field).toBe("data.time");

    expect(decodeErr('{"channel":"l2Book"}').field).toBe("data");
    expect(decodeErr('{"channel":"bbo","data":{"coin":"HYPE","time":1,"bbo":[null]}}').field).toMatch(
      /^data\.bbo/,
    );
    expect(decodeErr('{"channel":"trades","data":[{"coin":"HYPE","side":"S"}]}').field).toBe("data[0].side");
    expect(decodeErr('{"channel":"error","data":{"msg":"x"}}').field).toBe("data");
    expect(
      decodeErr(
        '{"channel":"l2Book","data":{"coin":"HYPE","time":1,"levels":[[{"px":"1e3","sz":"1","n":1}],[]]}}',
      ).reason,
    ).toMatch(/decimal/);
  });

  it("userEvents with no known variant, or two at once", () => {
    const none = decodeErr('{"channel":"user","data":{"twapHistory":[]}}');
    expect(none.code).toBe("invalid_payload");
    expect(none.reason).toMatch(/twapHistory/);
    const two = decodeErr('{"channel":"user","data":{"fills":[],"nonUserCancel":[]}}');
    expect(two.reason).toMatch(/several/);
  });

  it("a post reply with a bad payload keeps its id", () => {
    const error = decodeErr(
      '{"channel":"post","data":{"id":77,"response":{"type":"action","payload":{"status":"ok","response":{"type":"order","data":{"statuses":[{"weird":1}]}}}}}}',
    );
    expect(error.code).toBe("invalid_payload");
    expect(error.postId).toBe(77);
    expect(error.field).toBe("data.response.payload.response.data.statuses[0]");
    expect(decodeErr('{"channel":"post","data":{"id":3,"response":{"type":"later"}}}').postId).toBe(3);
  });

  it("never throws: every prefix of every recorded frame, and arbitrary text", () => {
    const recorded = [
      ...hftbacktestFrames().map(({ frame }) => frame),
      ...["BookTicker.txt", "Order.txt", "OrderBook.txt", "UserEventTrade.txt"].map((name) =>
        compact(jkorfFrames(name).data),
      ),
    ];
    for (const frame of recorded) {
      for (let end = 0; end < frame.length; end++) {
        const result = decodeWsMessage(frame.slice(0, end));
        expect(result.ok).toBe(false);
      }
    }
    fc.assert(
      fc.property(fc.string(), (text) => {
        decodeWsMessage(text);
      }),
    );
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.constantFrom("l2Book", "bbo", "trades", "user", "post", "orderUpdates"),
        (data, channel) => {
          const result = decodeWsMessage(JSON.stringify({ channel, data }));
          if (!result.ok) expect(result.error.code).toBe("invalid_payload");
        },
      ),
    );
  });
});
