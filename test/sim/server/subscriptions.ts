/**
 * What a client may subscribe to, and how the server names it (PROTOCOL §2.2–2.9).
 *
 * A subscription is validated and normalised into a `FeedSubscription` plus:
 * - its `topic`, the fan-out key (`l2Book:HYPE:fast`, `orderUpdates:0xabc…`): one subscription per topic
 *   and connection, so a second identical subscribe is `Already subscribed`;
 * - its `echo`, the normalised object the ack carries. The exchange adds `nSigFigs: null, mantissa: null`
 *   to l2Book echoes (recorded) and reportedly `fast`; other echoes repeat what was sent.
 *
 * Error texts are the exchange's (§12): `Invalid subscription {…}`, `Already subscribed: {…}`,
 * `Already unsubscribed: {…}`.
 */
import { toAddress, type Address } from "../../../hotpath/exchange/wire/brands.js";
import { isSpotCoin } from "../../../hotpath/exchange/wire/ws.js";

/** Data channels the simulator serves (the frame `channel`; `userEvents` data goes out on `"user"`). */
export type FeedSubscription =
  | { readonly type: "l2Book"; readonly coin: string; readonly fast: boolean }
  | { readonly type: "bbo" | "trades" | "activeAssetCtx"; readonly coin: string }
  | { readonly type: "orderUpdates" | "userEvents"; readonly user: Address }
  | { readonly type: "userFills"; readonly user: Address; readonly aggregateByTime: boolean | undefined };

export interface AcceptedSubscription {
  readonly feed: FeedSubscription;
  readonly topic: string;
  readonly echo: Readonly<Record<string, unknown>>;
}

export type SubscriptionParse =
  | { readonly ok: true; readonly subscription: AcceptedSubscription }
  | { readonly ok: false; readonly error: string };

/** Levels per l2Book frame: standard 20, `fast` 5 (PROTOCOL §2.3). */
export const STANDARD_BOOK_LEVELS = 20;
export const FAST_BOOK_LEVELS = 5;

export function invalidSubscription(raw: unknown): string {
  return `Invalid subscription ${JSON.stringify(raw)}`;
}

export function alreadySubscribed(raw: unknown): string {
  return `Already subscribed: ${JSON.stringify(raw)}`;
}

export function alreadyUnsubscribed(raw: unknown): string {
  return `Already unsubscribed: ${JSON.stringify(raw)}`;
}

export function topicOf(feed: FeedSubscription): string {
  switch (feed.type) {
    case "l2Book":
      return `l2Book:${feed.coin}:${feed.fast ? "fast" : "std"}`;
    case "bbo":
    case "trades":
    case "activeAssetCtx":
      return `${feed.type}:${feed.coin}`;
    case "orderUpdates":
    case "userEvents":
    case "userFills":
      return `${feed.type}:${feed.user}`;
  }
}

/** The channel a feed's data frames carry. */
export function channelOf(feed: FeedSubscription): string {
  switch (feed.type) {
    case "userEvents":
      return "user";
    case "activeAssetCtx":
      return isSpotCoin(feed.coin) ? "activeSpotAssetCtx" : "activeAssetCtx";
    default:
      return feed.type;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalNull(value: unknown): boolean {
  return value === undefined || value === null;
}

/**
 * Validates a `subscription` object. `knownCoin` says whether the simulated exchange lists a coin; an
 * unknown coin is refused rather than left silent, so a misconfigured bot fails loudly.
 */
export function parseSubscription(raw: unknown, knownCoin: (coin: string) => boolean): SubscriptionParse {
  const invalid = (): SubscriptionParse => ({ ok: false, error: invalidSubscription(raw) });
  if (!isRecord(raw) || typeof raw["type"] !== "string") return invalid();
  const type = raw["type"];
  const accept = (feed: FeedSubscription, echo: Record<string, unknown>): SubscriptionParse => ({
    ok: true,
    subscription: { feed, topic: topicOf(feed), echo },
  });
  switch (type) {
    case "l2Book": {
      const coin = raw["coin"];
      const fast = raw["fast"];
      if (typeof coin !== "string" || !knownCoin(coin)) return invalid();
      if (fast !== undefined && typeof fast !== "boolean") return invalid();
      // Price aggregation is not modelled: only full precision (`nSigFigs` null or absent) is served.
      if (!optionalNull(raw["nSigFigs"]) || !optionalNull(raw["mantissa"])) {
        return {
          ok: false,
          error: `${invalidSubscription(raw)} (simulator: nSigFigs aggregation unsupported)`,
        };
      }
      const isFast = fast === true;
      return accept(
        { type, coin, fast: isFast },
        { type, coin, nSigFigs: null, mantissa: null, fast: isFast },
      );
    }
    case "bbo":
    case "trades":
    case "activeAssetCtx": {
      const coin = raw["coin"];
      if (typeof coin !== "string" || !knownCoin(coin)) return invalid();
      return accept({ type, coin }, { type, coin });
    }
    case "orderUpdates":
    case "userEvents":
    case "userFills": {
      const user = addressOrUndefined(raw["user"]);
      if (user === undefined) return invalid();
      if (type !== "userFills") return accept({ type, user }, { type, user });
      const aggregateByTime = raw["aggregateByTime"];
      if (aggregateByTime !== undefined && typeof aggregateByTime !== "boolean") return invalid();
      return accept(
        { type, user, aggregateByTime },
        aggregateByTime === undefined ? { type, user } : { type, user, aggregateByTime },
      );
    }
    default:
      return invalid();
  }
}

function addressOrUndefined(value: unknown): Address | undefined {
  if (typeof value !== "string") return undefined;
  try {
    return toAddress(value);
  } catch {
    return undefined;
  }
}

export function userOf(feed: FeedSubscription): Address | undefined {
  return "user" in feed ? feed.user : undefined;
}
