/**
 * Validators for the `/info` responses read at start-up (`meta`, `spotMeta`, and their `…AndAssetCtxs`
 * forms), and the schemas of the shapes the WebSocket feeds share with `/info` (levels, books, fills, open
 * orders, asset contexts).
 *
 * Strict where the bot relies on a field (names, indices, decimals, prices), lenient where a server version
 * may omit or extend one (optional fields, open string enums), so that a harmless API change does not stop
 * start-up while a changed id or decimal count does, with an error naming the field.
 */

import { z } from "zod";

import {
  addressSchema,
  cloidSchema,
  decodeWith,
  hexSchema,
  uintSchema,
  wireDecimalSchema,
  type DecodeResult,
} from "./decode-common.js";
import type {
  L2Book,
  L2Level,
  Meta,
  MetaAndAssetCtxs,
  OpenOrder,
  PerpAssetCtx,
  SpotAssetCtx,
  SpotMeta,
  SpotMetaAndAssetCtxs,
  UserFill,
  WireSide,
} from "./info.js";

// ---------------------------------------------------------------------------------------------------------
// Shared shapes

export const sideSchema: z.ZodType<WireSide> = z.enum(["B", "A"]);

export const l2LevelSchema: z.ZodType<L2Level> = z.object({
  px: wireDecimalSchema,
  sz: wireDecimalSchema,
  n: uintSchema,
});

export const l2BookShape = {
  coin: z.string(),
  time: uintSchema,
  levels: z.tuple([z.array(l2LevelSchema), z.array(l2LevelSchema)]),
  spread: wireDecimalSchema.exactOptional(),
};

export const l2BookSchema: z.ZodType<L2Book> = z.object(l2BookShape);

export const perpAssetCtxSchema: z.ZodType<PerpAssetCtx> = z.object({
  dayNtlVlm: wireDecimalSchema,
  funding: wireDecimalSchema,
  impactPxs: z.tuple([wireDecimalSchema, wireDecimalSchema]).nullable(),
  markPx: wireDecimalSchema,
  midPx: wireDecimalSchema.nullable(),
  openInterest: wireDecimalSchema,
  oraclePx: wireDecimalSchema,
  premium: wireDecimalSchema.nullable(),
  prevDayPx: wireDecimalSchema,
  dayBaseVlm: wireDecimalSchema.exactOptional(),
});

export const spotAssetCtxSchema: z.ZodType<SpotAssetCtx> = z.object({
  coin: z.string(),
  dayNtlVlm: wireDecimalSchema,
  markPx: wireDecimalSchema,
  midPx: wireDecimalSchema.nullable(),
  prevDayPx: wireDecimalSchema,
  circulatingSupply: wireDecimalSchema,
  totalSupply: wireDecimalSchema,
  dayBaseVlm: wireDecimalSchema,
});

export const openOrderSchema: z.ZodType<OpenOrder> = z.object({
  coin: z.string(),
  side: sideSchema,
  limitPx: wireDecimalSchema,
  sz: wireDecimalSchema,
  oid: uintSchema,
  timestamp: uintSchema,
  origSz: wireDecimalSchema,
  cloid: cloidSchema.nullable().exactOptional(),
  reduceOnly: z.boolean().exactOptional(),
});

export const userFillSchema: z.ZodType<UserFill> = z.object({
  coin: z.string(),
  px: wireDecimalSchema,
  sz: wireDecimalSchema,
  side: sideSchema,
  time: uintSchema,
  startPosition: wireDecimalSchema,
  dir: z.string(),
  closedPnl: wireDecimalSchema,
  hash: hexSchema,
  oid: uintSchema,
  crossed: z.boolean(),
  fee: wireDecimalSchema,
  tid: uintSchema,
  feeToken: z.string(),
  builderFee: wireDecimalSchema.exactOptional(),
  cloid: cloidSchema.nullable().exactOptional(),
  liquidation: z
    .object({ liquidatedUser: addressSchema, markPx: wireDecimalSchema, method: z.string() })
    .exactOptional(),
  twapId: uintSchema.nullable().exactOptional(),
});

// ---------------------------------------------------------------------------------------------------------
// meta / spotMeta

const nonEmptyName = z.string().min(1, "expected a non-empty name");

export const metaSchema: z.ZodType<Meta> = z.object({
  universe: z.array(
    z.object({
      szDecimals: uintSchema,
      name: nonEmptyName,
      maxLeverage: z.int().positive(),
      marginTableId: uintSchema.exactOptional(),
      onlyIsolated: z.boolean().exactOptional(),
      isDelisted: z.boolean().exactOptional(),
      marginMode: z.string().exactOptional(),
      growthMode: z.string().exactOptional(),
      lastGrowthModeChangeTime: z.string().exactOptional(),
    }),
  ),
  marginTables: z
    .array(
      z.tuple([
        uintSchema,
        z.object({
          description: z.string(),
          marginTiers: z.array(z.object({ lowerBound: wireDecimalSchema, maxLeverage: z.int().positive() })),
        }),
      ]),
    )
    .exactOptional(),
  collateralToken: uintSchema.exactOptional(),
});

export const spotMetaSchema: z.ZodType<SpotMeta> = z.object({
  tokens: z.array(
    z.object({
      name: nonEmptyName,
      szDecimals: uintSchema,
      weiDecimals: uintSchema,
      index: uintSchema,
      tokenId: hexSchema,
      isCanonical: z.boolean(),
      evmContract: z.object({ address: addressSchema, evm_extra_wei_decimals: z.int() }).nullable(),
      fullName: z.string().nullable(),
      deployerTradingFeeShare: wireDecimalSchema.exactOptional(),
    }),
  ),
  universe: z.array(
    z.object({
      tokens: z.tuple([uintSchema, uintSchema]),
      name: nonEmptyName,
      index: uintSchema,
      isCanonical: z.boolean(),
    }),
  ),
});

/** Contexts are matched to perps by position, so a length mismatch would misattribute funding and marks. */
export const metaAndAssetCtxsSchema: z.ZodType<MetaAndAssetCtxs> = z
  .tuple([metaSchema, z.array(perpAssetCtxSchema)])
  .refine(([meta, ctxs]) => meta.universe.length === ctxs.length, {
    message: "expected one asset context per universe entry",
    path: [1],
  });

export const spotMetaAndAssetCtxsSchema: z.ZodType<SpotMetaAndAssetCtxs> = z.tuple([
  spotMetaSchema,
  z.array(spotAssetCtxSchema),
]);

/** Validates a parsed `{"type":"meta"}` response. */
export function decodeMeta(value: unknown): DecodeResult<Meta> {
  return decodeWith(metaSchema, "meta", value);
}

/** Validates a parsed `{"type":"spotMeta"}` response. */
export function decodeSpotMeta(value: unknown): DecodeResult<SpotMeta> {
  return decodeWith(spotMetaSchema, "spotMeta", value);
}

/** Validates a parsed `{"type":"metaAndAssetCtxs"}` response (`ctxs[i]` belongs to `universe[i]`). */
export function decodeMetaAndAssetCtxs(value: unknown): DecodeResult<MetaAndAssetCtxs> {
  return decodeWith(metaAndAssetCtxsSchema, "metaAndAssetCtxs", value);
}

/** Validates a parsed `{"type":"spotMetaAndAssetCtxs"}` response. */
export function decodeSpotMetaAndAssetCtxs(value: unknown): DecodeResult<SpotMetaAndAssetCtxs> {
  return decodeWith(spotMetaAndAssetCtxsSchema, "spotMetaAndAssetCtxs", value);
}
