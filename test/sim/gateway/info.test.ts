/**
 * The gateway's `/info` answers: the universe (served from the fixture, resolvable by our registry), asset
 * contexts (live for HYPE, static elsewhere), books, mids, account queries by master, agent and stranger,
 * and the exchange's HTTP 422 for bodies it cannot deserialize.
 */
import { describe, expect, it } from "vitest";

import {
  HYPE_MAINNET_EXPECTATIONS,
  resolveMarket,
  type Universe,
} from "../../../hotpath/exchange/registry/index.js";
import {
  decodeMeta,
  decodeMetaAndAssetCtxs,
  decodeSpotMeta,
  decodeSpotMetaAndAssetCtxs,
} from "../../../hotpath/exchange/wire/decode-info.js";
import type { MetaAndAssetCtxs, SpotMetaAndAssetCtxs } from "../../../hotpath/exchange/wire/info.js";
import { FIXTURE_RAW_UNIVERSE } from "../core/index.js";
import { DESERIALIZE_FAILURE } from "./index.js";
import { AGENT, MASTER, PERP, SPOT, STRANGER, clientFor, info, newSim, touchOf } from "./testkit.js";

describe("universe", () => {
  it("serves the fixture's meta and spotMeta, which our registry resolves to HYPE 159 / @107 / 10107", () => {
    const sim = newSim();
    const meta = sim.gateway.info({ type: "meta" });
    const spotMeta = sim.gateway.info({ type: "spotMeta" });
    expect(meta).toEqual({ status: 200, body: FIXTURE_RAW_UNIVERSE.meta });
    expect(spotMeta).toEqual({ status: 200, body: FIXTURE_RAW_UNIVERSE.spotMeta });
    const decodedMeta = decodeMeta(meta.body);
    const decodedSpotMeta = decodeSpotMeta(spotMeta.body);
    if (!decodedMeta.ok || !decodedSpotMeta.ok) throw new Error("served metadata does not decode");
    const universe: Universe = { meta: decodedMeta.value, spotMeta: decodedSpotMeta.value };
    const hype = resolveMarket(universe, { coin: "HYPE", expect: HYPE_MAINNET_EXPECTATIONS });
    expect([hype.perp.assetId, hype.spot.wsCoin, hype.spot.assetId]).toEqual([159, "@107", 10_107]);
    expect(hype.spot.base.index).toBe(150);
    expect(info(sim, { type: "meta", dex: "" })).toEqual(FIXTURE_RAW_UNIVERSE.meta);
  });

  it("answers metaAndAssetCtxs with HYPE's live context and plausible static ones elsewhere", () => {
    const sim = newSim();
    const body = info(sim, { type: "metaAndAssetCtxs" });
    expect(decodeMetaAndAssetCtxs(body).ok).toBe(true);
    const [meta, ctxs] = body as MetaAndAssetCtxs;
    expect(meta).toBe(FIXTURE_RAW_UNIVERSE.meta);
    expect(ctxs).toHaveLength(176);
    expect(ctxs[PERP]).toEqual(sim.core.perpAssetCtx("HYPE"));
    expect(ctxs[0]).toMatchObject({
      markPx: "97000",
      midPx: "97000",
      funding: "0.0000125",
      openInterest: "0",
    });
    const loom = meta.universe.findIndex((asset) => asset.name === "LOOM");
    expect(ctxs[loom]).toMatchObject({ midPx: null, impactPxs: null, premium: null });
  });

  it("answers spotMetaAndAssetCtxs with one context per pair, in universe order, @107 live", () => {
    const sim = newSim();
    const body = info(sim, { type: "spotMetaAndAssetCtxs" });
    expect(decodeSpotMetaAndAssetCtxs(body).ok).toBe(true);
    const [spotMeta, ctxs] = body as SpotMetaAndAssetCtxs;
    expect(ctxs.map((ctx) => ctx.coin)).toEqual(spotMeta.universe.map((pair) => pair.name));
    const live = sim.core.spotAssetCtx("@107");
    expect(ctxs.find((ctx) => ctx.coin === "@107")).toMatchObject({
      midPx: live?.midPx,
      markPx: live?.markPx,
    });
  });

  it("lists main-dex perp dexes, the exchange status and the mids of every listed market", () => {
    const sim = newSim();
    expect(info(sim, { type: "perpDexs" })).toEqual([null]);
    expect(info(sim, { type: "exchangeStatus" })).toEqual({
      time: sim.core.exchangeTime(),
      specialStatuses: null,
    });
    const mids = info(sim, { type: "allMids" }) as Record<string, string>;
    expect(mids["HYPE"]).toBe(sim.core.allMids()["HYPE"]);
    expect(mids["@107"]).toBe(sim.core.allMids()["@107"]);
    expect(mids["BTC"]).toBe("97000");
    expect(mids["LOOM"]).toBeUndefined();
  });
});

describe("books", () => {
  it("serves the core's l2Book, null for an unknown coin, an empty book for a listed untraded one", () => {
    const sim = newSim();
    expect(info(sim, { type: "l2Book", coin: "HYPE", nSigFigs: null, mantissa: null })).toEqual(
      sim.core.l2Book("HYPE"),
    );
    expect(info(sim, { type: "l2Book", coin: "@107" })).toEqual(sim.core.l2Book("@107"));
    expect(info(sim, { type: "l2Book", coin: "NOPE" })).toBeNull();
    expect(info(sim, { type: "l2Book", coin: "BTC" })).toEqual({
      coin: "BTC",
      time: sim.core.exchangeTime(),
      levels: [[], []],
    });
  });

  it("refuses aggregation it does not compute with a 501, and impossible values with the exchange's 422", () => {
    const sim = newSim();
    const aggregated = sim.gateway.info({ type: "l2Book", coin: "HYPE", nSigFigs: 5 });
    expect(aggregated.status).toBe(501);
    expect(aggregated.body).toMatch(/not modelled/);
    expect(sim.gateway.info({ type: "l2Book", coin: "HYPE", nSigFigs: 7 })).toEqual({
      status: 422,
      body: DESERIALIZE_FAILURE,
    });
  });
});

describe("account queries", () => {
  it("reports an agent's role and master, and empty state for the agent's own address", () => {
    const sim = newSim();
    sim.admin.fund(MASTER.address, { USDC: "1000" });
    const master = clientFor(sim, MASTER);
    expect(master.approveAgent(AGENT.address).body).toEqual({ status: "ok", response: { type: "default" } });
    const { ask } = touchOf(sim, "@107");
    clientFor(sim, AGENT).placeOne({ asset: SPOT, isBuy: true, px: ask, sz: "1", tif: "Ioc" });

    expect(info(sim, { type: "userRole", user: MASTER.address })).toEqual({ role: "user" });
    expect(info(sim, { type: "userRole", user: AGENT.address })).toEqual({
      role: "agent",
      data: { user: MASTER.address },
    });
    expect(info(sim, { type: "userRole", user: STRANGER.address })).toEqual({ role: "missing" });

    expect(info(sim, { type: "spotClearinghouseState", user: AGENT.address })).toEqual({ balances: [] });
    expect(info(sim, { type: "userFills", user: AGENT.address })).toEqual([]);
    expect(info(sim, { type: "openOrders", user: AGENT.address })).toEqual([]);
    const perp = info(sim, { type: "clearinghouseState", user: AGENT.address }) as {
      assetPositions: unknown[];
    };
    expect(perp.assetPositions).toEqual([]);
    expect(info(sim, { type: "userFills", user: MASTER.address })).toHaveLength(1);
  });

  it("accepts mixed-case addresses and answers the mode, fees, rate limit and named agents", () => {
    const sim = newSim();
    sim.admin.fund(MASTER.address, { USDC: "1000" });
    const upper = `0x${MASTER.address.slice(2).toUpperCase()}`;
    expect(info(sim, { type: "userAbstraction", user: upper })).toBe("disabled");
    expect(sim.admin.setAccountMode(MASTER.address, "unified")).toEqual({ ok: true });
    expect(info(sim, { type: "userAbstraction", user: MASTER.address })).toBe("unifiedAccount");
    sim.admin.setFeeRates(MASTER.address, { perpCross: "0.0004" });
    expect(info(sim, { type: "userFees", user: MASTER.address })).toMatchObject({
      userCrossRate: "0.0004",
      userAddRate: "0.00015",
    });

    const master = clientFor(sim, MASTER);
    master.approveAgent(AGENT.address, `bot valid_until ${sim.core.exchangeTime() + 3_600_000}`);
    expect(info(sim, { type: "extraAgents", user: MASTER.address })).toEqual([
      { address: AGENT.address, name: "bot", validUntil: sim.core.exchangeTime() + 3_600_000 },
    ]);
    expect(info(sim, { type: "userRateLimit", user: MASTER.address })).toEqual({
      cumVlm: "0",
      nRequestsUsed: 1,
      nRequestsCap: 10_000,
      nRequestsSurplus: 0,
    });
    expect(info(sim, { type: "orderStatus", user: MASTER.address, oid: 12345 })).toEqual({
      status: "unknownOid",
    });
    expect(
      info(sim, { type: "orderStatus", user: MASTER.address, oid: "0x000000000000000000000000000000aa" }),
    ).toEqual({ status: "unknownOid" });
  });

  it("answers bodies it cannot deserialize with HTTP 422 and the exchange's text", () => {
    const sim = newSim();
    for (const body of [
      { type: "noSuchType" },
      { type: "clearinghouseState" },
      { type: "clearinghouseState", user: "0x1234" },
      { type: "clearinghouseState", user: MASTER.address, dex: "xyz" },
      { type: "userFillsByTime", user: MASTER.address },
      { type: "orderStatus", user: MASTER.address, oid: "not-a-cloid" },
      { notAType: true },
      "meta",
      null,
      [],
    ]) {
      expect(sim.gateway.info(body), JSON.stringify(body)).toEqual({
        status: 422,
        body: DESERIALIZE_FAILURE,
      });
    }
  });
});
