/**
 * One asset's book: the model's liquidity (replaced wholesale each model step) plus resting user orders.
 *
 * Priority: better price first; at the same price the model's liquidity is queued ahead of user orders
 * (it stands for the depth that was already displayed when the user joined, and it is refreshed every
 * step), then user orders in arrival order. Consuming model liquidity depletes that level until the next
 * model step replaces the whole ladder. The published levels aggregate both sources.
 */
import type { Address, Cloid } from "../../../hotpath/exchange/wire/brands.js";
import type { BookLevel, LegBook } from "./marketModel.js";

export type RestingTif = "Gtc" | "Alo";

export interface RestingOrder {
  readonly oid: number;
  readonly user: Address;
  readonly asset: number;
  readonly isBuy: boolean;
  readonly px: bigint;
  /** Remaining size. */
  sz: bigint;
  readonly origSz: bigint;
  readonly timestamp: number;
  readonly cloid: Cloid | undefined;
  readonly reduceOnly: boolean;
  readonly tif: RestingTif;
}

/** A model level whose size shrinks as it is consumed. */
export interface ModelLevel {
  readonly px: bigint;
  sz: bigint;
  readonly n: number;
}

interface UserLevel {
  readonly px: bigint;
  readonly orders: RestingOrder[];
}

/** The next liquidity an incoming order would meet. */
export type Maker =
  | { readonly kind: "model"; readonly px: bigint; readonly level: ModelLevel }
  | { readonly kind: "user"; readonly px: bigint; readonly order: RestingOrder };

export class OrderBook {
  private modelBids: ModelLevel[] = [];
  private modelAsks: ModelLevel[] = [];
  /** Descending by price. */
  private readonly userBids: UserLevel[] = [];
  /** Ascending by price. */
  private readonly userAsks: UserLevel[] = [];
  private readonly byOid = new Map<number, RestingOrder>();

  constructor(readonly asset: number) {}

  /** Replaces the model's liquidity with a fresh ladder (copied: the book mutates its sizes). */
  setModelLiquidity(book: LegBook): void {
    this.modelBids = book.bids.map((level) => ({ px: level.px, sz: level.sz, n: level.n }));
    this.modelAsks = book.asks.map((level) => ({ px: level.px, sz: level.sz, n: level.n }));
  }

  add(order: RestingOrder): void {
    if (this.byOid.has(order.oid)) throw new Error(`oid ${order.oid} already resting`);
    const levels = order.isBuy ? this.userBids : this.userAsks;
    const index = this.levelIndex(levels, order.px, order.isBuy);
    const existing = levels[index];
    if (existing !== undefined && existing.px === order.px) existing.orders.push(order);
    else levels.splice(index, 0, { px: order.px, orders: [order] });
    this.byOid.set(order.oid, order);
  }

  get(oid: number): RestingOrder | undefined {
    return this.byOid.get(oid);
  }

  has(oid: number): boolean {
    return this.byOid.has(oid);
  }

  /** Removes a resting order; returns it, or `undefined` when it is not in the book. */
  remove(oid: number): RestingOrder | undefined {
    const order = this.byOid.get(oid);
    if (order === undefined) return undefined;
    const levels = order.isBuy ? this.userBids : this.userAsks;
    const index = this.levelIndex(levels, order.px, order.isBuy);
    const level = levels[index];
    if (level !== undefined && level.px === order.px) {
      const position = level.orders.indexOf(order);
      if (position >= 0) level.orders.splice(position, 1);
      if (level.orders.length === 0) levels.splice(index, 1);
    }
    this.byOid.delete(oid);
    return order;
  }

  /** Reduces a resting order after a fill; removes it when nothing is left. */
  fillResting(order: RestingOrder, sz: bigint): void {
    if (sz <= 0n || sz > order.sz) throw new Error(`bad fill ${sz} of resting ${order.sz}`);
    order.sz -= sz;
    if (order.sz === 0n) this.remove(order.oid);
  }

  consumeModel(level: ModelLevel, sz: bigint): void {
    if (sz <= 0n || sz > level.sz) throw new Error(`bad consumption ${sz} of model level ${level.sz}`);
    level.sz -= sz;
  }

  /** The best liquidity an incoming order on side `takerIsBuy` would meet, model first at equal price. */
  bestMaker(takerIsBuy: boolean): Maker | undefined {
    const model = this.bestModel(!takerIsBuy);
    const user = this.bestUser(!takerIsBuy);
    if (model === undefined)
      return user === undefined ? undefined : { kind: "user", px: user.px, order: user };
    if (user === undefined) return { kind: "model", px: model.px, level: model };
    const userBetter = takerIsBuy ? user.px < model.px : user.px > model.px;
    return userBetter
      ? { kind: "user", px: user.px, order: user }
      : { kind: "model", px: model.px, level: model };
  }

  /** Best model level on a side, skipping depleted levels. */
  bestModel(isBid: boolean): ModelLevel | undefined {
    const levels = isBid ? this.modelBids : this.modelAsks;
    for (const level of levels) if (level.sz > 0n) return level;
    return undefined;
  }

  /** Oldest order at the best user price on a side. */
  bestUser(isBid: boolean): RestingOrder | undefined {
    const levels = isBid ? this.userBids : this.userAsks;
    return levels[0]?.orders[0];
  }

  bestBidPx(): bigint | undefined {
    return this.bestPx(true);
  }

  bestAskPx(): bigint | undefined {
    return this.bestPx(false);
  }

  /** Aggregated levels of both sources, best first, at most `max`. */
  levels(isBid: boolean, max: number): BookLevel[] {
    const model = (isBid ? this.modelBids : this.modelAsks).filter((level) => level.sz > 0n);
    const user = isBid ? this.userBids : this.userAsks;
    const out: BookLevel[] = [];
    let m = 0;
    let u = 0;
    while (out.length < max && (m < model.length || u < user.length)) {
      const modelLevel = model[m];
      const userLevel = user[u];
      const userPx = userLevel?.px;
      const modelPx = modelLevel?.px;
      let px: bigint;
      if (modelPx === undefined) px = userPx as bigint;
      else if (userPx === undefined) px = modelPx;
      else px = isBid ? (modelPx > userPx ? modelPx : userPx) : modelPx < userPx ? modelPx : userPx;
      let sz = 0n;
      let n = 0;
      if (modelLevel !== undefined && modelLevel.px === px) {
        sz += modelLevel.sz;
        n += modelLevel.n;
        m++;
      }
      if (userLevel !== undefined && userLevel.px === px) {
        for (const order of userLevel.orders) sz += order.sz;
        n += userLevel.orders.length;
        u++;
      }
      out.push({ px, sz, n });
    }
    return out;
  }

  /** Every resting user order, in no particular order. */
  restingOrders(): IterableIterator<RestingOrder> {
    return this.byOid.values();
  }

  private bestPx(isBid: boolean): bigint | undefined {
    const model = this.bestModel(isBid)?.px;
    const user = (isBid ? this.userBids : this.userAsks)[0]?.px;
    if (model === undefined) return user;
    if (user === undefined) return model;
    return isBid ? (model > user ? model : user) : model < user ? model : user;
  }

  /** Index of the level with `px`, or where it would be inserted (binary search). */
  private levelIndex(levels: readonly UserLevel[], px: bigint, descending: boolean): number {
    let lo = 0;
    let hi = levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const midPx = (levels[mid] as UserLevel).px;
      const before = descending ? midPx > px : midPx < px;
      if (before) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
