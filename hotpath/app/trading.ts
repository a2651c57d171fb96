/**
 * Start-up wiring of trading: the write-ahead journal (recovered), the agent's nonce allocator and the
 * executor over the process's markets, from the validated configuration. `startHotpath` calls this when it
 * is given a signer; without one the process observes (edges are recorded as skipped, reason `paused`).
 *
 * What is not wired here yet (issue "Hot path II"): start-up reconciliation (`execution/reconcile/`) before
 * the first order, the periodic reconciler, and the trade shipper (`persistence/tradeShipper.ts`).
 */

import { join } from "node:path";

import type { Config } from "../config/index.js";
import type { EdgeIdSequence } from "../edge/edgeRecord.js";
import { Executor, type EdgeOutcomeSink } from "../execution/executor.js";
import type { StartingBalances } from "../execution/executorOptions.js";
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
import type { StrategyConfig } from "../strategy/strategyConfig.js";

export interface TradingOptions {
  /** The agent (API wallet) key that signs orders; never the master key. */
  readonly signer: Signer;
  /** The account the orders are for (the master or a sub-account). */
  readonly account: Address;
  readonly network: Network;
  /** What the account holds at start (until reconciliation supplies it). */
  readonly balances: StartingBalances;
  /** Base token held per coin at start, base units. */
  readonly spotBase: Readonly<Record<string, string>>;
}

export interface Trading {
  readonly executor: Executor;
  readonly journal: IntentJournal;
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

export function startTrading(args: {
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
}): Trading {
  const { options, config, logger } = args;
  const signerAddress = options.signer.address;
  // One journal and one nonce file per agent key: two processes with one key are refused by their locks.
  const { journal } = IntentJournal.open({
    dir: join(config.persistence.journalDir, signerAddress.toLowerCase()),
    bootId: args.bootId,
    mode: config.execution.journalMode,
    maintenance: { onError: (error) => logger.error({ err: error }, "journal maintenance failed") },
  });
  const nonces = NonceAllocator.open({
    signer: signerAddress,
    dir: config.persistence.nonceDir,
    backgroundRenewal: { onError: (error) => logger.error({ err: error }, "nonce lease renewal failed") },
  });
  // The order path signs with nonces prepared while idle (`exchange/signing/presignatures.ts`): ≈ 2 µs
  // instead of ≈ 40–60 µs of curve arithmetic between the frame and the socket.
  const presignatures = keepPresignaturesReady(options.signer.enablePresignatures());
  const executor = new Executor({
    markets: args.markets.map((market, index) => ({
      feed: args.feeds[index]!,
      market,
      spotBase: options.spotBase[market.coin] ?? "0",
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
    balances: options.balances,
    logger: logger.child({ component: "executor" }),
    edgeIds: args.ids,
    onEdgeOutcome: args.onEdgeOutcome,
    ...(args.onIntent === undefined ? {} : { onIntent: args.onIntent }),
    tuning: { actionsPerIntent: config.execution.actionsPerIntent },
  });
  executor.start();
  return {
    executor,
    journal,
    stop: async () => {
      presignatures.stop();
      await executor.stop();
      journal.close();
      nonces.close();
    },
  };
}
