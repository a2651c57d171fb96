/**
 * Probing by cloid: `orderStatus` for each order whose outcome the journal does not know ("probe, never
 * resend"). The answers go back to the journal as `probed` events (`probedEvent` in `intentState.ts`), which
 * decide whether the order is settled.
 */

import { ExchangeHttpError, type ExchangeHttpClient } from "../../exchange/http/httpClient.js";
import type { Address, Cloid } from "../../exchange/wire/brands.js";
import type { OrderStatusResponse } from "../../exchange/wire/info.js";
import { decodeOrderStatus } from "./accountDecoders.js";
import { AccountReadError } from "./errors.js";

export interface ProbeAnswer {
  readonly cloid: Cloid;
  readonly response: OrderStatusResponse;
  /** Local wall-clock ms when the answer arrived. */
  readonly answeredAtMs: number;
}

export interface ProbeOptions {
  /** Requests in flight at once; default 4 (each `orderStatus` weighs 2 of the 1200/min IP budget). */
  readonly concurrency?: number;
  readonly nowMs?: () => number;
}

/** Asks the exchange about each cloid of `address`; answers in the order of `cloids`. */
export async function probeUnknownOrders(
  http: ExchangeHttpClient,
  address: Address,
  cloids: readonly Cloid[],
  options: ProbeOptions = {},
): Promise<ProbeAnswer[]> {
  const nowMs = options.nowMs ?? Date.now;
  const answers = new Array<ProbeAnswer>(cloids.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cloids.length) {
      const index = next++;
      const cloid = cloids[index] as Cloid;
      let body: unknown;
      try {
        body = await http.info({ type: "orderStatus", user: address, oid: cloid });
      } catch (error) {
        if (error instanceof ExchangeHttpError) {
          throw new AccountReadError("http", "orderStatus", `${cloid}: ${error.message}`, { cause: error });
        }
        throw error;
      }
      const decoded = decodeOrderStatus(body);
      if (!decoded.ok) {
        throw new AccountReadError("decode", "orderStatus", `${cloid}: ${decoded.error.message}`, {
          cause: decoded.error,
        });
      }
      answers[index] = { cloid, response: decoded.value, answeredAtMs: nowMs() };
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 4, cloids.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return answers;
}

/** One line for logs and mismatch messages: what the exchange knows under a cloid. */
export function describeProbe(response: OrderStatusResponse): string {
  if (response.status === "unknownOid") return "not found";
  const { order, status } = response.order;
  return (
    `${status}: oid ${order.oid} ${order.coin} ${order.side === "B" ? "buy" : "sell"} ${order.origSz} ` +
    `@ ${order.limitPx}, ${order.sz} unfilled`
  );
}
