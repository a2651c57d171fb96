/**
 * The hot-path log lines the alarms and saved queries read, and the CloudWatch metrics derived from them.
 * Pure (no aws-cdk-lib): the observability stack builds metric filters from this table, the tests check
 * it, and docs/deploy-aws.md ("Hot-path metrics the alarms read") documents the same field names.
 *
 * The hot path writes pino JSON lines (`message` is the message key). Two lines carry what the alarms need:
 *
 * - `message: "hotpath status"`, INFO, every `STATUS_INTERVAL_SECONDS` while the process runs, with JSON
 *   NUMBERS (CloudWatch metric filters take a metric value only from a number):
 *   `ready` (1 when `/ready` would answer 200, else 0), `breakerOpenMaxMs` (the longest time any market's
 *   breaker has been open without a break, 0 when all are closed), `residualExposureUsdc` (absolute
 *   unhedged notional over all coins, USDC; the exact decimal may ride along as a string in
 *   `residualExposureUsdcExact`), `edges` (`{open, close, unwind, skip}`: edges decided since the previous
 *   status line, by decision).
 * - `message: "intent latency"`, INFO, once per root intent when its answer and first fill are known (or it
 *   resolved without them): `intentId`, `coin`, `kind` (`open`/`close`/`unwind`), `status`, `latencyUs` with
 *   the stages of `hotpath/execution/executionLatency.ts` (`exchangeToReceive` … `writtenToFill`, µs, null
 *   when not reached).
 */

import { STATUS_LINE_INTERVAL_MS, STATUS_LINE_MESSAGE } from "../hotpath/app/statusLine.js";
import { INTENT_LATENCY_MESSAGE, LATENCY_STAGES } from "../hotpath/execution/executionLatency.js";

// The hot path's own names, so the filters cannot drift from what it writes.
export const HOTPATH_STATUS_MESSAGE = STATUS_LINE_MESSAGE;
export { INTENT_LATENCY_MESSAGE };
export const STATUS_INTERVAL_SECONDS = STATUS_LINE_INTERVAL_MS / 1000;

/** Namespace of every custom metric (the rebalancer's EMF metrics use it too). */
export const METRIC_NAMESPACE = "hlbasis";

export interface HotpathMetricFilterSpec {
  readonly metricName: string;
  /** The JSON field (a number) whose value the metric takes. */
  readonly field: string;
  readonly unit: "Count" | "Milliseconds" | "None";
}

export const HOTPATH_STATUS_METRICS = {
  ready: { metricName: "HotpathReady", field: "ready", unit: "Count" },
  breakerOpen: { metricName: "HotpathBreakerOpenMaxMs", field: "breakerOpenMaxMs", unit: "Milliseconds" },
  residualExposure: {
    metricName: "HotpathResidualExposureUsdc",
    field: "residualExposureUsdc",
    unit: "None",
  },
} as const satisfies Record<string, HotpathMetricFilterSpec>;

export const EDGE_DECISIONS = ["open", "close", "unwind", "skip"] as const;

export const LATENCY_STAGE_FIELDS = LATENCY_STAGES;
