/**
 * One persisted edge as it travels in an SQS message: the `PersistedEdge` shape, its positional row tuple
 * (the field order IS the wire format), and the tuple's validation. Every body version of
 * `edgeBatchCodec.ts` carries these tuples — as JSON rows (v1) or as compressed columns (v2) — so both
 * versions accept exactly the same edges and decode to exactly the same values.
 *
 * - Times are epoch milliseconds (wall clock). Sizes, notionals and fee rates are exact decimal strings.
 * - Bps and VWAPs are doubles in the hot path; NaN (not computed) and ±Infinity travel as `null`.
 * - Every edge carries its decision outcome: `traded` with the intent id, or `skipped` with a reason.
 *
 * The tuple is append-only within a body version: a new field or meaning is a new version.
 */

import { z } from "zod";

import type { EdgeDirection } from "../edge/direction.js";
import type { ClipLimit, EdgeStatus } from "../edge/edgeScratch.js";

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
  /** 0 when the leg had received no frame yet (its book was empty: status `emptyBook`). */
  readonly perpExchangeTimeMs: number;
  readonly perpReceivedAtMs: number;
  readonly spotExchangeTimeMs: number;
  readonly spotReceivedAtMs: number;
  readonly perpTakerFeeRate: string;
  readonly spotTakerFeeRate: string;
  readonly fundingRatePerHour: number | null;
}

// ---------------------------------------------------------------------------------------------------------
// Errors

export type EdgeBatchDecodeFailure =
  "notJson" | "unsupportedVersion" | "invalidEnvelope" | "badCompression" | "invalidEdge";

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
// Row tuple. The order below IS the wire format: append-only within a version.

const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/, "exact decimal string");
const finiteOrNull = z.number().finite().nullable();
const epochMs = z.number().finite().nonnegative();

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
export type EdgeTuple = z.infer<typeof edgeTupleSchema>;

/** Fields per row tuple (the number of columns of a v2 body). */
export const EDGE_FIELD_COUNT = 28;

/** NaN/±Infinity are not JSON; the hot path uses NaN for "not computed". */
function nullIfNotFinite(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

export function toTuple(edge: PersistedEdge): EdgeTuple {
  const outcome = edge.outcome;
  return [
    edge.edgeId,
    edge.recordedAtMs,
    edge.coin,
    edge.direction,
    edge.status,
    outcome.kind,
    outcome.kind === "skipped" ? outcome.reason : null,
    outcome.kind === "traded" ? outcome.intentId : null,
    nullIfNotFinite(edge.grossBps),
    nullIfNotFinite(edge.netBps),
    nullIfNotFinite(edge.entryFeeBps),
    nullIfNotFinite(edge.exitFeeBps),
    nullIfNotFinite(edge.fundingBps),
    edge.clipLimit,
    edge.perpSize,
    edge.spotSize,
    edge.hedgedSize,
    nullIfNotFinite(edge.perpVwap),
    nullIfNotFinite(edge.spotVwap),
    edge.perpNotional,
    edge.spotNotional,
    edge.perpExchangeTimeMs,
    edge.perpReceivedAtMs,
    edge.spotExchangeTimeMs,
    edge.spotReceivedAtMs,
    edge.perpTakerFeeRate,
    edge.spotTakerFeeRate,
    nullIfNotFinite(edge.fundingRatePerHour),
  ];
}

/** The first zod issues of a failed parse, as one line (also for the envelope checks of the batch codec). */
export function describeZodIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
}

/** Validates one row tuple (edge `index` of its message). Throws `EdgeBatchDecodeError` saying what. */
export function decodeEdgeTuple(raw: unknown, index: number): PersistedEdge {
  const parsed = edgeTupleSchema.safeParse(raw);
  if (!parsed.success) throw new EdgeBatchDecodeError("invalidEdge", index, describeZodIssues(parsed.error));
  const t = parsed.data;
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
