/**
 * Converters from the core's exact records to the wire-shaped views of `views.ts`.
 */
import type { Hex } from "../../../hotpath/exchange/wire/brands.js";
import { formatFx } from "./fixed.js";
import type { FillRecord, FundingRecord, OrderRecord } from "./history.js";
import type { PerpSummary } from "./ledger.js";
import type { BookLevel } from "./marketModel.js";
import type {
  AssetPositionView,
  BasicOrderView,
  ClearinghouseStateView,
  FillView,
  FrontendOrderView,
  MarginSummaryView,
  UserFundingView,
  WsFundingView,
  WsLevelView,
} from "./views.js";

export function sideOf(isBuy: boolean): "A" | "B" {
  return isBuy ? "B" : "A";
}

/** A deterministic 32-byte hash standing in for the exchange's transaction hash. */
export function fakeHash(sequence: number): Hex {
  return `0x${sequence.toString(16).padStart(64, "0")}` as Hex;
}

export function levelView(level: BookLevel): WsLevelView {
  return { px: formatFx(level.px), sz: formatFx(level.sz), n: level.n };
}

export function basicOrderView(record: OrderRecord): BasicOrderView {
  const view: BasicOrderView = {
    coin: record.coin,
    side: sideOf(record.isBuy),
    limitPx: formatFx(record.limitPx),
    sz: formatFx(record.sz),
    oid: record.oid,
    timestamp: record.timestamp,
    origSz: formatFx(record.origSz),
  };
  return record.cloid === undefined ? view : { ...view, cloid: record.cloid };
}

export function frontendOrderView(record: OrderRecord): FrontendOrderView {
  return {
    ...basicOrderView(record),
    isPositionTpsl: false,
    isTrigger: false,
    orderType: "Limit",
    reduceOnly: record.reduceOnly,
    tif: record.tif,
    triggerCondition: "N/A",
    triggerPx: formatFx(0n),
    children: [],
  };
}

export function fillView(fill: FillRecord): FillView {
  const view = {
    coin: fill.coin,
    px: formatFx(fill.px),
    sz: formatFx(fill.sz),
    side: sideOf(fill.isBuy),
    time: fill.time,
    startPosition: formatFx(fill.startPosition),
    dir: fill.dir,
    closedPnl: formatFx(fill.closedPnl),
    hash: fill.hash,
    oid: fill.oid,
    crossed: fill.crossed,
    fee: formatFx(fill.fee),
    tid: fill.tid,
  };
  const tail = { feeToken: fill.feeToken, twapId: null };
  return fill.cloid === undefined ? { ...view, ...tail } : { ...view, cloid: fill.cloid, ...tail };
}

export function wsFundingView(record: FundingRecord): WsFundingView {
  return {
    time: record.time,
    coin: record.coin,
    usdc: formatFx(record.usdc),
    szi: formatFx(record.szi),
    fundingRate: formatFx(record.fundingRate),
  };
}

export function userFundingView(record: FundingRecord): UserFundingView {
  return {
    time: record.time,
    hash: record.hash,
    delta: {
      type: "funding",
      coin: record.coin,
      usdc: formatFx(record.usdc),
      szi: formatFx(record.szi),
      fundingRate: formatFx(record.fundingRate),
      nSamples: null,
    },
  };
}

export function clearinghouseView(summary: PerpSummary, time: number): ClearinghouseStateView {
  const margin: MarginSummaryView = {
    accountValue: formatFx(summary.accountValue),
    totalNtlPos: formatFx(summary.totalNtlPos),
    totalRawUsd: formatFx(summary.totalRawUsd),
    totalMarginUsed: formatFx(summary.totalMarginUsed),
  };
  const assetPositions = summary.positions.map((position): AssetPositionView => ({
    type: "oneWay",
    position: {
      coin: position.market.coin,
      szi: formatFx(position.szi),
      entryPx: formatFx(position.entryPx),
      positionValue: formatFx(position.positionValue),
      unrealizedPnl: formatFx(position.unrealizedPnl),
      returnOnEquity: formatFx(position.returnOnEquity),
      liquidationPx: position.liquidationPx === undefined ? null : formatFx(position.liquidationPx),
      marginUsed: formatFx(position.marginUsed),
      maxLeverage: position.market.maxLeverage,
      leverage: { type: "cross", value: position.leverage },
      cumFunding: {
        allTime: formatFx(position.cumFunding.allTime),
        sinceOpen: formatFx(position.cumFunding.sinceOpen),
        sinceChange: formatFx(position.cumFunding.sinceChange),
      },
    },
  }));
  return {
    assetPositions,
    marginSummary: margin,
    crossMarginSummary: margin,
    crossMaintenanceMarginUsed: formatFx(summary.crossMaintenanceMarginUsed),
    withdrawable: formatFx(summary.withdrawable),
    time,
  };
}
