/**
 * The SQS message contract for edges: the hot path's flusher packs many edges into each message, the
 * `edge-writer` Lambda decodes them. Both sides import this module and nothing else of each other. One
 * edge is one row tuple of `edgeRowCodec.ts`; this module frames many of them into a message body.
 *
 * Body format, version 1 — a JSON envelope of positional row tuples (≈330 bytes an edge):
 *
 *   {"v":1,"boot":"<uuid>","edges":[[<row tuple>], …]}
 *
 * Body format, version 2 — the same edges as binary columns (`edgeColumnsCodec.ts`: raw doubles, exact
 * decimals as scaled integers, small codes), brotli-compressed, base64 so the body stays valid SQS text
 * (≈20 bytes of body an edge on simulator-driven edges, ≈77 when every value changes on every edge;
 * `docs/benchmarks.md`):
 *
 *   {"v":2,"boot":"<uuid>","n":<edges>,"z":"<base64(brotli(column bytes))>"}
 *
 *   Why v2 exists: at 10k edges/s, v1 fills a 256 KiB request with ~800 edges, i.e. ~1 250 requests per
 *   million edges; v2 carries ~12k realistic edges per 256 KiB (target ≤ 200 requests per million). Why
 *   binary columns rather than JSON: the producer is the trading process; copying the ring's numbers costs
 *   it ≈0.1 µs an edge, where building rows and their JSON cost ≈6–8 µs an edge on its event loop. The
 *   Lambda does not build rows either: it validates the columns whole and encodes them straight into COPY.
 *
 * - `boot` is the sending process's boot id (a random UUID per start). Edge ids are monotonic per process
 *   only, so (boot, edgeId) is the natural key unique across restarts; the database deduplicates on it.
 * - `decodeEdgeBatch` (the reference decoder: row objects, each through the row-tuple schema) reads both
 *   versions and returns the same `EdgeBatch` for the same edges (v2 gives decimals in canonical form, e.g.
 *   `"309.717958"` for `"309.71795800"`); the row validation is shared, so both accept exactly the same
 *   edges. `decodeEdgeMessage` (the edge-writer's) keeps a v2 body in its columns, checked column by column
 *   (`validateEdgeColumns`): same verdicts and errors, 7–24× faster, no row objects.
 *
 * A new field or meaning is a new version: the decoder rejects versions it does not know (typed error), so
 * a Lambda older than the flusher fails loudly into the DLQ instead of writing half-understood rows.
 *
 * Limits (SQS): a message body ≤ 256 KiB; a SendMessageBatch ≤ 10 entries and ≤ 256 KiB in total. (AWS
 * raised both to 1 MiB in 2025; 256 KiB is kept as the limit every SQS-compatible endpoint honours.) The
 * packers fill messages up to the byte limit and group them into batches within both limits. A v2 body
 * inflates to at most `V2_MAX_INFLATED_BYTES` and holds at most `V2_MAX_EDGES` edges, so a hostile body
 * cannot make the decoder allocate without bound.
 */

import { promisify } from "node:util";
import { brotliCompress, brotliDecompressSync, constants as zlibConstants } from "node:zlib";

import { z } from "zod";

import {
  columnsFromBytes,
  columnsFromRows,
  columnsToBytes,
  rowsFromColumns,
  rowsFromValidColumns,
  validateEdgeColumns,
  type EdgeColumns,
} from "./edgeColumnsCodec.js";
import {
  EdgeBatchDecodeError,
  EdgeBatchPackError,
  decodeEdgeTuple,
  describeZodIssues,
  toTuple,
  type PersistedEdge,
} from "./edgeRowCodec.js";

export { EdgeColumns } from "./edgeColumnsCodec.js";
export {
  CLIP_LIMITS,
  EDGE_DIRECTION_VALUES,
  EDGE_FIELD_COUNT,
  EDGE_STATUSES,
  EdgeBatchDecodeError,
  EdgeBatchPackError,
  SKIP_REASONS,
  type EdgeBatchDecodeFailure,
  type EdgeOutcome,
  type PersistedEdge,
  type SkipReason,
} from "./edgeRowCodec.js";

/** The version `encodeEdgeBatch` / `packEdgeBatches` write (JSON rows). */
export const EDGE_BATCH_VERSION = 1;
/** The version `encodeEdgeBatchV2` / `packEdgeMessagesV2` write (compressed columns). */
export const EDGE_BATCH_V2 = 2;

/** SQS hard limits, in bytes of UTF-8 body (we send no message attributes). */
export const SQS_MAX_MESSAGE_BYTES = 256 * 1024;
export const SQS_MAX_BATCH_BYTES = 256 * 1024;
export const SQS_MAX_BATCH_ENTRIES = 10;

/** A v2 body holds at most this many edges (≈ 7× what fits 256 KiB on realistic edges). */
export const V2_MAX_EDGES = 100_000;
/**
 * A v2 body's columns inflate to at most this many bytes: 180 bytes a row at `V2_MAX_EDGES`, plus room for
 * the intent ids of the header.
 */
export const V2_MAX_INFLATED_BYTES = 64 * 1024 * 1024;
/**
 * Brotli quality of v2 bodies. Measured on 14 000 simulator-driven edges (base64 body bytes an edge /
 * relative CPU): quality 1: 22.1 / 0.16×, 2: 20.4 / 0.22×, 5: 16.9 / 1×, 6: 16.8 / 1.8×. Quality 2 costs the
 * trading host ≈ a fifth of quality 5's CPU (it runs in libuv's thread pool, but on the same two cores) for
 * ≈ 20 % more bytes, which costs no request at 10k edges/s: a message then closes on age with ≈6 500
 * edges, half of what 256 KiB holds at quality 2.
 */
export const DEFAULT_V2_QUALITY = 2;

export interface EdgeBatch {
  readonly bootId: string;
  readonly edges: readonly PersistedEdge[];
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const bootIdSchema = z.string().regex(UUID_RE, "boot id must be a UUID");

const envelopeV1Schema = z.object({
  v: z.literal(EDGE_BATCH_VERSION),
  boot: bootIdSchema,
  edges: z.array(z.unknown()).min(1),
});

const envelopeV2Schema = z.object({
  v: z.literal(EDGE_BATCH_V2),
  boot: bootIdSchema,
  n: z.number().int().min(1).max(V2_MAX_EDGES),
  z: z.string().min(1).regex(BASE64_RE, "z must be base64"),
});

// ---------------------------------------------------------------------------------------------------------
// Decoding

/** A parsed body before its edges are validated: v1's raw row tuples, or v2's columns. */
type ParsedBody =
  | { readonly bootId: string; readonly tuples: readonly unknown[]; readonly columns?: undefined }
  | { readonly bootId: string; readonly columns: EdgeColumns; readonly tuples?: undefined };

/** The envelope of either version, checked; the edges themselves are left to the caller to validate. */
function parseBody(body: string): ParsedBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new EdgeBatchDecodeError("notJson", undefined, `body of ${body.length} chars is not JSON`, {
      cause: error,
    });
  }
  if (typeof parsed === "object" && parsed !== null && "v" in parsed) {
    if (parsed.v === EDGE_BATCH_V2) return parseV2(parsed);
    if (parsed.v !== EDGE_BATCH_VERSION) {
      throw new EdgeBatchDecodeError(
        "unsupportedVersion",
        undefined,
        `version ${JSON.stringify(parsed.v)}; this decoder reads versions ${EDGE_BATCH_VERSION} and ${EDGE_BATCH_V2}`,
      );
    }
  }
  const envelope = envelopeV1Schema.safeParse(parsed);
  if (!envelope.success) {
    throw new EdgeBatchDecodeError("invalidEnvelope", undefined, describeZodIssues(envelope.error));
  }
  return { bootId: envelope.data.boot.toLowerCase(), tuples: envelope.data.edges };
}

function parseV2(parsed: unknown): ParsedBody {
  const envelope = envelopeV2Schema.safeParse(parsed);
  if (!envelope.success) {
    throw new EdgeBatchDecodeError("invalidEnvelope", undefined, describeZodIssues(envelope.error));
  }
  const { boot, n, z: packed } = envelope.data;
  let inflated: Buffer;
  try {
    inflated = brotliDecompressSync(Buffer.from(packed, "base64"), {
      maxOutputLength: V2_MAX_INFLATED_BYTES,
    });
  } catch (error) {
    throw new EdgeBatchDecodeError(
      "badCompression",
      undefined,
      `z (${packed.length} base64 chars) is not a brotli stream of at most ${V2_MAX_INFLATED_BYTES} bytes`,
      { cause: error },
    );
  }
  return { bootId: boot.toLowerCase(), columns: columnsFromBytes(inflated, n) };
}

/**
 * Parses and validates one message body (v1 or v2) into rows, each checked against the row-tuple schema.
 * Throws `EdgeBatchDecodeError` saying what and where. The reference decoder (tests, tools, the sink's
 * own checks); the edge-writer uses `decodeEdgeMessage`, which gives the same verdicts.
 */
export function decodeEdgeBatch(body: string): EdgeBatch {
  const parsed = parseBody(body);
  const edges =
    parsed.columns === undefined
      ? parsed.tuples.map((raw, index) => decodeEdgeTuple(raw, index))
      : rowsFromColumns(parsed.columns);
  return { bootId: parsed.bootId, edges };
}

/**
 * One message as the edge-writer loads it: a version-2 body stays in its columns (validated whole, no
 * row objects: the COPY encoder reads them directly), a version-1 body is rows.
 */
export type EdgeMessage =
  | { readonly bootId: string; readonly columns: EdgeColumns; readonly edges?: undefined }
  | { readonly bootId: string; readonly edges: readonly PersistedEdge[]; readonly columns?: undefined };

/**
 * Parses and validates one message body for loading. Accepts and refuses exactly the bodies
 * `decodeEdgeBatch` accepts and refuses, with the same `EdgeBatchDecodeError` (tested differentially), and
 * `edgesOfMessage` of the result equals `decodeEdgeBatch(body).edges`.
 */
export function decodeEdgeMessage(body: string): EdgeMessage {
  const parsed = parseBody(body);
  if (parsed.columns === undefined) {
    return { bootId: parsed.bootId, edges: parsed.tuples.map((raw, index) => decodeEdgeTuple(raw, index)) };
  }
  validateEdgeColumns(parsed.columns);
  return { bootId: parsed.bootId, columns: parsed.columns };
}

/** How many edges `message` holds. */
export function edgeCountOf(message: EdgeMessage): number {
  return message.columns === undefined ? message.edges.length : message.columns.count;
}

/** The edges of `message` as rows (built from its validated columns for version 2). */
export function edgesOfMessage(message: EdgeMessage): readonly PersistedEdge[] {
  return message.columns === undefined ? message.edges : rowsFromValidColumns(message.columns);
}

// ---------------------------------------------------------------------------------------------------------
// Limits and batches

export interface PackLimits {
  readonly maxMessageBytes: number;
  readonly maxBatchBytes: number;
  readonly maxBatchEntries: number;
}

export const SQS_LIMITS: PackLimits = {
  maxMessageBytes: SQS_MAX_MESSAGE_BYTES,
  maxBatchBytes: SQS_MAX_BATCH_BYTES,
  maxBatchEntries: SQS_MAX_BATCH_ENTRIES,
};

/** One message body and its UTF-8 size. */
export interface PackedMessage {
  readonly body: string;
  readonly bytes: number;
  readonly edgeCount: number;
}

/** One SendMessageBatch call's worth of messages (within the entry and total-byte limits). */
export interface PackedSendBatch {
  readonly messages: readonly PackedMessage[];
  readonly bytes: number;
}

function checkPackArguments(bootId: string, limits: PackLimits): void {
  if (!UUID_RE.test(bootId)) throw new EdgeBatchPackError(`boot id ${JSON.stringify(bootId)} is not a UUID`);
  if (limits.maxMessageBytes > limits.maxBatchBytes) {
    throw new EdgeBatchPackError("maxMessageBytes must not exceed maxBatchBytes");
  }
}

/** Groups messages, in order, into SendMessageBatch calls within `maxBatchEntries` and `maxBatchBytes`. */
export function groupSendBatches(
  messages: readonly PackedMessage[],
  limits: PackLimits = SQS_LIMITS,
): PackedSendBatch[] {
  const batches: PackedSendBatch[] = [];
  let current: PackedMessage[] = [];
  let currentBytes = 0;
  for (const message of messages) {
    if (message.bytes > limits.maxBatchBytes) {
      throw new EdgeBatchPackError(`a message of ${message.bytes} bytes exceeds ${limits.maxBatchBytes}`);
    }
    if (current.length === limits.maxBatchEntries || currentBytes + message.bytes > limits.maxBatchBytes) {
      batches.push({ messages: current, bytes: currentBytes });
      current = [];
      currentBytes = 0;
    }
    current.push(message);
    currentBytes += message.bytes;
  }
  if (current.length > 0) batches.push({ messages: current, bytes: currentBytes });
  return batches;
}

// ---------------------------------------------------------------------------------------------------------
// Version 1: JSON rows

/** Encodes one batch as a single v1 body, with no size limit (tests, tools). */
export function encodeEdgeBatch(bootId: string, edges: readonly PersistedEdge[]): string {
  return JSON.stringify({ v: EDGE_BATCH_VERSION, boot: bootId, edges: edges.map(toTuple) });
}

/**
 * Packs `edges` into v1 bodies filled up to `limits.maxMessageBytes`, then into SendMessageBatch groups
 * within `maxBatchEntries` and `maxBatchBytes`. Order is kept. Each edge is serialised once; the envelope
 * is assembled by string concatenation so sizes are exact without re-serialising.
 */
export function packEdgeBatches(
  bootId: string,
  edges: readonly PersistedEdge[],
  limits: PackLimits = SQS_LIMITS,
): PackedSendBatch[] {
  checkPackArguments(bootId, limits);
  const prefix = `{"v":${EDGE_BATCH_VERSION},"boot":${JSON.stringify(bootId)},"edges":[`;
  const suffix = "]}";
  const overhead = Buffer.byteLength(prefix) + Buffer.byteLength(suffix);

  const messages: PackedMessage[] = [];
  let rows: string[] = [];
  let bytes = overhead;
  const flushMessage = (): void => {
    if (rows.length === 0) return;
    messages.push({ body: prefix + rows.join(",") + suffix, bytes, edgeCount: rows.length });
    rows = [];
    bytes = overhead;
  };
  edges.forEach((edge, index) => {
    const row = JSON.stringify(toTuple(edge));
    const rowBytes = Buffer.byteLength(row);
    if (overhead + rowBytes > limits.maxMessageBytes) {
      throw new EdgeBatchPackError(
        `edge ${index} (id ${edge.edgeId}) needs ${overhead + rowBytes} bytes; limit ${limits.maxMessageBytes}`,
      );
    }
    const separator = rows.length === 0 ? 0 : 1;
    if (bytes + separator + rowBytes > limits.maxMessageBytes) flushMessage();
    bytes += (rows.length === 0 ? 0 : 1) + rowBytes;
    rows.push(row);
  });
  flushMessage();
  return groupSendBatches(messages, limits);
}

// ---------------------------------------------------------------------------------------------------------
// Version 2: compressed binary columns

const compress = promisify(brotliCompress);

export interface V2EncodeOptions {
  /** Brotli quality 0–11; default `DEFAULT_V2_QUALITY`. */
  readonly quality?: number;
}

/**
 * Encodes rows [from, to) of `columns` as one v2 body, with no size limit. The bytes are copied before the
 * first await, so the caller may refill `columns` as soon as this returns its promise; brotli runs in
 * libuv's thread pool.
 */
export async function encodeEdgeColumnsV2(
  bootId: string,
  columns: EdgeColumns,
  options: V2EncodeOptions = {},
  from = 0,
  to = columns.count,
): Promise<string> {
  if (!UUID_RE.test(bootId)) throw new EdgeBatchPackError(`boot id ${JSON.stringify(bootId)} is not a UUID`);
  const n = to - from;
  if (n < 1 || n > V2_MAX_EDGES)
    throw new EdgeBatchPackError(`a v2 body holds 1..${V2_MAX_EDGES} edges, not ${n}`);
  const bytes = columnsToBytes(columns, from, to);
  const packed = await compress(bytes, {
    params: {
      [zlibConstants.BROTLI_PARAM_QUALITY]: options.quality ?? DEFAULT_V2_QUALITY,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  return `{"v":${EDGE_BATCH_V2},"boot":"${bootId}","n":${n},"z":"${packed.toString("base64")}"}`;
}

/** Encodes `edges` as one v2 body, with no size limit (tests, tools). */
export function encodeEdgeBatchV2(
  bootId: string,
  edges: readonly PersistedEdge[],
  options: V2EncodeOptions = {},
): Promise<string> {
  return encodeEdgeColumnsV2(bootId, columnsFromRows(edges), options);
}

export interface V2PackOptions extends V2EncodeOptions {
  /** Default `SQS_MAX_MESSAGE_BYTES`. */
  readonly maxMessageBytes?: number;
}

/**
 * Packs the rows of `columns`, in order, into as few v2 bodies of at most `maxMessageBytes` as their
 * compressed size allows: all of them in one body when it fits, else in as many equal parts as the
 * oversize suggests, recursively (a compressed size is only known once compressed, so the caller should
 * offer about one message's worth — see the flusher's estimate). A row that cannot fit even alone throws
 * `EdgeBatchPackError`. `columns` must stay untouched until the promise settles.
 */
export async function packEdgeColumnsV2(
  bootId: string,
  columns: EdgeColumns,
  options: V2PackOptions = {},
): Promise<PackedMessage[]> {
  const maxMessageBytes = options.maxMessageBytes ?? SQS_MAX_MESSAGE_BYTES;
  const messages: PackedMessage[] = [];
  const packParts = async (from: number, to: number, parts: number): Promise<void> => {
    const size = Math.ceil((to - from) / parts);
    for (let at = from; at < to; at += size) await pack(at, Math.min(to, at + size));
  };
  const pack = async (from: number, to: number): Promise<void> => {
    const n = to - from;
    if (n > V2_MAX_EDGES) return packParts(from, to, Math.ceil(n / V2_MAX_EDGES));
    const body = await encodeEdgeColumnsV2(bootId, columns, options, from, to);
    const bytes = Buffer.byteLength(body);
    if (bytes <= maxMessageBytes) {
      messages.push({ body, bytes, edgeCount: n });
      return;
    }
    if (n === 1) {
      throw new EdgeBatchPackError(
        `edge id ${columns.floats.edgeId[from]} needs ${bytes} bytes as a v2 body; limit ${maxMessageBytes}`,
      );
    }
    // Smaller parts compress a little worse: aim each at 90 % of the limit.
    return packParts(from, to, Math.min(n, Math.max(2, Math.ceil(bytes / (0.9 * maxMessageBytes)))));
  };
  if (columns.count > 0) await pack(0, columns.count);
  return messages;
}

/** `packEdgeColumnsV2` for rows (tests, tools). */
export function packEdgeMessagesV2(
  bootId: string,
  edges: readonly PersistedEdge[],
  options: V2PackOptions = {},
): Promise<PackedMessage[]> {
  if (!UUID_RE.test(bootId)) {
    return Promise.reject(new EdgeBatchPackError(`boot id ${JSON.stringify(bootId)} is not a UUID`));
  }
  return edges.length === 0
    ? Promise.resolve([])
    : packEdgeColumnsV2(bootId, columnsFromRows(edges), options);
}
