/**
 * Wire-shaped views of the core's state: the objects the info endpoint and WS channels carry
 * (PROTOCOL §2.3–2.8, §4.3–4.5), with decimals as canonical strings and ids/times as numbers.
 *
 * Decimal strings are canonical (no trailing zeros: `"30"`, `"0"`), where the live exchange sometimes
 * writes `"30.0"`/`"0.0"`; both parse to the same decimal. Fields the simulator does not model are given
 * fixed values (`twapId: null`, `isTrigger: false`, …) so the shapes match.
 */
import type { Address, Cloid, Hex, WireDecimal } from "../../../hotpath/exchange/wire/brands.js";
import type { UserFill } from "../../../hotpath/exchange/wire/info.js";

export interface WsLevelView {
  readonly px: WireDecimal;
  readonly sz: WireDecimal;
  readonly n: number;
}

export interface L2BookView {
  readonly coin: string;
  readonly time: number;
  readonly levels: readonly [readonly WsLevelView[], readonly WsLevelView[]];
}

export interface BboView {
  readonly coin: string;
  readonly time: number;
  readonly bbo: readonly [WsLevelView | null, WsLevelView | null];
}

export interface TradeView {
  readonly coin: string;
  /** Aggressor: `"B"` = buy, `"A"` = sell. */
  readonly side: "A" | "B";
  readonly px: WireDecimal;
  readonly sz: WireDecimal;
  readonly hash: Hex;
  readonly time: number;
  readonly tid: number;
  /** `[buyer, seller]`. */
  readonly users: readonly [Address, Address];
}

export type OrderStatusName =
  | "open"
  | "filled"
  | "canceled"
  | "rejected"
  | "selfTradeCanceled"
  | "reduceOnlyCanceled"
  | "scheduledCancel"
  | "iocCancelRejected"
  | "badAloPxRejected"
  | "minTradeNtlRejected"
  | "perpMarginRejected"
  | "reduceOnlyRejected"
  | "insufficientSpotBalanceRejected";

export interface BasicOrderView {
  readonly coin: string;
  readonly side: "A" | "B";
  readonly limitPx: WireDecimal;
  /** Remaining size. */
  readonly sz: WireDecimal;
  readonly oid: number;
  readonly timestamp: number;
  readonly origSz: WireDecimal;
  readonly cloid?: Cloid;
}

export interface FrontendOrderView extends BasicOrderView {
  readonly isPositionTpsl: false;
  readonly isTrigger: false;
  readonly orderType: "Limit";
  readonly reduceOnly: boolean;
  readonly tif: "Gtc" | "Ioc" | "Alo";
  readonly triggerCondition: "N/A";
  readonly triggerPx: WireDecimal;
  readonly children: readonly never[];
}

export interface OrderUpdateView {
  readonly order: BasicOrderView;
  readonly status: OrderStatusName;
  readonly statusTimestamp: number;
}

export type OrderStatusView =
  | {
      readonly status: "order";
      readonly order: {
        readonly order: FrontendOrderView;
        readonly status: OrderStatusName;
        readonly statusTimestamp: number;
      };
    }
  | { readonly status: "unknownOid" };

/** A fill as the exchange reports it: the wire type, with the fields the simulator always sets. */
export type FillView = Omit<UserFill, "side" | "cloid" | "twapId" | "builderFee" | "liquidation"> & {
  readonly side: "A" | "B";
  readonly cloid?: Cloid;
  readonly twapId: null;
};

/** `userEvents` funding variant. */
export interface WsFundingView {
  readonly time: number;
  readonly coin: string;
  readonly usdc: WireDecimal;
  readonly szi: WireDecimal;
  readonly fundingRate: WireDecimal;
}

/** One element of the `userFunding` info response. */
export interface UserFundingView {
  readonly time: number;
  readonly hash: Hex;
  readonly delta: {
    readonly type: "funding";
    readonly coin: string;
    readonly usdc: WireDecimal;
    readonly szi: WireDecimal;
    readonly fundingRate: WireDecimal;
    readonly nSamples: null;
  };
}

export interface FundingHistoryView {
  readonly coin: string;
  readonly fundingRate: WireDecimal;
  readonly premium: WireDecimal;
  readonly time: number;
}

export interface MarginSummaryView {
  readonly accountValue: WireDecimal;
  readonly totalNtlPos: WireDecimal;
  readonly totalRawUsd: WireDecimal;
  readonly totalMarginUsed: WireDecimal;
}

export interface AssetPositionView {
  readonly type: "oneWay";
  readonly position: {
    readonly coin: string;
    readonly szi: WireDecimal;
    readonly entryPx: WireDecimal;
    readonly positionValue: WireDecimal;
    readonly unrealizedPnl: WireDecimal;
    readonly returnOnEquity: WireDecimal;
    readonly liquidationPx: WireDecimal | null;
    readonly marginUsed: WireDecimal;
    readonly maxLeverage: number;
    readonly leverage: { readonly type: "cross"; readonly value: number };
    readonly cumFunding: {
      readonly allTime: WireDecimal;
      readonly sinceOpen: WireDecimal;
      readonly sinceChange: WireDecimal;
    };
  };
}

export interface ClearinghouseStateView {
  readonly assetPositions: readonly AssetPositionView[];
  readonly marginSummary: MarginSummaryView;
  readonly crossMarginSummary: MarginSummaryView;
  readonly crossMaintenanceMarginUsed: WireDecimal;
  readonly withdrawable: WireDecimal;
  readonly time: number;
}

export interface SpotBalanceView {
  readonly coin: string;
  readonly token: number;
  readonly hold: WireDecimal;
  readonly total: WireDecimal;
  readonly entryNtl: WireDecimal;
}

export interface SpotClearinghouseStateView {
  readonly balances: readonly SpotBalanceView[];
}

export interface UserFeesView {
  readonly userCrossRate: WireDecimal;
  readonly userAddRate: WireDecimal;
  readonly userSpotCrossRate: WireDecimal;
  readonly userSpotAddRate: WireDecimal;
  readonly activeReferralDiscount: WireDecimal;
  readonly activeStakingDiscount: { readonly bpsOfMaxSupply: WireDecimal; readonly discount: WireDecimal };
}

export interface PerpAssetCtxView {
  readonly funding: WireDecimal;
  readonly openInterest: WireDecimal;
  readonly prevDayPx: WireDecimal;
  readonly dayNtlVlm: WireDecimal;
  readonly premium: WireDecimal;
  readonly oraclePx: WireDecimal;
  readonly markPx: WireDecimal;
  readonly midPx: WireDecimal | null;
  readonly impactPxs: readonly [WireDecimal, WireDecimal];
  readonly dayBaseVlm: WireDecimal;
}

export interface SpotAssetCtxView {
  readonly coin: string;
  readonly prevDayPx: WireDecimal;
  readonly dayNtlVlm: WireDecimal;
  readonly markPx: WireDecimal;
  readonly midPx: WireDecimal | null;
  readonly dayBaseVlm: WireDecimal;
}

/** Per-order answer of the `order` action (`statuses[i]`). */
export type OrderResponseStatus =
  | { readonly resting: { readonly oid: number; readonly cloid?: Cloid } }
  | {
      readonly filled: {
        readonly totalSz: WireDecimal;
        readonly avgPx: WireDecimal;
        readonly oid: number;
        readonly cloid?: Cloid;
      };
    }
  | { readonly error: string };

/** Per-cancel answer of `cancel` / `cancelByCloid`. */
export type CancelResponseStatus = "success" | { readonly error: string };

/** Answer of an action without per-item statuses (`status: "ok"` / `"err"` on the wire). */
export type ActionResult = { readonly ok: true } | { readonly ok: false; readonly error: string };
