/**
 * Intents and events for the state-machine and journal tests: a perp-rich HYPE position (sell the perp,
 * buy spot; spot leg 0.5, perp leg 0.49 as the fee-aware hedge sizing gives), and helpers for follow-ups
 * and exchange reports.
 */

import type { Cloid, WireDecimal } from "../../hotpath/exchange/wire/brands.js";
import type { Intent, IntentAction, IntentId, IntentLeg } from "../../hotpath/execution/intent.js";
import type { OrderEvent } from "../../hotpath/execution/intentState.js";

export const BOOT_ID = "0f7c3b2a-9d4e-4c61-8b5a-2e9f1d3c4b5a";
export const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
export const PERP_ASSET = 159;
export const SPOT_ASSET = 10107;
/** Orders live this long (`expiresAfter − createdAtMs`). */
export const LIFETIME_MS = 5_000;

export function d(value: string): WireDecimal {
  return value as WireDecimal;
}

export function intentId(sequence: number, boot = BOOT_ID): IntentId {
  return `${boot}:${sequence}` as IntentId;
}

/** A deterministic cloid: `0x` + 16 hex of `prefix` + 16 hex of `n`. */
export function cloid(n: number, prefix = "00000000000000aa"): Cloid {
  return `0x${prefix}${n.toString(16).padStart(16, "0")}` as Cloid;
}

export function leg(overrides: Partial<IntentLeg> & Pick<IntentLeg, "cloid">): IntentLeg {
  return {
    market: "perp",
    asset: PERP_ASSET,
    side: "sell",
    limitPx: d("24.5"),
    size: d("0.49"),
    reduceOnly: false,
    tif: "Ioc",
    nonce: T0,
    expiresAfter: T0 + LIFETIME_MS,
    ...overrides,
  };
}

/** A perp-rich open: leg 0 sells 0.49 perp, leg 1 buys 0.5 spot, one action (shared nonce). */
export function openIntent(
  sequence: number,
  options: {
    perpCloid?: Cloid;
    spotCloid?: Cloid;
    positionId?: string;
    createdAtMs?: number;
    nonce?: number;
  } = {},
): Intent {
  const createdAtMs = options.createdAtMs ?? T0;
  const nonce = options.nonce ?? createdAtMs;
  const timing = { nonce, expiresAfter: createdAtMs + LIFETIME_MS };
  return {
    intentId: intentId(sequence),
    parentIntentId: null,
    bootId: BOOT_ID,
    edgeId: sequence,
    positionId: options.positionId ?? `pos-${sequence}`,
    coin: "HYPE",
    direction: "perpRich",
    action: "open",
    legs: [
      leg({ cloid: options.perpCloid ?? cloid(sequence * 10), ...timing }),
      leg({
        cloid: options.spotCloid ?? cloid(sequence * 10 + 1),
        market: "spot",
        asset: SPOT_ASSET,
        side: "buy",
        limitPx: d("24.6"),
        size: d("0.5"),
        ...timing,
      }),
    ],
    createdAtMs,
  };
}

/** A hedge or unwind of `root` with the given legs. */
export function followUpIntent(
  root: Intent,
  sequence: number,
  action: Extract<IntentAction, "hedge" | "unwind">,
  legs: readonly IntentLeg[],
  createdAtMs = root.createdAtMs + 100,
): Intent {
  return {
    ...root,
    intentId: intentId(sequence),
    parentIntentId: root.intentId,
    action,
    legs,
    createdAtMs,
  };
}

export function sent(atMs = T0 + 1): OrderEvent {
  return { type: "sent", atMs };
}

export function fill(
  tid: number,
  size: string,
  options: { px?: string; fee?: string; feeToken?: string; oid?: number; timeMs?: number } = {},
): OrderEvent {
  return {
    type: "fill",
    tid,
    oid: options.oid ?? 1000,
    px: d(options.px ?? "24.5"),
    size: d(size),
    fee: d(options.fee ?? "0.005"),
    feeToken: options.feeToken ?? "USDC",
    timeMs: options.timeMs ?? T0 + 10,
  };
}

export function filled(totalSize: string, options: { avgPx?: string; oid?: number } = {}): OrderEvent {
  return {
    type: "filled",
    oid: options.oid ?? 1000,
    totalSize: d(totalSize),
    avgPx: d(options.avgPx ?? "24.5"),
  };
}
