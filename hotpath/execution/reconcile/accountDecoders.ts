/**
 * Decoders for the account queries reconciliation reads: `clearinghouseState`, `spotClearinghouseState`,
 * `openOrders`, `userFills`/`userFillsByTime`, `userFunding`, `orderStatus` and `userAbstraction`
 * (PROTOCOL §4.3–4.5, §10.1). Built from the wire core's schemas (`decode-common.ts`, `decode-info.ts`) and
 * typed by its `info.ts` shapes, so a decoded value is the exchange's body minus unknown fields.
 *
 * They live here because `decode-info.ts` has only the start-up metadata decoders so far; they belong
 * there, and move when its owner takes them (the schemas are plain data).
 *
 * Strict where reconciliation relies on a field (sizes, balances, ids, times), lenient where a server
 * version may extend one (open string enums, optional extras).
 */

import { z } from "zod";

import {
  cloidSchema,
  decodeWith,
  hexSchema,
  uintSchema,
  wireDecimalSchema,
  type DecodeResult,
} from "../../exchange/wire/decode-common.js";
import { openOrderSchema, sideSchema, userFillSchema } from "../../exchange/wire/decode-info.js";
import type {
  ClearinghouseState,
  FrontendOpenOrder,
  FrontendOrderTif,
  FrontendOrderType,
  MarginSummary,
  OpenOrder,
  OrderStatusResponse,
  SpotClearinghouseState,
  UserFill,
  UserFundingEntry,
} from "../../exchange/wire/info.js";

const marginSummarySchema: z.ZodType<MarginSummary> = z.object({
  accountValue: wireDecimalSchema,
  totalNtlPos: wireDecimalSchema,
  totalRawUsd: wireDecimalSchema,
  totalMarginUsed: wireDecimalSchema,
});

const leverageSchema = z.union([
  z.object({ type: z.literal("cross"), value: z.number() }),
  z.object({ type: z.literal("isolated"), value: z.number(), rawUsd: wireDecimalSchema }),
]);

export const clearinghouseStateSchema: z.ZodType<ClearinghouseState> = z.object({
  assetPositions: z.array(
    z.object({
      type: z.literal("oneWay"),
      position: z.object({
        coin: z.string(),
        szi: wireDecimalSchema,
        leverage: leverageSchema,
        entryPx: wireDecimalSchema,
        positionValue: wireDecimalSchema,
        unrealizedPnl: wireDecimalSchema,
        returnOnEquity: wireDecimalSchema,
        liquidationPx: wireDecimalSchema.nullable(),
        marginUsed: wireDecimalSchema,
        maxLeverage: z.number(),
        cumFunding: z.object({
          allTime: wireDecimalSchema,
          sinceOpen: wireDecimalSchema,
          sinceChange: wireDecimalSchema,
        }),
      }),
    }),
  ),
  marginSummary: marginSummarySchema,
  crossMarginSummary: marginSummarySchema,
  crossMaintenanceMarginUsed: wireDecimalSchema,
  withdrawable: wireDecimalSchema,
  time: uintSchema,
});

export const spotClearinghouseStateSchema: z.ZodType<SpotClearinghouseState> = z.object({
  balances: z.array(
    z.object({
      coin: z.string(),
      token: uintSchema,
      total: wireDecimalSchema,
      hold: wireDecimalSchema,
      entryNtl: wireDecimalSchema,
    }),
  ),
  evmEscrows: z
    .array(z.object({ coin: z.string(), token: uintSchema, total: wireDecimalSchema }))
    .exactOptional(),
});

const userFundingEntrySchema: z.ZodType<UserFundingEntry> = z.object({
  time: uintSchema,
  hash: hexSchema,
  delta: z.object({
    type: z.literal("funding"),
    coin: z.string(),
    usdc: wireDecimalSchema,
    szi: wireDecimalSchema,
    fundingRate: wireDecimalSchema,
    nSamples: uintSchema.nullable().exactOptional(),
  }),
});

const ORDER_TYPES = [
  "Market",
  "Limit",
  "Stop Market",
  "Stop Limit",
  "Take Profit Market",
  "Take Profit Limit",
] as const satisfies readonly FrontendOrderType[];
const TIFS = [
  "Gtc",
  "Ioc",
  "Alo",
  "FrontendMarket",
  "LiquidationMarket",
] as const satisfies readonly FrontendOrderTif[];

const frontendOpenOrderSchema: z.ZodType<FrontendOpenOrder> = z.object({
  coin: z.string(),
  side: sideSchema,
  limitPx: wireDecimalSchema,
  sz: wireDecimalSchema,
  oid: uintSchema,
  timestamp: uintSchema,
  origSz: wireDecimalSchema,
  cloid: cloidSchema.nullable(),
  isPositionTpsl: z.boolean(),
  isTrigger: z.boolean(),
  orderType: z.enum(ORDER_TYPES),
  reduceOnly: z.boolean(),
  tif: z.enum(TIFS).nullable(),
  triggerCondition: z.string(),
  triggerPx: wireDecimalSchema,
  get children() {
    return z.array(frontendOpenOrderSchema);
  },
});

export const orderStatusSchema: z.ZodType<OrderStatusResponse> = z.union([
  z.object({
    status: z.literal("order"),
    order: z.object({
      order: frontendOpenOrderSchema,
      status: z.string(),
      statusTimestamp: uintSchema,
    }),
  }),
  z.object({ status: z.literal("unknownOid") }),
]);

/** `userAbstraction` answers a JSON string; kept open so a new mode is reported, not a decode failure. */
const userAbstractionSchema = z.string().min(1);

export function decodeClearinghouseState(value: unknown): DecodeResult<ClearinghouseState> {
  return decodeWith(clearinghouseStateSchema, "clearinghouseState", value);
}

export function decodeSpotClearinghouseState(value: unknown): DecodeResult<SpotClearinghouseState> {
  return decodeWith(spotClearinghouseStateSchema, "spotClearinghouseState", value);
}

export function decodeOpenOrders(value: unknown): DecodeResult<readonly OpenOrder[]> {
  return decodeWith(z.array(openOrderSchema), "openOrders", value);
}

export function decodeUserFills(value: unknown, subject = "userFills"): DecodeResult<readonly UserFill[]> {
  return decodeWith(z.array(userFillSchema), subject, value);
}

export function decodeUserFunding(value: unknown): DecodeResult<readonly UserFundingEntry[]> {
  return decodeWith(z.array(userFundingEntrySchema), "userFunding", value);
}

export function decodeOrderStatus(value: unknown): DecodeResult<OrderStatusResponse> {
  return decodeWith(orderStatusSchema, "orderStatus", value);
}

export function decodeUserAbstraction(value: unknown): DecodeResult<string> {
  return decodeWith(userAbstractionSchema, "userAbstraction", value);
}
