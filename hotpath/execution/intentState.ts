/**
 * The intent/order state machine: pure functions from (state, event) to the next state, or to an
 * `IllegalTransition` that says why the event cannot happen in that state. Nothing here does I/O or reads a
 * clock; the journal replays the same functions on recovery, so the live state and the recovered state are
 * the same by construction.
 *
 * Orders (one per leg): intended → sent → acked → partial / filled / rejected, plus `unknown` while a
 * response is lost or timed out ("probe, never resend": the only way out of `unknown` is what the exchange
 * reports — a probe by cloid, an order update, a fill). Cumulative quantities are exact decimals and
 * idempotent: a fill is applied once per trade id, and cumulative reports (`filled`, `partiallyFilled`,
 * `cancelled`, probes) are maxima, not increments. No event can take the filled quantity above the order's
 * size: such an event is illegal, which the caller treats as a reconciliation failure (fail closed).
 *
 * Intents (a root `open`/`close` with its `hedge`/`unwind` follow-ups): the status is derived from the
 * orders — intended → sent → acked → hedged (every root leg filled) / rejected (nothing filled) /
 * needsHedge (anything else: one leg filled and the other rejected, or partial fills); a follow-up that
 * fills completely makes it hedged (`hedge`) or unwound (`unwind`); `closed` when the position is done.
 */

import {
  add,
  compare,
  type Decimal,
  formatDecimal,
  isZero,
  mul,
  neg,
  parseDecimal,
  sub,
} from "../exchange/decimal/decimal.js";
import type { Cloid, WireDecimal } from "../exchange/wire/brands.js";
import type { OrderStatusResponse } from "../exchange/wire/info.js";
import type { Intent, IntentId, LegMarket, OrderSide } from "./intent.js";

// ---------------------------------------------------------------------------------------------------------
// Orders

export const ORDER_STATUSES = [
  "intended",
  "sent",
  "unknown",
  "acked",
  "partial",
  "filled",
  "rejected",
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Why an order's outcome is unknown: its response timed out or was lost, or the process restarted. */
export type UnknownReason = "timeout" | "lostResponse" | "restart";

/**
 * Why an order ended with nothing filled: the exchange refused it (`exchange`), it was cancelled before any
 * fill (`cancelled`), the bytes never left (`notSent`), or a probe found nothing after it expired
 * (`notFound`).
 */
export type RejectReason = "exchange" | "cancelled" | "notSent" | "notFound";

export interface FeeAmount {
  /** The fee's currency as the exchange names it (`USDC`, or the base token on a spot buy). */
  readonly token: string;
  /** Negative for a rebate. */
  readonly amount: WireDecimal;
}

/** What is known of an order's fills: the fills themselves, and the exchange's cumulative reports. */
export interface FillProgress {
  /** Trade ids applied, in arrival order: a fill seen twice is applied once. */
  readonly tids: readonly number[];
  /** Sum of the sizes of the fills applied. */
  readonly executedSize: WireDecimal;
  /** Sum of px × size of the fills applied, exact (average price = executedNotional / executedSize). */
  readonly executedNotional: WireDecimal;
  /** Fees of the fills applied, summed per token. */
  readonly fees: readonly FeeAmount[];
  /** The largest cumulative filled size the exchange reported (response, order update, probe). */
  readonly reportedSize: WireDecimal;
  /** Average price of the order's `filled` response, when it came. */
  readonly reportedAvgPx: WireDecimal | null;
  /** The cumulative size at which the order ended (IOC remainder cancelled, cancel), once known. */
  readonly finalSize: WireDecimal | null;
  /** Exchange time of the latest fill applied. */
  readonly lastFillTimeMs: number | null;
}

interface OrderBase {
  readonly intentId: IntentId;
  readonly cloid: Cloid;
  readonly market: LegMarket;
  readonly asset: number;
  readonly side: OrderSide;
  readonly size: WireDecimal;
  readonly expiresAfter: number;
  /** The exchange's order id, once any report carried it. */
  readonly oid: number | null;
  readonly fills: FillProgress;
}

/** Journaled, not yet written to the socket. */
export interface IntendedOrder extends OrderBase {
  readonly status: "intended";
}
/** Written to the socket; no response yet. */
export interface SentOrder extends OrderBase {
  readonly status: "sent";
  readonly sentAtMs: number;
}
/** The response is lost or late, or the process restarted: probe by cloid before any new risk. */
export interface UnknownOrder extends OrderBase {
  readonly status: "unknown";
  readonly reason: UnknownReason;
  readonly sinceMs: number;
}
/** The exchange has it (resting, or accepted) and nothing filled yet. */
export interface AckedOrder extends OrderBase {
  readonly status: "acked";
  readonly oid: number;
  readonly resting: boolean;
}
/** Some filled. `live`: the rest may still fill (resting, or final size not reported yet). */
export interface PartialOrder extends OrderBase {
  readonly status: "partial";
  readonly live: boolean;
}
/** The whole size filled (fill details may still be arriving: see `fills.executedSize`). */
export interface FilledOrder extends OrderBase {
  readonly status: "filled";
}
/** Ended with nothing filled. Terminal. */
export interface RejectedOrder extends OrderBase {
  readonly status: "rejected";
  readonly reason: RejectReason;
  /** The exchange's error or status text, or what stopped the send. */
  readonly error: string;
}

export type OrderState =
  IntendedOrder | SentOrder | UnknownOrder | AckedOrder | PartialOrder | FilledOrder | RejectedOrder;

/** What a probe by cloid (`orderStatus`) found; build it with `probedEvent`. */
export type ProbeResult =
  | { readonly found: false }
  | {
      readonly found: true;
      readonly oid: number;
      /** The exchange's status text (`open`, `filled`, `canceled`, `iocCancelRejected`, …). */
      readonly status: string;
      readonly outcome: "live" | "filled" | "cancelled" | "rejected" | "unrecognised";
      /** The size of the order the exchange knows under this cloid. */
      readonly origSize: WireDecimal;
      /** Cumulative filled size (origSz − remaining sz). */
      readonly totalSize: WireDecimal;
    };

export type OrderEvent =
  /** The bytes were written to the socket. */
  | { readonly type: "sent"; readonly atMs: number }
  /** Nothing left the process (signing or the write failed before any byte went out). */
  | { readonly type: "notSent"; readonly reason: string }
  /** The exchange accepted the order (oid known), no fill yet. */
  | { readonly type: "acked"; readonly oid: number }
  /** The order rests on the book. */
  | { readonly type: "resting"; readonly oid: number }
  /** One execution (`userFills`, `userEvents`): applied once per `tid`. */
  | {
      readonly type: "fill";
      readonly tid: number;
      readonly oid: number;
      readonly px: WireDecimal;
      readonly size: WireDecimal;
      readonly fee: WireDecimal;
      readonly feeToken: string;
      readonly timeMs: number;
    }
  /** The order's life ended with `totalSize` filled (the `filled` response; an IOC's rest is cancelled). */
  | {
      readonly type: "filled";
      readonly oid: number;
      readonly totalSize: WireDecimal;
      readonly avgPx: WireDecimal;
    }
  /** Cumulative filled so far; the order is still live (an order update). */
  | { readonly type: "partiallyFilled"; readonly oid: number; readonly totalSize: WireDecimal }
  /** The exchange refused the order; `error` is its text. */
  | { readonly type: "rejected"; readonly error: string }
  /** The rest was cancelled with `totalSize` filled; `reason` is the exchange's status text. */
  | { readonly type: "cancelled"; readonly totalSize: WireDecimal; readonly reason: string }
  /** No response in time, the response was lost, or the process restarted. */
  | { readonly type: "outcomeUnknown"; readonly reason: UnknownReason; readonly atMs: number }
  /**
   * A probe by cloid. `atMs` is compared with the order's `expiresAfter` (exchange ms): "not found" is
   * conclusive only after it, so pass a time the exchange has surely passed (local clock minus skew).
   */
  | { readonly type: "probed"; readonly atMs: number; readonly result: ProbeResult };

export type OrderEventType = OrderEvent["type"];

/** An event that cannot happen in the state it was applied to: a bug, or a mismatch with the exchange. */
export class IllegalTransition {
  readonly illegal = true;
  constructor(
    /** The status the event was applied to. */
    readonly from: OrderStatus | IntentStatus,
    readonly event: OrderEventType | IntentEventType,
    readonly reason: string,
    /** The order concerned, when the event targets one. */
    readonly cloid: Cloid | null = null,
    readonly intentId: IntentId | null = null,
  ) {}

  get message(): string {
    const target = this.cloid === null ? "" : ` (order ${this.cloid})`;
    const intent = this.intentId === null ? "" : `intent ${this.intentId}: `;
    return `${intent}${this.event} is illegal in state ${this.from}${target}: ${this.reason}`;
  }

  withIntent(intentId: IntentId): IllegalTransition {
    return new IllegalTransition(this.from, this.event, this.reason, this.cloid, intentId);
  }
}

export function isIllegal(value: unknown): value is IllegalTransition {
  return value instanceof IllegalTransition;
}

const ZERO = "0" as WireDecimal;
const ZERO_DECIMAL = parseDecimal("0");

const NO_FILLS: FillProgress = Object.freeze({
  tids: Object.freeze([]),
  executedSize: ZERO,
  executedNotional: ZERO,
  fees: Object.freeze([]),
  reportedSize: ZERO,
  reportedAvgPx: null,
  finalSize: null,
  lastFillTimeMs: null,
});

/** The orders of an intent, all `intended`. */
export function intendedOrders(intent: Intent): OrderState[] {
  return intent.legs.map((leg): IntendedOrder => ({
    status: "intended",
    intentId: intent.intentId,
    cloid: leg.cloid,
    market: leg.market,
    asset: leg.asset,
    side: leg.side,
    size: leg.size,
    expiresAfter: leg.expiresAfter,
    oid: null,
    fills: NO_FILLS,
  }));
}

/** Cumulative filled size: the larger of the fills applied and the exchange's reports. */
export function filledSize(order: OrderState): WireDecimal {
  return cumulative(order.fills);
}

function cumulative(fills: FillProgress): WireDecimal {
  const { executedSize, reportedSize } = fills;
  // Both are canonical (stored through formatDecimal), so the common cases need no parsing.
  if (reportedSize === ZERO || executedSize === reportedSize) return executedSize;
  if (executedSize === ZERO) return reportedSize;
  return compare(parseDecimal(executedSize), parseDecimal(reportedSize)) >= 0 ? executedSize : reportedSize;
}

/** The canonical form of a decimal from the wire (`"0.50"` → `"0.5"`), so stored sizes compare as text. */
function canonical(value: WireDecimal): WireDecimal {
  return formatDecimal(parseDecimal(value));
}

/** No further fill can come: filled, rejected, or ended part-filled. */
export function isFinal(order: OrderState): boolean {
  return (
    order.status === "filled" || order.status === "rejected" || (order.status === "partial" && !order.live)
  );
}

export function transitionOrder(order: OrderState, event: OrderEvent): OrderState | IllegalTransition {
  const illegal = (reason: string): IllegalTransition =>
    new IllegalTransition(order.status, event.type, reason, order.cloid, order.intentId);
  switch (event.type) {
    case "sent":
      if (order.status !== "intended") return illegal("it was already sent: probe, never resend");
      return { ...order, status: "sent", sentAtMs: event.atMs };

    case "notSent":
      if (order.status !== "intended") return illegal("bytes already left for this order");
      return { ...order, status: "rejected", reason: "notSent", error: event.reason };

    case "acked":
    case "resting":
      return acknowledge(order, event.oid, event.type === "resting", illegal);

    case "fill":
      return applyFill(order, event, illegal);

    case "filled":
      if (compare(parseDecimal(event.totalSize), ZERO_DECIMAL) <= 0) {
        return illegal(`a filled report must have a positive size, got ${event.totalSize}`);
      }
      return finish(order, event.oid, event.totalSize, event.avgPx, "filled", illegal);

    case "partiallyFilled":
      return reportLive(order, event.oid, event.totalSize, illegal);

    case "rejected":
      return reject(order, "exchange", event.error, illegal);

    case "cancelled":
      return finish(order, order.oid, event.totalSize, null, event.reason, illegal);

    case "outcomeUnknown":
      if (isFinal(order) || order.status === "unknown") return order; // a late timeout forgets nothing
      if (order.status === "intended" && event.reason !== "restart") {
        return illegal("an order that was never sent cannot time out");
      }
      return { ...withoutStatusFields(order), status: "unknown", reason: event.reason, sinceMs: event.atMs };

    case "probed":
      return applyProbe(order, event.atMs, event.result, illegal);
  }
}

type Illegal = (reason: string) => IllegalTransition;

/** The order's common fields, without the fields particular to its status. */
function withoutStatusFields(order: OrderState): OrderBase {
  return {
    intentId: order.intentId,
    cloid: order.cloid,
    market: order.market,
    asset: order.asset,
    side: order.side,
    size: order.size,
    expiresAfter: order.expiresAfter,
    oid: order.oid,
    fills: order.fills,
  };
}

function checkOid(order: OrderState, oid: number | null, illegal: Illegal): IllegalTransition | null {
  if (oid === null || order.oid === null || order.oid === oid) return null;
  return illegal(`the exchange reports oid ${oid}, but this order is oid ${order.oid}`);
}

function acknowledge(
  order: OrderState,
  oid: number,
  resting: boolean,
  illegal: Illegal,
): OrderState | IllegalTransition {
  if (order.status === "intended") return illegal("acknowledged before it was sent");
  if (order.status === "rejected") return illegal("acknowledged after it was rejected");
  const mismatch = checkOid(order, oid, illegal);
  if (mismatch !== null) return mismatch;
  switch (order.status) {
    case "sent":
    case "unknown": {
      const base = { ...withoutStatusFields(order), oid };
      // Known now: the order is live on the exchange, with whatever fills already arrived.
      if (filledSize(order) !== ZERO) return { ...base, status: "partial", live: true };
      return { ...base, status: "acked", oid, resting };
    }
    case "acked":
      return resting && !order.resting ? { ...order, resting: true } : order;
    case "partial":
    case "filled":
      return order.oid === null ? { ...order, oid } : order; // a late ack after fills changes nothing else
  }
}

function applyFill(
  order: OrderState,
  fill: Extract<OrderEvent, { type: "fill" }>,
  illegal: Illegal,
): OrderState | IllegalTransition {
  if (order.fills.tids.includes(fill.tid)) return order; // idempotent: the same trade once
  if (order.status === "intended") return illegal("a fill before the order was sent");
  if (order.status === "rejected")
    return illegal(`fill ${fill.tid} for an order that ended with nothing filled`);
  const mismatch = checkOid(order, fill.oid, illegal);
  if (mismatch !== null) return mismatch;
  const size = parseDecimal(fill.size);
  if (compare(size, ZERO_DECIMAL) <= 0)
    return illegal(`fill ${fill.tid} has a non-positive size ${fill.size}`);
  const executed = add(parseDecimal(order.fills.executedSize), size);
  if (compare(executed, parseDecimal(order.size)) > 0) {
    return illegal(
      `fill ${fill.tid} would take the filled size to ${formatDecimal(executed)}, above the order's ${order.size}`,
    );
  }
  const finalSize = order.fills.finalSize;
  if (finalSize !== null && compare(executed, parseDecimal(finalSize)) > 0) {
    return illegal(
      `fill ${fill.tid} takes the fills to ${formatDecimal(executed)}, beyond the final ${finalSize} the exchange reported`,
    );
  }
  const fills: FillProgress = {
    ...order.fills,
    tids: [...order.fills.tids, fill.tid],
    executedSize: formatDecimal(executed),
    executedNotional: formatDecimal(
      add(parseDecimal(order.fills.executedNotional), mul(parseDecimal(fill.px), size)),
    ),
    fees: addFee(order.fills.fees, fill.feeToken, fill.fee),
    lastFillTimeMs:
      order.fills.lastFillTimeMs === null ? fill.timeMs : Math.max(order.fills.lastFillTimeMs, fill.timeMs),
  };
  const base = { ...withoutStatusFields(order), oid: fill.oid, fills };
  // Sizes are canonical: equal as numbers means equal as text.
  if (cumulative(fills) === order.size) {
    return { ...base, status: "filled" };
  }
  switch (order.status) {
    case "unknown":
      // A fill proves the order reached the exchange, not how it ended: still a probe's job.
      return { ...base, status: "unknown", reason: order.reason, sinceMs: order.sinceMs };
    case "partial":
      return { ...base, status: "partial", live: order.live };
    default:
      return { ...base, status: "partial", live: true };
  }
}

function addFee(fees: readonly FeeAmount[], token: string, amount: WireDecimal): readonly FeeAmount[] {
  const index = fees.findIndex((fee) => fee.token === token);
  if (index < 0) return [...fees, { token, amount }];
  return fees.map((fee, at) =>
    at === index
      ? { token, amount: formatDecimal(add(parseDecimal(fee.amount), parseDecimal(amount))) }
      : fee,
  );
}

/** The order ended with `totalSize` filled (a `filled` response, a cancel, a final probe). */
function finish(
  order: OrderState,
  oid: number | null,
  totalSize: WireDecimal,
  avgPx: WireDecimal | null,
  text: string,
  illegal: Illegal,
): OrderState | IllegalTransition {
  if (order.status === "intended") return illegal("an outcome for an order that was never sent");
  const total = parseDecimal(totalSize);
  const nothingFilled = isZero(total);
  if (order.status === "rejected") {
    return nothingFilled ? order : illegal(`${totalSize} filled reported for an order that was rejected`);
  }
  const mismatch = checkOid(order, oid, illegal);
  if (mismatch !== null) return mismatch;
  if (compare(total, ZERO_DECIMAL) < 0 || compare(total, parseDecimal(order.size)) > 0) {
    return illegal(`a final size of ${totalSize} is outside 0..${order.size}`);
  }
  const { fills } = order;
  if (fills.finalSize !== null) {
    if (compare(total, parseDecimal(fills.finalSize)) !== 0) {
      return illegal(`a final size of ${totalSize} contradicts the ${fills.finalSize} reported before`);
    }
    return order; // the same ending, reported again
  }
  if (compare(total, parseDecimal(filledSize(order))) < 0) {
    return illegal(
      `a final size of ${totalSize} is below the ${filledSize(order)} already known to have filled`,
    );
  }
  if (nothingFilled)
    return { ...withoutStatusFields(order), status: "rejected", reason: "cancelled", error: text };
  const finished: FillProgress = {
    ...fills,
    reportedSize: canonical(totalSize),
    reportedAvgPx: avgPx === null ? fills.reportedAvgPx : canonical(avgPx),
    finalSize: canonical(totalSize),
  };
  const base = { ...withoutStatusFields(order), oid: oid ?? order.oid, fills: finished };
  if (compare(total, parseDecimal(order.size)) === 0) return { ...base, status: "filled" };
  return { ...base, status: "partial", live: false };
}

/** Cumulative filled so far on an order that is still live. */
function reportLive(
  order: OrderState,
  oid: number,
  totalSize: WireDecimal,
  illegal: Illegal,
): OrderState | IllegalTransition {
  if (order.status === "intended") return illegal("a fill report before the order was sent");
  if (order.status === "rejected")
    return illegal(`${totalSize} filled reported for an order that was rejected`);
  const mismatch = checkOid(order, oid, illegal);
  if (mismatch !== null) return mismatch;
  const total = parseDecimal(totalSize);
  if (compare(total, ZERO_DECIMAL) <= 0)
    return illegal(`a partial fill report needs a positive size, got ${totalSize}`);
  if (compare(total, parseDecimal(order.size)) > 0) {
    return illegal(`a filled size of ${totalSize} is above the order's ${order.size}`);
  }
  const { fills } = order;
  if (fills.finalSize !== null) {
    // The order already ended: an older report arriving late, unless it claims more than the end.
    if (compare(total, parseDecimal(fills.finalSize)) <= 0) return order;
    return illegal(`${totalSize} filled reported after the order ended at ${fills.finalSize}`);
  }
  if (compare(total, parseDecimal(fills.reportedSize)) <= 0) {
    return order.oid === null ? { ...order, oid } : order; // nothing new
  }
  const reported: FillProgress = { ...fills, reportedSize: canonical(totalSize) };
  const base = { ...withoutStatusFields(order), oid, fills: reported };
  if (cumulative(reported) === order.size) {
    return { ...base, status: "filled" };
  }
  return { ...base, status: "partial", live: true };
}

function reject(
  order: OrderState,
  reason: RejectReason,
  error: string,
  illegal: Illegal,
): OrderState | IllegalTransition {
  switch (order.status) {
    case "intended":
      return illegal("the exchange cannot reject what was never sent (use notSent)");
    case "rejected":
      return order; // terminal; the same news twice
    case "partial":
    case "filled":
      return illegal(`rejected ("${error}") after ${filledSize(order)} filled`);
    default:
      if (filledSize(order) !== ZERO) {
        return illegal(`rejected ("${error}") after ${filledSize(order)} filled`);
      }
      return { ...withoutStatusFields(order), status: "rejected", reason, error };
  }
}

function applyProbe(
  order: OrderState,
  atMs: number,
  result: ProbeResult,
  illegal: Illegal,
): OrderState | IllegalTransition {
  if (order.status === "intended") return illegal("probe an intended order only after marking it unknown");
  if (!result.found) {
    switch (order.status) {
      case "rejected":
        return order;
      case "sent":
      case "unknown":
        if (filledSize(order) !== ZERO) {
          return illegal("the exchange does not know an order that has fills");
        }
        // Until the order expired it may still be on its way: inconclusive, probe again later.
        if (atMs <= order.expiresAfter) return order;
        return {
          ...withoutStatusFields(order),
          status: "rejected",
          reason: "notFound",
          error: `not found by cloid at ${atMs}, after it expired at ${order.expiresAfter}`,
        };
      default:
        return illegal("the exchange does not know an order it acknowledged");
    }
  }
  if (compare(parseDecimal(result.origSize), parseDecimal(order.size)) !== 0) {
    return illegal(`the exchange's order under this cloid has size ${result.origSize}, not ${order.size}`);
  }
  switch (result.outcome) {
    case "live":
      if (isZero(parseDecimal(result.totalSize))) return acknowledge(order, result.oid, true, illegal);
      return reportLive(order, result.oid, result.totalSize, illegal);
    case "filled":
    case "cancelled":
      return finish(order, result.oid, result.totalSize, null, result.status, illegal);
    case "rejected":
      if (!isZero(parseDecimal(result.totalSize))) {
        return illegal(`status ${result.status} with ${result.totalSize} filled`);
      }
      return reject(order, "exchange", result.status, illegal);
    case "unrecognised":
      return illegal(`the exchange reports status "${result.status}", which this version does not know`);
  }
}

/** Builds the `probed` event from an `orderStatus` response (query by cloid). */
export function probedEvent(response: OrderStatusResponse, atMs: number): OrderEvent {
  if (response.status === "unknownOid") return { type: "probed", atMs, result: { found: false } };
  const { order, status } = response.order;
  const origSize = parseDecimal(order.origSz);
  return {
    type: "probed",
    atMs,
    result: {
      found: true,
      oid: order.oid,
      status,
      outcome: classifyOrderStatus(status),
      origSize: formatDecimal(origSize),
      totalSize: formatDecimal(sub(origSize, parseDecimal(order.sz))),
    },
  };
}

/** Maps the exchange's open-ended order status vocabulary (PROTOCOL §2.6) onto what the machine needs. */
export function classifyOrderStatus(
  status: string,
): "live" | "filled" | "cancelled" | "rejected" | "unrecognised" {
  if (status === "open" || status === "triggered") return "live";
  if (status === "filled") return "filled";
  if (status === "rejected" || status.endsWith("Rejected")) return "rejected";
  if (
    status === "canceled" ||
    status.endsWith("Canceled") ||
    status === "scheduledCancel" ||
    status === "internalCancel"
  ) {
    return "cancelled";
  }
  return "unrecognised";
}

// ---------------------------------------------------------------------------------------------------------
// Intents

export const INTENT_STATUSES = [
  "intended",
  "sent",
  "acked",
  "needsHedge",
  "hedged",
  "unwound",
  "rejected",
  "closed",
] as const;
export type IntentStatus = (typeof INTENT_STATUSES)[number];

interface IntentStateBase {
  /** The root (`open` or `close`). */
  readonly intent: Intent;
  /** Its hedge/unwind follow-ups, in the order they were made. */
  readonly followUps: readonly Intent[];
  /** The root's orders (one per leg, in leg order), then each follow-up's. */
  readonly orders: readonly OrderState[];
  /** Why the remaining imbalance was accepted without another order, when it was. */
  readonly residualAccepted: string | null;
}

/** Nothing sent yet. */
export interface IntendedIntent extends IntentStateBase {
  readonly status: "intended";
}
/** Some root order is on its way or its outcome is unknown. */
export interface SentIntent extends IntentStateBase {
  readonly status: "sent";
}
/** Every root order is acknowledged, some still live (resting). */
export interface AckedIntent extends IntentStateBase {
  readonly status: "acked";
}
/** The legs did not fill alike; a hedge or unwind is due (or in flight). */
export interface NeedsHedgeIntent extends IntentStateBase {
  readonly status: "needsHedge";
  readonly followUpInFlight: boolean;
}
/** Every root leg filled, or a hedge filled, or the residual was accepted: the legs are balanced. */
export interface HedgedIntent extends IntentStateBase {
  readonly status: "hedged";
}
/** An unwind filled: what was filled has been flattened. */
export interface UnwoundIntent extends IntentStateBase {
  readonly status: "unwound";
}
/** Nothing filled on any leg: no exposure came of it. */
export interface RejectedIntent extends IntentStateBase {
  readonly status: "rejected";
}
/** Done: the position was closed (or never opened). */
export interface ClosedIntent extends IntentStateBase {
  readonly status: "closed";
  readonly closedAtMs: number;
  /** The status it was closed from. */
  readonly outcome: "hedged" | "unwound" | "rejected";
}

export type IntentState =
  | IntendedIntent
  | SentIntent
  | AckedIntent
  | NeedsHedgeIntent
  | HedgedIntent
  | UnwoundIntent
  | RejectedIntent
  | ClosedIntent;

export type IntentEvent =
  /** An event of one of the intent's orders (root or follow-up). */
  | { readonly type: "order"; readonly cloid: Cloid; readonly event: OrderEvent }
  /** A hedge or unwind intent for this root; its orders start `intended`. */
  | { readonly type: "followUp"; readonly intent: Intent }
  /** The remaining imbalance is accepted as it is (e.g. below one lot); the legs count as balanced. */
  | { readonly type: "residualAccepted"; readonly reason: string }
  /** The position is done. */
  | { readonly type: "closed"; readonly atMs: number };

export type IntentEventType = IntentEvent["type"];

/** The state of a root intent just journaled: all orders `intended`. */
export function initialIntentState(intent: Intent): IntentState {
  return {
    status: "intended",
    intent,
    followUps: [],
    orders: intendedOrders(intent),
    residualAccepted: null,
  };
}

export function transition(state: IntentState, event: IntentEvent): IntentState | IllegalTransition {
  const id = state.intent.intentId;
  const illegal = (reason: string, cloid: Cloid | null = null): IllegalTransition =>
    new IllegalTransition(state.status, event.type, reason, cloid, id);
  if (state.status === "closed") {
    return event.type === "closed" ? state : illegal("the intent is closed");
  }
  switch (event.type) {
    case "order": {
      const index = state.orders.findIndex((order) => order.cloid === event.cloid);
      if (index < 0) return illegal("no order of this intent has that cloid", event.cloid);
      const order = state.orders[index] as OrderState;
      const next = transitionOrder(order, event.event);
      if (next instanceof IllegalTransition) return next.withIntent(id);
      if (next === order) return state;
      const orders = state.orders.slice();
      orders[index] = next;
      return derive(state, orders, state.followUps, state.residualAccepted);
    }
    case "followUp": {
      const followUp = event.intent;
      if (state.status !== "needsHedge" || state.followUpInFlight) {
        return illegal(
          state.status === "needsHedge"
            ? "the previous follow-up has not finished"
            : "a hedge or unwind follows only legs that did not fill alike",
        );
      }
      if (followUp.parentIntentId !== id) return illegal(`follow-up ${followUp.intentId} names another root`);
      if (followUp.positionId !== state.intent.positionId || followUp.coin !== state.intent.coin) {
        return illegal(`follow-up ${followUp.intentId} belongs to another position or coin`);
      }
      for (const leg of followUp.legs) {
        if (state.orders.some((order) => order.cloid === leg.cloid)) {
          return illegal(`follow-up ${followUp.intentId} reuses a cloid`, leg.cloid);
        }
      }
      const orders = [...state.orders, ...intendedOrders(followUp)];
      return derive(state, orders, [...state.followUps, followUp], state.residualAccepted);
    }
    case "residualAccepted":
      if (state.status !== "needsHedge" || state.followUpInFlight) {
        return illegal("only a settled imbalance can be accepted");
      }
      return derive(state, state.orders, state.followUps, event.reason);
    case "closed": {
      const { status } = state;
      if (status !== "hedged" && status !== "unwound" && status !== "rejected") {
        return illegal(
          "close only a hedged, unwound or rejected intent: nothing may be in flight or unbalanced",
        );
      }
      return { ...baseOf(state), status: "closed", closedAtMs: event.atMs, outcome: status };
    }
  }
}

function baseOf(state: IntentState): IntentStateBase {
  const { intent, followUps, orders, residualAccepted } = state;
  return { intent, followUps, orders, residualAccepted };
}

function allFilled(orders: readonly OrderState[]): boolean {
  return orders.every((order) => order.status === "filled");
}

function derive(
  previous: IntentState,
  orders: readonly OrderState[],
  followUps: readonly Intent[],
  residualAccepted: string | null,
): IntentState {
  const base: IntentStateBase = { intent: previous.intent, followUps, orders, residualAccepted };
  const rootCount = previous.intent.legs.length;
  const root = orders.slice(0, rootCount);
  if (followUps.length === 0) {
    if (root.every((order) => order.status === "intended")) return { ...base, status: "intended" };
    if (!root.every(isFinal)) {
      const acknowledged = root.every(
        (order) => order.status === "acked" || order.status === "partial" || isFinal(order),
      );
      return { ...base, status: acknowledged ? "acked" : "sent" };
    }
    if (allFilled(root)) return { ...base, status: "hedged" };
    if (root.every((order) => filledSize(order) === ZERO)) return { ...base, status: "rejected" };
  } else {
    if (!orders.every(isFinal)) return { ...base, status: "needsHedge", followUpInFlight: true };
    const last = followUps[followUps.length - 1] as Intent;
    const lastOrders = orders.slice(orders.length - last.legs.length);
    if (allFilled(lastOrders)) return { ...base, status: last.action === "unwind" ? "unwound" : "hedged" };
  }
  if (residualAccepted !== null) return { ...base, status: "hedged" };
  return { ...base, status: "needsHedge", followUpInFlight: false };
}

/** True while any order's outcome is unknown: no new risk may be taken until a probe resolves it. */
export function hasUnknownOutcome(state: IntentState): boolean {
  return state.orders.some((order) => order.status === "unknown");
}

/** The orders to probe by cloid. */
export function unknownOrders(state: IntentState): readonly UnknownOrder[] {
  return state.orders.filter((order): order is UnknownOrder => order.status === "unknown");
}

/** True when every fill the exchange reported has arrived with its price and fee (PnL is complete). */
export function fillsComplete(state: IntentState): boolean {
  return state.orders.every((order) => order.fills.executedSize === filledSize(order));
}

/**
 * Net filled quantity per market over the root and its follow-ups, signed (buy +, sell −), in base units.
 * What sizes a hedge "by cumulative filled quantity".
 */
export function netFilled(state: IntentState): { readonly perp: WireDecimal; readonly spot: WireDecimal } {
  let perp: Decimal = ZERO_DECIMAL;
  let spot: Decimal = ZERO_DECIMAL;
  for (const order of state.orders) {
    const filled = parseDecimal(filledSize(order));
    const signed = order.side === "buy" ? filled : neg(filled);
    if (order.market === "perp") perp = add(perp, signed);
    else spot = add(spot, signed);
  }
  return { perp: formatDecimal(perp), spot: formatDecimal(spot) };
}
