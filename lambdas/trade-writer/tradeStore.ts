/**
 * Where decoded trade events go: one `INSERT … SELECT … FROM unnest(…)` per table that has rows, parents
 * first (intents, then orders, whose `intent_id` is a foreign key), all idempotent:
 *
 * - intents: `ON CONFLICT (intent_id) DO UPDATE` status and updated_at, only forward (`INTENT_STATUSES`);
 * - orders: `ON CONFLICT (cloid) DO UPDATE` status and updated_at only forward (`ORDER_STATUSES`), and the
 *   oid once it is known;
 * - fills (tid), funding (coin, time), transfers (transfer id), position snapshots (coin, time), control
 *   changes (change_uid): `ON CONFLICT … DO NOTHING`.
 *
 * Why unnest and not the edge-writer's binary COPY: trade events come a few per intent, ten per batch at
 * most, into eight tables with upserts; COPY cannot upsert, and at this volume the round trips, not the
 * parsing, are the cost. Unnest is one statement per table whatever the row count, and works on PGlite.
 *
 * Two entry points: `write` (everything in one transaction) and `writeEach` (one savepoint per message, in
 * order, to isolate the message whose data the server refuses). Errors are left to the caller to
 * classify: SQLSTATE class 22/23 means "this data", anything else "this database".
 */

import { DatabaseError, type PoolClient } from "pg";

import { INTENT_STATUSES, ORDER_STATUSES } from "../../hotpath/persistence/tradeEventCodec.js";
import type { TradeRows } from "./tradeRows.js";

/** A `pg` Pool, or anything that lends out connections like one. */
export interface TradeDatabase {
  connect(): Promise<PoolClient>;
}

interface Queryable {
  query(text: string, values: unknown[]): Promise<{ rowCount: number | null }>;
}

const INSERT_INTENTS_SQL = `
INSERT INTO intents AS i (
  intent_id, boot_id, edge_id, position_id, coin, direction, action, hedged_size, expected_net_bps,
  status, created_at, updated_at, parent_intent_id
)
SELECT * FROM unnest(
  $1::text[], $2::uuid[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::text[], $8::numeric[],
  $9::numeric[], $10::text[], $11::timestamptz[], $12::timestamptz[], $13::text[]
)
ON CONFLICT (intent_id) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at
WHERE array_position($14::text[], EXCLUDED.status) > array_position($14::text[], i.status)`;

const INSERT_ORDERS_SQL = `
INSERT INTO orders AS o (
  cloid, intent_id, oid, coin, market, side, size, limit_px, tif, reduce_only, status, created_at, updated_at
)
SELECT * FROM unnest(
  $1::text[], $2::text[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::numeric[], $8::numeric[],
  $9::text[], $10::bool[], $11::text[], $12::timestamptz[], $13::timestamptz[]
)
ON CONFLICT (cloid) DO UPDATE SET
  status = CASE WHEN array_position($14::text[], EXCLUDED.status) > array_position($14::text[], o.status)
    THEN EXCLUDED.status ELSE o.status END,
  updated_at = CASE WHEN array_position($14::text[], EXCLUDED.status) > array_position($14::text[], o.status)
    THEN EXCLUDED.updated_at ELSE o.updated_at END,
  oid = coalesce(o.oid, EXCLUDED.oid)
WHERE array_position($14::text[], EXCLUDED.status) > array_position($14::text[], o.status)
   OR (o.oid IS NULL AND EXCLUDED.oid IS NOT NULL)`;

const INSERT_FILLS_SQL = `
INSERT INTO fills (
  tid, cloid, oid, coin, market, side, px, size, fee, fee_token, closed_pnl, hash, filled_at
)
SELECT * FROM unnest(
  $1::int8[], $2::text[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::numeric[], $8::numeric[],
  $9::numeric[], $10::text[], $11::numeric[], $12::text[], $13::timestamptz[]
)
ON CONFLICT (tid) DO NOTHING`;

const INSERT_FUNDING_SQL = `
INSERT INTO funding (coin, paid_at, usdc, position_size, funding_rate, position_id)
SELECT * FROM unnest(
  $1::text[], $2::timestamptz[], $3::numeric[], $4::numeric[], $5::numeric[], $6::text[]
)
ON CONFLICT (coin, paid_at) DO NOTHING`;

const INSERT_TRANSFERS_SQL = `
INSERT INTO transfers (transfer_id, kind, token, amount, tick_id, status, transferred_at)
SELECT * FROM unnest(
  $1::text[], $2::text[], $3::text[], $4::numeric[], $5::text[], $6::text[], $7::timestamptz[]
)
ON CONFLICT (transfer_id) DO NOTHING`;

const INSERT_SNAPSHOTS_SQL = `
INSERT INTO position_snapshots (
  taken_at, coin, perp_size, spot_size, perp_entry_px, perp_mark_px, spot_mid_px, unrealized_pnl
)
SELECT * FROM unnest(
  $1::timestamptz[], $2::text[], $3::numeric[], $4::numeric[], $5::numeric[], $6::numeric[],
  $7::numeric[], $8::numeric[]
)
ON CONFLICT (coin, taken_at) DO NOTHING`;

const INSERT_CONTROL_CHANGES_SQL = `
INSERT INTO control_changes (change_uid, changed_at, actor, control, old_value, new_value, reason)
SELECT * FROM unnest(
  $1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]
)
ON CONFLICT (change_uid) DO NOTHING`;

/** Rows as column arrays (unnest's parameters). */
function columnsOf(rows: readonly (readonly unknown[])[]): unknown[][] {
  const width = rows[0]?.length ?? 0;
  const columns: unknown[][] = Array.from({ length: width }, () => new Array<unknown>(rows.length));
  rows.forEach((row, r) => {
    for (let c = 0; c < width; c++) columns[c]![r] = row[c];
  });
  return columns;
}

async function insert(
  db: Queryable,
  sql: string,
  rows: readonly (readonly unknown[])[],
  extra: unknown[] = [],
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await db.query(sql, [...columnsOf(rows), ...extra]);
  return result.rowCount ?? 0;
}

/** Writes every table's rows on `db` (inside the caller's transaction); returns rows inserted or moved forward. */
export async function writeTradeRows(db: Queryable, rows: TradeRows): Promise<number> {
  let written = 0;
  written += await insert(
    db,
    INSERT_INTENTS_SQL,
    rows.intents.map((r) => [
      r.intentId,
      r.bootId,
      r.edgeId,
      r.positionId,
      r.coin,
      r.direction,
      r.action,
      r.hedgedSize,
      r.expectedNetBps,
      r.status,
      r.createdAt,
      r.updatedAt,
      r.parentIntentId,
    ]),
    [INTENT_STATUSES],
  );
  written += await insert(
    db,
    INSERT_ORDERS_SQL,
    rows.orders.map((r) => [
      r.cloid,
      r.intentId,
      r.oid,
      r.coin,
      r.market,
      r.side,
      r.size,
      r.limitPx,
      r.tif,
      r.reduceOnly,
      r.status,
      r.createdAt,
      r.updatedAt,
    ]),
    [ORDER_STATUSES],
  );
  written += await insert(db, INSERT_FILLS_SQL, rows.fills);
  written += await insert(db, INSERT_FUNDING_SQL, rows.funding);
  written += await insert(db, INSERT_TRANSFERS_SQL, rows.transfers);
  written += await insert(db, INSERT_SNAPSHOTS_SQL, rows.positionSnapshots);
  written += await insert(db, INSERT_CONTROL_CHANGES_SQL, rows.controlChanges);
  return written;
}

/** The SQLSTATE of an error the server reported (the session survives those); undefined for anything else. */
export function sqlState(error: unknown): string | undefined {
  return error instanceof DatabaseError ? error.code : undefined;
}

/** Postgres SQLSTATE classes that mean "this data", not "this database": 22 data exception, 23 integrity. */
export function isDataError(error: unknown): boolean {
  const code = sqlState(error);
  return code !== undefined && (code.startsWith("22") || code.startsWith("23"));
}

/** A checked-out connection and whether it may go back to the pool. */
interface Lease {
  readonly client: PoolClient;
  reusable: boolean;
}

/**
 * Runs `work` on one pooled connection. A server-reported error (it has a SQLSTATE) keeps the connection:
 * the session is fine, and on PGlite, which takes one connection at a time, a replacement would be refused
 * while the old one is still closing. Anything else (a cut socket, a timeout) destroys it.
 */
async function withConnection<T>(db: TradeDatabase, work: (lease: Lease) => Promise<T>): Promise<T> {
  const lease: Lease = { client: await db.connect(), reusable: true };
  // A checked-out client whose socket dies emits 'error'; unheard, that crashes the process. The running
  // statement rejects on its own, so here the connection is only marked as not to be pooled again.
  const onConnectionError = (): void => {
    lease.reusable = false;
  };
  lease.client.on("error", onConnectionError);
  try {
    return await work(lease);
  } catch (error) {
    if (sqlState(error) === undefined) lease.reusable = false;
    throw error;
  } finally {
    lease.client.off("error", onConnectionError);
    lease.client.release(!lease.reusable);
  }
}

async function rollback(lease: Lease, cause: unknown): Promise<void> {
  if (!lease.reusable || sqlState(cause) === undefined) {
    lease.reusable = false;
    return;
  }
  try {
    await lease.client.query("ROLLBACK");
  } catch {
    lease.reusable = false;
  }
}

/** One message's rows, and what became of them in `writeEach`. */
export interface MessageRows {
  readonly messageId: string;
  /** Records after a failed one in the same group are skipped (FIFO order); null: never skipped. */
  readonly groupId: string | null;
  readonly rows: TradeRows;
}

export interface WriteEachResult {
  readonly rows: number;
  /** Messages whose data the server refused, with its error. */
  readonly refused: ReadonlyMap<string, unknown>;
  /** Messages not attempted because an earlier message of their group was refused. */
  readonly held: ReadonlySet<string>;
}

export interface TradeStore {
  /** All rows in one transaction; returns rows inserted or moved forward. */
  write(rows: TradeRows): Promise<number>;
  /**
   * Messages in order, each under its own savepoint in one transaction: a message the server refuses
   * (SQLSTATE class 22/23) is rolled back alone and holds the rest of its group; any other error aborts
   * the whole call (throws).
   */
  writeEach(messages: readonly MessageRows[]): Promise<WriteEachResult>;
}

export function createTradeStore(db: TradeDatabase): TradeStore {
  return {
    write: (rows) =>
      withConnection(db, async (lease) => {
        try {
          await lease.client.query("BEGIN");
          const written = await writeTradeRows(lease.client, rows);
          await lease.client.query("COMMIT");
          return written;
        } catch (error) {
          await rollback(lease, error);
          throw error;
        }
      }),
    writeEach: (messages) =>
      withConnection(db, async (lease) => {
        const { client } = lease;
        const refused = new Map<string, unknown>();
        const held = new Set<string>();
        const failedGroups = new Set<string>();
        let rows = 0;
        try {
          await client.query("BEGIN");
          for (const message of messages) {
            if (message.groupId !== null && failedGroups.has(message.groupId)) {
              held.add(message.messageId);
              continue;
            }
            await client.query("SAVEPOINT trade_message");
            try {
              const written = await writeTradeRows(client, message.rows);
              await client.query("RELEASE SAVEPOINT trade_message");
              rows += written;
            } catch (error) {
              if (!isDataError(error)) throw error;
              await client.query("ROLLBACK TO SAVEPOINT trade_message");
              refused.set(message.messageId, error);
              if (message.groupId !== null) failedGroups.add(message.groupId);
            }
          }
          await client.query("COMMIT");
          return { rows, refused, held };
        } catch (error) {
          await rollback(lease, error);
          throw error;
        }
      }),
  };
}
