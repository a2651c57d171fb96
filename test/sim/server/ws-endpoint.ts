/**
 * `WS /ws`: the exchange's WebSocket protocol over uWS (PROTOCOL §2).
 *
 * Per frame: `ping` → `pong`; `subscribe`/`unsubscribe` → validated, acked with the normalised echo, then
 * the subscription's initial frames; `post` → the gateway (`post-handler.ts`); anything else → an `error`
 * frame, and the connection stays open. One user per connection for the user feeds.
 *
 * Idle close: a connection the client has sent nothing on for `idleTimeoutMs` is closed (checked by a
 * sweep at a quarter of the timeout). The exchange's documented rule counts what the *server* sent
 * (PROTOCOL §2.10); counting client traffic is stricter and makes a bot that forgets to ping fail here
 * rather than in a quiet market. uWS's own idle timer and automatic pings are off: the exchange's
 * heartbeat is the JSON ping, and the fallback build ignores `idleTimeout` anyway.
 *
 * Connections are tracked by their uWS object (the same object reaches open, message, drain and close on
 * both builds; `getUserData` does not exist on the fallback).
 */
import type { Address } from "../../../hotpath/exchange/wire/brands.js";
import type { Uws, UwsApp, UwsWebSocket } from "../../../hotpath/host/uws.js";
import { parseClientFrame } from "./client-frames.js";
import { Connection } from "./connection.js";
import type { FeedHub } from "./feed-hub.js";
import { ackFrame, errorFrame, PONG_FRAME } from "./frames.js";
import type { PostHandler } from "./post-handler.js";
import type { StressFeed } from "./stress-feed.js";
import {
  alreadySubscribed,
  alreadyUnsubscribed,
  channelOf,
  parseSubscription,
  userOf,
  type FeedSubscription,
} from "./subscriptions.js";
import type { TimerSet } from "./timer-set.js";

export interface WsEndpointOptions {
  readonly idleTimeoutMs: number;
  readonly maxBackpressureBytes: number;
  readonly maxPayloadBytes: number;
}

export interface WsEndpointDeps {
  readonly uws: Uws;
  readonly hub: FeedHub;
  readonly posts: PostHandler;
  readonly timers: TimerSet;
  readonly knownCoin: (coin: string) => boolean;
  readonly initialFrames: (feed: FeedSubscription) => string[];
  /** Set at stress rate: l2Book subscriptions are streamed by it instead of the cadence. */
  readonly stress: StressFeed | undefined;
  readonly onError: (error: unknown) => void;
}

export const IDLE_CLOSE_CODE = 1000;
export const SERVER_STOP_CLOSE_CODE = 1001;

export function secondUserError(feed: FeedSubscription, current: Address): string {
  return `Cannot subscribe to ${feed.type} for ${userOf(feed)}: this connection's user feeds follow ${current} (one user per connection)`;
}

export class WsEndpoint {
  private readonly connections = new Map<UwsWebSocket, Connection>();
  private nextId = 1;
  private stopIdleSweep: (() => void) | undefined;

  constructor(
    private readonly deps: WsEndpointDeps,
    private readonly options: WsEndpointOptions,
  ) {}

  get connectionCount(): number {
    return this.connections.size;
  }

  register(app: UwsApp, pattern: string): void {
    app.ws<unknown>(pattern, {
      compression: this.deps.uws.DISABLED,
      maxPayloadLength: this.options.maxPayloadBytes,
      maxBackpressure: this.options.maxBackpressureBytes,
      idleTimeout: 0,
      sendPingsAutomatically: false,
      open: (socket) => {
        this.connections.set(socket, new Connection(this.nextId++, socket, performance.now()));
      },
      message: (socket, message) => {
        const connection = this.connections.get(socket);
        if (connection === undefined) return;
        this.guard(() => this.onMessage(connection, Buffer.from(message).toString("utf8")));
      },
      drain: (socket) => {
        const connection = this.connections.get(socket);
        if (connection !== undefined) this.guard(() => this.deps.stress?.onDrain(connection));
      },
      close: (socket) => {
        const connection = this.connections.get(socket);
        this.connections.delete(socket);
        if (connection !== undefined) this.guard(() => this.forget(connection));
      },
    });
    if (this.options.idleTimeoutMs > 0) {
      const sweepMs = Math.max(5, Math.min(1000, Math.floor(this.options.idleTimeoutMs / 4)));
      this.stopIdleSweep = this.deps.timers.every(sweepMs, () => this.closeIdle());
    }
  }

  /** Drops connections (all, or those whose user feeds follow `user`); returns how many. */
  drop(filter: { readonly user?: Address; readonly graceful?: boolean }): number {
    let dropped = 0;
    for (const connection of [...this.connections.values()]) {
      if (filter.user !== undefined && connection.followedUser() !== filter.user) continue;
      if (filter.graceful === true) connection.end(SERVER_STOP_CLOSE_CODE, "Going away");
      else connection.terminate();
      dropped++;
    }
    return dropped;
  }

  /** Closes every connection (graceful close frame) and stops the idle sweep. */
  stop(): void {
    this.stopIdleSweep?.();
    for (const connection of [...this.connections.values()])
      connection.end(SERVER_STOP_CLOSE_CODE, "Server stopping");
  }

  private guard(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.deps.onError(error);
    }
  }

  private onMessage(connection: Connection, text: string): void {
    connection.lastClientTrafficMs = performance.now();
    const frame = parseClientFrame(text);
    switch (frame.kind) {
      case "invalid":
        connection.send(errorFrame(frame.error));
        return;
      case "ping":
        connection.send(PONG_FRAME);
        return;
      case "subscribe":
        this.subscribe(connection, frame.subscription);
        return;
      case "unsubscribe":
        this.unsubscribe(connection, frame.subscription);
        return;
      case "post":
        this.deps.posts.handle(connection, frame);
        return;
    }
  }

  private subscribe(connection: Connection, raw: unknown): void {
    const parsed = parseSubscription(raw, this.deps.knownCoin);
    if (!parsed.ok) {
      connection.send(errorFrame(parsed.error));
      return;
    }
    const { feed, topic, echo } = parsed.subscription;
    if (connection.subscriptions.has(topic)) {
      connection.send(errorFrame(alreadySubscribed(raw)));
      return;
    }
    const user = userOf(feed);
    const current = connection.followedUser();
    if (user !== undefined && current !== undefined && current !== user) {
      connection.send(errorFrame(secondUserError(feed, current)));
      return;
    }
    connection.subscriptions.set(topic, parsed.subscription);
    this.deps.hub.add(topic, connection);
    connection.send(ackFrame("subscribe", echo));
    if (feed.type === "l2Book" && this.deps.stress?.start(connection, topic) === true) return;
    const channel = channelOf(feed);
    for (const initial of this.deps.initialFrames(feed)) this.deps.hub.deliver(connection, channel, initial);
  }

  private unsubscribe(connection: Connection, raw: unknown): void {
    const parsed = parseSubscription(raw, this.deps.knownCoin);
    if (!parsed.ok) {
      connection.send(errorFrame(parsed.error));
      return;
    }
    const { topic, echo } = parsed.subscription;
    if (!connection.subscriptions.delete(topic)) {
      connection.send(errorFrame(alreadyUnsubscribed(raw)));
      return;
    }
    this.deps.hub.remove(topic, connection);
    this.deps.stress?.stopTopic(connection, topic);
    connection.send(ackFrame("unsubscribe", echo));
  }

  private forget(connection: Connection): void {
    connection.markClosed();
    for (const topic of connection.subscriptions.keys()) this.deps.hub.remove(topic, connection);
    this.deps.stress?.onClose(connection);
  }

  private closeIdle(): void {
    const cutoff = performance.now() - this.options.idleTimeoutMs;
    for (const connection of [...this.connections.values()]) {
      if (connection.lastClientTrafficMs < cutoff) connection.end(IDLE_CLOSE_CODE, "Idle timeout");
    }
  }
}
