/**
 * The uWS mechanics of one control request: a JSON responder that answers at most once, never after the
 * client went away, always inside `cork` (outside the route handler's synchronous part uWS does not cork
 * for us, and an uncorked response is a syscall per header); and a body reader with a size cap.
 *
 * uWS rules this follows (see uWebSockets.js `examples/JsonPost.js`): a handler that does not answer before
 * returning must register `onAborted`, and a response must not be touched after it fired; `onData` chunks
 * are neutered when the callback returns, so each is copied.
 */

import type { UwsHttpResponse } from "../host/uws.js";

export type HttpStatus =
  | "200 OK"
  | "400 Bad Request"
  | "401 Unauthorized"
  | "404 Not Found"
  | "405 Method Not Allowed"
  | "409 Conflict"
  | "413 Payload Too Large"
  | "500 Internal Server Error"
  | "503 Service Unavailable";

export type HeaderList = readonly (readonly [name: string, value: string])[];

export class JsonResponder {
  #finished = false;

  constructor(private readonly res: UwsHttpResponse) {}

  /** Responded or aborted: nothing more may be written. */
  get finished(): boolean {
    return this.#finished;
  }

  /** Call before the handler returns whenever the answer comes later (after the body is read). */
  watchAbort(): void {
    this.res.onAborted(() => {
      this.#finished = true;
    });
  }

  /** `closeConnection`: after a refused body, so the client cannot keep streaming into a reused socket. */
  send(status: HttpStatus, body: unknown, headers: HeaderList = [], closeConnection = false): void {
    if (this.#finished) return;
    this.#finished = true;
    const text = JSON.stringify(body);
    this.res.cork(() => {
      this.res
        .writeStatus(status)
        .writeHeader("content-type", "application/json")
        .writeHeader("cache-control", "no-store");
      for (const [name, value] of headers) this.res.writeHeader(name, value);
      this.res.end(text, closeConnection);
    });
  }
}

/**
 * Collects the request body, at most `maxBytes` of it. `onTooLarge` runs (once) as soon as more arrives,
 * and nothing more is collected; otherwise `onBody` runs with the whole body (empty when there is none).
 * Pair with `JsonResponder.watchAbort`: an aborted request ends with neither callback.
 */
export function readBody(
  res: UwsHttpResponse,
  responder: JsonResponder,
  maxBytes: number,
  onBody: (body: Buffer) => void,
  onTooLarge: () => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  res.onData((chunk, isLast) => {
    if (refused || responder.finished) return;
    size += chunk.byteLength;
    if (size > maxBytes) {
      refused = true;
      onTooLarge();
      return;
    }
    chunks.push(Buffer.from(new Uint8Array(chunk))); // a copy: uWS neuters `chunk` when we return
    if (isLast) onBody(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
  });
}

/** The caller's address as text; `unknown` on the JS fallback build, which cannot tell. */
export function remoteAddressOf(res: UwsHttpResponse, native: boolean): string {
  return native ? Buffer.from(res.getRemoteAddressAsText()).toString("utf8") : "unknown";
}
