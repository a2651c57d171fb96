/**
 * The universe the simulator serves: the fixture's `spotMeta` made dense and index-ordered, as the live
 * exchange lays it out (clients such as CCXT read it by position), without changing what any fixture
 * market resolves to.
 */
import { describe, expect, it } from "vitest";

import { resolveMarkets, type MarketSpec } from "../../../hotpath/exchange/registry/index.js";
import metaJson from "../../fixtures/universe/meta.json" with { type: "json" };
import spotMetaJson from "../../fixtures/universe/spotMeta.json" with { type: "json" };
import {
  FIXTURE_RAW_UNIVERSE,
  FIXTURE_UNIVERSE,
  PLACEHOLDER_TOKEN_PREFIX,
  UniverseDecodeError,
  decodeUniverse,
  denseSpotMeta,
  type RawSpotMeta,
} from "./fixtureUniverse.js";

const SHUFFLED = spotMetaJson as RawSpotMeta;
const SERVED = FIXTURE_RAW_UNIVERSE.spotMeta as RawSpotMeta;

/** The fixture's own cases (its README), one per registry rule. */
const SPECS: readonly MarketSpec[] = [
  { coin: "HYPE" },
  { coin: "HYPE", quote: "USDT0" },
  { coin: "PURR" },
  { coin: "BTC", spotBase: "UBTC" },
  { coin: "ETH", spotBase: "UETH" },
  { coin: "SOL", spotBase: "USOL" },
];

describe("the served spotMeta", () => {
  it("is dense and in index order, as the exchange serves it", () => {
    expect(SERVED.tokens.map((token) => token.index)).toEqual([...Array(301).keys()]);
    expect(SERVED.universe.map((pair) => pair.index)).toEqual([...Array(251).keys()]);
    // The fixture is not: that is what makes it a registry test.
    expect(SHUFFLED.tokens[0]?.index).not.toBe(0);
  });

  it("keeps every fixture token and pair verbatim at its own index", () => {
    for (const token of SHUFFLED.tokens) expect(SERVED.tokens[token.index]).toBe(token);
    for (const pair of SHUFFLED.universe) expect(SERVED.universe[pair.index]).toBe(pair);
    // What CCXT does: the base token of pair 107 by position, the spot context by pair index.
    const hypePair = SERVED.universe[107];
    expect(hypePair?.name).toBe("@107");
    expect(SERVED.tokens[hypePair?.tokens[0] ?? -1]?.["name"]).toBe("HYPE");
  });

  it("fills the gaps with placeholders no name lookup can confuse with a fixture market", () => {
    const fixtureIndices = new Set(SHUFFLED.tokens.map((token) => token.index));
    const placeholders = SERVED.tokens.filter((token) => !fixtureIndices.has(token.index));
    expect(placeholders).toHaveLength(301 - SHUFFLED.tokens.length);
    const names = placeholders.map((token) => String(token["name"]));
    const perpNames = new Set(metaJson.universe.map((asset) => asset.name));
    const fixtureNames = new Set(SHUFFLED.tokens.map((token) => String(token["name"])));
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name.startsWith(PLACEHOLDER_TOKEN_PREFIX)).toBe(true);
      expect(perpNames.has(name) || fixtureNames.has(name)).toBe(false);
    }

    const fixturePairs = new Set(SHUFFLED.universe.map((pair) => pair.index));
    const fillerPairs = SERVED.universe.filter((pair) => !fixturePairs.has(pair.index));
    const bases = fillerPairs.map((pair) => pair.tokens[0] ?? -1);
    expect(new Set(bases).size).toBe(bases.length);
    for (const pair of fillerPairs) {
      expect(pair.name).toBe(`@${pair.index}`);
      expect(pair.tokens[1]).toBe(0);
      expect(fixtureIndices.has(pair.tokens[0] ?? -1)).toBe(false);
    }
  });

  it("resolves every fixture case to the same markets as the shuffled file", () => {
    const shuffled = decodeUniverse({ meta: metaJson, spotMeta: spotMetaJson });
    expect(resolveMarkets(FIXTURE_UNIVERSE, SPECS)).toEqual(resolveMarkets(shuffled, SPECS));
    expect(resolveMarkets(FIXTURE_UNIVERSE, [{ coin: "HYPE" }])[0]?.spot.assetId).toBe(10_107);
  });
});

describe("denseSpotMeta", () => {
  it("appends placeholder tokens when the gaps cannot give every placeholder pair its own base", () => {
    const dense = denseSpotMeta({
      tokens: [{ index: 0, name: "USDC" }],
      universe: [{ index: 2, tokens: [0, 0], name: "ODD" }],
    });
    expect(dense.tokens.map((token) => [token.index, token["name"]])).toEqual([
      [0, "USDC"],
      [1, `${PLACEHOLDER_TOKEN_PREFIX}1`],
      [2, `${PLACEHOLDER_TOKEN_PREFIX}2`],
    ]);
    expect(dense.universe.map((pair) => [pair.name, pair.tokens])).toEqual([
      ["@0", [1, 0]],
      ["@1", [2, 0]],
      ["ODD", [0, 0]],
    ]);
  });

  it("refuses a universe that lists an index twice", () => {
    const twice = { tokens: [{ index: 3 }, { index: 3 }], universe: [] };
    expect(() => denseSpotMeta(twice)).toThrow(UniverseDecodeError);
    expect(() => denseSpotMeta(twice)).toThrow("spotMeta lists token index 3 twice");
  });
});
