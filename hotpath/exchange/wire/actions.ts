/**
 * Typed shapes of the exchange actions we sign, and builders that emit them in canonical key order.
 *
 * Why builders: an L1 action's signature commits to the msgpack bytes of the action object, and msgpack
 * writes map keys in JS insertion order (PROTOCOL.md §5.10, §6.1). An object whose keys were written in a
 * different order, or which carries an `undefined` optional, hashes differently and the exchange answers
 * with a signature from some other "user". So every action object that will be signed is created here,
 * as a fresh literal whose keys are written in the documented order, optional fields omitted when absent.
 * Callers pass descriptive field names (`asset`, `isBuy`, …); the builders map them to the wire's
 * one-letter keys.
 *
 * Two families:
 * - `L1Action` (order, cancel, cancelByCloid, scheduleCancel, updateLeverage, noop): msgpack-hashed and
 *   signed as a phantom `Agent` (see `signing/l1.ts`), typically by an agent key.
 * - `UserSignedAction` (usdClassTransfer, approveAgent, usdSend, spotSend, withdraw3): signed as plain
 *   EIP-712 structs (see `signing/userSigned.ts`) by the master key; their JSON key order is irrelevant to
 *   the signature, but we keep the SDKs' order (type, signatureChainId, hyperliquidChain, fields…).
 *
 * Integers (assets, oids, times, leverage, nonces) are JS numbers checked to be non-negative safe integers:
 * a float would be msgpack-encoded as float64 and silently change the hash.
 */

import type { Address, Cloid, WireDecimal } from "./brands.js";

// ---------------------------------------------------------------------------------------------------------
// Errors

/** A builder was handed a value the exchange cannot accept (e.g. a fractional asset id). */
export class ActionBuildError extends Error {
  override readonly name = "ActionBuildError";
  constructor(
    readonly action: string,
    readonly field: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`${action}.${field} = ${String(value)}: ${reason}`);
  }
}

function checkUint(action: string, field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ActionBuildError(action, field, value, "must be a non-negative safe integer");
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------------
// L1 actions: wire shapes

/** Time in force of a limit order. `Alo` = post-only. */
export type Tif = "Gtc" | "Ioc" | "Alo";

export type LimitOrderTypeWire = { readonly limit: { readonly tif: Tif } };

export type TriggerOrderTypeWire = {
  readonly trigger: {
    readonly isMarket: boolean;
    readonly triggerPx: WireDecimal;
    readonly tpsl: "tp" | "sl";
  };
};

/** The `t` field of an order: limit with a time in force, or a TP/SL trigger. */
export type OrderTypeWire = LimitOrderTypeWire | TriggerOrderTypeWire;

/** One order as hashed and sent: keys `a, b, p, s, r, t, c?` in that order. */
export type OrderWire = {
  /** Asset id (perp index, or 10000 + spot pair index). */
  readonly a: number;
  /** Is buy. */
  readonly b: boolean;
  /** Limit price. */
  readonly p: WireDecimal;
  /** Size in base units. */
  readonly s: WireDecimal;
  /** Reduce-only. */
  readonly r: boolean;
  /** Order type. */
  readonly t: OrderTypeWire;
  /** Client order id. */
  readonly c?: Cloid;
};

export type Grouping = "na" | "normalTpsl" | "positionTpsl";

/** Builder-code fee: `b` builder address, `f` fee in tenths of a basis point. */
export type BuilderFeeWire = { readonly b: Address; readonly f: number };

export type OrderAction = {
  readonly type: "order";
  readonly orders: readonly OrderWire[];
  readonly grouping: Grouping;
  readonly builder?: BuilderFeeWire;
};

export type CancelWire = { readonly a: number; readonly o: number };
export type CancelAction = { readonly type: "cancel"; readonly cancels: readonly CancelWire[] };

export type CancelByCloidWire = { readonly asset: number; readonly cloid: Cloid };
export type CancelByCloidAction = {
  readonly type: "cancelByCloid";
  readonly cancels: readonly CancelByCloidWire[];
};

/** Dead man's switch; without `time` it clears a scheduled cancel. */
export type ScheduleCancelAction = { readonly type: "scheduleCancel"; readonly time?: number };

export type UpdateLeverageAction = {
  readonly type: "updateLeverage";
  readonly asset: number;
  readonly isCross: boolean;
  readonly leverage: number;
};

/** Only burns its nonce (used to kill an in-flight order by spending its nonce). */
export type NoopAction = { readonly type: "noop" };

export type L1Action =
  OrderAction | CancelAction | CancelByCloidAction | ScheduleCancelAction | UpdateLeverageAction | NoopAction;

// ---------------------------------------------------------------------------------------------------------
// L1 actions: builders

/** Order type as callers describe it; rebuilt in wire key order by `orderWire`. */
export type OrderTypeSpec =
  | { readonly limit: { readonly tif: Tif } }
  | {
      readonly trigger: {
        readonly isMarket: boolean;
        readonly triggerPx: WireDecimal;
        readonly tpsl: "tp" | "sl";
      };
    };

export type OrderSpec = {
  readonly asset: number;
  readonly isBuy: boolean;
  readonly price: WireDecimal;
  readonly size: WireDecimal;
  readonly reduceOnly: boolean;
  readonly orderType: OrderTypeSpec;
  readonly cloid?: Cloid | undefined;
};

function orderTypeWire(spec: OrderTypeSpec): OrderTypeWire {
  if ("limit" in spec) return { limit: { tif: spec.limit.tif } };
  const { isMarket, triggerPx, tpsl } = spec.trigger;
  return { trigger: { isMarket, triggerPx, tpsl } };
}

export function orderWire(spec: OrderSpec): OrderWire {
  const a = checkUint("order", "asset", spec.asset);
  const t = orderTypeWire(spec.orderType);
  if (spec.cloid === undefined) {
    return { a, b: spec.isBuy, p: spec.price, s: spec.size, r: spec.reduceOnly, t };
  }
  return { a, b: spec.isBuy, p: spec.price, s: spec.size, r: spec.reduceOnly, t, c: spec.cloid };
}

export function orderAction(params: {
  readonly orders: readonly OrderSpec[];
  readonly grouping?: Grouping | undefined;
  readonly builder?: { readonly address: Address; readonly feeTenthsBps: number } | undefined;
}): OrderAction {
  if (params.orders.length === 0) {
    throw new ActionBuildError("order", "orders", "[]", "an order action needs at least one order");
  }
  const orders = params.orders.map(orderWire);
  const grouping = params.grouping ?? "na";
  if (params.builder === undefined) return { type: "order", orders, grouping };
  const f = checkUint("order", "builder.f", params.builder.feeTenthsBps);
  return { type: "order", orders, grouping, builder: { b: params.builder.address, f } };
}

export function cancelAction(
  cancels: readonly { readonly asset: number; readonly oid: number }[],
): CancelAction {
  return {
    type: "cancel",
    cancels: cancels.map((c) => ({
      a: checkUint("cancel", "asset", c.asset),
      o: checkUint("cancel", "oid", c.oid),
    })),
  };
}

export function cancelByCloidAction(
  cancels: readonly { readonly asset: number; readonly cloid: Cloid }[],
): CancelByCloidAction {
  return {
    type: "cancelByCloid",
    cancels: cancels.map((c) => ({ asset: checkUint("cancelByCloid", "asset", c.asset), cloid: c.cloid })),
  };
}

/** `timeMs` undefined clears the scheduled cancel. */
export function scheduleCancelAction(timeMs?: number): ScheduleCancelAction {
  if (timeMs === undefined) return { type: "scheduleCancel" };
  return { type: "scheduleCancel", time: checkUint("scheduleCancel", "time", timeMs) };
}

export function updateLeverageAction(params: {
  readonly asset: number;
  readonly isCross: boolean;
  readonly leverage: number;
}): UpdateLeverageAction {
  return {
    type: "updateLeverage",
    asset: checkUint("updateLeverage", "asset", params.asset),
    isCross: params.isCross,
    leverage: checkUint("updateLeverage", "leverage", params.leverage),
  };
}

export function noopAction(): NoopAction {
  return { type: "noop" };
}

// ---------------------------------------------------------------------------------------------------------
// User-signed actions

/**
 * The EIP-712 chain id the wallet signs on, as the hex string sent in the action (`"0x66eee"`). It is not a
 * byte string (odd digit counts are normal), hence not a `Hex`.
 */
export type SignatureChainId = `0x${string}`;

/** Arbitrum Sepolia (421614), which the official Python SDK sends on both networks. */
export const DEFAULT_SIGNATURE_CHAIN_ID: SignatureChainId = "0x66eee";

export type HyperliquidChain = "Mainnet" | "Testnet";
export type Network = "mainnet" | "testnet";

export function hyperliquidChainOf(network: Network): HyperliquidChain {
  return network === "mainnet" ? "Mainnet" : "Testnet";
}

type UserSignedEnvelope = {
  readonly signatureChainId: SignatureChainId;
  readonly hyperliquidChain: HyperliquidChain;
};

/** USDC between spot and perp; `toPerp: true` moves spot → perp. `nonce` equals the request nonce. */
export type UsdClassTransferAction = { readonly type: "usdClassTransfer" } & UserSignedEnvelope & {
    readonly amount: string;
    readonly toPerp: boolean;
    readonly nonce: number;
  };

/** Approves an agent (API wallet). Unnamed when `agentName` is absent (it is then signed as `""`). */
export type ApproveAgentAction = { readonly type: "approveAgent" } & UserSignedEnvelope & {
    readonly agentAddress: Address;
    readonly agentName?: string;
    readonly nonce: number;
  };

export type UsdSendAction = { readonly type: "usdSend" } & UserSignedEnvelope & {
    readonly destination: Address;
    readonly amount: string;
    readonly time: number;
  };

/** `token` is `"NAME:tokenId"`, e.g. `"HYPE:0x0d01dc56dcaaca66ad901c959b4011ec"`. */
export type SpotSendAction = { readonly type: "spotSend" } & UserSignedEnvelope & {
    readonly destination: Address;
    readonly token: string;
    readonly amount: string;
    readonly time: number;
  };

export type WithdrawAction = { readonly type: "withdraw3" } & UserSignedEnvelope & {
    readonly destination: Address;
    readonly amount: string;
    readonly time: number;
  };

export type UserSignedAction =
  UsdClassTransferAction | ApproveAgentAction | UsdSendAction | SpotSendAction | WithdrawAction;

type UserSignedCommon = {
  readonly network: Network;
  readonly signatureChainId?: SignatureChainId | undefined;
};

function envelope(params: UserSignedCommon): UserSignedEnvelope {
  return {
    signatureChainId: params.signatureChainId ?? DEFAULT_SIGNATURE_CHAIN_ID,
    hyperliquidChain: hyperliquidChainOf(params.network),
  };
}

/**
 * `amount` is a USDC decimal string; for a sub-account append ` subaccount:0x…` (PROTOCOL.md §5.8), which
 * is why it is a plain string rather than a `WireDecimal`.
 */
export function usdClassTransferAction(
  params: UserSignedCommon & { readonly amount: string; readonly toPerp: boolean; readonly nonce: number },
): UsdClassTransferAction {
  const { signatureChainId, hyperliquidChain } = envelope(params);
  return {
    type: "usdClassTransfer",
    signatureChainId,
    hyperliquidChain,
    amount: params.amount,
    toPerp: params.toPerp,
    nonce: checkUint("usdClassTransfer", "nonce", params.nonce),
  };
}

export function approveAgentAction(
  params: UserSignedCommon & {
    readonly agentAddress: Address;
    readonly agentName?: string | undefined;
    readonly nonce: number;
  },
): ApproveAgentAction {
  const { signatureChainId, hyperliquidChain } = envelope(params);
  const nonce = checkUint("approveAgent", "nonce", params.nonce);
  const agentAddress = params.agentAddress;
  if (params.agentName === undefined || params.agentName === "") {
    return { type: "approveAgent", signatureChainId, hyperliquidChain, agentAddress, nonce };
  }
  return {
    type: "approveAgent",
    signatureChainId,
    hyperliquidChain,
    agentAddress,
    agentName: params.agentName,
    nonce,
  };
}

export function usdSendAction(
  params: UserSignedCommon & {
    readonly destination: Address;
    readonly amount: string;
    readonly time: number;
  },
): UsdSendAction {
  const { signatureChainId, hyperliquidChain } = envelope(params);
  return {
    type: "usdSend",
    signatureChainId,
    hyperliquidChain,
    destination: params.destination,
    amount: params.amount,
    time: checkUint("usdSend", "time", params.time),
  };
}

export function spotSendAction(
  params: UserSignedCommon & {
    readonly destination: Address;
    readonly token: string;
    readonly amount: string;
    readonly time: number;
  },
): SpotSendAction {
  const { signatureChainId, hyperliquidChain } = envelope(params);
  return {
    type: "spotSend",
    signatureChainId,
    hyperliquidChain,
    destination: params.destination,
    token: params.token,
    amount: params.amount,
    time: checkUint("spotSend", "time", params.time),
  };
}

export function withdrawAction(
  params: UserSignedCommon & {
    readonly destination: Address;
    readonly amount: string;
    readonly time: number;
  },
): WithdrawAction {
  const { signatureChainId, hyperliquidChain } = envelope(params);
  return {
    type: "withdraw3",
    signatureChainId,
    hyperliquidChain,
    destination: params.destination,
    amount: params.amount,
    time: checkUint("withdraw3", "time", params.time),
  };
}
