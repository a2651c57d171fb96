/**
 * CCXT (`ccxt.pro.hyperliquid`: its REST client plus WebSocket streams) against the simulator over real
 * HTTP and WebSocket. CCXT builds its spot markets by array position in `spotMeta` and its contexts, so
 * finding `HYPE/USDC` at `@107` proves the served universe is dense and index-ordered as the exchange's; the
 * fills, balances, positions and fees are then read back through CCXT's own parsers.
 */
import ccxt, { type Exchange } from "ccxt";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Simulator } from "../server/simulator.js";
import { MASTER_KEY, apiRoot, controlMarket, liveSimulator, marketablePrice } from "./testkit.js";

const PERP = "HYPE/USDC:USDC";
const SPOT = "HYPE/USDC";
/** The simulator's default taker rates (`core/ledger.ts`), the exchange's base tier. */
const PERP_TAKER_FEE = 0.00045;
const SPOT_TAKER_FEE = 0.0007;

const address = privateKeyToAccount(MASTER_KEY).address.toLowerCase();

/** `value`, which CCXT's types allow to be missing, asserting it is there. */
function reported(value: number | undefined, what: string): number {
  if (value === undefined) throw new Error(`CCXT reported no ${what}`);
  return value;
}

/** Best bid and ask of `symbol` as CCXT streams them; the WS must be subscribed already or subscribes now. */
async function streamedTouch(exchange: Exchange, symbol: string): Promise<{ bid: number; ask: number }> {
  const book = await exchange.watchOrderBook(symbol);
  const [bid, ask] = [book.bids[0]?.[0], book.asks[0]?.[0]];
  if (bid === undefined || ask === undefined) throw new Error(`no two-sided book for ${symbol}`);
  return { bid, ask };
}

describe("CCXT over HTTP and WebSocket", () => {
  let sim: Simulator;
  let exchange: Exchange;

  beforeAll(async () => {
    sim = await liveSimulator({ fund: [{ address, USDC: "10000" }] });
    const root = apiRoot(sim);
    exchange = new ccxt.pro.hyperliquid({
      walletAddress: address,
      privateKey: MASTER_KEY,
      enableRateLimit: false,
      urls: { api: { public: root, private: root, ws: { public: sim.ws } } },
    });
    // CCXT refuses plain `ws://` URLs in Node until its HTTP agent is loaded (its documented first step).
    await exchange.loadHttpProxyAgent();
  });

  afterAll(async () => {
    await exchange.close();
    await sim.stop();
  });

  it("loads both HYPE legs from meta and spotMeta", async () => {
    const markets = await exchange.loadMarkets();
    expect(markets[PERP]).toMatchObject({ id: "159", baseId: "159", swap: true });
    expect(markets[SPOT]).toMatchObject({
      id: "@107",
      baseId: "10107",
      spot: true,
      base: "HYPE",
      quote: "USDC",
    });
  });

  it("streams the order books of both legs", async () => {
    for (const symbol of [PERP, SPOT]) {
      const first = await exchange.watchOrderBook(symbol);
      const firstTime = reported(first.timestamp, "book time");
      expect(first.symbol).toBe(symbol);
      const next = await exchange.watchOrderBook(symbol);
      expect(next.timestamp).toBeGreaterThan(firstTime);
      const { bid, ask } = await streamedTouch(exchange, symbol);
      expect(bid).toBeLessThan(ask);
    }
  });

  it("fills limit IOC orders on both legs; balances, positions and fees reflect them", async () => {
    const spotAsk = (await streamedTouch(exchange, SPOT)).ask;
    const bought = await exchange.createOrder(
      SPOT,
      "limit",
      "buy",
      1,
      Number(marketablePrice(String(spotAsk), "buy", "spot")),
      { timeInForce: "IOC" },
    );
    expect(bought.info).toMatchObject({ filled: { totalSz: "1" } });

    await exchange.transfer("USDC", 1000, "spot", "swap");
    const perpBid = (await streamedTouch(exchange, PERP)).bid;
    const sold = await exchange.createOrder(
      PERP,
      "limit",
      "sell",
      1,
      Number(marketablePrice(String(perpBid), "sell", "perp")),
      { timeInForce: "IOC" },
    );
    expect(sold.info).toMatchObject({ filled: { totalSz: "1" } });
    // Marks stand still from here, so the account value and the unrealised PnL below are read together.
    await controlMarket(sim, { action: "pause" });

    const trades = await exchange.fetchMyTrades();
    const spotTrade = trades.find((trade) => trade.symbol === SPOT);
    const perpTrade = trades.find((trade) => trade.symbol === PERP);
    if (spotTrade === undefined || perpTrade === undefined) throw new Error("CCXT reported no trades");
    expect([spotTrade.side, spotTrade.amount, perpTrade.side, perpTrade.amount]).toEqual([
      "buy",
      1,
      "sell",
      1,
    ]);
    const [spotPx, perpPx] = [
      reported(spotTrade.price, "spot price"),
      reported(perpTrade.price, "perp price"),
    ];
    // A spot buy pays its fee in the token bought; a perp fill in USDC.
    expect(spotTrade.fee).toEqual({ currency: "HYPE", cost: SPOT_TAKER_FEE });
    expect(perpTrade.fee?.currency).toBe("USDC");
    const perpFee = reported(perpTrade.fee?.cost, "perp fee");
    expect(perpFee).toBeCloseTo(perpPx * PERP_TAKER_FEE, 8);

    const spot = await exchange.fetchBalance({ type: "spot" });
    expect(spot["HYPE"]?.total).toBeCloseTo(1 - SPOT_TAKER_FEE, 10);
    expect(spot["USDC"]?.total).toBeCloseTo(10_000 - 1000 - spotPx, 8);

    const [position, ...others] = await exchange.fetchPositions();
    expect(others).toEqual([]);
    expect(position).toMatchObject({
      symbol: PERP,
      side: "short",
      contracts: 1,
      entryPrice: perpPx,
    });
    const perp = await exchange.fetchBalance();
    const pnl = reported(position?.unrealizedPnl, "unrealised PnL");
    // Perp account value: the collateral transferred, less the fee, plus the open position's PnL.
    expect(perp["USDC"]?.total).toBeCloseTo(1000 - perpFee + pnl, 6);
  });
});
