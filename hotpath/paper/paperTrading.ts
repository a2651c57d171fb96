/**
 * Trading in mode `paper`: the executor exactly as in live — decisions, the write-ahead journal, nonces,
 * signing, dispatch, report routing, the ledger, the risk state — with the paper venue where the exchange's
 * order socket would be. No key is configured and none is needed: orders are signed with a throwaway key
 * generated at start, so the signing code and its cost stay those of live, and the key opens nothing
 * anywhere. Nothing is sent to `/exchange`; the only exchange traffic is the public feed and the start-up
 * `/info` reads the process makes in every mode.
 *
 * What live does at start that paper does not: the agent-key check and the account reconciliation (there
 * is no account). Paper state does not survive the process: the account starts from `paper.startingUsdc`
 * (split evenly between the spot balance and perp collateral) and `paper.startingBase` (per traded coin),
 * and the journal and nonce files live in a directory of this run (`<journalDir>/paper/<address>`),
 * removed on a clean stop.
 */

import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";

import { strategyConfigOf } from "../app/trading.js";
import type { Config } from "../config/index.js";
import type { EdgeIdSequence } from "../edge/edgeRecord.js";
import { divide, formatDecimal, parseDecimal } from "../exchange/decimal/decimal.js";
import { NonceAllocator } from "../exchange/nonce/index.js";
import type { BasisMarket } from "../exchange/registry/index.js";
import { createSigner, type Signer } from "../exchange/signing/index.js";
import type { Network } from "../exchange/wire/actions.js";
import type { Address } from "../exchange/wire/brands.js";
import { Executor, type EdgeOutcomeSink } from "../execution/executor.js";
import type { StartingBalances } from "../execution/executorOptions.js";
import type { Intent } from "../execution/intent.js";
import { IntentJournal } from "../execution/journal/index.js";
import type { MarketFeed } from "../feed/marketFeed.js";
import type { Logger } from "../observability/logger.js";
import type { TradeEventSink } from "../persistence/tradeEventSink.js";
import { PaperAccount } from "./paperAccount.js";
import { PaperVenue } from "./paperVenue.js";

export interface PaperTradingArgs {
  readonly config: Config;
  readonly bootId: string;
  readonly markets: readonly BasisMarket[];
  readonly feeds: readonly MarketFeed[];
  readonly ids: EdgeIdSequence;
  readonly logger: Logger;
  readonly onEdgeOutcome: EdgeOutcomeSink;
  readonly onIntent?: (intent: Intent) => void;
  readonly tradeEvents?: TradeEventSink;
  /** Epoch ms for decisions, fills and `expiresAfter`; default `Date.now`. */
  readonly clock?: () => number;
}

export interface PaperTrading {
  readonly executor: Executor;
  readonly journal: IntentJournal;
  /** The venue the executor's orders go to (its fills, counters). */
  readonly venue: PaperVenue;
  /** The simulated account's balances and positions. */
  readonly account: PaperAccount;
  /** The throwaway key's address: the paper account's name in the reports. */
  readonly address: Address;
  stop(): Promise<void>;
}

/** What the paper account starts with, as the executor's starting balances and base holdings. */
export function paperStartingBalances(
  config: Config,
  markets: readonly BasisMarket[],
): { readonly balances: StartingBalances; readonly spotBase: Readonly<Record<string, string>> } {
  const total = parseDecimal(config.paper.startingUsdc);
  // Halving terminates within one more decimal, so the split is exact.
  const half = formatDecimal(divide(total, parseDecimal("2"), total.scale + 1, "down"));
  return {
    balances: { spotUsdc: half, perpWithdrawable: half },
    spotBase: Object.fromEntries(markets.map((market) => [market.coin, config.paper.startingBase])),
  };
}

export function startPaperTrading(args: PaperTradingArgs): PaperTrading {
  const { config, logger, markets } = args;
  const signer: Signer = createSigner(`0x${randomBytes(32).toString("hex")}`);
  const address = signer.address;
  const clock = args.clock ?? Date.now;
  const start = paperStartingBalances(config, markets);
  const account = new PaperAccount({
    spotUsdc: start.balances.spotUsdc,
    perpUsdc: start.balances.perpWithdrawable,
    spotTokens: Object.fromEntries(
      markets.map((market) => [market.spot.base.name, config.paper.startingBase]),
    ),
    perpLeverage: config.strategy.perpLeverage,
  });
  const dir = join(config.persistence.journalDir, "paper", address);
  const { journal } = IntentJournal.open({
    dir: join(dir, "journal"),
    bootId: args.bootId,
    mode: config.execution.journalMode,
    maintenance: { onError: (error) => logger.error({ err: error }, "journal maintenance failed") },
  });
  let nonces: NonceAllocator;
  try {
    nonces = NonceAllocator.open({
      signer: address,
      dir: join(dir, "nonces"),
      nowMs: clock,
      backgroundRenewal: { onError: (error) => logger.error({ err: error }, "nonce lease renewal failed") },
    });
  } catch (error) {
    journal.close();
    throw error;
  }
  let venue: PaperVenue | undefined;
  const network: Network = config.network === "testnet" ? "testnet" : "mainnet";
  const executor = new Executor({
    markets: markets.map((market, index) => ({
      feed: args.feeds[index]!,
      market,
      spotBase: start.spotBase[market.coin] ?? "0",
    })),
    strategy: strategyConfigOf(config),
    journal,
    nonces,
    signer,
    network,
    account: address,
    venue: (handlers) => {
      venue = new PaperVenue(
        {
          markets: markets.map((market, index) => ({ market, feed: args.feeds[index]! })),
          account,
          user: address,
          clock,
          logger: logger.child({ component: "paperVenue" }),
        },
        handlers,
      );
      return venue;
    },
    balances: start.balances,
    logger: logger.child({ component: "executor", mode: "paper" }),
    clock,
    edgeIds: args.ids,
    onEdgeOutcome: args.onEdgeOutcome,
    ...(args.onIntent === undefined ? {} : { onIntent: args.onIntent }),
    ...(args.tradeEvents === undefined ? {} : { tradeEvents: args.tradeEvents }),
    tuning: { actionsPerIntent: config.execution.actionsPerIntent },
  });
  executor.start();
  // Funding settles on the hour (PROTOCOL: hourly funding): pay it on the paper positions at each boundary.
  const funding = everyHourOnTheHour(() => venue!.payFunding(clock()), clock);
  logger.info(
    { address, startingUsdc: config.paper.startingUsdc, startingBase: config.paper.startingBase },
    "paper trading: orders fill against the observed books, nothing is sent to the exchange",
  );
  return {
    executor,
    journal,
    venue: venue!,
    account,
    address,
    stop: async () => {
      funding.stop();
      await executor.stop();
      journal.close();
      nonces.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const HOUR_MS = 3_600_000;

/** Calls `pay` at every whole hour of `clock` (epoch ms) until stopped; the timers keep nothing alive. */
export function everyHourOnTheHour(pay: () => void, clock: () => number): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    timer = setTimeout(
      () => {
        pay();
        schedule();
      },
      HOUR_MS - (clock() % HOUR_MS),
    );
    timer.unref();
  };
  schedule();
  return { stop: () => clearTimeout(timer) };
}
