/**
 * Start-up reads over HTTP: the markets (resolved by name from `meta` + `spotMeta`) and each market's
 * edge parameters (fees from `userFees` when an account is configured, else the config's fallback — the
 * base schedule; funding and oracle price from `metaAndAssetCtxs`; the risk cap from the configured
 * limits), with where the fees and the funding came from. Off the hot path, once: funding and oracle are
 * then kept live by the feed's `activeAssetCtx` frames.
 */

import { marketScalesOf } from "../book/scales.js";
import type { Config } from "../config/index.js";
import { edgeParamsFromConfig, type EdgeParams } from "../edge/edgeParams.js";
import { feeRatesFromUserFees, type FeeRates } from "../edge/feeRates.js";
import { riskCapFromDecimals } from "../edge/riskCap.js";
import type { ExchangeHttpClient } from "../exchange/http/httpClient.js";
import { resolveMarkets, type BasisMarket } from "../exchange/registry/index.js";
import { decodeMeta, decodeMetaAndAssetCtxs, decodeSpotMeta } from "../exchange/wire/decode-info.js";
import type { MetaAndAssetCtxs } from "../exchange/wire/info.js";
import type { FeeSource } from "../feed/feedStatus.js";
import type { FundingSource } from "../feed/marketFeed.js";
import type { Logger } from "../observability/logger.js";

export async function loadMarkets(
  http: ExchangeHttpClient,
  coins: readonly string[],
): Promise<BasisMarket[]> {
  const [meta, spotMeta] = await Promise.all([
    http.info({ type: "meta" }).then(decodeMeta),
    http.info({ type: "spotMeta" }).then(decodeSpotMeta),
  ]);
  if (!meta.ok) throw meta.error;
  if (!spotMeta.ok) throw spotMeta.error;
  return resolveMarkets(
    { meta: meta.value, spotMeta: spotMeta.value },
    coins.map((coin) => ({ coin })),
  );
}

interface LoadedFees {
  /** null = the config's fallback. */
  readonly rates: FeeRates | null;
  readonly source: FeeSource;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function loadFees(http: ExchangeHttpClient, config: Config, logger: Logger): Promise<LoadedFees> {
  if (config.accountAddress === null) {
    return { rates: null, source: { source: "fallback", reason: "no accountAddress configured" } };
  }
  try {
    const rates = feeRatesFromUserFees(await http.info({ type: "userFees", user: config.accountAddress }));
    return { rates, source: { source: "userFees" } };
  } catch (error) {
    const reason = `userFees unavailable: ${reasonOf(error)}`;
    logger.warn({ err: error }, "userFees unavailable: using strategy.feeFallbackBps");
    return { rates: null, source: { source: "fallback", reason } };
  }
}

async function loadAssetCtxs(http: ExchangeHttpClient, logger: Logger): Promise<MetaAndAssetCtxs | null> {
  try {
    const decoded = decodeMetaAndAssetCtxs(await http.info({ type: "metaAndAssetCtxs" }));
    if (!decoded.ok) throw decoded.error;
    return decoded.value;
  } catch (error) {
    logger.warn(
      { err: error },
      "metaAndAssetCtxs unavailable: funding unknown (taken as 0, not ready) until the first activeAssetCtx",
    );
    return null;
  }
}

export interface EdgeSetup {
  /** Per market, in the order of `markets`. */
  readonly params: EdgeParams[];
  /** Per market: `startup` when `metaAndAssetCtxs` had its context, else `unknown` (funding taken as 0). */
  readonly fundingSources: Exclude<FundingSource, "live">[];
  readonly fees: FeeSource;
}

/** Edge parameters per market, with where their fees and funding came from. */
export async function loadEdgeParams(
  http: ExchangeHttpClient,
  config: Config,
  markets: readonly BasisMarket[],
  logger: Logger,
): Promise<EdgeSetup> {
  const [fees, ctxs] = await Promise.all([loadFees(http, config, logger), loadAssetCtxs(http, logger)]);
  const perpCtxs = markets.map((market) => ctxs?.[1][market.perp.assetId]);
  const params = markets.map((market, index) => {
    const scales = marketScalesOf(market);
    const ctx = perpCtxs[index];
    return edgeParamsFromConfig(config.strategy, scales, {
      fees: fees.rates,
      fundingRatePerHour: ctx === undefined ? 0 : Number(ctx.funding),
      oraclePx: ctx === undefined ? Number.NaN : Number(ctx.oraclePx),
      riskCap: riskCapFromDecimals(
        {
          maxClip: config.risk.maxClip,
          notionalHeadroomUsdc: config.risk.maxPositionNotionalUsdc,
          spotQuoteAvailableUsdc: null,
          spotBaseAvailable: null,
        },
        scales,
      ),
    });
  });
  return {
    params,
    fundingSources: perpCtxs.map((ctx) => (ctx === undefined ? "unknown" : "startup")),
    fees: fees.source,
  };
}
