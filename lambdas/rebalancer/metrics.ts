/**
 * The rebalancer's CloudWatch metrics, carried by its one log line per tick in Embedded Metric Format
 * (EMF): CloudWatch Logs extracts them from the `_aws` block, no SDK call and no agent needed. Alarms
 * watch `hlbasis` / `RebalancerFailures` (dimension `network`): Sum ≥ 1 over a minute means a tick failed
 * (account unreadable, key refused, transfer rejected or of unknown outcome, database down). Every tick
 * emits all three values, zeros included, so "no data" means "not running", which its own alarm can watch.
 *
 * Metric values are plain numbers: the transferred amount is a graph, not a ledger (the exact string is in
 * the same line and in Postgres).
 */

import type { Network } from "../../hotpath/exchange/wire/actions.js";

export const METRIC_NAMESPACE = "hlbasis";
export const FAILURE_METRIC = "RebalancerFailures";
export const TRANSFER_METRIC = "RebalancerTransfers";
export const TRANSFERRED_USDC_METRIC = "RebalancerTransferredUsdc";

export interface TickMetrics {
  readonly failed: boolean;
  readonly transferred: boolean;
  /** Exact decimal string of the moved amount; "0" when nothing moved. */
  readonly transferredUsdc: string;
}

/** The EMF fields to merge into the tick's log line (top-level keys, as EMF requires). */
export function embeddedMetricFields(
  nowMs: number,
  network: Network,
  metrics: TickMetrics,
): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: nowMs,
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [["network"]],
          Metrics: [
            { Name: FAILURE_METRIC, Unit: "Count" },
            { Name: TRANSFER_METRIC, Unit: "Count" },
            { Name: TRANSFERRED_USDC_METRIC, Unit: "None" },
          ],
        },
      ],
    },
    network,
    [FAILURE_METRIC]: metrics.failed ? 1 : 0,
    [TRANSFER_METRIC]: metrics.transferred ? 1 : 0,
    [TRANSFERRED_USDC_METRIC]: Number(metrics.transferredUsdc),
  };
}
