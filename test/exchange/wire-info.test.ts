/**
 * `/info` validators: the synthetic universe (current schema), the Python SDK's recorded `meta` and
 * `l2Book` (2023 schema), and errors that name the offending field.
 */

import { readFileSync } from "node:fs";

import { describe, expect, expectTypeOf, it } from "vitest";
import { parse as parseYaml } from "yaml";

import { decodeWith } from "../../hotpath/exchange/wire/decode-common.js";
import {
  decodeMeta,
  decodeMetaAndAssetCtxs,
  decodeSpotMeta,
  decodeSpotMetaAndAssetCtxs,
  l2BookSchema,
} from "../../hotpath/exchange/wire/decode-info.js";
import type {
  InfoRequestOf,
  InfoResponse,
  L2Book,
  Meta,
  SpotMeta,
  UserAbstraction,
} from "../../hotpath/exchange/wire/info.js";

const FIXTURES = new URL("../../../shared/hyperliquid/fixtures/", import.meta.url);
const UNIVERSE = new URL("../fixtures/universe/", import.meta.url);

function readJson(url: URL): unknown {
  return JSON.parse(readFileSync(url, "utf8"));
}

/** The parsed JSON bodies of a VCR cassette's responses, in order. */
function cassetteBodies(name: string): unknown[] {
  const cassette = parseYaml(readFileSync(new URL(`python-sdk-cassettes/${name}`, FIXTURES), "utf8")) as {
    interactions: { response: { body: { string: string } } }[];
  };
  return cassette.interactions.map((interaction): unknown => JSON.parse(interaction.response.body.string));
}

function metaOk(value: unknown): Meta {
  const result = decodeMeta(value);
  if (!result.ok) throw result.error;
  return result.value;
}

function spotMetaOk(value: unknown): SpotMeta {
  const result = decodeSpotMeta(value);
  if (!result.ok) throw result.error;
  return result.value;
}

describe("decodeMeta", () => {
  it("accepts the synthetic universe (current schema)", () => {
    const meta = metaOk(readJson(new URL("meta.json", UNIVERSE)));
    expect(meta.universe[159]).toEqual({ szDecimals: 2, name: "HYPE", maxLeverage: 10, marginTableId: 52 });
    expect(meta.collateralToken).toBe(0);
    expect(meta.marginTables?.find(([id]) => id === 52)?.[1].marginTiers).toEqual([
      { lowerBound: "0.0", maxLeverage: 10 },
      { lowerBound: "20000000.0", maxLeverage: 5 },
    ]);
    expect(meta.universe.find((asset) => asset.name === "LOOM")).toMatchObject({ isDelisted: true });
  });

  it("accepts the 2023 recording (no marginTableId, marginTables or collateralToken)", () => {
    const [body] = cassetteBodies("test_get_info.yaml");
    const meta = metaOk(body);
    expect(meta.universe).toHaveLength(28);
    expect(meta.universe[0]).toEqual({ maxLeverage: 50, name: "BTC", szDecimals: 5 });
    expect(meta.marginTables).toBeUndefined();
    expect(meta.collateralToken).toBeUndefined();
  });

  it("names the offending field", () => {
    const meta = readJson(new URL("meta.json", UNIVERSE)) as { universe: Record<string, unknown>[] };
    const broken = structuredClone(meta);
    const hype = broken.universe[159];
    if (hype === undefined) throw new Error("fixture has no asset 159");
    hype["szDecimals"] = "2";
    const result = decodeMeta(broken);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.subject).toBe("meta");
      expect(result.error.field).toBe("universe[159].szDecimals");
      expect(result.error.message).toMatch(/^meta: universe\[159\]\.szDecimals: /);
    }
    expect(decodeMeta({ universe: [{ szDecimals: 1, name: "", maxLeverage: 3 }] })).toMatchObject({
      ok: false,
      error: { field: "universe[0].name" },
    });
    expect(decodeMeta(null)).toMatchObject({ ok: false, error: { field: "" } });
    expect(decodeMeta({})).toMatchObject({ ok: false, error: { field: "universe" } });
  });
});

describe("decodeSpotMeta", () => {
  it("accepts the synthetic universe and keeps entries in their (shuffled) order", () => {
    const spotMeta = spotMetaOk(readJson(new URL("spotMeta.json", UNIVERSE)));
    const hype = spotMeta.tokens.find((token) => token.name === "HYPE");
    expect(hype).toMatchObject({
      index: 150,
      szDecimals: 2,
      weiDecimals: 8,
      tokenId: "0x0d01dc56dcaaca66ad901c959b4011ec",
    });
    expect(spotMeta.universe.find((pair) => pair.index === 107)).toEqual({
      tokens: [150, 0],
      name: "@107",
      index: 107,
      isCanonical: false,
    });
    // Array position is not the index: the shuffle the registry must survive.
    expect(spotMeta.tokens.some((token, position) => token.index !== position)).toBe(true);
    expect(spotMeta.universe.some((pair, position) => pair.index !== position)).toBe(true);
  });

  it("names the offending field", () => {
    const spotMeta = readJson(new URL("spotMeta.json", UNIVERSE)) as {
      tokens: Record<string, unknown>[];
      universe: Record<string, unknown>[];
    };
    const badTokenId = structuredClone(spotMeta);
    const firstToken = badTokenId.tokens[0];
    if (firstToken === undefined) throw new Error("fixture has no tokens");
    firstToken["tokenId"] = "0xabc";
    expect(decodeSpotMeta(badTokenId)).toMatchObject({ ok: false, error: { field: "tokens[0].tokenId" } });

    const badPair = structuredClone(spotMeta);
    const thirdPair = badPair.universe[2];
    if (thirdPair === undefined) throw new Error("fixture has too few pairs");
    thirdPair["tokens"] = [1];
    expect(decodeSpotMeta(badPair)).toMatchObject({ ok: false, error: { field: "universe[2].tokens" } });
  });
});

describe("…AndAssetCtxs", () => {
  const ctx = {
    dayNtlVlm: "1169046.29406",
    funding: "0.0000125",
    impactPxs: ["14.3047", "14.3444"],
    markPx: "14.3161",
    midPx: "14.314",
    openInterest: "688.11",
    oraclePx: "14.32",
    premium: "0.00031774",
    prevDayPx: "15.322",
  };

  it("metaAndAssetCtxs needs one context per perp", () => {
    const meta = { universe: [{ szDecimals: 2, name: "HYPE", maxLeverage: 10 }] };
    expect(decodeMetaAndAssetCtxs([meta, [ctx]])).toMatchObject({ ok: true });
    expect(decodeMetaAndAssetCtxs([meta, [ctx, ctx]])).toMatchObject({ ok: false, error: { field: "[1]" } });
    expect(decodeMetaAndAssetCtxs([meta, [{ ...ctx, funding: 0.1 }]])).toMatchObject({
      ok: false,
      error: { field: "[1][0].funding" },
    });
  });

  it("spotMetaAndAssetCtxs", () => {
    const spotMeta = readJson(new URL("spotMeta.json", UNIVERSE));
    const spotCtx = {
      coin: "@107",
      dayNtlVlm: "1.0",
      markPx: "40.1",
      midPx: "40.1",
      prevDayPx: "39.0",
      circulatingSupply: "1.0",
      totalSupply: "1.0",
      dayBaseVlm: "1.0",
    };
    expect(decodeSpotMetaAndAssetCtxs([spotMeta, [spotCtx]])).toMatchObject({ ok: true });
  });
});

describe("REST l2Book shares the WS book shape", () => {
  it("decodes the recorded DYDX snapshot (20 levels a side)", () => {
    const [, body] = cassetteBodies("test_get_l2_snapshot.yaml");
    const result = decodeWith(l2BookSchema, "l2Book", body);
    if (!result.ok) throw result.error;
    const book: L2Book = result.value;
    expect(book.coin).toBe("DYDX");
    expect(book.levels[0]).toHaveLength(20);
    expect(book.levels[1]).toHaveLength(20);
  });
});

describe("types", () => {
  it("maps each request type to its response", () => {
    expectTypeOf<InfoResponse<"meta">>().toEqualTypeOf<Meta>();
    expectTypeOf<InfoResponse<"spotMeta">>().toEqualTypeOf<SpotMeta>();
    expectTypeOf<InfoResponse<"l2Book">>().toEqualTypeOf<L2Book | null>();
    expectTypeOf<InfoResponse<"userAbstraction">>().toEqualTypeOf<UserAbstraction>();
    expectTypeOf<InfoRequestOf<"orderStatus">["oid"]>().toExtend<number | string>();
  });
});
