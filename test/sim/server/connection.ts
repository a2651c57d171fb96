/**
 * One client WebSocket: its subscriptions, the one user its user feeds follow, its in-flight posts and
 * when the client last sent anything (for the idle close).
 *
 * Sends never buffer without bound: uWS keeps at most `maxBackpressure` bytes per socket and reports a
 * drop beyond that; a data frame dropped that way would be a silent gap in a snapshot feed, so the
 * connection is closed instead (the exchange likewise disconnects clients that do not keep up).
 */
import type { UwsWebSocket } from "../../../hotpath/host/uws.js";
import type { Address } from "../../../hotpath/exchange/wire/brands.js";
import type { AcceptedSubscription } from "./subscriptions.js";

/** uWS `send` results. */
const SEND_DROPPED = 2;

export const SLOW_CONSUMER_CLOSE_CODE = 1008;

export class Connection {
  readonly subscriptions = new Map<string, AcceptedSubscription>();
  lastClientTrafficMs: number;
  pendingPosts = 0;
  private closed = false;

  constructor(
    readonly id: number,
    private readonly socket: UwsWebSocket,
    nowMs: number,
  ) {
    this.lastClientTrafficMs = nowMs;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Sends a text frame; closes the connection if uWS had to drop it. */
  send(frame: string): void {
    if (this.closed) return;
    if (this.socket.send(frame, false, false) === SEND_DROPPED) {
      this.end(SLOW_CONSUMER_CLOSE_CODE, "Slow consumer");
    }
  }

  /** Raw send for streams that manage backpressure themselves: 1 sent, 0 buffered, 2 dropped. */
  sendRaw(frame: string | Uint8Array): number {
    if (this.closed) return SEND_DROPPED;
    return this.socket.send(frame, false, false);
  }

  bufferedAmount(): number {
    return this.closed ? 0 : this.socket.getBufferedAmount();
  }

  cork(run: () => void): void {
    if (this.closed) return;
    this.socket.cork(run);
  }

  /** Graceful close: a close frame, then the socket goes. */
  end(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end(code, reason);
  }

  /** Abrupt close, no close frame (what an unannounced server-side disconnect looks like). */
  terminate(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }

  /** Called from the socket's close handler: the socket is gone, never touch it again. */
  markClosed(): void {
    this.closed = true;
  }

  /** The user this connection's user feeds follow (one per connection, PROTOCOL §2.6), if any. */
  followedUser(): Address | undefined {
    for (const subscription of this.subscriptions.values()) {
      if ("user" in subscription.feed) return subscription.feed.user;
    }
    return undefined;
  }
}
