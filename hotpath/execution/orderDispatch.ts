/**
 * Where signed actions leave the process, and how each one's outcome comes back: a WebSocket `post` on the
 * order channel when it is open, else one HTTP `POST /exchange` — never both for the same action — and
 * then exactly one outcome per action: the exchange's answer, or `unknown` (the post timed out, its socket
 * closed first, the answer was an HTTP error text, the HTTP request failed). An unknown outcome is never
 * retried here: the executor probes by cloid.
 *
 * `send` is synchronous up to the write: the WebSocket bytes are written before it returns; the HTTP
 * fallback starts its request and reports later.
 */

import { ExchangeHttpError } from "../exchange/http/httpClient.js";
import type { ExchangeRequest, ExchangeResponse } from "../exchange/wire/exchange.js";
import type { WsPostResponse } from "../exchange/wire/ws.js";
import type { SignedAction } from "./signedActions.js";

/** What the dispatcher needs of the order channel (`OrderChannel` is one). */
export interface PostChannel {
  /** Writes the post and returns its id, or -1 (nothing written) when the socket is not open. */
  postAction(payloadJson: string): number;
}

/** The HTTP fallback: `POST /exchange` (`ExchangeHttpClient` and every `OrderVenue` are one). */
export interface ActionSender {
  exchange(request: ExchangeRequest): Promise<ExchangeResponse>;
}

export type DispatchOutcome =
  | { readonly kind: "answered"; readonly response: ExchangeResponse; readonly receivedAtMs: number }
  | { readonly kind: "unknown"; readonly reason: "timeout" | "lostResponse"; readonly detail: string };

/** How an action left: over the socket (with its post id) or the HTTP fallback. */
export type DispatchRoute = "ws" | "http";

/** What a sent action is, to whoever receives its outcome. */
export interface DispatchTicket<T> {
  readonly action: SignedAction;
  readonly context: T;
  readonly route: DispatchRoute;
}

export type OutcomeHandler<T> = (ticket: DispatchTicket<T>, outcome: DispatchOutcome) => void;

export class OrderDispatch<T> {
  /** Posts written and not answered yet, by post id. */
  private readonly posts = new Map<number, DispatchTicket<T>>();
  /** HTTP requests in flight. */
  httpInFlight = 0;
  /** Actions sent over HTTP because the socket was down. */
  httpFallbacks = 0;

  constructor(
    private readonly channel: PostChannel,
    private readonly http: ActionSender,
    private readonly onOutcome: OutcomeHandler<T>,
    /** Monotonic ms for HTTP answers' receive time (the channel stamps its own). */
    private readonly monotonicMs: () => number = () => performance.now(),
  ) {}

  get postsInFlight(): number {
    return this.posts.size;
  }

  /** Writes `action` to the socket, or starts the HTTP fallback when the socket is down. */
  send(action: SignedAction, context: T): DispatchRoute {
    const postId = this.channel.postAction(action.payloadJson);
    if (postId >= 0) {
      this.posts.set(postId, { action, context, route: "ws" });
      return "ws";
    }
    const ticket: DispatchTicket<T> = { action, context, route: "http" };
    this.httpFallbacks += 1;
    this.httpInFlight += 1;
    this.http.exchange(action.request).then(
      (response) => {
        this.httpInFlight -= 1;
        this.onOutcome(ticket, { kind: "answered", response, receivedAtMs: this.monotonicMs() });
      },
      (error: unknown) => {
        this.httpInFlight -= 1;
        const detail = error instanceof ExchangeHttpError ? error.message : String(error);
        this.onOutcome(ticket, { kind: "unknown", reason: "lostResponse", detail });
      },
    );
    return "http";
  }

  /** The order channel's `response` handler. */
  response(postId: number, response: WsPostResponse, receivedAtMs: number): void {
    const ticket = this.take(postId);
    if (ticket === undefined) return;
    if (response.type === "action") {
      this.onOutcome(ticket, { kind: "answered", response: response.payload, receivedAtMs });
    } else {
      const detail = response.type === "error" ? response.payload : `unexpected ${response.type} answer`;
      this.onOutcome(ticket, { kind: "unknown", reason: "lostResponse", detail });
    }
  }

  /** The order channel's `timedOut` handler. */
  timedOut(postId: number): void {
    const ticket = this.take(postId);
    if (ticket !== undefined)
      this.onOutcome(ticket, { kind: "unknown", reason: "timeout", detail: "no answer" });
  }

  /** The order channel's `lost` handler. */
  lost(postIds: readonly number[]): void {
    for (const postId of postIds) {
      const ticket = this.take(postId);
      if (ticket !== undefined) {
        this.onOutcome(ticket, { kind: "unknown", reason: "lostResponse", detail: "socket closed first" });
      }
    }
  }

  private take(postId: number): DispatchTicket<T> | undefined {
    const ticket = this.posts.get(postId);
    if (ticket !== undefined) this.posts.delete(postId);
    return ticket;
  }
}
