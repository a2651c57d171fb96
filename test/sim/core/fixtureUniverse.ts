/**
 * The synthetic exchange universe of `test/fixtures/universe/` (HYPE perp 159, token 150, pair `@107`), both
 * as the raw JSON the simulator serves for `meta` / `spotMeta` and decoded for the registry.
 *
 * The fixture's `spotMeta` is deliberately shuffled and sparse (it proves the registry never reads an array
 * position as an index), but the live exchange serves it dense and in index order (`tokens[i].index === i`,
 * `universe[i].index === i`), and third-party clients rely on that: CCXT reads `tokens[pair.tokens[0]]` and
 * the spot contexts by pair index. So the simulator serves `denseSpotMeta(fixture)`: every fixture entry
 * verbatim at its own index, each gap filled with a placeholder token or pair. The registry's tests keep
 * reading the shuffled files.
 *
 * JSON module imports rather than file reads keep the core free of I/O; the fixture's README explains what
 * is real and what is made up.
 */
import type { Universe } from "../../../hotpath/exchange/registry/index.js";
import { bytesToHex, keccak256 } from "../../../hotpath/exchange/signing/index.js";
import { decodeMeta, decodeSpotMeta } from "../../../hotpath/exchange/wire/decode-info.js";
import metaJson from "../../fixtures/universe/meta.json" with { type: "json" };
import spotMetaJson from "../../fixtures/universe/spotMeta.json" with { type: "json" };

/** `meta` and `spotMeta` exactly as the exchange would send them (key order and all fields kept). */
export interface RawUniverse {
  readonly meta: unknown;
  readonly spotMeta: unknown;
}

export class UniverseDecodeError extends Error {
  override readonly name = "UniverseDecodeError";
}

/** Validates a raw universe with the project's boundary decoders; throws naming the offending field. */
export function decodeUniverse(raw: RawUniverse): Universe {
  const meta = decodeMeta(raw.meta);
  if (!meta.ok) throw new UniverseDecodeError(`invalid meta: ${meta.error.message}`);
  const spotMeta = decodeSpotMeta(raw.spotMeta);
  if (!spotMeta.ok) throw new UniverseDecodeError(`invalid spotMeta: ${spotMeta.error.message}`);
  return { meta: meta.value, spotMeta: spotMeta.value };
}

/** Name prefix of the placeholder tokens; no fixture token or perp starts with it. */
export const PLACEHOLDER_TOKEN_PREFIX = "FILL";

/** Raw `spotMeta` entries keep every field as sent; only `index` (and a pair's `tokens`) are read. */
type RawToken = { readonly index: number } & Readonly<Record<string, unknown>>;
type RawPair = { readonly index: number; readonly tokens: readonly number[] } & Readonly<
  Record<string, unknown>
>;

export interface RawSpotMeta {
  readonly tokens: readonly RawToken[];
  readonly universe: readonly RawPair[];
}

/**
 * `spotMeta` as the exchange lays it out: `tokens[i].index === i` and `universe[i].index === i`. Entries of
 * `spotMeta` are kept verbatim (same objects); a missing token index gets a placeholder token, a missing
 * pair index a placeholder pair `@{index}` trading a placeholder token of its own against USDC (token 0),
 * so no placeholder can be mistaken for a fixture market. Placeholder tokens are appended past the last
 * index when the gaps in `tokens` are too few to give every placeholder pair its own base.
 */
export function denseSpotMeta(spotMeta: RawSpotMeta): RawSpotMeta {
  const tokens = byIndex(spotMeta.tokens, "token");
  const pairs = byIndex(spotMeta.universe, "pair");
  const pairCount = pairs.length;
  const spareTokens = tokens.flatMap((token, index) => (token === undefined ? [index] : []));
  const denseTokens: RawToken[] = tokens.map((token, index) => token ?? placeholderToken(index));
  const densePairs: RawPair[] = [];
  for (let index = 0; index < pairCount; index++) {
    const pair = pairs[index];
    if (pair !== undefined) {
      densePairs.push(pair);
      continue;
    }
    let base = spareTokens.shift();
    if (base === undefined) {
      base = denseTokens.length;
      denseTokens.push(placeholderToken(base));
    }
    densePairs.push({ tokens: [base, 0], name: `@${index}`, index, isCanonical: false });
  }
  return { tokens: denseTokens, universe: densePairs };
}

/** Entries placed at their `index` (holes where none); a repeated index is a broken universe. */
function byIndex<T extends { readonly index: number }>(
  entries: readonly T[],
  what: string,
): (T | undefined)[] {
  const placed: (T | undefined)[] = [];
  for (const entry of entries) {
    if (!Number.isInteger(entry.index) || entry.index < 0) {
      throw new UniverseDecodeError(`spotMeta ${what} has a bad index: ${JSON.stringify(entry.index)}`);
    }
    if (placed[entry.index] !== undefined) {
      throw new UniverseDecodeError(`spotMeta lists ${what} index ${entry.index} twice`);
    }
    placed[entry.index] = entry;
  }
  // Holes made explicit: `map` and `flatMap` skip the holes of a sparse array.
  return Array.from({ length: placed.length }, (_, index) => placed[index]);
}

/** A listed, unremarkable token (key order of the fixture's); its tokenId is a hash of its label. */
function placeholderToken(index: number): RawToken {
  const label = `hlbasis simulator placeholder token ${index}`;
  return {
    name: `${PLACEHOLDER_TOKEN_PREFIX}${index}`,
    szDecimals: 2,
    weiDecimals: 8,
    index,
    tokenId: bytesToHex(keccak256(new TextEncoder().encode(label)), 0, 16),
    isCanonical: false,
    evmContract: null,
    fullName: `Simulator placeholder ${index}`,
    deployerTradingFeeShare: "0.0",
  };
}

/** What the simulator serves: the fixture with `spotMeta` dense and in index order. */
export const FIXTURE_RAW_UNIVERSE: RawUniverse = {
  meta: metaJson,
  spotMeta: denseSpotMeta(spotMetaJson),
};

export const FIXTURE_UNIVERSE: Universe = decodeUniverse(FIXTURE_RAW_UNIVERSE);
