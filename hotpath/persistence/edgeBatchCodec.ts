/**
 * The SQS message contract for edges: the hot path's flusher packs many edges into each message, the
 * `edge-writer` Lambda decodes them. Both sides import this module and nothing else of each other.
 *
 * Body format, version 1 — a JSON envelope of positional row tuples (no per-row field names, so a row of
 * ~30 fields costs ≈350 bytes instead of ≈900):
 *
 *   {"v":1,"boot":"<uuid>","edges":[[<EDGE_FIELDS in order>], …]}
 *
 * - `boot` is the sending process's boot id (a random UUID per start). Edge ids are monotonic per process
 *   only, so (boot, edgeId) is the natural key unique across restarts; the database deduplicates on it.
 * - Times are epoch milliseconds (wall clock). Sizes, notionals and fee rates are exact decimal strings.
 *   Bps and VWAPs are doubles in the hot path; NaN (not computed) travels as `null`.
 * - Every edge carries its decision outcome: `traded` with the intent id, or `skipped` with a reason.
 *
 * A new field or meaning is a new version: the decoder rejects versions it does not know (typed error), so
 * a Lambda older than the flusher fails loudly into the DLQ instead of writing half-understood rows.
 *
 * Limits (SQS): a message body ≤ 256 KiB; a SendMessageBatch ≤ 10 entries and ≤ 256 KiB in total. The
 * packer fills messages greedily up to the byte limit and groups them into batches within both limits.
 */

import { z } from "zod";

import type { EdgeDirection } from "../edge/direction.js";
import type { ClipLimit, EdgeStatus } from "../edge/edgeScratch.js";

export const EDGE_BATCH_VERSION = 1;

/** SQS hard limits, in bytes of UTF-8 body (we send no message attributes). */
export const SQS_MAX_MESSAGE_BYTES = 256 * 1024;
export const SQS_MAX_BATCH_BYTES = 256 * 1024;
export const SQS_MAX_BATCH_ENTRIES = 10;

export const EDGE_STATUSES = [
  "ok",
  "emptyBook",
  "crossedBook",
  "noSize",
  "overflow",
] as const satisfies readonly EdgeStatus[];
export const EDGE_DIRECTION_VALUES = ["perpRich", "spotRich"] as const satisfies readonly EdgeDirection[];
export const CLIP_LIMITS = [
  "clip",
  "riskMaxQty",
  "spotBalance",
  "bookDepth",
  "notionalHeadroom",
] as const satisfies readonly ClipLimit[];

/** Why an edge was not traded. Stored as text in `edges.skip_reason` (checked against this list). */
export const SKIP_REASONS = [
  "belowThreshold",
  "stale",
  "riskLimit",
  "insufficientBalance",
  "paused",
  "notComputable",
  "orderInFlight",
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export type EdgeOutcome =
  | { readonly kind: "traded"; readonly intentId: string }
  | { readonly kind: "skipped"; readonly reason: SkipReason };

/** One edge as persisted: the fields worth querying, flat. */
export interface PersistedEdge {
  /** Monotonic within the sending process (`EdgeIdSequence`). */
  readonly edgeId: number;
  readonly recordedAtMs: number;
  readonly coin: string;
  readonly direction: EdgeDirection;
  readonly status: EdgeStatus;
  readonly outcome: EdgeOutcome;
  readonly grossBps: number | null;
  readonly netBps: number | null;
  readonly entryFeeBps: number | null;
  readonly exitFeeBps: number | null;
  readonly fundingBps: number | null;
  readonly clipLimit: ClipLimit;
  readonly perpSize: string;
  readonly spotSize: string;
  readonly hedgedSize: string;
  readonly perpVwap: number | null;
  readonly spotVwap: number | null;
  readonly perpNotional: string;
  readonly spotNotional: string;
  readonly perpExchangeTimeMs: number;
  readonly perpReceivedAtMs: number;
  readonly spotExchangeTimeMs: number;
  readonly spotReceivedAtMs: number;
  readonly perpTakerFeeRate: string;
  readonly spotTakerFeeRate: string;
  readonly fundingRatePerHour: number | null;
}

export interface EdgeBatch {
  readonly bootId: string;
  readonly edges: readonly PersistedEdge[];
}

// ---------------------------------------------------------------------------------------------------------
// Errors

export type EdgeBatchDecodeFailure = "notJson" | "unsupportedVersion" | "invalidEnvelope" | "invalidEdge";

/** A message body that is not a valid edge batch: poison, never retried into success. */
export class EdgeBatchDecodeError extends Error {
  override readonly name = "EdgeBatchDecodeError";
  constructor(
    readonly failure: EdgeBatchDecodeFailure,
    /** Index of the offending edge in the message, when one is to blame. */
    readonly edgeIndex: number | undefined,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(
      `edge batch ${failure}${edgeIndex === undefined ? "" : ` at edge ${edgeIndex}`}: ${detail}`,
      options,
    );
  }
}

/** An edge or a packer limit that cannot fit any SQS message — a bug in the caller's limits or data. */
export class EdgeBatchPackError extends Error {
  override readonly name = "EdgeBatchPackError";
}

// ---------------------------------------------------------------------------------------------------------
// Row tuple (version 1). The order below IS the wire format: append-only within a version.

const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/, "exact decimal string");
const finiteOrNull = z.number().finite().nullable();
const epochMs = z.number().finite().nonnegative();
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const edgeTupleSchema = z.tuple([
  z.number().int().positive().max(Number.MAX_SAFE_INTEGER), // 0 edgeId
  epochMs, // 1 recordedAtMs
  z.string().min(1).max(32), // 2 coin
  z.enum(EDGE_DIRECTION_VALUES), // 3 direction
  z.enum(EDGE_STATUSES), // 4 status
  z.enum(["traded", "skipped"]), // 5 outcome
  z.enum(SKIP_REASONS).nullable(), // 6 skipReason
  z.string().min(1).max(128).nullable(), // 7 intentId
  finiteOrNull, // 8 grossBps
  finiteOrNull, // 9 netBps
  finiteOrNull, // 10 entryFeeBps
  finiteOrNull, // 11 exitFeeBps
  finiteOrNull, // 12 fundingBps
  z.enum(CLIP_LIMITS), // 13 clipLimit
  decimalString, // 14 perpSize
  decimalString, // 15 spotSize
  decimalString, // 16 hedgedSize
  finiteOrNull, // 17 perpVwap
  finiteOrNull, // 18 spotVwap
  decimalString, // 19 perpNotional
  decimalString, // 20 spotNotional
  epochMs, // 21 perpExchangeTimeMs
  epochMs, // 22 perpReceivedAtMs
  epochMs, // 23 spotExchangeTimeMs
  epochMs, // 24 spotReceivedAtMs
  decimalString, // 25 perpTakerFeeRate
  decimalString, // 26 spotTakerFeeRate
  finiteOrNull, // 27 fundingRatePerHour
]);
type EdgeTuple = z.infer<typeof edgeTupleSchema>;

const envelopeSchema = z.object({
  v: z.literal(EDGE_BATCH_VERSION),
  boot: z.string().regex(UUID_RE, "boot id must be a UUID"),
  edges: z.array(z.unknown()).min(1),
});

/** NaN/±Infinity are not JSON; the hot path uses NaN for "not computed". */
function nullIfNotFinite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function toTuple(edge: PersistedEdge): EdgeTuple {
  const traded = edge.outcome.kind === "traded";
  return [
    edge.edgeId,
    edge.recordedAtMs,
    edge.coin,
    edge.direction,
    edge.status,
    edge.outcome.kind,
    edge.outcome.kind === "skipped" ? edge.outcome.reason : null,
    traded ? edge.outcome.intentId : null,
    nullIfNotFinite(edge.grossBps ?? Number.NaN),
    nullIfNotFinite(edge.netBps ?? Number.NaN),
    nullIfNotFinite(edge.entryFeeBps ?? Number.NaN),
    nullIfNotFinite(edge.exitFeeBps ?? Number.NaN),
    nullIfNotFinite(edge.fundingBps ?? Number.NaN),
    edge.clipLimit,
    edge.perpSize,
    edge.spotSize,
    edge.hedgedSize,
    nullIfNotFinite(edge.perpVwap ?? Number.NaN),
    nullIfNotFinite(edge.spotVwap ?? Number.NaN),
    edge.perpNotional,
    edge.spotNotional,
    edge.perpExchangeTimeMs,
    edge.perpReceivedAtMs,
    edge.spotExchangeTimeMs,
    edge.spotReceivedAtMs,
    edge.perpTakerFeeRate,
    edge.spotTakerFeeRate,
    nullIfNotFinite(edge.fundingRatePerHour ?? Number.NaN),
  ];
}

function fromTuple(t: EdgeTuple, index: number): PersistedEdge {
  const [, , , , , outcomeKind, skipReason, intentId] = t;
  let outcome: EdgeOutcome;
  if (outcomeKind === "traded") {
    if (intentId === null || skipReason !== null) {
      throw new EdgeBatchDecodeError("invalidEdge", index, "traded edge needs an intentId and no skipReason");
    }
    outcome = { kind: "traded", intentId };
  } else {
    if (skipReason === null || intentId !== null) {
      throw new EdgeBatchDecodeError("invalidEdge", index, "skipped edge needs a skipReason and no intentId");
    }
    outcome = { kind: "skipped", reason: skipReason };
  }
  return {
    edgeId: t[0],
    recordedAtMs: t[1],
    coin: t[2],
    direction: t[3],
    status: t[4],
    outcome,
    grossBps: t[8],
    netBps: t[9],
    entryFeeBps: t[10],
    exitFeeBps: t[11],
    fundingBps: t[12],
    clipLimit: t[13],
    perpSize: t[14],
    spotSize: t[15],
    hedgedSize: t[16],
    perpVwap: t[17],
    spotVwap: t[18],
    perpNotional: t[19],
    spotNotional: t[20],
    perpExchangeTimeMs: t[21],
    perpReceivedAtMs: t[22],
    spotExchangeTimeMs: t[23],
    spotReceivedAtMs: t[24],
    perpTakerFeeRate: t[25],
    spotTakerFeeRate: t[26],
    fundingRatePerHour: t[27],
  };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
}

// ---------------------------------------------------------------------------------------------------------
// Decoding

/** Parses and validates one message body. Throws `EdgeBatchDecodeError` saying what and where. */
export function decodeEdgeBatch(body: string): EdgeBatch {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new EdgeBatchDecodeError("notJson", undefined, `body of ${body.length} chars is not JSON`, {
      cause: error,
    });
  }
  if (typeof parsed === "object" && parsed !== null && "v" in parsed && parsed.v !== EDGE_BATCH_VERSION) {
    throw new EdgeBatchDecodeError(
      "unsupportedVersion",
      undefined,
      `version ${JSON.stringify(parsed.v)}; this decoder reads version ${EDGE_BATCH_VERSION}`,
    );
  }
  const envelope = envelopeSchema.safeParse(parsed);
  if (!envelope.success) {
    throw new EdgeBatchDecodeError("invalidEnvelope", undefined, describeIssues(envelope.error));
  }
  const edges = envelope.data.edges.map((raw, index) => {
    const tuple = edgeTupleSchema.safeParse(raw);
    if (!tuple.success) throw new EdgeBatchDecodeError("invalidEdge", index, describeIssues(tuple.error));
    return fromTuple(tuple.data, index);
  });
  return { bootId: envelope.data.boot.toLowerCase(), edges };
}

// ---------------------------------------------------------------------------------------------------------
// Encoding and packing

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

/** Encodes one batch as a single body, with no size limit (tests, tools). */
export function encodeEdgeBatch(bootId: string, edges: readonly PersistedEdge[]): string {
  return JSON.stringify({ v: EDGE_BATCH_VERSION, boot: bootId, edges: edges.map(toTuple) });
}

/**
 * Packs `edges` into message bodies filled up to `limits.maxMessageBytes`, then into SendMessageBatch
 * groups within `maxBatchEntries` and `maxBatchBytes`. Order is kept. Each edge is serialised once; the
 * envelope is assembled by string concatenation so sizes are exact without re-serialising.
 */
export function packEdgeBatches(
  bootId: string,
  edges: readonly PersistedEdge[],
  limits: PackLimits = SQS_LIMITS,
): PackedSendBatch[] {
  if (!UUID_RE.test(bootId)) throw new EdgeBatchPackError(`boot id ${JSON.stringify(bootId)} is not a UUID`);
  if (limits.maxMessageBytes > limits.maxBatchBytes) {
    throw new EdgeBatchPackError("maxMessageBytes must not exceed maxBatchBytes");
  }
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

  const batches: PackedSendBatch[] = [];
  let current: PackedMessage[] = [];
  let currentBytes = 0;
  for (const message of messages) {
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
