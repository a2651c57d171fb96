/**
 * Bulk insert of decoded edges with `unnest`: one `INSERT … SELECT … FROM unnest($1::…[], …) ON CONFLICT
 * DO NOTHING` per call, whatever the row count — one round trip, one plan, column arrays as parameters.
 *
 * The path for databases that cannot take `COPY FROM STDIN` (PGlite behind its socket, where it breaks
 * the connection); a real server gets binary COPY (edgeCopy.ts, chosen in edgeStore.ts), ≈ 3× faster
 * (docs/benchmarks.md, "Persistence: edge-writer").
 *
 * Money and rate columns are `numeric`, filled from text: decimal strings verbatim, doubles (bps, VWAPs)
 * through `String(n)`, the shortest decimal that round-trips the double — never through float8.
 * Times travel as whole epoch microseconds (rounded in node, as the COPY path rounds them) and become
 * timestamptz in SQL.
 */

import { type EdgeMessage, edgesOfMessage } from "../../hotpath/persistence/edgeBatchCodec.js";

/** Something that runs a parameterised query: a `pg` Pool or Client. */
export interface Queryable {
  query(text: string, values: unknown[]): Promise<{ rowCount: number | null; rows: unknown[] }>;
}

/** One message's edges from one process boot: rows, or a version-2 message's validated columns. */
export type BootEdges = EdgeMessage;

function num(value: number | null): string | null {
  return value === null ? null : String(value);
}

/**
 * Microseconds since 1970 as timestamptz, exactly: the COPY path rounds epoch ms to the microsecond in
 * node (`Math.round(ms × 1000)`), and so does this path, so both store the same instant.
 * (`to_timestamp(ms / 1000.0)` goes through float8 seconds and can land a microsecond away.) The count
 * travels as float8, exact below 2^53 µs (year 2255); beyond the type's range the server refuses it as
 * it refuses any out-of-range time (SQLSTATE 22008).
 */
function timestamp(column: string): string {
  return `timestamptz 'epoch' + ${column} * interval '1 microsecond'`;
}

/** Epoch ms as whole microseconds, rounded as `BinaryCopyWriter.timestamptzFromEpochMs` rounds them. */
function micros(epochMs: number): number {
  return Math.round(epochMs * 1000);
}

const INSERT_EDGES_SQL = `
INSERT INTO edges (
  recorded_at, boot_id, edge_id, coin, direction, status, outcome, skip_reason, intent_id,
  gross_bps, net_bps, entry_fee_bps, exit_fee_bps, funding_bps, clip_limit,
  perp_size, spot_size, hedged_size, perp_vwap, spot_vwap, perp_notional, spot_notional,
  perp_exchange_time, perp_received_at, spot_exchange_time, spot_received_at,
  perp_taker_fee_rate, spot_taker_fee_rate, funding_rate_per_hour
)
SELECT
  ${timestamp("recorded_us")}, boot_id, edge_id, coin, direction, status, outcome, skip_reason,
  intent_id, gross_bps, net_bps, entry_fee_bps, exit_fee_bps, funding_bps, clip_limit,
  perp_size, spot_size, hedged_size, perp_vwap, spot_vwap, perp_notional, spot_notional,
  ${timestamp("perp_exchange_us")}, ${timestamp("perp_received_us")},
  ${timestamp("spot_exchange_us")}, ${timestamp("spot_received_us")},
  perp_taker_fee_rate, spot_taker_fee_rate, funding_rate_per_hour
FROM unnest(
  $1::float8[], $2::uuid[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
  $9::text[], $10::numeric[], $11::numeric[], $12::numeric[], $13::numeric[], $14::numeric[],
  $15::text[], $16::numeric[], $17::numeric[], $18::numeric[], $19::numeric[], $20::numeric[],
  $21::numeric[], $22::numeric[], $23::float8[], $24::float8[], $25::float8[], $26::float8[],
  $27::numeric[], $28::numeric[], $29::numeric[]
) AS u(
  recorded_us, boot_id, edge_id, coin, direction, status, outcome, skip_reason, intent_id,
  gross_bps, net_bps, entry_fee_bps, exit_fee_bps, funding_bps, clip_limit,
  perp_size, spot_size, hedged_size, perp_vwap, spot_vwap, perp_notional, spot_notional,
  perp_exchange_us, perp_received_us, spot_exchange_us, spot_received_us,
  perp_taker_fee_rate, spot_taker_fee_rate, funding_rate_per_hour
)
ON CONFLICT DO NOTHING`;

const COLUMN_COUNT = 29;

/** Inserts every edge of `groups` in one statement; returns how many rows were new (duplicates skip). */
export async function insertEdgesWithUnnest(db: Queryable, groups: readonly BootEdges[]): Promise<number> {
  const columns: unknown[][] = Array.from({ length: COLUMN_COUNT }, () => []);
  const push = (...values: unknown[]): void => {
    values.forEach((value, index) => columns[index]!.push(value));
  };
  let rows = 0;
  for (const group of groups) {
    const bootId = group.bootId;
    for (const e of edgesOfMessage(group)) {
      rows += 1;
      push(
        micros(e.recordedAtMs),
        bootId,
        e.edgeId,
        e.coin,
        e.direction,
        e.status,
        e.outcome.kind,
        e.outcome.kind === "skipped" ? e.outcome.reason : null,
        e.outcome.kind === "traded" ? e.outcome.intentId : null,
        num(e.grossBps),
        num(e.netBps),
        num(e.entryFeeBps),
        num(e.exitFeeBps),
        num(e.fundingBps),
        e.clipLimit,
        e.perpSize,
        e.spotSize,
        e.hedgedSize,
        num(e.perpVwap),
        num(e.spotVwap),
        e.perpNotional,
        e.spotNotional,
        micros(e.perpExchangeTimeMs),
        micros(e.perpReceivedAtMs),
        micros(e.spotExchangeTimeMs),
        micros(e.spotReceivedAtMs),
        e.perpTakerFeeRate,
        e.spotTakerFeeRate,
        num(e.fundingRatePerHour),
      );
    }
  }
  if (rows === 0) return 0;
  const result = await db.query(INSERT_EDGES_SQL, columns);
  return result.rowCount ?? 0;
}
