/**
 * Interoperability with third-party clients, through in-process transports (JSON round trip, no sockets):
 * signatures made by other implementations must recover to the right accounts, and their start-up
 * requests must get answers they accept.
 * - `@nktkas/hyperliquid` (signing through viem): symbol resolution from meta/spotMeta, orders on both HYPE
 *   legs, cancel, usdClassTransfer, agent approval and an agent's order.
 * - CCXT: `loadMarkets` (spot, swap and HIP-3 dexes), transfer, perp orders, cancel, positions. (CCXT reads
 *   `spotMeta.tokens` by array position; the simulator serves the dense, index-ordered form the exchange
 *   does — `fixtureUniverse.ts` — so its spot legs are tested over real sockets in `../interop/ccxt.test.ts`.)
 */
import { ExchangeClient, InfoClient, type IRequestTransport } from "@nktkas/hyperliquid";
import ccxt from "ccxt";
import { SymbolConverter } from "@nktkas/hyperliquid/utils";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";

import type { SimGateway } from "./contract.js";
import { newSim, touchOf } from "./testkit.js";

const MASTER_KEY = "0x0123456789012345678901234567890123456789012345678901234567890123";
const AGENT_KEY = "0x822e9959e022b78423eb653a62ea0020cd283e71a2a8133a6ff2aeffaf373cff";

/** What the HTTP transport does, minus the sockets: JSON round trip, non-200 as an error. */
function inProcessTransport(gateway: SimGateway): IRequestTransport {
  return {
    isTestnet: false,
    request: <T>(endpoint: "info" | "exchange" | "explorer", payload: unknown): Promise<T> => {
      const body: unknown = JSON.parse(JSON.stringify(payload));
      const reply = endpoint === "info" ? gateway.info(body) : gateway.exchange(body);
      if (reply.status !== 200)
        return Promise.reject(new Error(`HTTP ${reply.status}: ${String(reply.body)}`));
      return Promise.resolve(JSON.parse(JSON.stringify(reply.body)) as T);
    },
  };
}

describe("@nktkas/hyperliquid against the gateway", () => {
  it("resolves HYPE, trades both legs, cancels, transfers, and trades through an approved agent", async () => {
    // NK takes nonces from the wall clock, so the simulated clock starts there.
    const sim = newSim({ startTimeMs: Date.now() });
    const master = privateKeyToAccount(MASTER_KEY);
    const agent = privateKeyToAccount(AGENT_KEY);
    sim.admin.fund(master.address, { USDC: "10000" });
    const transport = inProcessTransport(sim.gateway);
    const infoClient = new InfoClient({ transport });
    const exchange = new ExchangeClient({ transport, wallet: master });

    const symbols = await SymbolConverter.create({ transport });
    expect(symbols.getAssetId("HYPE")).toBe(159);
    expect(symbols.getAssetId("HYPE/USDC")).toBe(10_107);
    expect(symbols.getSpotPairId("HYPE/USDC")).toBe("@107");

    const spotAsk = touchOf(sim, "@107").ask;
    const spot = await exchange.order({
      orders: [{ a: 10_107, b: true, p: spotAsk, s: "1", r: false, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    });
    expect(spot.response.data.statuses[0]).toMatchObject({ filled: { totalSz: "1" } });

    await exchange.usdClassTransfer({ amount: "1000", toPerp: true });
    const perpBid = touchOf(sim, "HYPE").bid;
    const perp = await exchange.order({
      orders: [{ a: 159, b: false, p: perpBid, s: "1", r: false, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    });
    expect(perp.response.data.statuses[0]).toMatchObject({ filled: { totalSz: "1" } });

    const resting = await exchange.order({
      orders: [
        {
          a: 159,
          b: true,
          p: "30",
          s: "1",
          r: false,
          t: { limit: { tif: "Gtc" } },
          c: "0x000000000000000000000000000000aa",
        },
      ],
      grouping: "na",
    });
    const status = resting.response.data.statuses[0];
    if (status === undefined || !(typeof status === "object" && "resting" in status))
      throw new Error("not resting");
    const cancelled = await exchange.cancel({ cancels: [{ a: 159, o: status.resting.oid }] });
    expect(cancelled.response.data.statuses).toEqual(["success"]);

    await exchange.approveAgent({ agentAddress: agent.address, agentName: null });
    const asAgent = new ExchangeClient({ transport, wallet: agent });
    const perpAsk = touchOf(sim, "HYPE").ask;
    const closing = await asAgent.order({
      orders: [{ a: 159, b: true, p: perpAsk, s: "1", r: true, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    });
    expect(closing.response.data.statuses[0]).toMatchObject({ filled: { totalSz: "1" } });

    const state = await infoClient.clearinghouseState({ user: master.address });
    expect(state.assetPositions).toEqual([]);
    const fills = await infoClient.userFills({ user: master.address });
    expect(fills.map((fill) => fill.coin)).toEqual(["HYPE", "HYPE", "@107"]);
    expect(await infoClient.userRole({ user: agent.address })).toEqual({
      role: "agent",
      data: { user: master.address.toLowerCase() },
    });
    const spotState = await infoClient.spotClearinghouseState({ user: master.address });
    expect(spotState.balances.find((balance) => balance.coin === "HYPE")?.total).toBe("0.9993");
  });
});

describe("CCXT against the gateway", () => {
  it("loads markets, transfers, places and cancels perp orders and reads the position", async () => {
    const sim = newSim({ startTimeMs: Date.now() });
    const address = privateKeyToAccount(MASTER_KEY).address.toLowerCase();
    sim.admin.fund(address, { USDC: "10000" });
    const exchange = new ccxt.hyperliquid({
      walletAddress: address,
      privateKey: MASTER_KEY,
      enableRateLimit: false,
    });
    const sent: string[] = [];
    // CCXT's single HTTP entry point, routed to the gateway.
    Object.assign(exchange, {
      fetch: (url: string, _method: string, _headers: unknown, body: string): Promise<unknown> => {
        const parsed = JSON.parse(body) as { type?: string; action?: { type: string } };
        sent.push(parsed.type ?? parsed.action?.type ?? "?");
        const reply = url.endsWith("/info") ? sim.gateway.info(parsed) : sim.gateway.exchange(parsed);
        if (reply.status !== 200) return Promise.reject(new Error(`HTTP ${reply.status}`));
        return Promise.resolve(JSON.parse(JSON.stringify(reply.body)));
      },
    });

    const markets = await exchange.loadMarkets();
    expect(markets["HYPE/USDC:USDC"]?.baseId).toBe("159");
    expect(sent).toEqual(expect.arrayContaining(["perpDexs", "metaAndAssetCtxs", "spotMetaAndAssetCtxs"]));
    await exchange.transfer("USDC", 1000, "spot", "swap");

    const { ask } = touchOf(sim, "HYPE");
    const filled = await exchange.createOrder("HYPE/USDC:USDC", "limit", "buy", 1, Number(ask), {
      timeInForce: "IOC",
    });
    expect(filled.info).toMatchObject({ filled: { totalSz: "1" } });
    const resting = await exchange.createOrder("HYPE/USDC:USDC", "limit", "buy", 1, 30);
    expect(resting.info).toMatchObject({ resting: {} });
    const oid = resting.id;
    if (oid === undefined) throw new Error("CCXT reported no order id");
    expect((await exchange.cancelOrder(oid, "HYPE/USDC:USDC")).info).toBe("success");
    const [position] = await exchange.fetchPositions();
    expect(position?.contracts).toBe(1);
  });
});
