/**
 * The executor: strategy decisions become journaled, signed, two-leg IOC orders on the order socket, and
 * everything the exchange reports back becomes the journal's order events, the positions, the PnL and the
 * risk state the next decision reads.
 *
 * The frame path (`onMarket`, the pipeline's `EdgeSink`): per direction, `decide` on the market's reusable
 * context; a skip is reported and nothing is allocated. A trade verdict → the edge's record → the intent
 * (journal ids and cloids, nonce, `expiresAfter`, IOC, reduce-only on a perp exit) → `appendIntent`
 * (durable per the journal's mode) → one signed `order` action with both legs (or two) → written to the
 * socket, or over HTTP when the socket is down, never both → `sent` journaled. No `await` anywhere
 * between the frame and the bytes.
 *
 * Afterwards, off the frame path:
 * - answers: per-order statuses in leg order → `filled` / `resting` / `rejected`; an answer that never came
 *   (timeout, socket closed, HTTP failure) → `outcomeUnknown` on every leg → no order at all until each is
 *   settled by the exchange's reports or by a probe by cloid after its `expiresAfter` (`orderProber.ts`);
 *   never a resend;
 * - the account streams: fills (deduplicated by trade id by the state machine, then into the trade ledger)
 *   and order updates; funding payments into the ledger;
 * - a root whose legs did not fill alike → a hedge by cumulative filled quantity in the forced-exit band,
 *   then an unwind of what filled (`followUpPlan.ts`);
 * - a root that resolved (hedged, unwound or rejected, every fill in) → the position view from the ledger,
 *   cool-downs, and the position closed in the journal once flat.
 *
 * Any event the state machine refuses is a reconciliation failure: new risk halts (`halt`) and says why. A
 * journal that cannot write stops every order (`killed`): nothing may be sent that is not journaled.
 *
 * It is also the control API's target (`ControlTarget`): pause, resume, kill (optionally flattening), and
 * runtime settings applied all or nothing.
 *
 * Where orders go is the venue's business (`orderVenue.ts`): the exchange's order socket with HTTP as the
 * fallback (sim, live), or the paper venue (`hotpath/paper/`). Everything above is the same in every mode.
 */

import type { MarketScales } from "../book/scales.js";
import {
  ControlRefusedError,
  type ControlState,
  type ControlTarget,
  type RuntimeSettings,
  type RuntimeSettingsPatch,
} from "../control/controlTarget.js";
import { compileRuntimeSettings, runtimeSettingsOf } from "../control/runtimeSettings.js";
import type { EdgeDirection } from "../edge/direction.js";
import { clipQtyOf, type EdgeParams } from "../edge/edgeParams.js";
import { EdgeIdSequence, recordEdge, type EdgeRecord } from "../edge/edgeRecord.js";
import { FEE_RATE_DECIMALS } from "../edge/feeRates.js";
import {
  add,
  type Decimal,
  formatDecimal,
  parseDecimal,
  toScaledBigInt,
} from "../exchange/decimal/decimal.js";
import { fromScaledNumber } from "../exchange/decimal/scaled.js";
import type { NonceAllocator } from "../exchange/nonce/index.js";
import { signL1Action, type Signer } from "../exchange/signing/index.js";
import { cancelByCloidAction, type Network } from "../exchange/wire/actions.js";
import type { Address, Cloid } from "../exchange/wire/brands.js";
import type { OrderStatusResponse, UserFill } from "../exchange/wire/info.js";
import type { WsUserFunding } from "../exchange/wire/ws.js";
import type { MarketFeed } from "../feed/marketFeed.js";
import type { Logger } from "../observability/logger.js";
import { decide } from "../strategy/decide.js";
import { SKIP, type Decision, type SkipDecision } from "../strategy/decision.js";
import { utcDayOf } from "../strategy/risk/dailyLoss.js";
import { newRiskHalt, ORDERS_PER_INTENT, type RiskBlock } from "../strategy/risk/riskChecks.js";
import { AccountRiskState, type AccountRiskView } from "../strategy/risk/riskState.js";
import type { StrategyConfig } from "../strategy/strategyConfig.js";
import { AccountReports } from "./accountReports.js";
import { eventOfFill, eventsOfResponse, oidOfStatus } from "./exchangeReports.js";
import { ExecutionLatency, INTENT_LATENCY_MESSAGE } from "./executionLatency.js";
import {
  AccountBalances,
  applyFillToBalances,
  ExecutionMarket,
  MarketBalances,
  MICRO,
  lotsOf,
  positionOfHoldings,
} from "./executionMarket.js";
import {
  EXECUTOR_DEFAULTS,
  newExecutorStats,
  type EdgeOutcomeSink,
  type ExecutorOptions,
  type ExecutorStats,
  type ExecutorTuning,
  type StartingBalances,
  type TradedEdgeSink,
} from "./executorOptions.js";
import { ExposureMeter, type ExposureReading } from "./exposureMeter.js";
import { planFollowUp } from "./followUpPlan.js";
import type { Intent, IntentId } from "./intent.js";
import { followUpIntent, rootIntent, type RootVerdict } from "./intentBuilder.js";
import {
  fillsComplete,
  filledSize,
  probedEvent,
  type IntentState,
  type OrderEvent,
  type OrderState,
} from "./intentState.js";
import { JournalRecordRefusedError } from "./journal/errors.js";
import type { IntentJournal } from "./journal/intentJournal.js";
import type { OrderChannelHandlers } from "./orderChannel.js";
import { OrderDispatch, type DispatchOutcome, type DispatchTicket } from "./orderDispatch.js";
import { fillsSince, OrderProber } from "./orderProber.js";
import { exchangeVenue, type OrderVenue } from "./orderVenue.js";
import { actionGroups, signLegs, type SignedAction } from "./signedActions.js";
import { TradeEventObserver } from "./tradeEventObserver.js";
import { TradeLedger, type PnlSnapshot } from "./tradeLedger.js";

export {
  EXECUTOR_DEFAULTS,
  type EdgeOutcomeSink,
  type EdgeVerdictOutcome,
  type ExecutorMarket,
  type ExecutorOptions,
  type ExecutorStats,
  type ExecutorTuning,
  type StartingBalances,
  type TradedEdgeSink,
  type TradedOutcome,
} from "./executorOptions.js";

interface IntentPost {
  readonly kind: "intent";
  readonly intentId: IntentId;
  readonly cloids: readonly Cloid[];
}

interface CancelPost {
  readonly kind: "cancel";
  readonly cloids: readonly Cloid[];
}

type PostContext = IntentPost | CancelPost;

/** The executor's own record of a root intent it is responsible for. */
interface RootTrack {
  readonly rootId: IntentId;
  readonly market: ExecutionMarket;
  /** Counted in open intents and holding the market's in-flight flag. */
  resolved: boolean;
  /** Clock ms before which no follow-up is sent. */
  nextFollowUpAtMs: number;
  /** Clock ms since which the root is final but fills are missing; NaN when none are. */
  fillsMissingSinceMs: number;
  readBackInFlight: boolean;
  /** The follow-ups were given up: the operator takes over. */
  stuck: boolean;
}

// ---------------------------------------------------------------------------------------------------------

export class Executor implements ControlTarget {
  readonly latency: ExecutionLatency;
  readonly stats: ExecutorStats = newExecutorStats();
  /** The account-wide risk state `decide` reads. */
  readonly risk: AccountRiskState;
  /** Where orders go: the exchange's order socket (+ HTTP), or the paper venue. */
  readonly venue: OrderVenue;

  private readonly markets: ExecutionMarket[] = [];
  private readonly byFeed = new Map<MarketFeed, ExecutionMarket>();
  private readonly byCoin = new Map<string, ExecutionMarket>();
  private readonly byPerpCoin = new Map<string, ExecutionMarket>();
  private readonly accountBalances: AccountBalances;
  private readonly journal: IntentJournal;
  private readonly nonces: NonceAllocator;
  private readonly signer: Signer;
  private readonly network: Network;
  private readonly account: Address;
  private readonly logger: Logger;
  private readonly clock: () => number;
  private readonly monotonic: () => number;
  private readonly tuning: ExecutorTuning;
  private readonly dispatch: OrderDispatch<PostContext>;
  private readonly prober: OrderProber;
  private readonly ledger = new TradeLedger();
  private readonly exposureMeter = new ExposureMeter();
  private readonly onEdgeOutcome: EdgeOutcomeSink;
  private readonly onTradedEdge: TradedEdgeSink;
  private readonly onIntent: (intent: Intent) => void;
  /** Trade events for persistence; null when none are shipped. */
  private readonly trades: TradeEventObserver | null;
  private readonly edgeIds: EdgeIdSequence | null;
  private readonly roots = new Map<IntentId, RootTrack>();
  private readonly reports: AccountReports;
  /** Intents with an action whose answer (or unknown outcome) has not come yet, with how many. */
  private readonly unanswered = new Map<IntentId, number>();
  private config: StrategyConfig;
  private operatorPause: string | null = null;
  private haltReason: string | null = null;
  private killReason: string | null = null;
  private dailyPnl: Decimal = parseDecimal("0");
  private dailyLossAnnounced = false;
  private timer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(options: ExecutorOptions) {
    this.journal = options.journal;
    this.nonces = options.nonces;
    this.signer = options.signer;
    this.network = options.network;
    this.account = options.account;
    this.logger = options.logger;
    this.clock = options.clock ?? Date.now;
    this.monotonic = options.monotonic ?? (() => performance.now());
    this.tuning = { ...EXECUTOR_DEFAULTS, ...options.tuning };
    this.config = options.strategy;
    this.onEdgeOutcome = options.onEdgeOutcome ?? (() => {});
    this.onTradedEdge = options.onTradedEdge ?? (() => {});
    this.onIntent = options.onIntent ?? (() => {});
    this.trades =
      options.tradeEvents === undefined
        ? null
        : new TradeEventObserver(options.tradeEvents, this.clock, {
            ...(options.positionSnapshotIntervalMs === undefined
              ? {}
              : { snapshotIntervalMs: options.positionSnapshotIntervalMs }),
          });
    this.edgeIds = options.edgeIds ?? null;
    // One line per root intent once its answer and first fill came: off the frame-to-wire path.
    this.latency = new ExecutionLatency(undefined, (line) => this.logger.info(line, INTENT_LATENCY_MESSAGE));
    this.risk = new AccountRiskState(limitsOf(options.strategy).ordersPerMinute);
    this.risk.dailyPnlUtcDay = utcDayOf(this.clock());
    this.accountBalances = new AccountBalances(
      microOf(options.balances.spotUsdc),
      microOf(options.balances.perpWithdrawable),
    );
    const compiled = compileRuntimeSettings(
      options.strategy,
      {},
      options.markets.map((entry) => entry.feed.books.scales),
    );
    options.markets.forEach((entry, index) => {
      const scales = entry.feed.books.scales;
      const balances = new MarketBalances(
        this.accountBalances,
        Number(toScaledBigInt(parseDecimal(entry.spotBase), scales.qtyDecimals)),
      );
      const market = new ExecutionMarket(
        entry.feed,
        entry.market,
        compiled.strategies[index]!,
        this.risk,
        balances,
      );
      this.markets.push(market);
      this.byFeed.set(entry.feed, market);
      this.byCoin.set(market.coin, market);
      this.byPerpCoin.set(entry.market.perp.coin, market);
    });
    const handlers: OrderChannelHandlers = {
      opened: () => {},
      response: (postId, response, receivedAtMs) => this.dispatch.response(postId, response, receivedAtMs),
      timedOut: (postId) => this.dispatch.timedOut(postId),
      lost: (postIds) => this.dispatch.lost(postIds),
      accountMessage: (message, receivedAtMs) => this.reports.onMessage(message, receivedAtMs),
    };
    const venue =
      "venue" in options
        ? options.venue
        : exchangeVenue({
            http: options.http,
            channel: { ...options.channel, user: options.account, logger: options.logger },
          });
    this.venue = venue(handlers);
    this.reports = new AccountReports(
      {
        fill: (cloid, fill, receivedAtMs) => this.onFill(cloid, fill, receivedAtMs),
        update: (cloid, event) => this.applyEvent(cloid, event),
        funding: (funding, timeMs) => this.onFunding(funding, timeMs),
        liquidation: (detail) => this.halt(`liquidation event: ${detail}`),
        isOpen: (cloid) => this.journal.stateOfCloid(cloid) !== undefined,
        now: this.clock,
      },
      this.stats,
      this.logger,
    );
    this.dispatch = new OrderDispatch<PostContext>(
      this.venue,
      this.venue,
      (ticket, outcome) => this.onDispatchOutcome(ticket, outcome),
      this.monotonic,
    );
    this.prober = new OrderProber({
      http: this.venue,
      user: this.account,
      clock: this.clock,
      skewMarginMs: this.tuning.probeSkewMarginMs,
      retryMs: this.tuning.probeRetryMs,
      concurrency: this.tuning.probeConcurrency,
      onAnswer: (cloid, response, atMs) => this.onProbeAnswer(cloid, response, atMs),
      onError: (cloid, error) => this.logger.warn({ err: error, cloid }, "order probe failed; asking again"),
    });
  }

  // -------------------------------------------------------------------------------------------------------
  // Life cycle

  /** Restores the journal's open intents (probing what is unknown), opens the order socket, starts the timer. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const state of this.journal.openIntents()) {
      this.trades?.replay(state);
      this.restore(state);
    }
    this.refreshOutcomeUnknown();
    this.venue.start();
    this.timer = setInterval(() => this.maintain(), this.tuning.maintenanceIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer and closes the order socket (posts in flight become unknown, probed after a restart). */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.venue.stop();
  }

  /** The venue's connection state under its older name (callers wait for `channel.isOpen`). */
  get channel(): Pick<OrderVenue, "isOpen"> {
    return this.venue;
  }

  // -------------------------------------------------------------------------------------------------------
  // The frame path

  /** The frame pipeline's `EdgeSink`: both directions of `feed`'s freshly computed edge. */
  readonly onMarket = (feed: MarketFeed, receivedAtMs: number): void => {
    const market = this.byFeed.get(feed);
    if (market === undefined) return;
    const context = market.context;
    // Times travel in fields, not arguments: a double crossing a call V8 did not inline is boxed (allocated).
    context.nowMs = this.clock();
    context.breakerReasons = feed.breaker.reasons;
    context.params = feed.edges.params;
    market.receivedAtMs = receivedAtMs;
    market.sinkAtMs = this.monotonic();
    this.decideDirection(market, "perpRich");
    this.decideDirection(market, "spotRich");
  };

  private decideDirection(market: ExecutionMarket, direction: EdgeDirection): void {
    const feed = market.feed;
    let verdict: Decision;
    try {
      verdict = decide(feed.edges.scratch(direction), market.context, market.strategy);
    } catch (error) {
      // A limit-price cross-check failure: a bug, never a market condition. Nothing is sent.
      this.halt(`decide failed on ${market.coin} ${direction}: ${describe(error)}`);
      verdict = SKIP.paused;
    }
    if (verdict.kind === "skip") {
      this.onEdgeOutcome(feed, direction, null, verdict, market.receivedAtMs);
      return;
    }
    this.trade(market, direction, verdict);
  }

  /** A trade verdict → journaled intent → both legs on the wire. Synchronous to the write. */
  private trade(
    market: ExecutionMarket,
    direction: EdgeDirection,
    verdict: Exclude<Decision, SkipDecision>,
  ): void {
    const feed = market.feed;
    const decidedAtMs = this.monotonic();
    const receivedAtMs = market.receivedAtMs;
    if (verdict.kind === "unwind" && (verdict.perp === null || verdict.spot === null)) {
      this.stats.oneSidedUnwinds += 1;
      this.onEdgeOutcome(feed, direction, null, SKIP.notComputable, receivedAtMs);
      return;
    }
    const nowMs = market.context.nowMs;
    // With the process's id sequence at hand, only the id is taken now and the record (≈ 3–7 µs of
    // allocation) is built after the bytes left; the scratch does not change in between.
    let record: EdgeRecord | null = this.edgeIds === null ? feed.edges.emit(direction, receivedAtMs) : null;
    const edgeId = record?.id ?? this.edgeIds!.next();
    // The edge caused an open or a convergence close; a forced exit happens whatever the edge.
    const causedByEdge =
      verdict.kind === "open" || (verdict.kind === "close" && verdict.reason === "converged");
    const opensPosition = verdict.kind === "open" && market.positionId === null;
    let intent: Intent;
    try {
      intent = rootIntent({
        ids: this.journal,
        nonces: this.nonces,
        bootId: this.journal.bootId,
        verdict: verdict as RootVerdict,
        market: market.market,
        positionId: opensPosition ? null : market.positionId,
        edgeId: causedByEdge ? edgeId : null,
        createdAtMs: nowMs,
        actionsPerIntent: this.tuning.actionsPerIntent,
      });
      this.journal.appendIntent(intent);
      this.trades?.journaled(intent, verdict.kind === "open" ? verdict.edgeNetBps : null);
    } catch (error) {
      this.stats.notSent += 1;
      this.journalProblem(error, `journaling a ${verdict.kind} on ${market.coin}`);
      const skip = this.killReason !== null ? SKIP.killed : SKIP.paused;
      this.onEdgeOutcome(feed, direction, null, skip, receivedAtMs);
      return;
    }
    const journaledAtMs = this.monotonic();
    const signed = this.signIntent(intent);
    const signedAtMs = this.monotonic();
    const writtenAtMs = signed === null ? Number.NaN : this.send(intent, signed, nowMs);
    const written = !Number.isNaN(writtenAtMs);

    this.stats.rootIntents += 1;
    market.inFlightRoot = intent.intentId;
    market.risk.intentInFlight = true;
    this.risk.openIntents += 1;
    this.risk.orders.record(nowMs, intent.legs.length);
    const track = newTrack(intent.intentId, market);
    this.roots.set(intent.intentId, track);
    if (opensPosition) {
      market.positionId = intent.positionId;
      market.entryNetBps = verdict.kind === "open" ? verdict.edgeNetBps : Number.NaN;
      this.ledger.setDirection(intent.positionId, market.coin, direction);
    }
    if (!written) {
      // Legs that never left are `notSent`: the root may already be over.
      const state = this.journal.state(intent.intentId);
      if (state !== undefined) this.review(state);
    }
    if (written) {
      const books = feed.books;
      this.latency.recordSend(
        intent.intentId,
        {
          bookExchangeTimeMs: Math.max(books.perp.exchangeTimeMs, books.spot.exchangeTimeMs),
          receivedAtMs,
          sinkAtMs: market.sinkAtMs,
          decidedAtMs,
          journaledAtMs,
          signedAtMs,
          writtenAtMs,
        },
        { coin: market.coin, kind: verdict.kind },
      );
    }
    record ??= recordEdge(
      feed.edges.scratch(direction),
      feed.books,
      feed.edges.params,
      new ReservedEdgeId(edgeId),
      receivedAtMs,
    );
    const traded = { kind: "traded", intentId: intent.intentId, verdict } as const;
    this.onEdgeOutcome(feed, direction, edgeId, traded, receivedAtMs);
    this.onTradedEdge(record, intent);
    this.onIntent(intent);
    this.trades?.flush();
  }

  /** Signs every action of `intent`; null (each leg journaled `notSent`, new risk halted) if signing failed. */
  private signIntent(intent: Intent): SignedAction[] | null {
    try {
      return actionGroups(intent).map((legs) => signLegs(intent, legs, this.signer, this.network));
    } catch (error) {
      this.stats.notSent += 1;
      this.halt(`signing intent ${intent.intentId} failed: ${describe(error)}`);
      for (const leg of intent.legs) {
        this.appendEvent(leg.cloid, { type: "notSent", reason: `signing failed: ${describe(error)}` });
      }
      return null;
    }
  }

  /**
   * Writes every action (socket, or HTTP when it is down), then — after the last byte left — journals `sent`
   * for each leg written (`notSent` for an action that could not be). Returns the monotonic time the last
   * action was written, or NaN when some action could not be.
   */
  private send(intent: Intent, actions: readonly SignedAction[], nowMs: number): number {
    const written: boolean[] = [];
    for (const action of actions) {
      const cloids = action.legIndexes.map((index) => intent.legs[index]!.cloid);
      try {
        this.dispatch.send(action, { kind: "intent", intentId: intent.intentId, cloids });
        this.unanswered.set(intent.intentId, (this.unanswered.get(intent.intentId) ?? 0) + 1);
        written.push(true);
      } catch (error) {
        this.halt(`writing intent ${intent.intentId} failed: ${describe(error)}`);
        written.push(false);
      }
    }
    const writtenAtMs = this.monotonic();
    actions.forEach((action, index) => {
      const event: OrderEvent = written[index]
        ? { type: "sent", atMs: nowMs }
        : { type: "notSent", reason: "the write to the order socket failed" };
      for (const legIndex of action.legIndexes) this.appendEvent(intent.legs[legIndex]!.cloid, event);
    });
    this.latency.written(intent.intentId, writtenAtMs);
    return written.every(Boolean) ? writtenAtMs : Number.NaN;
  }

  // -------------------------------------------------------------------------------------------------------
  // Answers and reports

  private onDispatchOutcome(ticket: DispatchTicket<PostContext>, outcome: DispatchOutcome): void {
    const context = ticket.context;
    if (context.kind === "cancel") {
      if (outcome.kind === "answered") {
        this.logger.info({ cloids: context.cloids, response: outcome.response }, "kill: cancel answered");
      } else this.logger.warn({ cloids: context.cloids, detail: outcome.detail }, "kill: cancel unanswered");
      return;
    }
    const atMs = this.clock();
    const events: OrderEvent[] = [];
    if (outcome.kind === "answered") {
      this.latency.answered(context.intentId, outcome.receivedAtMs);
      const response = outcome.response;
      if (response.status === "ok" && response.response.type === "order") {
        const statuses = response.response.data.statuses;
        context.cloids.forEach((cloid, index) => {
          const oid = oidOfStatus(statuses[index]);
          if (oid !== null) this.reports.learnOid(oid, cloid, outcome.receivedAtMs);
        });
      }
      events.push(...eventsOfResponse(response, context.cloids.length, atMs));
    } else {
      this.logger.warn(
        { intentId: context.intentId, route: ticket.route, reason: outcome.reason, detail: outcome.detail },
        "order outcome unknown: probing by cloid, never resending",
      );
      for (let i = 0; i < context.cloids.length; i++) {
        events.push({ type: "outcomeUnknown", reason: outcome.reason, atMs });
      }
    }
    // Every leg of the answer first, then the review: nothing may act on half an answer.
    context.cloids.forEach((cloid, index) => this.appendEvent(cloid, events[index]!));
    const left = (this.unanswered.get(context.intentId) ?? 1) - 1;
    if (left > 0) this.unanswered.set(context.intentId, left);
    else this.unanswered.delete(context.intentId);
    const state = this.journal.state(context.intentId);
    if (state !== undefined) this.review(state);
  }

  /** A fill of one of our open orders: journaled once per trade id, then into the ledger and the balances. */
  private onFill(cloid: Cloid, fill: UserFill, receivedAtMs: number): void {
    const state = this.journal.stateOfCloid(cloid);
    const order = state?.orders.find((candidate) => candidate.cloid === cloid);
    if (state === undefined || order === undefined) return;
    if (order.fills.tids.includes(fill.tid)) {
      // Already applied (userFills and userEvents both tell it; after a restart, the snapshot tells it again).
      this.trades?.fill(state, cloid, fill);
      return;
    }
    const next = this.appendEvent(cloid, eventOfFill(fill));
    if (next === null) return;
    this.trades?.fill(next, cloid, fill);
    const intent = next.intent;
    const effect = this.ledger.applyFill({
      coin: intent.coin,
      market: order.market,
      side: order.side,
      px: fill.px,
      size: fill.sz,
      fee: fill.fee,
      feeToken: fill.feeToken,
      timeMs: fill.time,
      positionId: intent.positionId,
    });
    this.addDailyPnl(effect.dailyNetDelta);
    const market = this.byCoin.get(intent.coin);
    if (market !== undefined) {
      applyFillToBalances(this.accountBalances, market, order, fill);
      this.updateExposure(market);
    }
    this.latency.filled(order.intentId, receivedAtMs);
    this.review(next);
  }

  private onFunding(funding: WsUserFunding, timeMs: number): void {
    const market = this.byPerpCoin.get(funding.coin);
    if (market === undefined) return;
    this.stats.fundingPayments += 1;
    const amount = this.ledger.applyFunding({
      coin: market.coin,
      usdc: funding.usdc,
      timeMs,
      positionId: market.positionId,
    });
    this.addDailyPnl(amount);
    market.position.fundingMicroUsdc += Number(formatDecimal(amount)) * MICRO;
    this.trades?.funding(market.coin, funding, timeMs, market.positionId);
  }

  private onProbeAnswer(cloid: Cloid, response: OrderStatusResponse, atMs: number): void {
    const order = this.journal.stateOfCloid(cloid)?.orders.find((candidate) => candidate.cloid === cloid);
    if (order?.status !== "unknown") return; // settled meanwhile by another report
    if (response.status === "order") this.reports.learnOid(response.order.order.oid, cloid, this.monotonic());
    const state = this.applyEvent(cloid, probedEvent(response, atMs));
    const after = state?.orders.find((candidate) => candidate.cloid === cloid);
    if (after?.status === "unknown") this.prober.retry(cloid);
  }

  // -------------------------------------------------------------------------------------------------------
  // The journal and the intents' progress

  /** Journals one order event; null when the journal refused it (new risk halted) or failed (killed). */
  private appendEvent(cloid: Cloid, event: OrderEvent): IntentState | null {
    try {
      const before = this.trades === null ? undefined : this.journal.stateOfCloid(cloid);
      const after = this.journal.appendOrderEvent(cloid, event);
      if (before !== undefined) this.trades?.changed(before, after);
      return after;
    } catch (error) {
      if (error instanceof JournalRecordRefusedError) this.stats.illegalEvents += 1;
      this.journalProblem(error, `journaling ${event.type} of ${cloid}`);
      return null;
    }
  }

  private applyEvent(cloid: Cloid, event: OrderEvent): IntentState | null {
    const state = this.appendEvent(cloid, event);
    if (state !== null) this.review(state);
    return state;
  }

  /** Moves a root along after any change: probes, follow-ups, resolution. */
  private review(state: IntentState): void {
    this.trackUnknown(state);
    const track = this.roots.get(state.intent.intentId);
    if (track === undefined) return;
    switch (state.status) {
      case "needsHedge":
        if (!state.followUpInFlight) this.followUp(track, state);
        return;
      case "hedged":
      case "unwound":
      case "rejected":
        this.settle(track, state);
        return;
      default:
        return;
    }
  }

  private trackUnknown(state: IntentState): void {
    for (const order of state.orders) {
      if (order.status === "unknown") this.prober.schedule(order.cloid, order.expiresAfter);
      else this.prober.cancel(order.cloid);
    }
    this.refreshOutcomeUnknown();
  }

  /** Re-reads whether any order's outcome is unknown (call after releasing reserved cloids, too). */
  refreshOutcomeUnknown(): void {
    this.risk.outcomeUnknown = this.journal.hasUnknownOutcome();
  }

  /** Some action of the root or its follow-ups has not been answered (nor given up on) yet. */
  private awaitingAnswer(state: IntentState): boolean {
    if (this.unanswered.size === 0) return false;
    if (this.unanswered.has(state.intent.intentId)) return true;
    return state.followUps.some((followUp) => this.unanswered.has(followUp.intentId));
  }

  /** True when every fill is in; otherwise starts the clock for reading them back. */
  private fillsIn(track: RootTrack, state: IntentState): boolean {
    if (fillsComplete(state)) {
      track.fillsMissingSinceMs = Number.NaN;
      return true;
    }
    if (Number.isNaN(track.fillsMissingSinceMs)) track.fillsMissingSinceMs = this.clock();
    return false;
  }

  private followUp(track: RootTrack, state: IntentState): void {
    // The answers too: the reports that ended the orders must not be contradicted after we acted on them.
    if (
      track.stuck ||
      this.risk.outcomeUnknown ||
      this.awaitingAnswer(state) ||
      !this.fillsIn(track, state)
    ) {
      return;
    }
    const now = this.clock();
    if (now < track.nextFollowUpAtMs) return;
    // After a kill only a flatten may send anything.
    if (this.risk.killed && !this.risk.flattenOnKill) return;
    const market = track.market;
    const plan = (() => {
      try {
        return planFollowUp({
          state,
          books: market.feed.books,
          strategy: market.strategy,
          baseToken: market.market.spot.base.name,
          spotTakerFee: fromScaledNumber(market.feed.edges.params.fees.spotTaker, FEE_RATE_DECIMALS),
          flatten: this.risk.killed,
          maxFollowUps: this.tuning.maxFollowUps,
        });
      } catch (error) {
        return { kind: "giveUp" as const, reason: `planning failed: ${describe(error)}` };
      }
    })();
    switch (plan.kind) {
      case "wait":
        track.nextFollowUpAtMs = now + this.tuning.followUpRetryMs;
        return;
      case "giveUp":
        track.stuck = true;
        this.halt(`root ${state.intent.intentId}: ${plan.reason}`);
        return;
      case "accept": {
        this.stats.residualsAccepted += 1;
        let next: IntentState;
        try {
          next = this.journal.acceptResidual(state.intent.intentId, plan.reason);
          this.trades?.changed(state, next);
        } catch (error) {
          this.journalProblem(error, `accepting the residual of ${state.intent.intentId}`);
          return;
        }
        this.logger.info({ intentId: state.intent.intentId, reason: plan.reason }, "residual accepted");
        this.review(next);
        return;
      }
      case "order": {
        // A failed hedge is unwound at once; a failed unwind is tried again after a pause (the book moves).
        track.nextFollowUpAtMs = now + (plan.action === "unwind" ? this.tuning.followUpRetryMs : 0);
        const intent = followUpIntent({
          ids: this.journal,
          nonces: this.nonces,
          bootId: this.journal.bootId,
          root: state.intent,
          action: plan.action,
          legs: plan.legs,
          market: market.market,
          createdAtMs: now,
          expiresAfter: now + market.strategy.expiresAfterMs,
        });
        try {
          this.journal.appendIntent(intent);
          this.trades?.journaled(intent, null);
        } catch (error) {
          this.journalProblem(error, `journaling ${plan.action} of ${state.intent.intentId}`);
          return;
        }
        this.stats.followUps += 1;
        this.risk.orders.record(now, intent.legs.length);
        this.logger.info(
          {
            intentId: intent.intentId,
            root: state.intent.intentId,
            action: plan.action,
            reason: plan.reason,
            legs: plan.legs,
          },
          "follow-up sent",
        );
        const signed = this.signIntent(intent);
        const written = signed !== null && !Number.isNaN(this.send(intent, signed, now));
        this.onIntent(intent);
        if (!written) {
          const after = this.journal.state(state.intent.intentId);
          if (after !== undefined) this.review(after);
        }
        return;
      }
    }
  }

  /** A root that ended (hedged, unwound or rejected): release the market, update the position. */
  private settle(track: RootTrack, state: IntentState): void {
    if (this.awaitingAnswer(state) || !this.fillsIn(track, state)) return;
    const market = track.market;
    const now = this.clock();
    const resolvedNow = !track.resolved;
    if (!track.resolved) {
      track.resolved = true;
      this.latency.forget(track.rootId);
      for (const followUp of state.followUps) this.latency.forget(followUp.intentId);
      if (market.inFlightRoot === track.rootId) {
        market.inFlightRoot = null;
        market.risk.intentInFlight = false;
      }
      this.risk.openIntents = Math.max(0, this.risk.openIntents - 1);
      if (state.orders.some((order) => order.status === "rejected" && order.reason === "exchange")) {
        market.risk.lastRejectionAtMs = now;
      }
      if (state.orders.some((order) => filledSize(order) !== "0")) market.risk.lastTradeAtMs = now;
    }
    this.updatePosition(market);
    if (resolvedNow) this.trades?.snapshot(this.ledger.holdings(market.coin), market.feed.books, now);
    const positionId = state.intent.positionId;
    if (
      market.position.direction === null &&
      market.positionId === positionId &&
      market.inFlightRoot === null
    ) {
      this.closePosition(market, positionId, now);
    }
  }

  private closePosition(market: ExecutionMarket, positionId: string, now: number): void {
    const closing =
      this.trades === null
        ? []
        : this.journal.openIntents().filter((state) => state.intent.positionId === positionId);
    try {
      this.journal.appendPositionClosed(positionId, now);
    } catch (error) {
      this.journalProblem(error, `closing position ${positionId}`);
      return;
    }
    this.trades?.closed(closing, now);
    this.ledger.closePosition(positionId, now);
    market.positionId = null;
    market.entryNetBps = Number.NaN;
    for (const [rootId, track] of this.roots) {
      if (track.market === market && track.resolved) this.roots.delete(rootId);
    }
    this.reports.forgetClosed();
    this.logger.info({ positionId, pnl: this.ledger.positionPnl(positionId) }, "position closed");
  }

  /** The position view from the market's holdings (every root of the market resolved, fills in). */
  private updatePosition(market: ExecutionMarket): void {
    const position = market.position;
    const next = positionOfHoldings(this.ledger.holdings(market.coin), market.scales);
    const wasFlat = position.direction === null;
    // A report was for the position as it was: a new size needs a new report (the next account poll).
    if (next.perpLots !== position.perpLots) market.liquidationKnown = false;
    position.direction = next.direction;
    position.perpLots = next.perpLots;
    position.spotLots = next.spotLots;
    if (next.direction === null) {
      position.openedAtMs = Number.NaN;
      position.entryPerpPx = Number.NaN;
      position.entrySpotPx = Number.NaN;
      position.entryNetBps = Number.NaN;
      position.fundingMicroUsdc = 0;
    } else {
      if (wasFlat) {
        const pnl = market.positionId === null ? undefined : this.ledger.positionPnl(market.positionId);
        position.openedAtMs = pnl?.openedAtMs ?? this.clock();
      }
      position.entryPerpPx = this.ledger.openAveragePx(market.coin, "perp");
      position.entrySpotPx = this.ledger.openAveragePx(market.coin, "spot");
      position.entryNetBps = market.entryNetBps;
    }
    // Unknown while a perp is held, until the account poll reports it: blocks new risk, unwinds nothing.
    market.risk.liquidationDistancePct =
      next.perpLots === 0
        ? Number.POSITIVE_INFINITY
        : market.liquidationKnown
          ? market.risk.liquidationDistancePct
          : Number.NaN;
    this.updateExposure(market);
  }

  private updateExposure(market: ExecutionMarket): void {
    const holdings = this.ledger.holdings(market.coin);
    const net = add(parseDecimal(holdings.perpQty), parseDecimal(holdings.spotNetQty));
    this.exposureMeter.update(market.coin, Number(formatDecimal(net)), market.perpMid(), this.clock());
  }

  private addDailyPnl(delta: Decimal): void {
    const today = utcDayOf(this.clock());
    if (today !== this.risk.dailyPnlUtcDay) {
      this.dailyPnl = parseDecimal("0");
      this.risk.dailyPnlUtcDay = today;
    }
    this.dailyPnl = add(this.dailyPnl, delta);
    this.risk.dailyPnlMicroUsdc = Number(formatDecimal(this.dailyPnl)) * MICRO;
    // Said once per crossing: every edge after it is skipped `dailyLossLimit`, which is no place to learn why.
    const reached = this.newRiskHalt() === "dailyLossLimit";
    if (reached && !this.dailyLossAnnounced) {
      this.logger.error(
        { dailyPnlUsdc: formatDecimal(this.dailyPnl), limitUsdc: this.config.limits.dailyLossLimitUsdc },
        "daily loss limit reached: no new risk until 00:00 UTC (closes and unwinds continue)",
      );
    }
    this.dailyLossAnnounced = reached;
  }

  /**
   * The account-wide reason no new risk is taken now — `outcomeUnknown`, `killed`, `paused` or
   * `dailyLossLimit` (the day's PnL, fees and funding included, past the limit) — or null.
   */
  newRiskHalt(): RiskBlock | null {
    const market = this.markets[0];
    if (market === undefined) return null;
    // The daily loss limit is account-wide: every market's compiled limits carry the same one.
    return newRiskHalt(this.risk, market.strategy.limits, { nowMs: this.clock() });
  }

  // -------------------------------------------------------------------------------------------------------
  // Maintenance (timer, off the frame path)

  private maintain(): void {
    try {
      this.prober.tick();
      const now = this.clock();
      for (const track of this.roots.values()) {
        if (track.resolved && !this.needsReview(track)) continue;
        const state = this.journal.state(track.rootId);
        if (state === undefined) continue;
        if (
          !Number.isNaN(track.fillsMissingSinceMs) &&
          now - track.fillsMissingSinceMs >= this.tuning.fillWaitMs &&
          !track.readBackInFlight
        ) {
          this.readBackFills(track, state);
        }
        this.review(state);
      }
      this.reports.maintain(now);
      if (this.trades?.snapshotDue(now) === true) {
        for (const market of this.markets) {
          this.trades.snapshot(this.ledger.holdings(market.coin), market.feed.books, now);
        }
      }
      if (utcDayOf(now) !== this.risk.dailyPnlUtcDay) this.addDailyPnl(parseDecimal("0"));
    } catch (error) {
      this.logger.error({ err: error }, "executor maintenance failed");
    }
  }

  private needsReview(track: RootTrack): boolean {
    return !Number.isNaN(track.fillsMissingSinceMs);
  }

  private readBackFills(track: RootTrack, state: IntentState): void {
    track.readBackInFlight = true;
    this.stats.fillReadBacks += 1;
    const since = Math.min(state.intent.createdAtMs, ...state.followUps.map((f) => f.createdAtMs)) - 60_000;
    fillsSince(this.venue, this.account, since).then(
      (fills) => {
        track.readBackInFlight = false;
        track.fillsMissingSinceMs = this.clock();
        // Read back like a stream's snapshot: what belongs to an open order counts, the rest is history.
        this.reports.onMessage(
          { channel: "userFills", data: { isSnapshot: true, user: this.account, fills } },
          this.monotonic(),
        );
      },
      (error: unknown) => {
        track.readBackInFlight = false;
        track.fillsMissingSinceMs = this.clock();
        this.logger.warn({ err: error, intentId: track.rootId }, "reading fills back failed; trying again");
      },
    );
  }

  /** An intent the journal still holds open from an earlier run: its fills, its market, its probes. */
  private restore(state: IntentState): void {
    const intent = state.intent;
    const market = this.byCoin.get(intent.coin);
    if (market === undefined) {
      this.halt(`the journal holds open intent ${intent.intentId} on ${intent.coin}, which is not traded`);
      return;
    }
    for (const order of state.orders) {
      if (order.oid !== null) this.reports.learnOid(order.oid, order.cloid, this.monotonic());
      this.restoreFills(intent, order);
    }
    market.positionId = intent.positionId;
    this.ledger.setDirection(intent.positionId, intent.coin, intent.direction);
    const track = newTrack(intent.intentId, market);
    this.roots.set(intent.intentId, track);
    const unresolved = !["hedged", "unwound", "rejected"].includes(state.status);
    if (unresolved) {
      market.inFlightRoot = intent.intentId;
      market.risk.intentInFlight = true;
      this.risk.openIntents += 1;
    } else {
      track.resolved = true;
    }
    this.review(state);
  }

  /** An order's journaled fills into the ledger: one lot at their average price, fees per token. */
  private restoreFills(intent: Intent, order: OrderState): void {
    const executed = parseDecimal(order.fills.executedSize);
    if (formatDecimal(executed) === "0") return;
    this.ledger.applyAggregate({
      coin: intent.coin,
      market: order.market,
      side: order.side,
      size: order.fills.executedSize,
      notional: order.fills.executedNotional,
      fees: order.fills.fees,
      timeMs: order.fills.lastFillTimeMs ?? intent.createdAtMs,
      positionId: intent.positionId,
    });
  }

  // -------------------------------------------------------------------------------------------------------
  // Halts

  /** Stops new risk (closes and unwinds continue) and says why; `resume` clears it. */
  halt(reason: string): void {
    if (this.haltReason === reason) return;
    this.haltReason = reason;
    this.risk.paused = true;
    this.logger.error({ reason }, "new risk halted");
  }

  private journalProblem(error: unknown, doing: string): void {
    if (error instanceof JournalRecordRefusedError) {
      this.halt(`reconciliation: the journal refused ${doing}: ${error.message}`);
      return;
    }
    // The journal cannot write: nothing may be sent that it does not record.
    this.killReason = `journal failed while ${doing}: ${describe(error)}`;
    this.risk.killed = true;
    this.risk.flattenOnKill = false;
    this.logger.fatal({ err: error }, "intent journal failed: every order stopped; restart to recover");
  }

  // -------------------------------------------------------------------------------------------------------
  // ControlTarget

  state(): ControlState {
    const reason = this.killReason ?? this.haltReason ?? this.operatorPause;
    return {
      paused: this.risk.paused,
      pausedReason: this.risk.paused ? reason : null,
      killed: this.risk.killed,
      flattenOnKill: this.risk.flattenOnKill,
      settings: runtimeSettingsOf(this.config),
    };
  }

  pause(reason: string): void {
    this.operatorPause = reason;
    this.risk.paused = true;
    this.logger.warn({ reason }, "paused by the operator");
  }

  resume(): void {
    if (this.risk.killed) {
      throw new ControlRefusedError(
        `killed${this.killReason === null ? "" : ` (${this.killReason})`}: a kill ends only with a restart`,
      );
    }
    this.operatorPause = null;
    this.haltReason = null;
    this.risk.paused = false;
    this.logger.warn("resumed by the operator");
  }

  kill(options: { readonly flatten: boolean }): void {
    this.risk.killed = true;
    this.risk.flattenOnKill = this.risk.flattenOnKill || options.flatten;
    this.logger.warn({ flatten: options.flatten }, "kill switch: no new orders");
    this.cancelResting();
  }

  applySettings(patch: RuntimeSettingsPatch): RuntimeSettings {
    const compiled = compileRuntimeSettings(
      this.config,
      patch,
      this.markets.map((market) => market.scales),
    );
    // Every market's new edge parameters first: nothing changes unless all of them can.
    const params: (EdgeParams | null)[] = this.markets.map((market) => {
      if (compiled.config.clipSize === this.config.clipSize) return null;
      return clipParams(market.feed.edges.params, compiled.config.clipSize, market.scales);
    });
    this.markets.forEach((market, index) => {
      market.strategy = compiled.strategies[index]!;
      const next = params[index];
      if (next !== null && next !== undefined) market.feed.edges.setParams(next);
    });
    this.config = compiled.config;
    this.logger.warn({ settings: compiled.settings }, "runtime settings applied");
    return compiled.settings;
  }

  /** Cancels every order of an open intent that may rest on the book (none, with IOC orders only). */
  private cancelResting(): void {
    const resting: { asset: number; cloid: Cloid }[] = [];
    for (const state of this.journal.openIntents()) {
      for (const order of state.orders) {
        const live =
          (order.status === "acked" && order.resting) || (order.status === "partial" && order.live);
        if (live) resting.push({ asset: order.asset, cloid: order.cloid });
      }
    }
    if (resting.length === 0) return;
    try {
      const action = cancelByCloidAction(resting);
      const nonce = this.nonces.next();
      const signature = signL1Action({ signer: this.signer, action, nonce, network: this.network });
      const request = { action, nonce, signature };
      const cloids = resting.map((entry) => entry.cloid);
      this.dispatch.send(
        { legIndexes: [], request, payloadJson: JSON.stringify(request) },
        { kind: "cancel", cloids },
      );
      this.logger.warn({ cloids }, "kill: cancelling resting orders");
    } catch (error) {
      this.logger.error({ err: error }, "kill: cancelling resting orders failed");
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // Read-outs

  /** The running PnL (exact decimal strings): total, per position, per market holdings. */
  pnl(): PnlSnapshot {
    return this.ledger.snapshot();
  }

  /** Residual exposure per market, in base units and notional-seconds. */
  exposure(): ExposureReading[] {
    const now = this.clock();
    return this.markets.map((market) => this.exposureMeter.read(market.coin, now));
  }

  /** The account risk state as the decision sees it. */
  get accountRisk(): AccountRiskView {
    return this.risk;
  }

  /** One market's executor state (position view, risk, balances, position id), for the dashboard and tests. */
  marketState(coin: string): ExecutionMarket | undefined {
    return this.byCoin.get(coin);
  }

  /** Balances as the account poll reads them (they drift from fills in between). */
  setBalances(balances: StartingBalances & { readonly spotBase?: Readonly<Record<string, string>> }): void {
    this.accountBalances.spotUsdcMicro = microOf(balances.spotUsdc);
    this.accountBalances.perpWithdrawableMicro = microOf(balances.perpWithdrawable);
    for (const [coin, amount] of Object.entries(balances.spotBase ?? {})) {
      const market = this.byCoin.get(coin);
      if (market !== undefined) {
        market.balances.spotBaseQty = Number(toScaledBigInt(parseDecimal(amount), market.scales.qtyDecimals));
      }
    }
  }

  /**
   * The perp liquidation distance, % of the mark (+∞ with no perp position), from an account snapshot whose
   * perp position was `perpSize` (|szi|, base units). Taken only when that is the size the position view
   * holds now: a snapshot from before the latest fills describes another position (the distance then stays
   * unknown, blocking new risk, until a poll matches).
   */
  setLiquidationDistance(coin: string, pct: number, perpSize: string): void {
    const market = this.byCoin.get(coin);
    if (market === undefined) return;
    if (lotsOf(perpSize, market.scales.perp.sizeDecimals) !== market.position.perpLots) return;
    market.liquidationKnown = true;
    market.risk.liquidationDistancePct = pct;
  }

  get postsInFlight(): number {
    return this.dispatch.postsInFlight;
  }

  get pendingProbes(): number {
    return this.prober.pending;
  }

  get httpFallbacks(): number {
    return this.dispatch.httpFallbacks;
  }

  /** `orderStatus` probes sent so far. */
  get probesSent(): number {
    return this.prober.probesSent;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

/** Hands `recordEdge` an id already taken from the process's sequence. */
class ReservedEdgeId extends EdgeIdSequence {
  constructor(private readonly id: number) {
    super();
  }
  override next(): number {
    return this.id;
  }
}

function newTrack(rootId: IntentId, market: ExecutionMarket): RootTrack {
  return {
    rootId,
    market,
    resolved: false,
    nextFollowUpAtMs: 0,
    fillsMissingSinceMs: Number.NaN,
    readBackInFlight: false,
    stuck: false,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function microOf(usdc: string): number {
  return Number(formatDecimal(parseDecimal(usdc))) * MICRO;
}

function limitsOf(config: StrategyConfig): { ordersPerMinute: number } {
  return { ordersPerMinute: Math.max(ORDERS_PER_INTENT, config.limits.ordersPerMinute) };
}

function clipParams(params: EdgeParams, clipSize: string, scales: MarketScales): EdgeParams {
  try {
    return Object.freeze({ ...params, clipQty: clipQtyOf(clipSize, scales) });
  } catch (error) {
    throw new ControlRefusedError(describe(error), "clipSize");
  }
}
