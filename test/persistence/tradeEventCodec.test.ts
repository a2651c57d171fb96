import { describe, expect, it } from "vitest";

import type { Hex, WireDecimal } from "../../hotpath/exchange/wire/brands.js";
import type { UserFill } from "../../hotpath/exchange/wire/info.js";
import {
  SQS_MAX_BATCH_BYTES,
  SQS_MAX_BATCH_ENTRIES,
  SQS_MAX_MESSAGE_BYTES,
  TRADE_EVENT_KINDS,
  TradeEventDecodeError,
  TradeEventEncodeError,
  type TradeEvent,
  decodeTradeEvent,
  deduplicationIdOf,
  encodeTradeEvent,
  fillEvent,
  messageGroupIdOf,
  naturalIdOf,
  orderEvent,
  packTradeMessages,
  sendBatchEntries,
  tradeMessageOf,
  tradeMessageOfBody,
} from "../../hotpath/persistence/tradeEventCodec.js";
import {
  controlChangeOf,
  fillOf,
  fundingOf,
  hedgeIntent,
  intentAt,
  oneOfEveryKind,
  orderAt,
  rootIntent,
  snapshotOf,
  transferOf,
} from "./tradeEventFixtures.js";

/** SQS's alphabet for group and deduplication ids. */
const SQS_ID_RE = /^[\x21-\x7e]{1,128}$/;

function decodeFailure(body: string): TradeEventDecodeError {
  try {
    decodeTradeEvent(body);
  } catch (error) {
    if (error instanceof TradeEventDecodeError) return error;
    throw error;
  }
  throw new Error("decoded");
}

describe("trade event codec", () => {
  it("round-trips one event of every kind exactly", () => {
    const events = oneOfEveryKind();
    expect(events.map((event) => event.kind).sort()).toEqual([...TRADE_EVENT_KINDS].sort());
    for (const event of events) {
      const body = encodeTradeEvent(event);
      expect(JSON.parse(body)).toMatchObject({ v: 1, kind: event.kind });
      expect(decodeTradeEvent(body)).toEqual(event);
    }
  });

  it("round-trips a follow-up intent with its parent and no edge", () => {
    const root = rootIntent(1);
    const event = intentAt(hedgeIntent(root, 2, 101), "needsHedge");
    expect(decodeTradeEvent(encodeTradeEvent(event))).toEqual(event);
  });

  it("keeps decimals as written (no float on the way)", () => {
    const fill = fillOf(rootIntent(1), 0, 1, 2, "30.12345678901234567890", "0.00000001");
    const decoded = decodeTradeEvent(encodeTradeEvent(fill)) as typeof fill;
    expect(decoded.px).toBe("30.12345678901234567890");
    expect(decoded.size).toBe("0.00000001");
  });

  it("derives deduplication ids from natural ids: stable, distinct per id, within SQS's alphabet", () => {
    const root = rootIntent(1);
    const sent = intentAt(root, "sent");
    // The same natural id, whatever else differs (a redelivered or re-sent event): the same id.
    expect(deduplicationIdOf(intentAt(root, "sent", 999))).toBe(deduplicationIdOf(sent));
    expect(deduplicationIdOf(fillOf(root, 0, 5, 7, "30", "1"))).toBe(
      deduplicationIdOf(fillOf(root, 1, 5, 8, "31", "2")),
    );
    // A status update is a new natural id: SQS must not drop it as a repeat.
    expect(deduplicationIdOf(intentAt(root, "hedged"))).not.toBe(deduplicationIdOf(sent));
    expect(deduplicationIdOf(orderAt(root, 0, "acked"))).not.toBe(
      deduplicationIdOf(orderAt(root, 0, "filled")),
    );
    expect(naturalIdOf(orderAt(root, 0, "acked"))).toBe(`order|${root.legs[0]!.cloid}|acked|-`);
    // The oid learned after the status (a fill ended the order before its answer came) is news too.
    expect(deduplicationIdOf(orderAt(root, 0, "filled", 11))).not.toBe(
      deduplicationIdOf(orderAt(root, 0, "filled")),
    );

    const ids = oneOfEveryKind().map(deduplicationIdOf);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(SQS_ID_RE);
    // An id with characters SQS refuses still yields a valid one.
    const odd = { ...transferOf(1, null), transferId: "tr ansfer/äé\u0000".repeat(8) };
    expect(deduplicationIdOf(odd)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("puts an intent, its orders and fills, funding and snapshots of a coin in one group", () => {
    const root = rootIntent(1);
    const coinEvents: TradeEvent[] = [
      intentAt(root, "sent"),
      intentAt(hedgeIntent(root, 2, 101), "intended"),
      orderAt(root, 1, "filled"),
      fillOf(root, 1, 1, 2, "30", "1.51"),
      fundingOf(1),
      snapshotOf(1),
    ];
    expect(new Set(coinEvents.map(messageGroupIdOf))).toEqual(new Set(["coin:HYPE"]));
    expect(messageGroupIdOf(intentAt(rootIntent(3, {}, "PURR"), "sent"))).toBe("coin:PURR");
    expect(messageGroupIdOf(transferOf(1, null))).toBe("account");
    expect(messageGroupIdOf(controlChangeOf(1))).toBe("control");
    const unicode = messageGroupIdOf({ ...fundingOf(1), coin: "币 coin" });
    expect(unicode).toMatch(SQS_ID_RE);
    expect(unicode).not.toBe("coin:HYPE");
  });

  it("refuses what is not a trade event with typed errors saying what and where", () => {
    expect(decodeFailure("{not json").failure).toBe("notJson");
    expect(decodeFailure("[1,2]").failure).toBe("notJson");
    const versioned = decodeFailure(JSON.stringify({ v: 2, kind: "fill" }));
    expect(versioned.failure).toBe("unsupportedVersion");
    expect(versioned.message).toMatch(/version 2; this decoder reads version 1/);
    const unknown = decodeFailure(JSON.stringify({ v: 1, kind: "liquidation" }));
    expect(unknown).toMatchObject({ failure: "unknownKind", kind: "liquidation" });

    const fill = JSON.parse(encodeTradeEvent(fillOf(rootIntent(1), 0, 1, 2, "30", "1"))) as Record<
      string,
      unknown
    >;
    const badPx = decodeFailure(JSON.stringify({ ...fill, px: 30.1 }));
    expect(badPx).toMatchObject({ failure: "invalidEvent", kind: "fill" });
    expect(badPx.message).toMatch(/px/);
    expect(decodeFailure(JSON.stringify({ ...fill, size: "0" })).message).toMatch(/size: must be above zero/);
    expect(decodeFailure(JSON.stringify({ ...fill, px: "1e3" })).message).toMatch(/px/);
    expect(decodeFailure(JSON.stringify({ ...fill, extra: 1 })).failure).toBe("invalidEvent");
    const { tid: _tid, ...withoutTid } = fill;
    expect(decodeFailure(JSON.stringify(withoutTid)).message).toMatch(/tid/);

    // The intent's own rules (intent.ts): an open must not name a parent.
    const intent = JSON.parse(encodeTradeEvent(intentAt(rootIntent(1), "sent"))) as {
      intent: Record<string, unknown>;
    };
    intent.intent["parentIntentId"] = `${rootIntent(9).intentId}`;
    const invalidIntent = decodeFailure(JSON.stringify(intent));
    expect(invalidIntent).toMatchObject({ failure: "invalidEvent", kind: "intent" });
    expect(invalidIntent.message).toMatch(/parentIntentId/);
  });

  it("refuses to encode an invalid event, so a bug never reaches the queue as poison", () => {
    const root = rootIntent(1);
    expect(() => encodeTradeEvent({ ...orderAt(root, 0, "sent"), size: "-1" } as TradeEvent)).toThrow(
      TradeEventEncodeError,
    );
    expect(() => encodeTradeEvent(intentAt({ ...root, bootId: "not-a-uuid" }, "sent"))).toThrow(/bootId/);
  });

  it("keeps every message within SQS's message limit, on both sides", () => {
    const huge = controlChangeOf(1);
    const before: Record<string, string> = {};
    for (let i = 0; i < 70; i++) before[`setting${i}`] = "x".repeat(4_000); // ≈ 280 KiB
    expect(() => encodeTradeEvent({ ...huge, change: { ...huge.change, before } })).toThrow(
      new RegExp(`needs \\d+ bytes; an SQS message holds ${SQS_MAX_MESSAGE_BYTES}`),
    );
    // Just under the limit still encodes.
    const fits: Record<string, string> = {};
    for (let i = 0; i < 60; i++) fits[`setting${i}`] = "x".repeat(4_000);
    const body = encodeTradeEvent({ ...huge, change: { ...huge.change, before: fits } });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(SQS_MAX_MESSAGE_BYTES);
    expect(decodeFailure(" ".repeat(SQS_MAX_MESSAGE_BYTES + 1)).failure).toBe("tooLarge");
    // Bytes, not characters: 100k three-byte characters are 300 KB.
    expect(decodeFailure("€".repeat(100_000)).failure).toBe("tooLarge");
  });

  it("packs messages in order into SendMessageBatch calls within 10 entries and 256 KiB", () => {
    const small = Array.from({ length: 25 }, (_, i) =>
      tradeMessageOf(fillOf(rootIntent(1), 0, i + 1, 7, "30", "1")),
    );
    const smallBatches = packTradeMessages(small);
    expect(smallBatches.map((batch) => batch.messages.length)).toEqual([10, 10, 5]);
    expect(smallBatches.flatMap((batch) => batch.messages)).toEqual(small);

    const base = controlChangeOf(1);
    const big = Array.from({ length: 9 }, (_, i) => {
      const before: Record<string, string> = {};
      for (let k = 0; k < 16; k++) before[`k${k}`] = "y".repeat(4_000); // ≈ 64 KiB each
      return tradeMessageOf({
        ...base,
        change: { ...base.change, changeId: controlChangeOf(i + 1).change.changeId, before },
      });
    });
    const bigBatches = packTradeMessages(big);
    expect(bigBatches.length).toBeGreaterThan(2);
    for (const batch of [...smallBatches, ...bigBatches]) {
      expect(batch.messages.length).toBeLessThanOrEqual(SQS_MAX_BATCH_ENTRIES);
      const bytes = batch.messages.reduce((sum, message) => sum + Buffer.byteLength(message.body), 0);
      expect(bytes).toBe(batch.bytes);
      expect(bytes).toBeLessThanOrEqual(SQS_MAX_BATCH_BYTES);
    }
    expect(bigBatches.flatMap((batch) => batch.messages)).toEqual(big);

    const entries = sendBatchEntries(smallBatches[2]!.messages);
    expect(entries[0]).toEqual({
      Id: "e0",
      MessageBody: small[20]!.body,
      MessageGroupId: "coin:HYPE",
      MessageDeduplicationId: deduplicationIdOf(fillOf(rootIntent(1), 0, 21, 7, "30", "1")),
    });
  });

  it("rebuilds a message from its body alone (what the spool keeps)", () => {
    for (const event of oneOfEveryKind()) {
      const message = tradeMessageOf(event);
      expect(tradeMessageOfBody(message.body)).toEqual(message);
    }
  });

  it("builds order and fill events from the intent's leg and the exchange's fill", () => {
    const root = rootIntent(1);
    const spot = root.legs[1]!;
    expect(orderEvent(root, spot.cloid, "acked", 78, root.createdAtMs + 40)).toEqual(
      orderAt(root, 1, "acked", 78, root.createdAtMs + 40),
    );
    const exchangeFill: UserFill = {
      coin: "@107", // the exchange's name of the spot pair; the event carries the configured coin
      px: "30.20" as WireDecimal,
      sz: "1.51" as WireDecimal,
      side: "B",
      time: root.createdAtMs + 30,
      startPosition: "0" as WireDecimal,
      dir: "Buy",
      closedPnl: "0.0" as WireDecimal,
      hash: `0x${"ab".repeat(32)}` as Hex,
      oid: 78,
      crossed: true,
      fee: "0.00105" as WireDecimal,
      tid: 5001,
      feeToken: "HYPE",
      cloid: spot.cloid,
    };
    const event = fillEvent(root, spot.cloid, exchangeFill);
    expect(event).toMatchObject({ coin: "HYPE", market: "spot", side: "buy", px: "30.20", feeToken: "HYPE" });
    expect(decodeTradeEvent(encodeTradeEvent(event))).toEqual(event);
    expect(() => orderEvent(root, rootIntent(2).legs[0]!.cloid, "sent", null, 1)).toThrow(
      TradeEventEncodeError,
    );
  });
});
