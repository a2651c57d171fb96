/**
 * The executor's public contract: what it is built from (`ExecutorOptions`: markets, strategy, journal,
 * nonces, signer, balances, the edge-outcome callbacks, and the venue orders go to — the exchange's order
 * socket and HTTP, or another `OrderVenue` such as paper), its tuning with defaults, and the counters it
 * exposes.
 */

import type { EdgeDirection } from "../edge/direction.js";
import type { EdgeIdSequence, EdgeRecord } from "../edge/edgeRecord.js";
import type { ExchangeHttpClient } from "../exchange/http/httpClient.js";
import type { NonceAllocator } from "../exchange/nonce/index.js";
import type { BasisMarket } from "../exchange/registry/market.js";
import type { Signer } from "../exchange/signing/index.js";
import type { Network } from "../exchange/wire/actions.js";
import type { Address } from "../exchange/wire/brands.js";
import type { MarketFeed } from "../feed/marketFeed.js";
import type { Logger } from "../observability/logger.js";
import type { TradeEventSink } from "../persistence/tradeEventSink.js";
import type { Decision, SkipDecision } from "../strategy/decision.js";
import type { StrategyConfig } from "../strategy/strategyConfig.js";
import type { Intent, IntentId } from "./intent.js";
import type { ActionsPerIntent } from "./intentBuilder.js";
import type { IntentJournal } from "./journal/intentJournal.js";
import type { OrderChannelOptions } from "./orderChannel.js";
import type { OrderVenueFactory } from "./orderVenue.js";

/** One traded market: its feed (books, edges, breaker) and its exchange identity (asset ids, tokens). */
export interface ExecutorMarket {
  readonly feed: MarketFeed;
  readonly market: BasisMarket;
  /** Base token the account holds for this market at start, base units (spot-rich entries sell it). */
  readonly spotBase: string;
}

/** A trade verdict that became an intent. */
export interface TradedOutcome {
  readonly kind: "traded";
  readonly intentId: IntentId;
  readonly verdict: Exclude<Decision, SkipDecision>;
}

/** What became of one edge: skipped (the verdict, with its persisted reason) or traded. */
export type EdgeVerdictOutcome = SkipDecision | TradedOutcome;

/**
 * Called for both directions of every frame. `edgeId` is the traded edge's record id, null for a skip
 * (the edge sink gives a skipped edge its id when it stores it); `receivedAtMs` is the frame's arrival
 * (monotonic ms), what the edge sink records the edge at.
 */
export type EdgeOutcomeSink = (
  market: MarketFeed,
  direction: EdgeDirection,
  edgeId: number | null,
  outcome: EdgeVerdictOutcome,
  receivedAtMs: number,
) => void;

/** Called once per traded edge, after both legs were written, with the edge's record and its intent. */
export type TradedEdgeSink = (record: EdgeRecord, intent: Intent) => void;

export interface ExecutorTuning {
  /** One signed action with both legs (default), or one per leg. */
  readonly actionsPerIntent: ActionsPerIntent;
  /** How far the exchange's clock may lag ours: probes wait this long past `expiresAfter`. Default 500 ms. */
  readonly probeSkewMarginMs: number;
  /** Wait before asking again about an unsettled order. Default 1000 ms. */
  readonly probeRetryMs: number;
  readonly probeConcurrency: number;
  /** Follow-ups (hedges and unwinds) per root before the executor gives up and halts. Default 4. */
  readonly maxFollowUps: number;
  /** Wait before the next follow-up of a root after one that did not balance it. Default 250 ms. */
  readonly followUpRetryMs: number;
  /** How long to wait for missing fills before reading them back over HTTP. Default 1500 ms. */
  readonly fillWaitMs: number;
  /** Period of the maintenance timer (probes, follow-up retries, fill read-back). Default 50 ms. */
  readonly maintenanceIntervalMs: number;
}

export const EXECUTOR_DEFAULTS: ExecutorTuning = Object.freeze({
  actionsPerIntent: "one",
  probeSkewMarginMs: 500,
  probeRetryMs: 1_000,
  probeConcurrency: 4,
  maxFollowUps: 4,
  followUpRetryMs: 250,
  fillWaitMs: 1_500,
  maintenanceIntervalMs: 50,
});

export interface StartingBalances {
  /** USDC on the spot account. */
  readonly spotUsdc: string;
  /** USDC the perp account may still commit (`withdrawable`). */
  readonly perpWithdrawable: string;
}

/** Orders go to the exchange (or the simulator): the order socket, HTTP as fallback and for probes. */
export interface ExchangeVenueChoice {
  readonly http: ExchangeHttpClient;
  /** The order socket (its `user` is `account`). */
  readonly channel: Omit<OrderChannelOptions, "user" | "logger">;
}

/** Orders go to another venue (the paper venue): everything else stays as it is. */
export interface CustomVenueChoice {
  readonly venue: OrderVenueFactory;
}

export type ExecutorOptions = ExecutorCoreOptions & (ExchangeVenueChoice | CustomVenueChoice);

export interface ExecutorCoreOptions {
  readonly markets: readonly ExecutorMarket[];
  /** The running strategy settings (runtime changes replace them through `applySettings`). */
  readonly strategy: StrategyConfig;
  /** Open, recovered journal (the executor restores its open intents on `start`). */
  readonly journal: IntentJournal;
  /** The agent's nonce allocator. */
  readonly nonces: NonceAllocator;
  /** The agent key that signs orders. */
  readonly signer: Signer;
  readonly network: Network;
  /** The account orders are placed for (master or sub-account): its streams and `orderStatus` probes. */
  readonly account: Address;
  readonly balances: StartingBalances;
  readonly logger: Logger;
  readonly onEdgeOutcome?: EdgeOutcomeSink;
  readonly onTradedEdge?: TradedEdgeSink;
  /**
   * The process's one edge id sequence (the one the markets' edge calculators and the edge sink share).
   * Given, a traded edge's id is taken before its intent is journaled and its record built after the bytes
   * left; without it, `edges.emit` builds the record first, on the critical path.
   */
  readonly edgeIds?: EdgeIdSequence;
  /**
   * Every intent once journaled and sent — roots and their follow-ups — e.g. for the trade queue. Called
   * after the bytes were written.
   */
  readonly onIntent?: (intent: Intent) => void;
  /**
   * Where trade events go (intents, orders, fills, funding, position snapshots: `tradeEventObserver.ts`),
   * e.g. the trade shipper; none when trades are not persisted.
   */
  readonly tradeEvents?: TradeEventSink;
  /** Period of the position snapshots among the trade events; default 60 000 ms. */
  readonly positionSnapshotIntervalMs?: number;
  /** Epoch ms (`Date.now` by default; the simulator's clock in tests): decisions, `expiresAfter`, probes. */
  readonly clock?: () => number;
  /** Monotonic ms (`performance.now` by default): latency stamps. */
  readonly monotonic?: () => number;
  readonly tuning?: Partial<ExecutorTuning>;
}

/** Counters for the metrics page; mutated in place. */
export interface ExecutorStats {
  rootIntents: number;
  followUps: number;
  /** Trade verdicts not sent (journal refused or failed, signing failed). */
  notSent: number;
  /** Unwind verdicts with one leg empty (the position view had a naked leg): not sent. */
  oneSidedUnwinds: number;
  /** Events the state machine refused: reconciliation failures (each halts new risk). */
  illegalEvents: number;
  /** Fills and updates for orders no open intent has (other clients, or closed positions). */
  foreignReports: number;
  /** Fills that waited for their oid to be learned and never were. */
  unmatchedFills: number;
  unrecognisedUpdates: number;
  fundingPayments: number;
  residualsAccepted: number;
  fillReadBacks: number;
}

export function newExecutorStats(): ExecutorStats {
  return {
    rootIntents: 0,
    followUps: 0,
    notSent: 0,
    oneSidedUnwinds: 0,
    illegalEvents: 0,
    foreignReports: 0,
    unmatchedFills: 0,
    unrecognisedUpdates: 0,
    fundingPayments: 0,
    residualsAccepted: 0,
    fillReadBacks: 0,
  };
}
