/**
 * WebSocket messages (PROTOCOL.md §2): the subscriptions we send, every outbound frame, and the inbound
 * frames as a union discriminated by `channel`.
 *
 * Data frames are `{"channel": <channel>, "data": <payload>}`. The channel is the subscription's `type`,
 * except `userEvents` → `"user"` and `activeAssetCtx` on a spot coin → `"activeSpotAssetCtx"`
 * (`dataChannelOf`). Frames carry no subscription parameters (no `user`, no `nSigFigs`), so two
 * subscriptions that differ only in those cannot be told apart on the wire.
 */

import type { Address, Hex, WireDecimal } from "./brands.js";
import type { ExchangeRequest, ExchangeResponse, WireAction } from "./exchange.js";
import type {
  InfoRequest,
  L2Book,
  L2BookMantissa,
  L2BookSigFigs,
  L2Level,
  OpenOrder,
  OrderProcessingStatus,
  PerpAssetCtx,
  SpotAssetCtx,
  UserFill,
  WireSide,
} from "./info.js";

/** The text frame some servers send on open. It is not JSON. */
export const WS_GREETING = "Websocket connection established.";

// ---------------------------------------------------------------------------------------------------------
// Subscriptions

/**
 * Every frame is a full snapshot. `fast: true` = 5 levels every 0.5 s; plain = 20 levels every 5 s (2026).
 * Send `null` or omit `nSigFigs`/`mantissa`, never `undefined`: the ack echoes them as `null`.
 */
export interface L2BookSubscription {
  readonly type: "l2Book";
  readonly coin: string;
  readonly nSigFigs?: L2BookSigFigs | null;
  readonly mantissa?: L2BookMantissa | null;
  readonly fast?: boolean;
}

/** Sent only for blocks in which the top of book changed. */
export interface BboSubscription {
  readonly type: "bbo";
  readonly coin: string;
}

export interface TradesSubscription {
  readonly type: "trades";
  readonly coin: string;
}

/** One user per connection for `orderUpdates` and `userEvents`: frames do not say whose they are. */
export interface OrderUpdatesSubscription {
  readonly type: "orderUpdates";
  readonly user: Address;
}

export interface UserFillsSubscription {
  readonly type: "userFills";
  readonly user: Address;
  readonly aggregateByTime?: boolean;
}

/** Data arrives on channel `"user"`. */
export interface UserEventsSubscription {
  readonly type: "userEvents";
  readonly user: Address;
}

export interface UserFundingsSubscription {
  readonly type: "userFundings";
  readonly user: Address;
}

/** Perp coin → channel `activeAssetCtx`; spot coin → channel `activeSpotAssetCtx`. */
export interface ActiveAssetCtxSubscription {
  readonly type: "activeAssetCtx";
  readonly coin: string;
}

/** Large and slow; not for latency-sensitive use. */
export interface AllMidsSubscription {
  readonly type: "allMids";
  readonly dex?: string;
}

export type Subscription =
  | L2BookSubscription
  | BboSubscription
  | TradesSubscription
  | OrderUpdatesSubscription
  | UserFillsSubscription
  | UserEventsSubscription
  | UserFundingsSubscription
  | ActiveAssetCtxSubscription
  | AllMidsSubscription;

export type SubscriptionType = Subscription["type"];

// ---------------------------------------------------------------------------------------------------------
// Outbound frames

/** Unsubscribe must repeat the subscription object it cancels. */
export interface WsSubscribeMessage {
  readonly method: "subscribe";
  readonly subscription: Subscription;
}

export interface WsUnsubscribeMessage {
  readonly method: "unsubscribe";
  readonly subscription: Subscription;
}

/** Answered by `{"channel":"pong"}`. The server drops a connection it has not written to for 60 s. */
export interface WsPingMessage {
  readonly method: "ping";
}

export type WsPostRequest<A extends WireAction = WireAction> =
  | { readonly type: "info"; readonly payload: InfoRequest }
  | { readonly type: "action"; readonly payload: ExchangeRequest<A> };

/** `id` must be distinct among the posts in flight (at most 100 per IP). */
export interface WsPostMessage<A extends WireAction = WireAction> {
  readonly method: "post";
  readonly id: number;
  readonly request: WsPostRequest<A>;
}

export type WsOutboundMessage<A extends WireAction = WireAction> =
  WsSubscribeMessage | WsUnsubscribeMessage | WsPingMessage | WsPostMessage<A>;

// ---------------------------------------------------------------------------------------------------------
// Inbound payloads

/**
 * The subscription as the server echoes it in an ack: normalised (it adds `nSigFigs: null`,
 * `mantissa: null`, reportedly `fast: false`), so match it to what was sent by subset, not by equality.
 * Kept loose because the echo is whatever the server made of our request.
 */
export interface SubscriptionEcho {
  readonly type: string;
  readonly [field: string]: unknown;
}

export interface WsBook extends L2Book {
  /** Present on `fast` snapshots (NK). */
  readonly fast?: boolean;
}

/** A side is `null` when that side of the book is empty. */
export interface WsBbo {
  readonly coin: string;
  readonly time: number;
  readonly bbo: readonly [bid: L2Level | null, ask: L2Level | null];
}

/** Deduplicate on (time, coin, tid): a subscribe may back-fill recent trades. */
export interface WsTrade {
  readonly coin: string;
  /** The aggressor's side. */
  readonly side: WireSide;
  readonly px: WireDecimal;
  readonly sz: WireDecimal;
  readonly time: number;
  /** All zeros on some trades. */
  readonly hash: Hex;
  /** 50-bit; unique together with block time and coin. */
  readonly tid: number;
  /** `[buyer, seller]` per the docs (NK calls them `[maker, taker]`). */
  readonly users: readonly [Address, Address];
}

export interface WsOrderUpdate {
  readonly order: OpenOrder;
  readonly status: OrderProcessingStatus;
  readonly statusTimestamp: number;
}

/** Streaming user feeds open with `isSnapshot: true`; updates carry `false` or omit it. */
export interface WsUserFills {
  readonly isSnapshot?: boolean;
  readonly user: Address;
  readonly fills: readonly UserFill[];
}

export interface WsUserFunding {
  /** In the docs, absent from NK's type. */
  readonly time?: number;
  readonly coin: string;
  readonly usdc: WireDecimal;
  readonly szi: WireDecimal;
  readonly fundingRate: WireDecimal;
  readonly nSamples?: number | null;
}

export interface WsLiquidation {
  readonly lid: number;
  readonly liquidator: Address;
  readonly liquidated_user: Address;
  readonly liquidated_ntl_pos: WireDecimal;
  readonly liquidated_account_value: WireDecimal;
}

export interface WsNonUserCancel {
  readonly coin: string;
  readonly oid: number;
}

/** `userEvents` payloads: exactly one key says which variant it is. */
export type WsUserEvent =
  | { readonly fills: readonly UserFill[] }
  | { readonly funding: WsUserFunding }
  | { readonly liquidation: WsLiquidation }
  | { readonly nonUserCancel: readonly WsNonUserCancel[] };

export interface WsUserFundings {
  readonly isSnapshot?: boolean;
  readonly user: Address;
  readonly fundings: readonly (WsUserFunding & { readonly time: number })[];
}

export interface WsActiveAssetCtx {
  readonly coin: string;
  readonly ctx: PerpAssetCtx;
}

export interface WsActiveSpotAssetCtx {
  readonly coin: string;
  readonly ctx: SpotAssetCtx;
}

export interface WsAllMids {
  readonly mids: Readonly<Record<string, WireDecimal>>;
  readonly dex?: string;
}

/**
 * The answer to a `post`: `info` → the result sits in `payload.data` (decode it with the validator for the
 * request's type); `action` → exactly the `/exchange` body; `error` → a text carrying the HTTP status.
 */
export type WsPostResponse =
  | { readonly type: "info"; readonly payload: { readonly type: string; readonly data: unknown } }
  | { readonly type: "action"; readonly payload: ExchangeResponse }
  | { readonly type: "error"; readonly payload: string };

// ---------------------------------------------------------------------------------------------------------
// Inbound frames

export interface WsSubscriptionResponseMessage {
  readonly channel: "subscriptionResponse";
  readonly data: { readonly method: "subscribe" | "unsubscribe"; readonly subscription: SubscriptionEcho };
}
export interface WsL2BookMessage {
  readonly channel: "l2Book";
  readonly data: WsBook;
}
export interface WsBboMessage {
  readonly channel: "bbo";
  readonly data: WsBbo;
}
export interface WsTradesMessage {
  readonly channel: "trades";
  readonly data: readonly WsTrade[];
}
export interface WsOrderUpdatesMessage {
  readonly channel: "orderUpdates";
  readonly data: readonly WsOrderUpdate[];
}
export interface WsUserFillsMessage {
  readonly channel: "userFills";
  readonly data: WsUserFills;
}
export interface WsUserEventsMessage {
  readonly channel: "user";
  readonly data: WsUserEvent;
}
export interface WsUserFundingsMessage {
  readonly channel: "userFundings";
  readonly data: WsUserFundings;
}
export interface WsActiveAssetCtxMessage {
  readonly channel: "activeAssetCtx";
  readonly data: WsActiveAssetCtx;
}
export interface WsActiveSpotAssetCtxMessage {
  readonly channel: "activeSpotAssetCtx";
  readonly data: WsActiveSpotAssetCtx;
}
export interface WsAllMidsMessage {
  readonly channel: "allMids";
  readonly data: WsAllMids;
}
export interface WsPostResponseMessage {
  readonly channel: "post";
  readonly data: { readonly id: number; readonly response: WsPostResponse };
}
export interface WsPongMessage {
  readonly channel: "pong";
}
/** Texts in `EXCHANGE_ERRORS` (site `ws`); some end with `id=<post id>`. */
export interface WsErrorMessage {
  readonly channel: "error";
  readonly data: string;
}

export type WsInboundMessage =
  | WsSubscriptionResponseMessage
  | WsL2BookMessage
  | WsBboMessage
  | WsTradesMessage
  | WsOrderUpdatesMessage
  | WsUserFillsMessage
  | WsUserEventsMessage
  | WsUserFundingsMessage
  | WsActiveAssetCtxMessage
  | WsActiveSpotAssetCtxMessage
  | WsAllMidsMessage
  | WsPostResponseMessage
  | WsPongMessage
  | WsErrorMessage;

export type WsChannel = WsInboundMessage["channel"];

export type WsInboundMessageOf<C extends WsChannel> = Extract<WsInboundMessage, { readonly channel: C }>;

/** Spot coins are `@{pairIndex}` or a `BASE/QUOTE` name (PURR/USDC); perp coins are plain names. */
export function isSpotCoin(coin: string): boolean {
  return coin.startsWith("@") || coin.includes("/");
}

/** The channel on which a subscription's data frames arrive. */
export function dataChannelOf(subscription: Subscription): WsChannel {
  switch (subscription.type) {
    case "userEvents":
      return "user";
    case "activeAssetCtx":
      return isSpotCoin(subscription.coin) ? "activeSpotAssetCtx" : "activeAssetCtx";
    default:
      return subscription.type;
  }
}
