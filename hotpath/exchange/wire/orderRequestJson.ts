/**
 * `JSON.stringify` of a signed `order` request, specialised: the same bytes, without the generic walk.
 *
 * Why: the request is serialised once per signed action on the tick-to-wire path. Its shape is fixed by the
 * builders (`orderAction`/`orderWire` in `actions.ts`, `signLegs`): keys in the order `action{type, orders[
 * {a, b, p, s, r, t{limit{tif}}, c?}], grouping}, nonce, signature{r, s, v}, expiresAfter?`, and every string
 * in it is a brand whose constructor admits only characters JSON never escapes (decimal digits, `.`, `-`,
 * hex, the enum words). So the text can be written by concatenation, with no key enumeration, no escaping
 * scan and no type dispatch. Anything outside that shape — a builder fee, a vault address, a trigger order —
 * goes through `JSON.stringify`, which stays the reference (the property test holds the two equal).
 */

import type { OrderAction, Tif } from "./actions.js";
import type { ExchangeRequest } from "./exchange.js";

/** The limit-order tifs the fast path knows; another goes through `JSON.stringify`. */
const TIFS: readonly Tif[] = ["Ioc", "Gtc", "Alo"];

/**
 * Everything of an order from the end of its size to its cloid, by (tif, reduce-only, has a cloid): one
 * constant instead of four concatenations per order, each of which would allocate a rope node.
 */
const ORDER_TAILS: readonly string[] = TIFS.flatMap((tif) =>
  [false, true].flatMap((reduceOnly) =>
    [false, true].map(
      (withCloid) => `","r":${reduceOnly},"t":{"limit":{"tif":"${tif}"}}${withCloid ? ',"c":"' : "}"}`,
    ),
  ),
);

function orderTailIndex(reduceOnly: boolean, tif: Tif, withCloid: boolean): number {
  const tifIndex = tif === "Ioc" ? 0 : tif === "Gtc" ? 1 : tif === "Alo" ? 2 : -1;
  return tifIndex < 0 ? -1 : tifIndex * 4 + (reduceOnly ? 2 : 0) + (withCloid ? 1 : 0);
}

/** The request as `JSON.stringify` would write it, for requests built by `orderAction` and `signLegs`. */
export function orderRequestJson(request: ExchangeRequest<OrderAction>): string {
  const action = request.action;
  if (action.builder !== undefined || request.vaultAddress !== undefined) return JSON.stringify(request);
  const orders = action.orders;
  let json = '{"action":{"type":"order","orders":[';
  for (let i = 0; i < orders.length; i++) {
    const order = orders[i]!;
    const type = order.t;
    if (!("limit" in type)) return JSON.stringify(request);
    const cloid = order.c;
    const tail = orderTailIndex(order.r, type.limit.tif, cloid !== undefined);
    if (tail < 0) return JSON.stringify(request);
    json +=
      (i === 0 ? '{"a":' : ',{"a":') +
      order.a +
      (order.b ? ',"b":true,"p":"' : ',"b":false,"p":"') +
      order.p +
      '","s":"' +
      order.s +
      ORDER_TAILS[tail]! +
      (cloid === undefined ? "" : cloid + '"}');
  }
  const signature = request.signature;
  json +=
    '],"grouping":"' +
    action.grouping +
    '"},"nonce":' +
    request.nonce +
    ',"signature":{"r":"' +
    signature.r +
    '","s":"' +
    signature.s +
    '","v":' +
    signature.v +
    (request.expiresAfter === undefined ? "}}" : '},"expiresAfter":' + request.expiresAfter + "}");
  return json;
}
