/**
 * Determinism: the same seed, start time and client actions give the same frames, byte for byte, over N
 * blocks (frames carry the core's simulated time, never the wall clock); another seed gives others.
 */
import { describe, expect, it } from "vitest";

import { MASTER, TestClient, orderOf } from "../gateway/testkit.js";
import { WsProbe, roundTrip, testSimulator } from "./testkit.js";

const BLOCKS = 60;

async function record(seed: number): Promise<string[]> {
  const sim = await testSimulator({ seed, fund: [{ address: MASTER.address, USDC: "10000", toPerp: true }] });
  const ws = await WsProbe.connect(sim.ws);
  try {
    for (const subscription of [
      { type: "l2Book", coin: "HYPE", fast: true },
      { type: "l2Book", coin: "@107" },
      { type: "bbo", coin: "HYPE" },
      { type: "bbo", coin: "@107" },
      { type: "trades", coin: "HYPE" },
      { type: "activeAssetCtx", coin: "HYPE" },
      { type: "orderUpdates", user: MASTER.address },
      { type: "userFills", user: MASTER.address },
    ]) {
      ws.subscribe(subscription);
    }
    await roundTrip(ws);
    const client = new TestClient(sim.gateway, MASTER, sim.core.exchangeTime());
    for (let block = 0; block < BLOCKS; block++) {
      sim.market.step(1);
      if (block % 15 === 7) {
        const ask = sim.core.l2Book("HYPE", 1)?.levels[1][0]?.px ?? "0";
        ws.send({
          method: "post",
          id: block,
          request: {
            type: "action",
            payload: client.l1Body(orderOf({ asset: 159, isBuy: true, px: ask, sz: "0.3", tif: "Ioc" })),
          },
        });
        await ws.channel("post");
      }
      if (block % 10 === 0) await roundTrip(ws);
    }
    await roundTrip(ws);
    return ws.raw;
  } finally {
    ws.close();
    await sim.stop();
  }
}

describe("determinism", () => {
  it("gives identical frame sequences for one seed, and different ones for another", async () => {
    const first = await record(21);
    const second = await record(21);
    expect(first.length).toBeGreaterThan(BLOCKS);
    expect(second).toEqual(first);
    const channels = new Set(first.map((text) => (JSON.parse(text) as { channel: string }).channel));
    for (const channel of [
      "l2Book",
      "bbo",
      "trades",
      "activeAssetCtx",
      "orderUpdates",
      "userFills",
      "post",
    ]) {
      expect(channels.has(channel)).toBe(true);
    }
    const other = await record(22);
    expect(other).not.toEqual(first);
  });
});
