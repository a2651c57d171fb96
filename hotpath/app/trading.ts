/**
 * Start-up wiring of trading, in the order that makes the first order safe:
 * 1. the signing key must be an agent of the account (`agentKeyCheck.ts`; a master key is refused);
 * 2. the write-ahead journal (recovered) and the agent's nonce allocator;
 * 3. start-up reconciliation (`accountReconciliation.ts`): unknown orders probed, fills that came while the
 *    process was down journaled, the account proven to hold what the journal and fills explain — or
 *    `ReconciliationError` and nothing started;
 * 4. the executor, with the reconciled balances, restoring the journal's open intents;
 * 5. the periodic reconciler, which halts new risk on an unexplained difference.
 * `startHotpath` calls this when it is given a signer; without one the process observes (edges recorded as
 * skipped, reason `paused`). On any failure everything opened here is closed again before the error
 * propagates.
 *
 * Trade events go to `tradeEvents` when given (`startHotpath` passes the trade shipper).
 */

import { liquidationDistanceOf } from "../strategy/risk/liquidationDistance.js";
import { join } from "node:path";

import type { Config } from "../config/index.js";
import type { EdgeIdSequence } from "../edge/edgeRecord.js";
import { Executor, type EdgeOutcomeSink } from "../execution/executor.js";
import type { Intent } from "../execution/intent.js";
import { IntentJournal } from "../execution/journal/index.js";
import type { ExchangeHttpClient } from "../exchange/http/httpClient.js";
import { NonceAllocator } from "../exchange/nonce/index.js";
import type { BasisMarket } from "../exchange/registry/index.js";
import { keepPresignaturesReady, type Signer } from "../exchange/signing/index.js";
import type { Network } from "../exchange/wire/actions.js";
import type { Address } from "../exchange/wire/brands.js";
import type { MarketFeed } from "../feed/marketFeed.js";
import type { Logger } from "../observability/logger.js";
import type { TradeEventSink } from "../persistence/tradeEventSink.js";
import type { StrategyConfig } from "../strategy/strategyConfig.js";
import type { StartupReconciliation } from "../execution/reconcile/startupReconciler.js";
import {
  AccountWatch,
  DEFAULT_RECONCILE_INTERVAL_MS,
  reconcileBeforeTrading,
  type ReconciledStart,
} from "./accountReconciliation.js";
import { checkAgentKey } from "./agentKeyCheck.js";

export interface TradingOptions {
  /** The agent (API wallet) key that signs orders; a master key is refused before anything is sent. */
  readonly signer: Signer;
  /** The account the orders are for (the master or a sub-account). */
  readonly account: Address;
  readonly network: Network;
  /** Where the signing key came from, safe to print (`env HLB_AGENT_PRIVATE_KEY`); for refusals. */
  readonly keySource?: string;
  /** Period of the reconciliation while trading; default `DEFAULT_RECONCILE_INTERVAL_MS` (30 s). */
  readonly reconcileIntervalMs?: number;
}

export interface Trading {
  readonly executor: Executor;
  readonly journal: IntentJournal;
  /** What start-up reconciliation found (positions, balances, probes, fills journaled late). */
  readonly startup: StartupReconciliation;
  /** The periodic reconciliation. */
  readonly watch: AccountWatch;
  stop(): Promise<void>;
}

/** The strategy settings the decision code runs with, from the configuration. */
export function strategyConfigOf(config: Config): StrategyConfig {
  const { strategy, risk } = config;
  return {
    openThresholdBps: strategy.openThresholdBps,
    closeThresholdBps: strategy.closeThresholdBps,
    clipSize: strategy.clipSize,
    maxSlippageBps: strategy.maxSlippageBps,
    forcedExitSlippageBps: strategy.forcedExitSlippageBps,
    adverseFundingBpsPerHour: strategy.adverseFundingBpsPerHour,
    expiresAfterMs: strategy.orderExpiresAfterMs,
    maxHoldingMs: strategy.maxHoldingMs,
    minOrderNotionalUsdc: strategy.minOrderNotionalUsdc,
    perpLeverage: strategy.perpLeverage,
    limits: {
      maxClip: risk.maxClip,
      maxPositionNotionalUsdc: risk.maxPositionNotionalUsdc,
      maxOpenIntents: risk.maxOpenIntents,
      ordersPerMinute: risk.ordersPerMinute,
      dailyLossLimitUsdc: risk.dailyLossLimitUsdc,
      minLiquidationDistancePct: risk.minLiquidationDistancePct,
      coolDownAfterTradeMs: risk.coolDownAfterTradeMs,
      coolDownAfterRejectionMs: risk.coolDownAfterRejectionMs,
    },
  };
}

export async function startTrading(args: {
  readonly options: TradingOptions;
  readonly config: Config;
  readonly bootId: string;
  readonly markets: readonly BasisMarket[];
  readonly feeds: readonly MarketFeed[];
  readonly ids: EdgeIdSequence;
  readonly http: ExchangeHttpClient;
  readonly wsUrl: string;
  readonly logger: Logger;
  readonly onEdgeOutcome: EdgeOutcomeSink;
  readonly onIntent?: (intent: Intent) => void;
  /** Where the executor's trade events go (the trade shipper); none: trades live in the journal only. */
  readonly tradeEvents?: TradeEventSink;
}): Promise<Trading> {
  const { options, config, logger } = args;
  const signerAddress = options.signer.address;
  await checkAgentKey({
    http: args.http,
    keyAddress: signerAddress,
    account: options.account,
    keySource: options.keySource ?? "the configured agent key",
  });
  // One journal and one nonce file per agent key: two processes with one key are refused by their locks.
  const journalDir = join(config.persistence.journalDir, signerAddress.toLowerCase());
  const { journal, recovery } = IntentJournal.open({
    dir: journalDir,
    bootId: args.bootId,
    mode: config.execution.journalMode,
    maintenance: { onError: (error) => logger.error({ err: error }, "journal maintenance failed") },
  });
  let nonces: NonceAllocator | undefined;
  try {
    nonces = NonceAllocator.open({
      signer: signerAddress,
      dir: config.persistence.nonceDir,
      backgroundRenewal: { onError: (error) => logger.error({ err: error }, "nonce lease renewal failed") },
    });
    const reconciled = await reconcileBeforeTrading({
      http: args.http,
      account: options.account,
      markets: args.markets,
      journal,
      recovery,
      checkpointDir: journalDir,
      logger: logger.child({ component: "reconcile" }),
    });
    return launch(args, journal, nonces, reconciled);
  } catch (error) {
    nonces?.close();
    journal.close();
    throw error;
  }
}

/** The executor and the periodic reconciler, from a reconciled start. */
function launch(
  args: Parameters<typeof startTrading>[0],
  journal: IntentJournal,
  nonces: NonceAllocator,
  reconciled: ReconciledStart,
): Trading {
  const { options, config, logger } = args;
  const watch = new AccountWatch({
    http: args.http,
    account: options.account,
    markets: args.markets,
    start: reconciled,
    journal,
    // Called on a timer, long after the executor below exists.
    target: {
      halt: (reason) => executor.halt(reason),
      setLiquidationDistance: (coin, pct, perpSize) => executor.setLiquidationDistance(coin, pct, perpSize),
    },
    intervalMs: options.reconcileIntervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS,
    logger: logger.child({ component: "reconcile" }),
  });
  // The order path signs with nonces prepared while idle (`exchange/signing/presignatures.ts`): ≈ 2 µs
  // instead of ≈ 40–60 µs of curve arithmetic between the frame and the socket.
  const presignatures = keepPresignaturesReady(options.signer.enablePresignatures());
  const executor = new Executor({
    markets: args.markets.map((market, index) => ({
      feed: args.feeds[index]!,
      market,
      spotBase: reconciled.spotBase[market.coin] ?? "0",
    })),
    strategy: strategyConfigOf(config),
    journal,
    nonces,
    signer: options.signer,
    network: options.network,
    account: options.account,
    http: args.http,
    channel: {
      url: args.wsUrl,
      postTimeoutMs: config.execution.postTimeoutMs,
      reconnectBackoffMinMs: config.feed.reconnectBackoffMinMs,
      reconnectBackoffMaxMs: config.feed.reconnectBackoffMaxMs,
    },
    balances: reconciled.balances,
    logger: logger.child({ component: "executor" }),
    edgeIds: args.ids,
    onEdgeOutcome: args.onEdgeOutcome,
    onIntent: (intent) => {
      watch.recordIntent(intent);
      args.onIntent?.(intent);
    },
    tuning: { actionsPerIntent: config.execution.actionsPerIntent },
    ...(args.tradeEvents === undefined ? {} : { tradeEvents: args.tradeEvents }),
  });
  // The start-up snapshot's liquidation distances; the periodic polls keep them current.
  for (const market of args.markets) {
    const { pct, perpSize } = liquidationDistanceOf(
      reconciled.reconciliation.snapshot.perp.assetPositions,
      market.perp.coin,
    );
    executor.setLiquidationDistance(market.coin, pct, perpSize);
  }
  executor.start();
  watch.start();
  return {
    executor,
    journal,
    startup: reconciled.reconciliation,
    watch,
    stop: async () => {
      presignatures.stop();
      await watch.stop();
      await executor.stop();
      journal.close();
      nonces.close();
    },
  };
}
