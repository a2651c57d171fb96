/**
 * The order connection: a WebSocket to the exchange, separate from the market-data feed, carrying signed
 * actions as `post` requests (PROTOCOL §2.11) and the account's own streams (`orderUpdates`, `userFills`,
 * `userEvents`) that confirm fills and funding.
 *
 * Why a second socket: the feed connection streams ~1.5 KB book snapshots back to back; a post's answer
 * queued behind them in the same TCP stream would wait for every frame ahead of it to be parsed, and a
 * feed reconnect (staleness, pong timeout) would cut the posts in flight. Order entry gets its own socket,
 * as on any professional venue link.
 *
 * `postAction` is synchronous: it writes the bytes before it returns and gives back the post id, so the
 * critical path from a frame to both legs on the wire has no `await`. Every post ends in exactly one of
 * `response` (the exchange answered), `timedOut` (no answer within `postTimeoutMs`) or `lost` (the socket
 * closed first): the last two mean the outcome is unknown and the executor probes by cloid — it never
 * resends. Reconnects use the feed's jittered exponential backoff.
 */

import { ActionPostText } from "../exchange/wire/actionPostText.js";
import type { Address } from "../exchange/wire/brands.js";
import { decodeWsMessage } from "../exchange/wire/decode-ws.js";
import type { WsInboundMessage, WsPostResponse } from "../exchange/wire/ws.js";
import { ReconnectBackoff } from "../feed/backoff.js";
import { WsConnection, type WsConnectionOptions } from "../feed/wsConnection.js";
import type { Logger } from "../observability/logger.js";

const STABLE_CONNECTION_MS = 5_000;
const PING_INTERVAL_MS = 30_000;
const PING_MESSAGE = '{"method":"ping"}';

export interface OrderChannelHandlers {
  /** The socket is open (and the account streams subscribed, if an address was given). */
  opened(): void;
  response(postId: number, response: WsPostResponse, receivedAtMs: number): void;
  /** No answer within `postTimeoutMs`: outcome unknown. */
  timedOut(postId: number): void;
  /** The socket closed with these posts unanswered: outcome unknown. */
  lost(postIds: readonly number[]): void;
  /** `orderUpdates`, `userFills`, `user` and other non-post frames of the account streams. */
  accountMessage(message: WsInboundMessage, receivedAtMs: number): void;
}

export interface OrderChannelOptions {
  readonly url: string;
  /** Subscribe this account's order, fill and event streams. */
  readonly user: Address | undefined;
  readonly postTimeoutMs: number;
  readonly reconnectBackoffMinMs: number;
  readonly reconnectBackoffMaxMs: number;
  readonly logger: Logger;
  readonly tls?: WsConnectionOptions["tls"];
}

export class OrderChannel {
  /** Posts written and not yet answered: post id → its timeout. */
  private readonly inFlight = new Map<number, NodeJS.Timeout>();
  private nextPostId = 1;
  /** The post being written, reused: its bytes go straight into the socket's frame buffer. */
  private readonly post = new ActionPostText();
  private socket: WsConnection | undefined;
  private readonly backoff: ReconnectBackoff;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private openedAtMs = Number.NaN;
  private stopped = false;
  private closedNow: () => void = () => {};
  private socketClosed: Promise<void> = Promise.resolve();
  /** Frames that were neither post answers nor account streams, or did not decode. */
  unexpectedFrames = 0;
  connections = 0;

  constructor(
    private readonly options: OrderChannelOptions,
    private readonly handlers: OrderChannelHandlers,
  ) {
    this.backoff = new ReconnectBackoff({
      minMs: options.reconnectBackoffMinMs,
      maxMs: options.reconnectBackoffMaxMs,
    });
  }

  get isOpen(): boolean {
    return this.socket?.isOpen === true;
  }

  get postsInFlight(): number {
    return this.inFlight.size;
  }

  start(): void {
    this.connect();
  }

  /**
   * Writes `{"method":"post","id":…,"request":{"type":"action","payload":<payloadJson>}}` and returns the
   * post id, or -1 (nothing written) when the socket is not open. `payloadJson` is the serialised signed
   * request (`action`, `nonce`, `signature`, `expiresAfter`).
   */
  postAction(payloadJson: string): number {
    const socket = this.socket;
    if (socket === undefined || !socket.isOpen) return -1;
    const id = this.nextPostId++;
    const post = this.post;
    post.id = id;
    post.payloadJson = payloadJson;
    socket.sendComposed(post);
    post.payloadJson = ""; // not kept alive until the next post
    this.inFlight.set(
      id,
      setTimeout(() => {
        if (this.inFlight.delete(id)) this.handlers.timedOut(id);
      }, this.options.postTimeoutMs),
    );
    return id;
  }

  /** Closes the socket; posts still in flight are reported `lost`. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.socket?.terminate();
    return this.socketClosed;
  }

  private connect(): void {
    if (this.stopped) return;
    this.socketClosed = new Promise((resolve) => (this.closedNow = resolve));
    const socket: WsConnection = new WsConnection(
      this.options.url,
      {
        open: () => this.opened(socket),
        text: (bytes, start, end) => this.frame(bytes.toString("utf8", start, end)),
        binary: () => {
          this.unexpectedFrames += 1;
        },
        error: (error) => this.options.logger.warn({ err: error }, "order socket error"),
        close: (code, reason) => this.closed(socket, code, reason),
      },
      {
        maxMessageBytes: 4 * 1024 * 1024,
        handshakeTimeoutMs: 5_000,
        ...(this.options.tls === undefined ? {} : { tls: this.options.tls }),
      },
    );
    this.socket = socket;
  }

  private opened(socket: WsConnection): void {
    if (socket !== this.socket) return;
    this.connections += 1;
    this.openedAtMs = performance.now();
    const user = this.options.user;
    if (user !== undefined) {
      for (const type of ["orderUpdates", "userFills", "userEvents"]) {
        socket.send(JSON.stringify({ method: "subscribe", subscription: { type, user } }));
      }
    }
    this.pingTimer = setInterval(() => socket.send(PING_MESSAGE), PING_INTERVAL_MS);
    this.options.logger.info({ url: this.options.url, connection: this.connections }, "order socket open");
    this.handlers.opened();
  }

  private frame(text: string): void {
    const receivedAtMs = performance.now();
    const decoded = decodeWsMessage(text);
    if (!decoded.ok) {
      this.unexpectedFrames += 1;
      return;
    }
    const message = decoded.message;
    if (message.channel === "post") {
      const id = message.data.id;
      const timer = this.inFlight.get(id);
      if (timer === undefined) {
        this.unexpectedFrames += 1; // an answer after its timeout: the probe settles that order
        return;
      }
      clearTimeout(timer);
      this.inFlight.delete(id);
      this.handlers.response(id, message.data.response, receivedAtMs);
      return;
    }
    if (message.channel === "pong" || message.channel === "subscriptionResponse") return;
    this.handlers.accountMessage(message, receivedAtMs);
  }

  private closed(socket: WsConnection, code: number, reason: string): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    const lost = [...this.inFlight.keys()];
    for (const timer of this.inFlight.values()) clearTimeout(timer);
    this.inFlight.clear();
    if (lost.length > 0) this.handlers.lost(lost);
    this.closedNow();
    if (this.stopped) return;
    if (performance.now() - this.openedAtMs >= STABLE_CONNECTION_MS) this.backoff.reset();
    const delayMs = this.backoff.next();
    this.options.logger.warn(
      { code, reason, reconnectInMs: delayMs, lostPosts: lost.length },
      "order socket closed",
    );
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect();
    }, delayMs);
  }
}
