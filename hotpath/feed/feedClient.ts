/**
 * The exchange feed connection: one WebSocket for every configured coin, resubscribed after each reconnect.
 *
 * Why `ws@8`: it is the fastest client measured on our machines (≈1.6 µs CPU per small frame, ahead of
 * undici and Node's global WebSocket; /work/shared/STACK.md). Options: `perMessageDeflate: false` (the
 * exchange frames are small JSON; inflating costs more than it saves on loopback-to-Tokyo links and adds
 * latency), `skipUTF8Validation: true` (the frames are ASCII JSON; validation would be a second pass over
 * every byte, and the parsers reject anything malformed anyway).
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
 * Frames go to the `FramePipeline` synchronously from the socket's `message` event.
 */

import WebSocket from "ws";

import type { Config } from "../config/index.js";
import type { FeedMetrics } from "../metrics/feedMetrics.js";
import type { Logger } from "../observability/logger.js";
import { ReconnectBackoff } from "./backoff.js";
import type { FramePipeline } from "./framePipeline.js";
import { PING_MESSAGE, subscribeMessage, type FeedSubscription } from "./subscriptions.js";

/** A connection that stayed up this long resets the backoff. */
const STABLE_CONNECTION_MS = 5_000;
const HANDSHAKE_TIMEOUT_MS = 5_000;
const MAX_FRAME_BYTES = 4 * 1024 * 1024;

export type FeedConnectionState = "idle" | "connecting" | "open" | "waiting" | "stopped";

export interface FeedClientOptions {
  readonly url: string;
  readonly subscriptions: readonly FeedSubscription[];
  readonly feed: Config["feed"];
  readonly pipeline: FramePipeline;
  readonly metrics: FeedMetrics;
  readonly logger: Logger;
  /** Uniform in [0, 1) for the backoff jitter (tests). */
  readonly random?: () => number;
}

export class FeedClient {
  state: FeedConnectionState = "idle";
  /** Connections opened so far. */
  connections = 0;

  private socket: WebSocket | undefined;
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
    const socket = this.socket;
    this.stopped =
      socket === undefined || socket.readyState === WebSocket.CLOSED
        ? Promise.resolve()
        : new Promise((resolve) => {
            socket.once("close", () => resolve());
            socket.terminate();
          });
    return this.stopped;
  }

  private connect(): void {
    if (this.state === "stopped") return;
    this.state = "connecting";
    const socket = new WebSocket(this.options.url, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      maxPayload: MAX_FRAME_BYTES,
    });
    this.socket = socket;
    const pipeline = this.options.pipeline;
    socket.on("open", () => this.opened(socket));
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      const receivedAtMs = performance.now();
      if (isBinary) {
        this.options.metrics.parseErrors += 1;
        return;
      }
      // `binaryType` is the default "nodebuffer": a text frame, even fragmented, arrives as one Buffer,
      // which the pipeline scans as is (no string for book frames).
      pipeline.handleBytes(data, receivedAtMs);
    });
    socket.on("error", (error) => {
      // Always followed by `close`, which reconnects; say once why.
      this.options.logger.warn({ err: error, url: this.options.url }, "feed socket error");
    });
    socket.on("close", (code: number, reason: Buffer) => this.closed(socket, code, reason.toString()));
  }

  private opened(socket: WebSocket): void {
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

  private ping(socket: WebSocket): void {
    if (socket.readyState !== WebSocket.OPEN || this.pongTimer !== undefined) return;
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

  private closed(socket: WebSocket, code: number, reason: string): void {
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
