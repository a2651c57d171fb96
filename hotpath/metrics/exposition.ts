/**
 * The hot path's `/metrics` page: the feed counters, breaker state and trips, book ages and the
 * receive→edge latency summary, rendered as Prometheus text on each scrape.
 */

import { BREAKER_REASONS } from "../feed/breaker.js";
import type { FeedConnectionState } from "../feed/feedClient.js";
import type { MarketFeed } from "../feed/marketFeed.js";
import type { FeedMetrics, FramesByChannel } from "./feedMetrics.js";
import { PrometheusWriter } from "./prometheus.js";

export interface ExpositionInput {
  readonly metrics: FeedMetrics;
  readonly markets: readonly MarketFeed[];
  readonly connection: FeedConnectionState;
  /** Monotonic ms (the books' receive clock). */
  readonly nowMs: number;
}

const LATENCY_QUANTILES = [0.5, 0.9, 0.99, 0.999] as const;

export function renderMetrics({ metrics, markets, connection, nowMs }: ExpositionInput): string {
  const out = new PrometheusWriter();
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
    "Book frames for coins not subscribed",
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
