/**
 * The trade shipper as the hot path process runs it: configured from `persistence` (the trades queue URL
 * `HLB_SQS_TRADE_QUEUE_URL`, the region, the SQS endpoint, a spool of its own under the spool directory),
 * started, its `/metrics` families rendered on demand, and closed on shutdown. `startHotpath` imports this
 * module only when a trades queue is configured: it loads the AWS SDK.
 */

import { join } from "node:path";

import type { Config } from "../config/index.js";
import { PrometheusWriter } from "../metrics/prometheus.js";
import type { Logger } from "../observability/logger.js";
import {
  renderTradeShipperMetrics,
  startTradeShipper,
  type TradeShipper,
  type TradeShipperConfig,
} from "./tradeShipper.js";

/** The trade spool's directory under the process's spool directory (the edge spool keeps its own files). */
export const TRADE_SPOOL_SUBDIR = "trades";

export interface TradeShipping {
  readonly shipper: TradeShipper;
  /** The shipper's `/metrics` families, as Prometheus text. */
  metricsText(): string;
  /** Sends (or spools) every queued event, drains the spool for a while, closes; idempotent. */
  close(): Promise<void>;
}

/** The shipper's configuration from the process's; `overrides` win (tests, local emulators' credentials). */
export function tradeShipperConfigOf(
  persistence: Config["persistence"],
  overrides: Partial<TradeShipperConfig> = {},
): TradeShipperConfig | null {
  const queueUrl = overrides.queueUrl ?? persistence.tradeQueueUrl;
  if (queueUrl === null) return null;
  return {
    region: persistence.awsRegion,
    ...(persistence.sqsEndpoint === null ? {} : { endpoint: persistence.sqsEndpoint }),
    spoolDir: join(persistence.spoolDir, TRADE_SPOOL_SUBDIR),
    ...overrides,
    queueUrl,
  };
}

export async function startTradeShipping(config: TradeShipperConfig, logger: Logger): Promise<TradeShipping> {
  const started = await startTradeShipper(config, { logger: logger.child({ component: "tradeShipper" }) });
  let closing: Promise<void> | undefined;
  return {
    shipper: started.shipper,
    metricsText: () => {
      const out = new PrometheusWriter();
      renderTradeShipperMetrics(out, started.shipper);
      return out.text();
    },
    close: () => (closing ??= started.close()),
  };
}
