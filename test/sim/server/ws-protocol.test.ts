/**
 * The WebSocket protocol over real sockets: acks (against the recorded echoes), data frames (decoded with
 * the bot's own decoder, never crossed, the right depth), ping/pong, unsubscribe, error frames, the idle
 * close, and the per-user feeds driven by a signed order.
 */
import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { decodeWsMessage } from "../../../hotpath/exchange/wire/decode-ws.js";
import { MASTER, TestClient, orderOf } from "../gateway/testkit.js";
import type { SimulatorOptions } from "./options.js";
import type { Simulator } from "./simulator.js";
import { FIXTURES, roundTrip, useSimulators, type Level, type WsProbe } from "./testkit.js";

/** The `<` line (server → client ack) of a jkorf recording. */
function recordedAck(file: string): { method: string; subscription: Record<string, unknown> } {
  const text = readFileSync(`${FIXTURES}/jkorf-hyperliquid-net/${file}`, "utf8");
  const line = text.split("\n").find((row) => row.startsWith("< "));
  if (line === undefined) throw new Error(`no ack in ${file}`);
  return (JSON.parse(line.slice(2)) as { data: { method: string; subscription: Record<string, unknown> } })
    .data;
}

function expectUncrossed(bids: readonly Level[], asks: readonly Level[]): void {
  const bid = bids[0];
  const ask = asks[0];
  if (bid !== undefined && ask !== undefined) expect(Number(bid.px)).toBeLessThan(Number(ask.px));
  for (let i = 1; i < bids.length; i++) expect(Number(bids[i]?.px)).toBeLessThan(Number(bids[i - 1]?.px));
  for (let i = 1; i < asks.length; i++) expect(Number(asks[i]?.px)).toBeGreaterThan(Number(asks[i - 1]?.px));
}

const { start, connect } = useSimulators();

async function open(options: SimulatorOptions = {}): Promise<{ sim: Simulator; ws: WsProbe }> {
  const sim = await start(options);
  return { sim, ws: await connect(sim) };
}

describe("subscription acks", () => {
  it("echoes l2Book like the recorded exchange, plus fast", async () => {
    const { ws } = await open();
    const recorded = recordedAck("OrderBook.txt");
    ws.subscribe({ type: "l2Book", coin: "HYPE" });
    const ack = await ws.channel("subscriptionResponse");
    expect(ack.data).toEqual({
      method: recorded.method,
      subscription: { ...recorded.subscription, fast: false },
    });
    // Subset match as NK does it: every recorded field is there with the recorded value.
    expect((ack.data as { subscription: object }).subscription).toMatchObject(recorded.subscription);
    expect(ws.raw[0]).toBe(
      '{"channel":"subscriptionResponse","data":{"method":"subscribe","subscription":{"type":"l2Book","coin":"HYPE","nSigFigs":null,"mantissa":null,"fast":false}}}',
    );
  });

  it("echoes bbo unchanged, as recorded", async () => {
    const { ws } = await open();
    ws.subscribe({ type: "bbo", coin: "HYPE" });
    const ack = await ws.channel("subscriptionResponse");
    expect(ack.data).toEqual(recordedAck("BookTicker.txt"));
  });

  it("refuses duplicates, unknown subscriptions and a second user, and keeps the connection", async () => {
    const { ws } = await open();
    ws.subscribe({ type: "bbo", coin: "HYPE" });
    await ws.channel("subscriptionResponse");
    ws.subscribe({ type: "bbo", coin: "HYPE" });
    expect((await ws.channel("error")).data).toBe('Already subscribed: {"type":"bbo","coin":"HYPE"}');
    ws.subscribe({ type: "candle", coin: "HYPE" });
    expect((await ws.channel("error")).data).toBe('Invalid subscription {"type":"candle","coin":"HYPE"}');
    ws.subscribe({ type: "l2Book", coin: "NOPE" });
    expect((await ws.channel("error")).data).toMatch(/^Invalid subscription /);
    ws.unsubscribe({ type: "trades", coin: "HYPE" });
    expect((await ws.channel("error")).data).toBe('Already unsubscribed: {"type":"trades","coin":"HYPE"}');

    const alice = `0x${"a1".repeat(20)}`;
    const bob = `0x${"b2".repeat(20)}`;
    ws.subscribe({ type: "orderUpdates", user: alice });
    await ws.channel("subscriptionResponse");
    ws.subscribe({ type: "userEvents", user: alice });
    await ws.channel("subscriptionResponse");
    ws.subscribe({ type: "orderUpdates", user: bob });
    expect((await ws.channel("error")).data).toMatch(/one user per connection/);
    await roundTrip(ws);
  });

  it("answers malformed frames on the error channel and stays open", async () => {
    const { ws } = await open();
    for (const bad of [
      "not json",
      "[1,2]",
      '{"method":"subscribe"}',
      '{"method":"post","id":-1,"request":{}}',
    ]) {
      ws.send(bad);
      expect((await ws.channel("error")).data).toBe(
        `Error parsing JSON into valid websocket request: ${bad}`,
      );
    }
    await roundTrip(ws);
    expect(ws.closed).toBeUndefined();
  });
});

describe("market data", () => {
  it("sends a snapshot on subscribe, then fast (5) and standard (20) books on the cadence, never crossed", async () => {
    const { sim, ws } = await open();
    ws.subscribe({ type: "l2Book", coin: "HYPE", fast: true });
    ws.subscribe({ type: "l2Book", coin: "@107" });
    await roundTrip(ws);
    const initial = ws.drain().filter((frame) => frame.channel === "l2Book");
    expect(initial.map((frame) => (frame.data as { coin: string }).coin).sort()).toEqual(["@107", "HYPE"]);

    sim.market.step(20); // 1400 ms simulated: fast every 140 ms, standard every 700 ms
    await roundTrip(ws);
    const books = ws.raw.filter((text) => text.startsWith('{"channel":"l2Book"'));
    const decoded = books.map((text) => decodeWsMessage(text));
    for (const result of decoded) {
      expect(result.ok).toBe(true);
      if (!result.ok || result.message.channel !== "l2Book") continue;
      const [bids, asks] = result.message.data.levels;
      const fast = result.message.data.coin === "HYPE";
      expect(result.message.data.fast === true).toBe(fast);
      expect(bids.length).toBe(fast ? 5 : 20);
      expect(asks.length).toBe(fast ? 5 : 20);
      expectUncrossed(bids, asks);
    }
    const count = (coin: string): number =>
      ws.frames.filter((f) => f.channel === "l2Book" && (f.data as { coin: string }).coin === coin).length;
    expect(count("HYPE")).toBe(10);
    expect(count("@107")).toBe(2);
    const times = ws.frames
      .filter((f) => f.channel === "l2Book" && (f.data as { coin: string }).coin === "HYPE")
      .map((f) => (f.data as { time: number }).time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.at(-1)).toBe(sim.core.exchangeTime());
  });

  it("sends bbo only when the top changed, trades, and asset contexts on the right channels", async () => {
    const { sim, ws } = await open();
    ws.subscribe({ type: "bbo", coin: "HYPE" });
    ws.subscribe({ type: "trades", coin: "HYPE" });
    ws.subscribe({ type: "activeAssetCtx", coin: "HYPE" });
    ws.subscribe({ type: "activeAssetCtx", coin: "@107" });
    await roundTrip(ws);
    sim.market.step(40);
    await roundTrip(ws);
    const bbos = ws.raw.filter((text) => text.startsWith('{"channel":"bbo"'));
    expect(bbos.length).toBeGreaterThan(1);
    const tops = bbos.map((text) =>
      JSON.stringify((JSON.parse(text) as { data: { bbo: unknown } }).data.bbo),
    );
    for (let i = 1; i < tops.length; i++) expect(tops[i]).not.toBe(tops[i - 1]);
    for (const text of ws.raw.filter(
      (raw) => !raw.includes("subscriptionResponse") && !raw.includes("pong"),
    )) {
      const result = decodeWsMessage(text);
      expect(result.ok ? "" : result.error.message).toBe("");
    }
    const channels = new Set(ws.frames.map((frame) => frame.channel));
    expect(channels).toEqual(
      new Set(["subscriptionResponse", "bbo", "trades", "activeAssetCtx", "activeSpotAssetCtx"]),
    );
    for (const frame of ws.frames.filter((f) => f.channel === "bbo")) {
      const [bid, ask] = (frame.data as { bbo: [Level, Level] }).bbo;
      expectUncrossed([bid], [ask]);
    }
  });

  it("stops data after unsubscribe, with an unsubscribe ack", async () => {
    const { sim, ws } = await open();
    const subscription = { type: "l2Book", coin: "HYPE", fast: true };
    ws.subscribe(subscription);
    await roundTrip(ws);
    ws.unsubscribe(subscription);
    const ack = await ws.next(
      (frame) =>
        frame.channel === "subscriptionResponse" &&
        (frame.data as { method: string }).method === "unsubscribe",
    );
    expect((ack.data as { subscription: unknown }).subscription).toEqual({
      type: "l2Book",
      coin: "HYPE",
      nSigFigs: null,
      mantissa: null,
      fast: true,
    });
    ws.drain();
    sim.market.step(20);
    await roundTrip(ws);
    expect(ws.frames.filter((frame) => frame.channel === "l2Book")).toEqual([]);
  });
});

describe("heartbeat and idle close", () => {
  it("answers ping with pong", async () => {
    const { ws } = await open();
    ws.send({ method: "ping" });
    expect(await ws.channel("pong")).toEqual({ channel: "pong" });
  });

  it("closes a connection the client has been silent on, and keeps one that pings", async () => {
    const { sim } = await open({ idleTimeoutMs: 200 });
    const silent = await connect(sim);
    const pinging = await connect(sim);
    silent.subscribe({ type: "bbo", coin: "HYPE" });
    const timer = setInterval(() => pinging.send({ method: "ping" }), 50);
    try {
      const closed = await silent.whenClosed(2000);
      expect(closed.code).toBe(1000);
      expect(pinging.closed).toBeUndefined();
    } finally {
      clearInterval(timer);
    }
  });
});

describe("user feeds", () => {
  it("streams orderUpdates, userFills (snapshot first) and user fills for a signed order", async () => {
    const { sim, ws } = await open({ fund: [{ address: MASTER.address, USDC: "10000", toPerp: true }] });
    const user = MASTER.address;
    ws.subscribe({ type: "userFills", user });
    const snapshot = await ws.channel("userFills");
    expect(snapshot.data).toEqual({ isSnapshot: true, user, fills: [] });
    ws.subscribe({ type: "orderUpdates", user });
    ws.subscribe({ type: "userEvents", user });
    await roundTrip(ws);
    ws.drain();

    const ask = sim.core.l2Book("HYPE", 1)?.levels[1][0]?.px;
    if (ask === undefined) throw new Error("no ask");
    const client = new TestClient(sim.gateway, MASTER, sim.core.exchangeTime());
    ws.send({
      method: "post",
      id: 1,
      request: {
        type: "action",
        payload: client.l1Body(orderOf({ asset: 159, isBuy: true, px: ask, sz: "0.5", tif: "Ioc" })),
      },
    });
    const post = await ws.channel("post");
    expect(JSON.stringify(post.data)).toContain('"filled"');
    const updates = await ws.channel("orderUpdates");
    const fills = await ws.channel("userFills");
    const events = await ws.channel("user");
    expect((updates.data as { status: string }[]).map((u) => u.status)).toContain("filled");
    expect((fills.data as { isSnapshot?: boolean; user: string }).isSnapshot).toBeUndefined();
    expect((fills.data as { user: string }).user).toBe(user);
    expect((events.data as { fills: unknown[] }).fills).toEqual((fills.data as { fills: unknown[] }).fills);
    for (const text of ws.raw.slice(-4)) expect(decodeWsMessage(text).ok).toBe(true);
  });
});

describe("funding on the user channel", () => {
  it("pushes {funding} to userEvents when a position is charged", async () => {
    const { sim, ws } = await open({
      fund: [{ address: MASTER.address, USDC: "10000", toPerp: true }],
      core: { fundingAcceleration: 3600 }, // a funding round every simulated second
    });
    const user = MASTER.address;
    ws.subscribe({ type: "userEvents", user });
    await ws.channel("subscriptionResponse");
    const ask = sim.core.l2Book("HYPE", 1)?.levels[1][0]?.px ?? "0";
    const client = new TestClient(sim.gateway, MASTER, sim.core.exchangeTime());
    expect(client.order({ asset: 159, isBuy: true, px: ask, sz: "1", tif: "Ioc" }).status).toBe(200);
    await ws.next((frame) => frame.channel === "user" && "fills" in (frame.data as object));
    sim.market.step(30);
    const funding = await ws.next((frame) => frame.channel === "user" && "funding" in (frame.data as object));
    const payment = (funding.data as { funding: { coin: string; szi: string } }).funding;
    expect(payment.coin).toBe("HYPE");
    expect(payment.szi).toBe("1");
    expect(decodeWsMessage(JSON.stringify(funding)).ok).toBe(true);
  });
});
