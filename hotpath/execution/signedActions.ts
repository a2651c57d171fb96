/**
 * An intent's orders as signed exchange requests, ready for the socket: the legs that share a nonce travel
 * in one `order` action (by default all of an intent's legs, so both legs of a basis trade are processed in
 * the same block), each leg with its cloid, IOC, and the action's `expiresAfter` in the signature so a
 * delayed order dies instead of filling late. The request is serialised once; the same bytes go over the
 * WebSocket `post` channel or, when the socket is down, over HTTP — never both.
 */

import { orderAction, type OrderAction, type OrderSpec } from "../exchange/wire/actions.js";
import type { Network } from "../exchange/wire/actions.js";
import type { ExchangeRequest } from "../exchange/wire/exchange.js";
import { orderRequestJson } from "../exchange/wire/orderRequestJson.js";
import { signL1Action, type Signer } from "../exchange/signing/index.js";
import type { Intent, IntentLeg } from "./intent.js";

export interface SignedAction {
  /** Indexes into `intent.legs` of the orders this action carries, in the action's order. */
  readonly legIndexes: readonly number[];
  readonly request: ExchangeRequest;
  /**
   * `JSON.stringify(request)` (written by the specialised `orderRequestJson`, byte for byte the same): the
   * `payload` of a WS `post`, or the HTTP body.
   */
  readonly payloadJson: string;
}

function specOf(leg: IntentLeg): OrderSpec {
  return {
    asset: leg.asset,
    isBuy: leg.side === "buy",
    price: leg.limitPx,
    size: leg.size,
    reduceOnly: leg.reduceOnly,
    orderType: { limit: { tif: leg.tif } },
    cloid: leg.cloid,
  };
}

/** Signs one action over `legIndexes` of `intent` (legs that share one nonce and `expiresAfter`). */
export function signLegs(
  intent: Intent,
  legIndexes: readonly number[],
  signer: Signer,
  network: Network,
): SignedAction {
  const first = intent.legs[legIndexes[0]!]!;
  const action = orderAction({ orders: legIndexes.map((index) => specOf(intent.legs[index]!)) });
  const { nonce, expiresAfter } = first;
  const signature = signL1Action({ signer, action, nonce, network, expiresAfter });
  const request: ExchangeRequest<OrderAction> = { action, nonce, signature, expiresAfter };
  return { legIndexes, request, payloadJson: orderRequestJson(request) };
}

/**
 * The actions of an intent: its legs grouped by nonce, in leg order (one action when every leg shares the
 * nonce, as the executor builds them by default; one per leg in the two-action configuration).
 */
export function actionGroups(intent: Intent): number[][] {
  const groups: number[][] = [];
  const byNonce = new Map<number, number[]>();
  intent.legs.forEach((leg, index) => {
    let group = byNonce.get(leg.nonce);
    if (group === undefined) {
      group = [];
      byNonce.set(leg.nonce, group);
      groups.push(group);
    }
    group.push(index);
  });
  return groups;
}
