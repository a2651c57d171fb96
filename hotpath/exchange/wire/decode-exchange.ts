/**
 * Validator for `/exchange` responses (and the `payload` of a WS `post` of type `action`).
 *
 * It checks the envelope (`status`, `response.type`) and every per-item status, because the bot reads the
 * execution result from them: an order's `resting`/`filled`/`error`, a cancel's `success`/`error`. Response
 * types other than `order`, `cancel` and `default` are rejected (no action we send produces one).
 */

import { z } from "zod";

import {
  cloidSchema,
  decodeWith,
  uintSchema,
  wireDecimalSchema,
  type DecodeResult,
} from "./decode-common.js";
import type { CancelStatus, ExchangeResponse, OrderPlacementStatus } from "./exchange.js";

const errorStatusSchema = z.object({ error: z.string() });

export const orderPlacementStatusSchema: z.ZodType<OrderPlacementStatus> = z.union(
  [
    z.object({ resting: z.object({ oid: uintSchema, cloid: cloidSchema.exactOptional() }) }),
    z.object({
      filled: z.object({
        totalSz: wireDecimalSchema,
        avgPx: wireDecimalSchema,
        oid: uintSchema,
        cloid: cloidSchema.exactOptional(),
      }),
    }),
    errorStatusSchema,
    z.literal("waitingForTrigger"),
    z.literal("waitingForFill"),
  ],
  { error: 'expected {"resting":…}, {"filled":…}, {"error":…}, "waitingForTrigger" or "waitingForFill"' },
);

export const cancelStatusSchema: z.ZodType<CancelStatus> = z.union(
  [z.literal("success"), errorStatusSchema],
  {
    error: 'expected "success" or {"error":…}',
  },
);

export const exchangeResponseSchema: z.ZodType<ExchangeResponse> = z.discriminatedUnion(
  "status",
  [
    z.object({ status: z.literal("err"), response: z.string() }),
    z.object({
      status: z.literal("ok"),
      response: z.discriminatedUnion(
        "type",
        [
          z.object({
            type: z.literal("order"),
            data: z.object({ statuses: z.array(orderPlacementStatusSchema) }),
          }),
          z.object({ type: z.literal("cancel"), data: z.object({ statuses: z.array(cancelStatusSchema) }) }),
          z.object({ type: z.literal("default") }),
        ],
        { error: 'expected response type "order", "cancel" or "default"' },
      ),
    }),
  ],
  { error: 'expected status "ok" or "err"' },
);

/** Validates a parsed `/exchange` response body. */
export function decodeExchangeResponse(value: unknown): DecodeResult<ExchangeResponse> {
  return decodeWith(exchangeResponseSchema, "exchange response", value);
}
