/**
 * Every fault, through the library and through the loopback admin surface: connection drops (all, by
 * user), a stalled feed, delayed and dropped post answers, HTTP 429, crossed and stale books, clock skew,
 * order rejections, and scheduled faults.
 */
import { describe, expect, it } from "vitest";

import { MASTER, TestClient, orderOf } from "../gateway/testkit.js";
import { WsProbe, postJson, roundTrip, testSimulator, useSimulators, type Level } from "./testkit.js";

const { start, connect } = useSimulators();

const ALICE = `0x${"a1".repeat(20)}`;
const BOB = `0x${"b2".repeat(20)}`;

function infoPost(id: number): unknown {
  return { method: "post", id, request: { type: "info", payload: { type: "allMids" } } };
}

describe("connection faults", () => {
  it("drops every connection, abruptly", async () => {
    const sim = await start();
    const a = await connect(sim);
    const b = await connect(sim);
    expect(sim.faults.dropConnections()).toBe(2);
    expect((await a.whenClosed()).code).toBe(1006);
    expect((await b.whenClosed()).code).toBe(1006);
  });

  it("drops only the connections following a user", async () => {
    const sim = await start();
    const alice = await connect(sim);
    const bob = await connect(sim);
    alice.subscribe({ type: "orderUpdates", user: ALICE });
    bob.subscribe({ type: "orderUpdates", user: BOB });
    await roundTrip(alice);
    await roundTrip(bob);
    const reply = await postJson(sim.info.replace("/info", "/sim/faults"), {
      type: "dropConnections",
      user: ALICE,
    });
    expect(reply.status).toBe(200);
    await alice.whenClosed();
    await roundTrip(bob);
    expect(bob.closed).toBeUndefined();
  });
});

describe("feed faults", () => {
  it("stalls data while pongs and posts go on, then resumes", async () => {
    const sim = await start();
    const ws = await connect(sim);
    ws.subscribe({ type: "l2Book", coin: "HYPE", fast: true });
    ws.subscribe({ type: "bbo", coin: "HYPE" });
    await roundTrip(ws);
    sim.faults.stallFeed();
    ws.drain();
    sim.market.step(20);
    ws.send(infoPost(1));
    await ws.channel("post");
    await roundTrip(ws);
    expect(ws.frames.filter((frame) => frame.channel === "l2Book" || frame.channel === "bbo")).toEqual([]);
    sim.faults.resumeFeed();
    sim.market.step(4);
    await ws.channel("l2Book");
  });

  it("stalls only the listed channels, and for a given time", async () => {
    const sim = await start();
    const ws = await connect(sim);
    ws.subscribe({ type: "l2Book", coin: "HYPE", fast: true });
    ws.subscribe({ type: "bbo", coin: "HYPE" });
    await roundTrip(ws);
    sim.faults.stallFeed({ channels: ["l2Book"], ms: 100 });
    ws.drain();
    sim.market.step(10);
    await roundTrip(ws);
    expect(ws.frames.some((frame) => frame.channel === "bbo")).toBe(true);
    expect(ws.frames.some((frame) => frame.channel === "l2Book")).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 150));
    sim.market.step(4);
    await ws.channel("l2Book");
  });

  it("publishes crossed books, and shifts exchange time with clock skew", async () => {
    const sim = await start();
    const ws = await connect(sim);
    ws.subscribe({ type: "l2Book", coin: "HYPE", fast: true });
    await roundTrip(ws);
    ws.drain();
    sim.faults.crossedBook("HYPE");
    sim.faults.clockSkew(-5000);
    const before = sim.core.now();
    sim.market.step(2);
    const frame = await ws.channel("l2Book");
    const data = frame.data as { time: number; levels: [Level[], Level[]] };
    expect(Number(data.levels[0][0]?.px)).toBeGreaterThan(Number(data.levels[1][0]?.px));
    expect(data.time).toBe(before + 2 * 70 - 5000);
  });

  it("keeps sending a stale book with its old time while the model is frozen", async () => {
    const sim = await start();
    const ws = await connect(sim);
    ws.subscribe({ type: "l2Book", coin: "HYPE", fast: true });
    await roundTrip(ws);
    ws.drain();
    await postJson(sim.info.replace("/info", "/sim/faults"), { type: "staleBook" });
    sim.market.step(10);
    await roundTrip(ws);
    const times = ws.frames
      .filter((f) => f.channel === "l2Book")
      .map((f) => (f.data as { time: number }).time);
    expect(times.length).toBeGreaterThan(1);
    expect(new Set(times).size).toBe(1);
  });
});

describe("post faults", () => {
  it("delays the next answers, then answers on time", async () => {
    const sim = await start();
    const ws = await connect(sim);
    sim.faults.delayPosts(150, { count: 1 });
    const sent = Date.now();
    ws.send(infoPost(1));
    ws.send(infoPost(2));
    const first = await ws.channel("post");
    expect((first.data as { id: number }).id).toBe(2);
    const second = await ws.channel("post");
    expect((second.data as { id: number }).id).toBe(1);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(140);
  });

  it("drops answers (the request still executes)", async () => {
    const sim = await start({ fund: [{ address: MASTER.address, USDC: "1000", toPerp: true }] });
    const ws = await connect(sim);
    ws.subscribe({ type: "orderUpdates", user: MASTER.address });
    await roundTrip(ws);
    sim.faults.dropPosts({ count: 1 });
    const client = new TestClient(sim.gateway, MASTER, sim.core.exchangeTime());
    const bid = Number(sim.core.l2Book("HYPE", 1)?.levels[0][0]?.px ?? "0");
    const order = client.l1Body(
      orderOf({ asset: 159, isBuy: true, px: (bid - 1).toFixed(3), sz: "1", tif: "Gtc" }),
    );
    ws.send({ method: "post", id: 9, request: { type: "action", payload: order } });
    await ws.channel("orderUpdates");
    ws.send(infoPost(10));
    const answer = await ws.channel("post");
    expect((answer.data as { id: number }).id).toBe(10);
    expect(ws.frames.filter((frame) => frame.channel === "post")).toEqual([]);
  });

  it("drops by probability, reproducibly for a seed", async () => {
    const answered = async (seed: number): Promise<number[]> => {
      const run = await testSimulator({ seed });
      try {
        const ws = await WsProbe.connect(run.ws);
        run.faults.dropPosts({ probability: 0.5 });
        for (let id = 1; id <= 40; id++) ws.send(infoPost(id));
        await roundTrip(ws);
        ws.close();
        return ws.frames.filter((f) => f.channel === "post").map((f) => (f.data as { id: number }).id);
      } finally {
        await run.stop();
      }
    };
    const first = await answered(11);
    expect(first.length).toBeGreaterThan(5);
    expect(first.length).toBeLessThan(35);
    expect(await answered(11)).toEqual(first);
    expect(await answered(12)).not.toEqual(first);
  });
});

describe("HTTP faults and the admin surface", () => {
  it("answers 429 to the next requests, then serves again", async () => {
    const sim = await start();
    const admin = sim.info.replace("/info", "/sim/faults");
    expect((await postJson(admin, { type: "http429", count: 2, endpoints: ["info"] })).status).toBe(200);
    const first = await postJson(sim.info, { type: "allMids" });
    expect(first.status).toBe(429);
    expect((await postJson(sim.info, { type: "allMids" })).status).toBe(429);
    expect((await postJson(sim.info, { type: "allMids" })).status).toBe(200);
  });

  it("validates fault scripts and reports active faults", async () => {
    const sim = await start();
    const base = sim.info.replace("/info", "");
    const bad = await postJson(`${base}/sim/faults`, { type: "delayPosts" });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/ms/);
    const both = await postJson(`${base}/sim/faults`, { type: "dropPosts", count: 1, probability: 0.5 });
    expect(both.status).toBe(400);
    const script = [
      { type: "delayPosts", ms: 20, probability: 0.25 },
      { type: "crossedBook", coin: "@107" },
      { type: "clockSkew", ms: 1000 },
    ];
    expect((await postJson(`${base}/sim/faults`, script)).status).toBe(200);
    const status = JSON.parse(await (await fetch(`${base}/sim/status`)).text()) as Record<string, unknown>;
    expect(status).toMatchObject({
      status: "ok",
      rate: "realistic",
      faults: {
        postDelay: { ms: 20, selection: { kind: "probability", probability: 0.25 } },
        crossedCoins: ["@107"],
        clockSkewMs: 1000,
      },
    });
    expect((await postJson(`${base}/sim/faults`, { type: "clear" })).status).toBe(200);
    expect(sim.faults.active()).toMatchObject({ postDelay: undefined, crossedCoins: [], clockSkewMs: 0 });
  });

  it("funds accounts, rejects orders on request, and steps the market over HTTP", async () => {
    const sim = await start();
    const base = sim.info.replace("/info", "");
    expect(
      (await postJson(`${base}/sim/fund`, { address: MASTER.address, USDC: "500", toPerp: true })).status,
    ).toBe(200);
    expect((await postJson(`${base}/sim/fund`, { address: MASTER.address, DOGE: "1" })).status).toBe(400);
    const state = JSON.parse(
      (await postJson(sim.info, { type: "clearinghouseState", user: MASTER.address })).text,
    ) as {
      marginSummary: { accountValue: string };
    };
    expect(Number(state.marginSummary.accountValue)).toBe(500);

    await postJson(`${base}/sim/faults`, { type: "rejectOrders", count: 1, error: "injected" });
    const client = new TestClient(sim.gateway, MASTER, sim.core.exchangeTime());
    const bid = Number(sim.core.l2Book("HYPE", 1)?.levels[0][0]?.px ?? "0");
    const reply = await postJson(
      sim.exchange,
      client.l1Body(orderOf({ asset: 159, isBuy: true, px: (bid - 1).toFixed(3), sz: "1", tif: "Gtc" })),
    );
    expect(reply.text).toContain('"error":"injected"');

    const before = sim.core.now();
    expect((await postJson(`${base}/sim/market`, { action: "step", count: 3 })).status).toBe(200);
    expect(sim.core.now()).toBe(before + 3 * 70);
  });

  it("applies scheduled faults after their delay", async () => {
    const sim = await start({ faults: [{ type: "http429", afterMs: 100 }] });
    expect((await postJson(sim.info, { type: "allMids" })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await postJson(sim.info, { type: "allMids" })).status).toBe(429);
  });
});
