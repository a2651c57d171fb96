/**
 * `/info` requests and responses (PROTOCOL.md §4), plus the shapes the WebSocket feeds share with them
 * (book levels, fills, open orders, asset contexts).
 *
 * Field names and nesting follow the exchange's JSON exactly, so a decoded response is the parsed body with
 * unknown fields dropped. Prices, sizes and amounts stay `WireDecimal` strings; ids, times and counts are
 * numbers. Fields only some server versions send are optional, with a comment saying which.
 * `InfoResponse<T>` maps a request `type` to its response, so a client can be typed end to end.
 */

import type { Address, Cloid, Hex, WireDecimal } from "./brands.js";

/** `"B"` = bid/buy, `"A"` = ask/sell. On trades it is the aggressor's side; on fills and orders, ours. */
export type WireSide = "B" | "A";

// ---------------------------------------------------------------------------------------------------------
// Perp metadata (§4.1)

/** One perp in `meta.universe`. Its position in that array is its asset id (main dex). */
export interface PerpAssetMeta {
  readonly szDecimals: number;
  readonly name: string;
  readonly maxLeverage: number;
  /** Absent in pre-2025 recordings. An id below 50 means one tier whose max leverage equals the id. */
  readonly marginTableId?: number;
  /** Deprecated by the exchange in favour of `marginMode`. */
  readonly onlyIsolated?: boolean;
  /** Delisted perps stay in the array so that later asset ids do not shift. */
  readonly isDelisted?: boolean;
  /** `"strictIsolated"` or `"noCross"` today; kept open so a new mode does not stop start-up. */
  readonly marginMode?: string;
  readonly growthMode?: string;
  readonly lastGrowthModeChangeTime?: string;
}

export interface MarginTier {
  readonly lowerBound: WireDecimal;
  readonly maxLeverage: number;
}

export interface MarginTable {
  readonly description: string;
  readonly marginTiers: readonly MarginTier[];
}

export interface Meta {
  readonly universe: readonly PerpAssetMeta[];
  /** `[id, table]` pairs. Absent in pre-2025 recordings. */
  readonly marginTables?: readonly (readonly [id: number, table: MarginTable])[];
  /** Spot token index of the collateral (0 = USDC on the main dex). Absent in pre-2025 recordings. */
  readonly collateralToken?: number;
}

/** `metaAndAssetCtxs[1][i]` belongs to `meta.universe[i]`. */
export interface PerpAssetCtx {
  readonly dayNtlVlm: WireDecimal;
  /** The current hourly funding rate. */
  readonly funding: WireDecimal;
  readonly impactPxs: readonly [bid: WireDecimal, ask: WireDecimal] | null;
  readonly markPx: WireDecimal;
  readonly midPx: WireDecimal | null;
  readonly openInterest: WireDecimal;
  readonly oraclePx: WireDecimal;
  readonly premium: WireDecimal | null;
  readonly prevDayPx: WireDecimal;
  /** Added in 2025. */
  readonly dayBaseVlm?: WireDecimal;
}

export type MetaAndAssetCtxs = readonly [meta: Meta, assetCtxs: readonly PerpAssetCtx[]];

// ---------------------------------------------------------------------------------------------------------
// Spot metadata (§4.2)

export interface SpotTokenEvmContract {
  readonly address: Address;
  readonly evm_extra_wei_decimals: number;
}

/** One token (asset) in `spotMeta.tokens`. Identify it by `index`, never by array position. */
export interface SpotTokenMeta {
  readonly name: string;
  readonly szDecimals: number;
  readonly weiDecimals: number;
  readonly index: number;
  /** 16 bytes; transfers name a token `"NAME:tokenId"`. */
  readonly tokenId: Hex;
  readonly isCanonical: boolean;
  readonly evmContract: SpotTokenEvmContract | null;
  readonly fullName: string | null;
  /** Sent by newer servers (NK). */
  readonly deployerTradingFeeShare?: WireDecimal;
}

/** One trading pair in `spotMeta.universe`. Its order asset id is `10000 + index`. */
export interface SpotPairMeta {
  /** Token indices `[base, quote]`. */
  readonly tokens: readonly [base: number, quote: number];
  /** `"PURR/USDC"` for the canonical pair, `"@{index}"` for all others; it is the pair's info/WS coin. */
  readonly name: string;
  readonly index: number;
  readonly isCanonical: boolean;
}

export interface SpotMeta {
  readonly tokens: readonly SpotTokenMeta[];
  readonly universe: readonly SpotPairMeta[];
}

/** Spot contexts carry their `coin`; key them by it, not by position. */
export interface SpotAssetCtx {
  readonly coin: string;
  readonly dayNtlVlm: WireDecimal;
  readonly markPx: WireDecimal;
  readonly midPx: WireDecimal | null;
  readonly prevDayPx: WireDecimal;
  readonly circulatingSupply: WireDecimal;
  readonly totalSupply: WireDecimal;
  readonly dayBaseVlm: WireDecimal;
}

export type SpotMetaAndAssetCtxs = readonly [meta: SpotMeta, assetCtxs: readonly SpotAssetCtx[]];

// ---------------------------------------------------------------------------------------------------------
// Books and mids (§2.3, §4.6)

export interface L2Level {
  readonly px: WireDecimal;
  readonly sz: WireDecimal;
  /** Number of orders at this level. */
  readonly n: number;
}

/** A full snapshot of the top levels: bids descending, asks ascending, index 0 is the touch. */
export interface L2Book {
  readonly coin: string;
  readonly time: number;
  readonly levels: readonly [bids: readonly L2Level[], asks: readonly L2Level[]];
  /** Only when `nSigFigs` aggregation is on (NK). */
  readonly spread?: WireDecimal;
}

/** Mid price by coin; spot pairs appear under their `@N` / `PURR/USDC` coin. */
export type AllMids = Readonly<Record<string, WireDecimal>>;

// ---------------------------------------------------------------------------------------------------------
// Account state (§4.3, §4.4)

export interface MarginSummary {
  readonly accountValue: WireDecimal;
  readonly totalNtlPos: WireDecimal;
  /** Can be negative (short notional is credited). */
  readonly totalRawUsd: WireDecimal;
  readonly totalMarginUsed: WireDecimal;
}

export type PositionLeverage =
  | { readonly type: "cross"; readonly value: number }
  | { readonly type: "isolated"; readonly value: number; readonly rawUsd: WireDecimal };

export interface PerpPosition {
  readonly coin: string;
  /** Signed size: negative = short. */
  readonly szi: WireDecimal;
  readonly leverage: PositionLeverage;
  readonly entryPx: WireDecimal;
  readonly positionValue: WireDecimal;
  readonly unrealizedPnl: WireDecimal;
  readonly returnOnEquity: WireDecimal;
  readonly liquidationPx: WireDecimal | null;
  readonly marginUsed: WireDecimal;
  readonly maxLeverage: number;
  readonly cumFunding: {
    readonly allTime: WireDecimal;
    readonly sinceOpen: WireDecimal;
    readonly sinceChange: WireDecimal;
  };
}

export interface AssetPosition {
  readonly type: "oneWay";
  readonly position: PerpPosition;
}

export interface ClearinghouseState {
  readonly assetPositions: readonly AssetPosition[];
  readonly marginSummary: MarginSummary;
  readonly crossMarginSummary: MarginSummary;
  readonly crossMaintenanceMarginUsed: WireDecimal;
  /** Free collateral that can leave the perp account; not `accountValue`. */
  readonly withdrawable: WireDecimal;
  readonly time: number;
}

export interface SpotBalance {
  readonly coin: string;
  readonly token: number;
  /** Available = total − hold; hold is reserved by resting spot orders. */
  readonly total: WireDecimal;
  readonly hold: WireDecimal;
  readonly entryNtl: WireDecimal;
}

export interface SpotClearinghouseState {
  readonly balances: readonly SpotBalance[];
  readonly evmEscrows?: readonly {
    readonly coin: string;
    readonly token: number;
    readonly total: WireDecimal;
  }[];
}

// ---------------------------------------------------------------------------------------------------------
// Orders and fills (§2.6, §2.7, §4.5)

/**
 * Order statuses from the docs' table plus the three NK adds. The exchange adds statuses over time, so the
 * type stays open: handle the ones you know and treat the rest as "closed for a reason we do not model".
 */
export const KNOWN_ORDER_PROCESSING_STATUSES = [
  "open",
  "filled",
  "canceled",
  "triggered",
  "rejected",
  "marginCanceled",
  "vaultWithdrawalCanceled",
  "openInterestCapCanceled",
  "selfTradeCanceled",
  "reduceOnlyCanceled",
  "siblingFilledCanceled",
  "delistedCanceled",
  "liquidatedCanceled",
  "scheduledCancel",
  "tickRejected",
  "minTradeNtlRejected",
  "perpMarginRejected",
  "reduceOnlyRejected",
  "badAloPxRejected",
  "iocCancelRejected",
  "badTriggerPxRejected",
  "marketOrderNoLiquidityRejected",
  "positionIncreaseAtOpenInterestCapRejected",
  "positionFlipAtOpenInterestCapRejected",
  "tooAggressiveAtOpenInterestCapRejected",
  "openInterestIncreaseRejected",
  "insufficientSpotBalanceRejected",
  "oracleRejected",
  "perpMaxPositionRejected",
  "outcomeSettledCanceled",
  "internalCancel",
  "tooManyOpenOrdersRejected",
] as const;

export type KnownOrderProcessingStatus = (typeof KNOWN_ORDER_PROCESSING_STATUSES)[number];

/** `string & {}` keeps editor completion for the known values while admitting new ones. */
export type OrderProcessingStatus = KnownOrderProcessingStatus | (string & {});

const knownStatuses: ReadonlySet<string> = new Set(KNOWN_ORDER_PROCESSING_STATUSES);

export function isKnownOrderProcessingStatus(status: string): status is KnownOrderProcessingStatus {
  return knownStatuses.has(status);
}

/** A resting order as `openOrders` and the `orderUpdates` feed report it. `sz` is the remaining size. */
export interface OpenOrder {
  readonly coin: string;
  readonly side: WireSide;
  readonly limitPx: WireDecimal;
  readonly sz: WireDecimal;
  readonly oid: number;
  readonly timestamp: number;
  readonly origSz: WireDecimal;
  /** Absent when the order was placed without one; accepted as `null` too. */
  readonly cloid?: Cloid | null;
  readonly reduceOnly?: boolean;
}

export type FrontendOrderType =
  "Market" | "Limit" | "Stop Market" | "Stop Limit" | "Take Profit Market" | "Take Profit Limit";

export type FrontendOrderTif = "Gtc" | "Ioc" | "Alo" | "FrontendMarket" | "LiquidationMarket";

export interface FrontendOpenOrder extends OpenOrder {
  readonly isPositionTpsl: boolean;
  readonly isTrigger: boolean;
  readonly orderType: FrontendOrderType;
  readonly reduceOnly: boolean;
  /** `null` on trigger orders. */
  readonly tif: FrontendOrderTif | null;
  readonly triggerCondition: string;
  readonly triggerPx: WireDecimal;
  readonly children: readonly FrontendOpenOrder[];
  readonly cloid: Cloid | null;
}

export type OrderStatusResponse =
  | {
      readonly status: "order";
      readonly order: {
        readonly order: FrontendOpenOrder;
        readonly status: OrderProcessingStatus;
        readonly statusTimestamp: number;
      };
    }
  | { readonly status: "unknownOid" };

export interface FillLiquidation {
  readonly liquidatedUser: Address;
  readonly markPx: WireDecimal;
  readonly method: string;
}

/** One fill, as `userFills`, the `userFills` feed and `userEvents` report it. */
export interface UserFill {
  readonly coin: string;
  readonly px: WireDecimal;
  readonly sz: WireDecimal;
  readonly side: WireSide;
  readonly time: number;
  /** Signed position before this fill (spot: balance). */
  readonly startPosition: WireDecimal;
  /** `"Buy"`, `"Sell"`, `"Open Long"`, `"Close Short"`, `"Spot Dust Conversion"`, … */
  readonly dir: string;
  readonly closedPnl: WireDecimal;
  readonly hash: Hex;
  readonly oid: number;
  /** True when this side was the taker. */
  readonly crossed: boolean;
  /** Negative for a rebate; includes `builderFee`. Spot buys pay it in the base token (see `feeToken`). */
  readonly fee: WireDecimal;
  readonly tid: number;
  readonly feeToken: string;
  readonly builderFee?: WireDecimal;
  readonly cloid?: Cloid | null;
  readonly liquidation?: FillLiquidation;
  readonly twapId?: number | null;
}

// ---------------------------------------------------------------------------------------------------------
// Funding, fees, limits, roles (§4.5, §4.7, §10, §11)

export interface FundingDelta {
  readonly type: "funding";
  readonly coin: string;
  readonly usdc: WireDecimal;
  readonly szi: WireDecimal;
  readonly fundingRate: WireDecimal;
  readonly nSamples?: number | null;
}

export interface UserFundingEntry {
  readonly time: number;
  readonly hash: Hex;
  readonly delta: FundingDelta;
}

/** The rates the bot reads; the response carries more (schedule tiers, daily volume). */
export interface UserFees {
  readonly userCrossRate: WireDecimal;
  readonly userAddRate: WireDecimal;
  readonly userSpotCrossRate: WireDecimal;
  readonly userSpotAddRate: WireDecimal;
  readonly activeReferralDiscount: WireDecimal;
  readonly activeStakingDiscount: { readonly bpsOfMaxSupply: WireDecimal; readonly discount: WireDecimal };
  readonly dailyUserVlm?: readonly {
    readonly date: string;
    readonly userCross: WireDecimal;
    readonly userAdd: WireDecimal;
    readonly exchange: WireDecimal;
  }[];
}

export interface UserRateLimit {
  readonly cumVlm: WireDecimal;
  readonly nRequestsUsed: number;
  readonly nRequestsCap: number;
  /** In the docs' example but absent from the 2025 recording. */
  readonly nRequestsSurplus?: number;
}

export type UserRole =
  | { readonly role: "missing" | "user" | "vault" }
  | { readonly role: "agent"; readonly data: { readonly user: Address } }
  | { readonly role: "subAccount"; readonly data: { readonly master: Address } };

/** `"disabled"` is the standard account; `"default"`/`"dexAbstraction"` are legacy values. */
export type UserAbstraction =
  "disabled" | "unifiedAccount" | "portfolioMargin" | "default" | "dexAbstraction";

// ---------------------------------------------------------------------------------------------------------
// Requests

/** `nSigFigs` aggregation; `null` = full precision. */
export type L2BookSigFigs = 2 | 3 | 4 | 5;
/** Only with `nSigFigs: 5`. The REST page lists 1, 2, 5; the WS page 2, 5. */
export type L2BookMantissa = 1 | 2 | 5;

/** `dex: ""` (or absent) = the main perp dex. */
export interface MetaRequest {
  readonly type: "meta";
  readonly dex?: string;
}
export interface SpotMetaRequest {
  readonly type: "spotMeta";
}
export interface MetaAndAssetCtxsRequest {
  readonly type: "metaAndAssetCtxs";
  readonly dex?: string;
}
export interface SpotMetaAndAssetCtxsRequest {
  readonly type: "spotMetaAndAssetCtxs";
}
export interface L2BookRequest {
  readonly type: "l2Book";
  readonly coin: string;
  readonly nSigFigs?: L2BookSigFigs | null;
  readonly mantissa?: L2BookMantissa | null;
}
export interface AllMidsRequest {
  readonly type: "allMids";
  readonly dex?: string;
}
/** User queries take the master (or sub-account) address; an agent's address returns empty state. */
export interface ClearinghouseStateRequest {
  readonly type: "clearinghouseState";
  readonly user: Address;
  readonly dex?: string;
}
export interface SpotClearinghouseStateRequest {
  readonly type: "spotClearinghouseState";
  readonly user: Address;
}
export interface OpenOrdersRequest {
  readonly type: "openOrders";
  readonly user: Address;
  readonly dex?: string;
}
export interface FrontendOpenOrdersRequest {
  readonly type: "frontendOpenOrders";
  readonly user: Address;
  readonly dex?: string;
}
export interface OrderStatusRequest {
  readonly type: "orderStatus";
  readonly user: Address;
  /** An oid, or our cloid. */
  readonly oid: number | Cloid;
}
export interface UserFillsRequest {
  readonly type: "userFills";
  readonly user: Address;
  readonly aggregateByTime?: boolean;
}
export interface UserFillsByTimeRequest {
  readonly type: "userFillsByTime";
  readonly user: Address;
  readonly startTime: number;
  readonly endTime?: number | null;
  readonly aggregateByTime?: boolean;
}
export interface UserFundingRequest {
  readonly type: "userFunding";
  readonly user: Address;
  readonly startTime: number;
  readonly endTime?: number | null;
}
export interface UserFeesRequest {
  readonly type: "userFees";
  readonly user: Address;
}
export interface UserRateLimitRequest {
  readonly type: "userRateLimit";
  readonly user: Address;
}
export interface UserRoleRequest {
  readonly type: "userRole";
  readonly user: Address;
}
export interface UserAbstractionRequest {
  readonly type: "userAbstraction";
  readonly user: Address;
}

export type InfoRequest =
  | MetaRequest
  | SpotMetaRequest
  | MetaAndAssetCtxsRequest
  | SpotMetaAndAssetCtxsRequest
  | L2BookRequest
  | AllMidsRequest
  | ClearinghouseStateRequest
  | SpotClearinghouseStateRequest
  | OpenOrdersRequest
  | FrontendOpenOrdersRequest
  | OrderStatusRequest
  | UserFillsRequest
  | UserFillsByTimeRequest
  | UserFundingRequest
  | UserFeesRequest
  | UserRateLimitRequest
  | UserRoleRequest
  | UserAbstractionRequest;

export type InfoRequestType = InfoRequest["type"];

/** Response body by request `type`. `InfoResponse` fails to compile if a request type is missing here. */
export interface InfoResponseMap {
  meta: Meta;
  spotMeta: SpotMeta;
  metaAndAssetCtxs: MetaAndAssetCtxs;
  spotMetaAndAssetCtxs: SpotMetaAndAssetCtxs;
  /** `null` for an unknown coin. */
  l2Book: L2Book | null;
  allMids: AllMids;
  clearinghouseState: ClearinghouseState;
  spotClearinghouseState: SpotClearinghouseState;
  openOrders: readonly OpenOrder[];
  frontendOpenOrders: readonly FrontendOpenOrder[];
  orderStatus: OrderStatusResponse;
  /** At most the 2000 latest fills. */
  userFills: readonly UserFill[];
  /** At most 2000 per response; page on from the last `time`. */
  userFillsByTime: readonly UserFill[];
  userFunding: readonly UserFundingEntry[];
  userFees: UserFees;
  userRateLimit: UserRateLimit;
  userRole: UserRole;
  userAbstraction: UserAbstraction;
}

export type InfoResponse<T extends InfoRequestType> = InfoResponseMap[T];

/** The request variant with the given `type`. */
export type InfoRequestOf<T extends InfoRequestType> = Extract<InfoRequest, { readonly type: T }>;
