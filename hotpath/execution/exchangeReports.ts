/**
 * What the exchange tells about our orders, as order events for the state machine (`intentState.ts`): the
 * answer to an `order` action (per-order statuses in leg order, or one error for the whole action), a fill
 * from `userFills` / `userEvents`, and an `orderUpdates` entry. Pure; the executor routes the events to the
 * journal by cloid.
 *
 * Mapping choices that are not obvious:
 * - A post answered with `{"type":"error"}` (the text of an HTTP failure) did not necessarily stop the action:
 *   a 5xx can come after execution. It is an unknown outcome, settled by a probe, never a rejection.
 * - An `orderUpdates` entry that ends the order (`filled`, any cancel) is reported as `cancelled` with the
 *   cumulative size `origSz − sz`: the event that ends an order with a known filled size and no average
 *   price, which the update does not carry. A whole fill therefore still becomes `filled` in the machine.
 */

import { formatDecimal, parseDecimal, sub } from "../exchange/decimal/decimal.js";
import type { WireDecimal } from "../exchange/wire/brands.js";
import type { ExchangeResponse, OrderPlacementStatus } from "../exchange/wire/exchange.js";
import type { UserFill } from "../exchange/wire/info.js";
import type { WsOrderUpdate } from "../exchange/wire/ws.js";
import { classifyOrderStatus, type OrderEvent } from "./intentState.js";

/** The oid a status reports, when it reports one. */
export function oidOfStatus(status: OrderPlacementStatus | undefined): number | null {
  if (status === undefined || typeof status === "string") return null;
  if ("filled" in status) return status.filled.oid;
  if ("resting" in status) return status.resting.oid;
  return null;
}

/** One order's event from its entry in an `order` response. */
export function eventOfStatus(status: OrderPlacementStatus | undefined, atMs: number): OrderEvent {
  if (status === undefined || typeof status === "string") {
    // A missing entry, or a trigger child's bare string: nothing we sent asks for either.
    return { type: "outcomeUnknown", reason: "lostResponse", atMs };
  }
  if ("filled" in status) {
    const { oid, totalSz, avgPx } = status.filled;
    return { type: "filled", oid, totalSize: totalSz, avgPx };
  }
  if ("resting" in status) return { type: "resting", oid: status.resting.oid };
  return { type: "rejected", error: status.error };
}

/**
 * The events of the `legCount` orders one action carried, in order, from the action's answer:
 * `{"status":"err"}` rejects every order of the action (nothing of it was executed); an `order` body maps
 * `statuses[i]` to order i; any other body leaves each outcome unknown.
 */
export function eventsOfResponse(response: ExchangeResponse, legCount: number, atMs: number): OrderEvent[] {
  const events: OrderEvent[] = [];
  if (response.status === "err") {
    for (let i = 0; i < legCount; i++) events.push({ type: "rejected", error: response.response });
    return events;
  }
  const body = response.response;
  for (let i = 0; i < legCount; i++) {
    events.push(body.type === "order" ? eventOfStatus(body.data.statuses[i], atMs) : unknownAt(atMs));
  }
  return events;
}

function unknownAt(atMs: number): OrderEvent {
  return { type: "outcomeUnknown", reason: "lostResponse", atMs };
}

/** A fill from `userFills` or `userEvents` (deduplicated by `tid` in the state machine). */
export function eventOfFill(fill: UserFill): OrderEvent {
  return {
    type: "fill",
    tid: fill.tid,
    oid: fill.oid,
    px: fill.px,
    size: fill.sz,
    fee: fill.fee,
    feeToken: fill.feeToken,
    timeMs: fill.time,
  };
}

/** An `orderUpdates` entry; null for a status this version does not know (counted by the caller). */
export function eventOfOrderUpdate(update: WsOrderUpdate): OrderEvent | null {
  const { order, status } = update;
  const filled: WireDecimal = formatDecimal(sub(parseDecimal(order.origSz), parseDecimal(order.sz)));
  switch (classifyOrderStatus(status)) {
    case "live":
      return filled === "0"
        ? { type: "acked", oid: order.oid }
        : { type: "partiallyFilled", oid: order.oid, totalSize: filled };
    case "filled":
    case "cancelled":
      return { type: "cancelled", totalSize: filled, reason: status };
    case "rejected":
      return { type: "rejected", error: status };
    case "unrecognised":
      return null;
  }
}
