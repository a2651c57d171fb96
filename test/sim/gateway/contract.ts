/**
 * The contract between the simulator's transport (HTTP/WS server) and its exchange gateway (request
 * decoding, signature verification, nonce rules, dispatch into the core). The transport knows sockets and
 * framing; the gateway knows the exchange. Both `POST /info` / `POST /exchange` and WS `post` requests go
 * through the same two calls, so a request behaves identically on either channel.
 */

/** What the exchange would answer over HTTP: a status code and a JSON body (or plain text for 4xx/5xx). */
export interface GatewayReply {
  readonly status: number;
  /** JSON-serialisable body for 200; a plain string for error statuses (the exchange answers text there). */
  readonly body: unknown;
}

export interface SimGateway {
  /** `POST /info` body (already JSON-parsed). */
  info(body: unknown): GatewayReply;
  /** `POST /exchange` body (already JSON-parsed, key order preserved: signatures hash the action as sent). */
  exchange(body: unknown): GatewayReply;
}
