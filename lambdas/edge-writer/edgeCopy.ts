/**
 * Decoded edges as binary COPY rows for the `edges` table (`encodeEdgeRows`, one message at a time), and
 * the statements that load them (`copyEdgesSql`, `CREATE_STAGING_SQL`, `INSERT_FROM_STAGING_SQL`).
 *
 * Values are converted exactly as the unnest path converts them (edgeInsert.ts), so both paths store the
 * same rows: decimal strings verbatim as numeric; doubles (bps, VWAPs, funding rate) as numeric through
 * `String(n)`, the shortest decimal that round-trips the double — never through float8; epoch
 * milliseconds as timestamptz to the microsecond.
 */

import {
  CLIP_LIMITS,
  EDGE_DIRECTION_VALUES,
  EDGE_STATUSES,
  SKIP_REASONS,
  type EdgeColumns,
} from "../../hotpath/persistence/edgeBatchCodec.js";
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
 * Rows of one message as binary COPY rows, without the stream's header and trailer
 * (`BINARY_COPY_HEADER`/`BINARY_COPY_TRAILER`): the unit the writer streams to the server. A version-2
 * message is encoded from its columns (`encodeEdgeColumnRows`); rows [from, to) only, when given.
 */
export function encodeEdgeRows(message: BootEdges, from = 0, to?: number): Buffer {
  const { bootId } = message;
  if (message.columns !== undefined) {
    return encodeEdgeColumnRows(bootId, message.columns, from, to ?? message.columns.count);
  }
  const edges =
    from === 0 && (to === undefined || to === message.edges.length)
      ? message.edges
      : message.edges.slice(from, to);
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

/** A text field's bytes, for values written on every row. */
const utf8 = (values: readonly string[]): Buffer[] => values.map((value) => Buffer.from(value, "utf8"));
const DIRECTION_TEXT = utf8(EDGE_DIRECTION_VALUES);
const STATUS_TEXT = utf8(EDGE_STATUSES);
const CLIP_LIMIT_TEXT = utf8(CLIP_LIMITS);
const SKIP_REASON_TEXT = utf8(SKIP_REASONS);
const TRADED_TEXT = Buffer.from("traded");
const SKIPPED_TEXT = Buffer.from("skipped");

/**
 * Rows [from, to) of validated columns (`validateEdgeColumns`) as binary COPY rows, byte for byte what
 * `encodeEdgeRows` writes for the rows `rowsFromColumns` builds from them (tested), without building
 * them: enum texts are written from bytes encoded once, exact decimals from their scaled integers
 * (`numericScaled`), doubles through `String(n)` as on the row path.
 */
export function encodeEdgeColumnRows(
  bootId: string,
  columns: EdgeColumns,
  from = 0,
  to = columns.count,
): Buffer {
  const out = new BinaryCopyWriter((to - from) * BYTES_PER_ROW_ESTIMATE + 64);
  const boot = uuidBytes(bootId);
  const coins = utf8(columns.coins);
  const { floats: f, units: u, decimals: d, codes, intentIds } = columns;
  let intent = 0;
  for (let i = 0; i < from; i++) if (codes.outcome[i] === 0) intent += 1;
  const doubles = new RepeatedDoubles(out);
  for (let i = from; i < to; i++) {
    out.beginRow(EDGE_COPY_COLUMNS.length);
    out.timestamptzFromEpochMs(f.recordedAtMs[i]!);
    out.bytes(boot);
    out.int8(f.edgeId[i]!);
    out.bytes(coins[codes.coin[i]!]!);
    out.bytes(DIRECTION_TEXT[codes.direction[i]!]!);
    out.bytes(STATUS_TEXT[codes.status[i]!]!);
    const outcome = codes.outcome[i]!;
    if (outcome === 0) {
      out.bytes(TRADED_TEXT);
      out.null();
      out.text(intentIds[intent]!);
      intent += 1;
    } else {
      out.bytes(SKIPPED_TEXT);
      out.bytes(SKIP_REASON_TEXT[outcome - 1]!);
      out.null();
    }
    doubles.write(0, f.grossBps[i]!);
    doubles.write(1, f.netBps[i]!);
    doubles.write(2, f.entryFeeBps[i]!);
    doubles.write(3, f.exitFeeBps[i]!);
    doubles.write(4, f.fundingBps[i]!);
    out.bytes(CLIP_LIMIT_TEXT[codes.clipLimit[i]!]!);
    out.numericScaled(u.perpSize[i]!, d.perpSize[i]!);
    out.numericScaled(u.spotSize[i]!, d.spotSize[i]!);
    out.numericScaled(u.hedgedSize[i]!, d.hedgedSize[i]!);
    doubles.write(5, f.perpVwap[i]!);
    doubles.write(6, f.spotVwap[i]!);
    out.numericScaled(u.perpNotional[i]!, d.perpNotional[i]!);
    out.numericScaled(u.spotNotional[i]!, d.spotNotional[i]!);
    out.timestamptzFromEpochMs(f.perpExchangeTimeMs[i]!);
    out.timestamptzFromEpochMs(f.perpReceivedAtMs[i]!);
    out.timestamptzFromEpochMs(f.spotExchangeTimeMs[i]!);
    out.timestamptzFromEpochMs(f.spotReceivedAtMs[i]!);
    out.numericScaled(u.perpTakerFeeRate[i]!, d.perpTakerFeeRate[i]!);
    out.numericScaled(u.spotTakerFeeRate[i]!, d.spotTakerFeeRate[i]!);
    doubles.write(7, f.fundingRatePerHour[i]!);
  }
  return out.finish();
}

/**
 * The double columns' last value and where its field was written. Formatting a double (`String(n)`, then
 * its digits) is most of the encoder's time, and edges repeat values from one row to the next (fee bps,
 * funding, both directions of a frame): a repeat copies the field's bytes instead.
 */
class RepeatedDoubles {
  private readonly last = new Float64Array(8).fill(Number.NaN);
  private readonly start = new Int32Array(8);
  private readonly end = new Int32Array(8);

  constructor(private readonly out: BinaryCopyWriter) {}

  /** Double column `column`'s value for this row, as numeric (NULL when not finite). */
  write(column: number, value: number): void {
    const out = this.out;
    // NaN never equals itself: NULLs are always written afresh (4 bytes). 0 and -0 both print "0".
    if (value === this.last[column]) {
      out.repeat(this.start[column]!, this.end[column]!);
      return;
    }
    const start = out.length;
    out.numericFromDouble(value);
    this.last[column] = value;
    this.start[column] = start;
    this.end[column] = out.length;
  }
}
