/**
 * The executor's part of `/metrics`: order-path latency per stage (HdrHistogram summaries, µs), intents
 * sent, what could not be sent, posts in flight, residual exposure per coin (base units and notional-seconds,
 * the two measures) and the running PnL. PnL is exact in the executor; the gauge is its value as a
 * float, for dashboards only.
 */

import type { PrometheusWriter } from "../metrics/prometheus.js";
import { LATENCY_STAGES, type ExecutionLatency } from "./executionLatency.js";
import type { ExecutorStats } from "./executorOptions.js";
import type { ExposureReading } from "./exposureMeter.js";
import type { PnlSnapshot } from "./tradeLedger.js";

/** What the page reads of an `Executor`. */
export interface ExecutionMetricsSource {
  readonly latency: ExecutionLatency;
  readonly stats: ExecutorStats;
  readonly postsInFlight: number;
  pnl(): PnlSnapshot;
  exposure(): ExposureReading[];
}

const QUANTILES = [0.5, 0.9, 0.99, 0.999] as const;

export function renderExecutionMetrics(out: PrometheusWriter, executor: ExecutionMetricsSource): void {
  for (const stage of LATENCY_STAGES) {
    const histogram = executor.latency.histograms[stage];
    out.summary(
      "hlbasis_order_latency_microseconds",
      "Order path latency per stage, per intent (HdrHistogram, since start)",
      new Map(QUANTILES.map((q) => [q, histogram.percentile(q * 100)])),
      histogram.count,
      histogram.sumUs,
      { stage },
    );
  }
  const stats = executor.stats;
  const intentsHelp =
    "Intents journaled and sent: roots (open, close, unwind) and follow-ups (hedge, unwind)";
  out.counter("hlbasis_intents_total", intentsHelp, stats.rootIntents, { kind: "root" });
  out.counter("hlbasis_intents_total", intentsHelp, stats.followUps, { kind: "followUp" });
  out.counter(
    "hlbasis_intents_not_sent_total",
    "Trade verdicts not sent (journal refused or failed, signing failed)",
    stats.notSent,
  );
  out.counter(
    "hlbasis_execution_illegal_events_total",
    "Exchange reports the state machine refused (each halts new risk)",
    stats.illegalEvents,
  );
  out.gauge("hlbasis_posts_in_flight", "Order posts written and not yet answered", executor.postsInFlight);
  for (const reading of executor.exposure()) {
    const labels = { coin: reading.coin };
    out.gauge("hlbasis_residual_exposure_base", "Net unhedged base units (long +)", reading.netBase, labels);
    out.counter(
      "hlbasis_residual_exposure_notional_seconds_total",
      "Cumulative |net base| × price × seconds",
      reading.notionalSeconds,
      labels,
    );
  }
  const pnl = executor.pnl().total;
  out.gauge(
    "hlbasis_pnl_net_usdc",
    "Realized PnL − USDC fees + funding (display value)",
    Number(pnl.netUsdc),
  );
  out.gauge(
    "hlbasis_funding_usdc",
    "Funding received (+) or paid (−), USDC (display value)",
    Number(pnl.fundingUsdc),
  );
}
