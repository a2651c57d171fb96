/**
 * The exchange feed connection: one WebSocket for every configured coin, resubscribed after each reconnect.
 *
 * The socket is our own `WsConnection` (why, measured against `ws@8`, the fastest library client: see
 * `wsConnection.ts`): no compression is offered (the exchange frames are small JSON; inflating costs more
 * than it saves and adds latency) and text is not UTF-8-validated (the frames are ASCII JSON; validation
 * would be a second pass over every byte, and the parsers reject anything malformed anyway).
 *
 * Lifecycle (PROTOCOL §2.1, §2.10):
 * - on open: every subscribe message is sent and the breakers wait for each leg's first frame, which is
 *   authoritative (books are full snapshots);
 * - heartbeat: `{"method":"ping"}` every `pingIntervalMs`; no pong within `pongTimeoutMs` (a half-open
 *   socket never answers) terminates the socket;
 * - on close, for any reason: the breakers block (resyncing), every leg's next frame becomes authoritative
 *   whatever its exchange time (`MarketBooks.invalidate`), and a reconnect follows after a jittered
 *   exponential backoff, reset once a connection has stayed up for `STABLE_CONNECTION_MS`.
 *
 * Frames go to the `FramePipeline` synchronously, as ranges of the connection's read buffer.
 */

import type { Config } from "../config/index.js";
import type { FeedMetrics } from "../metrics/feedMetrics.js";
import type { Logger } from "../observability/logger.js";
import { ReconnectBackoff } from "./backoff.js";
import type { FramePipeline } from "./framePipeline.js";
import { PING_MESSAGE, subscribeMessage, type FeedSubscription } from "./subscriptions.js";
import { WsConnection, type WsConnectionOptions } from "./wsConnection.js";

/** A connection that stayed up this long resets the backoff. */
const STABLE_CONNECTION_MS = 5_000;
const HANDSHAKE_TIMEOUT_MS = 5_000;
const MAX_FRAME_BYTES = 4 * 1024 * 1024;

export type FeedConnectionState = "idle" | "connecting" | "open" | "waiting" | "stopped";

export interface FeedClientOptions {
  readonly url: string;
  readonly subscriptions: readonly FeedSubscription[];
  /** The connection settings of the feed configuration (the rest is the books' and breakers'). */
  readonly feed: Pick<
    Config["feed"],
    "pingIntervalMs" | "pongTimeoutMs" | "reconnectBackoffMinMs" | "reconnectBackoffMaxMs"
  >;
  readonly pipeline: FramePipeline;
  readonly metrics: FeedMetrics;
  readonly logger: Logger;
  /** Uniform in [0, 1) for the backoff jitter (tests). */
  readonly random?: () => number;
  /** TLS options for `wss:` (tests with a private CA). */
  readonly tls?: WsConnectionOptions["tls"];
}

export class FeedClient {
  state: FeedConnectionState = "idle";
  /** Connections opened so far. */
  connections = 0;

  private socket: WsConnection | undefined;
  /** Resolves when the current socket has closed. */
  private socketClosed: Promise<void> = Promise.resolve();
  private readonly messages: readonly string[];
  private readonly backoff: ReconnectBackoff;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private pongTimer: NodeJS.Timeout | undefined;
  private openedAtMs = Number.NaN;
  private stopped: Promise<void> | undefined;

  constructor(private readonly options: FeedClientOptions) {
    this.messages = options.subscriptions.map(subscribeMessage);
    this.backoff = new ReconnectBackoff(
      { minMs: options.feed.reconnectBackoffMinMs, maxMs: options.feed.reconnectBackoffMaxMs },
      options.random,
    );
  }

  start(): void {
    if (this.state !== "idle") throw new Error(`feed client already ${this.state}`);
    this.connect();
  }

  /** Closes the socket and cancels every timer; resolves once the socket is closed. */
  stop(): Promise<void> {
    if (this.stopped !== undefined) return this.stopped;
    this.state = "stopped";
    this.clearTimers();
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.socket?.terminate();
    this.stopped = this.socketClosed;
    return this.stopped;
  }

  private connect(): void {
    if (this.state === "stopped") return;
    this.state = "connecting";
    const pipeline = this.options.pipeline;
    const metrics = this.options.metrics;
    let closedNow: () => void = () => {};
    this.socketClosed = new Promise((resolve) => (closedNow = resolve));
    const socket: WsConnection = new WsConnection(
      this.options.url,
      {
        open: () => this.opened(socket),
        text: (bytes, start, end) => pipeline.handleRange(bytes, start, end, performance.now()),
        binary: () => {
          metrics.parseErrors += 1;
        },
        // Always followed by `close`, which reconnects; say once why.
        error: (error) =>
          this.options.logger.warn({ err: error, url: this.options.url }, "feed socket error"),
        close: (code, reason) => {
          closedNow();
          this.closed(socket, code, reason);
        },
      },
      {
        maxMessageBytes: MAX_FRAME_BYTES,
        handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
        ...(this.options.tls === undefined ? {} : { tls: this.options.tls }),
      },
    );
    this.socket = socket;
  }

  private opened(socket: WsConnection): void {
    if (socket !== this.socket || this.state === "stopped") return;
    this.state = "open";
    this.openedAtMs = performance.now();
    this.connections += 1;
    if (this.connections > 1) this.options.metrics.reconnects += 1;
    for (const message of this.messages) socket.send(message);
    this.options.pipeline.connected();
    this.pingTimer = setInterval(() => this.ping(socket), this.options.feed.pingIntervalMs);
    this.options.logger.info(
      { url: this.options.url, subscriptions: this.messages.length, connection: this.connections },
      "feed connected",
    );
  }

  private ping(socket: WsConnection): void {
    if (!socket.isOpen || this.pongTimer !== undefined) return;
    const metrics = this.options.metrics;
    const pongsBefore = metrics.frames.pong;
    socket.send(PING_MESSAGE);
    this.pongTimer = setTimeout(() => {
      this.pongTimer = undefined;
      if (metrics.frames.pong > pongsBefore) return;
      metrics.pongTimeouts += 1;
      this.options.logger.warn(
        { pongTimeoutMs: this.options.feed.pongTimeoutMs },
        "no pong from the feed: reconnecting",
      );
      socket.terminate();
    }, this.options.feed.pongTimeoutMs);
  }

  private closed(socket: WsConnection, code: number, reason: string): void {
    if (socket !== this.socket) return;
    this.clearTimers();
    this.options.pipeline.disconnected();
    this.socket = undefined;
    if (this.state === "stopped") return;
    if (performance.now() - this.openedAtMs >= STABLE_CONNECTION_MS) this.backoff.reset();
    this.openedAtMs = Number.NaN;
    const delayMs = this.backoff.next();
    this.state = "waiting";
    this.options.logger.warn(
      { code, reason, reconnectInMs: delayMs, attempt: this.backoff.attempt },
      "feed disconnected",
    );
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect();
    }, delayMs);
  }

  private clearTimers(): void {
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    if (this.pongTimer !== undefined) clearTimeout(this.pongTimer);
    this.pingTimer = undefined;
    this.pongTimer = undefined;
  }
}
