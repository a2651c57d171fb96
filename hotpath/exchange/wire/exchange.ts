/**
 * The `/exchange` request envelope, its responses and the error strings we match (PROTOCOL.md §5, §12).
 *
 * The action is a type parameter: the typed actions and their builders live in `actions.ts`, the signature
 * in `signing/`; this module only knows that an action has a `type`. HTTP 200 does not mean success: check
 * `status`, then every entry of `statuses` (`statuses[i]` answers `orders[i]` / `cancels[i]`).
 */

import type { Address, Cloid, Hex, WireDecimal } from "./brands.js";

/** The least every action has; `actions.ts` narrows it. */
export interface WireAction {
  readonly type: string;
}

export interface ExchangeSignature {
  readonly r: Hex;
  readonly s: Hex;
  readonly v: 27 | 28;
}

/** The body of `POST /exchange`, and the `payload` of a WS `post` of type `action`. */
export interface ExchangeRequest<A extends WireAction = WireAction> {
  readonly action: A;
  /** Milliseconds; unique per signer (§7). User-signed actions repeat it inside the action. */
  readonly nonce: number;
  readonly signature: ExchangeSignature;
  /** Only when trading for a vault or sub-account; must be absent/null on user-signed transfers. */
  readonly vaultAddress?: Address | null;
  /** Ms after which the exchange rejects the action; part of the L1 signature; not on user-signed actions. */
  readonly expiresAfter?: number;
}

// ---------------------------------------------------------------------------------------------------------
// Per-order statuses (§5.2, §5.3)

export interface RestingOrderStatus {
  readonly resting: { readonly oid: number; readonly cloid?: Cloid };
}

/** `totalSz` below the order size means the IOC remainder was cancelled (UNVERIFIED; confirm via fills). */
export interface FilledOrderStatus {
  readonly filled: {
    readonly totalSz: WireDecimal;
    readonly avgPx: WireDecimal;
    readonly oid: number;
    readonly cloid?: Cloid;
  };
}

/** An order rejected on its own; classify `error` with `classifyExchangeError`. */
export interface OrderErrorStatus {
  readonly error: string;
}

/** `statuses[i]` of an `order` / `batchModify` response. Trigger children answer with bare strings. */
export type OrderPlacementStatus =
  RestingOrderStatus | FilledOrderStatus | OrderErrorStatus | "waitingForTrigger" | "waitingForFill";

/** `statuses[i]` of a `cancel` / `cancelByCloid` response. */
export type CancelStatus = "success" | OrderErrorStatus;

// ---------------------------------------------------------------------------------------------------------
// Responses

export interface OrderResponseBody {
  readonly type: "order";
  readonly data: { readonly statuses: readonly OrderPlacementStatus[] };
}

export interface CancelResponseBody {
  readonly type: "cancel";
  readonly data: { readonly statuses: readonly CancelStatus[] };
}

/** Actions with nothing to report per item: modify, scheduleCancel, noop, updateLeverage, transfers, … */
export interface DefaultResponseBody {
  readonly type: "default";
}

export type ExchangeResponseBody = OrderResponseBody | CancelResponseBody | DefaultResponseBody;

export interface ExchangeOkResponse<B extends ExchangeResponseBody = ExchangeResponseBody> {
  readonly status: "ok";
  readonly response: B;
}

/** The whole action was refused (bad signature, nonce, pre-validation, …); sent with HTTP 200. */
export interface ExchangeErrResponse {
  readonly status: "err";
  readonly response: string;
}

export type ExchangeResponse = ExchangeOkResponse | ExchangeErrResponse;

/** Which success body an action type gets; everything not listed answers `default`. */
export interface ExchangeResponseBodyByAction {
  order: OrderResponseBody;
  batchModify: OrderResponseBody;
  cancel: CancelResponseBody;
  cancelByCloid: CancelResponseBody;
}

export type ExchangeResponseFor<T extends string> =
  | ExchangeErrResponse
  | ExchangeOkResponse<
      T extends keyof ExchangeResponseBodyByAction ? ExchangeResponseBodyByAction[T] : DefaultResponseBody
    >;

// ---------------------------------------------------------------------------------------------------------
// Error strings (§12)

/**
 * Where a message arrives: `top` = `{"status":"err","response":…}`, `order` = an order's `{"error":…}`,
 * `cancel` = a cancel's `{"error":…}`, `ws` = `{"channel":"error","data":…}`.
 */
export type ExchangeErrorSite = "top" | "order" | "cancel" | "ws";

export interface KnownExchangeError {
  /** Match by prefix: real messages append context such as `asset=31` or the bbo. */
  readonly prefixes: readonly string[];
  readonly sites: readonly ExchangeErrorSite[];
  /** The `orderUpdates` status the same rejection carries, when there is one. */
  readonly orderStatus?: string;
  readonly meaning: string;
}

/** The exchange's error messages we act on, keyed by a stable code. Sources in PROTOCOL.md §12. */
export const EXCHANGE_ERRORS = {
  iocNoMatch: {
    prefixes: ["Order could not immediately match against any resting orders."],
    sites: ["order"],
    orderStatus: "iocCancelRejected",
    meaning: "IOC found nothing to trade against; an expected outcome, not a fault",
  },
  postOnlyWouldCross: {
    prefixes: ["Post only order would have immediately matched"],
    sites: ["order"],
    orderStatus: "badAloPxRejected",
    meaning: "ALO order would have crossed; the message carries the bbo and `asset=N`",
  },
  belowMinimumValue: {
    prefixes: ["Order must have minimum value of"],
    sites: ["order"],
    orderStatus: "minTradeNtlRejected",
    meaning: "notional below $10 (perp) / 10 quote tokens (spot)",
  },
  tickSize: {
    prefixes: ["Price must be divisible by tick size."],
    sites: ["order", "top"],
    orderStatus: "tickRejected",
    meaning: "price off the tick grid; also reported for a whole batch by pre-validation",
  },
  invalidPrice: {
    prefixes: ["Order has invalid price."],
    sites: ["order"],
    meaning: "price with too many significant figures or decimals (exact trigger UNVERIFIED)",
  },
  priceBand: {
    prefixes: ["Order price cannot be more than"],
    sites: ["order"],
    meaning: "price more than 80% away from the reference price",
  },
  tooFarFromOracle: {
    prefixes: ["Order price too far from oracle"],
    sites: ["order"],
    orderStatus: "oracleRejected",
    meaning: "price outside the oracle band",
  },
  insufficientSpotBalance: {
    prefixes: ["(Spot-only) Order has insufficient spot balance to trade", "Insufficient spot balance asset"],
    sites: ["order"],
    orderStatus: "insufficientSpotBalanceRejected",
    meaning: "not enough free spot balance (buy fees are taken in the base token; resting orders hold)",
  },
  cancelTargetMissing: {
    prefixes: ["Order was never placed, already canceled, or filled."],
    sites: ["cancel"],
    meaning: "nothing to cancel",
  },
  scheduleCancelVolume: {
    prefixes: ["Cannot set scheduled cancel time until enough volume traded."],
    sites: ["top"],
    meaning: "scheduleCancel needs $1,000,000 of traded volume",
  },
  vaultNotAllowed: {
    prefixes: ["Vault may not perform this action."],
    sites: ["top"],
    meaning: "a user-signed transfer was sent with vaultAddress",
  },
  unknownSigner: {
    prefixes: ["L1 error: User or API Wallet", "User or API Wallet"],
    sites: ["top"],
    meaning: "the recovered signer is not a known user or agent: wrong key or a bad signature",
  },
  mustDeposit: {
    prefixes: ["Must deposit before performing actions."],
    sites: ["top"],
    meaning: "the recovered signer has no account: wrong key or a bad signature",
  },
  invalidNonce: {
    prefixes: ["Invalid nonce"],
    sites: ["top"],
    meaning: "nonce reused, too old or too far ahead",
  },
  wsMalformedRequest: {
    prefixes: ["Error parsing JSON into valid websocket request"],
    sites: ["ws"],
    meaning: "the server could not parse a frame we sent",
  },
  alreadySubscribed: {
    prefixes: ["Already subscribed"],
    sites: ["ws"],
    meaning: "subscription already active",
  },
  alreadyUnsubscribed: {
    prefixes: ["Already unsubscribed"],
    sites: ["ws"],
    meaning: "subscription already inactive",
  },
  invalidSubscription: {
    prefixes: ["Invalid subscription"],
    sites: ["ws"],
    meaning: "subscription object not accepted",
  },
  tooManyPendingPosts: {
    prefixes: ["too many pending post requests"],
    sites: ["ws"],
    meaning: "more than 100 posts in flight; the message ends with `id=<post id>`",
  },
  tooManyTrackedUsers: {
    prefixes: ["Cannot track more than"],
    sites: ["ws"],
    meaning: "too many distinct users in user subscriptions",
  },
} as const satisfies Record<string, KnownExchangeError>;

export type ExchangeErrorCode = keyof typeof EXCHANGE_ERRORS;

const errorPrefixes: readonly (readonly [prefix: string, code: ExchangeErrorCode])[] = Object.entries(
  EXCHANGE_ERRORS,
).flatMap(([code, entry]) => entry.prefixes.map((prefix) => [prefix, code as ExchangeErrorCode] as const));

/** The code of a known exchange message, or `undefined` for one we do not recognise. */
export function classifyExchangeError(message: string): ExchangeErrorCode | undefined {
  for (const [prefix, code] of errorPrefixes) if (message.startsWith(prefix)) return code;
  return undefined;
}
