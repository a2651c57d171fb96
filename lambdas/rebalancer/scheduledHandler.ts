/**
 * The Lambda-facing half of the rebalancer: from a scheduled event to `runRebalancerTick`.
 *
 * The tick is the event's scheduled time, not the moment the invocation runs: a redelivered or retried
 * event (EventBridge and Lambda's async retries reuse the event) then maps to the same tick id and is
 * refused by the tick guard, even if it arrives in a later 30 s slot. Accepted events:
 *
 * - EventBridge / Scheduler: `{"time": "2026-08-20T10:15:00Z", …}`;
 * - a Step Functions state that invokes twice per minute (the 30 s cadence EventBridge cannot give):
 *   `{"time.$": "$$.Execution.StartTime", "offsetSeconds": 0}` then, after a 30 s Wait, the same with
 *   `"offsetSeconds": 30`;
 * - anything else (a manual test invoke): the tick of the current time.
 *
 * A delivery later than `maxDeliveryDelayMs` after its scheduled time is dropped without touching the
 * account: a newer tick has decided (or will decide) on fresher balances.
 */

import type { Context } from "aws-lambda";

import type { Network } from "../../hotpath/exchange/wire/actions.js";
import type { Logger } from "../../hotpath/observability/logger.js";
import { embeddedMetricFields } from "./metrics.js";
import { runRebalancerTick, type RebalancerDeps, type TickOutcome } from "./rebalancerTick.js";
import { tickIdOf } from "./tickStore.js";

export interface ScheduledTickEvent {
  readonly time?: unknown;
  readonly offsetSeconds?: unknown;
}

/** What the invocation returns (JSON): enough for a Step Functions execution history to be readable. */
export interface RebalancerInvocationResult {
  readonly tickId: string;
  readonly outcome: TickOutcome | "stale";
  readonly action: "none" | "transfer" | null;
  readonly amountUsdc: string | null;
  readonly toPerp: boolean | null;
  readonly reason: string | null;
  readonly error: string | null;
}

/** The scheduled moment of `event`, or `nowMs` when it names none. */
export function scheduledTimeMs(event: ScheduledTickEvent | null | undefined, nowMs: number): number {
  const time = typeof event?.time === "string" ? Date.parse(event.time) : Number.NaN;
  if (!Number.isFinite(time)) return nowMs;
  const offset = event?.offsetSeconds;
  const offsetMs =
    typeof offset === "number" && Number.isInteger(offset) && offset >= 0 && offset < 3600
      ? offset * 1000
      : 0;
  return time + offsetMs;
}

export interface RebalancerHandlerOptions {
  /** Built once per execution environment (the master key is fetched from Secrets Manager once). */
  readonly deps: () => Promise<RebalancerDeps>;
  readonly logger: Logger;
  /** For the metric dimension of a tick that fails before its dependencies exist. */
  readonly network: Network;
  readonly maxDeliveryDelayMs: number;
  /** Wall clock; injectable for tests. */
  readonly now?: () => number;
}

export function createRebalancerHandler(
  options: RebalancerHandlerOptions,
): (event: ScheduledTickEvent, context: Context) => Promise<RebalancerInvocationResult> {
  const now = options.now ?? Date.now;
  return async (event, context) => {
    const wallMs = now();
    const scheduledMs = scheduledTimeMs(event, wallMs);
    if (wallMs - scheduledMs > options.maxDeliveryDelayMs) {
      const tickId = tickIdOf(scheduledMs);
      options.logger.warn(
        { requestId: context.awsRequestId, tickId, outcome: "stale", delayMs: wallMs - scheduledMs },
        "rebalancer tick",
      );
      return {
        tickId,
        outcome: "stale",
        action: null,
        amountUsdc: null,
        toPerp: null,
        reason: null,
        error: null,
      };
    }
    let deps: RebalancerDeps;
    try {
      deps = await options.deps();
    } catch (error) {
      // No key or no client: the tick cannot even be claimed. Counted like any failed tick.
      const tickId = tickIdOf(scheduledMs);
      options.logger.error(
        {
          requestId: context.awsRequestId,
          tickId,
          outcome: "failed",
          err: error,
          ...embeddedMetricFields(wallMs, options.network, {
            failed: true,
            transferred: false,
            transferredUsdc: "0",
          }),
        },
        "rebalancer tick",
      );
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return {
        tickId,
        outcome: "failed",
        action: null,
        amountUsdc: null,
        toPerp: null,
        reason: null,
        error: message,
      };
    }
    const result = await runRebalancerTick(
      { ...deps, logger: deps.logger.child({ requestId: context.awsRequestId }) },
      scheduledMs,
    );
    return {
      tickId: result.tickId,
      outcome: result.outcome,
      action: result.plan?.action ?? null,
      amountUsdc: result.plan?.amountUsdc ?? null,
      toPerp: result.plan?.toPerp ?? null,
      reason: result.plan?.reason ?? null,
      error: result.error === null ? null : `${result.error.name}: ${result.error.message}`,
    };
  };
}
