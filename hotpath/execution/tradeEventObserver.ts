/**
 * Turns the executor's state changes into trade events (`persistence/tradeEventCodec.ts`) for the trades
 * queue, through a `TradeEventSink` (the shipper's O(1) `ship`). The executor calls it after each journal
 * write and with each applied fill, funding payment and position change; this module decides what changed
 * and builds the event objects — nothing else: no encoding, no I/O (the shipper's timer does those).
 *
 * What is shipped, and when:
 * - an intent (root or follow-up) once journaled, status `intended`; then every change of its status. A
 *   root's status is the state machine's; a follow-up's is derived from its own orders the same way
 *   (`followUpStatus`), `closed` with its root;
 * - an order whenever its status or its oid changed (its `intended` row comes with its intent);
 * - every fill applied to one of our orders, once per trade id in this process (userFills and userEvents
 *   both report it). After a restart the journal holds fills only in aggregate, so a fill is shipped again
 *   when the exchange reports it again (the userFills snapshot of a new subscription): a fill lost between
 *   the journal and SQS by a crash reaches the queue then, and the writer keeps one row per tid;
 * - every funding payment, with the position the ledger attributed it to;
 * - a position snapshot of a market when a root intent resolves, and of every market each
 *   `snapshotIntervalMs`;
 * - on start-up (`replay`), every open intent of the journal with its follow-ups and orders at their
 *   current statuses: harmless downstream (idempotent), and what a crash between the journal and SQS lost.
 *
 * Order: a root intent's event is always shipped before its orders' (the writer needs the intent row
 * first). The executor journals a root before its bytes leave but reports it here only as pending
 * (`journaled`: two field stores); the event is built by the next call — which comes after the write.
 */

import type { LegBook } from "../book/legBook.js";
import type { MarketBooks } from "../book/marketBooks.js";
import {
  divide,
  formatDecimal,
  fromScaledBigInt,
  isZero,
  parseDecimal,
} from "../exchange/decimal/decimal.js";
import type { Cloid, WireDecimal } from "../exchange/wire/brands.js";
import type { UserFill } from "../exchange/wire/info.js";
import type { WsUserFunding } from "../exchange/wire/ws.js";
import { fillEvent, intentEvent, orderEvent } from "../persistence/tradeEventCodec.js";
import type { TradeEventSink } from "../persistence/tradeEventSink.js";
import type { Intent } from "./intent.js";
import { filledSize, isFinal, type IntentState, type IntentStatus, type OrderState } from "./intentState.js";
import type { MarketHoldings } from "./tradeLedger.js";

export interface TradeEventObserverOptions {
  /** Every market's position is snapshotted this often; default 60 000 ms. */
  readonly snapshotIntervalMs?: number;
  /** Trade ids remembered as shipped (the oldest are forgotten first); default 4 096. */
  readonly rememberedTids?: number;
}

/** Decimals of a snapshot's perp entry price (cost ÷ size rarely terminates). */
const ENTRY_PX_DECIMALS = 12;

export class TradeEventObserver {
  private readonly snapshotIntervalMs: number;
  private readonly rememberedTids: number;
  /** Trade ids shipped by this process, oldest first. */
  private readonly shippedTids = new Set<number>();
  private readonly lastSnapshotAtMs = new Map<string, number>();
  private lastPeriodicSnapshotAtMs = Number.NEGATIVE_INFINITY;
  private pendingIntent: Intent | null = null;
  private pendingExpectedNetBps: number | null = null;

  constructor(
    private readonly sink: TradeEventSink,
    /** Epoch ms (the executor's clock). */
    private readonly clock: () => number,
    options: TradeEventObserverOptions = {},
  ) {
    this.snapshotIntervalMs = options.snapshotIntervalMs ?? 60_000;
    this.rememberedTids = options.rememberedTids ?? 4_096;
  }

  /**
   * An intent was journaled (before its orders were written): its `intended` event is built by the next
   * call of this observer. `expectedNetBps`: the edge's net bps an open expects, else null.
   */
  journaled(intent: Intent, expectedNetBps: number | null): void {
    this.flush();
    this.pendingIntent = intent;
    this.pendingExpectedNetBps = expectedNetBps;
  }

  /** Ships the pending intent's `intended` event, if any. */
  flush(): void {
    const intent = this.pendingIntent;
    if (intent === null) return;
    this.pendingIntent = null;
    this.sink.ship(intentEvent(intent, "intended", intent.createdAtMs, this.pendingExpectedNetBps));
  }

  /** A journal write moved a root (and its follow-ups) from `before` to `after`. */
  changed(before: IntentState, after: IntentState): void {
    this.flush();
    if (before === after) return;
    const atMs = this.clock();
    const rootLegs = after.intent.legs.length;
    let followUpChanged = false;
    for (let index = 0; index < after.orders.length; index++) {
      const order = after.orders[index]!;
      const previous = before.orders[index];
      // A new follow-up's orders are created `intended` by its intent event.
      if (previous === undefined || previous === order) continue;
      if (previous.status === order.status && previous.oid === order.oid) continue;
      this.sink.ship(orderEvent(intentOf(after, order.cloid), order.cloid, order.status, order.oid, atMs));
      if (index >= rootLegs) followUpChanged = true;
    }
    if (before.status !== after.status) this.sink.ship(intentEvent(after.intent, after.status, atMs));
    if (!followUpChanged) return;
    for (const followUp of after.followUps) {
      const status = followUpStatus(after, followUp);
      if (!before.followUps.includes(followUp) || followUpStatus(before, followUp) === status) continue;
      this.sink.ship(intentEvent(followUp, status, atMs));
    }
  }

  /**
   * A fill of order `cloid` of `state`, applied now or earlier (a repeated report): shipped unless this
   * process shipped its trade id already.
   */
  fill(state: IntentState, cloid: Cloid, fill: UserFill): void {
    this.flush();
    if (this.shippedTids.has(fill.tid)) return;
    this.shippedTids.add(fill.tid);
    if (this.shippedTids.size > this.rememberedTids) {
      this.shippedTids.delete(this.shippedTids.values().next().value as number);
    }
    this.sink.ship(fillEvent(intentOf(state, cloid), cloid, fill));
  }

  /** A funding payment on `coin`'s perp (the configured coin), attributed to `positionId`. */
  funding(coin: string, funding: WsUserFunding, timeMs: number, positionId: string | null): void {
    this.flush();
    this.sink.ship({
      kind: "funding",
      coin,
      timeMs,
      usdc: funding.usdc,
      positionSize: funding.szi,
      fundingRate: funding.fundingRate,
      positionId,
    });
  }

  /** The position of these open intents was closed in the journal at `atMs`. */
  closed(states: readonly IntentState[], atMs: number): void {
    this.flush();
    for (const state of states) {
      this.sink.ship(intentEvent(state.intent, "closed", atMs));
      for (const followUp of state.followUps) this.sink.ship(intentEvent(followUp, "closed", atMs));
    }
  }

  /** True when the periodic snapshot of every market is due at `nowMs` (and counts it as taken). */
  snapshotDue(nowMs: number): boolean {
    if (nowMs - this.lastPeriodicSnapshotAtMs < this.snapshotIntervalMs) return false;
    this.lastPeriodicSnapshotAtMs = nowMs;
    return true;
  }

  /** What a market's fills hold now, with the books' mids; one per coin and millisecond (the table's key). */
  snapshot(holdings: MarketHoldings, books: MarketBooks, atMs: number): void {
    this.flush();
    const coin = holdings.coin;
    if (this.lastSnapshotAtMs.get(coin) === atMs) return;
    this.lastSnapshotAtMs.set(coin, atMs);
    const perpQty = parseDecimal(holdings.perpQty);
    this.sink.ship({
      kind: "positionSnapshot",
      coin,
      takenAtMs: atMs,
      perpSize: holdings.perpQty,
      spotSize: holdings.spotNetQty,
      perpEntryPx: isZero(perpQty)
        ? null
        : formatDecimal(
            divide(parseDecimal(holdings.perpOpenCostUsdc), perpQty, ENTRY_PX_DECIMALS, "halfEven"),
          ),
      perpMarkPx: midOf(books.perp),
      spotMidPx: midOf(books.spot),
      // Not marked: the bot's PnL is realized PnL (tradeLedger.ts); the mids above let a reader mark it.
      unrealizedPnl: null,
    });
  }

  /**
   * An open intent recovered from the journal at start-up: the root, its follow-ups, then every order, at
   * their current statuses (a crash may have kept any of them from the queue).
   */
  replay(state: IntentState): void {
    this.flush();
    const atMs = this.clock();
    this.sink.ship(intentEvent(state.intent, state.status, atMs));
    for (const followUp of state.followUps) {
      this.sink.ship(intentEvent(followUp, followUpStatus(state, followUp), atMs));
    }
    for (const order of state.orders) {
      this.sink.ship(orderEvent(intentOf(state, order.cloid), order.cloid, order.status, order.oid, atMs));
    }
  }
}

/** The intent (root or follow-up) of `state` that has the leg `cloid`. */
function intentOf(state: IntentState, cloid: Cloid): Intent {
  if (state.intent.legs.some((leg) => leg.cloid === cloid)) return state.intent;
  return state.followUps.find((followUp) => followUp.legs.some((leg) => leg.cloid === cloid)) ?? state.intent;
}

/**
 * A follow-up's own status, by the rules the state machine applies to a root (`intentState.ts` `derive`):
 * nothing sent, on its way, acknowledged, every leg filled (`hedged`, or `unwound` for an unwind), nothing
 * filled (`rejected`), or filled in part (`needsHedge`: its root follows up again or accepts the rest).
 */
export function followUpStatus(state: IntentState, followUp: Intent): IntentStatus {
  if (state.status === "closed") return "closed";
  const orders: OrderState[] = state.orders.filter((order) => order.intentId === followUp.intentId);
  if (orders.every((order) => order.status === "intended")) return "intended";
  if (!orders.every(isFinal)) {
    const acknowledged = orders.every(
      (order) => order.status === "acked" || order.status === "partial" || isFinal(order),
    );
    return acknowledged ? "acked" : "sent";
  }
  if (orders.every((order) => order.status === "filled")) {
    return followUp.action === "unwind" ? "unwound" : "hedged";
  }
  if (orders.every((order) => filledSize(order) === "0")) return "rejected";
  return "needsHedge";
}

/** The mid of a leg's best bid and ask as an exact decimal; null when a side is empty. */
function midOf(book: LegBook): WireDecimal | null {
  const bid = book.bids.bestPrice();
  const ask = book.asks.bestPrice();
  if (!Number.isSafeInteger(bid) || !Number.isSafeInteger(ask)) return null;
  // (bid + ask) / 2 in price units = (bid + ask) × 5 at one more decimal: exact.
  return formatDecimal(fromScaledBigInt(BigInt(bid + ask) * 5n, book.scales.priceDecimals + 1));
}
