/**
 * The core's markets come from an exchange universe through the project's registry: HYPE from the
 * fixture with the documented ids, and other coins resolvable the same way and tradable side by side.
 */
import { describe, expect, it } from "vitest";

import { ExchangeCore } from "./exchangeCore.js";
import { FIXTURE_UNIVERSE } from "./fixtureUniverse.js";
import { HYPE_PAIR, HYPE_TOKEN, USDC_TOKEN, coinPairsFromUniverse } from "./markets.js";
import { ALICE, START } from "./testkit.js";

describe("markets from the universe", () => {
  it("resolves HYPE from the fixture to perp 159, spot @107 (10107), token 150, szDecimals 2", () => {
    expect(HYPE_PAIR.perp).toEqual({
      kind: "perp",
      asset: 159,
      coin: "HYPE",
      grid: { market: "perp", szDecimals: 2 },
      maxLeverage: 10,
    });
    expect(HYPE_PAIR.spot).toEqual({
      kind: "spot",
      asset: 10_107,
      coin: "@107",
      grid: { market: "spot", szDecimals: 2 },
      base: { name: "HYPE", index: 150 },
      quote: { name: "USDC", index: 0 },
    });
    expect([HYPE_TOKEN, USDC_TOKEN]).toEqual([HYPE_PAIR.spot.base, HYPE_PAIR.spot.quote]);
  });

  it("trades a second coin resolved the same way (PURR: perp 152, canonical pair PURR/USDC)", () => {
    const [hype, purr] = coinPairsFromUniverse(FIXTURE_UNIVERSE, [{ coin: "HYPE" }, { coin: "PURR" }]);
    expect(purr?.perp.asset).toBe(152);
    expect([purr?.spot.coin, purr?.spot.asset, purr?.spot.grid.szDecimals]).toEqual(["PURR/USDC", 10_000, 0]);
    if (hype === undefined || purr === undefined) throw new Error("unresolved");
    const core = new ExchangeCore({
      seed: 3,
      startTimeMs: START,
      takerFlow: false,
      coins: [{ pair: hype }, { pair: purr, startPx: 0.2 }],
    });
    core.fund(ALICE, { USDC: "100", PURR: "500" });
    const ask = core.l2Book("PURR/USDC")?.levels[1][0]?.px;
    if (ask === undefined) throw new Error("no PURR ask");
    const [status] = core.placeOrders(
      ALICE,
      [{ asset: 10_000, isBuy: true, px: ask, sz: "60", tif: "Ioc" }],
      0,
    );
    expect(status).toMatchObject({ filled: { avgPx: ask } });
    expect(core.perpAssetCtx("PURR")?.oraclePx).toBeDefined();
  });
});
