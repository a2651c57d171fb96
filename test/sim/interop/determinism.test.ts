/**
 * Determinism over the real sockets: two simulators with the same seed and start time, driven the same way
 * entirely from outside (blocks stepped through `POST /sim/market`, orders on both HYPE legs through `POST
 * /exchange`, streams read off `/ws`), send the same frames byte for byte and report the same fills; another
 * seed moves the market differently.
 */
import { describe, expect, it } from "vitest";

import type { UserFill } from "../../../hotpath/exchange/wire/info.js";
import { MASTER, PERP, SPOT, orderOf } from "../gateway/testkit.js";
import { START, WsProbe, roundTrip, testSimulator } from "../server/testkit.js";
import { bookTouch, controlMarket, post, signingClient } from "./testkit.js";

const ROUNDS = 12;
const BLOCKS_PER_ROUND = 3;
const LEGS = [
  { coin: "HYPE", asset: PERP },
  { coin: "@107", asset: SPOT },
] as const;

interface Recording {
  /** Every frame the socket received, as sent. */
  readonly frames: readonly string[];
  /** The `/exchange` answers to the orders, as sent. */
  readonly replies: readonly string[];
  /** The `userFills` answer of `/info`, as sent. */
  readonly fills: string;
}

/** One run: subscribe, then rounds of (step blocks, take the touch on one leg, alternating sides). */
async function record(seed: number): Promise<Recording> {
  const sim = await testSimulator({
    seed,
    fund: [
      { address: MASTER.address, USDC: "10000", HYPE: "50" },
      { address: MASTER.address, USDC: "10000", toPerp: true },
    ],
  });
  const socket = await WsProbe.connect(sim.ws);
  try {
    for (const { coin } of LEGS) {
      for (const type of ["l2Book", "bbo", "trades"]) socket.subscribe({ type, coin });
    }
    socket.subscribe({ type: "userFills", user: MASTER.address });
    socket.subscribe({ type: "orderUpdates", user: MASTER.address });
    await roundTrip(socket);

    const master = signingClient(MASTER, START);
    const replies: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await controlMarket(sim, { action: "step", count: BLOCKS_PER_ROUND });
      const leg = LEGS[round % LEGS.length] ?? LEGS[0];
      const isBuy = round % 4 < 2;
      const { bid, ask } = await bookTouch(sim, leg.coin);
      const order = orderOf({ asset: leg.asset, isBuy, px: isBuy ? ask : bid, sz: "0.5", tif: "Ioc" });
      replies.push(JSON.stringify((await post(sim, "exchange", master.l1Body(order))).body));
    }
    await roundTrip(socket);
    const fills = await post(sim, "info", { type: "userFills", user: MASTER.address });
    return { frames: [...socket.raw], replies, fills: JSON.stringify(fills.body) };
  } finally {
    socket.close();
    await sim.stop();
  }
}

describe("determinism over the sockets", () => {
  it("gives the same frames and fills for one seed and start time, others for another seed", async () => {
    const first = await record(11);
    const second = await record(11);

    // Every order filled, on both legs, so the comparison below covers trading and not just the market.
    for (const reply of first.replies) expect(reply).toContain('"filled"');
    const fills = JSON.parse(first.fills) as UserFill[];
    expect(fills.length).toBeGreaterThanOrEqual(ROUNDS);
    expect(new Set(fills.map((fill) => fill.coin))).toEqual(new Set(["HYPE", "@107"]));
    const channels = new Set(first.frames.map((text) => (JSON.parse(text) as { channel: string }).channel));
    expect([...channels].sort()).toEqual([
      "bbo",
      "l2Book",
      "orderUpdates",
      "pong",
      "subscriptionResponse",
      "trades",
      "userFills",
    ]);
    expect(first.frames.length).toBeGreaterThan(ROUNDS * BLOCKS_PER_ROUND);

    expect(second.replies).toEqual(first.replies);
    expect(second.fills).toBe(first.fills);
    expect(second.frames).toEqual(first.frames);

    const other = await record(12);
    expect(other.frames).not.toEqual(first.frames);
    expect(other.fills).not.toBe(first.fills);
  });
});
