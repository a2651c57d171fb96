/**
 * Decoding of `/exchange` bodies: the envelope `{action, nonce, signature, vaultAddress?, expiresAfter?}`
 * and the actions the simulator executes, into typed values; anything that does not deserialize is
 * `undefined`, which the exchange answers with HTTP 422 before looking at the signature.
 *
 * Strictness follows what the exchange was observed to do (a third-party testnet capture, riftresearch
 * hypercore-simulator notes): unknown envelope and action fields are refused, unknown fields inside an order
 * are ignored; prices and sizes must be plain non-negative decimal strings with at most 8 significant
 * decimals (`"40.10"` deserializes, `"4e1"`, `"-1"`, `40` and a non-zero 9th decimal do not).
 *
 * Actions the exchange has but the simulator does not model decode to `unmodelled`, so that the gateway can
 * say so instead of pretending the body was malformed.
 */
import { z } from "zod";

import type { L1ActionInput, ReceivedSignature } from "../../../hotpath/exchange/signing/index.js";
import type { Address, Cloid, WireDecimal } from "../../../hotpath/exchange/wire/brands.js";
import { addressSchema, cloidSchema, uintSchema } from "../../../hotpath/exchange/wire/decode-common.js";
import type {
  ApproveAgentAction,
  Grouping,
  Tif,
  UsdClassTransferAction,
} from "../../../hotpath/exchange/wire/actions.js";

// ---------------------------------------------------------------------------------------------------------
// Decoded shapes

export type OrderTypeDecoded =
  | { readonly kind: "limit"; readonly tif: Tif | "FrontendMarket" }
  | {
      readonly kind: "trigger";
      readonly isMarket: boolean;
      readonly triggerPx: WireDecimal;
      readonly tpsl: "tp" | "sl";
    };

export interface OrderDecoded {
  readonly asset: number;
  readonly isBuy: boolean;
  /** As sent (possibly with trailing zeros). */
  readonly price: WireDecimal;
  readonly size: WireDecimal;
  readonly reduceOnly: boolean;
  readonly orderType: OrderTypeDecoded;
  readonly cloid: Cloid | undefined;
}

export type L1ActionDecoded =
  | {
      readonly type: "order";
      readonly orders: readonly OrderDecoded[];
      /** A priority-fee grouping `{p}` is kept as `"priorityFee"` (not modelled). */
      readonly grouping: Grouping | "priorityFee";
      /**
       * Accepted and not charged: the simulator has no builder-fee approvals or fees (CCXT attaches its
       * builder code to every order once its approval request was answered at all).
       */
      readonly builder: { readonly address: Address; readonly feeTenthsBps: number } | undefined;
    }
  | { readonly type: "cancel"; readonly cancels: readonly { readonly asset: number; readonly oid: number }[] }
  | {
      readonly type: "cancelByCloid";
      readonly cancels: readonly { readonly asset: number; readonly cloid: Cloid }[];
    }
  | { readonly type: "scheduleCancel"; readonly time: number | undefined }
  | {
      readonly type: "updateLeverage";
      readonly asset: number;
      readonly isCross: boolean;
      readonly leverage: number;
    }
  | { readonly type: "noop" };

export type UserSignedActionDecoded = UsdClassTransferAction | ApproveAgentAction;

export type ActionDecoded =
  /** `sent` is the action object as parsed (key order kept), for hashing exactly as sent. */
  | { readonly family: "l1"; readonly action: L1ActionDecoded; readonly sent: L1ActionInput }
  | { readonly family: "userSigned"; readonly action: UserSignedActionDecoded }
  | { readonly family: "unmodelled"; readonly type: string };

/** An action the simulator executes (everything but `unmodelled`). */
export type ExecutableActionDecoded = Exclude<ActionDecoded, { readonly family: "unmodelled" }>;

export interface ExchangeRequestDecoded<A extends ActionDecoded = ActionDecoded> {
  readonly action: A;
  readonly nonce: number;
  readonly signature: ReceivedSignature;
  /** `null` on the wire means none. */
  readonly vaultAddress: Address | undefined;
  readonly expiresAfter: number | undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Schemas

const PLAIN_DECIMAL = /^(?:0|[1-9][0-9]*)(?:\.([0-9]+))?$/;
const MAX_WIRE_DECIMALS = 8;

/** A non-negative plain decimal string with at most 8 decimals once trailing zeros are dropped. */
const wireDecimal = z.string().refine((text) => {
  const match = PLAIN_DECIMAL.exec(text);
  return match !== null && (match[1] ?? "").replace(/0+$/, "").length <= MAX_WIRE_DECIMALS;
}) as unknown as z.ZodType<WireDecimal>;

/** `0x` + 1–64 hex digits: `r`/`s` as sent (the Python SDK drops leading zeros). */
const signatureWord = z.string().regex(/^0x[0-9a-fA-F]{1,64}$/);
const signatureSchema = z.strictObject({ r: signatureWord, s: signatureWord, v: z.int() });

const orderTypeSchema: z.ZodType<OrderTypeDecoded> = z.union([
  z
    .strictObject({ limit: z.strictObject({ tif: z.enum(["Gtc", "Ioc", "Alo", "FrontendMarket"]) }) })
    .transform(({ limit }) => ({ kind: "limit" as const, tif: limit.tif })),
  z
    .strictObject({
      trigger: z.strictObject({ isMarket: z.boolean(), triggerPx: wireDecimal, tpsl: z.enum(["tp", "sl"]) }),
    })
    .transform(({ trigger }) => ({ kind: "trigger" as const, ...trigger })),
]);

// Unknown fields inside an order are ignored by the exchange, hence `object`, not `strictObject`.
const orderSchema: z.ZodType<OrderDecoded> = z
  .object({
    a: uintSchema,
    b: z.boolean(),
    p: wireDecimal,
    s: wireDecimal,
    r: z.boolean(),
    t: orderTypeSchema,
    c: cloidSchema.exactOptional(),
  })
  .transform((order) => ({
    asset: order.a,
    isBuy: order.b,
    price: order.p,
    size: order.s,
    reduceOnly: order.r,
    orderType: order.t,
    cloid: order.c,
  }));

const groupingSchema = z.union([
  z.enum(["na", "normalTpsl", "positionTpsl"]),
  z.strictObject({ p: uintSchema }).transform(() => "priorityFee" as const),
]);

const l1ActionSchema: z.ZodType<L1ActionDecoded> = z.discriminatedUnion("type", [
  z
    .strictObject({
      type: z.literal("order"),
      orders: z.array(orderSchema),
      grouping: groupingSchema,
      builder: z.strictObject({ b: addressSchema, f: uintSchema }).exactOptional(),
    })
    .transform((action) => ({
      type: "order" as const,
      orders: action.orders,
      grouping: action.grouping,
      builder:
        action.builder === undefined
          ? undefined
          : { address: action.builder.b, feeTenthsBps: action.builder.f },
    })),
  z
    .strictObject({
      type: z.literal("cancel"),
      cancels: z.array(z.strictObject({ a: uintSchema, o: uintSchema })),
    })
    .transform((action) => ({
      type: "cancel" as const,
      cancels: action.cancels.map((cancel) => ({ asset: cancel.a, oid: cancel.o })),
    })),
  z.strictObject({
    type: z.literal("cancelByCloid"),
    cancels: z.array(z.strictObject({ asset: uintSchema, cloid: cloidSchema })),
  }),
  z
    .strictObject({ type: z.literal("scheduleCancel"), time: uintSchema.exactOptional() })
    .transform((action) => ({ type: "scheduleCancel" as const, time: action.time })),
  z.strictObject({
    type: z.literal("updateLeverage"),
    asset: uintSchema,
    isCross: z.boolean(),
    leverage: uintSchema,
  }),
  z.strictObject({ type: z.literal("noop") }),
]);

const signatureChainIdSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{1,64}$/) as unknown as z.ZodType<`0x${string}`>;
const hyperliquidChainSchema = z.enum(["Mainnet", "Testnet"]);

const userSignedActionSchema: z.ZodType<UserSignedActionDecoded> = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("usdClassTransfer"),
    signatureChainId: signatureChainIdSchema,
    hyperliquidChain: hyperliquidChainSchema,
    amount: z.string(),
    toPerp: z.boolean(),
    nonce: uintSchema,
  }),
  z
    .strictObject({
      type: z.literal("approveAgent"),
      signatureChainId: signatureChainIdSchema,
      hyperliquidChain: hyperliquidChainSchema,
      agentAddress: addressSchema,
      // Unnamed: absent (Python SDK) or null (NK); both are signed as "".
      agentName: z.string().nullable().exactOptional(),
      nonce: uintSchema,
    })
    .transform(({ agentName, ...action }): ApproveAgentAction =>
      agentName === undefined || agentName === null || agentName === "" ? action : { ...action, agentName },
    ),
]);

/** Exchange actions the simulator knows by name but does not execute. */
const UNMODELLED_ACTIONS: ReadonlySet<string> = new Set([
  "modify",
  "batchModify",
  "updateIsolatedMargin",
  "twapOrder",
  "twapCancel",
  "reserveRequestWeight",
  "setReferrer",
  "usdSend",
  "spotSend",
  "withdraw3",
  "sendAsset",
  "approveBuilderFee",
  "userSetAbstraction",
  "agentSetAbstraction",
  "agentSendAsset",
  "vaultTransfer",
  "subAccountTransfer",
  "subAccountSpotTransfer",
  "createSubAccount",
  "createVault",
]);

const envelopeSchema = z.strictObject({
  action: z.looseObject({ type: z.string() }),
  nonce: uintSchema,
  signature: signatureSchema,
  vaultAddress: addressSchema.nullable().exactOptional(),
  expiresAfter: uintSchema.nullable().exactOptional(),
});

// ---------------------------------------------------------------------------------------------------------
// Decoding

/** `sent` must be the client's own object: zod's output is a copy whose key order may differ. */
function decodeAction(sent: unknown, type: string): ActionDecoded | undefined {
  const l1 = l1ActionSchema.safeParse(sent);
  // Validated JSON is plain data (strings, booleans, safe integers): what the L1 hash encodes.
  if (l1.success) return { family: "l1", action: l1.data, sent: sent as L1ActionInput };
  const userSigned = userSignedActionSchema.safeParse(sent);
  if (userSigned.success) return { family: "userSigned", action: userSigned.data };
  if (UNMODELLED_ACTIONS.has(type)) return { family: "unmodelled", type };
  return undefined;
}

/** The typed request, or `undefined` when the body does not deserialize (→ HTTP 422). */
export function decodeExchangeRequest(body: unknown): ExchangeRequestDecoded | undefined {
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) return undefined;
  const action = decodeAction((body as { readonly action: unknown }).action, envelope.data.action.type);
  if (action === undefined) return undefined;
  return {
    action,
    nonce: envelope.data.nonce,
    signature: envelope.data.signature,
    vaultAddress: envelope.data.vaultAddress ?? undefined,
    expiresAfter: envelope.data.expiresAfter ?? undefined,
  };
}
