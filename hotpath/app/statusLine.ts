/**
 * The `hotpath status` log line, every 10 s: the few gauges CloudWatch alarms need from the hot path, as
 * JSON numbers a metric filter can read (the contract is in docs/deploy-aws.md, "Hot-path metrics the alarms
 * read", and `infra/hotpathMetrics.ts`): `ready` (0/1, what `/ready` answers), `breakerOpenMaxMs` (the
 * longest any market's breaker has been open without a break; 0 when all are closed), `residualExposureUsdc`
 * (unhedged notional over all coins) and `edges` (edges decided since the previous line, by decision).
 * `/metrics` has all of this and more, but CloudWatch does not scrape Prometheus.
 *
 * Counting edges is one increment per edge outcome (`countOutcome`, called from the executor's outcome
 * sink); everything else is read when the line is written, off the frame path.
 */

import type { EdgeVerdictOutcome } from "../execution/executorOptions.js";
import type { ExposureReading } from "../execution/exposureMeter.js";
import type { MarketFeed } from "../feed/marketFeed.js";
import type { Logger } from "../observability/logger.js";

export const STATUS_LINE_MESSAGE = "hotpath status";
export const STATUS_LINE_INTERVAL_MS = 10_000;

export interface EdgeDecisionCounts {
  open: number;
  close: number;
  unwind: number;
  skip: number;
}

export class EdgeDecisionCounter {
  private counts: EdgeDecisionCounts = { open: 0, close: 0, unwind: 0, skip: 0 };

  countOutcome(outcome: EdgeVerdictOutcome): void {
    if (outcome.kind === "traded") this.counts[outcome.verdict.kind] += 1;
    else this.counts.skip += 1;
  }

  /** A frame nobody decided on (the process observes only): both directions are skips. */
  countObserved(): void {
    this.counts.skip += 2;
  }

  /** The counts since the previous call. */
  take(): EdgeDecisionCounts {
    const counts = this.counts;
    this.counts = { open: 0, close: 0, unwind: 0, skip: 0 };
    return counts;
  }
}

export interface StatusLineFields {
  readonly ready: 0 | 1;
  readonly breakerOpenMaxMs: number;
  readonly residualExposureUsdc: number;
  readonly edges: EdgeDecisionCounts;
}

/** Pure: the line's fields from what the process holds at `nowMs` (monotonic). */
export function statusLineFields(
  ready: boolean,
  markets: readonly Pick<MarketFeed, "breaker">[],
  exposure: readonly ExposureReading[],
  edges: EdgeDecisionCounts,
  nowMs: number,
): StatusLineFields {
  let breakerOpenMaxMs = 0;
  for (const market of markets) {
    const openSince = market.breaker.openSinceMs;
    if (openSince === openSince) breakerOpenMaxMs = Math.max(breakerOpenMaxMs, Math.round(nowMs - openSince));
  }
  let residualExposureUsdc = 0;
  for (const reading of exposure) residualExposureUsdc += Math.abs(reading.netBase) * reading.px;
  return {
    ready: ready ? 1 : 0,
    breakerOpenMaxMs,
    residualExposureUsdc: Math.round(residualExposureUsdc * 100) / 100,
    edges,
  };
}

/** Logs the status line every `intervalMs` until stopped; the timer does not keep the process alive. */
export function startStatusLine(args: {
  readonly logger: Logger;
  readonly read: () => StatusLineFields;
  readonly intervalMs?: number;
}): { stop(): void } {
  const timer = setInterval(() => {
    args.logger.info(args.read(), STATUS_LINE_MESSAGE);
  }, args.intervalMs ?? STATUS_LINE_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
