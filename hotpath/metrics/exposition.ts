/**
 * The hot path's `/metrics` page: the feed counters, breaker state and trips, book ages, the edge's input
 * sources (fees: `userFees` or the fallback; funding per market: live, start-up or unknown, with the rate,
 * oracle and age) and the receive→edge latency summary, rendered as Prometheus text on each scrape.
 */

import { BREAKER_REASONS } from "../feed/breaker.js";
import type { FeedConnectionState } from "../feed/feedClient.js";
import type { FeeSource } from "../feed/feedStatus.js";
import type { FundingSource, MarketFeed } from "../feed/marketFeed.js";
import { renderExecutionMetrics, type ExecutionMetricsSource } from "../execution/executionMetrics.js";
import { renderEdgeSinkMetrics, type EdgeSinkMetricsSource } from "../persistence/edgeSinkMetrics.js";
import type { FeedMetrics, FramesByChannel } from "./feedMetrics.js";
import { PrometheusWriter } from "./prometheus.js";

export interface ExpositionInput {
  readonly metrics: FeedMetrics;
  readonly markets: readonly MarketFeed[];
  readonly connection: FeedConnectionState;
  readonly fees: FeeSource;
  /** Monotonic ms (the books' receive clock). */
  readonly nowMs: number;
  /** The edge sink (persistence of every edge), when this process runs one. */
  readonly edgeSink?: EdgeSinkMetricsSource | undefined;
  /** The executor, when this process trades. */
  readonly execution?: ExecutionMetricsSource | undefined;
}

const LATENCY_QUANTILES = [0.5, 0.9, 0.99, 0.999] as const;
const FEE_SOURCES: readonly FeeSource["source"][] = ["userFees", "fallback"];
const FUNDING_SOURCES: readonly FundingSource[] = ["live", "startup", "unknown"];

export function renderMetrics({
  metrics,
  markets,
  connection,
  fees,
  nowMs,
  edgeSink,
  execution,
}: ExpositionInput): string {
  const out = new PrometheusWriter();
  if (edgeSink !== undefined) renderEdgeSinkMetrics(out, edgeSink);
  if (execution !== undefined) renderExecutionMetrics(out, execution);
  const framesHelp = "WebSocket frames received, by channel";
  for (const channel of Object.keys(metrics.frames) as (keyof FramesByChannel)[]) {
    out.counter("hlbasis_feed_frames_total", framesHelp, metrics.frames[channel], { channel });
  }
  const scannerHelp = "Frames by parser: the allocation-free scanner or the full decoder";
  out.counter("hlbasis_feed_scanner_total", scannerHelp, metrics.scannerHandled, { outcome: "handled" });
  out.counter("hlbasis_feed_scanner_total", scannerHelp, metrics.scannerFallback, { outcome: "fallback" });
  out.counter("hlbasis_feed_parse_errors_total", "Frames rejected as malformed", metrics.parseErrors);
  out.counter(
    "hlbasis_feed_unexpected_coin_total",
    "Book and asset-context frames for coins not subscribed",
    metrics.unexpectedCoin,
  );
  out.counter("hlbasis_feed_stale_frames_total", "Book frames older than the book", metrics.staleFrames);
  out.counter("hlbasis_feed_reconnects_total", "Feed connections after the first", metrics.reconnects);
  out.counter(
    "hlbasis_feed_pong_timeouts_total",
    "Connections dropped for a missing pong",
    metrics.pongTimeouts,
  );
  const edgesHelp = "Edges computed with status ok, by direction";
  out.counter("hlbasis_edges_total", edgesHelp, metrics.edgesPerpRich, { direction: "perpRich" });
  out.counter("hlbasis_edges_total", edgesHelp, metrics.edgesSpotRich, { direction: "spotRich" });
  out.gauge("hlbasis_feed_connected", "1 while the feed socket is open", connection === "open" ? 1 : 0);
  for (const source of FEE_SOURCES) {
    const feeHelp = "1 for the source of the edge's fee rates (userFees, or the configured base schedule)";
    out.gauge("hlbasis_edge_fee_source", feeHelp, fees.source === source ? 1 : 0, { source });
  }

  for (const market of markets) {
    const coin = market.coin;
    const breaker = market.breaker;
    out.gauge("hlbasis_breaker_open", "1 while trading on the market is blocked", breaker.open ? 1 : 0, {
      coin,
    });
    BREAKER_REASONS.forEach((reason, bit) => {
      out.gauge(
        "hlbasis_breaker_reason",
        "1 while this reason blocks the market",
        (breaker.reasons >> bit) & 1,
        { coin, reason },
      );
      out.counter("hlbasis_breaker_trips_total", "Breaker trips, by reason", breaker.trips[bit]!, {
        coin,
        reason,
      });
    });
    for (const source of FUNDING_SOURCES) {
      out.gauge(
        "hlbasis_edge_funding_source",
        "1 for the source of the edge's funding and oracle (unknown: funding taken as 0)",
        market.fundingSource === source ? 1 : 0,
        { coin, source },
      );
    }
    const params = market.edges.params;
    out.gauge(
      "hlbasis_edge_funding_rate_per_hour",
      "Hourly funding rate the edge uses (fraction)",
      params.fundingRatePerHour,
      { coin },
    );
    out.gauge(
      "hlbasis_edge_oracle_px",
      "Oracle price the edge's funding is computed on (NaN: the spot mid stands in)",
      params.oraclePx,
      { coin },
    );
    out.gauge(
      "hlbasis_asset_ctx_age_seconds",
      "Time since the market's last activeAssetCtx (NaN before the first)",
      market.assetCtxAgeMs(nowMs) / 1000,
      { coin },
    );
    for (const [leg, book] of [
      ["perp", market.books.perp],
      ["spot", market.books.spot],
    ] as const) {
      const labels = { coin, leg, wire_coin: book.coin };
      out.gauge(
        "hlbasis_book_age_seconds",
        "Time since the leg's last applied frame (NaN before the first)",
        (nowMs - book.receivedAtMs) / 1000,
        labels,
      );
      out.counter("hlbasis_book_updates_total", "Frames applied to the leg's book", book.sequence, labels);
    }
  }

  const latency = metrics.receiveToEdgeUs;
  out.summary(
    "hlbasis_receive_to_edge_microseconds",
    "Local frame receipt to edge handed to the sink (HdrHistogram, since start)",
    new Map(LATENCY_QUANTILES.map((q) => [q, latency.percentile(q * 100)])),
    latency.count,
    latency.sumUs,
  );
  return out.text();
}
