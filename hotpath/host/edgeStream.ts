/**
 * What the dashboard's `/stream` carries, decoupled from the frame path: on its own timer, the current edge
 * of every market whose books moved since the last tick (both directions, as `EdgeRecord`s), batched into
 * one message per tick, and the feed status at a slower rate. However many frames arrive, a dashboard gets
 * at most one edge batch per interval, and building it happens here, never in the frame handler.
 *
 * Messages (JSON text):
 * - `{"type":"edges","edges":[EdgeRecord, …]}` (NaN fields become `null`);
 * - `{"type":"status", …FeedStatus}`.
 */

import type { EdgeRecord } from "../edge/edgeRecord.js";
import type { FeedStatus } from "../feed/feedStatus.js";
import type { MarketFeed } from "../feed/marketFeed.js";

export const EDGES_TOPIC = "edges";
export const STATUS_TOPIC = "status";

export interface StreamPublisher {
  /** Publishes to every subscriber of `topic`; false when nobody received it. */
  publish(topic: string, message: string): boolean;
}

export interface EdgeStreamOptions {
  readonly markets: readonly MarketFeed[];
  readonly status: () => FeedStatus;
  readonly publisher: StreamPublisher;
  /** Edge batch period (default 100 ms). */
  readonly edgeIntervalMs?: number;
  /** Status period (default 1000 ms). */
  readonly statusIntervalMs?: number;
  readonly now?: () => number;
}

export class EdgeStream {
  /** Edge batches and status messages published. */
  batches = 0;
  statuses = 0;
  private readonly publishedAt: number[];
  private edgeTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: EdgeStreamOptions) {
    this.publishedAt = options.markets.map(() => Number.NaN);
  }

  start(): void {
    this.edgeTimer = setInterval(() => this.publishEdges(), this.options.edgeIntervalMs ?? 100);
    this.statusTimer = setInterval(() => this.publishStatus(), this.options.statusIntervalMs ?? 1000);
    this.edgeTimer.unref();
    this.statusTimer.unref();
  }

  stop(): void {
    clearInterval(this.edgeTimer);
    clearInterval(this.statusTimer);
  }

  /** One batch of the edges that changed since the last one; nothing when none did. */
  publishEdges(): void {
    const now = (this.options.now ?? (() => performance.now()))();
    const edges: EdgeRecord[] = [];
    this.options.markets.forEach((market, index) => {
      const sequence = market.books.sequence;
      if (sequence === this.publishedAt[index] || sequence === 0) return;
      this.publishedAt[index] = sequence;
      edges.push(market.edges.emit("perpRich", now), market.edges.emit("spotRich", now));
    });
    if (edges.length === 0) return;
    this.options.publisher.publish(EDGES_TOPIC, JSON.stringify({ type: "edges", edges }));
    this.batches += 1;
  }

  publishStatus(): void {
    this.options.publisher.publish(
      STATUS_TOPIC,
      JSON.stringify({ type: "status", ...this.options.status() }),
    );
    this.statuses += 1;
  }
}
