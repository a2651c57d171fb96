/**
 * Wires the hot path I process: markets and edge parameters over HTTP, then books, edge calculators and
 * breakers per market, the frame pipeline, the feed client, the breaker timer, the uWS host and its edge
 * stream. `stop()` undoes all of it (sockets closed, timers cleared) so a process or a test ends cleanly.
 */

import { randomUUID } from "node:crypto";

import { MarketBooks } from "../book/marketBooks.js";
import type { Config, Endpoints } from "../config/index.js";
import { EdgeIdSequence } from "../edge/edgeRecord.js";
import type { BasisMarket } from "../exchange/registry/index.js";
import { ExchangeHttpClient } from "../exchange/http/httpClient.js";
import { FeedClient } from "../feed/feedClient.js";
import { feedStatus, type FeeSource, type FeedStatus } from "../feed/feedStatus.js";
import { FramePipeline, type EdgeSink } from "../feed/framePipeline.js";
import { MarketFeed } from "../feed/marketFeed.js";
import { FULL_MARKET_DEPTH, marketScanDepthOf } from "../feed/scanDepth.js";
import { assetCtxSubscriptions, feedSubscriptions } from "../feed/subscriptions.js";
import { EdgeStream } from "../host/edgeStream.js";
import { startHostServer, type HostServer } from "../host/hostServer.js";
import type { LoadedUws } from "../host/uws.js";
import { renderMetrics } from "../metrics/exposition.js";
import { FeedMetrics } from "../metrics/feedMetrics.js";
import type { Logger } from "../observability/logger.js";
import type { ControlOptions } from "../control/controlRoutes.js";
import type { EdgeOutcomeSink } from "../execution/executor.js";
import type { EdgeSinkHandle, EdgeSinkOptions } from "../persistence/edgeSink.js";
import type { TradeShipperConfig } from "../persistence/tradeShipper.js";
import type { TradeShipping } from "../persistence/tradeShipping.js";
import { loadEdgeParams, loadMarkets } from "./marketSetup.js";
import { startTrading, type Trading, type TradingOptions } from "./trading.js";
import { startPaperTrading, type PaperTrading } from "../paper/paperTrading.js";
import { EdgeDecisionCounter, startStatusLine, statusLineFields } from "./statusLine.js";

/** Sim mode without endpoints: this process does not start a simulator (start one, pass its URLs). */
export class MissingEndpointsError extends Error {
  override readonly name = "MissingEndpointsError";
  constructor(readonly mode: string) {
    super(
      `mode ${mode} has no exchange endpoints: start a simulator (npm run -s sim -- --port 0) and set ` +
        `HLB_INFO_URL, HLB_EXCHANGE_URL and HLB_WS_URL to the URLs it prints`,
    );
  }
}

export interface HotpathOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly uws: LoadedUws;
  /** The exchange HTTP client for the start-up reads; default one on `config.endpoints` (tests inject faults). */
  readonly http?: ExchangeHttpClient;
  /** Breaker timer period; default a quarter of `feed.staleAfterMs`, at most 250 ms. */
  readonly breakerCheckMs?: number;
  /** Extra consumer of every computed edge (the decision loop, tests, the benchmark). Must not await. */
  readonly onEdge?: EdgeSink;
  readonly streamIntervalMs?: number;
  /**
   * Persist every computed edge through the edge sink (ring → SQS, spool when SQS is down). Without a
   * decision loop in this process, every edge is recorded as skipped with reason `paused` (observed, not
   * traded).
   */
  readonly edgeSink?: EdgeSinkOptions;
  /**
   * The control routes (bearer token); without them the host answers 503 on `/control`. The target defaults
   * to this process's executor (when trading).
   */
  readonly control?: Omit<ControlOptions, "target"> & { readonly target?: ControlOptions["target"] };
  /** The process's boot id (edge persistence, journal); default a random UUID. */
  readonly bootId?: string;
  /** Trade: decide on every edge and send orders (agent key, account). Without it the process observes. */
  readonly trading?: TradingOptions;
  /**
   * Overrides of the trade shipper's settings, which come from `config.persistence` (a shipper runs when a
   * trades queue URL is configured or given here): e.g. a local emulator's static credentials.
   */
  readonly tradeShipper?: Partial<TradeShipperConfig>;
}

export interface Hotpath {
  readonly endpoints: Endpoints;
  readonly markets: readonly BasisMarket[];
  readonly feeds: readonly MarketFeed[];
  readonly metrics: FeedMetrics;
  readonly pipeline: FramePipeline;
  readonly client: FeedClient;
  readonly host: HostServer;
  readonly stream: EdgeStream;
  /** Where the edge's fee rates come from (read once at start-up). */
  readonly fees: FeeSource;
  readonly bootId: string;
  /** The edge sink, when `edgeSink` options were given. */
  readonly edgeSink: EdgeSinkHandle | undefined;
  /** The executor and its journal, when `trading` was given. */
  readonly trading: Trading | undefined;
  /** Mode `paper`: the executor trading on the paper venue (no `trading` options needed: no key). */
  readonly paper: PaperTrading | undefined;
  /** The trade shipper (intents, orders, fills, … and control changes → the trades queue), when configured. */
  readonly tradeShipping: TradeShipping | undefined;
  status(): FeedStatus;
  stop(): Promise<void>;
}

export async function startHotpath(options: HotpathOptions): Promise<Hotpath> {
  const { config, logger } = options;
  const endpoints = config.endpoints;
  if (endpoints === null) throw new MissingEndpointsError(config.mode);
  const http =
    options.http ??
    new ExchangeHttpClient({ infoUrl: endpoints.infoUrl, exchangeUrl: endpoints.exchangeUrl });
  const markets = await loadMarkets(http, config.coins);
  const { params, fundingSources, fees } = await loadEdgeParams(http, config, markets, logger);

  const ids = new EdgeIdSequence();
  const bootId = options.bootId ?? randomUUID();
  // Loaded only when used: the AWS SDK is the largest dependency a hot-path process can carry.
  const edgeSink =
    options.edgeSink === undefined
      ? undefined
      : await (
          await import("../persistence/edgeSink.js")
        ).startEdgeSink(options.edgeSink, { ids, logger, bootId });
  const tradeShipping = await startTradeShippingIfConfigured(config, options.tradeShipper, logger).catch(
    async (error: unknown) => {
      await edgeSink?.close();
      throw error;
    },
  );
  const limits = {
    staleAfterMs: config.feed.staleAfterMs,
    maxLegSkewMs: config.feed.maxLegSkewMs,
    maxExchangeAgeMs: config.feed.maxExchangeAgeMs,
  };
  const feeds = markets.map((market, index) => {
    const books = MarketBooks.forMarket(market);
    const scanDepth =
      config.feed.bookScan === "full" ? FULL_MARKET_DEPTH : marketScanDepthOf(config.risk, books.scales);
    return MarketFeed.create(books, params[index]!, ids, limits, fundingSources[index], scanDepth);
  });
  const books = feeds.map((feed) => feed.books);
  const metrics = new FeedMetrics();
  const onEdge = options.onEdge ?? ((): void => {});
  const ring = edgeSink?.ring;
  /** The receive time of the frame being decided on: the executor reports outcomes within `onMarket`. */
  let frameReceivedAtMs = 0;
  // Undoes what started before a later step failed (the process exits with that step's error).
  const abandon = async (): Promise<void> => {
    await tradeShipping?.close();
    await edgeSink?.close();
    http.close();
  };
  // Every edge with what was decided about it: the audit trail the edges table holds.
  const decisions = new EdgeDecisionCounter();
  const onEdgeOutcome: EdgeOutcomeSink = (market, direction, edgeId, outcome) => {
    decisions.countOutcome(outcome);
    if (ring === undefined) return;
    const scratch = market.edges.scratch(direction);
    if (outcome.kind === "traded" && edgeId !== null) {
      ring.pushTraded(market, scratch, edgeId, frameReceivedAtMs, outcome.intentId);
    } else if (outcome.kind === "skip") {
      ring.pushSkipped(market, scratch, frameReceivedAtMs, outcome.persisted);
    }
  };
  const trading =
    options.trading === undefined
      ? undefined
      : await startTrading({
          options: options.trading,
          config,
          bootId,
          markets,
          feeds,
          ids,
          http,
          wsUrl: endpoints.wsUrl,
          logger,
          ...(tradeShipping === undefined ? {} : { tradeEvents: tradeShipping.shipper }),
          onEdgeOutcome,
        }).catch(async (error: unknown) => {
          await abandon();
          throw error;
        });
  let paper: PaperTrading | undefined;
  if (config.mode === "paper" && trading === undefined) {
    try {
      paper = startPaperTrading({
        config,
        bootId,
        markets,
        feeds,
        ids,
        logger,
        onEdgeOutcome,
        ...(tradeShipping === undefined ? {} : { tradeEvents: tradeShipping.shipper }),
      });
    } catch (error) {
      await abandon();
      throw error;
    }
  }
  const executor = trading?.executor ?? paper?.executor;
  const controlTarget = options.control?.target ?? executor;
  const sink: EdgeSink =
    executor !== undefined
      ? (market, receivedAtMs) => {
          onEdge(market, receivedAtMs);
          frameReceivedAtMs = receivedAtMs;
          executor.onMarket(market, receivedAtMs);
        }
      : ring === undefined
        ? (market, receivedAtMs) => {
            onEdge(market, receivedAtMs);
            decisions.countObserved();
          }
        : (market, receivedAtMs) => {
            onEdge(market, receivedAtMs);
            decisions.countObserved();
            ring.pushSkipped(market, market.edges.perpRich, receivedAtMs, "paused");
            ring.pushSkipped(market, market.edges.spotRich, receivedAtMs, "paused");
          };
  const pipeline = new FramePipeline(feeds, metrics, sink, logger);
  const client = new FeedClient({
    url: endpoints.wsUrl,
    subscriptions: [...feedSubscriptions(books), ...assetCtxSubscriptions(books)],
    feed: config.feed,
    pipeline,
    metrics,
    logger,
  });
  const status = (): FeedStatus => {
    pipeline.evaluateBreakers();
    return feedStatus(feeds, client.state, fees, performance.now());
  };
  const host = await startHostServer({
    uws: options.uws,
    bindAddress: config.host.bindAddress,
    port: config.host.port,
    status,
    metricsText: () =>
      renderMetrics({
        metrics,
        markets: feeds,
        connection: client.state,
        fees,
        nowMs: performance.now(),
        edgeSink: edgeSink?.flusher,
        execution: executor,
      }) + (tradeShipping?.metricsText() ?? ""),
    ...(controlTarget === undefined || options.control === undefined
      ? {}
      : { control: { ...shippingControlChanges(options.control, tradeShipping), target: controlTarget } }),
  }).catch(async (error: unknown) => {
    await trading?.stop();
    await paper?.stop();
    await abandon();
    throw error;
  });
  const stream = new EdgeStream({
    markets: feeds,
    status,
    publisher: host,
    ...(options.streamIntervalMs === undefined ? {} : { edgeIntervalMs: options.streamIntervalMs }),
  });
  const checkMs = options.breakerCheckMs ?? Math.min(250, Math.floor(config.feed.staleAfterMs / 4));
  const breakerTimer = setInterval(() => pipeline.evaluateBreakers(), checkMs);
  client.start();
  stream.start();
  const statusLine = startStatusLine({
    logger,
    read: () =>
      statusLineFields(
        status().ready,
        feeds,
        executor?.exposure() ?? [],
        decisions.take(),
        performance.now(),
      ),
  });

  let stopping: Promise<void> | undefined;
  return {
    endpoints,
    markets,
    feeds,
    metrics,
    pipeline,
    client,
    host,
    stream,
    fees,
    bootId,
    edgeSink,
    trading,
    paper,
    tradeShipping,
    status,
    stop: () => {
      stopping ??= (async () => {
        clearInterval(breakerTimer);
        statusLine.stop();
        stream.stop();
        await client.stop();
        await trading?.stop();
        await paper?.stop();
        // After the feed: no edge can be pushed any more, so the sink's close flushes everything.
        await edgeSink?.close();
        await host.close();
        // After the executor and the control API: every trade event is queued; send or spool them all.
        await tradeShipping?.close();
        http.close();
      })();
      return stopping;
    },
  };
}

/** Starts the trade shipper when a trades queue is configured (loading the AWS SDK only then). */
async function startTradeShippingIfConfigured(
  config: Config,
  overrides: Partial<TradeShipperConfig> | undefined,
  logger: Logger,
): Promise<TradeShipping | undefined> {
  if ((overrides?.queueUrl ?? config.persistence.tradeQueueUrl) === null) return undefined;
  const shipping = await import("../persistence/tradeShipping.js");
  const shipperConfig = shipping.tradeShipperConfigOf(config.persistence, overrides);
  return shipperConfig === null ? undefined : shipping.startTradeShipping(shipperConfig, logger);
}

/** The control options with every accepted change also shipped to the trades queue (`control_changes`). */
function shippingControlChanges<T extends { readonly onChange: ControlOptions["onChange"] }>(
  control: T,
  shipping: TradeShipping | undefined,
): T {
  if (shipping === undefined) return control;
  return {
    ...control,
    onChange: (change) => {
      shipping.shipper.ship({ kind: "controlChange", change });
      control.onChange(change);
    },
  };
}
