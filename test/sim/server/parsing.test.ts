/**
 * The pure parsers: client frames, subscriptions (validation, normalised echo, topic) and fault scripts.
 */
import { describe, expect, it } from "vitest";

import { parseClientFrame } from "./client-frames.js";
import { FaultSpecError, parseFaultScript } from "./fault-spec.js";
import { channelOf, parseSubscription } from "./subscriptions.js";

const known = (coin: string): boolean => coin === "HYPE" || coin === "@107";

describe("client frames", () => {
  it("recognises the four methods and refuses the rest", () => {
    expect(parseClientFrame('{"method":"ping"}')).toEqual({ kind: "ping" });
    expect(parseClientFrame('{"method":"subscribe","subscription":{"type":"bbo"}}')).toEqual({
      kind: "subscribe",
      subscription: { type: "bbo" },
    });
    expect(
      parseClientFrame('{"method":"post","id":3,"request":{"type":"action","payload":{"a":1}}}'),
    ).toEqual({
      kind: "post",
      id: 3,
      requestType: "action",
      payload: { a: 1 },
    });
    for (const bad of [
      "",
      "null",
      '{"method":"pong"}',
      '{"method":"post","id":1.5,"request":{"type":"info","payload":{}}}',
      '{"method":"post","id":1,"request":{"type":"explorer","payload":{}}}',
      '{"method":"post","id":1,"request":{"type":"info","payload":"x"}}',
    ]) {
      expect(parseClientFrame(bad).kind).toBe("invalid");
    }
  });
});

describe("subscriptions", () => {
  it("normalises echoes and topics", () => {
    const user = `0x${"AB".repeat(20)}`;
    const fills = parseSubscription({ type: "userFills", user, aggregateByTime: true }, known);
    expect(fills).toEqual({
      ok: true,
      subscription: {
        feed: { type: "userFills", user: user.toLowerCase(), aggregateByTime: true },
        topic: `userFills:${user.toLowerCase()}`,
        echo: { type: "userFills", user: user.toLowerCase(), aggregateByTime: true },
      },
    });
    const book = parseSubscription({ type: "l2Book", coin: "@107", nSigFigs: null, fast: true }, known);
    expect(book.ok && book.subscription.echo).toEqual({
      type: "l2Book",
      coin: "@107",
      nSigFigs: null,
      mantissa: null,
      fast: true,
    });
    expect(book.ok && book.subscription.topic).toBe("l2Book:@107:fast");
    expect(channelOf({ type: "activeAssetCtx", coin: "@107" })).toBe("activeSpotAssetCtx");
    expect(channelOf({ type: "userEvents", user: user.toLowerCase() as never })).toBe("user");
  });

  it("refuses what the simulator cannot serve", () => {
    for (const raw of [
      null,
      { type: "l2Book" },
      { type: "l2Book", coin: "BTC" },
      { type: "l2Book", coin: "HYPE", nSigFigs: 5 },
      { type: "l2Book", coin: "HYPE", fast: "yes" },
      { type: "orderUpdates", user: "0x12" },
      { type: "userFills", user: `0x${"ab".repeat(20)}`, aggregateByTime: 1 },
      { type: "allMids" },
    ]) {
      const parsed = parseSubscription(raw, known);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error).toMatch(/^Invalid subscription /);
    }
  });
});

describe("fault scripts", () => {
  it("accepts one fault or a list, and names the bad field", () => {
    expect(parseFaultScript({ type: "dropPosts", probability: 0.1 })).toEqual([
      { type: "dropPosts", probability: 0.1 },
    ]);
    expect(parseFaultScript([{ type: "clear" }, { type: "staleBook", on: false, afterMs: 5 }])).toHaveLength(
      2,
    );
    expect(() => parseFaultScript([{ type: "clear" }, { type: "delayPosts", ms: -1 }])).toThrow(/\[1\]\.ms/);
    expect(() => parseFaultScript({ type: "explode" })).toThrow(FaultSpecError);
    expect(() => parseFaultScript({ type: "dropConnections", user: "bob" })).toThrow(/user/);
  });
});
