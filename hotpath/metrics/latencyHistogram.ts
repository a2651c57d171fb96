/**
 * A latency distribution in whole microseconds on HdrHistogram (`hdr-histogram-js`): constant-time
 * recording into a preallocated bucket array (no allocation per value), 3 significant digits, and exact
 * percentiles on read. Recording a value above the configured ceiling clamps to it rather than resizing
 * (a resize would allocate on the frame path).
 */

// The 32-bit-count JS histogram class itself, not the package index: the index also loads the WebAssembly
// build (a base64 module) and the log codecs, ≈16 MB of RSS measured against ≈4 MB for this class alone.
import int32HistogramExports from "hdr-histogram-js/dist/Int32Histogram.js";

type Int32HistogramClass = typeof int32HistogramExports.default;
/** Node hands a CommonJS module's `exports` to a default import, Vitest's loader its `default`: take either. */
const loadedExport: unknown = int32HistogramExports;
const Int32Histogram: Int32HistogramClass =
  typeof loadedExport === "function" ? (loadedExport as Int32HistogramClass) : int32HistogramExports.default;

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

export class LatencyHistogram {
  private readonly histogram: InstanceType<Int32HistogramClass>;
  /** Sum of recorded values (µs), for Prometheus' `_sum`. */
  sumUs = 0;

  constructor(private readonly ceilingUs = 60_000_000) {
    // Not auto-resizing: recording never allocates.
    this.histogram = new Int32Histogram(1, ceilingUs, 3);
  }

  /** Records one value in µs (fractions are rounded; negatives count as 0). */
  record(us: number): void {
    const value = us <= 0 ? 0 : us >= this.ceilingUs ? this.ceilingUs : Math.round(us);
    this.histogram.recordValue(value);
    this.sumUs += value;
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  percentile(p: number): number {
    return this.histogram.getValueAtPercentile(p);
  }

  summary(): LatencySummary {
    const h = this.histogram;
    return {
      count: h.totalCount,
      p50: h.getValueAtPercentile(50),
      p90: h.getValueAtPercentile(90),
      p99: h.getValueAtPercentile(99),
      p999: h.getValueAtPercentile(99.9),
      max: h.maxValue,
      mean: h.totalCount === 0 ? 0 : h.mean,
    };
  }

  reset(): void {
    this.histogram.reset();
    this.sumUs = 0;
  }
}
