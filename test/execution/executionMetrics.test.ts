import { describe, expect, it } from "vitest";

import { ExecutionLatency } from "../../hotpath/execution/executionLatency.js";
import { renderExecutionMetrics } from "../../hotpath/execution/executionMetrics.js";
import { newExecutorStats } from "../../hotpath/execution/executorOptions.js";
import { TradeLedger } from "../../hotpath/execution/tradeLedger.js";
import { PrometheusWriter } from "../../hotpath/metrics/prometheus.js";

describe("the executor's /metrics section", () => {
  it("renders every latency stage, intents, posts in flight, exposure per coin and PnL", () => {
    const latency = new ExecutionLatency((ms) => ms);
    latency.recordSend("boot:1", {
      bookExchangeTimeMs: 999.9,
      receivedAtMs: 1000,
      sinkAtMs: 1000.004,
      decidedAtMs: 1000.014,
      journaledAtMs: 1000.05,
      signedAtMs: 1000.13,
      writtenAtMs: 1000.17,
    });
    const stats = newExecutorStats();
    stats.rootIntents = 3;
    stats.followUps = 1;
    const out = new PrometheusWriter();
    renderExecutionMetrics(out, {
      latency,
      stats,
      postsInFlight: 2,
      pnl: () => new TradeLedger().snapshot(),
      exposure: () => [{ coin: "HYPE", netBase: -0.5, notionalSeconds: 12.5, px: 25 }],
    });
    const text = out.text();
    expect(text).toMatch(/hlbasis_order_latency_microseconds_count\{stage="tickToWire"\} 1/);
    expect(text).toMatch(/hlbasis_order_latency_microseconds\{stage="tickToWire",quantile="0.5"\} 170/);
    expect(text).toContain('hlbasis_intents_total{kind="root"} 3');
    expect(text).toContain('hlbasis_intents_total{kind="followUp"} 1');
    expect(text).toContain("hlbasis_posts_in_flight 2");
    expect(text).toContain('hlbasis_residual_exposure_base{coin="HYPE"} -0.5');
    expect(text).toContain('hlbasis_residual_exposure_notional_seconds_total{coin="HYPE"} 12.5');
    expect(text).toContain("hlbasis_pnl_net_usdc 0");
  });
});
