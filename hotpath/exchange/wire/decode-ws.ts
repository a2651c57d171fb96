/**
 * `decodeWsMessage`: one inbound WebSocket text frame → a typed `WsInboundMessage`, or a typed error.
 *
 * This is the correctness reference for inbound frames. It never throws: the greeting text, non-JSON, an
 * unknown channel and a payload of the wrong shape all come back as a `WsDecodeError` with a code, the
 * channel, the offending field and (for `post` replies) the post id, so the caller can fail the right
 * request and log something useful. The hot path will get a faster scanner that is differential-tested
 * against this decoder.
 */

import { z } from "zod";

import { addressSchema, firstIssue, hexSchema, uintSchema, wireDecimalSchema } from "./decode-common.js";
import { exchangeResponseSchema } from "./decode-exchange.js";
import {
  l2BookShape,
  l2LevelSchema,
  openOrderSchema,
  perpAssetCtxSchema,
  sideSchema,
  spotAssetCtxSchema,
  userFillSchema,
} from "./decode-info.js";
import { WS_GREETING } from "./ws.js";
import type {
  WsChannel,
  WsInboundMessage,
  WsInboundMessageOf,
  WsLiquidation,
  WsUserEvent,
  WsUserFunding,
} from "./ws.js";

export type WsDecodeErrorCode =
  /** The `Websocket connection established.` text some servers send on open. */
  | "greeting"
  /** Not parseable as JSON (e.g. truncated). */
  | "not_json"
  /** JSON, but not an object. */
  | "not_object"
  /** An object without a string `channel`. */
  | "missing_channel"
  /** A channel we do not model (e.g. `webData3`, `candle`). */
  | "unknown_channel"
  /** A known channel whose payload lacks or mistypes a field we rely on. */
  | "invalid_payload";

const EXCERPT_LENGTH = 200;

export class WsDecodeError extends Error {
  override readonly name = "WsDecodeError";
  /** The channel, when the frame named one. */
  readonly channel: string | undefined;
  /** Path of the first offending field, e.g. `data.levels[0][1].px`. */
  readonly field: string | undefined;
  /** The `id` of a `post` reply whose payload failed, so the caller can fail that request. */
  readonly postId: number | undefined;
  /** The start of the frame, for logs. */
  readonly excerpt: string;

  constructor(
    readonly code: WsDecodeErrorCode,
    readonly reason: string,
    frame: string,
    context: { readonly channel?: string; readonly field?: string; readonly postId?: number } = {},
  ) {
    const where = [
      context.channel === undefined ? undefined : `channel ${context.channel}`,
      context.field === undefined ? undefined : `field ${context.field}`,
    ].filter((part) => part !== undefined);
    super(`${code}${where.length > 0 ? ` (${where.join(", ")})` : ""}: ${reason}`);
    this.channel = context.channel;
    this.field = context.field;
    this.postId = context.postId;
    this.excerpt = frame.length > EXCERPT_LENGTH ? `${frame.slice(0, EXCERPT_LENGTH)}…` : frame;
  }
}

export type WsDecodeResult =
  | { readonly ok: true; readonly message: WsInboundMessage }
  | { readonly ok: false; readonly error: WsDecodeError };

// ---------------------------------------------------------------------------------------------------------
// Payload schemas

const fundingShape = {
  coin: z.string(),
  usdc: wireDecimalSchema,
  szi: wireDecimalSchema,
  fundingRate: wireDecimalSchema,
  nSamples: uintSchema.nullable().exactOptional(),
};

const userFundingSchema: z.ZodType<WsUserFunding> = z.object({
  ...fundingShape,
  time: uintSchema.exactOptional(),
});

const liquidationSchema: z.ZodType<WsLiquidation> = z.object({
  lid: uintSchema,
  liquidator: addressSchema,
  liquidated_user: addressSchema,
  liquidated_ntl_pos: wireDecimalSchema,
  liquidated_account_value: wireDecimalSchema,
});

const USER_EVENT_VARIANTS = ["fills", "funding", "liquidation", "nonUserCancel"] as const;

/**
 * `userEvents` variants are told apart by which key is present. A payload with none of the known keys
 * (e.g. NK's `twapHistory`) or several of them is an error rather than a guess.
 */
const userEventSchema: z.ZodType<WsUserEvent> = z
  .looseObject({
    fills: z.array(userFillSchema).exactOptional(),
    funding: userFundingSchema.exactOptional(),
    liquidation: liquidationSchema.exactOptional(),
    nonUserCancel: z.array(z.object({ coin: z.string(), oid: uintSchema })).exactOptional(),
  })
  .transform((event, ctx): WsUserEvent => {
    const present = USER_EVENT_VARIANTS.filter((key) => event[key] !== undefined);
    if (present.length === 1) {
      if (event.fills !== undefined) return { fills: event.fills };
      if (event.funding !== undefined) return { funding: event.funding };
      if (event.liquidation !== undefined) return { liquidation: event.liquidation };
      if (event.nonUserCancel !== undefined) return { nonUserCancel: event.nonUserCancel };
    }
    ctx.addIssue({
      code: "custom",
      message:
        present.length === 0
          ? `no known userEvents variant (${USER_EVENT_VARIANTS.join(", ")}); keys: ${Object.keys(event).join(", ") || "none"}`
          : `several userEvents variants in one payload: ${present.join(", ")}`,
    });
    return z.NEVER;
  });

/** One schema per channel, each validating the whole frame so that issue paths start at `data`. */
const channelSchemas: { readonly [C in WsChannel]: z.ZodType<WsInboundMessageOf<C>> } = {
  subscriptionResponse: z.object({
    channel: z.literal("subscriptionResponse"),
    data: z.object({
      method: z.enum(["subscribe", "unsubscribe"]),
      // Loose: the echo is normalised by the server and matched by subset.
      subscription: z.looseObject({ type: z.string() }),
    }),
  }),
  l2Book: z.object({
    channel: z.literal("l2Book"),
    data: z.object({ ...l2BookShape, fast: z.boolean().exactOptional() }),
  }),
  bbo: z.object({
    channel: z.literal("bbo"),
    data: z.object({
      coin: z.string(),
      time: uintSchema,
      bbo: z.tuple([l2LevelSchema.nullable(), l2LevelSchema.nullable()]),
    }),
  }),
  trades: z.object({
    channel: z.literal("trades"),
    data: z.array(
      z.object({
        coin: z.string(),
        side: sideSchema,
        px: wireDecimalSchema,
        sz: wireDecimalSchema,
        time: uintSchema,
        hash: hexSchema,
        tid: uintSchema,
        users: z.tuple([addressSchema, addressSchema]),
      }),
    ),
  }),
  orderUpdates: z.object({
    channel: z.literal("orderUpdates"),
    data: z.array(z.object({ order: openOrderSchema, status: z.string(), statusTimestamp: uintSchema })),
  }),
  userFills: z.object({
    channel: z.literal("userFills"),
    data: z.object({
      isSnapshot: z.boolean().exactOptional(),
      user: addressSchema,
      fills: z.array(userFillSchema),
    }),
  }),
  user: z.object({ channel: z.literal("user"), data: userEventSchema }),
  userFundings: z.object({
    channel: z.literal("userFundings"),
    data: z.object({
      isSnapshot: z.boolean().exactOptional(),
      user: addressSchema,
      fundings: z.array(z.object({ ...fundingShape, time: uintSchema })),
    }),
  }),
  activeAssetCtx: z.object({
    channel: z.literal("activeAssetCtx"),
    data: z.object({ coin: z.string(), ctx: perpAssetCtxSchema }),
  }),
  activeSpotAssetCtx: z.object({
    channel: z.literal("activeSpotAssetCtx"),
    data: z.object({ coin: z.string(), ctx: spotAssetCtxSchema }),
  }),
  allMids: z.object({
    channel: z.literal("allMids"),
    data: z.object({ mids: z.record(z.string(), wireDecimalSchema), dex: z.string().exactOptional() }),
  }),
  post: z.object({
    channel: z.literal("post"),
    data: z.object({
      id: uintSchema,
      response: z.discriminatedUnion(
        "type",
        [
          z.object({
            type: z.literal("info"),
            // `data` is validated by the caller, which knows which request this answers.
            payload: z.object({ type: z.string(), data: z.unknown() }),
          }),
          z.object({ type: z.literal("action"), payload: exchangeResponseSchema }),
          z.object({ type: z.literal("error"), payload: z.string() }),
        ],
        { error: 'expected response type "info", "action" or "error"' },
      ),
    }),
  }),
  pong: z.object({ channel: z.literal("pong") }),
  error: z.object({ channel: z.literal("error"), data: z.string() }),
};

function isKnownChannel(channel: string): channel is WsChannel {
  return Object.hasOwn(channelSchemas, channel);
}

/** The `id` of a `post` reply, read without trusting the rest of the frame. */
function readPostId(frame: Record<string, unknown>): number | undefined {
  const data = frame["data"];
  if (typeof data !== "object" || data === null) return undefined;
  const id = (data as Record<string, unknown>)["id"];
  return typeof id === "number" && Number.isSafeInteger(id) ? id : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Entry points

/** Decodes one inbound text frame. Never throws. */
export function decodeWsMessage(text: string): WsDecodeResult {
  if (text === WS_GREETING) {
    return fail(new WsDecodeError("greeting", "connection greeting, not a message", text));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return fail(new WsDecodeError("not_json", `not JSON: ${detail}`, text));
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    const kind = parsed === null ? "null" : Array.isArray(parsed) ? "an array" : typeof parsed;
    return fail(new WsDecodeError("not_object", `expected a JSON object, got ${kind}`, text));
  }
  const frame = parsed as Record<string, unknown>;
  const channel = frame["channel"];
  if (typeof channel !== "string") {
    return fail(new WsDecodeError("missing_channel", "no string `channel` field", text));
  }
  if (!isKnownChannel(channel)) {
    return fail(
      new WsDecodeError("unknown_channel", `unknown channel ${JSON.stringify(channel)}`, text, { channel }),
    );
  }
  const result = channelSchemas[channel].safeParse(frame);
  if (result.success) return { ok: true, message: result.data };
  const { field, reason } = firstIssue(result.error);
  const postId = channel === "post" ? readPostId(frame) : undefined;
  return fail(
    new WsDecodeError("invalid_payload", reason, text, {
      channel,
      field,
      ...(postId === undefined ? {} : { postId }),
    }),
  );
}

function fail(error: WsDecodeError): WsDecodeResult {
  return { ok: false, error };
}

/** The post id at the end of an `error`-channel text such as `too many pending post requests id=1234`. */
export function postIdOfWsError(text: string): number | undefined {
  const match = /\bid=(\d+)$/.exec(text);
  if (match?.[1] === undefined) return undefined;
  const id = Number(match[1]);
  return Number.isSafeInteger(id) ? id : undefined;
}
