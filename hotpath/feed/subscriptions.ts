/**
 * The subscribe messages for a set of markets (PROTOCOL §2.3–2.4): per leg (perp and spot pair) one `bbo`
 * and one `l2Book` with `fast: true` (one message per coin and feed: the exchange has no batch subscribe),
 * and, for the edge's live funding and oracle inputs, one `activeAssetCtx` per perp coin (§2.9; ~1 frame/s,
 * decoded off the scanner path). Serialised once; the client resends the same strings after every reconnect.
 */

import type { MarketBooks } from "../book/marketBooks.js";

export type FeedSubscription =
  | { readonly type: "bbo"; readonly coin: string }
  | { readonly type: "l2Book"; readonly coin: string; readonly fast: true }
  | { readonly type: "activeAssetCtx"; readonly coin: string };

/** The book feeds only: `bbo` and fast `l2Book` for both legs of every market. */
export function feedSubscriptions(markets: readonly MarketBooks[]): FeedSubscription[] {
  const subscriptions: FeedSubscription[] = [];
  for (const market of markets) {
    for (const coin of [market.perp.coin, market.spot.coin]) {
      subscriptions.push({ type: "l2Book", coin, fast: true });
      subscriptions.push({ type: "bbo", coin });
    }
  }
  return subscriptions;
}

/** One `activeAssetCtx` per market's perp coin: funding rate and oracle price for the edge parameters. */
export function assetCtxSubscriptions(markets: readonly MarketBooks[]): FeedSubscription[] {
  return markets.map((market) => ({ type: "activeAssetCtx", coin: market.perp.coin }));
}

export function subscribeMessage(subscription: FeedSubscription): string {
  return JSON.stringify({ method: "subscribe", subscription });
}

export const PING_MESSAGE = '{"method":"ping"}';
