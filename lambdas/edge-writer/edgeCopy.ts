/**
 * Decoded edges as binary COPY rows for the `edges` table (`encodeEdgeRows`, one message at a time), and
 * the statements that load them (`copyEdgesSql`, `CREATE_STAGING_SQL`, `INSERT_FROM_STAGING_SQL`).
 *
 * Values are converted exactly as the unnest path converts them (edgeInsert.ts), so both paths store the
 * same rows: decimal strings verbatim as numeric; doubles (bps, VWAPs, funding rate) as numeric through
 * `String(n)`, the shortest decimal that round-trips the double — never through float8; epoch
 * milliseconds as timestamptz to the microsecond.
 */

import type { BootEdges } from "./edgeInsert.js";
import { BinaryCopyWriter, uuidBytes } from "./pgBinaryCopy.js";

/** The columns the writer fills, in COPY order; `inserted_at` takes its default. */
export const EDGE_COPY_COLUMNS = [
  "recorded_at",
  "boot_id",
  "edge_id",
  "coin",
  "direction",
  "status",
  "outcome",
  "skip_reason",
  "intent_id",
  "gross_bps",
  "net_bps",
  "entry_fee_bps",
  "exit_fee_bps",
  "funding_bps",
  "clip_limit",
  "perp_size",
  "spot_size",
  "hedged_size",
  "perp_vwap",
  "spot_vwap",
  "perp_notional",
  "spot_notional",
  "perp_exchange_time",
  "perp_received_at",
  "spot_exchange_time",
  "spot_received_at",
  "perp_taker_fee_rate",
  "spot_taker_fee_rate",
  "funding_rate_per_hour",
] as const;

const COLUMN_LIST = EDGE_COPY_COLUMNS.join(", ");

/** Per-session scratch table for the de-duplicating path; emptied at every commit. */
export const EDGE_STAGING_TABLE = "edges_copy_staging";

export function copyEdgesSql(table: string): string {
  return `COPY ${table} (${COLUMN_LIST}) FROM STDIN (FORMAT binary)`;
}

export const CREATE_STAGING_SQL =
  `CREATE TEMP TABLE IF NOT EXISTS ${EDGE_STAGING_TABLE} ` +
  `(LIKE edges INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`;

export const INSERT_FROM_STAGING_SQL =
  `INSERT INTO edges (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM ${EDGE_STAGING_TABLE} ` +
  `ON CONFLICT DO NOTHING`;

function num(value: number | null): string | null {
  return value === null ? null : String(value);
}

/** ≈ 405 bytes per edge row (fixtures: 80.9 MB per 200 000); sized up front so the buffer never regrows. */
const BYTES_PER_ROW_ESTIMATE = 480;

/**
 * One message's edges as binary COPY rows, without the stream's header and trailer
 * (`BINARY_COPY_HEADER`/`BINARY_COPY_TRAILER`): the unit the writer streams to the server.
 */
export function encodeEdgeRows({ bootId, edges }: BootEdges): Buffer {
  const out = new BinaryCopyWriter(edges.length * BYTES_PER_ROW_ESTIMATE + 64);
  const boot = uuidBytes(bootId);
  for (const e of edges) {
    out.beginRow(EDGE_COPY_COLUMNS.length);
    out.timestamptzFromEpochMs(e.recordedAtMs);
    out.bytes(boot);
    out.int8(e.edgeId);
    out.text(e.coin);
    out.text(e.direction);
    out.text(e.status);
    out.text(e.outcome.kind);
    out.text(e.outcome.kind === "skipped" ? e.outcome.reason : null);
    out.text(e.outcome.kind === "traded" ? e.outcome.intentId : null);
    out.numeric(num(e.grossBps));
    out.numeric(num(e.netBps));
    out.numeric(num(e.entryFeeBps));
    out.numeric(num(e.exitFeeBps));
    out.numeric(num(e.fundingBps));
    out.text(e.clipLimit);
    out.numeric(e.perpSize);
    out.numeric(e.spotSize);
    out.numeric(e.hedgedSize);
    out.numeric(num(e.perpVwap));
    out.numeric(num(e.spotVwap));
    out.numeric(e.perpNotional);
    out.numeric(e.spotNotional);
    out.timestamptzFromEpochMs(e.perpExchangeTimeMs);
    out.timestamptzFromEpochMs(e.perpReceivedAtMs);
    out.timestamptzFromEpochMs(e.spotExchangeTimeMs);
    out.timestamptzFromEpochMs(e.spotReceivedAtMs);
    out.numeric(e.perpTakerFeeRate);
    out.numeric(e.spotTakerFeeRate);
    out.numeric(num(e.fundingRatePerHour));
  }
  return out.finish();
}
