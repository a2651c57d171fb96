/**
 * What the simulator says about its universe: `meta` / `spotMeta` exactly as the raw universe holds them (by
 * default the fixture with `spotMeta` made dense and index-ordered, as the exchange serves it; see
 * `core/fixtureUniverse.ts`), and the asset contexts of `metaAndAssetCtxs` / `spotMetaAndAssetCtxs` /
 * `allMids` — live from the core for the coins it trades, static and plausible for every other listed coin
 * (a fixed reference price on that market's grid, no volume, no open interest), so that clients which load
 * the whole universe at start-up (CCXT, NK) see a complete, well-formed answer.
 *
 * At construction it checks that the core's markets are the universe's (same asset ids, coins and
 * decimals): a core built from another universe would make every id the gateway serves a lie.
 */
import { parseDecimal } from "../../../hotpath/exchange/decimal/decimal.js";
import { roundPrice, type GridSpec } from "../../../hotpath/exchange/decimal/grid.js";
import { SPOT_ASSET_OFFSET, type Universe } from "../../../hotpath/exchange/registry/index.js";
import { keccak256 } from "../../../hotpath/exchange/signing/index.js";
import type { WireDecimal } from "../../../hotpath/exchange/wire/brands.js";
import type {
  PerpAssetCtx,
  PerpAssetMeta,
  SpotAssetCtx,
  SpotPairMeta,
} from "../../../hotpath/exchange/wire/info.js";
import { decodeUniverse, type ExchangeCore, type RawUniverse } from "../core/index.js";

/** Reference prices for the static contexts of well-known coins; the rest get a name-derived price. */
const REFERENCE_PRICES: Readonly<Record<string, string>> = {
  BTC: "97000",
  UBTC: "97000",
  ETH: "3400",
  UETH: "3400",
  SOL: "190",
  USOL: "190",
  USDT0: "1",
};

/** Hourly funding of a market nobody trades: the interest baseline (PROTOCOL §4.1). */
const BASELINE_FUNDING = "0.0000125" as WireDecimal;
const ZERO = "0" as WireDecimal;
/** Static token supplies; only their presence matters to clients. */
const TOTAL_SUPPLY = "1000000000" as WireDecimal;
const CIRCULATING_SUPPLY = "333333333" as WireDecimal;

export class UniverseMismatchError extends Error {
  override readonly name = "UniverseMismatchError";
}

export class UniverseView {
  readonly universe: Universe;
  private readonly staticPerpCtxs: readonly PerpAssetCtx[];
  private readonly staticSpotCtxs: readonly SpotAssetCtx[];

  constructor(
    private readonly raw: RawUniverse,
    private readonly core: ExchangeCore,
  ) {
    this.universe = decodeUniverse(raw);
    assertCoreMatches(core, this.universe);
    this.staticPerpCtxs = this.universe.meta.universe.map(staticPerpCtx);
    this.staticSpotCtxs = this.universe.spotMeta.universe.map((pair) => this.staticSpotCtx(pair));
  }

  meta(): unknown {
    return this.raw.meta;
  }

  spotMeta(): unknown {
    return this.raw.spotMeta;
  }

  /** `[meta, ctxs]` with `ctxs[i]` belonging to `meta.universe[i]`. */
  metaAndAssetCtxs(): readonly [unknown, readonly PerpAssetCtx[]] {
    const ctxs = this.universe.meta.universe.map(
      (asset, i) => this.core.perpAssetCtx(asset.name) ?? this.staticPerpCtxs[i] ?? staticPerpCtx(asset),
    );
    return [this.raw.meta, ctxs];
  }

  /** `[spotMeta, ctxs]` with `ctxs[i]` belonging to `spotMeta.universe[i]` (each ctx also names its coin). */
  spotMetaAndAssetCtxs(): readonly [unknown, readonly SpotAssetCtx[]] {
    const ctxs = this.universe.spotMeta.universe.map((pair, i) => {
      const live = this.core.spotAssetCtx(pair.name);
      if (live === undefined) return this.staticSpotCtxs[i] ?? this.staticSpotCtx(pair);
      return spotCtx(pair.name, live.markPx, live.midPx, live.prevDayPx, live.dayNtlVlm, live.dayBaseVlm);
    });
    return [this.raw.spotMeta, ctxs];
  }

  /** Mid of every listed market: the core's books where it trades, the static reference elsewhere. */
  allMids(): Record<string, WireDecimal> {
    const live = this.core.allMids();
    const mids: Record<string, WireDecimal> = {};
    this.universe.meta.universe.forEach((asset, i) => {
      const mid = live[asset.name] ?? this.staticPerpCtxs[i]?.midPx;
      if (asset.isDelisted !== true && mid !== undefined && mid !== null)
        mids[asset.name] = mid as WireDecimal;
    });
    this.universe.spotMeta.universe.forEach((pair, i) => {
      const mid = live[pair.name] ?? this.staticSpotCtxs[i]?.midPx;
      if (mid !== undefined && mid !== null) mids[pair.name] = mid as WireDecimal;
    });
    return mids;
  }

  /** The perp listed under `coin`, if any. */
  perpByCoin(coin: string): PerpAssetMeta | undefined {
    return this.universe.meta.universe.find((asset) => asset.name === coin);
  }

  private staticSpotCtx(pair: SpotPairMeta): SpotAssetCtx {
    const base = this.universe.spotMeta.tokens.find((token) => token.index === pair.tokens[0]);
    const px = referencePrice(base?.name ?? pair.name, { market: "spot", szDecimals: base?.szDecimals ?? 0 });
    return spotCtx(pair.name, px, px, px, ZERO, ZERO);
  }
}

function spotCtx(
  coin: string,
  markPx: WireDecimal,
  midPx: WireDecimal | null,
  prevDayPx: WireDecimal,
  dayNtlVlm: WireDecimal,
  dayBaseVlm: WireDecimal,
): SpotAssetCtx {
  // Key order of the docs' example (PROTOCOL §4.2).
  return {
    dayNtlVlm,
    markPx,
    midPx,
    prevDayPx,
    circulatingSupply: CIRCULATING_SUPPLY,
    coin,
    totalSupply: TOTAL_SUPPLY,
    dayBaseVlm,
  };
}

function staticPerpCtx(asset: PerpAssetMeta): PerpAssetCtx {
  const px = referencePrice(asset.name, { market: "perp", szDecimals: asset.szDecimals });
  const delisted = asset.isDelisted === true;
  // Key order of CCXT's recorded example (PROTOCOL §4.1); a delisted market has no book, hence no mid.
  return {
    dayNtlVlm: ZERO,
    funding: delisted ? ZERO : BASELINE_FUNDING,
    impactPxs: delisted ? null : [px, px],
    markPx: px,
    midPx: delisted ? null : px,
    openInterest: ZERO,
    oraclePx: px,
    premium: delisted ? null : ZERO,
    prevDayPx: px,
    dayBaseVlm: ZERO,
  };
}

/** A fixed price for `name` on the market's grid: the reference table, else log-uniform in [0.1, 100). */
function referencePrice(name: string, grid: GridSpec): WireDecimal {
  const known = REFERENCE_PRICES[name];
  const hashed = keccak256(new TextEncoder().encode(name));
  const unit = (((hashed[0] ?? 0) << 8) | (hashed[1] ?? 0)) / 65_536;
  const text = known ?? (10 ** (3 * unit - 1)).toFixed(6);
  // Up, never down: a coarse grid (large szDecimals) must not round a small price to zero.
  return roundPrice(parseDecimal(text), grid, "up");
}

function assertCoreMatches(core: ExchangeCore, universe: Universe): void {
  for (const pair of core.markets.pairs) {
    const perp = universe.meta.universe[pair.perp.asset];
    if (perp?.name !== pair.perp.coin || perp.szDecimals !== pair.perp.grid.szDecimals) {
      throw new UniverseMismatchError(
        `core perp ${pair.perp.coin} (asset ${pair.perp.asset}) is not meta.universe[${pair.perp.asset}] ` +
          `(${perp?.name ?? "absent"}); build the core's markets from the universe the gateway serves`,
      );
    }
    const pairIndex = pair.spot.asset - SPOT_ASSET_OFFSET;
    const spot = universe.spotMeta.universe.find((candidate) => candidate.index === pairIndex);
    if (spot?.name !== pair.spot.coin || spot.tokens[0] !== pair.spot.base.index) {
      throw new UniverseMismatchError(
        `core spot ${pair.spot.coin} (asset ${pair.spot.asset}) is not spotMeta pair ${pairIndex} ` +
          `(${spot?.name ?? "absent"}); build the core's markets from the universe the gateway serves`,
      );
    }
  }
}
