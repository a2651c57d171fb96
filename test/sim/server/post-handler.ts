/**
 * WebSocket `post` requests (PROTOCOL §2.11): the same gateway calls as `POST /info` / `POST /exchange`,
 * answered on the `post` channel with the request's id.
 *
 * - `info` → `{"type":"info","payload":{"type":<request type>,"data":<body>}}`;
 * - `action` → `{"type":"action","payload":<the /exchange body>}`;
 * - any non-200 reply → `{"type":"error","payload":"<status> <reason>: <body>"}` (the text REST would give).
 *
 * At most `MAX_PENDING_POSTS` answers may be outstanding per connection (held back by a delay fault);
 * beyond that the exchange answers `too many pending post requests id=<id>` on the error channel and does
 * not execute the request. Fault fates: the request always executes; its answer is delivered, dropped, or
 * delivered late (and then only if the connection is still open).
 */
import type { ClientFrame } from "./client-frames.js";
import type { Connection } from "./connection.js";
import { errorFrame, postFrame, type PostResponse } from "./frames.js";
import type { GatewayReply, SimGateway } from "./gateway-port.js";
import { internalErrorReply, statusLine } from "./http-io.js";
import type { TimerSet } from "./timer-set.js";
import type { TransportFaults } from "./transport-faults.js";

export const MAX_PENDING_POSTS = 100;

type PostFrame = Extract<ClientFrame, { kind: "post" }>;

/** `"422 Unprocessable Entity: <body>"`: the status line REST would answer, with its text body. */
export function statusText(reply: GatewayReply): string {
  const line = statusLine(reply.status);
  if (reply.body === undefined || reply.body === null || reply.body === "") return line;
  return `${line}: ${typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body)}`;
}

function responseOf(post: PostFrame, reply: GatewayReply): PostResponse {
  if (reply.status !== 200) return { type: "error", payload: statusText(reply) };
  if (post.requestType === "action") return { type: "action", payload: reply.body };
  const requestType = (post.payload as Record<string, unknown>)["type"];
  return {
    type: "info",
    payload: { type: typeof requestType === "string" ? requestType : "", data: reply.body },
  };
}

export class PostHandler {
  constructor(
    private readonly gateway: SimGateway,
    private readonly faults: TransportFaults,
    private readonly timers: TimerSet,
    private readonly onError: (error: unknown) => void,
  ) {}

  handle(connection: Connection, post: PostFrame): void {
    if (connection.pendingPosts >= MAX_PENDING_POSTS) {
      connection.send(errorFrame(`too many pending post requests id=${post.id}`));
      return;
    }
    const frame = postFrame(post.id, responseOf(post, this.call(post)));
    const fate = this.faults.postFate();
    switch (fate.kind) {
      case "deliver":
        connection.send(frame);
        return;
      case "drop":
        return;
      case "delay":
        connection.pendingPosts++;
        this.timers.after(fate.ms, () => {
          connection.pendingPosts--;
          connection.send(frame);
        });
        return;
    }
  }

  private call(post: PostFrame): GatewayReply {
    try {
      return post.requestType === "info"
        ? this.gateway.info(post.payload)
        : this.gateway.exchange(post.payload);
    } catch (error) {
      this.onError(error);
      return internalErrorReply(error);
    }
  }
}
