import { describe, expect, it } from "vitest";

import { LatencyHistogram } from "../../hotpath/metrics/latencyHistogram.js";

describe("LatencyHistogram", () => {
  it("reports exact percentiles, count, max and mean of whole microseconds", () => {
    const histogram = new LatencyHistogram();
    for (let us = 1; us <= 1000; us++) histogram.record(us);
    const summary = histogram.summary();
    expect(summary.count).toBe(1000);
    expect(summary.p50).toBe(500);
    expect(summary.p99).toBe(990);
    expect(summary.max).toBe(1000);
    expect(summary.mean).toBeCloseTo(500.5, 1);
    expect(histogram.sumUs).toBe(500_500);
  });

  it("rounds fractions, counts negatives as 0 and clamps at the ceiling instead of resizing", () => {
    const histogram = new LatencyHistogram(1000);
    histogram.record(2.6);
    histogram.record(-5);
    histogram.record(5_000_000);
    expect(histogram.count).toBe(3);
    expect(histogram.percentile(0)).toBe(0);
    expect(histogram.percentile(50)).toBe(3);
    expect(histogram.summary().max).toBe(1000);
    histogram.reset();
    expect(histogram.count).toBe(0);
    expect(histogram.sumUs).toBe(0);
  });
});
