/**
 * The markets the simulator core trades: per coin a perp and a spot pair, with ids, grid and tokens.
 *
 * Nothing here is hard-coded: each coin is resolved from an exchange universe (`meta` + `spotMeta`) by the
 * project's market registry (`resolveMarkets`, PROTOCOL §3.3), and its legs are adapted to the core's
 * shapes (asset id, wire coin, scaled-bigint grid). `HYPE_PAIR` is HYPE resolved from the synthetic fixture
 * universe and asserted against the documented mainnet ids (perp 159, spot `@107` = asset 10107, token 150).
 */
import {
  HYPE_MAINNET_EXPECTATIONS,
  resolveMarkets,
  type BasisMarket,
  type MarketSpec,
  type SpotToken,
  type Universe,
} from "../../../hotpath/exchange/registry/index.js";
import { FIXTURE_UNIVERSE } from "./fixtureUniverse.js";
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

/** The core's view of a market the registry resolved. */
export function coinPairOf(market: BasisMarket): CoinPair {
  return {
    name: market.coin,
    perp: {
      kind: "perp",
      asset: market.perp.assetId,
      coin: market.perp.coin,
      grid: perpGrid(market.perp.szDecimals),
      maxLeverage: market.perp.maxLeverage,
    },
    spot: {
      kind: "spot",
      asset: market.spot.assetId,
      coin: market.spot.wsCoin,
      grid: spotGrid(market.spot.szDecimals),
      base: tokenOf(market.spot.base),
      quote: tokenOf(market.spot.quote),
    },
  };
}

function tokenOf(token: SpotToken): TokenSpec {
  return { name: token.name, index: token.index };
}

/** Resolves `specs` (default: HYPE against USDC) from `universe`; throws `MarketsResolutionError`. */
export function coinPairsFromUniverse(universe: Universe, specs?: readonly MarketSpec[]): CoinPair[] {
  return resolveMarkets(universe, specs).map(coinPairOf);
}

function resolveFixtureHype(): CoinPair {
  const [hype] = coinPairsFromUniverse(FIXTURE_UNIVERSE, [
    { coin: "HYPE", expect: HYPE_MAINNET_EXPECTATIONS },
  ]);
  if (hype === undefined) throw new Error("the fixture universe did not resolve HYPE");
  return hype;
}

/** HYPE from the fixture universe: perp 159, spot `@107` (asset 10107), token 150, szDecimals 2. */
export const HYPE_PAIR: CoinPair = resolveFixtureHype();
export const HYPE_TOKEN: TokenSpec = HYPE_PAIR.spot.base;
/** USDC (token 0): the perp collateral and the only spot quote the core models. */
export const USDC_TOKEN: TokenSpec = HYPE_PAIR.spot.quote;

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
