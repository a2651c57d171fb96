/**
 * Trade events for the codec, writer and shipper tests: a root intent with its two legs, follow-ups, and
 * one event of every kind, built the way the executor will build them.
 */

import type { SQSRecord } from "aws-lambda";

import type { Cloid, WireDecimal } from "../../hotpath/exchange/wire/brands.js";
import type { Intent, IntentId } from "../../hotpath/execution/intent.js";
import {
  type ControlChangeTradeEvent,
  type FillTradeEvent,
  type FundingTradeEvent,
  type IntentStatus,
  type OrderStatus,
  type OrderTradeEvent,
  type PositionSnapshotTradeEvent,
  type TradeEvent,
  type TransferTradeEvent,
  intentEvent,
  tradeMessageOf,
} from "../../hotpath/persistence/tradeEventCodec.js";
import { sqsRecord } from "./edgeFixtures.js";

export const TRADE_BOOT_ID = "5c1d2e3f-4a5b-4c6d-8e7f-901234567890";
export const BASE_MS = Date.UTC(2026, 4, 1, 12, 0, 0);

const d = (value: string): WireDecimal => value as WireDecimal;

export function cloidOf(n: number): Cloid {
  return `0x${n.toString(16).padStart(32, "0")}` as Cloid;
}

export function intentIdOf(sequence: number, bootId = TRADE_BOOT_ID): IntentId {
  return `${bootId}:${sequence}` as IntentId;
}

/** A root `open` (or `close`): perp sell + spot buy, cloids 2n−1 and 2n. */
export function rootIntent(sequence: number, overrides: Partial<Intent> = {}, coin = "HYPE"): Intent {
  return {
    intentId: intentIdOf(sequence),
    parentIntentId: null,
    bootId: TRADE_BOOT_ID,
    edgeId: 1000 + sequence,
    positionId: `pos-${sequence}`,
    coin,
    direction: "perpRich",
    action: "open",
    legs: [
      {
        market: "perp",
        asset: 159,
        side: "sell",
        limitPx: d("30.123"),
        size: d("1.5"),
        cloid: cloidOf(2 * sequence - 1),
        reduceOnly: false,
        tif: "Ioc",
        nonce: BASE_MS + sequence,
        expiresAfter: BASE_MS + sequence + 5_000,
      },
      {
        market: "spot",
        asset: 10107,
        side: "buy",
        limitPx: d("30.2"),
        size: d("1.51"),
        cloid: cloidOf(2 * sequence),
        reduceOnly: false,
        tif: "Ioc",
        nonce: BASE_MS + sequence,
        expiresAfter: BASE_MS + sequence + 5_000,
      },
    ],
    createdAtMs: BASE_MS + sequence,
    ...overrides,
  };
}

/** A `hedge` of `root` completing its spot leg by `size`, cloid `cloidNumber`. */
export function hedgeIntent(root: Intent, sequence: number, cloidNumber: number, size = "0.51"): Intent {
  return {
    intentId: intentIdOf(sequence),
    parentIntentId: root.intentId,
    bootId: TRADE_BOOT_ID,
    edgeId: null,
    positionId: root.positionId,
    coin: root.coin,
    direction: root.direction,
    action: "hedge",
    legs: [
      {
        market: "spot",
        asset: 10107,
        side: "buy",
        limitPx: d("30.3"),
        size: d(size),
        cloid: cloidOf(cloidNumber),
        reduceOnly: false,
        tif: "Ioc",
        nonce: BASE_MS + sequence,
        expiresAfter: BASE_MS + sequence + 5_000,
      },
    ],
    createdAtMs: BASE_MS + sequence,
  };
}

export function intentAt(intent: Intent, status: IntentStatus, atMs = intent.createdAtMs + 10): TradeEvent {
  return intentEvent(intent, status, atMs, intent.action === "open" ? 4.25 : null);
}

/** The order event of leg `legIndex` of `intent` at `status`. */
export function orderAt(
  intent: Intent,
  legIndex: number,
  status: OrderStatus,
  oid: number | null = null,
  atMs = intent.createdAtMs + 20,
): OrderTradeEvent {
  const leg = intent.legs[legIndex]!;
  return {
    kind: "order",
    intentId: intent.intentId,
    cloid: leg.cloid,
    coin: intent.coin,
    market: leg.market,
    side: leg.side,
    size: leg.size,
    limitPx: leg.limitPx,
    tif: leg.tif,
    reduceOnly: leg.reduceOnly,
    status,
    oid,
    createdAtMs: intent.createdAtMs,
    atMs,
  };
}

export function fillOf(
  intent: Intent,
  legIndex: number,
  tid: number,
  oid: number,
  px: string,
  size: string,
): FillTradeEvent {
  const leg = intent.legs[legIndex]!;
  const spotBuy = leg.market === "spot" && leg.side === "buy";
  return {
    kind: "fill",
    tid,
    cloid: leg.cloid,
    oid,
    coin: intent.coin,
    market: leg.market,
    side: leg.side,
    px: d(px),
    size: d(size),
    fee: d(spotBuy ? "0.00105" : "0.0135"),
    feeToken: spotBuy ? intent.coin : "USDC",
    closedPnl: d("0.0"),
    hash: `0x${tid.toString(16).padStart(64, "0")}`,
    timeMs: intent.createdAtMs + 30,
  };
}

export function fundingOf(hour: number, positionId: string | null = "pos-1"): FundingTradeEvent {
  return {
    kind: "funding",
    coin: "HYPE",
    timeMs: BASE_MS + hour * 3_600_000,
    usdc: d("0.0123456"),
    positionSize: d("-1.5"),
    fundingRate: d("0.0000125"),
    positionId,
  };
}

export function transferOf(nonce: number, tickId: string | null): TransferTradeEvent {
  return {
    kind: "transfer",
    transferId: `usdClassTransfer:${nonce}`,
    direction: "spotToPerp",
    token: "USDC",
    amount: d("200.125"),
    tickId,
    status: "ok",
    atMs: BASE_MS + 1_000,
  };
}

export function snapshotOf(minute: number): PositionSnapshotTradeEvent {
  return {
    kind: "positionSnapshot",
    coin: "HYPE",
    takenAtMs: BASE_MS + minute * 60_000,
    perpSize: d("-1.5"),
    spotSize: d("1.5"),
    perpEntryPx: d("30.1"),
    perpMarkPx: d("30.15"),
    spotMidPx: d("30.14"),
    unrealizedPnl: null,
  };
}

export function controlChangeOf(n: number): ControlChangeTradeEvent {
  return {
    kind: "controlChange",
    change: {
      changeId: `0b0e8a52-1c2d-4e5f-8a9b-${n.toString(16).padStart(12, "0")}`,
      changedAt: new Date(BASE_MS + n).toISOString(),
      action: "pause",
      source: "127.0.0.1",
      before: { paused: false, pausedReason: null },
      after: { paused: true, pausedReason: "maintenance" },
      reason: "maintenance",
    },
  };
}

/** One of every kind, in an order the writer accepts (parents first). */
export function oneOfEveryKind(): TradeEvent[] {
  const root = rootIntent(1);
  return [
    intentAt(root, "sent"),
    orderAt(root, 0, "acked", 77),
    fillOf(root, 0, 9001, 77, "30.1", "1.5"),
    fundingOf(1),
    transferOf(555, null),
    snapshotOf(1),
    controlChangeOf(1),
  ];
}

/** A FIFO SQS record of `event` (group and deduplication ids as the shipper sends them). */
export function tradeRecord(event: TradeEvent, messageId: string, sentMs = Date.now()): SQSRecord {
  const message = tradeMessageOf(event);
  return fifoRecord(message.body, messageId, message.groupId, sentMs, message.deduplicationId);
}

/** A FIFO SQS record with any body (poison included). */
export function fifoRecord(
  body: string,
  messageId: string,
  groupId: string,
  sentMs = Date.now(),
  deduplicationId = messageId,
): SQSRecord {
  const record = sqsRecord(body, messageId, sentMs);
  return {
    ...record,
    attributes: { ...record.attributes, MessageGroupId: groupId, MessageDeduplicationId: deduplicationId },
    eventSourceARN: "arn:aws:sqs:ap-northeast-1:000000000000:trades.fifo",
  };
}
