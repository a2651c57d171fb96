/**
 * The journal's records and their line format.
 *
 * A segment file is newline-delimited JSON, one record per line, each line `<json>\t<crc32>\n` with the
 * CRC-32 of the JSON text as 8 hex digits. Why lines rather than length-prefixed frames: `JSON.stringify`
 * never emits a raw newline, so the newline is an unambiguous terminator; a record cut short by a crash is
 * exactly a last line without its `\n`, which is how a torn tail is told apart from corruption; and the file
 * stays readable with standard tools during an incident (`cut -f1 journal-*.ndjson | jq`). Why a checksum
 * as well: a complete line can still be wrong (a torn page after a power loss, bit rot), and a wrong digit
 * in a size costs money; a length prefix would add nothing the newline and the checksum do not give.
 *
 * Records (`t`):
 * - `segment`: first line of every segment: format version, segment number, and the snapshot summary (how
 *   many snapshot records follow, the last fill time, the highest nonce, the nonce ceiling, the cloids
 *   reserved and not yet explained). Snapshot records are the open intents' own records, copied verbatim.
 * - `boot`: a process opened the journal (boot id, cloid prefix, mode, pid).
 * - `reserve`: reserve-ahead mode — a block of cloids and/or a nonce ceiling, durable before any is used.
 * - `release`: reserved cloids that are known never to have reached the exchange.
 * - `intent`: an intent with all its fields (root or follow-up).
 * - `order`: one event of one order, by cloid.
 * - `residual`: the remaining imbalance of a root was accepted without another order.
 * - `closed`: the position is done; its intents leave the open set.
 *
 * Decoding validates every field (typed `RecordDecodeError`), so a record that parses is one this version
 * can act on.
 */

import { CANONICAL_CLOID_RE, type Cloid, type WireDecimal } from "../../exchange/wire/brands.js";
import {
  type Intent,
  type IntentId,
  type IntentLeg,
  IntentValidationError,
  validateIntent,
} from "../intent.js";
import type { OrderEvent, ProbeResult, UnknownReason } from "../intentState.js";
import { crc32Bytes, crc32Hex } from "./crc32.js";
import { intentRecordJson } from "./intentRecordJson.js";

export const JOURNAL_FORMAT = 1;

/**
 * `fsyncBeforeSend`: every intent record is written and fdatasync'd before the caller sends (the issue's
 * literal rule). `reserveAhead`: cloids and nonces are reserved durably in blocks off the order path; an
 * intent record is written (page cache) before the send and fsync'd right after. See the README.
 */
export type JournalMode = "fsyncBeforeSend" | "reserveAhead";

/** A block of this journal's cloids: `0x` + prefix (16 hex) + counter (16 hex), counters `from … from+count−1`. */
export interface CloidRange {
  readonly prefix: string;
  readonly from: number;
  readonly count: number;
  /** Longest `expiresAfter − createdAtMs` any order using these cloids may have. */
  readonly lifetimeMs: number;
}

export interface SnapshotSummary {
  /** How many snapshot records follow the header. */
  readonly records: number;
  readonly lastFillTimeMs: number | null;
  readonly highestNonce: number | null;
  readonly nonceCeiling: number | null;
  /** Reserved cloids not explained by any intent record and not released. */
  readonly reserved: readonly CloidRange[];
}

export interface SegmentRecord {
  readonly t: "segment";
  readonly format: typeof JOURNAL_FORMAT;
  readonly segment: number;
  readonly createdAtMs: number;
  /** The process that wrote the segment, and its cloid prefix. */
  readonly bootId: string;
  readonly cloidPrefix: string;
  readonly snapshot: SnapshotSummary;
}

export interface BootRecord {
  readonly t: "boot";
  readonly bootId: string;
  readonly cloidPrefix: string;
  readonly mode: JournalMode;
  readonly pid: number;
  readonly atMs: number;
}

export interface ReserveRecord {
  readonly t: "reserve";
  readonly range: CloidRange | null;
  /** No nonce above this is used until a later reserve record raises it. */
  readonly nonceCeiling: number | null;
  readonly atMs: number;
}

export interface ReleasedRange {
  readonly prefix: string;
  readonly from: number;
  readonly count: number;
}

export interface ReleaseRecord {
  readonly t: "release";
  readonly ranges: readonly ReleasedRange[];
  readonly reason: string;
  readonly atMs: number;
}

export interface IntentRecord {
  readonly t: "intent";
  readonly intent: Intent;
}

export interface OrderRecord {
  readonly t: "order";
  /** The intent the order belongs to (a root or a follow-up). */
  readonly intentId: IntentId;
  readonly cloid: Cloid;
  readonly event: OrderEvent;
}

export interface ResidualRecord {
  readonly t: "residual";
  /** The root whose imbalance was accepted. */
  readonly intentId: IntentId;
  readonly reason: string;
}

export interface ClosedRecord {
  readonly t: "closed";
  readonly positionId: string;
  readonly atMs: number;
}

export type JournalRecord =
  | SegmentRecord
  | BootRecord
  | ReserveRecord
  | ReleaseRecord
  | IntentRecord
  | OrderRecord
  | ResidualRecord
  | ClosedRecord;

/** The line for a record's JSON text: `<json>\t<crc32>\n`. */
export function lineOf(json: string): string {
  return `${json}\t${crc32Hex(json)}\n`;
}

export function encodeRecord(record: JournalRecord): string {
  return lineOf(JSON.stringify(record));
}

const TAB = 0x09;
const NEWLINE = 0x0a;
const HEX_DIGITS = Buffer.from("0123456789abcdef", "latin1");
/** Tab, 8 hex digits, newline. */
const SUFFIX_BYTES = 10;

/**
 * Encodes record lines into one reusable buffer, so the order path allocates nothing per record beyond the
 * record's JSON string: the JSON is written into the buffer as UTF-8, the checksum computed natively over
 * those bytes (not the string, which would be encoded a second time), its hex digits and the newline
 * written as bytes, and the buffer handed to `writeSync`. An intent record skips `JSON.stringify`
 * (`intentRecordJson`, the same text for less work).
 */
export class LineEncoder {
  #buffer = Buffer.allocUnsafe(64 * 1024);
  #lineBytes = 0;

  get buffer(): Buffer {
    return this.#buffer;
  }

  /** The length in bytes of the line last encoded (at the start of `buffer`). */
  get lineBytes(): number {
    return this.#lineBytes;
  }

  /** Writes `<json>\t<crc32>\n` at the start of `buffer`; returns its length in bytes. */
  encode(json: string): number {
    let buffer = this.#buffer;
    const room = buffer.length - SUFFIX_BYTES;
    let length = buffer.write(json, 0, room, "utf8");
    // `write` stops early only when out of room (at a character boundary): then grow and start over.
    if (length > room - 4 && Buffer.byteLength(json) > length) {
      buffer = this.#buffer = Buffer.allocUnsafe(Buffer.byteLength(json) + SUFFIX_BYTES + 1024);
      length = buffer.write(json, 0, "utf8");
    }
    return this.#finish(length);
  }

  /**
   * Writes the line of `{ t: "intent", intent }` — the same bytes as `encode(JSON.stringify(record))` —
   * and returns its JSON text (the snapshot keeps it); the line is `buffer`'s first `lineBytes` bytes.
   * Only for an intent that passed `validateIntent` (the journal plans first): `intentRecordJson` relies
   * on it for the strings validation restricts.
   */
  encodeIntent(intent: Intent): string {
    const json = intentRecordJson(intent) ?? JSON.stringify({ t: "intent", intent } satisfies IntentRecord);
    this.encode(json);
    return json;
  }

  /** Appends the tab, checksum and newline after `length` bytes of JSON; returns the line's length. */
  #finish(length: number): number {
    const buffer = this.#buffer;
    const crc = crc32Bytes(buffer, length);
    buffer[length] = TAB;
    for (let shift = 28, at = length + 1; shift >= 0; shift -= 4, at++) {
      buffer[at] = HEX_DIGITS[(crc >>> shift) & 0xf] as number;
    }
    buffer[length + SUFFIX_BYTES - 1] = NEWLINE;
    this.#lineBytes = length + SUFFIX_BYTES;
    return this.#lineBytes;
  }
}

/** Why a line is not a usable record; the reader adds the file and offset. */
export class RecordDecodeError extends Error {
  override readonly name = "RecordDecodeError";
  constructor(
    readonly problem: "checksum" | "syntax" | "schema",
    readonly detail: string,
  ) {
    super(detail);
  }
}

const CRC_RE = /^[0-9a-f]{8}$/;

/** Decodes one line without its `\n`. Throws `RecordDecodeError`. */
export function decodeLine(text: string): JournalRecord {
  return decodeLineWithJson(text).record;
}

/** Decodes one line without its `\n`, also returning its JSON text. Throws `RecordDecodeError`. */
export function decodeLineWithJson(text: string): { readonly record: JournalRecord; readonly json: string } {
  const tab = text.lastIndexOf("\t");
  if (tab < 0) throw new RecordDecodeError("syntax", "no tab before the checksum");
  const json = text.slice(0, tab);
  const crc = text.slice(tab + 1);
  if (!CRC_RE.test(crc))
    throw new RecordDecodeError("syntax", `checksum ${JSON.stringify(crc)} is not 8 hex digits`);
  const actual = crc32Hex(json);
  if (actual !== crc) throw new RecordDecodeError("checksum", `checksum ${crc} recorded, ${actual} computed`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new RecordDecodeError("syntax", `not JSON (${(error as Error).message})`);
  }
  return { record: decodeRecord(value), json };
}

// ---------------------------------------------------------------------------------------------------------
// Field readers: each names the path of what is wrong.

type Json = Record<string, unknown>;

function schema(path: string, reason: string): never {
  throw new RecordDecodeError("schema", `${path} ${reason}`);
}

function object(value: unknown, path: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) schema(path, "is not an object");
  return value as Json;
}

function array(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) schema(path, "is not an array");
  return value as readonly unknown[];
}

function string(json: Json, key: string, path: string): string {
  const value = json[key];
  if (typeof value !== "string") schema(`${path}.${key}`, "is not a string");
  return value;
}

function boolean(json: Json, key: string, path: string): boolean {
  const value = json[key];
  if (typeof value !== "boolean") schema(`${path}.${key}`, "is not a boolean");
  return value;
}

function integer(json: Json, key: string, path: string, min = 0): number {
  const value = json[key];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    schema(`${path}.${key}`, `is not a whole number ≥ ${min}`);
  }
  return value;
}

function nullableInteger(json: Json, key: string, path: string): number | null {
  return json[key] === null ? null : integer(json, key, path);
}

const DECIMAL_RE = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;
const PREFIX_RE = /^[0-9a-f]{16}$/;

function decimal(json: Json, key: string, path: string): WireDecimal {
  const value = string(json, key, path);
  if (!DECIMAL_RE.test(value)) schema(`${path}.${key}`, `${JSON.stringify(value)} is not a decimal`);
  return value as WireDecimal;
}

function cloid(json: Json, key: string, path: string): Cloid {
  const value = string(json, key, path);
  if (!CANONICAL_CLOID_RE.test(value)) schema(`${path}.${key}`, `${JSON.stringify(value)} is not a cloid`);
  return value as Cloid;
}

function oneOf<T extends string>(json: Json, key: string, path: string, values: readonly T[]): T {
  const value = string(json, key, path);
  if (!(values as readonly string[]).includes(value))
    schema(`${path}.${key}`, `is not one of ${values.join(", ")}`);
  return value as T;
}

function prefix(json: Json, key: string, path: string): string {
  const value = string(json, key, path);
  if (!PREFIX_RE.test(value)) schema(`${path}.${key}`, "is not 16 lower-case hex digits");
  return value;
}

function cloidRange(value: unknown, path: string): CloidRange {
  const json = object(value, path);
  return {
    prefix: prefix(json, "prefix", path),
    from: integer(json, "from", path),
    count: integer(json, "count", path, 1),
    lifetimeMs: integer(json, "lifetimeMs", path, 1),
  };
}

function releasedRange(value: unknown, path: string): ReleasedRange {
  const json = object(value, path);
  return {
    prefix: prefix(json, "prefix", path),
    from: integer(json, "from", path),
    count: integer(json, "count", path, 1),
  };
}

const MODES: readonly JournalMode[] = ["fsyncBeforeSend", "reserveAhead"];
const UNKNOWN_REASONS: readonly UnknownReason[] = ["timeout", "lostResponse", "restart"];
const PROBE_OUTCOMES = ["live", "filled", "cancelled", "rejected", "unrecognised"] as const;

export function decodeRecord(value: unknown): JournalRecord {
  const json = object(value, "record");
  const type = json["t"];
  switch (type) {
    case "segment": {
      const format = json["format"];
      if (format !== JOURNAL_FORMAT)
        schema("segment.format", `${JSON.stringify(format)} is not ${JOURNAL_FORMAT}`);
      const snapshot = object(json["snapshot"], "segment.snapshot");
      return {
        t: "segment",
        format: JOURNAL_FORMAT,
        segment: integer(json, "segment", "segment", 1),
        createdAtMs: integer(json, "createdAtMs", "segment"),
        bootId: string(json, "bootId", "segment"),
        cloidPrefix: prefix(json, "cloidPrefix", "segment"),
        snapshot: {
          records: integer(snapshot, "records", "segment.snapshot"),
          lastFillTimeMs: nullableInteger(snapshot, "lastFillTimeMs", "segment.snapshot"),
          highestNonce: nullableInteger(snapshot, "highestNonce", "segment.snapshot"),
          nonceCeiling: nullableInteger(snapshot, "nonceCeiling", "segment.snapshot"),
          reserved: array(snapshot["reserved"], "segment.snapshot.reserved").map((range, index) =>
            cloidRange(range, `segment.snapshot.reserved[${index}]`),
          ),
        },
      };
    }
    case "boot":
      return {
        t: "boot",
        bootId: string(json, "bootId", "boot"),
        cloidPrefix: prefix(json, "cloidPrefix", "boot"),
        mode: oneOf(json, "mode", "boot", MODES),
        pid: integer(json, "pid", "boot"),
        atMs: integer(json, "atMs", "boot"),
      };
    case "reserve":
      return {
        t: "reserve",
        range: json["range"] === null ? null : cloidRange(json["range"], "reserve.range"),
        nonceCeiling: nullableInteger(json, "nonceCeiling", "reserve"),
        atMs: integer(json, "atMs", "reserve"),
      };
    case "release":
      return {
        t: "release",
        ranges: array(json["ranges"], "release.ranges").map((range, index) =>
          releasedRange(range, `release.ranges[${index}]`),
        ),
        reason: string(json, "reason", "release"),
        atMs: integer(json, "atMs", "release"),
      };
    case "intent":
      return { t: "intent", intent: decodeIntent(json["intent"]) };
    case "order":
      return {
        t: "order",
        intentId: string(json, "intentId", "order") as IntentId,
        cloid: cloid(json, "cloid", "order"),
        event: decodeOrderEvent(json["event"]),
      };
    case "residual":
      return {
        t: "residual",
        intentId: string(json, "intentId", "residual") as IntentId,
        reason: string(json, "reason", "residual"),
      };
    case "closed":
      return {
        t: "closed",
        positionId: string(json, "positionId", "closed"),
        atMs: integer(json, "atMs", "closed"),
      };
    default:
      return schema("record.t", `${JSON.stringify(type)} is not a record type this version knows`);
  }
}

function decodeIntent(value: unknown): Intent {
  const json = object(value, "intent");
  const edgeId = json["edgeId"];
  const parent = json["parentIntentId"];
  const intent: Intent = {
    intentId: string(json, "intentId", "intent") as IntentId,
    parentIntentId: parent === null ? null : (string(json, "parentIntentId", "intent") as IntentId),
    bootId: string(json, "bootId", "intent"),
    edgeId: edgeId === null ? null : integer(json, "edgeId", "intent", 1),
    positionId: string(json, "positionId", "intent"),
    coin: string(json, "coin", "intent"),
    direction: oneOf(json, "direction", "intent", ["perpRich", "spotRich"] as const),
    action: oneOf(json, "action", "intent", ["open", "close", "hedge", "unwind"] as const),
    legs: array(json["legs"], "intent.legs").map((leg, index) => decodeLeg(leg, `intent.legs[${index}]`)),
    createdAtMs: integer(json, "createdAtMs", "intent", 1),
  };
  try {
    validateIntent(intent);
  } catch (error) {
    if (error instanceof IntentValidationError) schema("intent", `is invalid: ${error.message}`);
    throw error;
  }
  return intent;
}

function decodeLeg(value: unknown, path: string): IntentLeg {
  const json = object(value, path);
  return {
    market: oneOf(json, "market", path, ["perp", "spot"] as const),
    asset: integer(json, "asset", path),
    side: oneOf(json, "side", path, ["buy", "sell"] as const),
    limitPx: decimal(json, "limitPx", path),
    size: decimal(json, "size", path),
    cloid: cloid(json, "cloid", path),
    reduceOnly: boolean(json, "reduceOnly", path),
    tif: oneOf(json, "tif", path, ["Gtc", "Ioc", "Alo"] as const),
    nonce: integer(json, "nonce", path, 1),
    expiresAfter: integer(json, "expiresAfter", path, 1),
  };
}

function decodeOrderEvent(value: unknown): OrderEvent {
  const path = "order.event";
  const json = object(value, path);
  const type = json["type"];
  switch (type) {
    case "sent":
      return { type, atMs: integer(json, "atMs", path) };
    case "notSent":
      return { type, reason: string(json, "reason", path) };
    case "acked":
    case "resting":
      return { type, oid: integer(json, "oid", path) };
    case "fill":
      return {
        type,
        tid: integer(json, "tid", path),
        oid: integer(json, "oid", path),
        px: decimal(json, "px", path),
        size: decimal(json, "size", path),
        fee: decimal(json, "fee", path),
        feeToken: string(json, "feeToken", path),
        timeMs: integer(json, "timeMs", path),
      };
    case "filled":
      return {
        type,
        oid: integer(json, "oid", path),
        totalSize: decimal(json, "totalSize", path),
        avgPx: decimal(json, "avgPx", path),
      };
    case "partiallyFilled":
      return { type, oid: integer(json, "oid", path), totalSize: decimal(json, "totalSize", path) };
    case "rejected":
      return { type, error: string(json, "error", path) };
    case "cancelled":
      return { type, totalSize: decimal(json, "totalSize", path), reason: string(json, "reason", path) };
    case "outcomeUnknown":
      return {
        type,
        reason: oneOf(json, "reason", path, UNKNOWN_REASONS),
        atMs: integer(json, "atMs", path),
      };
    case "probed":
      return { type, atMs: integer(json, "atMs", path), result: decodeProbe(json["result"]) };
    default:
      return schema(`${path}.type`, `${JSON.stringify(type)} is not an order event this version knows`);
  }
}

function decodeProbe(value: unknown): ProbeResult {
  const path = "order.event.result";
  const json = object(value, path);
  if (json["found"] === false) return { found: false };
  if (json["found"] !== true) schema(`${path}.found`, "is not a boolean");
  return {
    found: true,
    oid: integer(json, "oid", path),
    status: string(json, "status", path),
    outcome: oneOf(json, "outcome", path, PROBE_OUTCOMES),
    origSize: decimal(json, "origSize", path),
    totalSize: decimal(json, "totalSize", path),
  };
}
