/**
 * The resolved markets, indexed the ways the feeds and the order path need: by configured coin, by wire
 * coin (`"HYPE"`, `"@107"`; what book, trade, order and fill frames carry) and by order asset id (159,
 * 10107). Built once at start-up; lookups are plain `Map` reads.
 */

import { MarketResolutionError } from "./errors.js";
import type { BasisMarket } from "./market.js";
import { resolveMarkets, type MarketSpec, type Universe } from "./resolve.js";

export type LegKind = "perp" | "spot";

/** One leg of one market, as a wire coin or asset id identifies it. */
export interface MarketLeg {
  readonly market: BasisMarket;
  readonly leg: LegKind;
}

export class MarketRegistry {
  readonly markets: readonly BasisMarket[];
  readonly #byCoin = new Map<string, BasisMarket>();
  readonly #byWireCoin = new Map<string, MarketLeg>();
  readonly #byAssetId = new Map<number, MarketLeg>();

  /** Resolves `specs` (default: HYPE against USDC) and indexes them; throws `MarketsResolutionError`. */
  static fromUniverse(universe: Universe, specs?: readonly MarketSpec[]): MarketRegistry {
    return new MarketRegistry(resolveMarkets(universe, specs));
  }

  /** Throws `duplicate_market` when two markets share a coin, wire coin or asset id. */
  constructor(markets: readonly BasisMarket[]) {
    this.markets = markets;
    for (const market of markets) {
      this.#add(this.#byCoin, market.coin, market, market.coin, "configured coin");
      for (const leg of ["perp", "spot"] as const) {
        const entry: MarketLeg = { market, leg };
        const wireCoin = leg === "perp" ? market.perp.coin : market.spot.wsCoin;
        this.#add(this.#byWireCoin, wireCoin, entry, market.coin, "wire coin");
        this.#add(this.#byAssetId, market[leg].assetId, entry, market.coin, "asset id");
      }
    }
  }

  /** The market configured under `coin` (the perp name). */
  market(coin: string): BasisMarket | undefined {
    return this.#byCoin.get(coin);
  }

  /** The leg a frame's `coin` refers to: `"HYPE"` → perp, `"@107"` → spot. */
  legByWireCoin(wireCoin: string): MarketLeg | undefined {
    return this.#byWireCoin.get(wireCoin);
  }

  /** The leg an order asset id refers to: 159 → perp, 10107 → spot. */
  legByAssetId(assetId: number): MarketLeg | undefined {
    return this.#byAssetId.get(assetId);
  }

  #add<K extends string | number, V>(map: Map<K, V>, key: K, value: V, coin: string, what: string): void {
    if (map.has(key)) {
      throw new MarketResolutionError(
        "duplicate_market",
        coin,
        `${what} ${JSON.stringify(key)} belongs to more than one configured market; configure each coin ` +
          `and spot pair once.`,
      );
    }
    map.set(key, value);
  }
}
