/**
 * Resolves configured coins to perp and spot legs from `meta` + `spotMeta`, by the documented rules
 * (PROTOCOL.md §3):
 * - perp: find the name in `meta.universe`; its **position** is the asset id (main dex); refuse delisted.
 * - spot: find the base and quote tokens by name, then the pair whose `tokens` are `[base.index,
 *   quote.index]`; the pair's **`index` field** gives coin `@{index}` and asset `10000 + index`. Tokens are
 *   identified by their `index` field too; array positions in `spotMeta` mean nothing.
 *
 * Everything is looked up by name, nothing is hard-coded; expectations (see `expectations.ts`) then assert
 * the ids a deployment expects. Runs once at start-up, so clarity wins over speed.
 */

import type { Meta, PerpAssetMeta, SpotMeta, SpotPairMeta, SpotTokenMeta } from "../wire/info.js";
import { MarketResolutionError, MarketsResolutionError } from "./errors.js";
import { assertExpectations, type MarketExpectations } from "./expectations.js";
import {
  SPOT_ASSET_OFFSET,
  type BasisMarket,
  type PerpMarket,
  type SpotMarket,
  type SpotToken,
} from "./market.js";

export const DEFAULT_COIN = "HYPE";
export const DEFAULT_QUOTE = "USDC";

/** The exchange metadata the registry reads, already validated (`decodeMeta`, `decodeSpotMeta`). */
export interface Universe {
  readonly meta: Meta;
  readonly spotMeta: SpotMeta;
}

export interface MarketSpec {
  /** The perp's name, e.g. `"HYPE"`. */
  readonly coin: string;
  /** Quote token of the spot leg; default `"USDC"`. */
  readonly quote?: string;
  /**
   * Spot base token name when it differs from the perp's (e.g. perp `BTC`, spot token `UBTC`); default
   * `coin`.
   */
  readonly spotBase?: string;
  readonly expect?: MarketExpectations;
}

// ---------------------------------------------------------------------------------------------------------
// Perp leg

/** Resolves the perp leg of `coin`. `expect.perpAssetId` picks among perps that share the name. */
export function resolvePerpMarket(meta: Meta, coin: string, expect?: MarketExpectations): PerpMarket {
  const matches: { asset: PerpAssetMeta; assetId: number }[] = [];
  meta.universe.forEach((asset, assetId) => {
    if (asset.name === coin) matches.push({ asset, assetId });
  });

  if (matches.length === 0) {
    throw new MarketResolutionError(
      "perp_not_found",
      coin,
      `no perp named ${JSON.stringify(coin)} in meta.universe (${meta.universe.length} perps)` +
        suggest(
          coin,
          meta.universe.map((asset) => asset.name),
        ) +
        `. Names are case-sensitive; check the configured coin and that meta is the main dex's (dex "").`,
    );
  }

  const chosen = pickOne(matches, {
    expected: expect?.perpAssetId,
    idOf: (match) => match.assetId,
    // A delisted entry keeps its slot; a listed namesake is the tradeable one.
    preferred: (match) => match.asset.isDelisted !== true,
    ambiguous: (candidates) =>
      new MarketResolutionError(
        "perp_ambiguous",
        coin,
        `${candidates.length} perps are named ${JSON.stringify(coin)} (asset ids ` +
          `${candidates.map((c) => c.assetId).join(", ")}); set expect.perpAssetId to the one to trade.`,
      ),
  });

  if (chosen.asset.isDelisted === true) {
    throw new MarketResolutionError(
      "perp_delisted",
      coin,
      `perp ${JSON.stringify(coin)} (asset ${chosen.assetId}) is delisted ` +
        `(meta.universe[${chosen.assetId}].isDelisted); configure a listed coin.`,
    );
  }
  return {
    kind: "perp",
    coin,
    assetId: chosen.assetId,
    szDecimals: chosen.asset.szDecimals,
    maxLeverage: chosen.asset.maxLeverage,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Spot leg

/**
 * Resolves the spot pair of `base` against `quote` (token names). `coin` only labels errors.
 * `expect.baseTokenIndex` / `quoteTokenIndex` / `spotPairIndex` / `spotAssetId` pick among namesakes.
 */
export function resolveSpotMarket(
  spotMeta: SpotMeta,
  pair: { readonly base: string; readonly quote: string; readonly coin?: string },
  expect?: MarketExpectations,
): SpotMarket {
  const coin = pair.coin ?? pair.base;
  const base = findToken(spotMeta, coin, pair.base, "base", expect?.baseTokenIndex);
  const quote = findToken(spotMeta, coin, pair.quote, "quote", expect?.quoteTokenIndex);

  const pairs = spotMeta.universe.filter(
    (candidate) => candidate.tokens[0] === base.index && candidate.tokens[1] === quote.index,
  );
  if (pairs.length === 0) {
    const elsewhere = spotMeta.universe
      .filter((candidate) => candidate.tokens[0] === base.index)
      .map((candidate) => `${tokenName(spotMeta, candidate.tokens[1])} (${candidate.name})`);
    throw new MarketResolutionError(
      "spot_pair_not_found",
      coin,
      `no spot pair ${base.name}/${quote.name} (tokens [${base.index}, ${quote.index}]) in spotMeta.universe; ` +
        (elsewhere.length > 0
          ? `${base.name} trades only against ${elsewhere.join(", ")}. Configure that quote or another coin.`
          : `${base.name} has no spot pair at all. Configure another coin.`),
    );
  }

  const expectedPairIndex =
    expect?.spotPairIndex ??
    (expect?.spotAssetId === undefined ? undefined : expect.spotAssetId - SPOT_ASSET_OFFSET);
  const chosen = pickOne(pairs, {
    expected: expectedPairIndex,
    idOf: (candidate) => candidate.index,
    ambiguous: (candidates) =>
      new MarketResolutionError(
        "spot_pair_ambiguous",
        coin,
        `${candidates.length} spot pairs trade ${base.name} against ${quote.name}: ` +
          `${candidates.map((c) => `${c.name} (asset ${SPOT_ASSET_OFFSET + c.index})`).join(", ")}; ` +
          `set expect.spotAssetId to the one to trade.`,
      ),
  });

  assertUniqueIndex(
    coin,
    spotMeta.universe.filter((candidate) => candidate.index === chosen.index).length,
    `pair index ${chosen.index}`,
  );
  return {
    kind: "spot",
    wsCoin: wsCoinOf(coin, chosen),
    assetId: SPOT_ASSET_OFFSET + chosen.index,
    pairIndex: chosen.index,
    pairName: chosen.name,
    szDecimals: base.szDecimals,
    base,
    quote,
  };
}

/**
 * The pair's info/WS coin. The docs: `"PURR/USDC"` for PURR, `"@{index}"` for every other pair; the pair's
 * `name` carries exactly that, which we check rather than trust.
 */
function wsCoinOf(coin: string, pair: SpotPairMeta): string {
  const indexCoin = `@${pair.index}`;
  if (pair.name === indexCoin || (pair.name.includes("/") && !pair.name.startsWith("@"))) return pair.name;
  throw new MarketResolutionError(
    "universe_inconsistent",
    coin,
    `spot pair with index ${pair.index} is named ${JSON.stringify(pair.name)}, expected ${JSON.stringify(indexCoin)} ` +
      `or a BASE/QUOTE name; refusing to guess which coin the feeds use.`,
  );
}

function findToken(
  spotMeta: SpotMeta,
  coin: string,
  name: string,
  role: "base" | "quote",
  expectedIndex: number | undefined,
): SpotToken {
  const matches = spotMeta.tokens.filter((token) => token.name === name);
  if (matches.length === 0) {
    const hint =
      role === "base"
        ? ` If the spot leg trades under another token name, set spotBase (on mainnet the BTC perp's spot leg is token "UBTC").`
        : ` Check the configured quote.`;
    throw new MarketResolutionError(
      "spot_token_not_found",
      coin,
      `no spot token named ${JSON.stringify(name)} (${role}) in spotMeta.tokens` +
        suggest(
          name,
          spotMeta.tokens.map((token) => token.name),
        ) +
        `.${hint}`,
    );
  }
  const chosen = pickOne(matches, {
    expected: expectedIndex,
    idOf: (token) => token.index,
    ambiguous: (candidates) =>
      new MarketResolutionError(
        "spot_token_ambiguous",
        coin,
        `${candidates.length} spot tokens are named ${JSON.stringify(name)} (indices ` +
          `${candidates.map((c) => c.index).join(", ")}); set expect.${role}TokenIndex to the one to trade.`,
      ),
  });
  assertUniqueIndex(
    coin,
    spotMeta.tokens.filter((token) => token.index === chosen.index).length,
    `token index ${chosen.index}`,
  );
  return toSpotToken(chosen);
}

function toSpotToken(token: SpotTokenMeta): SpotToken {
  return {
    index: token.index,
    name: token.name,
    tokenId: token.tokenId,
    szDecimals: token.szDecimals,
    weiDecimals: token.weiDecimals,
  };
}

function tokenName(spotMeta: SpotMeta, index: number): string {
  return spotMeta.tokens.find((token) => token.index === index)?.name ?? `token ${index}`;
}

function assertUniqueIndex(coin: string, count: number, what: string): void {
  if (count > 1) {
    throw new MarketResolutionError(
      "universe_inconsistent",
      coin,
      `spotMeta lists ${what} ${count} times; the metadata is inconsistent, refusing to pick one.`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Both legs

/** Resolves one configured coin to both legs and asserts its expectations. */
export function resolveMarket(universe: Universe, spec: MarketSpec): BasisMarket {
  const perp = resolvePerpMarket(universe.meta, spec.coin, spec.expect);
  const spot = resolveSpotMarket(
    universe.spotMeta,
    { base: spec.spotBase ?? spec.coin, quote: spec.quote ?? DEFAULT_QUOTE, coin: spec.coin },
    spec.expect,
  );
  return assertExpectations({ coin: spec.coin, perp, spot }, spec.expect);
}

/**
 * Resolves several coins, in order. Every coin is attempted, and all failures are reported together in a
 * `MarketsResolutionError` so that one start-up attempt shows every configuration problem.
 */
export function resolveMarkets(
  universe: Universe,
  specs: readonly MarketSpec[] = [{ coin: DEFAULT_COIN }],
): BasisMarket[] {
  const markets: BasisMarket[] = [];
  const failures: MarketResolutionError[] = [];
  for (const spec of specs) {
    try {
      markets.push(resolveMarket(universe, spec));
    } catch (error) {
      if (!(error instanceof MarketResolutionError)) throw error;
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new MarketsResolutionError(failures);
  return markets;
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

/**
 * One candidate: the only one; else the one whose id is `expected`; else the single `preferred` one; else
 * the `ambiguous` error. An `expected` id that matches none leaves the choice to the later expectation
 * check, which reports the mismatch.
 */
function pickOne<T>(
  candidates: readonly T[],
  rules: {
    readonly expected: number | undefined;
    readonly idOf: (candidate: T) => number;
    readonly preferred?: (candidate: T) => boolean;
    readonly ambiguous: (candidates: readonly T[]) => MarketResolutionError;
  },
): T {
  const [first] = candidates;
  if (first !== undefined && candidates.length === 1) return first;
  const byId = candidates.filter((candidate) => rules.idOf(candidate) === rules.expected);
  if (byId.length === 1 && byId[0] !== undefined) return byId[0];
  const preferred = rules.preferred === undefined ? [] : candidates.filter(rules.preferred);
  if (preferred.length === 1 && preferred[0] !== undefined) return preferred[0];
  throw rules.ambiguous(candidates);
}

/** ` (did you mean "UBTC"?)` for names that contain, or equal ignoring case, the one asked for. */
function suggest(name: string, names: readonly string[]): string {
  const wanted = name.toLowerCase();
  const close = [...new Set(names)].filter((candidate) => {
    const lower = candidate.toLowerCase();
    if (candidate === name) return false;
    // Containment only for names of 3+ characters: `S` or `W` would otherwise match half the universe.
    return (
      lower === wanted ||
      (wanted.length >= 3 && lower.includes(wanted)) ||
      (lower.length >= 3 && wanted.includes(lower))
    );
  });
  if (close.length === 0) return "";
  return ` (did you mean ${close
    .slice(0, 5)
    .map((candidate) => JSON.stringify(candidate))
    .join(", ")}?)`;
}
