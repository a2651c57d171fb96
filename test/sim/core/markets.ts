/**
 * The markets the simulator core trades: per coin a perp and a spot pair, with ids, grid and tokens.
 *
 * A local, minimal description on purpose: the project's market registry is written in parallel and the
 * simulator must not depend on it. Values for HYPE follow PROTOCOL §3.2 (perp asset 159, spot `@107` =
 * asset 10107, token 150, szDecimals 2 on both legs, max leverage 10).
 */
import { perpGrid, spotGrid, type GridSpec } from "./grid.js";

export interface TokenSpec {
  readonly name: string;
  readonly index: number;
}

export interface PerpMarket {
  readonly kind: "perp";
  /** Order asset id (`a` on the wire). */
  readonly asset: number;
  /** Info/WS coin name, e.g. `"HYPE"`. */
  readonly coin: string;
  readonly grid: GridSpec;
  readonly maxLeverage: number;
}

export interface SpotMarket {
  readonly kind: "spot";
  /** Order asset id: 10000 + pair index. */
  readonly asset: number;
  /** Info/WS coin name, e.g. `"@107"`. */
  readonly coin: string;
  readonly grid: GridSpec;
  readonly base: TokenSpec;
  readonly quote: TokenSpec;
}

export type Market = PerpMarket | SpotMarket;

/** One coin traded on both legs (the unit the market model simulates). */
export interface CoinPair {
  /** Model name of the coin, e.g. `"HYPE"`. */
  readonly name: string;
  readonly perp: PerpMarket;
  readonly spot: SpotMarket;
}

export const USDC_TOKEN: TokenSpec = { name: "USDC", index: 0 };
export const HYPE_TOKEN: TokenSpec = { name: "HYPE", index: 150 };

export const HYPE_PAIR: CoinPair = {
  name: "HYPE",
  perp: { kind: "perp", asset: 159, coin: "HYPE", grid: perpGrid(2), maxLeverage: 10 },
  spot: { kind: "spot", asset: 10107, coin: "@107", grid: spotGrid(2), base: HYPE_TOKEN, quote: USDC_TOKEN },
};

export class UnknownMarketError extends Error {
  override readonly name = "UnknownMarketError";
}

/** Lookups over the configured pairs; USDC (token 0) is the perp collateral and the only spot quote. */
export class MarketTable {
  private readonly byAssetId = new Map<number, Market>();
  private readonly byCoinName = new Map<string, Market>();
  private readonly tokensByName = new Map<string, TokenSpec>([[USDC_TOKEN.name, USDC_TOKEN]]);
  private readonly tokensByIndex = new Map<number, TokenSpec>([[USDC_TOKEN.index, USDC_TOKEN]]);
  private readonly pairByMarketAsset = new Map<number, CoinPair>();

  constructor(readonly pairs: readonly CoinPair[]) {
    for (const pair of pairs) {
      for (const market of [pair.perp, pair.spot] as const) {
        if (this.byAssetId.has(market.asset)) throw new Error(`duplicate asset id ${market.asset}`);
        if (this.byCoinName.has(market.coin)) throw new Error(`duplicate coin ${market.coin}`);
        this.byAssetId.set(market.asset, market);
        this.byCoinName.set(market.coin, market);
        this.pairByMarketAsset.set(market.asset, pair);
      }
      if (pair.spot.quote.index !== USDC_TOKEN.index)
        throw new Error("only USDC-quoted spot pairs are modelled");
      for (const token of [pair.spot.base, pair.spot.quote]) {
        this.tokensByName.set(token.name, token);
        this.tokensByIndex.set(token.index, token);
      }
    }
  }

  market(asset: number): Market | undefined {
    return this.byAssetId.get(asset);
  }

  marketOrThrow(asset: number): Market {
    const market = this.byAssetId.get(asset);
    if (market === undefined) throw new UnknownMarketError(`unknown asset ${asset}`);
    return market;
  }

  marketByCoin(coin: string): Market | undefined {
    return this.byCoinName.get(coin);
  }

  pairOf(asset: number): CoinPair | undefined {
    return this.pairByMarketAsset.get(asset);
  }

  perps(): PerpMarket[] {
    return this.pairs.map((pair) => pair.perp);
  }

  spots(): SpotMarket[] {
    return this.pairs.map((pair) => pair.spot);
  }

  all(): Market[] {
    return [...this.byAssetId.values()];
  }

  token(name: string): TokenSpec | undefined {
    return this.tokensByName.get(name);
  }

  tokenByIndex(index: number): TokenSpec | undefined {
    return this.tokensByIndex.get(index);
  }

  tokens(): TokenSpec[] {
    return [...this.tokensByIndex.values()].sort((a, b) => a.index - b.index);
  }
}
