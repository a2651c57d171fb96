/**
 * `@nktkas/hyperliquid` (an independent SDK, signing through viem) against the simulator over real HTTP and
 * WebSocket: it must read the universe, stream both HYPE legs, trade, cancel and transfer with the master
 * key, and trade through an agent it approved, with the agent's fills landing on the master. Each answer is
 * checked through the SDK's own typed view, so a field it cannot parse fails here.
 */
import {
  ExchangeClient,
  HttpTransport,
  InfoClient,
  SubscriptionClient,
  WebSocketTransport,
  type ISubscription,
  type L2BookWsEvent,
  type BboWsEvent,
  type UserFillsWsEvent,
} from "@nktkas/hyperliquid";
import { SymbolConverter } from "@nktkas/hyperliquid/utils";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { Side } from "../../../hotpath/exchange/decimal/grid.js";
import type { Simulator } from "../server/simulator.js";
import { AGENT_KEY, MASTER_KEY, NK_WEBSOCKET, apiRoot, liveSimulator, marketablePrice } from "./testkit.js";

const master = privateKeyToAccount(MASTER_KEY);
const agent = privateKeyToAccount(AGENT_KEY);
const PERP_LEG = { coin: "HYPE", asset: 159, market: "perp" } as const;
const SPOT_LEG = { coin: "@107", asset: 10_107, market: "spot" } as const;
const LEGS = [PERP_LEG, SPOT_LEG] as const;
type Leg = (typeof LEGS)[number];

/** An IOC for 1 HYPE on `leg`, in NK's wire shape, priced through `touchPx` so that it fills. */
function iocOrder(leg: Leg, side: Side, touchPx: string) {
  const p = marketablePrice(touchPx, side, leg.market);
  return { a: leg.asset, b: side === "buy", p, s: "1", r: false, t: { limit: { tif: "Ioc" as const } } };
}

type OrderStatus = Awaited<ReturnType<ExchangeClient["order"]>>["response"]["data"]["statuses"][number];

function filledOf(status: OrderStatus | undefined): { totalSz: string; avgPx: string; oid: number } {
  if (status !== undefined && typeof status === "object" && "filled" in status) return status.filled;
  throw new Error(`expected a fill, got ${JSON.stringify(status)}`);
}

function restingOid(status: OrderStatus | undefined): number {
  if (status !== undefined && typeof status === "object" && "resting" in status) return status.resting.oid;
  throw new Error(`expected a resting order, got ${JSON.stringify(status)}`);
}

describe("@nktkas/hyperliquid over HTTP and WebSocket", () => {
  let sim: Simulator;
  let http: HttpTransport;
  let socket: WebSocketTransport;
  let info: InfoClient;
  const subscriptions: ISubscription[] = [];

  beforeAll(async () => {
    sim = await liveSimulator({
      fund: [
        { address: master.address, USDC: "10000" },
        { address: master.address, USDC: "1000", toPerp: true },
      ],
    });
    http = new HttpTransport({ apiUrl: apiRoot(sim) });
    // No reconnection: a socket that drops is a failure here, and retries would outlive the simulator.
    socket = new WebSocketTransport({ url: sim.ws, reconnect: { WebSocket: NK_WEBSOCKET, maxRetries: 0 } });
    info = new InfoClient({ transport: http });
  });

  afterAll(async () => {
    for (const subscription of subscriptions) await subscription.unsubscribe();
    await socket.close();
    await sim.stop();
  });

  /** The master's HYPE perp position size (0 when flat). */
  async function hypePosition(): Promise<number> {
    const state = await info.clearinghouseState({ user: master.address });
    const position = state.assetPositions.find((entry) => entry.position.coin === "HYPE")?.position;
    return Number(position?.szi ?? "0");
  }

  /** Best bid and ask of `coin`, read over HTTP at the moment of use. */
  async function touch(coin: string): Promise<{ bid: string; ask: string }> {
    const book = await info.l2Book({ coin });
    const [bid, ask] = [book?.levels[0][0]?.px, book?.levels[1][0]?.px];
    if (bid === undefined || ask === undefined) throw new Error(`no two-sided book for ${coin}`);
    return { bid, ask };
  }

  it("reads meta and spotMeta and resolves both HYPE legs by name", async () => {
    const [meta, spotMeta] = await Promise.all([info.meta(), info.spotMeta()]);
    expect(meta.universe[159]?.name).toBe("HYPE");
    const pair = spotMeta.universe.find((candidate) => candidate.name === "@107");
    expect(pair?.tokens).toEqual([150, 0]);
    expect(spotMeta.tokens[150]?.name).toBe("HYPE");

    const symbols = await SymbolConverter.create({ transport: http });
    expect(symbols.getAssetId("HYPE")).toBe(159);
    expect(symbols.getAssetId("HYPE/USDC")).toBe(10_107);
    expect(symbols.getSpotPairId("HYPE/USDC")).toBe("@107");
  });

  it("streams l2Book and bbo on both legs", async () => {
    const subscriber = new SubscriptionClient({ transport: socket });
    const books = new Map<string, L2BookWsEvent[]>(LEGS.map((leg) => [leg.coin, []]));
    const bbos = new Map<string, BboWsEvent[]>(LEGS.map((leg) => [leg.coin, []]));
    for (const { coin } of LEGS) {
      subscriptions.push(await subscriber.l2Book({ coin }, (event) => books.get(event.coin)?.push(event)));
      subscriptions.push(await subscriber.bbo({ coin }, (event) => bbos.get(event.coin)?.push(event)));
    }

    // A snapshot at subscription, then updates as the market moves: at least two of each, each later.
    await vi.waitFor(
      () => {
        for (const events of [...books.values(), ...bbos.values()]) expect(events.length).toBeGreaterThan(1);
      },
      { timeout: 5000, interval: 50 },
    );
    for (const { coin } of LEGS) {
      const stream = books.get(coin) ?? [];
      const times = stream.map((event) => event.time);
      for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] ?? Infinity);
      const last = stream.at(-1);
      const [bestBid, bestAsk] = [Number(last?.levels[0][0]?.px), Number(last?.levels[1][0]?.px)];
      expect(bestBid).toBeLessThan(bestAsk);
      const bbo = bbos.get(coin)?.at(-1)?.bbo;
      expect(Number(bbo?.[0]?.px)).toBeLessThan(Number(bbo?.[1]?.px));
    }
  });

  it("transfers USDC spot→perp, fills IOC orders on both legs, rests and cancels on both", async () => {
    const exchange = new ExchangeClient({ transport: http, wallet: master });
    await expect(exchange.usdClassTransfer({ amount: "1000", toPerp: true })).resolves.toEqual({
      status: "ok",
      response: { type: "default" },
    });
    const perpState = await info.clearinghouseState({ user: master.address });
    expect(Number(perpState.marginSummary.accountValue)).toBe(2000);
    const spotState = await info.spotClearinghouseState({ user: master.address });
    expect(Number(spotState.balances.find((balance) => balance.coin === "USDC")?.total)).toBe(9000);

    const bought = await exchange.order({
      orders: [iocOrder(SPOT_LEG, "buy", (await touch(SPOT_LEG.coin)).ask)],
      grouping: "na",
    });
    expect(filledOf(bought.response.data.statuses[0]).totalSz).toBe("1");
    const sold = await exchange.order({
      orders: [iocOrder(PERP_LEG, "sell", (await touch(PERP_LEG.coin)).bid)],
      grouping: "na",
    });
    expect(filledOf(sold.response.data.statuses[0]).totalSz).toBe("1");

    const resting = await exchange.order({
      orders: LEGS.map((leg) => ({
        a: leg.asset,
        b: true,
        p: "30",
        s: "1",
        r: false,
        t: { limit: { tif: "Gtc" } },
      })),
      grouping: "na",
    });
    const oids = resting.response.data.statuses.map(restingOid);
    const open = await info.openOrders({ user: master.address });
    expect(open.map((order) => [order.coin, order.oid]).sort()).toEqual(
      LEGS.map((leg, i) => [leg.coin, oids[i]]).sort(),
    );
    const cancelled = await exchange.cancel({
      cancels: LEGS.map((leg, i) => ({ a: leg.asset, o: oids[i] ?? -1 })),
    });
    expect(cancelled.response.data.statuses).toEqual(["success", "success"]);
    expect(await info.openOrders({ user: master.address })).toEqual([]);

    expect(await hypePosition()).toBe(-1);
    const hype = (await info.spotClearinghouseState({ user: master.address })).balances.find(
      (balance) => balance.coin === "HYPE",
    );
    // The spot buy's fee (0.07 %) is taken in the token bought.
    expect(hype?.total).toBe("0.9993");
  });

  it("attributes an approved agent's order to its master", async () => {
    const masterFills: UserFillsWsEvent[] = [];
    const subscriber = new SubscriptionClient({ transport: socket });
    subscriptions.push(
      await subscriber.userFills({ user: master.address }, (event) => masterFills.push(event)),
    );

    const exchange = new ExchangeClient({ transport: http, wallet: master });
    await exchange.approveAgent({ agentAddress: agent.address, agentName: "interop" });
    expect(await info.userRole({ user: agent.address })).toEqual({
      role: "agent",
      data: { user: master.address.toLowerCase() },
    });

    const asAgent = new ExchangeClient({ transport: http, wallet: agent });
    const before = await hypePosition();
    const bought = await asAgent.order({
      orders: [iocOrder(PERP_LEG, "buy", (await touch(PERP_LEG.coin)).ask)],
      grouping: "na",
    });
    const { oid } = filledOf(bought.response.data.statuses[0]);

    // The agent has no account of its own: the position, the fills and the stream are the master's.
    expect(await hypePosition()).toBe(before + 1);
    const fill = (await info.userFills({ user: master.address })).find((candidate) => candidate.oid === oid);
    expect([fill?.coin, fill?.side, Number(fill?.sz)]).toEqual(["HYPE", "B", 1]);
    expect(await info.userFills({ user: agent.address })).toEqual([]);
    await vi.waitFor(() => {
      const streamed = masterFills.flatMap((event) => (event.isSnapshot === true ? [] : event.fills));
      expect(streamed.map((fill) => fill.oid)).toContain(oid);
    });
    expect(masterFills.every((event) => event.user.toLowerCase() === master.address.toLowerCase())).toBe(
      true,
    );
  });
});
