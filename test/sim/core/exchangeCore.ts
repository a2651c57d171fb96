/**
 * The simulated exchange's core: market model + order books + ledger behind one deterministic façade.
 *
 * No I/O and no wall clock: time only moves through `step(dtMs)`, and user actions carry their own
 * `nowMs`. Every public mutating call completes its state changes, then delivers the events it produced
 * (see `events.ts`). Queries mirror the info endpoint's responses (see `views.ts`).
 *
 * Order handling (PROTOCOL §5.2, §8, §12), each order of a batch independently:
 * 1. injected rejection (fault hook) → that error;
 * 2. pre-validation: known asset, price on the grid, size on the lot → error, no oid;
 * 3. checks, each rejection recorded with an oid and a rejected status: reduce-only (perp only; the size is
 *    capped at the reducible position, refused if nothing can be reduced; spot ignores the flag), minimum
 *    value (limit px × size ≥ 10, waived for reduce-only), ALO would cross, spot balance (a buy reserves
 *    limit px × size of the quote, a sell the size of the base), perp margin (the increasing part × px /
 *    leverage against accountValue − margin used − resting orders' margin);
 * 4. matching (Gtc/Ioc) with price-time priority and expire-maker self-trade prevention;
 * 5. IOC: nothing filled → `Order could not immediately match…`, else `filled` with the remainder
 *    cancelled; GTC/ALO: remainder rests (`resting`), or `filled` when nothing is left.
 * A GTC that partly filled and rests answers `resting` (fills arrive as fill events).
 *
 * Each `step` advances the model (split at funding boundaries), settles funding every
 * 3 600 000 / `fundingAcceleration` ms of simulated time at the hourly rate, replaces the model's
 * liquidity, fills resting orders the market moved through, runs the model's own market orders, fires due
 * scheduled cancels and publishes the books.
 */
import type { Address, Cloid, Hex } from "../../../hotpath/exchange/wire/brands.js";
import { cancelErrors, orderErrors, actionErrors } from "./errors.js";
import { EventHub, type CoreListener } from "./events.js";
import { FaultInjector } from "./faults.js";
import { FixedPointError, divFx, formatFx, fxInt, minFx, mulFx, parseFx } from "./fixed.js";
import { isValidPrice, isValidSize, nextPriceUp, snapSizeDown } from "./grid.js";
import {
  DEFAULT_HISTORY_LIMITS,
  History,
  isTerminal,
  type FillRecord,
  type HistoryLimits,
  type OrderRecord,
  type OrderTif,
} from "./history.js";
import {
  BASE_FEE_RATES,
  Ledger,
  MODEL_ADDRESS,
  type Abstraction,
  type FeeRates,
  type FillAccounting,
  type MarkSource,
} from "./ledger.js";
import { MarketModel, midOf, type BookLevel, type CoinModelOptions } from "./marketModel.js";
import {
  HYPE_PAIR,
  MarketTable,
  USDC_TOKEN,
  type CoinPair,
  type Market,
  type PerpMarket,
} from "./markets.js";
import { clearCrossedResting, matchOrder, type Execution, type MatchHooks } from "./matching.js";
import { OrderBook, type RestingOrder } from "./orderBook.js";
import {
  basicOrderView,
  clearinghouseView,
  fakeHash,
  fillView,
  frontendOrderView,
  levelView,
  sideOf,
  userFundingView,
  wsFundingView,
} from "./present.js";
import { Rng } from "./rng.js";
import { DEFAULT_TAKER_FLOW, drawTakerFlow, type TakerFlowOptions } from "./takerFlow.js";
import type {
  ActionResult,
  BboView,
  CancelResponseStatus,
  ClearinghouseStateView,
  FillView,
  FrontendOrderView,
  FundingHistoryView,
  L2BookView,
  OrderResponseStatus,
  OrderStatusName,
  OrderStatusView,
  OrderUpdateView,
  PerpAssetCtxView,
  SpotAssetCtxView,
  SpotClearinghouseStateView,
  TradeView,
  UserFeesView,
  UserFundingView,
  BasicOrderView,
} from "./views.js";

export interface OrderRequest {
  readonly asset: number;
  readonly isBuy: boolean;
  /** Limit price as a wire decimal. */
  readonly px: string;
  /** Size in base units as a wire decimal. */
  readonly sz: string;
  readonly reduceOnly?: boolean;
  /** `FrontendMarket` behaves as `Ioc`. */
  readonly tif: OrderTif | "FrontendMarket";
  readonly cloid?: Cloid;
}

export interface CancelRequest {
  readonly asset: number;
  readonly oid: number;
}

export interface CancelByCloidRequest {
  readonly asset: number;
  readonly cloid: Cloid;
}

export interface ExchangeCoreOptions {
  readonly seed?: number;
  /** Simulated time at construction (ms since the epoch). */
  readonly startTimeMs?: number;
  /** Coins and their model parameters; defaults to HYPE only. */
  readonly coins?: readonly (Partial<CoinModelOptions> & { readonly pair: CoinPair })[];
  readonly defaultFees?: FeeRates;
  readonly defaultAbstraction?: Abstraction;
  /** Funding settles every 3 600 000 / this ms of simulated time (hourly rates unchanged). */
  readonly fundingAcceleration?: number;
  /** The model's own market orders; `false` disables them. */
  readonly takerFlow?: Partial<TakerFlowOptions> | false;
  readonly firstOid?: number;
  readonly maxSubstepMs?: number;
  /** Traded volume (USDC) required before `scheduleCancel` is accepted (PROTOCOL §5.5). */
  readonly scheduleCancelMinVolume?: string;
  readonly historyLimits?: Partial<HistoryLimits>;
}

/** One operation's exchange time (skew applied) and transaction hash. */
interface OpContext {
  readonly time: number;
  readonly hash: Hex;
}

/** The aggressive side of a set of executions. */
interface TakerSide {
  readonly user: Address;
  readonly isBuy: boolean;
  readonly oid: number;
  readonly cloid: Cloid | undefined;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const MIN_ORDER_VALUE = fxInt(10);
const SCHEDULE_CANCEL_MIN_LEAD_MS = 5_000;
const SCHEDULE_CANCEL_MAX_TRIGGERS_PER_DAY = 10;
const FLOW_PRICE_BAND_BPS = 50n;
const PUBLISHED_LEVELS = 20;
const MAX_USER_FILLS = 2000;

/** An order as validated, before it has a record: what `reject` and `newRecord` start from. */
interface OrderDraft {
  user: Address;
  market: Market;
  isBuy: boolean;
  px: bigint;
  sz: bigint;
  tif: OrderTif;
  reduceOnly: boolean;
  cloid: Cloid | undefined;
}

export class ExchangeCore {
  readonly markets: MarketTable;
  readonly faults = new FaultInjector();
  /** Exposed read-mostly for invariant checks in tests; mutate only through the core. */
  readonly ledger: Ledger;

  private readonly model: MarketModel;
  private readonly history: History;
  private readonly hub = new EventHub();
  private readonly books = new Map<number, OrderBook>();
  private readonly restingByUser = new Map<Address, Map<number, RestingOrder>>();
  private readonly flowRng: Rng;
  private readonly takerFlow: TakerFlowOptions | undefined;
  private readonly fundingIntervalMs: number;
  private readonly scheduleCancelMinVolume: bigint;
  private readonly scheduledCancels = new Map<Address, number>();
  private readonly cancelTriggers = new Map<Address, { day: number; count: number }>();
  private readonly published = new Map<number, L2BookView>();
  private readonly lastBboKey = new Map<number, string>();
  private readonly fundingRecords = new Map<string, FundingHistoryView[]>();
  private readonly tradedVolume = new Map<number, { ntl: bigint; base: bigint }>();
  private readonly startMids = new Map<number, bigint>();
  private readonly marks: MarkSource;
  private clock: number;
  private nextFundingAt: number;
  private nextOid: number;
  private nextTid = 1;
  private actionSeq = 0;
  private pendingTrades = new Map<string, TradeView[]>();
  private pendingFills = new Map<Address, FillView[]>();
  private pendingUpdates = new Map<Address, OrderUpdateView[]>();
  private touchedAssets = new Set<number>();

  constructor(options: ExchangeCoreOptions = {}) {
    const coins = options.coins ?? [{ pair: HYPE_PAIR }];
    const seed = options.seed ?? 1;
    this.markets = new MarketTable(coins.map((coin) => coin.pair));
    this.clock = options.startTimeMs ?? Date.UTC(2026, 0, 1);
    const modelOptions = { seed, startTimeMs: this.clock, coins };
    this.model = new MarketModel(
      options.maxSubstepMs === undefined
        ? modelOptions
        : { ...modelOptions, maxSubstepMs: options.maxSubstepMs },
    );
    const ledgerOptions = { defaultFees: options.defaultFees ?? BASE_FEE_RATES };
    this.ledger = new Ledger(
      this.markets,
      options.defaultAbstraction === undefined
        ? ledgerOptions
        : { ...ledgerOptions, defaultAbstraction: options.defaultAbstraction },
    );
    this.history = new History({ ...DEFAULT_HISTORY_LIMITS, ...options.historyLimits });
    this.flowRng = new Rng((seed ^ 0x2545f491) >>> 0);
    this.takerFlow =
      options.takerFlow === false ? undefined : { ...DEFAULT_TAKER_FLOW, ...options.takerFlow };
    const acceleration = options.fundingAcceleration ?? 1;
    if (!(acceleration > 0)) throw new RangeError(`fundingAcceleration must be positive: ${acceleration}`);
    this.fundingIntervalMs = HOUR_MS / acceleration;
    this.nextFundingAt = (Math.floor(this.clock / this.fundingIntervalMs) + 1) * this.fundingIntervalMs;
    this.scheduleCancelMinVolume = parseFx(options.scheduleCancelMinVolume ?? "1000000");
    this.nextOid = options.firstOid ?? 1_000_000;
    this.marks = { markPx: (asset) => this.markPxOf(asset) };
    for (const market of this.markets.all()) this.books.set(market.asset, new OrderBook(market.asset));
    this.refreshModelLiquidity(this.context(this.clock));
    for (const market of this.markets.all()) {
      const book = this.bookOf(market.asset);
      const bid = book.bestBidPx();
      const ask = book.bestAskPx();
      if (bid !== undefined && ask !== undefined) this.startMids.set(market.asset, midOf(bid, ask));
    }
    this.publishBooks(this.context(this.clock), this.markets.all());
    this.resetPending();
  }

  // ---------------------------------------------------------------- time and events

  /** Simulated time without clock skew. */
  now(): number {
    return this.clock;
  }

  /** The time the exchange reports (clock skew applied). */
  exchangeTime(): number {
    return this.clock + this.faults.clockSkewMs;
  }

  subscribe(listener: CoreListener): () => void {
    return this.hub.subscribe(listener);
  }

  /** Advances simulated time by `dtMs` (see the module header for what happens in a step). */
  step(dtMs: number): void {
    if (!(Number.isFinite(dtMs) && dtMs >= 0)) throw new RangeError(`bad step ${dtMs}`);
    const end = this.clock + dtMs;
    const frozen = this.faults.modelFrozen;
    while (this.clock < end) {
      const until = Math.min(end, this.nextFundingAt);
      if (!frozen) this.model.step(until - this.clock);
      this.clock = until;
      if (this.clock >= this.nextFundingAt) {
        this.settleFunding(this.context(this.clock));
        this.nextFundingAt += this.fundingIntervalMs;
      }
    }
    const ctx = this.context(this.clock);
    if (!frozen && dtMs > 0) {
      this.refreshModelLiquidity(ctx);
      this.runTakerFlow(ctx, dtMs);
    }
    this.fireScheduledCancels(ctx, this.clock);
    this.flush(ctx, frozen ? [] : this.markets.all());
  }

  // ---------------------------------------------------------------- accounts

  /** Credits tokens by name at start-up, e.g. `{USDC: "1000", HYPE: "10"}` (USDC to spot unless `toPerp`). */
  fund(
    user: Address,
    amounts: Readonly<Record<string, string | bigint>>,
    options: { toPerp?: boolean } = {},
  ): void {
    this.ledger.fund(user, amounts, options);
  }

  userAbstraction(user: Address): Abstraction {
    return this.ledger.userAbstraction(user);
  }

  setUserAbstraction(user: Address, mode: Abstraction): ActionResult {
    const openOrders = (this.restingByUser.get(user)?.size ?? 0) > 0;
    return result(this.ledger.setAbstraction(user, mode, openOrders));
  }

  /** Overrides a user's fee rates, as decimal strings (e.g. `{perpCross: "0.0004"}`). */
  setUserFees(user: Address, rates: Partial<Record<keyof FeeRates, string>>): void {
    const parsed: Partial<Record<keyof FeeRates, bigint>> = {};
    for (const [key, value] of Object.entries(rates) as [keyof FeeRates, string][])
      parsed[key] = parseFx(value);
    this.ledger.setFees(user, parsed);
  }

  updateLeverage(user: Address, asset: number, leverage: number): ActionResult {
    const market = this.markets.market(asset);
    if (market?.kind !== "perp") return { ok: false, error: orderErrors.unknownAsset(asset) };
    return result(this.ledger.setLeverage(user, market, leverage, this.marks));
  }

  /** USDC between spot and perp (standard mode); a successful no-op in unified mode. */
  usdClassTransfer(user: Address, amount: string, toPerp: boolean): ActionResult {
    let parsed: bigint;
    try {
      parsed = parseFx(amount);
    } catch (error) {
      if (error instanceof FixedPointError) return { ok: false, error: actionErrors.invalidAmount };
      throw error;
    }
    return result(this.ledger.usdClassTransfer(user, parsed, toPerp, this.marks));
  }

  // ---------------------------------------------------------------- trading

  /** Places a batch; `statuses[i]` answers `orders[i]`, each order handled independently. */
  placeOrders(user: Address, orders: readonly OrderRequest[], nowMs: number): OrderResponseStatus[] {
    const ctx = this.context(nowMs);
    this.fireScheduledCancels(ctx, nowMs);
    const statuses = orders.map((order) => this.placeOne(ctx, user, order));
    this.flush(ctx, []);
    return statuses;
  }

  cancel(user: Address, cancels: readonly CancelRequest[], nowMs: number): CancelResponseStatus[] {
    const ctx = this.context(nowMs);
    this.fireScheduledCancels(ctx, nowMs);
    const statuses = cancels.map((request) => this.cancelOne(ctx, user, request.asset, request.oid));
    this.flush(ctx, []);
    return statuses;
  }

  cancelByCloid(
    user: Address,
    cancels: readonly CancelByCloidRequest[],
    nowMs: number,
  ): CancelResponseStatus[] {
    const ctx = this.context(nowMs);
    this.fireScheduledCancels(ctx, nowMs);
    const statuses = cancels.map((request) => {
      const record = this.history.orderByCloid(user, request.cloid);
      if (record?.asset !== request.asset) return { error: cancelErrors.missingOrder(request.asset) };
      return this.cancelOne(ctx, user, request.asset, record.oid);
    });
    this.flush(ctx, []);
    return statuses;
  }

  /**
   * Dead man's switch: at `timeMs` every open order of the user is cancelled (`scheduledCancel`);
   * `undefined` clears it. Needs ≥ 5 s lead, the traded-volume gate and ≤ 10 triggers per UTC day.
   */
  scheduleCancel(user: Address, timeMs: number | undefined, nowMs: number): ActionResult {
    if (timeMs === undefined) {
      this.scheduledCancels.delete(user);
      return { ok: true };
    }
    const traded = this.ledger.volumeOf(user);
    if (traded < this.scheduleCancelMinVolume) {
      return { ok: false, error: actionErrors.scheduleCancelVolume(this.scheduleCancelMinVolume, traded) };
    }
    if (timeMs < nowMs + SCHEDULE_CANCEL_MIN_LEAD_MS)
      return { ok: false, error: actionErrors.scheduleCancelTooEarly };
    const triggers = this.cancelTriggers.get(user);
    if (
      triggers?.day === Math.floor(nowMs / DAY_MS) &&
      triggers.count >= SCHEDULE_CANCEL_MAX_TRIGGERS_PER_DAY
    ) {
      return { ok: false, error: actionErrors.scheduleCancelTooManyTriggers };
    }
    this.scheduledCancels.set(user, timeMs);
    return { ok: true };
  }

  // ---------------------------------------------------------------- queries

  clearinghouseState(user: Address): ClearinghouseStateView {
    return clearinghouseView(this.ledger.perpSummary(user, this.marks), this.exchangeTime());
  }

  spotClearinghouseState(user: Address): SpotClearinghouseStateView {
    const tokens = new Set(this.ledger.spotTokens(user));
    if (this.ledger.hasAccount(user)) tokens.add(USDC_TOKEN.index);
    const unified = this.ledger.userAbstraction(user) === "unifiedAccount";
    const balances = [...tokens]
      .sort((a, b) => a - b)
      .map((index) => {
        const balance = this.ledger.spotBalance(user, index);
        const token = this.markets.tokenByIndex(index);
        // Unified: perp margin shows as USDC hold (PROTOCOL §4.3).
        const extraHold =
          unified && index === USDC_TOKEN.index
            ? this.ledger.perpSummary(user, this.marks).totalMarginUsed + this.perpOrderMargin(user)
            : 0n;
        return {
          coin: token?.name ?? `token${index}`,
          token: index,
          hold: formatFx(balance.hold + extraHold),
          total: formatFx(balance.total),
          entryNtl: formatFx(balance.entryNtl),
        };
      });
    return { balances };
  }

  /** Resting orders, newest first. */
  openOrders(user: Address): BasicOrderView[] {
    return this.openRecords(user).map(basicOrderView);
  }

  frontendOpenOrders(user: Address): FrontendOrderView[] {
    return this.openRecords(user).map(frontendOrderView);
  }

  orderStatus(user: Address, oidOrCloid: number | Cloid): OrderStatusView {
    const record =
      typeof oidOrCloid === "number"
        ? this.history.order(oidOrCloid)
        : this.history.orderByCloid(user, oidOrCloid);
    if (record?.user !== user) return { status: "unknownOid" };
    return {
      status: "order",
      order: {
        order: frontendOrderView(record),
        status: record.status,
        statusTimestamp: record.statusTimestamp,
      },
    };
  }

  /** Newest first, at most 2000. */
  userFills(user: Address): FillView[] {
    const fills = this.history.fills(user);
    return fills.slice(-MAX_USER_FILLS).reverse().map(fillView);
  }

  /** Fills with `startTime ≤ time ≤ endTime`, oldest first, at most 2000. */
  userFillsByTime(user: Address, startTime: number, endTime?: number): FillView[] {
    return this.history
      .fills(user)
      .filter((fill) => fill.time >= startTime && (endTime === undefined || fill.time <= endTime))
      .slice(0, MAX_USER_FILLS)
      .map(fillView);
  }

  userFunding(user: Address, startTime: number, endTime?: number): UserFundingView[] {
    return this.history
      .funding(user)
      .filter((record) => record.time >= startTime && (endTime === undefined || record.time <= endTime))
      .slice(0, 500)
      .map(userFundingView);
  }

  fundingHistory(coin: string, startTime: number, endTime?: number): FundingHistoryView[] {
    return (this.fundingRecords.get(coin) ?? [])
      .filter((record) => record.time >= startTime && (endTime === undefined || record.time <= endTime))
      .slice(0, 500);
  }

  /** The last published snapshot (stale while the model is frozen). */
  l2Book(coin: string, nLevels = PUBLISHED_LEVELS): L2BookView | undefined {
    const market = this.markets.marketByCoin(coin);
    const book = market === undefined ? undefined : this.published.get(market.asset);
    if (book === undefined) return undefined;
    return {
      coin: book.coin,
      time: book.time,
      levels: [book.levels[0].slice(0, nLevels), book.levels[1].slice(0, nLevels)],
    };
  }

  bbo(coin: string): BboView | undefined {
    const book = this.l2Book(coin, 1);
    return book === undefined ? undefined : bboOf(book);
  }

  /** Mid of every book with both sides, from the published snapshots. */
  allMids(): Record<string, string> {
    const mids: Record<string, string> = {};
    for (const market of this.markets.all()) {
      const mid = this.publishedMid(market.asset);
      if (mid !== undefined) mids[market.coin] = formatFx(mid);
    }
    return mids;
  }

  userFees(user: Address): UserFeesView {
    const fees = this.ledger.feesOf(user);
    return {
      userCrossRate: formatFx(fees.perpCross),
      userAddRate: formatFx(fees.perpAdd),
      userSpotCrossRate: formatFx(fees.spotCross),
      userSpotAddRate: formatFx(fees.spotAdd),
      activeReferralDiscount: formatFx(0n),
      activeStakingDiscount: { bpsOfMaxSupply: formatFx(0n), discount: formatFx(0n) },
    };
  }

  /** Perp context as in `metaAndAssetCtxs` (volumes are cumulative since start, prevDayPx the start mid). */
  perpAssetCtx(coin: string): PerpAssetCtxView | undefined {
    const market = this.markets.marketByCoin(coin);
    const pair = market === undefined ? undefined : this.markets.pairOf(market.asset);
    if (market?.kind !== "perp" || pair === undefined) return undefined;
    const snapshot = this.model.snapshot(pair.name);
    const mid = this.publishedMid(market.asset);
    const volume = this.tradedVolume.get(market.asset);
    return {
      funding: formatFx(snapshot.fundingRate),
      openInterest: formatFx(this.openInterest(market)),
      prevDayPx: formatFx(this.startMids.get(market.asset) ?? 0n),
      dayNtlVlm: formatFx(volume?.ntl ?? 0n),
      premium: formatFx(snapshot.premium),
      oraclePx: formatFx(snapshot.oraclePx),
      markPx: formatFx(snapshot.markPx),
      midPx: mid === undefined ? null : formatFx(mid),
      impactPxs: [formatFx(snapshot.impactPxs[0]), formatFx(snapshot.impactPxs[1])],
      dayBaseVlm: formatFx(volume?.base ?? 0n),
    };
  }

  spotAssetCtx(coin: string): SpotAssetCtxView | undefined {
    const market = this.markets.marketByCoin(coin);
    if (market?.kind !== "spot") return undefined;
    const mid = this.publishedMid(market.asset);
    const volume = this.tradedVolume.get(market.asset);
    return {
      coin,
      prevDayPx: formatFx(this.startMids.get(market.asset) ?? 0n),
      dayNtlVlm: formatFx(volume?.ntl ?? 0n),
      markPx: formatFx(mid ?? 0n),
      midPx: mid === undefined ? null : formatFx(mid),
      dayBaseVlm: formatFx(volume?.base ?? 0n),
    };
  }

  /** Current oracle and mark of a perp, for tests and the server's asset contexts. */
  oracleAndMark(coin: string): { oraclePx: bigint; markPx: bigint } | undefined {
    const market = this.markets.marketByCoin(coin);
    const pair = market === undefined ? undefined : this.markets.pairOf(market.asset);
    if (pair === undefined) return undefined;
    const snapshot = this.model.snapshot(pair.name);
    return { oraclePx: snapshot.oraclePx, markPx: snapshot.markPx };
  }

  /** The model's float state (basis in bps, mids), for statistics in tests and the demo. */
  modelState(name: string): { basisBps: number; spotMid: number; perpMid: number } {
    const snapshot = this.model.snapshot(name);
    return { basisBps: snapshot.basisBps, spotMid: snapshot.spotMid, perpMid: snapshot.perpMid };
  }

  /** Mark source used for margin, exposed for invariant checks. */
  markSource(): MarkSource {
    return this.marks;
  }

  // ---------------------------------------------------------------- order placement internals

  private placeOne(ctx: OpContext, user: Address, request: OrderRequest): OrderResponseStatus {
    const asset = request.asset;
    const injected = this.faults.takeRejection(asset);
    if (injected !== undefined) return { error: injected };
    const market = this.markets.market(asset);
    if (market === undefined) return { error: orderErrors.unknownAsset(asset) };
    let px: bigint;
    let sz: bigint;
    try {
      px = parseFx(request.px);
    } catch {
      return { error: orderErrors.tick(asset) };
    }
    try {
      sz = parseFx(request.sz);
    } catch {
      return { error: orderErrors.invalidSize(asset) };
    }
    if (!isValidPrice(px, market.grid)) return { error: orderErrors.tick(asset) };
    if (sz === 0n) return { error: orderErrors.zeroSize(asset) };
    if (!isValidSize(sz, market.grid)) return { error: orderErrors.invalidSize(asset) };
    const tif: OrderTif = request.tif === "FrontendMarket" ? "Ioc" : request.tif;
    const reduceOnly = market.kind === "perp" && request.reduceOnly === true;
    const draft = { user, market, isBuy: request.isBuy, px, sz, tif, reduceOnly, cloid: request.cloid };

    let size = sz;
    if (reduceOnly && market.kind === "perp") {
      const reducible = this.ledger.reducibleSize(user, market, request.isBuy);
      if (reducible === 0n)
        return this.reject(ctx, draft, "reduceOnlyRejected", orderErrors.reduceOnlyIncrease(asset));
      size = minFx(sz, reducible);
    }
    if (!reduceOnly && mulFx(px, sz, "halfEven") < MIN_ORDER_VALUE) {
      const error =
        market.kind === "perp"
          ? orderErrors.perpMinValue(asset)
          : orderErrors.spotMinValue(asset, market.quote.name);
      return this.reject(ctx, draft, "minTradeNtlRejected", error);
    }
    const book = this.bookOf(asset);
    if (tif === "Alo") {
      const bid = book.bestBidPx();
      const ask = book.bestAskPx();
      const crosses = request.isBuy ? ask !== undefined && px >= ask : bid !== undefined && px <= bid;
      if (crosses)
        return this.reject(ctx, draft, "badAloPxRejected", orderErrors.aloWouldCross(asset, bid, ask));
    }
    if (market.kind === "spot") {
      const reserve = this.ledger.spotOrderReserve(market, request.isBuy, px, size);
      const available = this.ledger.availableSpot(
        user,
        reserve.token.index,
        this.marks,
        this.perpOrderMargin(user),
      );
      if (available < reserve.amount) {
        return this.reject(
          ctx,
          draft,
          "insufficientSpotBalanceRejected",
          orderErrors.insufficientSpotBalance(asset),
        );
      }
    } else if (!reduceOnly) {
      const increasing = this.ledger.increasingSize(user, market, request.isBuy, size);
      const required = this.ledger.orderMargin(user, market, px, increasing);
      if (required > 0n && required > this.ledger.freeMargin(user, this.marks, this.perpOrderMargin(user))) {
        return this.reject(ctx, draft, "perpMarginRejected", orderErrors.insufficientMargin(asset));
      }
    }

    const record = this.newRecord(ctx, draft, size, "open");
    const taker: TakerSide = { user, isBuy: request.isBuy, oid: record.oid, cloid: request.cloid };
    let filled = 0n;
    let filledNotional = 0n;
    if (tif !== "Alo") {
      const fraction = this.faults.takePartialFill(asset);
      const matchable =
        fraction === undefined ? size : snapSizeDown(mulFx(size, fraction, "floor"), market.grid);
      filled = matchOrder(
        book,
        { user, isBuy: request.isBuy, px, sz: matchable },
        this.matchHooks(ctx, market, (execution) => {
          filledNotional += mulFx(execution.px, execution.sz, "halfEven");
          this.execute(ctx, market, taker, execution);
        }),
      );
    }
    const remaining = size - filled;
    record.sz = remaining;
    const filledStatus = (): OrderResponseStatus => ({
      filled: withCloid(
        {
          totalSz: formatFx(filled),
          avgPx: formatFx(divFx(filledNotional, filled, "halfEven")),
          oid: record.oid,
        },
        request.cloid,
      ),
    });
    if (tif === "Ioc") {
      if (filled === 0n) {
        this.setStatus(ctx, record, "iocCancelRejected");
        return { error: orderErrors.iocNoMatch(asset) };
      }
      this.setStatus(ctx, record, remaining === 0n ? "filled" : "canceled");
      return filledStatus();
    }
    if (remaining === 0n) {
      this.setStatus(ctx, record, "filled");
      return filledStatus();
    }
    this.rest(ctx, record, market);
    return { resting: withCloid({ oid: record.oid }, request.cloid) };
  }

  private reject(
    ctx: OpContext,
    draft: OrderDraft,
    status: OrderStatusName,
    error: string,
  ): OrderResponseStatus {
    const record = this.newRecord(ctx, draft, draft.sz, status);
    this.queueUpdate(ctx, record);
    return { error };
  }

  private newRecord(ctx: OpContext, draft: OrderDraft, size: bigint, status: OrderStatusName): OrderRecord {
    const record: OrderRecord = {
      oid: this.nextOid++,
      user: draft.user,
      asset: draft.market.asset,
      coin: draft.market.coin,
      isBuy: draft.isBuy,
      limitPx: draft.px,
      origSz: size,
      sz: size,
      timestamp: ctx.time,
      cloid: draft.cloid,
      reduceOnly: draft.reduceOnly,
      tif: draft.tif,
      status,
      statusTimestamp: ctx.time,
    };
    this.history.addOrder(record);
    return record;
  }

  private rest(ctx: OpContext, record: OrderRecord, market: Market): void {
    const order: RestingOrder = {
      oid: record.oid,
      user: record.user,
      asset: record.asset,
      isBuy: record.isBuy,
      px: record.limitPx,
      sz: record.sz,
      origSz: record.origSz,
      timestamp: record.timestamp,
      cloid: record.cloid,
      reduceOnly: record.reduceOnly,
      tif: record.tif === "Alo" ? "Alo" : "Gtc",
    };
    this.bookOf(record.asset).add(order);
    let mine = this.restingByUser.get(record.user);
    if (mine === undefined) {
      mine = new Map();
      this.restingByUser.set(record.user, mine);
    }
    mine.set(order.oid, order);
    if (market.kind === "spot") {
      const reserve = this.ledger.spotOrderReserve(market, order.isBuy, order.px, order.sz);
      this.ledger.hold(order.user, reserve.token.index, reserve.amount);
    }
    this.touchedAssets.add(record.asset);
    this.queueUpdate(ctx, record);
  }

  private cancelOne(ctx: OpContext, user: Address, asset: number, oid: number): CancelResponseStatus {
    const order = this.books.get(asset)?.get(oid);
    if (order?.user !== user) return { error: cancelErrors.missingOrder(asset) };
    this.bookOf(asset).remove(oid);
    this.onRestingRemoved(ctx, this.markets.marketOrThrow(asset), order, "canceled");
    return "success";
  }

  /** Bookkeeping once the book no longer holds `order` (cancel, STP, reduce-only, scheduled cancel). */
  private onRestingRemoved(
    ctx: OpContext,
    market: Market,
    order: RestingOrder,
    status: OrderStatusName,
  ): void {
    if (market.kind === "spot" && order.sz > 0n) {
      const reserve = this.ledger.spotOrderReserve(market, order.isBuy, order.px, order.sz);
      this.ledger.release(order.user, reserve.token.index, reserve.amount);
    }
    this.restingByUser.get(order.user)?.delete(order.oid);
    const record = this.history.order(order.oid);
    if (record !== undefined) {
      record.sz = order.sz;
      this.setStatus(ctx, record, status);
    }
    this.touchedAssets.add(market.asset);
  }

  private matchHooks(
    ctx: OpContext,
    market: Market,
    onExecution: (execution: Execution) => void,
  ): MatchHooks {
    return {
      makerAllowance: (order) => this.makerAllowance(market, order),
      onSelfTradeCancel: (order) => this.onRestingRemoved(ctx, market, order, "selfTradeCanceled"),
      onReduceOnlyCancel: (order) => this.onRestingRemoved(ctx, market, order, "reduceOnlyCanceled"),
      onExecution,
    };
  }

  private makerAllowance(market: Market, order: RestingOrder): bigint {
    if (market.kind !== "perp" || !order.reduceOnly) return order.sz;
    return this.ledger.reducibleSize(order.user, market, order.isBuy);
  }

  /** Settles one execution between a taker (a user or the model's flow) and a maker (the model or a user). */
  private execute(ctx: OpContext, market: Market, taker: TakerSide, execution: Execution): void {
    const { px, sz, maker } = execution;
    const tid = this.nextTid++;
    const makerUser = maker.kind === "user" ? maker.order.user : MODEL_ADDRESS;
    if (maker.kind === "user") this.releaseFilledHold(market, maker.order, px, sz);
    if (taker.user !== MODEL_ADDRESS || makerUser !== MODEL_ADDRESS) {
      const takerLiquidity = taker.user === MODEL_ADDRESS ? "house" : "taker";
      const takerAccounting = this.ledger.settle(taker.user, market, taker.isBuy, px, sz, takerLiquidity);
      const makerLiquidity = makerUser === MODEL_ADDRESS ? "house" : "maker";
      const makerAccounting = this.ledger.settle(makerUser, market, !taker.isBuy, px, sz, makerLiquidity);
      if (taker.user !== MODEL_ADDRESS) {
        this.recordFill(
          ctx,
          taker.user,
          market,
          taker.isBuy,
          px,
          sz,
          takerAccounting,
          taker.oid,
          taker.cloid,
          true,
          tid,
        );
      }
      if (maker.kind === "user") {
        const order = maker.order;
        this.recordFill(
          ctx,
          order.user,
          market,
          order.isBuy,
          px,
          sz,
          makerAccounting,
          order.oid,
          order.cloid,
          false,
          tid,
        );
        this.afterMakerFill(ctx, order);
      }
    }
    this.recordTrade(ctx, market, taker.isBuy, px, sz, tid, taker.user, makerUser);
  }

  private releaseFilledHold(market: Market, order: RestingOrder, px: bigint, sz: bigint): void {
    if (market.kind !== "spot") return;
    const reserve = this.ledger.spotOrderReserve(market, order.isBuy, px, sz);
    this.ledger.release(order.user, reserve.token.index, reserve.amount);
  }

  private afterMakerFill(ctx: OpContext, order: RestingOrder): void {
    const record = this.history.order(order.oid);
    if (record !== undefined) record.sz = order.sz;
    if (order.sz === 0n) {
      this.restingByUser.get(order.user)?.delete(order.oid);
      if (record !== undefined) this.setStatus(ctx, record, "filled");
    }
  }

  private recordFill(
    ctx: OpContext,
    user: Address,
    market: Market,
    isBuy: boolean,
    px: bigint,
    sz: bigint,
    accounting: FillAccounting,
    oid: number,
    cloid: Cloid | undefined,
    crossed: boolean,
    tid: number,
  ): void {
    const fill: FillRecord = {
      coin: market.coin,
      px,
      sz,
      isBuy,
      time: ctx.time,
      startPosition: accounting.startPosition,
      dir: accounting.dir,
      closedPnl: accounting.closedPnl,
      hash: ctx.hash,
      oid,
      crossed,
      fee: accounting.fee,
      tid,
      cloid,
      feeToken: accounting.feeToken,
    };
    this.history.addFill(user, fill);
    if (this.hub.hasListeners) pushTo(this.pendingFills, user, fillView(fill));
  }

  private recordTrade(
    ctx: OpContext,
    market: Market,
    takerIsBuy: boolean,
    px: bigint,
    sz: bigint,
    tid: number,
    takerUser: Address,
    makerUser: Address,
  ): void {
    const volume = this.tradedVolume.get(market.asset) ?? { ntl: 0n, base: 0n };
    volume.ntl += mulFx(px, sz, "halfEven");
    volume.base += sz;
    this.tradedVolume.set(market.asset, volume);
    const pair = this.markets.pairOf(market.asset);
    if (market.kind === "perp" && pair !== undefined) this.model.notePerpTrade(pair.name, px);
    this.touchedAssets.add(market.asset);
    if (!this.hub.hasListeners) return;
    const trade: TradeView = {
      coin: market.coin,
      side: sideOf(takerIsBuy),
      px: formatFx(px),
      sz: formatFx(sz),
      hash: ctx.hash,
      time: ctx.time,
      tid,
      users: takerIsBuy ? [takerUser, makerUser] : [makerUser, takerUser],
    };
    pushTo(this.pendingTrades, market.coin, trade);
  }

  private setStatus(ctx: OpContext, record: OrderRecord, status: OrderStatusName): void {
    this.history.setStatus(record, status, ctx.time);
    this.queueUpdate(ctx, record);
  }

  private queueUpdate(ctx: OpContext, record: OrderRecord): void {
    if (!this.hub.hasListeners) return;
    pushTo(this.pendingUpdates, record.user, {
      order: basicOrderView(record),
      status: record.status,
      statusTimestamp: ctx.time,
    });
  }

  // ---------------------------------------------------------------- step internals

  /** Installs the model's fresh ladders and fills resting orders the market moved through. */
  private refreshModelLiquidity(ctx: OpContext): void {
    for (const pair of this.markets.pairs) {
      const snapshot = this.model.snapshot(pair.name);
      for (const [market, ladder] of [
        [pair.perp, snapshot.perp],
        [pair.spot, snapshot.spot],
      ] as const) {
        const book = this.bookOf(market.asset);
        book.setModelLiquidity(ladder);
        clearCrossedResting(book, {
          makerAllowance: (order) => this.makerAllowance(market, order),
          onReduceOnlyCancel: (order) => this.onRestingRemoved(ctx, market, order, "reduceOnlyCanceled"),
          onExecution: (execution) => {
            const order = execution.maker.kind === "user" ? execution.maker.order : undefined;
            if (order === undefined) return;
            // The market (house) traded into the resting order: the order is the maker.
            const house: TakerSide = { user: MODEL_ADDRESS, isBuy: !order.isBuy, oid: 0, cloid: undefined };
            this.execute(ctx, market, house, execution);
          },
        });
      }
    }
  }

  private runTakerFlow(ctx: OpContext, dtMs: number): void {
    if (this.takerFlow === undefined) return;
    for (const market of this.markets.all()) {
      const book = this.bookOf(market.asset);
      for (const draw of drawTakerFlow(this.flowRng, dtMs, this.takerFlow, market.grid)) {
        const reference = draw.isBuy ? book.bestAskPx() : book.bestBidPx();
        if (reference === undefined) continue;
        const band = (reference * FLOW_PRICE_BAND_BPS) / 10_000n;
        const limit = draw.isBuy ? reference + band : reference - band;
        const house: TakerSide = { user: MODEL_ADDRESS, isBuy: draw.isBuy, oid: 0, cloid: undefined };
        matchOrder(
          book,
          { user: MODEL_ADDRESS, isBuy: draw.isBuy, px: limit, sz: draw.sz },
          this.matchHooks(ctx, market, (execution) => this.execute(ctx, market, house, execution)),
        );
      }
    }
  }

  private settleFunding(ctx: OpContext): void {
    for (const pair of this.markets.pairs) {
      const rate = this.model.takeFundingRate(pair.name);
      const snapshot = this.model.snapshot(pair.name);
      const coin = pair.perp.coin;
      pushTo(this.fundingRecords, coin, {
        coin,
        fundingRate: formatFx(rate),
        premium: formatFx(snapshot.premium),
        time: ctx.time,
      });
      for (const payment of this.ledger.applyFunding(pair.perp.asset, snapshot.oraclePx, rate, ctx.time)) {
        const record = { ...payment, hash: ctx.hash };
        this.history.addFunding(payment.user, record);
        this.hub.enqueue({ type: "userFunding", user: payment.user, data: wsFundingView(record) });
      }
    }
  }

  private fireScheduledCancels(ctx: OpContext, nowMs: number): void {
    for (const [user, at] of [...this.scheduledCancels]) {
      if (at > nowMs) continue;
      this.scheduledCancels.delete(user);
      const day = Math.floor(at / DAY_MS);
      const triggers = this.cancelTriggers.get(user);
      this.cancelTriggers.set(user, { day, count: triggers?.day === day ? triggers.count + 1 : 1 });
      for (const order of [...(this.restingByUser.get(user)?.values() ?? [])]) {
        this.bookOf(order.asset).remove(order.oid);
        this.onRestingRemoved(ctx, this.markets.marketOrThrow(order.asset), order, "scheduledCancel");
      }
    }
  }

  // ---------------------------------------------------------------- publication

  private flush(ctx: OpContext, publishAll: readonly Market[]): void {
    const assets = new Set<number>(publishAll.map((market) => market.asset));
    if (!this.faults.modelFrozen) for (const asset of this.touchedAssets) assets.add(asset);
    const markets = [...assets].sort((a, b) => a - b).map((asset) => this.markets.marketOrThrow(asset));
    for (const [coin, trades] of this.pendingTrades) this.hub.enqueue({ type: "trades", coin, data: trades });
    this.publishBooks(ctx, markets);
    for (const [user, updates] of this.pendingUpdates)
      this.hub.enqueue({ type: "orderUpdates", user, data: updates });
    for (const [user, fills] of this.pendingFills) this.hub.enqueue({ type: "userFills", user, data: fills });
    this.resetPending();
    this.hub.flush();
  }

  private publishBooks(ctx: OpContext, markets: readonly Market[]): void {
    for (const market of markets) {
      const book = this.bookOf(market.asset);
      let bids: BookLevel[] = book.levels(true, PUBLISHED_LEVELS);
      const asks = book.levels(false, PUBLISHED_LEVELS);
      const bestAsk = asks[0];
      if (this.faults.isBookCrossed(market.asset) && bestAsk !== undefined) {
        const bogus = { px: nextPriceUp(bestAsk.px, market.grid), sz: bestAsk.sz, n: 1 };
        bids = [bogus, ...bids].slice(0, PUBLISHED_LEVELS);
      }
      const view: L2BookView = {
        coin: market.coin,
        time: ctx.time,
        levels: [bids.map(levelView), asks.map(levelView)],
      };
      this.published.set(market.asset, view);
      this.hub.enqueue({ type: "l2Book", data: view });
      const bbo = bboOf(view);
      const key = JSON.stringify(bbo.bbo);
      if (this.lastBboKey.get(market.asset) !== key) {
        this.lastBboKey.set(market.asset, key);
        this.hub.enqueue({ type: "bbo", data: bbo });
      }
    }
  }

  private resetPending(): void {
    this.pendingTrades = new Map();
    this.pendingFills = new Map();
    this.pendingUpdates = new Map();
    this.touchedAssets = new Set();
  }

  // ---------------------------------------------------------------- helpers

  private context(time: number): OpContext {
    return { time: time + this.faults.clockSkewMs, hash: fakeHash(++this.actionSeq) };
  }

  private bookOf(asset: number): OrderBook {
    const book = this.books.get(asset);
    if (book === undefined) throw new Error(`no book for asset ${asset}`);
    return book;
  }

  private markPxOf(asset: number): bigint {
    const pair = this.markets.pairOf(asset);
    if (pair === undefined) throw new Error(`no mark for asset ${asset}`);
    return this.model.snapshot(pair.name).markPx;
  }

  /** Margin reserved by the user's resting non-reduce-only perp orders. */
  private perpOrderMargin(user: Address): bigint {
    let total = 0n;
    for (const order of this.restingByUser.get(user)?.values() ?? []) {
      const market = this.markets.market(order.asset);
      if (market?.kind !== "perp" || order.reduceOnly) continue;
      total += this.ledger.orderMargin(
        user,
        market,
        order.px,
        this.ledger.increasingSize(user, market, order.isBuy, order.sz),
      );
    }
    return total;
  }

  private openRecords(user: Address): OrderRecord[] {
    const records: OrderRecord[] = [];
    for (const order of this.restingByUser.get(user)?.values() ?? []) {
      const record = this.history.order(order.oid);
      if (record !== undefined && !isTerminal(record.status)) records.push(record);
    }
    return records.sort((a, b) => b.oid - a.oid);
  }

  private publishedMid(asset: number): bigint | undefined {
    const book = this.published.get(asset);
    const bid = book?.levels[0][0];
    const ask = book?.levels[1][0];
    if (bid === undefined || ask === undefined) return undefined;
    return midOf(parseFx(bid.px), parseFx(ask.px));
  }

  private openInterest(market: PerpMarket): bigint {
    let longs = 0n;
    for (const address of [...this.ledger.addresses(), MODEL_ADDRESS]) {
      const szi = this.ledger.szi(address, market.asset);
      if (szi > 0n) longs += szi;
    }
    return longs;
  }
}

function result(error: string | undefined): ActionResult {
  return error === undefined ? { ok: true } : { ok: false, error };
}

function withCloid<T extends object>(value: T, cloid: Cloid | undefined): T & { cloid?: Cloid } {
  return cloid === undefined ? value : { ...value, cloid };
}

function bboOf(book: L2BookView): BboView {
  return { coin: book.coin, time: book.time, bbo: [book.levels[0][0] ?? null, book.levels[1][0] ?? null] };
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
