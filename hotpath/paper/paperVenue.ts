/**
 * The paper venue: an `OrderVenue` that executes the executor's signed actions against the books the
 * process already keeps, instead of sending them anywhere. Nothing reaches the exchange's `/exchange`: the
 * market data is real (the public feed), the fills are simulated.
 *
 * Each post is taken apart exactly as the exchange would receive it (the serialised request the executor
 * wrote), checked (nonce reuse, `expiresAfter`, price on the tick grid, size on the lot, minimum value,
 * reduce-only, spot balance, perp margin — with the exchange's refusal texts) and every IOC order is walked
 * through its leg's visible book (`paperBookWalk.ts`) at the moment of the post: the book the decision saw,
 * so paper fills have no latency. The answers then come back the way the exchange sends them: the post's
 * answer, an `orderUpdates` entry per order, and every fill on `userFills` and again on `userEvents` — as
 * JSON frames passed through the same decoder (`decodeWsMessage`) the order socket uses, one event-loop
 * turn later (an answer can never arrive before the executor journaled `sent`). From there on the executor
 * cannot tell paper from the exchange.
 *
 * Signatures are made (the same code and cost as live, with a throwaway key) but not verified: the key
 * belongs to no account anywhere. `orderStatus` and `userFillsByTime` are answered from the venue's own
 * records, so probes and read-backs work as they do live.
 */

import {
  add,
  type Decimal,
  divide,
  formatDecimal,
  fromScaledBigInt,
  isZero,
  lt,
  mul,
  parseDecimal,
  roundToDecimals,
  sub,
} from "../exchange/decimal/decimal.js";
import { type GridSpec, isValidPrice, isValidSize, meetsMinNotional } from "../exchange/decimal/grid.js";
import { toScaledNumber } from "../exchange/decimal/scaled.js";
import type { BasisMarket } from "../exchange/registry/market.js";
import type { L1Action, OrderWire } from "../exchange/wire/actions.js";
import type { Address, Cloid, Hex, WireDecimal } from "../exchange/wire/brands.js";
import { decodeWsMessage } from "../exchange/wire/decode-ws.js";
import type { ExchangeRequest, ExchangeResponse, OrderPlacementStatus } from "../exchange/wire/exchange.js";
import type {
  FrontendOpenOrder,
  InfoRequest,
  InfoResponse,
  OrderStatusResponse,
  UserFill,
} from "../exchange/wire/info.js";
import type { WsOrderUpdate } from "../exchange/wire/ws.js";
import { FEE_RATE_DECIMALS } from "../edge/feeRates.js";
import type { OrderChannelHandlers } from "../execution/orderChannel.js";
import type { OrderVenue, OrderVenueFactory } from "../execution/orderVenue.js";
import type { MarketFeed } from "../feed/marketFeed.js";
import type { Logger } from "../observability/logger.js";
import type { PaperAccount } from "./paperAccount.js";
import { LegImpact, walkBook } from "./paperBookWalk.js";

/** One traded market: its books and fee schedule (the feed) and its exchange identity. */
export interface PaperMarket {
  readonly market: BasisMarket;
  readonly feed: MarketFeed;
}

export interface PaperVenueOptions {
  readonly markets: readonly PaperMarket[];
  readonly account: PaperAccount;
  /** The address the account streams name (the executor's `account`). */
  readonly user: Address;
  /** Epoch ms: fill and order times, `expiresAfter`. */
  readonly clock: () => number;
  readonly logger: Logger;
}

/** Counters for tests and the log. */
export interface PaperVenueStats {
  actions: number;
  /** Whole actions refused (nonce, expiry, unsupported). */
  refusedActions: number;
  orders: number;
  /** Orders refused on their own (tick, lot, value, balance, margin, reduce-only). */
  rejectedOrders: number;
  /** IOC orders that found nothing to take. */
  unmatchedOrders: number;
  fills: number;
  /** Frames of our own making the decoder refused: a bug in this venue. */
  badFrames: number;
  /** Hourly funding payments settled on a position. */
  fundingPayments: number;
}

/** Nonces the exchange remembers per signer (PROTOCOL §7). */
const NONCES_KEPT = 100;
const SIDE_BUY = "B";
const ZERO = parseDecimal("0");
const SIDE_SELL = "A";

interface LegOf {
  readonly paper: PaperMarket;
  readonly isPerp: boolean;
  readonly coin: string;
  readonly spec: GridSpec;
  readonly impact: LegImpact;
}

interface OrderRecord {
  readonly order: FrontendOpenOrder;
  readonly status: string;
  readonly statusTimestamp: number;
}

interface QueuedFrame {
  readonly postId: number | null;
  readonly text: string;
}

export function paperVenue(options: PaperVenueOptions): OrderVenueFactory {
  return (handlers) => new PaperVenue(options, handlers);
}

export class PaperVenue implements OrderVenue {
  readonly stats: PaperVenueStats = {
    actions: 0,
    refusedActions: 0,
    orders: 0,
    rejectedOrders: 0,
    unmatchedOrders: 0,
    fills: 0,
    badFrames: 0,
    fundingPayments: 0,
  };
  private readonly legs = new Map<number, LegOf>();
  private readonly records = new Map<string, OrderRecord>();
  private readonly fills: UserFill[] = [];
  private readonly nonces: number[] = [];
  private readonly queue: QueuedFrame[] = [];
  private flushing: NodeJS.Immediate | undefined;
  private open = false;
  private nextPostId = 1;
  private nextOid = 1;
  private nextTid = 1;

  constructor(
    private readonly options: PaperVenueOptions,
    private readonly handlers: OrderChannelHandlers,
  ) {
    for (const paper of options.markets) {
      const { perp, spot } = paper.market;
      this.legs.set(perp.assetId, {
        paper,
        isPerp: true,
        coin: perp.coin,
        spec: { market: "perp", szDecimals: perp.szDecimals },
        impact: new LegImpact(),
      });
      this.legs.set(spot.assetId, {
        paper,
        isPerp: false,
        coin: spot.wsCoin,
        spec: { market: "spot", szDecimals: spot.szDecimals },
        impact: new LegImpact(),
      });
    }
  }

  get isOpen(): boolean {
    return this.open;
  }

  start(): void {
    this.open = true;
    this.handlers.opened();
  }

  /** Answers not delivered yet are lost, as with a socket that closes. */
  stop(): Promise<void> {
    this.open = false;
    if (this.flushing !== undefined) clearImmediate(this.flushing);
    this.flushing = undefined;
    const lost = this.queue.flatMap((frame) => (frame.postId === null ? [] : [frame.postId]));
    this.queue.length = 0;
    if (lost.length > 0) this.handlers.lost(lost);
    return Promise.resolve();
  }

  postAction(payloadJson: string): number {
    if (!this.open) return -1;
    const postId = this.nextPostId++;
    const response = this.execute(JSON.parse(payloadJson) as ExchangeRequest);
    this.enqueue(
      postId,
      `{"channel":"post","data":{"id":${postId},"response":{"type":"action","payload":${JSON.stringify(response)}}}}`,
    );
    return postId;
  }

  exchange(request: ExchangeRequest): Promise<ExchangeResponse> {
    return Promise.resolve(this.execute(request));
  }

  info<R extends InfoRequest>(request: R): Promise<InfoResponse<R["type"]>> {
    const user = "user" in request ? request.user : undefined;
    if (user !== undefined && user !== this.options.user) {
      return Promise.reject(
        new Error(`paper venue: no account ${user} (the paper account is ${this.options.user})`),
      );
    }
    switch (request.type) {
      case "orderStatus": {
        const key = typeof request.oid === "number" ? `oid:${request.oid}` : `cloid:${request.oid}`;
        const record = this.records.get(key);
        const answer: OrderStatusResponse =
          record === undefined ? { status: "unknownOid" } : { status: "order", order: record };
        return Promise.resolve(answer as unknown as InfoResponse<R["type"]>);
      }
      case "userFillsByTime": {
        const from = request.startTime;
        const to = request.endTime ?? Number.POSITIVE_INFINITY;
        const fills = this.fills.filter((fill) => fill.time >= from && fill.time <= to);
        return Promise.resolve(fills as unknown as InfoResponse<R["type"]>);
      }
      default:
        return Promise.reject(new Error(`paper venue: info ${request.type} is not simulated`));
    }
  }

  /** Every fill the venue made, oldest first. */
  get allFills(): readonly UserFill[] {
    return this.fills;
  }

  // -------------------------------------------------------------------------------------------------------
  // Execution

  private execute(request: ExchangeRequest): ExchangeResponse {
    this.stats.actions += 1;
    const refusal = this.refusal(request);
    if (refusal !== null) {
      this.stats.refusedActions += 1;
      return { status: "err", response: refusal };
    }
    this.rememberNonce(request.nonce);
    // The executor sends L1 actions only; anything else is refused below as not simulated.
    const action = request.action as L1Action;
    switch (action.type) {
      case "order": {
        const time = this.options.clock();
        const statuses = action.orders.map((order) => this.place(order, time));
        return { status: "ok", response: { type: "order", data: { statuses } } };
      }
      case "cancel":
      case "cancelByCloid": {
        // Every paper order is an IOC: by the time a cancel arrives there is nothing left to cancel.
        const statuses = action.cancels.map((cancel) => ({
          error: `Order was never placed, already canceled, or filled. asset=${"a" in cancel ? cancel.a : cancel.asset}`,
        }));
        return { status: "ok", response: { type: "cancel", data: { statuses } } };
      }
      case "noop":
        return { status: "ok", response: { type: "default" } };
      default:
        return { status: "err", response: `paper venue: action ${request.action.type} is not simulated` };
    }
  }

  /** The whole action's refusal, as the exchange words it; null when it is accepted. */
  private refusal(request: ExchangeRequest): string | null {
    const nonce = request.nonce;
    if (this.nonces.includes(nonce)) return `Invalid nonce: duplicate nonce ${nonce}`;
    if (this.nonces.length >= NONCES_KEPT && nonce < this.nonces[0]!) {
      return `Invalid nonce: nonce too low ${nonce} < ${this.nonces[0]! + 1}`;
    }
    if (request.expiresAfter !== undefined && this.options.clock() > request.expiresAfter) {
      return "Action already expired";
    }
    return null;
  }

  /** Keeps the highest `NONCES_KEPT` nonces, ascending. */
  private rememberNonce(nonce: number): void {
    const nonces = this.nonces;
    let index = nonces.length;
    while (index > 0 && nonces[index - 1]! > nonce) index -= 1;
    nonces.splice(index, 0, nonce);
    if (nonces.length > NONCES_KEPT) nonces.shift();
  }

  /** One order of an action: refused, or walked through its book; its status in the answer. */
  private place(wire: OrderWire, time: number): OrderPlacementStatus {
    this.stats.orders += 1;
    const leg = this.legs.get(wire.a);
    if (leg === undefined) return this.refuse(`Unknown asset. asset=${wire.a}`);
    const asset = wire.a;
    const cloid = wire.c;
    if (!("limit" in wire.t))
      return this.refuse(`paper venue: trigger orders are not simulated. asset=${asset}`);
    if (wire.t.limit.tif !== "Ioc") {
      return this.refuse(`paper venue: only IOC orders are simulated. asset=${asset}`);
    }
    const px = parseDecimal(wire.p);
    const requested = parseDecimal(wire.s);
    if (!isValidPrice(px, leg.spec))
      return this.refuse(`Price must be divisible by tick size. asset=${asset}`);
    if (!isValidSize(requested, leg.spec.szDecimals)) return this.refuse("Order has invalid size.");
    if (isZero(requested)) return this.refuse(`Order has zero size. asset=${asset}`);

    const { market } = leg.paper;
    const account = this.options.account;
    const reduceOnly = leg.isPerp && wire.r;
    let size = requested;
    const draft = { leg, wire, time, cloid };
    if (reduceOnly) {
      const reducible = account.reducible(leg.coin, wire.b);
      if (isZero(reducible)) {
        return this.reject(
          draft,
          size,
          "reduceOnlyRejected",
          `Reduce only order would increase position. asset=${asset}`,
        );
      }
      if (lt(reducible, size)) size = reducible;
    }
    if (!reduceOnly && !meetsMinNotional(px, size)) {
      const error = leg.isPerp
        ? `Order must have minimum value of $10. asset=${asset}`
        : `Order must have minimum value of 10 ${market.spot.quote.name}. asset=${asset}`;
      return this.reject(draft, size, "minTradeNtlRejected", error);
    }
    if (!leg.isPerp) {
      const token = wire.b ? market.spot.quote.name : market.spot.base.name;
      const needed = wire.b ? mul(px, size) : size;
      if (lt(account.spotBalance(token), needed)) {
        return this.reject(
          draft,
          size,
          "insufficientSpotBalanceRejected",
          `Insufficient spot balance asset=${asset}`,
        );
      }
    } else if (!reduceOnly) {
      const increasing = subtractFloor(size, account.reducible(leg.coin, wire.b));
      if (lt(account.freeMargin(), account.marginFor(px, increasing))) {
        return this.reject(
          draft,
          size,
          "perpMarginRejected",
          `Insufficient margin to place order. asset=${asset}`,
        );
      }
    }

    const book = leg.isPerp ? leg.paper.feed.books.perp : leg.paper.feed.books.spot;
    const limitUnits = toScaledNumber(wire.p, book.scales.priceDecimals);
    const lots = toScaledNumber(formatDecimal(size), book.scales.sizeDecimals);
    const levels = walkBook(book, wire.b, limitUnits, lots, leg.impact);
    const oid = this.nextOid++;
    const rate = fromScaledBigInt(
      BigInt(
        leg.isPerp ? leg.paper.feed.edges.params.fees.perpTaker : leg.paper.feed.edges.params.fees.spotTaker,
      ),
      FEE_RATE_DECIMALS,
    );
    const fills: UserFill[] = [];
    let filledLots = 0;
    let notional = ZERO;
    for (const level of levels) {
      const levelPx = parseDecimal(level.px);
      const levelSz = parseDecimal(level.sz);
      const booked = leg.isPerp
        ? account.settlePerp(leg.coin, wire.b, levelPx, levelSz, rate)
        : account.settleSpot(
            {
              base: market.spot.base.name,
              quote: market.spot.quote.name,
              baseWeiDecimals: market.spot.base.weiDecimals,
            },
            wire.b,
            levelPx,
            levelSz,
            rate,
          );
      const tid = this.nextTid++;
      fills.push({
        coin: leg.coin,
        px: level.px,
        sz: level.sz,
        side: wire.b ? SIDE_BUY : SIDE_SELL,
        time,
        startPosition: booked.startPosition,
        dir: booked.dir,
        closedPnl: booked.closedPnl,
        hash: hashOf(tid),
        oid,
        crossed: true,
        fee: booked.fee,
        tid,
        feeToken: booked.feeToken,
        ...(cloid === undefined ? {} : { cloid }),
      });
      filledLots += level.lots;
      notional = add(notional, mul(levelPx, levelSz));
    }
    this.stats.fills += fills.length;
    this.fills.push(...fills);
    const filled = fromScaledBigInt(BigInt(filledLots), book.scales.sizeDecimals);
    const remaining = subtractFloor(size, filled);
    if (filledLots === 0) {
      this.stats.unmatchedOrders += 1;
      this.record(draft, oid, size, size, "iocCancelRejected");
      return { error: `Order could not immediately match against any resting orders. asset=${asset}` };
    }
    this.record(draft, oid, size, remaining, isZero(remaining) ? "filled" : "canceled");
    const user = this.options.user;
    const fillsJson = JSON.stringify(fills);
    this.enqueue(null, `{"channel":"userFills","data":{"user":"${user}","fills":${fillsJson}}}`);
    this.enqueue(null, `{"channel":"user","data":{"fills":${fillsJson}}}`);
    const avgPx = formatDecimal(divide(notional, filled, 8, "halfEven"));
    return {
      filled: { totalSz: formatDecimal(filled), avgPx, oid, ...(cloid === undefined ? {} : { cloid }) },
    };
  }

  /** Refused before it became an order (no oid, no update), like the exchange's pre-checks. */
  private refuse(error: string): OrderPlacementStatus {
    this.stats.rejectedOrders += 1;
    return { error };
  }

  /** Refused as an order: it gets an oid and a rejection status update. */
  private reject(
    draft: {
      readonly leg: LegOf;
      readonly wire: OrderWire;
      readonly time: number;
      readonly cloid: Cloid | undefined;
    },
    size: Decimal,
    status: string,
    error: string,
  ): OrderPlacementStatus {
    this.stats.rejectedOrders += 1;
    this.record(draft, this.nextOid++, size, size, status);
    return { error };
  }

  /** The order's final state: for `orderStatus` (by oid and cloid) and as an `orderUpdates` entry. */
  private record(
    draft: {
      readonly leg: LegOf;
      readonly wire: OrderWire;
      readonly time: number;
      readonly cloid: Cloid | undefined;
    },
    oid: number,
    origSz: Decimal,
    remaining: Decimal,
    status: string,
  ): void {
    const { leg, wire, time, cloid } = draft;
    const base = {
      coin: leg.coin,
      side: wire.b ? SIDE_BUY : SIDE_SELL,
      limitPx: wire.p,
      sz: formatDecimal(remaining),
      oid,
      timestamp: time,
      origSz: formatDecimal(origSz),
    } as const;
    const update: WsOrderUpdate = {
      order: cloid === undefined ? base : { ...base, cloid },
      status,
      statusTimestamp: time,
    };
    const order: FrontendOpenOrder = {
      ...base,
      cloid: cloid ?? null,
      isPositionTpsl: false,
      isTrigger: false,
      orderType: "Limit",
      reduceOnly: wire.r,
      tif: "Ioc",
      triggerCondition: "N/A",
      triggerPx: "0.0" as WireDecimal,
      children: [],
    };
    const record: OrderRecord = { order, status, statusTimestamp: time };
    this.records.set(`oid:${oid}`, record);
    if (cloid !== undefined) this.records.set(`cloid:${cloid}`, record);
    this.enqueue(null, `{"channel":"orderUpdates","data":[${JSON.stringify(update)}]}`);
  }

  // -------------------------------------------------------------------------------------------------------
  // Funding

  /**
   * The hourly funding payment of every market's perp position at `timeMs`, as the exchange settles it: a
   * long pays `szi × oraclePx × rate` when the rate is positive, a short receives it (and the reverse for a
   * negative rate), rounded to the micro-USDC. The rate and oracle are the ones the feed holds
   * (`activeAssetCtx`); a market whose oracle is not known yet pays nothing and says so. The payment moves the
   * paper account and reaches the executor as the exchange's `userEvents` funding frame (channel `user`).
   */
  payFunding(timeMs: number): void {
    for (const { market, feed } of this.options.markets) {
      const coin = market.perp.coin;
      const szi = this.options.account.perpPosition(coin);
      if (isZero(szi)) continue;
      const { fundingRatePerHour, oraclePx } = feed.edges.params;
      if (!(oraclePx > 0 && Number.isFinite(fundingRatePerHour))) {
        this.options.logger.warn({ coin }, "paper venue: no oracle price yet, funding not paid this hour");
        continue;
      }
      const rate = parseDecimal(fundingRatePerHour.toFixed(12));
      const oracle = parseDecimal(oraclePx.toFixed(8));
      const owed = mul(mul(szi, oracle), rate);
      const usdc = roundToDecimals(sub(ZERO, owed), 6, "halfEven");
      this.options.account.applyFunding(usdc);
      this.stats.fundingPayments += 1;
      const funding = {
        time: timeMs,
        coin,
        usdc: formatDecimal(usdc),
        szi: formatDecimal(szi),
        fundingRate: formatDecimal(rate),
      };
      this.enqueue(null, `{"channel":"user","data":{"funding":${JSON.stringify(funding)}}}`);
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // Delivery

  private enqueue(postId: number | null, text: string): void {
    // The post's answer first, then what the account streams say about it: the order the exchange's
    // socket usually delivers them in (the executor copes with either).
    if (postId === null) this.queue.push({ postId, text });
    else this.queue.splice(this.firstAccountFrameOfLastPost(), 0, { postId, text });
    this.flushing ??= setImmediate(() => this.flush());
  }

  /** Where a post's answer goes: before the account frames its own execution queued after the last answer. */
  private firstAccountFrameOfLastPost(): number {
    let index = this.queue.length;
    while (index > 0 && this.queue[index - 1]!.postId === null) index -= 1;
    return index;
  }

  private flush(): void {
    this.flushing = undefined;
    const frames = this.queue.splice(0);
    for (const frame of frames) {
      const receivedAtMs = performance.now();
      const decoded = decodeWsMessage(frame.text);
      if (!decoded.ok) {
        this.stats.badFrames += 1;
        this.options.logger.error(
          { err: decoded.error, frame: frame.text },
          "paper venue: a frame of ours does not decode",
        );
        if (frame.postId !== null) this.handlers.lost([frame.postId]);
        continue;
      }
      const message = decoded.message;
      if (message.channel === "post")
        this.handlers.response(message.data.id, message.data.response, receivedAtMs);
      else this.handlers.accountMessage(message, receivedAtMs);
    }
  }
}

function hashOf(tid: number): Hex {
  return `0x${tid.toString(16).padStart(64, "0")}` as Hex;
}

/** `a − b`, or 0 when b ≥ a. */
function subtractFloor(a: Decimal, b: Decimal): Decimal {
  return lt(b, a) ? sub(a, b) : ZERO;
}
