/**
 * The `hotpath status` line the CloudWatch alarms read (docs/deploy-aws.md): its gauges are JSON numbers
 * with the names the metric filters expect (`infra/hotpathMetrics.ts`), the breaker's open time runs from
 * the moment it opened and resets when it closes, and edges are counted by decision between lines.
 */

import { Writable } from "node:stream";

import { describe, expect, it } from "vitest";

import {
  EdgeDecisionCounter,
  STATUS_LINE_INTERVAL_MS,
  STATUS_LINE_MESSAGE,
  startStatusLine,
  statusLineFields,
} from "../../hotpath/app/statusLine.js";
import { MarketBreaker, type BreakerLeg } from "../../hotpath/feed/breaker.js";
import { SKIP } from "../../hotpath/strategy/decision.js";
import type { TradedOutcome } from "../../hotpath/execution/executorOptions.js";
import { createLogger } from "../../hotpath/observability/logger.js";
import { LATENCY_STAGES } from "../../hotpath/execution/executionLatency.js";
import {
  EDGE_DECISIONS,
  HOTPATH_STATUS_MESSAGE,
  HOTPATH_STATUS_METRICS,
  INTENT_LATENCY_MESSAGE,
  LATENCY_STAGE_FIELDS,
  STATUS_INTERVAL_SECONDS,
} from "../../infra/hotpathMetrics.js";

function leg(receivedAtMs: number): BreakerLeg & { receivedAtMs: number; sequence: number } {
  return { receivedAtMs, exchangeTimeMs: 5_000, crossed: false, sequence: 1 };
}

describe("statusLineFields", () => {
  it("reports the longest open breaker, the residual notional and the edge counts", () => {
    const perp = leg(0);
    const spot = leg(0);
    const breaker = new MarketBreaker(perp, spot, { staleAfterMs: 100, maxLegSkewMs: 500 });
    breaker.connectedAt();
    perp.sequence = spot.sequence = 2;
    breaker.evaluate(50);
    expect(breaker.openSinceMs).toBeNaN(); // closed
    breaker.evaluate(1_000); // stale from here
    const counter = new EdgeDecisionCounter();
    counter.countOutcome({ kind: "traded", verdict: { kind: "open" } } as unknown as TradedOutcome);
    counter.countOutcome(Object.values(SKIP)[0]!);
    counter.countObserved();
    const fields = statusLineFields(
      false,
      [{ breaker }],
      [
        { coin: "HYPE", netBase: -0.5, notionalSeconds: 1, px: 40 },
        { coin: "BTC", netBase: 0.001, notionalSeconds: 1, px: 90_000 },
      ],
      counter.take(),
      3_500,
    );
    expect(fields).toEqual({
      ready: 0,
      breakerOpenMaxMs: 2_500,
      residualExposureUsdc: 110,
      edges: { open: 1, close: 0, unwind: 0, skip: 3 },
    });
    expect(counter.take()).toEqual({ open: 0, close: 0, unwind: 0, skip: 0 });
    perp.receivedAtMs = spot.receivedAtMs = 3_600;
    breaker.evaluate(3_650);
    expect(statusLineFields(true, [{ breaker }], [], counter.take(), 3_700)).toMatchObject({
      ready: 1,
      breakerOpenMaxMs: 0,
      residualExposureUsdc: 0,
    });
  });
});

describe("startStatusLine", () => {
  it("logs one CloudWatch-shaped line per interval with the fields the metric filters read", async () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n"))
          if (line !== "") lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const logger = createLogger({ service: "hotpath", level: "info", destination });
    const fields = {
      ready: 1,
      breakerOpenMaxMs: 0,
      residualExposureUsdc: 1.5,
      edges: { open: 0, close: 0, unwind: 0, skip: 4 },
    } as const;
    const line = startStatusLine({ logger, read: () => fields, intervalMs: 20 });
    while (lines.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    line.stop();
    const first = lines[0]!;
    expect(first["message"]).toBe("hotpath status");
    expect(first["level"]).toBe("INFO");
    expect(first["service"]).toBe("hotpath");
    // The contract infra's metric filters and saved queries are built on.
    expect(HOTPATH_STATUS_MESSAGE).toBe(STATUS_LINE_MESSAGE);
    expect(STATUS_INTERVAL_SECONDS * 1000).toBe(STATUS_LINE_INTERVAL_MS);
    for (const spec of Object.values(HOTPATH_STATUS_METRICS)) expect(typeof first[spec.field]).toBe("number");
    expect(Object.keys(first["edges"] as object).sort()).toEqual([...EDGE_DECISIONS].sort());
    expect(INTENT_LATENCY_MESSAGE).toBe("intent latency");
    expect([...LATENCY_STAGE_FIELDS]).toEqual([...LATENCY_STAGES]);
    expect(first).toMatchObject(fields);
  });
});
