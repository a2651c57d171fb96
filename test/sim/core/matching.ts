/**
 * Matching an incoming order against one asset's book, and clearing resting orders the market moved through.
 *
 * The functions mutate the book and report every event through hooks, in order, so the caller can settle
 * each execution before the next one is priced (a maker's reduce-only allowance depends on fills earlier
 * in the same sweep). Self-trade prevention is expire-maker: a resting order of the taker's own address is
 * cancelled instead of filled and matching continues behind it (PROTOCOL §5.2).
 */
import type { Address } from "../../../hotpath/exchange/wire/brands.js";
import type { Maker, ModelLevel, OrderBook, RestingOrder } from "./orderBook.js";

export interface TakerOrder {
  readonly user: Address;
  readonly isBuy: boolean;
  /** Limit price; `undefined` = no limit (the model's own market flow). */
  readonly px: bigint | undefined;
  /** Size allowed to match (already capped by reduce-only and fault hooks). */
  readonly sz: bigint;
}

export interface Execution {
  /** Maker's price. */
  readonly px: bigint;
  readonly sz: bigint;
  readonly maker: Maker;
}

export interface MatchHooks {
  /** How much of `order` may fill now (reduce-only cap); 0 cancels it. Defaults to all. */
  makerAllowance?(order: RestingOrder): bigint;
  /** The book already removed `order` (expire-maker self-trade prevention). */
  onSelfTradeCancel(order: RestingOrder): void;
  /** The book already removed `order` because it can no longer reduce the position. */
  onReduceOnlyCancel(order: RestingOrder): void;
  /** Called after the book was updated for this execution. */
  onExecution(execution: Execution): void;
}

function withinLimit(takerIsBuy: boolean, limit: bigint | undefined, px: bigint): boolean {
  if (limit === undefined) return true;
  return takerIsBuy ? px <= limit : px >= limit;
}

/** Matches `taker` against the book; returns the filled size. */
export function matchOrder(book: OrderBook, taker: TakerOrder, hooks: MatchHooks): bigint {
  let remaining = taker.sz;
  while (remaining > 0n) {
    const maker = book.bestMaker(taker.isBuy);
    if (maker === undefined || !withinLimit(taker.isBuy, taker.px, maker.px)) break;
    if (maker.kind === "model") {
      const sz = remaining < maker.level.sz ? remaining : maker.level.sz;
      book.consumeModel(maker.level, sz);
      remaining -= sz;
      hooks.onExecution({ px: maker.px, sz, maker });
      continue;
    }
    const order = maker.order;
    if (order.user === taker.user) {
      book.remove(order.oid);
      hooks.onSelfTradeCancel(order);
      continue;
    }
    const sz = fillableOf(order, remaining, hooks);
    if (sz === 0n) {
      book.remove(order.oid);
      hooks.onReduceOnlyCancel(order);
      continue;
    }
    book.fillResting(order, sz);
    remaining -= sz;
    hooks.onExecution({ px: maker.px, sz, maker });
  }
  return taker.sz - remaining;
}

/**
 * After the model replaced its ladder, a resting user order may sit at or through the new opposite touch:
 * the market traded through it. It fills as maker at its own limit price against the crossing model
 * liquidity (consumed), until the book is no longer crossed. `onExecution` receives the resting order as
 * `maker` and the consumed model level in `counter`.
 */
export function clearCrossedResting(
  book: OrderBook,
  hooks: Omit<MatchHooks, "onSelfTradeCancel" | "onExecution"> & {
    onExecution(execution: Execution & { readonly counter: ModelLevel }): void;
  },
): void {
  for (const isBid of [true, false]) {
    for (;;) {
      const order = book.bestUser(isBid);
      const level = book.bestModel(!isBid);
      if (order === undefined || level === undefined) break;
      if (isBid ? order.px < level.px : order.px > level.px) break;
      const allowance = hooks.makerAllowance?.(order) ?? order.sz;
      if (allowance === 0n) {
        book.remove(order.oid);
        hooks.onReduceOnlyCancel(order);
        continue;
      }
      let sz = order.sz < level.sz ? order.sz : level.sz;
      if (allowance < sz) sz = allowance;
      book.consumeModel(level, sz);
      book.fillResting(order, sz);
      hooks.onExecution({ px: order.px, sz, maker: { kind: "user", px: order.px, order }, counter: level });
    }
  }
}

function fillableOf(order: RestingOrder, remaining: bigint, hooks: MatchHooks): bigint {
  let sz = remaining < order.sz ? remaining : order.sz;
  const allowance = hooks.makerAllowance?.(order);
  if (allowance !== undefined && allowance < sz) sz = allowance > 0n ? allowance : 0n;
  return sz;
}
