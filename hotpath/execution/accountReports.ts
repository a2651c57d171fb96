/**
 * The account streams of the order socket, routed to our orders: fills (`userFills`, and again in
 * `userEvents`), order updates, funding payments and liquidations. A report names its order by cloid when
 * it carries one, else by oid, learned from the answers, fills and updates that carry both; a fill that
 * arrives before its oid is known waits for it (bounded by time), and funding is counted once per
 * (time, coin) — the exchange sends every funding entry with the same zero hash.
 */

import type { Cloid } from "../exchange/wire/brands.js";
import type { UserFill } from "../exchange/wire/info.js";
import type { WsInboundMessage, WsOrderUpdate, WsUserFunding } from "../exchange/wire/ws.js";
import type { Logger } from "../observability/logger.js";
import { eventOfOrderUpdate } from "./exchangeReports.js";
import type { ExecutorStats } from "./executorOptions.js";
import type { OrderEvent } from "./intentState.js";

export interface AccountReportHandlers {
  /** A fill of one of our orders. */
  fill(cloid: Cloid, fill: UserFill, receivedAtMs: number): void;
  /** An update of one of our open orders, as its event. */
  update(cloid: Cloid, event: OrderEvent): void;
  /** A funding payment, once. */
  funding(funding: WsUserFunding, timeMs: number): void;
  /** The exchange liquidated the account (or part of it). */
  liquidation(detail: string): void;
  /** Whether an open intent has an order with this cloid. */
  isOpen(cloid: Cloid): boolean;
  /** The executor's clock, epoch ms. */
  now(): number;
}

/** A fill whose oid was not known yet is kept this long for it. */
const PENDING_FILL_TTL_MS = 10_000;
const FUNDING_KEYS_KEPT = 1_000;

export class AccountReports {
  private readonly cloidByOid = new Map<number, Cloid>();
  private readonly pendingFills = new Map<number, { readonly fill: UserFill; readonly atMs: number }[]>();
  private readonly fundingKeys = new Set<string>();

  constructor(
    private readonly handlers: AccountReportHandlers,
    private readonly stats: Pick<ExecutorStats, "foreignReports" | "unmatchedFills" | "unrecognisedUpdates">,
    private readonly logger: Logger,
  ) {}

  /** The order channel's `accountMessage` handler. */
  onMessage(message: WsInboundMessage, receivedAtMs: number): void {
    switch (message.channel) {
      case "userFills": {
        // The snapshot a (re)subscription starts with is history: only what belongs to an open order counts.
        const history = message.data.isSnapshot === true;
        for (const fill of message.data.fills) this.onFill(fill, receivedAtMs, history);
        return;
      }
      case "user": {
        const data = message.data;
        if ("fills" in data) for (const fill of data.fills) this.onFill(fill, receivedAtMs, false);
        else if ("funding" in data) this.onFunding(data.funding);
        else if ("liquidation" in data) this.handlers.liquidation(JSON.stringify(data.liquidation));
        return;
      }
      case "orderUpdates":
        for (const update of message.data) this.onOrderUpdate(update);
        return;
      case "error":
        this.logger.warn({ data: message.data }, "order socket error frame");
        return;
      default:
        return;
    }
  }

  /** `oid` is the exchange's id of our order `cloid`; fills that waited for it are delivered now. */
  learnOid(oid: number, cloid: Cloid, receivedAtMs: number): void {
    if (this.cloidByOid.get(oid) === cloid) return;
    this.cloidByOid.set(oid, cloid);
    const pending = this.pendingFills.get(oid);
    if (pending === undefined) return;
    this.pendingFills.delete(oid);
    for (const entry of pending) this.handlers.fill(cloid, entry.fill, receivedAtMs);
  }

  /** Drops fills that waited too long for their oid (counted), and the oids of orders no longer open. */
  maintain(nowMs: number): void {
    for (const [oid, entries] of this.pendingFills) {
      if (nowMs - entries[0]!.atMs < PENDING_FILL_TTL_MS) continue;
      this.pendingFills.delete(oid);
      this.stats.unmatchedFills += entries.length;
    }
  }

  /** Forgets the oids of orders no open intent has any more (their position closed). */
  forgetClosed(): void {
    for (const [oid, cloid] of this.cloidByOid) {
      if (!this.handlers.isOpen(cloid)) this.cloidByOid.delete(oid);
    }
  }

  private onFill(fill: UserFill, receivedAtMs: number, history: boolean): void {
    const cloid = fill.cloid ?? this.cloidByOid.get(fill.oid);
    if (cloid === undefined || cloid === null) {
      if (history) return;
      const pending = this.pendingFills.get(fill.oid) ?? [];
      pending.push({ fill, atMs: this.handlers.now() });
      this.pendingFills.set(fill.oid, pending);
      return;
    }
    if (!this.handlers.isOpen(cloid)) {
      if (!history) this.stats.foreignReports += 1;
      return;
    }
    this.learnOid(fill.oid, cloid, receivedAtMs);
    this.handlers.fill(cloid, fill, receivedAtMs);
  }

  private onOrderUpdate(update: WsOrderUpdate): void {
    const cloid = update.order.cloid ?? this.cloidByOid.get(update.order.oid);
    if (cloid === undefined || cloid === null || !this.handlers.isOpen(cloid)) {
      this.stats.foreignReports += 1;
      return;
    }
    const event = eventOfOrderUpdate(update);
    if (event === null) {
      this.stats.unrecognisedUpdates += 1;
      return;
    }
    this.cloidByOid.set(update.order.oid, cloid);
    this.handlers.update(cloid, event);
  }

  private onFunding(funding: WsUserFunding): void {
    const timeMs = funding.time ?? this.handlers.now();
    const key = `${timeMs}:${funding.coin}`;
    if (this.fundingKeys.has(key)) return;
    this.fundingKeys.add(key);
    if (this.fundingKeys.size > FUNDING_KEYS_KEPT) {
      this.fundingKeys.delete(this.fundingKeys.values().next().value as string);
    }
    this.handlers.funding(funding, timeMs);
  }
}
