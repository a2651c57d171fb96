/**
 * The SQS message contract of the trades queue (FIFO): what the hot path ships, what the
 * `trade-writer` Lambda decodes. Both sides import this module and nothing else of each other.
 *
 * One event per message — the queue deduplicates per message, so every message must carry exactly one
 * natural id. Body, version 1 (JSON, ≤ 256 KiB, checked when encoding and when decoding):
 *
 *   {"v":1,"kind":"<kind>", …the event's fields}
 *
 * Kinds and their natural ids (`MessageDeduplicationId` = SHA-256 hex of the id, always 64 characters of
 * the allowed alphabet whatever the id holds; SQS drops a repeat within its 5-minute window, the writer's
 * keys drop it after that):
 *
 * | kind               | table(s)                      | natural id                    | group           |
 * | ------------------ | ----------------------------- | ----------------------------- | --------------- |
 * | `intent`           | intents (+ its legs → orders) | intent id + status            | `coin:<coin>`   |
 * | `order`            | orders                        | cloid + status + oid          | `coin:<coin>`   |
 * | `fill`             | fills                         | tid                           | `coin:<coin>`   |
 * | `funding`          | funding                       | coin + time                   | `coin:<coin>`   |
 * | `positionSnapshot` | position_snapshots            | coin + time                   | `coin:<coin>`   |
 * | `transfer`         | transfers                     | transfer id (hash or nonce)   | `account`       |
 * | `controlChange`    | control_changes               | change id (UUID)              | `control`       |
 *
 * Status updates are events of their own (an intent or order shipped again with its new status), so the
 * status is part of their natural id: otherwise SQS would drop every update within 5 minutes of the first.
 * An order's oid is too: a fill can finish an order before the answer that carries its oid arrives, and
 * the oid then comes in an update with the same status.
 * The writer moves statuses only forward (by `INTENT_STATUSES` / `ORDER_STATUSES` order), so a late or
 * repeated update is harmless.
 *
 * Why one message group per coin (`coin` is the configured coin, e.g. `HYPE`, for every event of it —
 * fills of both legs included, whatever the exchange calls the spot pair): FIFO order holds only within a
 * group, and the writer needs an intent before its orders (`orders.intent_id` is a foreign key) and a
 * root before its follow-ups. Every one of those events names the coin, so the shipper needs no lookup to
 * choose the group — a per-position group would, for fills and funding, and funding has no position
 * when none is open. The cost: one coin's events are written one batch at a time, and a poison message holds
 * its coin's later events until it reaches the DLQ (maxReceiveCount receives). Trade events come a few per
 * intent — far below what one group carries — so throughput is not the constraint. Transfers (`account`)
 * and control changes (`control`) need no order relative to trades.
 *
 * Not shipped here: rebalance ticks. The rebalancer Lambda claims and records its own ticks in
 * `rebalances` (and their transfers in `transfers`) directly, in Postgres, before it sends anything. A
 * `transfer` event naming a `tickId` therefore refers to a tick the rebalancer recorded
 * (`transfers.tick_id` is a foreign key); moves outside the rebalancer carry no tick.
 *
 * Times are epoch milliseconds (`changedAt` of a control change stays the ISO text the control API wrote).
 * Prices, sizes and amounts are exact decimal strings. A new field or meaning is a new version: the
 * decoder rejects versions, kinds and fields it does not know (typed `TradeEventDecodeError`), so a writer
 * older than the shipper fails loudly into the DLQ instead of writing half-understood rows.
 */

import { createHash } from "node:crypto";

import { z } from "zod";

import {
  type ControlChange,
  type ControlChangeColumns,
  controlChangeColumns,
} from "../control/controlChange.js";
import { CANONICAL_CLOID_RE, type Cloid, type WireDecimal } from "../exchange/wire/brands.js";
import type { UserFill } from "../exchange/wire/info.js";
import {
  type Intent,
  IntentValidationError,
  type LegMarket,
  type OrderSide,
  validateIntent,
} from "../execution/intent.js";
import {
  INTENT_STATUSES,
  type IntentStatus,
  ORDER_STATUSES,
  type OrderStatus,
} from "../execution/intentState.js";
import type { Tif } from "../exchange/wire/actions.js";

export { INTENT_STATUSES, ORDER_STATUSES, type IntentStatus, type OrderStatus };
// The writer maps a control change with the same function the control API's record defines.
export { controlChangeColumns, type ControlChange, type ControlChangeColumns };

/** The version `encodeTradeEvent` writes and `decodeTradeEvent` reads. */
export const TRADE_EVENT_VERSION = 1;

/** SQS hard limits, in bytes of UTF-8 body (we send no message attributes). */
export const SQS_MAX_MESSAGE_BYTES = 256 * 1024;
export const SQS_MAX_BATCH_BYTES = 256 * 1024;
export const SQS_MAX_BATCH_ENTRIES = 10;
/** `MessageGroupId` and `MessageDeduplicationId`: at most 128 characters, printable ASCII without space. */
export const SQS_MAX_ID_CHARS = 128;

// ---------------------------------------------------------------------------------------------------------
// Events

/** An intent as journaled, with its current status. Shipped when created and on every status change. */
export interface IntentTradeEvent {
  readonly kind: "intent";
  readonly intent: Intent;
  readonly status: IntentStatus;
  /** The size the intent hedges, base units (`intents.hedged_size`); `hedgedSizeOf(intent)` by default. */
  readonly hedgedSize: WireDecimal;
  /** The edge's net bps the decision expected; null when it had none (a timed close, a follow-up). */
  readonly expectedNetBps: number | null;
  /** When the intent reached `status` (local wall clock, epoch ms). */
  readonly atMs: number;
}

/** One order (a leg of an intent) and its status. Self-contained: it creates the order row if missing. */
export interface OrderTradeEvent {
  readonly kind: "order";
  readonly intentId: string;
  readonly cloid: Cloid;
  /** The intent's configured coin. */
  readonly coin: string;
  readonly market: LegMarket;
  readonly side: OrderSide;
  readonly size: WireDecimal;
  readonly limitPx: WireDecimal;
  readonly tif: Tif;
  readonly reduceOnly: boolean;
  readonly status: OrderStatus;
  /** The exchange's order id, once known. */
  readonly oid: number | null;
  /** The intent's creation time (`orders.created_at`). */
  readonly createdAtMs: number;
  /** When the order reached `status` (`orders.updated_at`). */
  readonly atMs: number;
}

/** One execution as the exchange reported it (`userFills` / `userEvents`). */
export interface FillTradeEvent {
  readonly kind: "fill";
  readonly tid: number;
  /** Null for a fill of an order we did not send with a cloid. */
  readonly cloid: Cloid | null;
  readonly oid: number;
  /** The configured coin (the intent's), for both legs: `market` tells perp from spot. */
  readonly coin: string;
  readonly market: LegMarket;
  readonly side: OrderSide;
  readonly px: WireDecimal;
  readonly size: WireDecimal;
  /** Negative for a rebate. */
  readonly fee: WireDecimal;
  /** `USDC`, or the base token on a spot buy. */
  readonly feeToken: string;
  readonly closedPnl: WireDecimal | null;
  readonly hash: string | null;
  /** Exchange time of the fill. */
  readonly timeMs: number;
}

/** One hourly funding payment on a perp position. */
export interface FundingTradeEvent {
  readonly kind: "funding";
  /** The configured coin. */
  readonly coin: string;
  readonly timeMs: number;
  /** Received +, paid −. */
  readonly usdc: WireDecimal;
  /** The signed perp position it was paid on (`szi`). */
  readonly positionSize: WireDecimal;
  readonly fundingRate: WireDecimal;
  /** The position held when it was paid, as the bot's ledger attributed it; null when none was. */
  readonly positionId: string | null;
}

export const TRANSFER_KINDS = ["spotToPerp", "perpToSpot", "deposit", "withdrawal"] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];

/** A USDC move (usdClassTransfer between spot and perp, a deposit, a withdrawal). */
export interface TransferTradeEvent {
  readonly kind: "transfer";
  /**
   * The natural id: the exchange's hash when it reports one, else `usdClassTransfer:<nonce>` (the signed
   * action's nonce, unique per signer).
   */
  readonly transferId: string;
  readonly direction: TransferKind;
  readonly token: string;
  readonly amount: WireDecimal;
  /** The rebalancer's tick that made it (a `rebalances` row it recorded); null for moves outside it. */
  readonly tickId: string | null;
  /** The exchange's answer: `ok`, or its error text. */
  readonly status: string;
  readonly atMs: number;
}

/** What we hold on one coin at one moment (reconciliation, unrealized PnL). */
export interface PositionSnapshotTradeEvent {
  readonly kind: "positionSnapshot";
  readonly coin: string;
  readonly takenAtMs: number;
  readonly perpSize: WireDecimal;
  readonly spotSize: WireDecimal;
  readonly perpEntryPx: WireDecimal | null;
  readonly perpMarkPx: WireDecimal | null;
  readonly spotMidPx: WireDecimal | null;
  readonly unrealizedPnl: WireDecimal | null;
}

/** One accepted control call (`hotpath/control/controlChange.ts`). */
export interface ControlChangeTradeEvent {
  readonly kind: "controlChange";
  readonly change: ControlChange;
}

export type TradeEvent =
  | IntentTradeEvent
  | OrderTradeEvent
  | FillTradeEvent
  | FundingTradeEvent
  | TransferTradeEvent
  | PositionSnapshotTradeEvent
  | ControlChangeTradeEvent;

export type TradeEventKind = TradeEvent["kind"];
export const TRADE_EVENT_KINDS = [
  "intent",
  "order",
  "fill",
  "funding",
  "transfer",
  "positionSnapshot",
  "controlChange",
] as const satisfies readonly TradeEventKind[];

/** The size an intent hedges: its perp leg's (a basis position is sized by its perp), else its first leg's. */
export function hedgedSizeOf(intent: Intent): WireDecimal {
  const leg = intent.legs.find((candidate) => candidate.market === "perp") ?? intent.legs[0];
  if (leg === undefined) throw new TradeEventEncodeError(`intent ${intent.intentId} has no legs`);
  return leg.size;
}

/** The `intent` event of `intent` at `status`. */
export function intentEvent(
  intent: Intent,
  status: IntentStatus,
  atMs: number,
  expectedNetBps: number | null = null,
): IntentTradeEvent {
  return { kind: "intent", intent, status, hedgedSize: hedgedSizeOf(intent), expectedNetBps, atMs };
}

/** The `order` event of `intent`'s leg `cloid` at `status` (what the executor ships after each transition). */
export function orderEvent(
  intent: Intent,
  cloid: Cloid,
  status: OrderStatus,
  oid: number | null,
  atMs: number,
): OrderTradeEvent {
  const leg = intent.legs.find((candidate) => candidate.cloid === cloid);
  if (leg === undefined) throw new TradeEventEncodeError(`intent ${intent.intentId} has no leg ${cloid}`);
  return {
    kind: "order",
    intentId: intent.intentId,
    cloid,
    coin: intent.coin,
    market: leg.market,
    side: leg.side,
    size: leg.size,
    limitPx: leg.limitPx,
    tif: leg.tif,
    reduceOnly: leg.reduceOnly,
    status,
    oid,
    createdAtMs: intent.createdAtMs,
    atMs,
  };
}

/** The `fill` event of an exchange fill of `intent`'s leg `cloid` (market and side from the leg). */
export function fillEvent(intent: Intent, cloid: Cloid, fill: UserFill): FillTradeEvent {
  const leg = intent.legs.find((candidate) => candidate.cloid === cloid);
  if (leg === undefined) throw new TradeEventEncodeError(`intent ${intent.intentId} has no leg ${cloid}`);
  return {
    kind: "fill",
    tid: fill.tid,
    cloid,
    oid: fill.oid,
    coin: intent.coin,
    market: leg.market,
    side: leg.side,
    px: fill.px,
    size: fill.sz,
    fee: fill.fee,
    feeToken: fill.feeToken,
    closedPnl: fill.closedPnl,
    hash: fill.hash,
    timeMs: fill.time,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Errors

export type TradeEventDecodeFailure =
  "tooLarge" | "notJson" | "unsupportedVersion" | "unknownKind" | "invalidEvent";

/** A message body that is not a valid trade event: poison, never retried into success. */
export class TradeEventDecodeError extends Error {
  override readonly name = "TradeEventDecodeError";
  constructor(
    readonly failure: TradeEventDecodeFailure,
    /** The event kind, when the body got that far. */
    readonly kind: string | undefined,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`trade event ${failure}${kind === undefined ? "" : ` (${kind})`}: ${detail}`, options);
  }
}

/** An event that cannot become a message (invalid, or beyond the SQS size limit): a bug in the caller. */
export class TradeEventEncodeError extends Error {
  override readonly name = "TradeEventEncodeError";
}

// ---------------------------------------------------------------------------------------------------------
// Schemas. Strict objects: an unknown field is a new version, refused.

const DECIMAL_RE = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_UTC_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z$/;
/** 9999-12-31T23:59:59.999Z: later times would not print as a 4-digit ISO year, which Postgres expects. */
const MAX_EPOCH_MS = 253_402_300_799_999;

const decimal = z.string().max(64).regex(DECIMAL_RE, "must be an exact decimal string");
const positiveDecimal = decimal.refine((value) => !value.startsWith("-") && /[1-9]/.test(value), {
  message: "must be above zero",
});
const epochMs = z.number().int().min(0).max(MAX_EPOCH_MS);
const exchangeId = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const coin = z.string().min(1).max(32);
const text = (max: number) => z.string().min(1).max(max);
const cloid = z.string().regex(CANONICAL_CLOID_RE, "must be 0x + 32 lower-case hex digits");
const market = z.enum(["perp", "spot"]);
const side = z.enum(["buy", "sell"]);

const legSchema = z.strictObject({
  market,
  asset: z.number().int().min(0),
  side,
  limitPx: positiveDecimal,
  size: positiveDecimal,
  cloid,
  reduceOnly: z.boolean(),
  tif: z.enum(["Gtc", "Ioc", "Alo"]),
  nonce: z.number().int().positive(),
  expiresAfter: z.number().int().positive(),
});

const intentSchema = z.strictObject({
  intentId: text(128),
  parentIntentId: text(128).nullable(),
  bootId: z.string().regex(UUID_RE, "must be a lower-case UUID (intents.boot_id)"),
  edgeId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).nullable(),
  positionId: text(128),
  coin,
  direction: z.enum(["perpRich", "spotRich"]),
  action: z.enum(["open", "close", "hedge", "unwind"]),
  legs: z.array(legSchema).min(1).max(16),
  createdAtMs: epochMs,
});

const controlValues = z.record(z.string().max(128), z.union([z.string().max(4096), z.boolean(), z.null()]));

const eventSchemas = {
  intent: z.strictObject({
    kind: z.literal("intent"),
    intent: intentSchema,
    status: z.enum(INTENT_STATUSES),
    hedgedSize: positiveDecimal,
    expectedNetBps: z.number().finite().nullable(),
    atMs: epochMs,
  }),
  order: z.strictObject({
    kind: z.literal("order"),
    intentId: text(128),
    cloid,
    coin,
    market,
    side,
    size: positiveDecimal,
    limitPx: positiveDecimal,
    tif: z.enum(["Gtc", "Ioc", "Alo"]),
    reduceOnly: z.boolean(),
    status: z.enum(ORDER_STATUSES),
    oid: exchangeId.nullable(),
    createdAtMs: epochMs,
    atMs: epochMs,
  }),
  fill: z.strictObject({
    kind: z.literal("fill"),
    tid: exchangeId,
    cloid: cloid.nullable(),
    oid: exchangeId,
    coin,
    market,
    side,
    px: positiveDecimal,
    size: positiveDecimal,
    fee: decimal,
    feeToken: text(32),
    closedPnl: decimal.nullable(),
    hash: text(130).nullable(),
    timeMs: epochMs,
  }),
  funding: z.strictObject({
    kind: z.literal("funding"),
    coin,
    timeMs: epochMs,
    usdc: decimal,
    positionSize: decimal,
    fundingRate: decimal,
    positionId: text(128).nullable(),
  }),
  transfer: z.strictObject({
    kind: z.literal("transfer"),
    transferId: text(128),
    direction: z.enum(TRANSFER_KINDS),
    token: text(32),
    amount: positiveDecimal,
    tickId: text(128).nullable(),
    status: text(1024),
    atMs: epochMs,
  }),
  positionSnapshot: z.strictObject({
    kind: z.literal("positionSnapshot"),
    coin,
    takenAtMs: epochMs,
    perpSize: decimal,
    spotSize: decimal,
    perpEntryPx: decimal.nullable(),
    perpMarkPx: decimal.nullable(),
    spotMidPx: decimal.nullable(),
    unrealizedPnl: decimal.nullable(),
  }),
  controlChange: z.strictObject({
    kind: z.literal("controlChange"),
    change: z.strictObject({
      changeId: z.string().regex(UUID_RE, "must be a lower-case UUID (control_changes.change_uid)"),
      changedAt: z
        .string()
        .regex(ISO_UTC_RE, "must be ISO-8601 UTC")
        .refine((value) => Number.isFinite(Date.parse(value)), { message: "must be a real time" }),
      action: z.enum(["pause", "resume", "kill", "settings"]),
      source: text(256),
      before: controlValues,
      after: controlValues,
      reason: z.string().max(4096).nullable(),
    }),
  }),
} as const satisfies Record<TradeEventKind, z.ZodType>;

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length === 0 ? "(event)" : issue.path.join(".")}: ${issue.message}`)
    .join("; ");
}

function isKind(value: unknown): value is TradeEventKind {
  return typeof value === "string" && (TRADE_EVENT_KINDS as readonly string[]).includes(value);
}

/** Checks an event object (without `v`) against its kind's schema; returns the problem, or null. */
function problemOf(
  value: unknown,
): { kind: string | undefined; failure: TradeEventDecodeFailure; detail: string } | null {
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (!isKind(kind)) {
    return {
      kind: typeof kind === "string" ? kind : undefined,
      failure: "unknownKind",
      detail: `kind ${JSON.stringify(kind)} is not one of ${TRADE_EVENT_KINDS.join(", ")}`,
    };
  }
  const parsed = eventSchemas[kind].safeParse(value);
  if (!parsed.success) return { kind, failure: "invalidEvent", detail: describeIssues(parsed.error) };
  if (kind === "intent") {
    try {
      validateIntent((value as IntentTradeEvent).intent);
    } catch (error) {
      if (error instanceof IntentValidationError)
        return { kind, failure: "invalidEvent", detail: error.message };
      throw error;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Encoding and decoding

/** One message of the trades queue: its body and the ids SendMessageBatch needs. */
export interface TradeMessage {
  readonly kind: TradeEventKind;
  readonly body: string;
  /** UTF-8 bytes of `body`. */
  readonly bytes: number;
  readonly groupId: string;
  readonly deduplicationId: string;
}

/** Validates `event` and returns its body. Throws `TradeEventEncodeError` (invalid, or over 256 KiB). */
export function encodeTradeEvent(event: TradeEvent): string {
  const problem = problemOf(event);
  if (problem !== null) {
    throw new TradeEventEncodeError(
      `trade event ${problem.failure}${problem.kind === undefined ? "" : ` (${problem.kind})`}: ${problem.detail}`,
    );
  }
  const body = JSON.stringify({ v: TRADE_EVENT_VERSION, ...event });
  const bytes = Buffer.byteLength(body);
  if (bytes > SQS_MAX_MESSAGE_BYTES) {
    throw new TradeEventEncodeError(
      `a ${event.kind} event needs ${bytes} bytes; an SQS message holds ${SQS_MAX_MESSAGE_BYTES}`,
    );
  }
  return body;
}

/** The message for `event`: validated body, group and deduplication ids. Throws `TradeEventEncodeError`. */
export function tradeMessageOf(event: TradeEvent): TradeMessage {
  const body = encodeTradeEvent(event);
  return {
    kind: event.kind,
    body,
    bytes: Buffer.byteLength(body),
    groupId: messageGroupIdOf(event),
    deduplicationId: deduplicationIdOf(event),
  };
}

/** The message for a body read back (from the spool): decodes it to recompute the ids. */
export function tradeMessageOfBody(body: string): TradeMessage {
  const event = decodeTradeEvent(body);
  return {
    kind: event.kind,
    body,
    bytes: Buffer.byteLength(body),
    groupId: messageGroupIdOf(event),
    deduplicationId: deduplicationIdOf(event),
  };
}

/** Parses and validates one message body. Throws `TradeEventDecodeError` saying what and where. */
export function decodeTradeEvent(body: string): TradeEvent {
  // Checked before parsing: SQS never delivers more, so more is not ours (or a bug) and not worth parsing.
  if (body.length > SQS_MAX_MESSAGE_BYTES || Buffer.byteLength(body) > SQS_MAX_MESSAGE_BYTES) {
    throw new TradeEventDecodeError("tooLarge", undefined, `body exceeds ${SQS_MAX_MESSAGE_BYTES} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new TradeEventDecodeError("notJson", undefined, `body of ${body.length} chars is not JSON`, {
      cause: error,
    });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new TradeEventDecodeError("notJson", undefined, "body is not a JSON object");
  }
  const { v, ...event } = parsed as { v?: unknown };
  if (v !== TRADE_EVENT_VERSION) {
    throw new TradeEventDecodeError(
      "unsupportedVersion",
      undefined,
      `version ${JSON.stringify(v)}; this decoder reads version ${TRADE_EVENT_VERSION}`,
    );
  }
  const problem = problemOf(event);
  if (problem !== null) throw new TradeEventDecodeError(problem.failure, problem.kind, problem.detail);
  return event as unknown as TradeEvent;
}

// ---------------------------------------------------------------------------------------------------------
// Natural ids, groups, deduplication

/** The event's natural id, readable (before hashing into a `MessageDeduplicationId`). */
export function naturalIdOf(event: TradeEvent): string {
  switch (event.kind) {
    case "intent":
      return `intent|${event.intent.intentId}|${event.status}`;
    case "order":
      return `order|${event.cloid}|${event.status}|${event.oid ?? "-"}`;
    case "fill":
      return `fill|${event.tid}`;
    case "funding":
      return `funding|${event.coin}|${event.timeMs}`;
    case "transfer":
      return `transfer|${event.transferId}`;
    case "positionSnapshot":
      return `snapshot|${event.coin}|${event.takenAtMs}`;
    case "controlChange":
      return `control|${event.change.changeId}`;
  }
}

/** SHA-256 hex of the natural id: 64 characters, always of the alphabet SQS accepts. */
export function deduplicationIdOf(event: TradeEvent): string {
  return createHash("sha256").update(naturalIdOf(event)).digest("hex");
}

/** Printable ASCII without space, as SQS accepts in group ids. */
const GROUP_ID_RE = /^[\x21-\x7e]+$/;

function coinGroup(coinName: string): string {
  const id = `coin:${coinName}`;
  // A coin name outside SQS's alphabet (or absurdly long) still maps to one stable group.
  if (id.length <= SQS_MAX_ID_CHARS && GROUP_ID_RE.test(id)) return id;
  return `coin#${createHash("sha256").update(coinName).digest("hex")}`;
}

/** The `MessageGroupId`: `coin:<coin>` for trading events, `account` for transfers, `control`. */
export function messageGroupIdOf(event: TradeEvent): string {
  switch (event.kind) {
    case "intent":
      return coinGroup(event.intent.coin);
    case "order":
    case "fill":
    case "funding":
    case "positionSnapshot":
      return coinGroup(event.coin);
    case "transfer":
      return "account";
    case "controlChange":
      return "control";
  }
}

// ---------------------------------------------------------------------------------------------------------
// SendMessageBatch packing

export interface TradePackLimits {
  readonly maxBatchBytes: number;
  readonly maxBatchEntries: number;
}

export const TRADE_SQS_LIMITS: TradePackLimits = {
  maxBatchBytes: SQS_MAX_BATCH_BYTES,
  maxBatchEntries: SQS_MAX_BATCH_ENTRIES,
};

/** One SendMessageBatch call's worth of messages, in order. */
export interface TradeSendBatch {
  readonly messages: readonly TradeMessage[];
  readonly bytes: number;
}

/**
 * Groups messages, in order, into SendMessageBatch calls of at most `maxBatchEntries` entries and
 * `maxBatchBytes` of bodies. Order is kept across batches too (the FIFO queue orders by send).
 */
export function packTradeMessages(
  messages: readonly TradeMessage[],
  limits: TradePackLimits = TRADE_SQS_LIMITS,
): TradeSendBatch[] {
  const batches: TradeSendBatch[] = [];
  let current: TradeMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (message.bytes > limits.maxBatchBytes) {
      throw new TradeEventEncodeError(`a message of ${message.bytes} bytes exceeds ${limits.maxBatchBytes}`);
    }
    if (current.length === limits.maxBatchEntries || bytes + message.bytes > limits.maxBatchBytes) {
      batches.push({ messages: current, bytes });
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += message.bytes;
  }
  if (current.length > 0) batches.push({ messages: current, bytes });
  return batches;
}

/** The `Entries` of a SendMessageBatch request for `messages` (ids `e0`, `e1`, …: unique per request). */
export function sendBatchEntries(messages: readonly TradeMessage[]): {
  Id: string;
  MessageBody: string;
  MessageGroupId: string;
  MessageDeduplicationId: string;
}[] {
  return messages.map((message, index) => ({
    Id: `e${index}`,
    MessageBody: message.body,
    MessageGroupId: message.groupId,
    MessageDeduplicationId: message.deduplicationId,
  }));
}
