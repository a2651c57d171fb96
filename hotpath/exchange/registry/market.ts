/**
 * What the registry resolves a configured coin to: the perp leg and the spot leg, with the ids, names and
 * decimals that orders, subscriptions and fills use (PROTOCOL.md §3).
 *
 * Three different numbers name the HYPE spot market and must not be mixed up: the pair index (107), its
 * order asset id (10107) and the base token index (150). The perp's asset id (159) is its position in
 * `meta.universe`.
 */

import type { Hex } from "../wire/brands.js";

export interface PerpMarket {
  readonly kind: "perp";
  /** The info/WS coin and the name in `meta.universe`, e.g. `"HYPE"`. */
  readonly coin: string;
  /** Order asset id `a`: the position in `meta.universe` (main dex). */
  readonly assetId: number;
  /** Size decimals; the lot is 10^-szDecimals. Prices allow at most 6 − szDecimals decimals. */
  readonly szDecimals: number;
  readonly maxLeverage: number;
}

export interface SpotToken {
  /** The token's `index` field in `spotMeta.tokens` (not its array position), e.g. 150 for HYPE. */
  readonly index: number;
  readonly name: string;
  /** Transfers name a token `"NAME:tokenId"`. */
  readonly tokenId: Hex;
  readonly szDecimals: number;
  /** Decimals of the token's on-chain amount unit. */
  readonly weiDecimals: number;
}

export interface SpotMarket {
  readonly kind: "spot";
  /** The info/WS coin: `"@{pairIndex}"`, or the pair's `BASE/QUOTE` name for canonical pairs (PURR/USDC). */
  readonly wsCoin: string;
  /** Order asset id `a`: 10000 + pairIndex. */
  readonly assetId: number;
  /** The pair's `index` field in `spotMeta.universe` (not its array position). */
  readonly pairIndex: number;
  /** The pair's `name` as `spotMeta` lists it. */
  readonly pairName: string;
  /** The base token's size decimals. Prices allow at most 8 − szDecimals decimals. */
  readonly szDecimals: number;
  readonly base: SpotToken;
  readonly quote: SpotToken;
}

/** One configured coin with both legs. */
export interface BasisMarket {
  /** The configured coin (the perp's name). */
  readonly coin: string;
  readonly perp: PerpMarket;
  readonly spot: SpotMarket;
}

/** Spot order asset ids start here: asset = SPOT_ASSET_OFFSET + pair index. */
export const SPOT_ASSET_OFFSET = 10_000;
