/**
 * The market registry on the synthetic universe (`test/fixtures/universe/`) and on the Python SDK's
 * recorded 2023 `meta`: the documented id rules, every error code, several coins, expectations.
 */

import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";

import {
  HYPE_MAINNET_EXPECTATIONS,
  HYPE_TESTNET_EXPECTATIONS,
  MarketRegistry,
  MarketResolutionError,
  MarketsResolutionError,
  resolveMarket,
  resolveMarkets,
  resolvePerpMarket,
  resolveSpotMarket,
  type MarketResolutionErrorCode,
  type Universe,
} from "../../hotpath/exchange/registry/index.js";
import { decodeMeta, decodeSpotMeta } from "../../hotpath/exchange/wire/decode-info.js";
import type {
  Meta,
  PerpAssetMeta,
  SpotMeta,
  SpotPairMeta,
  SpotTokenMeta,
} from "../../hotpath/exchange/wire/info.js";

const FIXTURES = new URL("../../../shared/hyperliquid/fixtures/", import.meta.url);
const UNIVERSE = new URL("../fixtures/universe/", import.meta.url);

function loadUniverse(): Universe {
  const meta = decodeMeta(JSON.parse(readFileSync(new URL("meta.json", UNIVERSE), "utf8")));
  const spotMeta = decodeSpotMeta(JSON.parse(readFileSync(new URL("spotMeta.json", UNIVERSE), "utf8")));
  if (!meta.ok) throw meta.error;
  if (!spotMeta.ok) throw spotMeta.error;
  return { meta: meta.value, spotMeta: spotMeta.value };
}

const universe = loadUniverse();

function withPerps(extra: readonly PerpAssetMeta[], base: Meta = universe.meta): Universe {
  return { meta: { ...base, universe: [...base.universe, ...extra] }, spotMeta: universe.spotMeta };
}

function withSpot(change: {
  tokens?: (tokens: SpotTokenMeta[]) => SpotTokenMeta[];
  pairs?: (pairs: SpotPairMeta[]) => SpotPairMeta[];
}): Universe {
  return {
    meta: universe.meta,
    spotMeta: {
      tokens: change.tokens ? change.tokens([...universe.spotMeta.tokens]) : universe.spotMeta.tokens,
      universe: change.pairs ? change.pairs([...universe.spotMeta.universe]) : universe.spotMeta.universe,
    },
  };
}

function resolutionError(run: () => unknown, code: MarketResolutionErrorCode): MarketResolutionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MarketResolutionError);
    const failure = error as MarketResolutionError;
    expect(failure.code, failure.message).toBe(code);
    return failure;
  }
  throw new Error(`expected ${code}, but resolution succeeded`);
}

const HYPE_TOKEN = {
  index: 150,
  name: "HYPE",
  tokenId: "0x0d01dc56dcaaca66ad901c959b4011ec",
  szDecimals: 2,
  weiDecimals: 8,
};
const USDC_TOKEN = {
  index: 0,
  name: "USDC",
  tokenId: "0x6d1e7cde53ba9467b783cb7c530ce054",
  szDecimals: 8,
  weiDecimals: 8,
};

describe("synthetic universe: HYPE", () => {
  it("resolves the documented mainnet ids by name", () => {
    const market = resolveMarket(universe, { coin: "HYPE" });
    expect(market).toEqual({
      coin: "HYPE",
      perp: { kind: "perp", coin: "HYPE", assetId: 159, szDecimals: 2, maxLeverage: 10 },
      spot: {
        kind: "spot",
        wsCoin: "@107",
        assetId: 10107,
        pairIndex: 107,
        pairName: "@107",
        szDecimals: 2,
        base: HYPE_TOKEN,
        quote: USDC_TOKEN,
      },
    });
  });

  it("meets the mainnet expectations, and the brief's short form", () => {
    expect(() => resolveMarket(universe, { coin: "HYPE", expect: HYPE_MAINNET_EXPECTATIONS })).not.toThrow();
    expect(() =>
      resolveMarket(universe, { coin: "HYPE", expect: { perpAssetId: 159, spotAssetId: 10107 } }),
    ).not.toThrow();
  });

  it("defaults to HYPE against USDC", () => {
    const [market] = resolveMarkets(universe);
    expect(market?.spot.wsCoin).toBe("@107");
  });

  it("picks the pair by its quote: HYPE/USDT0 is @207", () => {
    const market = resolveMarket(universe, { coin: "HYPE", quote: "USDT0" });
    expect(market.spot).toMatchObject({ wsCoin: "@207", assetId: 10207, pairIndex: 207 });
    expect(market.spot.quote.index).toBe(268);
  });

  it("does not depend on array positions in spotMeta", () => {
    const reversed = withSpot({ tokens: (tokens) => tokens.reverse(), pairs: (pairs) => pairs.reverse() });
    expect(resolveMarket(reversed, { coin: "HYPE" })).toEqual(resolveMarket(universe, { coin: "HYPE" }));
  });
});

describe("synthetic universe: other coins", () => {
  it("the canonical pair keeps its BASE/QUOTE name as coin: PURR/USDC = asset 10000", () => {
    const market = resolveMarket(universe, { coin: "PURR" });
    expect(market.perp).toMatchObject({ assetId: 152, szDecimals: 0 });
    expect(market.spot).toMatchObject({ wsCoin: "PURR/USDC", assetId: 10000, pairIndex: 0, szDecimals: 0 });
  });

  it("resolves several coins at once, in order, with spot base overrides", () => {
    const markets = resolveMarkets(universe, [
      { coin: "HYPE" },
      { coin: "BTC", spotBase: "UBTC" },
      { coin: "ETH", spotBase: "UETH" },
      { coin: "SOL", spotBase: "USOL" },
    ]);
    expect(
      markets.map((m) => [m.coin, m.perp.assetId, m.spot.wsCoin, m.spot.assetId, m.spot.szDecimals]),
    ).toEqual([
      ["HYPE", 159, "@107", 10107, 2],
      ["BTC", 0, "@142", 10142, 5],
      ["ETH", 1, "@151", 10151, 4],
      ["SOL", 5, "@156", 10156, 3],
    ]);
    expect(markets[1]?.perp).toMatchObject({ szDecimals: 5, maxLeverage: 40 });
    expect(markets[1]?.spot.base).toMatchObject({ index: 197, name: "UBTC", weiDecimals: 10 });
  });

  it("reports every failing coin together", () => {
    let failure: unknown;
    try {
      resolveMarkets(universe, [{ coin: "HYPE" }, { coin: "LOOM" }, { coin: "DOGE" }]);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(MarketsResolutionError);
    const failures = (failure as MarketsResolutionError).failures;
    expect(failures.map((f) => [f.coin, f.code])).toEqual([
      ["LOOM", "perp_delisted"],
      ["DOGE", "spot_token_not_found"],
    ]);
    expect((failure as Error).message).toMatch(/LOOM \[perp_delisted\]/);
  });
});

describe("error codes", () => {
  it("perp_not_found: spot-only token, wrong case, unknown name", () => {
    expect(resolutionError(() => resolveMarket(universe, { coin: "HFUN" }), "perp_not_found").coin).toBe(
      "HFUN",
    );
    expect(
      resolutionError(() => resolveMarket(universe, { coin: "hype" }), "perp_not_found").message,
    ).toMatch(/did you mean "HYPE"/);
    expect(
      resolutionError(() => resolveMarket(universe, { coin: "NOPE" }), "perp_not_found").message,
    ).toMatch(/no perp named "NOPE" in meta\.universe \(176 perps\)/);
  });

  it("perp_delisted: LOOM keeps its slot but cannot be traded", () => {
    const error = resolutionError(() => resolveMarket(universe, { coin: "LOOM" }), "perp_delisted");
    expect(error.message).toMatch(/asset 52/);
  });

  it("perp_ambiguous, unless an expectation or a single listed namesake decides", () => {
    const twoListed = withPerps([{ szDecimals: 2, name: "HYPE", maxLeverage: 3 }]);
    resolutionError(() => resolveMarket(twoListed, { coin: "HYPE" }), "perp_ambiguous");
    expect(resolveMarket(twoListed, { coin: "HYPE", expect: { perpAssetId: 159 } }).perp.assetId).toBe(159);

    const relisted = withPerps([{ szDecimals: 2, name: "LOOM", maxLeverage: 3 }]);
    expect(resolvePerpMarket(relisted.meta, "LOOM").assetId).toBe(176);
  });

  it("spot_token_not_found: no spot token (DOGE), a renamed one (BTC → UBTC), an unknown quote", () => {
    resolutionError(() => resolveMarket(universe, { coin: "DOGE" }), "spot_token_not_found");
    const btc = resolutionError(() => resolveMarket(universe, { coin: "BTC" }), "spot_token_not_found");
    expect(btc.message).toMatch(/did you mean "UBTC"/);
    expect(btc.message).toMatch(/spotBase/);
    const quote = resolutionError(
      () => resolveMarket(universe, { coin: "HYPE", quote: "USDH" }),
      "spot_token_not_found",
    );
    expect(quote.message).toMatch(/"USDH" \(quote\)/);
  });

  it("spot_token_ambiguous, unless expect.baseTokenIndex decides", () => {
    const clone: SpotTokenMeta = { ...universe.spotMeta.tokens.find((t) => t.name === "HYPE")!, index: 999 };
    const twoTokens = withSpot({ tokens: (tokens) => [...tokens, clone] });
    resolutionError(() => resolveMarket(twoTokens, { coin: "HYPE" }), "spot_token_ambiguous");
    expect(resolveMarket(twoTokens, { coin: "HYPE", expect: { baseTokenIndex: 150 } }).spot.base.index).toBe(
      150,
    );
  });

  it("spot_pair_not_found: PUMP trades only against USDT0", () => {
    const error = resolutionError(() => resolveMarket(universe, { coin: "PUMP" }), "spot_pair_not_found");
    expect(error.message).toMatch(/PUMP\/USDC/);
    expect(error.message).toMatch(/USDT0 \(@250\)/);
    expect(resolveMarket(universe, { coin: "PUMP", quote: "USDT0" }).spot.wsCoin).toBe("@250");
  });

  it("spot_pair_ambiguous, unless expect.spotAssetId decides", () => {
    const extra: SpotPairMeta = { tokens: [150, 0], name: "@300", index: 300, isCanonical: false };
    const twoPairs = withSpot({ pairs: (pairs) => [extra, ...pairs] });
    const error = resolutionError(() => resolveMarket(twoPairs, { coin: "HYPE" }), "spot_pair_ambiguous");
    expect(error.message).toMatch(/@300 \(asset 10300\)/);
    expect(resolveMarket(twoPairs, { coin: "HYPE", expect: { spotAssetId: 10107 } }).spot.wsCoin).toBe(
      "@107",
    );
    expect(resolveMarket(twoPairs, { coin: "HYPE", expect: { spotPairIndex: 300 } }).spot.wsCoin).toBe(
      "@300",
    );
  });

  it("universe_inconsistent: an @N name that is not the index, duplicate indices", () => {
    const renamed = withSpot({
      pairs: (pairs) => pairs.map((pair) => (pair.index === 107 ? { ...pair, name: "@108" } : pair)),
    });
    resolutionError(() => resolveMarket(renamed, { coin: "HYPE" }), "universe_inconsistent");

    const usurper: SpotTokenMeta = {
      ...universe.spotMeta.tokens.find((t) => t.name === "HFUN")!,
      index: 150,
    };
    const duplicateIndex = withSpot({ tokens: (tokens) => [...tokens, usurper] });
    resolutionError(() => resolveMarket(duplicateIndex, { coin: "HYPE" }), "universe_inconsistent");
  });

  it("expectation_mismatch lists every difference", () => {
    const error = resolutionError(
      () =>
        resolveMarket(universe, {
          coin: "HYPE",
          expect: { perpAssetId: 160, spotAssetId: 10108, spotSzDecimals: 2 },
        }),
      "expectation_mismatch",
    );
    expect(error.mismatches).toEqual([
      { field: "perpAssetId", expected: 160, actual: 159 },
      { field: "spotAssetId", expected: 10108, actual: 10107 },
    ]);
    expect(error.message).toMatch(/perpAssetId expected 160, the exchange says 159/);

    const testnet = resolutionError(
      () => resolveMarket(universe, { coin: "HYPE", expect: HYPE_TESTNET_EXPECTATIONS }),
      "expectation_mismatch",
    );
    expect(testnet.mismatches.map((m) => m.field)).toEqual([
      "spotAssetId",
      "spotPairIndex",
      "spotWsCoin",
      "baseTokenIndex",
    ]);
  });

  it("token ids compare case-insensitively", () => {
    const expect_ = { baseTokenId: "0x0D01DC56DCAACA66AD901C959B4011EC" };
    expect(() => resolveMarket(universe, { coin: "HYPE", expect: expect_ })).not.toThrow();
  });

  it("duplicate_market: two markets sharing a leg cannot be routed", () => {
    resolutionError(
      () => MarketRegistry.fromUniverse(universe, [{ coin: "HYPE" }, { coin: "HYPE", quote: "USDT0" }]),
      "duplicate_market",
    );
  });
});

describe("MarketRegistry", () => {
  const registry = MarketRegistry.fromUniverse(universe, [
    { coin: "HYPE" },
    { coin: "BTC", spotBase: "UBTC" },
  ]);

  it("routes wire coins and asset ids to legs", () => {
    expect(registry.legByWireCoin("HYPE")).toMatchObject({ leg: "perp", market: { coin: "HYPE" } });
    expect(registry.legByWireCoin("@107")).toMatchObject({ leg: "spot", market: { coin: "HYPE" } });
    expect(registry.legByWireCoin("@142")).toMatchObject({ leg: "spot", market: { coin: "BTC" } });
    expect(registry.legByAssetId(159)?.leg).toBe("perp");
    expect(registry.legByAssetId(10107)?.leg).toBe("spot");
    expect(registry.legByAssetId(107)).toBeUndefined();
    expect(registry.legByWireCoin("@150")).toBeUndefined();
    expect(registry.market("BTC")?.spot.base.name).toBe("UBTC");
    expect(registry.markets).toHaveLength(2);
  });
});

describe("recorded 2023 meta (python-sdk-cassettes/test_get_info.yaml)", () => {
  const cassette = parseYaml(
    readFileSync(new URL("python-sdk-cassettes/test_get_info.yaml", FIXTURES), "utf8"),
  ) as {
    interactions: { response: { body: { string: string } } }[];
  };
  const decoded = decodeMeta(JSON.parse(cassette.interactions[0]?.response.body.string ?? "null"));
  if (!decoded.ok) throw decoded.error;
  const meta = decoded.value;

  it("resolves BTC and APT perps by position", () => {
    expect(resolvePerpMarket(meta, "BTC")).toEqual({
      kind: "perp",
      coin: "BTC",
      assetId: 0,
      szDecimals: 5,
      maxLeverage: 50,
    });
    expect(resolvePerpMarket(meta, "APT").assetId).toBe(27);
  });

  it("has no HYPE", () => {
    resolutionError(() => resolvePerpMarket(meta, "HYPE"), "perp_not_found");
  });
});

describe("spot leg alone", () => {
  it("resolves a pair by token names", () => {
    const spot = resolveSpotMarket(universe.spotMeta, { base: "HFUN", quote: "USDC" });
    expect(spot).toMatchObject({ wsCoin: "@1", assetId: 10001, pairIndex: 1, szDecimals: 2 });
  });

  it("checks that the spot meta is consistent with itself", () => {
    const spotMeta: SpotMeta = universe.spotMeta;
    const indices = spotMeta.tokens.map((token) => token.index);
    expect(new Set(indices).size).toBe(indices.length);
  });
});
