/**
 * Data frames from the simulated exchange's core (PROTOCOL §2.3–2.9).
 *
 * - Event-driven, straight from the core: `bbo` (the core emits it only when the top changed), `trades`,
 *   `orderUpdates`, `userFills` (+ the `user` channel's `fills`) and funding on `user`.
 * - On a cadence of simulated time, checked after every block: `l2Book` fast snapshots (5 levels) every
 *   `fastBookMs`, standard snapshots (20 levels) every `bookMs`, asset contexts every `assetCtxMs`. The
 *   cadence runs on the core's clock, never the wall clock, so a seed gives the same frames every run.
 * - On subscribe: the current book / bbo / context, up to 30 recent trades (the exchange back-fills
 *   them), and the `userFills` snapshot (`isSnapshot: true`).
 *
 * `books: false` leaves `l2Book` to another source (stress stream); `market: false` leaves every market
 * channel to another source (replay), keeping the user feeds.
 */
import type { CoreEvent, ExchangeCore, TradeView } from "../core/index.js";
import type { FeedHub } from "./feed-hub.js";
import { bookData, dataFrame, perpCtxData, spotCtxData } from "./frames.js";
import {
  FAST_BOOK_LEVELS,
  STANDARD_BOOK_LEVELS,
  channelOf,
  topicOf,
  type FeedSubscription,
} from "./subscriptions.js";

export interface FeedCadence {
  /** Simulated ms between `l2Book` fast snapshots (exchange: 500). */
  readonly fastBookMs: number;
  /** Simulated ms between standard `l2Book` snapshots (exchange since 2026-07-25: 5000). */
  readonly bookMs: number;
  /** Simulated ms between `activeAssetCtx` pushes. */
  readonly assetCtxMs: number;
}

export interface ModelFeedScope {
  /** Serve `l2Book` from the core. */
  readonly books: boolean;
  /** Serve the market channels (`l2Book`, `bbo`, `trades`, `activeAssetCtx`) from the core. */
  readonly market: boolean;
}

const RECENT_TRADES = 30;

class Cadence {
  private next: number;

  constructor(
    private readonly intervalMs: number,
    nowMs: number,
  ) {
    this.next = this.after(nowMs);
  }

  /** True once per interval boundary crossed (several boundaries in one burst count once). */
  due(nowMs: number): boolean {
    if (nowMs < this.next) return false;
    this.next = this.after(nowMs);
    return true;
  }

  private after(nowMs: number): number {
    return (Math.floor(nowMs / this.intervalMs) + 1) * this.intervalMs;
  }
}

export class ModelFeed {
  private readonly recentTrades = new Map<string, TradeView[]>();
  private readonly fastBooks: Cadence;
  private readonly books: Cadence;
  private readonly assetCtxs: Cadence;
  private readonly coins: readonly string[];
  private detach: (() => void) | undefined;

  constructor(
    private readonly core: ExchangeCore,
    private readonly hub: FeedHub,
    cadence: FeedCadence,
    private readonly scope: ModelFeedScope,
  ) {
    const now = core.now();
    this.fastBooks = new Cadence(cadence.fastBookMs, now);
    this.books = new Cadence(cadence.bookMs, now);
    this.assetCtxs = new Cadence(cadence.assetCtxMs, now);
    this.coins = core.markets.all().map((market) => market.coin);
  }

  attach(): void {
    this.detach ??= this.core.subscribe((event) => this.onCoreEvent(event));
  }

  stop(): void {
    this.detach?.();
    this.detach = undefined;
  }

  /** Called after every block: publishes whatever the cadence says is due. */
  onBlock(): void {
    if (!this.scope.market) return;
    const now = this.core.now();
    if (this.scope.books) {
      if (this.fastBooks.due(now)) this.publishBooks(true);
      if (this.books.due(now)) this.publishBooks(false);
    }
    if (this.assetCtxs.due(now)) {
      for (const coin of this.coins) {
        const feed: FeedSubscription = { type: "activeAssetCtx", coin };
        const topic = topicOf(feed);
        if (!this.hub.has(topic)) continue;
        const frame = this.assetCtxFrame(coin);
        if (frame !== undefined) this.hub.publish(topic, channelOf(feed), frame);
      }
    }
  }

  /** Frames a new subscription starts with (after its ack). */
  initialFrames(feed: FeedSubscription): string[] {
    switch (feed.type) {
      case "l2Book": {
        if (!this.scope.books) return [];
        const frame = this.bookFrame(feed.coin, feed.fast);
        return frame === undefined ? [] : [frame];
      }
      case "bbo": {
        const bbo = this.scope.market ? this.core.bbo(feed.coin) : undefined;
        return bbo === undefined ? [] : [dataFrame("bbo", bbo)];
      }
      case "trades": {
        const trades = this.recentTrades.get(feed.coin);
        return trades === undefined || !this.scope.market ? [] : [dataFrame("trades", trades)];
      }
      case "activeAssetCtx": {
        const frame = this.scope.market ? this.assetCtxFrame(feed.coin) : undefined;
        return frame === undefined ? [] : [frame];
      }
      case "userFills":
        return [
          dataFrame("userFills", {
            isSnapshot: true,
            user: feed.user,
            fills: this.core.userFills(feed.user),
          }),
        ];
      case "orderUpdates":
      case "userEvents":
        return [];
    }
  }

  private onCoreEvent(event: CoreEvent): void {
    switch (event.type) {
      case "l2Book":
        return; // published on the cadence instead
      case "bbo":
        if (this.scope.market) {
          this.hub.publish(topicOf({ type: "bbo", coin: event.data.coin }), "bbo", () =>
            dataFrame("bbo", event.data),
          );
        }
        return;
      case "trades":
        if (!this.scope.market) return;
        this.remember(event.coin, event.data);
        this.hub.publish(topicOf({ type: "trades", coin: event.coin }), "trades", () =>
          dataFrame("trades", event.data),
        );
        return;
      case "orderUpdates":
        this.hub.publish(topicOf({ type: "orderUpdates", user: event.user }), "orderUpdates", () =>
          dataFrame("orderUpdates", event.data),
        );
        return;
      case "userFills":
        this.hub.publish(
          topicOf({ type: "userFills", user: event.user, aggregateByTime: undefined }),
          "userFills",
          () => dataFrame("userFills", { user: event.user, fills: event.data }),
        );
        this.hub.publish(topicOf({ type: "userEvents", user: event.user }), "user", () =>
          dataFrame("user", { fills: event.data }),
        );
        return;
      case "userFunding":
        this.hub.publish(topicOf({ type: "userEvents", user: event.user }), "user", () =>
          dataFrame("user", { funding: event.data }),
        );
        return;
    }
  }

  private remember(coin: string, trades: readonly TradeView[]): void {
    const recent = [...(this.recentTrades.get(coin) ?? []), ...trades];
    this.recentTrades.set(coin, recent.slice(-RECENT_TRADES));
  }

  private publishBooks(fast: boolean): void {
    for (const coin of this.coins) {
      const topic = topicOf({ type: "l2Book", coin, fast });
      if (!this.hub.has(topic)) continue;
      const frame = this.bookFrame(coin, fast);
      if (frame !== undefined) this.hub.publish(topic, "l2Book", frame);
    }
  }

  private bookFrame(coin: string, fast: boolean): string | undefined {
    const levels = fast ? FAST_BOOK_LEVELS : STANDARD_BOOK_LEVELS;
    const view = this.core.l2Book(coin, levels);
    return view === undefined ? undefined : dataFrame("l2Book", bookData(view, levels, fast));
  }

  private assetCtxFrame(coin: string): string | undefined {
    const perp = this.core.perpAssetCtx(coin);
    if (perp !== undefined) return dataFrame("activeAssetCtx", perpCtxData(coin, perp));
    const spot = this.core.spotAssetCtx(coin);
    return spot === undefined ? undefined : dataFrame("activeSpotAssetCtx", spotCtxData(coin, spot));
  }
}
