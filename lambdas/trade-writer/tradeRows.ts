/**
 * Decoded trade events → the rows of one bulk write, one set of column arrays per table (pure).
 *
 * One row per key: `INSERT … ON CONFLICT DO UPDATE` may not touch a row twice in one statement, so events
 * for the same intent or order are collapsed here to the furthest status (the state machine's order), and
 * repeats of write-once keys (a tid, a change id, …) to their first occurrence. An intent also yields its
 * legs as `intended` orders, so the lineage intent → orders (cloid) exists as soon as the intent does.
 *
 * Values travel as text the server casts exactly: decimals verbatim, times as ISO-8601 UTC (epoch
 * milliseconds through `Date`, exact, never through a float of seconds), ids as numbers.
 */

import {
  INTENT_STATUSES,
  ORDER_STATUSES,
  type IntentStatus,
  type OrderStatus,
  type TradeEvent,
  type TradeEventKind,
  controlChangeColumns,
} from "../../hotpath/persistence/tradeEventCodec.js";

const intentRank = (status: IntentStatus): number => INTENT_STATUSES.indexOf(status);
const orderRank = (status: OrderStatus): number => ORDER_STATUSES.indexOf(status);

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function numericText(value: number | null): string | null {
  // String(n) is the shortest decimal that round-trips the double; Postgres numeric reads its exponent form.
  return value === null ? null : String(value);
}

export interface IntentRow {
  readonly intentId: string;
  readonly bootId: string;
  readonly edgeId: number | null;
  readonly positionId: string;
  readonly coin: string;
  readonly direction: string;
  readonly action: string;
  readonly hedgedSize: string;
  readonly expectedNetBps: string | null;
  readonly status: IntentStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly parentIntentId: string | null;
}

export interface OrderRow {
  readonly cloid: string;
  readonly intentId: string;
  readonly oid: number | null;
  readonly coin: string;
  readonly market: string;
  readonly side: string;
  readonly size: string;
  readonly limitPx: string;
  readonly tif: string;
  readonly reduceOnly: boolean;
  readonly status: OrderStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Every table's rows of one write, in the order the tables are written (parents first). */
export interface TradeRows {
  readonly intents: readonly IntentRow[];
  readonly orders: readonly OrderRow[];
  /** Write-once tables: column values in the order of the table's INSERT (tradeStore.ts). */
  readonly fills: readonly (readonly unknown[])[];
  readonly funding: readonly (readonly unknown[])[];
  readonly transfers: readonly (readonly unknown[])[];
  readonly positionSnapshots: readonly (readonly unknown[])[];
  readonly controlChanges: readonly (readonly unknown[])[];
}

/** Events per kind, for the summary line. */
export type KindCounts = Record<TradeEventKind, number>;

export function emptyKindCounts(): KindCounts {
  return {
    intent: 0,
    order: 0,
    fill: 0,
    funding: 0,
    transfer: 0,
    positionSnapshot: 0,
    controlChange: 0,
  };
}

/** Keeps the first row per key. */
class FirstByKey {
  readonly rows = new Map<string, readonly unknown[]>();
  add(key: string, row: readonly unknown[]): void {
    if (!this.rows.has(key)) this.rows.set(key, row);
  }
  list(): (readonly unknown[])[] {
    return [...this.rows.values()];
  }
}

/** The rows `events` write; `events` in delivery order. */
export function tradeRowsOf(events: Iterable<TradeEvent>): TradeRows {
  const intents = new Map<string, IntentRow>();
  const orders = new Map<string, OrderRow>();
  const fills = new FirstByKey();
  const funding = new FirstByKey();
  const transfers = new FirstByKey();
  const snapshots = new FirstByKey();
  const controls = new FirstByKey();

  const putOrder = (row: OrderRow): void => {
    const known = orders.get(row.cloid);
    if (known === undefined) {
      orders.set(row.cloid, row);
      return;
    }
    const forward = orderRank(row.status) > orderRank(known.status);
    const oid = known.oid ?? row.oid;
    if (forward) orders.set(row.cloid, { ...row, oid, createdAt: known.createdAt });
    else if (oid !== known.oid) orders.set(row.cloid, { ...known, oid });
  };

  for (const event of events) {
    switch (event.kind) {
      case "intent": {
        const { intent } = event;
        const createdAt = iso(intent.createdAtMs);
        const row: IntentRow = {
          intentId: intent.intentId,
          bootId: intent.bootId,
          edgeId: intent.edgeId,
          positionId: intent.positionId,
          coin: intent.coin,
          direction: intent.direction,
          action: intent.action,
          hedgedSize: event.hedgedSize,
          expectedNetBps: numericText(event.expectedNetBps),
          status: event.status,
          createdAt,
          updatedAt: iso(event.atMs),
          parentIntentId: intent.parentIntentId,
        };
        const known = intents.get(row.intentId);
        if (known === undefined || intentRank(row.status) > intentRank(known.status)) {
          intents.set(row.intentId, row);
        }
        for (const leg of intent.legs) {
          putOrder({
            cloid: leg.cloid,
            intentId: intent.intentId,
            oid: null,
            coin: intent.coin,
            market: leg.market,
            side: leg.side,
            size: leg.size,
            limitPx: leg.limitPx,
            tif: leg.tif,
            reduceOnly: leg.reduceOnly,
            status: "intended",
            createdAt,
            updatedAt: createdAt,
          });
        }
        break;
      }
      case "order":
        putOrder({
          cloid: event.cloid,
          intentId: event.intentId,
          oid: event.oid,
          coin: event.coin,
          market: event.market,
          side: event.side,
          size: event.size,
          limitPx: event.limitPx,
          tif: event.tif,
          reduceOnly: event.reduceOnly,
          status: event.status,
          createdAt: iso(event.createdAtMs),
          updatedAt: iso(event.atMs),
        });
        break;
      case "fill":
        fills.add(String(event.tid), [
          event.tid,
          event.cloid,
          event.oid,
          event.coin,
          event.market,
          event.side,
          event.px,
          event.size,
          event.fee,
          event.feeToken,
          event.closedPnl,
          event.hash,
          iso(event.timeMs),
        ]);
        break;
      case "funding":
        funding.add(`${event.coin}|${event.timeMs}`, [
          event.coin,
          iso(event.timeMs),
          event.usdc,
          event.positionSize,
          event.fundingRate,
          event.positionId,
        ]);
        break;
      case "transfer":
        transfers.add(event.transferId, [
          event.transferId,
          event.direction,
          event.token,
          event.amount,
          event.tickId,
          event.status,
          iso(event.atMs),
        ]);
        break;
      case "positionSnapshot":
        snapshots.add(`${event.coin}|${event.takenAtMs}`, [
          iso(event.takenAtMs),
          event.coin,
          event.perpSize,
          event.spotSize,
          event.perpEntryPx,
          event.perpMarkPx,
          event.spotMidPx,
          event.unrealizedPnl,
        ]);
        break;
      case "controlChange": {
        const columns = controlChangeColumns(event.change);
        controls.add(event.change.changeId, [
          event.change.changeId,
          columns.changed_at,
          columns.actor,
          columns.control,
          columns.old_value,
          columns.new_value,
          columns.reason,
        ]);
        break;
      }
    }
  }
  return {
    intents: [...intents.values()],
    orders: [...orders.values()],
    fills: fills.list(),
    funding: funding.list(),
    transfers: transfers.list(),
    positionSnapshots: snapshots.list(),
    controlChanges: controls.list(),
  };
}
