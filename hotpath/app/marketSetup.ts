/**
 * Start-up reads over HTTP: the markets (resolved by name from `meta` + `spotMeta`) and each market's
 * edge parameters (fees from `userFees` when an account is configured, else the config's fallback; funding
 * and oracle price from `metaAndAssetCtxs`; the risk cap from the configured limits). Off the hot path,
 * once.
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

async function loadFees(http: ExchangeHttpClient, config: Config, logger: Logger): Promise<FeeRates | null> {
  if (config.accountAddress === null) return null;
  try {
    return feeRatesFromUserFees(await http.info({ type: "userFees", user: config.accountAddress }));
  } catch (error) {
    logger.warn({ err: error }, "userFees unavailable: using strategy.feeFallbackBps");
    return null;
  }
}

async function loadAssetCtxs(http: ExchangeHttpClient, logger: Logger): Promise<MetaAndAssetCtxs | null> {
  try {
    const decoded = decodeMetaAndAssetCtxs(await http.info({ type: "metaAndAssetCtxs" }));
    if (!decoded.ok) throw decoded.error;
    return decoded.value;
  } catch (error) {
    logger.warn({ err: error }, "metaAndAssetCtxs unavailable: funding 0, oracle = spot mid");
    return null;
  }
}

/** Edge parameters per market, in the order of `markets`. */
export async function loadEdgeParams(
  http: ExchangeHttpClient,
  config: Config,
  markets: readonly BasisMarket[],
  logger: Logger,
): Promise<EdgeParams[]> {
  const [fees, ctxs] = await Promise.all([loadFees(http, config, logger), loadAssetCtxs(http, logger)]);
  return markets.map((market) => {
    const scales = marketScalesOf(market);
    const ctx = ctxs?.[1][market.perp.assetId];
    return edgeParamsFromConfig(config.strategy, scales, {
      fees,
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
}
