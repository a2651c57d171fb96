/**
 * Ids and decimals a deployment expects for its coin, asserted after resolution (PROTOCOL.md §3.3: "abort
 * on any mismatch"). They catch a wrong network (testnet ids differ), a re-indexed universe, or a config
 * naming the wrong coin. They also pick one candidate when the metadata is ambiguous.
 */

import { MarketResolutionError, type ExpectationMismatch } from "./errors.js";
import type { BasisMarket } from "./market.js";

export interface MarketExpectations {
  readonly perpAssetId?: number;
  readonly perpSzDecimals?: number;
  /** 10000 + pair index. */
  readonly spotAssetId?: number;
  readonly spotPairIndex?: number;
  readonly spotWsCoin?: string;
  /** The base token's size decimals. */
  readonly spotSzDecimals?: number;
  readonly baseTokenIndex?: number;
  readonly baseTokenId?: string;
  readonly quoteTokenIndex?: number;
}

/**
 * HYPE on mainnet: perp 159, pair `@107` = asset 10107, token 150, against USDC (token 0). Sources in
 * PROTOCOL.md §3.2. The tokenId and the perp's szDecimals are left out: no recorded `meta`/`spotMeta`
 * confirms them (UNVERIFIED), and a wrong expectation would stop start-up.
 */
export const HYPE_MAINNET_EXPECTATIONS = {
  perpAssetId: 159,
  spotAssetId: 10_107,
  spotPairIndex: 107,
  spotWsCoin: "@107",
  baseTokenIndex: 150,
  quoteTokenIndex: 0,
} as const satisfies MarketExpectations;

/** HYPE on testnet: token 1105, pair 1035 → asset 11035 [GB "Asset IDs"]; the perp id is not documented. */
export const HYPE_TESTNET_EXPECTATIONS = {
  spotAssetId: 11_035,
  spotPairIndex: 1035,
  spotWsCoin: "@1035",
  baseTokenIndex: 1105,
  quoteTokenIndex: 0,
} as const satisfies MarketExpectations;

/** Lists every expectation the market does not meet. */
export function findMismatches(market: BasisMarket, expect: MarketExpectations): ExpectationMismatch[] {
  const actual: { readonly [K in keyof Required<MarketExpectations>]: string | number } = {
    perpAssetId: market.perp.assetId,
    perpSzDecimals: market.perp.szDecimals,
    spotAssetId: market.spot.assetId,
    spotPairIndex: market.spot.pairIndex,
    spotWsCoin: market.spot.wsCoin,
    spotSzDecimals: market.spot.szDecimals,
    baseTokenIndex: market.spot.base.index,
    baseTokenId: market.spot.base.tokenId,
    quoteTokenIndex: market.spot.quote.index,
  };
  const mismatches: ExpectationMismatch[] = [];
  for (const field of Object.keys(actual) as (keyof MarketExpectations)[]) {
    const expected = expect[field];
    if (expected === undefined) continue;
    // Token ids are hex: compare case-insensitively, as the exchange does.
    const same =
      typeof expected === "string" && field === "baseTokenId"
        ? expected.toLowerCase() === String(actual[field]).toLowerCase()
        : expected === actual[field];
    if (!same) mismatches.push({ field, expected, actual: actual[field] });
  }
  return mismatches;
}

/** Throws `expectation_mismatch` listing every difference; returns the market unchanged otherwise. */
export function assertExpectations(market: BasisMarket, expect: MarketExpectations | undefined): BasisMarket {
  if (expect === undefined) return market;
  const mismatches = findMismatches(market, expect);
  if (mismatches.length === 0) return market;
  const listed = mismatches
    .map(
      (m) =>
        `${m.field} expected ${JSON.stringify(m.expected)}, the exchange says ${JSON.stringify(m.actual)}`,
    )
    .join("; ");
  throw new MarketResolutionError(
    "expectation_mismatch",
    market.coin,
    `${market.coin} does not match the configured expectations: ${listed}. Check that meta/spotMeta come ` +
      `from the intended network (mainnet vs testnet) and coin; if the exchange really re-indexed, update ` +
      `the expectations.`,
    mismatches,
  );
}
