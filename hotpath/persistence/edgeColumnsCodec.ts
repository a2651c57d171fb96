/**
 * Edges as columns: the in-memory form both ends of a version-2 message work on. The hot path's ring
 * drains into an `EdgeColumns` by copying numbers (no row objects, no strings); `edgeBatchCodec.ts`
 * serialises the columns byte for byte (`columnsToBytes`), and the Lambda parses them back
 * (`columnsFromBytes`). Rows (`rowsFromColumns`) are validated by the same row-tuple schema as version 1;
 * the edge-writer skips rows altogether: `validateEdgeColumns` checks whole columns with the same verdicts,
 * and the writer encodes the validated columns straight into binary COPY rows.
 *
 * Column semantics (row i):
 * - `floats`: doubles as the hot path has them; NaN or ±Infinity = not computed (null in the row). Times
 *   are epoch ms, already converted by the producer.
 * - `units` / `decimals`: an exact decimal as the scaled integer `units × 10^-decimals` (a safe integer).
 *   Rows get the canonical string (`fromScaledNumber`: no trailing zeros), so a row given as
 *   `"309.71795800"` comes back as `"309.717958"` — the same number.
 * - `codes`: `coin` indexes `coins`; `direction`, `status`, `clipLimit` index `EDGE_DIRECTION_VALUES`,
 *   `EDGE_STATUSES`, `CLIP_LIMITS`; `outcome` 0 = traded (its intent id is the next of `intentIds`, in row
 *   order), 1 + k = skipped for `SKIP_REASONS[k]`.
 *
 * Byte layout (little-endian), for rows [from, to) of n rows:
 *   u32 header length h · h bytes of JSON `{"coins":[…],"intents":[…]}` (the intents of these rows) · zero
 *   padding to a multiple of 8 · each float column (n × 8 bytes, `FLOAT_COLUMNS` order) · each units column
 *   (n × 8, `DECIMAL_COLUMNS` order) · each decimals column (n × 1) · each code column (n × 1,
 *   `CODE_COLUMNS` order).
 * Raw doubles compress better under brotli than their JSON text (measured at quality 5: ≈13 against
 * ≈16–20 bytes an edge) and cost the producer a memory copy instead of a number-to-text conversion per
 * value.
 */

import { fromScaledNumber, toScaledNumber } from "../exchange/decimal/scaled.js";
import {
  CLIP_LIMITS,
  EDGE_DIRECTION_VALUES,
  EDGE_STATUSES,
  EdgeBatchDecodeError,
  EdgeBatchPackError,
  SKIP_REASONS,
  decodeEdgeTuple,
  type EdgeOutcome,
  type PersistedEdge,
  type SkipReason,
} from "./edgeRowCodec.js";

export const FLOAT_COLUMNS = [
  "edgeId",
  "recordedAtMs",
  "grossBps",
  "netBps",
  "entryFeeBps",
  "exitFeeBps",
  "fundingBps",
  "perpVwap",
  "spotVwap",
  "perpExchangeTimeMs",
  "perpReceivedAtMs",
  "spotExchangeTimeMs",
  "spotReceivedAtMs",
  "fundingRatePerHour",
] as const;
export type FloatColumn = (typeof FLOAT_COLUMNS)[number];

export const DECIMAL_COLUMNS = [
  "perpSize",
  "spotSize",
  "hedgedSize",
  "perpNotional",
  "spotNotional",
  "perpTakerFeeRate",
  "spotTakerFeeRate",
] as const;
export type DecimalColumn = (typeof DECIMAL_COLUMNS)[number];

export const CODE_COLUMNS = ["coin", "direction", "status", "clipLimit", "outcome"] as const;
export type CodeColumn = (typeof CODE_COLUMNS)[number];

/** Bytes per row in the column section. */
const ROW_BYTES =
  (FLOAT_COLUMNS.length + DECIMAL_COLUMNS.length) * 8 + DECIMAL_COLUMNS.length + CODE_COLUMNS.length;
/** Decimals a scaled integer may carry (`fromScaledNumber`'s limit). */
const MAX_DECIMALS = 22;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function codeMap<T extends string>(values: readonly T[], offset = 0): ReadonlyMap<string, number> {
  return new Map(values.map((value, index) => [value, index + offset]));
}
const STATUS_CODES = codeMap(EDGE_STATUSES);
const CLIP_LIMIT_CODES = codeMap(CLIP_LIMITS);
const SKIP_REASON_CODES = codeMap(SKIP_REASONS, 1);

/** Code of an edge status (index in `EDGE_STATUSES`). */
export function statusCode(status: string): number {
  return STATUS_CODES.get(status) ?? 255;
}
export function clipLimitCode(limit: string): number {
  return CLIP_LIMIT_CODES.get(limit) ?? 255;
}
/** Outcome code: 0 = traded, 1 + index in `SKIP_REASONS` = skipped for that reason. */
export function outcomeCode(reason: SkipReason | null): number {
  return reason === null ? 0 : (SKIP_REASON_CODES.get(reason) ?? 255);
}

function table<K extends string, T>(names: readonly K[], make: () => T): Readonly<Record<K, T>> {
  return Object.fromEntries(names.map((name) => [name, make()])) as Record<K, T>;
}

export class EdgeColumns {
  readonly capacity: number;
  /** Rows filled. */
  count = 0;
  readonly floats: Readonly<Record<FloatColumn, Float64Array>>;
  readonly units: Readonly<Record<DecimalColumn, Float64Array>>;
  readonly decimals: Readonly<Record<DecimalColumn, Uint8Array>>;
  readonly codes: Readonly<Record<CodeColumn, Uint8Array>>;
  readonly coins: string[] = [];
  /** Intent ids of the traded rows, in row order. */
  readonly intentIds: string[] = [];
  private lastCoin: string | undefined;
  private lastCoinCode = 0;

  constructor(capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) {
      throw new RangeError(`edge columns capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.floats = table(FLOAT_COLUMNS, () => new Float64Array(capacity));
    this.units = table(DECIMAL_COLUMNS, () => new Float64Array(capacity));
    this.decimals = table(DECIMAL_COLUMNS, () => new Uint8Array(capacity));
    this.codes = table(CODE_COLUMNS, () => new Uint8Array(capacity));
  }

  /** Empties the columns for reuse (the arrays stay). */
  clear(): void {
    this.count = 0;
    this.coins.length = 0;
    this.intentIds.length = 0;
    this.lastCoin = undefined;
  }

  /** The code of `coin`, added to `coins` when new. */
  coinCode(coin: string): number {
    if (coin === this.lastCoin) return this.lastCoinCode;
    let code = this.coins.indexOf(coin);
    if (code < 0) code = this.coins.push(coin) - 1;
    this.lastCoin = coin;
    this.lastCoinCode = code;
    return code;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Rows ↔ columns

/** `text` as a scaled integer with as many decimals as it is written with. */
function scaled(text: string, index: number, field: string): [units: number, decimals: number] {
  const point = text.indexOf(".");
  const decimals = point < 0 ? 0 : text.length - point - 1;
  const units = toScaledNumber(text, decimals);
  if (Number.isNaN(units) || decimals > MAX_DECIMALS) {
    throw new EdgeBatchPackError(
      `edge ${index} ${field} ${JSON.stringify(text)} is not an exact decimal here`,
    );
  }
  return [units, decimals];
}

/** Columns of `rows` (tests, tools, version-2 bodies of existing rows). */
export function columnsFromRows(rows: readonly PersistedEdge[]): EdgeColumns {
  const columns = new EdgeColumns(Math.max(1, rows.length));
  const { floats, units, decimals, codes } = columns;
  rows.forEach((row, i) => {
    for (const name of FLOAT_COLUMNS) floats[name][i] = row[name] ?? Number.NaN;
    for (const name of DECIMAL_COLUMNS) [units[name][i], decimals[name][i]] = scaled(row[name], i, name);
    codes.coin[i] = columns.coinCode(row.coin);
    codes.direction[i] = row.direction === "perpRich" ? 0 : 1;
    codes.status[i] = statusCode(row.status);
    codes.clipLimit[i] = clipLimitCode(row.clipLimit);
    const outcome = row.outcome;
    codes.outcome[i] = outcomeCode(outcome.kind === "skipped" ? outcome.reason : null);
    if (outcome.kind === "traded") columns.intentIds.push(outcome.intentId);
  });
  columns.count = rows.length;
  return columns;
}

function decimal(columns: EdgeColumns, name: DecimalColumn, i: number): string {
  const value = columns.units[name][i]!;
  const places = columns.decimals[name][i]!;
  if (!Number.isSafeInteger(value) || places > MAX_DECIMALS) {
    throw new EdgeBatchDecodeError("invalidEdge", i, `${name}: ${value}e-${places} is not an exact decimal`);
  }
  return fromScaledNumber(value, places);
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/**
 * The rows of `columns`, validated as version 1 validates its row tuples. Throws `EdgeBatchDecodeError`
 * naming the row (`edgeIndex`) at fault.
 */
export function rowsFromColumns(columns: EdgeColumns): PersistedEdge[] {
  const { floats: f, codes } = columns;
  const rows = new Array<PersistedEdge>(columns.count);
  let intent = 0;
  for (let i = 0; i < columns.count; i++) {
    const outcomeCode = codes.outcome[i]!;
    let outcome: EdgeOutcome | undefined;
    if (outcomeCode === 0) {
      const intentId = columns.intentIds[intent];
      intent += 1;
      if (intentId !== undefined) outcome = { kind: "traded", intentId };
    } else {
      const reason = SKIP_REASONS[outcomeCode - 1];
      if (reason !== undefined) outcome = { kind: "skipped", reason };
    }
    if (outcome === undefined) {
      throw new EdgeBatchDecodeError(
        "invalidEdge",
        i,
        `outcome code ${outcomeCode} (or its intent id) unknown`,
      );
    }
    // Unknown codes become undefined and fail the tuple schema with the field's name.
    rows[i] = decodeEdgeTuple(
      [
        f.edgeId[i],
        f.recordedAtMs[i],
        columns.coins[codes.coin[i]!],
        EDGE_DIRECTION_VALUES[codes.direction[i]!],
        EDGE_STATUSES[codes.status[i]!],
        outcome.kind,
        outcome.kind === "skipped" ? outcome.reason : null,
        outcome.kind === "traded" ? outcome.intentId : null,
        finiteOrNull(f.grossBps[i]!),
        finiteOrNull(f.netBps[i]!),
        finiteOrNull(f.entryFeeBps[i]!),
        finiteOrNull(f.exitFeeBps[i]!),
        finiteOrNull(f.fundingBps[i]!),
        CLIP_LIMITS[codes.clipLimit[i]!],
        decimal(columns, "perpSize", i),
        decimal(columns, "spotSize", i),
        decimal(columns, "hedgedSize", i),
        finiteOrNull(f.perpVwap[i]!),
        finiteOrNull(f.spotVwap[i]!),
        decimal(columns, "perpNotional", i),
        decimal(columns, "spotNotional", i),
        f.perpExchangeTimeMs[i],
        f.perpReceivedAtMs[i],
        f.spotExchangeTimeMs[i],
        f.spotReceivedAtMs[i],
        decimal(columns, "perpTakerFeeRate", i),
        decimal(columns, "spotTakerFeeRate", i),
        finiteOrNull(f.fundingRatePerHour[i]!),
      ],
      i,
    );
  }
  if (intent !== columns.intentIds.length) {
    throw new EdgeBatchDecodeError(
      "invalidEnvelope",
      undefined,
      `${columns.intentIds.length} intent ids for ${intent} traded edges`,
    );
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------
// Whole-column validation: the Lambda's fast path

/** The float columns holding epoch-ms times (finite and ≥ 0, as the row tuple requires). */
const TIME_COLUMNS = [
  "recordedAtMs",
  "perpExchangeTimeMs",
  "perpReceivedAtMs",
  "spotExchangeTimeMs",
  "spotReceivedAtMs",
] as const satisfies readonly FloatColumn[];
/** The row tuple's bounds on strings (`edgeRowCodec.ts`). */
const MAX_COIN_LENGTH = 32;
const MAX_INTENT_ID_LENGTH = 128;

function stringWithin(value: unknown, maxLength: number): boolean {
  return typeof value === "string" && value.length >= 1 && value.length <= maxLength;
}

/** First code of `codes` (rows [0, n)) at or beyond `limit`, or -1. */
function firstCodeAtLeast(codes: Uint8Array, n: number, limit: number): number {
  for (let i = 0; i < n; i++) if (codes[i]! >= limit) return i;
  return -1;
}

/**
 * What `rowsFromColumns` would refuse in `columns`, found column by column with one comparison per value
 * (no row objects, no schema), or undefined when every row is valid. Mirrors the row tuple's rules
 * (`edgeRowCodec.ts`) as they apply to values columns can hold; the differential test in
 * test/persistence/edgeCodecDifferential.test.ts holds the two to the same verdicts.
 */
function columnsProblem(columns: EdgeColumns): string | undefined {
  const n = columns.count;
  const { floats: f, units, decimals, codes } = columns;
  const ids = f.edgeId;
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    if (!(Number.isInteger(id) && id > 0 && id <= Number.MAX_SAFE_INTEGER)) return `edge ${i}: edgeId ${id}`;
  }
  for (const name of TIME_COLUMNS) {
    const times = f[name];
    for (let i = 0; i < n; i++) {
      const time = times[i]!;
      // Also false for NaN.
      if (!(time >= 0 && time < Number.POSITIVE_INFINITY)) return `edge ${i}: ${name} ${time}`;
    }
  }
  const coinValid = columns.coins.map((coin) => stringWithin(coin, MAX_COIN_LENGTH));
  for (let i = 0; i < n; i++) {
    if (coinValid[codes.coin[i]!] !== true) return `edge ${i}: coin code ${codes.coin[i]}`;
  }
  const enums = [
    ["direction", EDGE_DIRECTION_VALUES.length],
    ["status", EDGE_STATUSES.length],
    ["clipLimit", CLIP_LIMITS.length],
    ["outcome", SKIP_REASONS.length + 1],
  ] as const;
  for (const [name, limit] of enums) {
    const at = firstCodeAtLeast(codes[name], n, limit);
    if (at >= 0) return `edge ${at}: ${name} code ${codes[name][at]}`;
  }
  let traded = 0;
  for (let i = 0; i < n; i++) if (codes.outcome[i] === 0) traded += 1;
  if (traded !== columns.intentIds.length) {
    return `${columns.intentIds.length} intent ids for ${traded} traded edges`;
  }
  for (const intentId of columns.intentIds) {
    if (!stringWithin(intentId, MAX_INTENT_ID_LENGTH)) return `intent id ${JSON.stringify(intentId)}`;
  }
  for (const name of DECIMAL_COLUMNS) {
    const value = units[name];
    const places = decimals[name];
    for (let i = 0; i < n; i++) {
      if (!Number.isSafeInteger(value[i]) || places[i]! > MAX_DECIMALS) {
        return `edge ${i}: ${name} ${value[i]}e-${places[i]}`;
      }
    }
  }
  return undefined;
}

/**
 * Validates every row of `columns` as `rowsFromColumns` does, without building rows: the edge-writer
 * loads valid columns straight into its COPY encoder. On a failure the row decoder is run, so the error
 * thrown — kind, edge index, detail — is exactly the one `rowsFromColumns` (and so `decodeEdgeBatch`)
 * gives for the same bytes.
 */
export function validateEdgeColumns(columns: EdgeColumns): void {
  const problem = columnsProblem(columns);
  if (problem === undefined) return;
  rowsFromColumns(columns); // throws the row decoder's own error for the first bad row
  // Only a disagreement between the two validators gets here; the message is refused all the same.
  throw new EdgeBatchDecodeError(
    "invalidEdge",
    undefined,
    `${problem} (rows decoder disagrees: a codec bug)`,
  );
}

/**
 * The rows of columns that `validateEdgeColumns` accepted, built without re-validating: equal to what
 * `rowsFromColumns` returns for them (for the unnest path, which binds rows, and for tests).
 */
export function rowsFromValidColumns(columns: EdgeColumns): PersistedEdge[] {
  const { floats: f, units, decimals, codes } = columns;
  const decimal = (name: DecimalColumn, i: number): string =>
    fromScaledNumber(units[name][i]!, decimals[name][i]!);
  const rows = new Array<PersistedEdge>(columns.count);
  let intent = 0;
  for (let i = 0; i < columns.count; i++) {
    const code = codes.outcome[i]!;
    let outcome: EdgeOutcome;
    if (code === 0) {
      outcome = { kind: "traded", intentId: columns.intentIds[intent]! };
      intent += 1;
    } else {
      outcome = { kind: "skipped", reason: SKIP_REASONS[code - 1]! };
    }
    rows[i] = {
      edgeId: f.edgeId[i]!,
      recordedAtMs: f.recordedAtMs[i]!,
      coin: columns.coins[codes.coin[i]!]!,
      direction: EDGE_DIRECTION_VALUES[codes.direction[i]!]!,
      status: EDGE_STATUSES[codes.status[i]!]!,
      outcome,
      grossBps: finiteOrNull(f.grossBps[i]!),
      netBps: finiteOrNull(f.netBps[i]!),
      entryFeeBps: finiteOrNull(f.entryFeeBps[i]!),
      exitFeeBps: finiteOrNull(f.exitFeeBps[i]!),
      fundingBps: finiteOrNull(f.fundingBps[i]!),
      clipLimit: CLIP_LIMITS[codes.clipLimit[i]!]!,
      perpSize: decimal("perpSize", i),
      spotSize: decimal("spotSize", i),
      hedgedSize: decimal("hedgedSize", i),
      perpVwap: finiteOrNull(f.perpVwap[i]!),
      spotVwap: finiteOrNull(f.spotVwap[i]!),
      perpNotional: decimal("perpNotional", i),
      spotNotional: decimal("spotNotional", i),
      perpExchangeTimeMs: f.perpExchangeTimeMs[i]!,
      perpReceivedAtMs: f.perpReceivedAtMs[i]!,
      spotExchangeTimeMs: f.spotExchangeTimeMs[i]!,
      spotReceivedAtMs: f.spotReceivedAtMs[i]!,
      perpTakerFeeRate: decimal("perpTakerFeeRate", i),
      spotTakerFeeRate: decimal("spotTakerFeeRate", i),
      fundingRatePerHour: finiteOrNull(f.fundingRatePerHour[i]!),
    };
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------
// Columns ↔ bytes

function byteView(array: Float64Array | Uint8Array, from: number, to: number): Uint8Array {
  const width = array.BYTES_PER_ELEMENT;
  return new Uint8Array(array.buffer, array.byteOffset + from * width, (to - from) * width);
}

/** Rows [from, to) of `columns` in the byte layout above (a copy: the columns may be reused at once). */
export function columnsToBytes(columns: EdgeColumns, from = 0, to = columns.count): Buffer {
  if (!LITTLE_ENDIAN)
    throw new EdgeBatchPackError("version 2 bodies are written on little-endian hosts only");
  if (!(from >= 0 && to <= columns.count && from < to)) {
    throw new EdgeBatchPackError(`rows [${from}, ${to}) are outside the ${columns.count} rows held`);
  }
  let intentsBefore = 0;
  for (let i = 0; i < from; i++) if (columns.codes.outcome[i] === 0) intentsBefore += 1;
  let intentsIn = 0;
  for (let i = from; i < to; i++) if (columns.codes.outcome[i] === 0) intentsIn += 1;
  const header = Buffer.from(
    JSON.stringify({
      coins: columns.coins,
      intents: columns.intentIds.slice(intentsBefore, intentsBefore + intentsIn),
    }),
    "utf8",
  );
  const start = Math.ceil((4 + header.length) / 8) * 8;
  const n = to - from;
  const out = Buffer.alloc(start + n * ROW_BYTES);
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  let offset = start;
  const put = (array: Float64Array | Uint8Array): void => {
    const bytes = byteView(array, from, to);
    out.set(bytes, offset);
    offset += bytes.length;
  };
  for (const name of FLOAT_COLUMNS) put(columns.floats[name]);
  for (const name of DECIMAL_COLUMNS) put(columns.units[name]);
  for (const name of DECIMAL_COLUMNS) put(columns.decimals[name]);
  for (const name of CODE_COLUMNS) put(columns.codes[name]);
  return out;
}

function stringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/** Parses `n` rows laid out by `columnsToBytes`. Throws `EdgeBatchDecodeError` on any mismatch. */
export function columnsFromBytes(bytes: Uint8Array, n: number): EdgeColumns {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (detail: string): never => {
    throw new EdgeBatchDecodeError("invalidEnvelope", undefined, detail);
  };
  if (data.length < 4) fail(`${data.length} bytes cannot hold the column header`);
  const headerBytes = data.readUInt32LE(0);
  const start = Math.ceil((4 + headerBytes) / 8) * 8;
  if (data.length !== start + n * ROW_BYTES) {
    fail(`${data.length} bytes; a header of ${headerBytes} and ${n} rows need ${start + n * ROW_BYTES}`);
  }
  let header: unknown;
  try {
    header = JSON.parse(data.toString("utf8", 4, 4 + headerBytes));
  } catch (error) {
    throw new EdgeBatchDecodeError("notJson", undefined, "the column header is not JSON", { cause: error });
  }
  const { coins, intents } = (header ?? {}) as { coins?: unknown; intents?: unknown };
  if (!stringArray(coins) || !stringArray(intents)) fail("the column header needs coins and intents");
  // One aligned copy, so that the float columns can be read through typed-array views.
  const aligned = new Uint8Array(data.length - start);
  aligned.set(data.subarray(start));
  const columns = new EdgeColumns(Math.max(1, n));
  let offset = 0;
  const take = (target: Float64Array | Uint8Array): void => {
    const length = n * target.BYTES_PER_ELEMENT;
    byteView(target, 0, n).set(aligned.subarray(offset, offset + length));
    offset += length;
  };
  for (const name of FLOAT_COLUMNS) take(columns.floats[name]);
  for (const name of DECIMAL_COLUMNS) take(columns.units[name]);
  for (const name of DECIMAL_COLUMNS) take(columns.decimals[name]);
  for (const name of CODE_COLUMNS) take(columns.codes[name]);
  columns.coins.push(...(coins as string[]));
  columns.intentIds.push(...(intents as string[]));
  columns.count = n;
  return columns;
}
