/**
 * What the exchange remembers about users: every order's last status, fills and funding payments.
 *
 * Bounded like the exchange's own history (PROTOCOL §4.5: 10 000 reachable fills): beyond the limits the
 * oldest fills and funding records are dropped, and the oldest orders in a terminal status are forgotten
 * (`orderStatus` then answers `unknownOid`). Open orders are never dropped.
 */
import type { Address, Cloid, Hex } from "../../../hotpath/exchange/wire/brands.js";
import type { OrderStatusName } from "./views.js";

export type OrderTif = "Gtc" | "Ioc" | "Alo";

export interface OrderRecord {
  readonly oid: number;
  readonly user: Address;
  readonly asset: number;
  readonly coin: string;
  readonly isBuy: boolean;
  readonly limitPx: bigint;
  readonly origSz: bigint;
  /** Remaining size. */
  sz: bigint;
  readonly timestamp: number;
  readonly cloid: Cloid | undefined;
  readonly reduceOnly: boolean;
  readonly tif: OrderTif;
  status: OrderStatusName;
  statusTimestamp: number;
}

export interface FillRecord {
  readonly coin: string;
  readonly px: bigint;
  readonly sz: bigint;
  readonly isBuy: boolean;
  readonly time: number;
  readonly startPosition: bigint;
  readonly dir: string;
  readonly closedPnl: bigint;
  readonly hash: Hex;
  readonly oid: number;
  readonly crossed: boolean;
  readonly fee: bigint;
  readonly tid: number;
  readonly cloid: Cloid | undefined;
  readonly feeToken: string;
}

export interface FundingRecord {
  readonly time: number;
  readonly coin: string;
  readonly usdc: bigint;
  readonly szi: bigint;
  readonly fundingRate: bigint;
  readonly hash: Hex;
}

export interface HistoryLimits {
  readonly maxOrders: number;
  readonly maxFillsPerUser: number;
  readonly maxFundingPerUser: number;
}

export const DEFAULT_HISTORY_LIMITS: HistoryLimits = {
  maxOrders: 200_000,
  maxFillsPerUser: 10_000,
  maxFundingPerUser: 10_000,
};

const TERMINAL: ReadonlySet<OrderStatusName> = new Set<OrderStatusName>([
  "filled",
  "canceled",
  "rejected",
  "selfTradeCanceled",
  "reduceOnlyCanceled",
  "scheduledCancel",
  "iocCancelRejected",
  "badAloPxRejected",
  "minTradeNtlRejected",
  "perpMarginRejected",
  "reduceOnlyRejected",
  "insufficientSpotBalanceRejected",
]);

export function isTerminal(status: OrderStatusName): boolean {
  return TERMINAL.has(status);
}

/** Appends to a bounded list, trimming in batches so the cost stays amortised O(1). */
function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max + Math.max(16, max >> 3)) list.splice(0, list.length - max);
}

export class History {
  private readonly orders = new Map<number, OrderRecord>();
  private readonly cloids = new Map<Address, Map<Cloid, number>>();
  private readonly terminalOrder: number[] = [];
  private readonly fillsByUser = new Map<Address, FillRecord[]>();
  private readonly fundingByUser = new Map<Address, FundingRecord[]>();

  constructor(private readonly limits: HistoryLimits = DEFAULT_HISTORY_LIMITS) {}

  addOrder(record: OrderRecord): void {
    this.orders.set(record.oid, record);
    if (record.cloid !== undefined) {
      let byCloid = this.cloids.get(record.user);
      if (byCloid === undefined) {
        byCloid = new Map();
        this.cloids.set(record.user, byCloid);
      }
      // A reused cloid resolves to the newest order (the exchange's behaviour is undocumented).
      byCloid.set(record.cloid, record.oid);
    }
    if (isTerminal(record.status)) this.noteTerminal(record.oid);
  }

  order(oid: number): OrderRecord | undefined {
    return this.orders.get(oid);
  }

  orderByCloid(user: Address, cloid: Cloid): OrderRecord | undefined {
    const oid = this.cloids.get(user)?.get(cloid);
    return oid === undefined ? undefined : this.orders.get(oid);
  }

  setStatus(record: OrderRecord, status: OrderStatusName, time: number): void {
    const wasTerminal = isTerminal(record.status);
    record.status = status;
    record.statusTimestamp = time;
    if (!wasTerminal && isTerminal(status)) this.noteTerminal(record.oid);
  }

  addFill(user: Address, fill: FillRecord): void {
    let fills = this.fillsByUser.get(user);
    if (fills === undefined) {
      fills = [];
      this.fillsByUser.set(user, fills);
    }
    pushBounded(fills, fill, this.limits.maxFillsPerUser);
  }

  /** Oldest first. */
  fills(user: Address): readonly FillRecord[] {
    return this.fillsByUser.get(user) ?? [];
  }

  addFunding(user: Address, record: FundingRecord): void {
    let records = this.fundingByUser.get(user);
    if (records === undefined) {
      records = [];
      this.fundingByUser.set(user, records);
    }
    pushBounded(records, record, this.limits.maxFundingPerUser);
  }

  /** Oldest first. */
  funding(user: Address): readonly FundingRecord[] {
    return this.fundingByUser.get(user) ?? [];
  }

  private noteTerminal(oid: number): void {
    this.terminalOrder.push(oid);
    // Evict in batches (slack above the limit) so the splice stays amortised O(1) per order.
    const slack = Math.max(16, this.limits.maxOrders >> 3);
    if (this.orders.size <= this.limits.maxOrders + slack) return;
    const excess = this.orders.size - this.limits.maxOrders;
    const evicted = this.terminalOrder.splice(0, Math.min(excess, this.terminalOrder.length));
    for (const old of evicted) {
      const record = this.orders.get(old);
      if (record === undefined) continue;
      this.orders.delete(old);
      if (record.cloid !== undefined) {
        const byCloid = this.cloids.get(record.user);
        if (byCloid?.get(record.cloid) === old) byCloid.delete(record.cloid);
      }
    }
  }
}
