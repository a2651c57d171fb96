/**
 * Decoding of `/info` bodies: the request types the simulator answers (PROTOCOL §4 plus what CCXT and NK
 * ask at start-up: `exchangeStatus`, `perpDexs`) as one discriminated union.
 *
 * Unknown fields are dropped rather than refused (the exchange ignores them on info requests); a missing or
 * mistyped field, or an unknown `type`, fails the decode, which the exchange answers with HTTP 422. User
 * addresses are lower-cased by the wire layer's brand validators.
 */
import { z } from "zod";

import { addressSchema, cloidSchema, uintSchema } from "../../../hotpath/exchange/wire/decode-common.js";

const user = { user: addressSchema };
/** `dex: ""` (or absent) is the main perp dex. */
const dex = { dex: z.string().exactOptional() };
const timeRange = { startTime: uintSchema, endTime: uintSchema.nullable().exactOptional() };
const aggregateByTime = { aggregateByTime: z.boolean().exactOptional() };

/** `nSigFigs` / `mantissa` values the exchange accepts; anything else does not deserialize. */
const nSigFigsSchema = z.union([z.literal(2), z.literal(3), z.literal(4), z.literal(5)]);
const mantissaSchema = z.union([z.literal(1), z.literal(2), z.literal(5)]);

const infoRequestSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("meta"), ...dex }),
  z.object({ type: z.literal("spotMeta") }),
  z.object({ type: z.literal("metaAndAssetCtxs"), ...dex }),
  z.object({ type: z.literal("spotMetaAndAssetCtxs") }),
  z.object({ type: z.literal("perpDexs") }),
  z.object({ type: z.literal("exchangeStatus") }),
  z.object({
    type: z.literal("l2Book"),
    coin: z.string(),
    nSigFigs: nSigFigsSchema.nullable().exactOptional(),
    mantissa: mantissaSchema.nullable().exactOptional(),
  }),
  z.object({ type: z.literal("allMids"), ...dex }),
  z.object({ type: z.literal("fundingHistory"), coin: z.string(), ...timeRange }),
  z.object({ type: z.literal("clearinghouseState"), ...user, ...dex }),
  z.object({ type: z.literal("spotClearinghouseState"), ...user }),
  z.object({ type: z.literal("openOrders"), ...user, ...dex }),
  z.object({ type: z.literal("frontendOpenOrders"), ...user, ...dex }),
  z.object({ type: z.literal("orderStatus"), ...user, oid: z.union([uintSchema, cloidSchema]) }),
  z.object({ type: z.literal("userFills"), ...user, ...aggregateByTime }),
  z.object({ type: z.literal("userFillsByTime"), ...user, ...timeRange, ...aggregateByTime }),
  z.object({ type: z.literal("userFunding"), ...user, ...timeRange }),
  z.object({ type: z.literal("userFees"), ...user }),
  z.object({ type: z.literal("userRateLimit"), ...user }),
  z.object({ type: z.literal("userRole"), ...user }),
  z.object({ type: z.literal("userAbstraction"), ...user }),
  z.object({ type: z.literal("extraAgents"), ...user }),
]);

export type SimInfoRequest = z.infer<typeof infoRequestSchema>;
export type SimInfoRequestType = SimInfoRequest["type"];

/** The typed request, or `undefined` when the body does not deserialize (→ HTTP 422). */
export function decodeInfoRequest(body: unknown): SimInfoRequest | undefined {
  const parsed = infoRequestSchema.safeParse(body);
  return parsed.success ? parsed.data : undefined;
}
