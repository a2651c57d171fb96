/**
 * HTTP plumbing over uWS: reading a JSON request body and writing a reply.
 *
 * uWS rules followed here: a handler that does not answer synchronously registers `onAborted` first (a
 * response must never be touched after an abort); body chunks are copied, because uWS neuters them once the
 * callback returns; every reply is written inside `cork`, as it may come from a later callback.
 *
 * A body that is not JSON is answered `400 Failed to parse the request body as JSON: …` (the text an axum
 * server such as the exchange's answers); one over `maxBytes` is answered 413 without reading the rest.
 */
import { STATUS_CODES } from "node:http";

import type { UwsHttpResponse } from "../../../hotpath/host/uws.js";
import type { GatewayReply } from "./gateway-port.js";

/** Tracks whether a response may still be written. */
export interface ResponseState {
  aborted: boolean;
  answered: boolean;
}

export function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? "Unknown"}`;
}

/** What a handler that threw answers: a 500 with the error's message. */
export function internalErrorReply(error: unknown): GatewayReply {
  return { status: 500, body: error instanceof Error ? error.message : String(error) };
}

/** Writes `reply`: JSON for a 200 or an object body, plain text for an error status with a string body. */
export function writeReply(res: UwsHttpResponse, state: ResponseState, reply: GatewayReply): void {
  if (state.aborted || state.answered) return;
  state.answered = true;
  const text = reply.status !== 200 && typeof reply.body === "string" ? reply.body : undefined;
  const body = text ?? JSON.stringify(reply.body ?? null);
  res.cork(() => {
    res
      .writeStatus(statusLine(reply.status))
      .writeHeader("Content-Type", text !== undefined ? "text/plain; charset=utf-8" : "application/json")
      .end(body);
  });
}

export function newResponseState(res: UwsHttpResponse): ResponseState {
  const state: ResponseState = { aborted: false, answered: false };
  res.onAborted(() => {
    state.aborted = true;
  });
  return state;
}

/** Reads the whole body, parses it as JSON and hands it to `onJson`; answers 400/413 itself. */
export function readJsonBody(
  res: UwsHttpResponse,
  state: ResponseState,
  maxBytes: number,
  onJson: (value: unknown) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  res.onData((chunk, isLast) => {
    if (state.aborted || state.answered) return;
    size += chunk.byteLength;
    if (size > maxBytes) {
      writeReply(res, state, { status: 413, body: `request body over ${maxBytes} bytes` });
      return;
    }
    chunks.push(Buffer.from(new Uint8Array(chunk)));
    if (!isLast) return;
    const text = Buffer.concat(chunks).toString("utf8");
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      writeReply(res, state, {
        status: 400,
        body: `Failed to parse the request body as JSON: ${(error as Error).message}`,
      });
      return;
    }
    onJson(value);
  });
}
