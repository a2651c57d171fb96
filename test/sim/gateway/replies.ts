/**
 * The replies the gateway hands to the transport, shaped as the exchange answers (PROTOCOL §1, §5.1, §12):
 * HTTP 200 with a JSON body for every request the exchange understood — including refused actions
 * (`{"status":"err",…}`) and orders refused one by one (`statuses[i].error`) — and a non-200 status with a
 * plain body only for requests it did not get as far as reading (422) or throttled (429).
 */
import type {
  ExchangeErrResponse,
  ExchangeOkResponse,
  ExchangeResponseBody,
} from "../../../hotpath/exchange/wire/exchange.js";
import type { GatewayReply } from "./contract.js";

/** The exchange's text for a body that does not deserialize into a known request (HTTP 422). */
export const DESERIALIZE_FAILURE = "Failed to deserialize the JSON body into the target type";

export function jsonReply(body: unknown): GatewayReply {
  return { status: 200, body };
}

export function deserializeFailure(): GatewayReply {
  return { status: 422, body: DESERIALIZE_FAILURE };
}

/**
 * A throttled request. A third-party testnet capture (riftresearch hypercore-simulator notes) recorded
 * HTTP 429 with the JSON body `null`, so the body is `null`, not a text.
 */
export function tooManyRequests(): GatewayReply {
  return { status: 429, body: null };
}

/**
 * Something the exchange supports but the simulator does not model (e.g. l2Book aggregation): a loud 501
 * with a sentence that says so, never a plausible-looking exchange answer.
 */
export function notModelled(what: string): GatewayReply {
  return { status: 501, body: `hlbasis simulator: ${what} is not modelled` };
}

export function actionOk(response: ExchangeResponseBody): GatewayReply {
  const body: ExchangeOkResponse = { status: "ok", response };
  return jsonReply(body);
}

/** A refused action: HTTP 200 with `{"status":"err","response":message}`. */
export function actionErr(message: string): GatewayReply {
  const body: ExchangeErrResponse = { status: "err", response: message };
  return jsonReply(body);
}
