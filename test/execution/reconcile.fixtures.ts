/**
 * Pure-test material for reconciliation: the HYPE market as the registry resolves it, exchange fills and
 * funding entries, an account snapshot built field by field, and intent states driven through the real
 * state machine.
 */

import type { BasisMarket } from "../../hotpath/exchange/registry/market.js";
import type { Address, Cloid, Hex, WireDecimal } from "../../hotpath/exchange/wire/brands.js";
import type {
  AssetPosition,
  OpenOrder,
  UserFill,
  UserFundingEntry,
} from "../../hotpath/exchange/wire/info.js";
import type { Intent } from "../../hotpath/execution/intent.js";
import {
  initialIntentState,
  isIllegal,
  type IntentState,
  type OrderEvent,
  transition,
} from "../../hotpath/execution/intentState.js";
import type { AccountMode, AccountSnapshot } from "../../hotpath/execution/reconcile/accountSnapshot.js";
import { emptyBaseline, type InventoryBaseline } from "../../hotpath/execution/reconcile/inventory.js";
import { d, T0 } from "./intentState.fixtures.js";

export const ADDRESS = "0x00000000000000000000000000000000000000a1" as Address;

export const HYPE: BasisMarket = {
  coin: "HYPE",
  perp: { kind: "perp", coin: "HYPE", assetId: 159, szDecimals: 2, maxLeverage: 10 },
  spot: {
    kind: "spot",
    wsCoin: "@107",
    assetId: 10107,
    pairIndex: 107,
    pairName: "@107",
    szDecimals: 2,
    base: {
      index: 150,
      name: "HYPE",
      tokenId: "0x0d01dc56dcaaca66ad901c959b4011ec" as Hex,
      szDecimals: 2,
      weiDecimals: 8,
    },
    quote: {
      index: 0,
      name: "USDC",
      tokenId: "0x6d1e7cde53ba9467b783cb7c530ce054" as Hex,
      szDecimals: 8,
      weiDecimals: 8,
    },
  },
};
export const MARKETS: readonly BasisMarket[] = [HYPE];

/** A baseline holding `usdc` in the pool and `hype` spot, flat on the perp, windows opening at T0. */
export function baseline(usdc: string, hype: string, perp = "0"): InventoryBaseline {
  return { ...emptyBaseline(T0), tokens: { USDC: d(usdc), HYPE: d(hype) }, perp: { HYPE: d(perp) } };
}

let nextHash = 1;

export function exchangeFill(
  tid: number,
  overrides: Partial<UserFill> & Pick<UserFill, "coin" | "side" | "sz" | "px">,
): UserFill {
  const perp = overrides.coin === "HYPE";
  return {
    time: T0 + tid,
    startPosition: d("0"),
    dir: perp
      ? overrides.side === "B"
        ? "Open Long"
        : "Open Short"
      : overrides.side === "B"
        ? "Buy"
        : "Sell",
    closedPnl: d("0"),
    hash: `0x${(nextHash++).toString(16).padStart(64, "0")}` as Hex,
    oid: 5000 + tid,
    crossed: true,
    fee: d("0"),
    tid,
    feeToken: perp || overrides.side === "A" ? "USDC" : "HYPE",
    ...overrides,
  };
}

export function funding(time: number, usdc: string, coin = "HYPE"): UserFundingEntry {
  return {
    time,
    hash: `0x${"0".repeat(64)}` as Hex,
    delta: { type: "funding", coin, usdc: d(usdc), szi: d("-0.49"), fundingRate: d("0.0000125") },
  };
}

export function restingOrder(
  oid: number,
  cloid: Cloid | null,
  overrides: Partial<OpenOrder> = {},
): OpenOrder {
  return {
    coin: "HYPE",
    side: "B",
    limitPx: d("30"),
    sz: d("1"),
    oid,
    timestamp: T0,
    origSz: d("1"),
    ...(cloid === null ? {} : { cloid }),
    ...overrides,
  };
}

export interface SnapshotSpec {
  readonly mode?: AccountMode;
  /** `userAbstraction` as answered; default from `mode`. */
  readonly abstraction?: string;
  /** Perp positions by coin: signed size and unrealised PnL. */
  readonly perp?: Readonly<Record<string, { szi: string; upnl?: string; sinceOpen?: string }>>;
  /** Perp collateral (standard) — `accountValue` is this plus the unrealised PnL. */
  readonly perpCollateral?: string;
  readonly spotUsdc?: string;
  readonly spotHype?: string;
  readonly openOrders?: readonly OpenOrder[];
  readonly fills?: readonly UserFill[];
  readonly funding?: readonly UserFundingEntry[];
  readonly fillsSinceMs?: number;
}

/** A snapshot with the figures given and everything else neutral. */
export function snapshot(spec: SnapshotSpec = {}): AccountSnapshot {
  const mode = spec.mode ?? "standard";
  const abstraction = spec.abstraction ?? (mode === "standard" ? "disabled" : "unifiedAccount");
  const positions: AssetPosition[] = Object.entries(spec.perp ?? {}).map(([coin, position]) => ({
    type: "oneWay",
    position: {
      coin,
      szi: d(position.szi),
      leverage: { type: "cross", value: 10 },
      entryPx: d("40"),
      positionValue: d("20"),
      unrealizedPnl: d(position.upnl ?? "0"),
      returnOnEquity: d("0"),
      liquidationPx: d("80"),
      marginUsed: d("2"),
      maxLeverage: 10,
      cumFunding: { allTime: d("0"), sinceOpen: d(position.sinceOpen ?? "0"), sinceChange: d("0") },
    },
  }));
  let upnl = 0n;
  for (const position of Object.values(spec.perp ?? {}))
    upnl += BigInt(Math.round(Number(position.upnl ?? "0") * 1e8));
  const collateral = BigInt(Math.round(Number(spec.perpCollateral ?? "0") * 1e8));
  const accountValue = formatFixed(collateral + upnl);
  const summary = { accountValue, totalNtlPos: d("0"), totalRawUsd: accountValue, totalMarginUsed: d("0") };
  const fills = spec.fills ?? [];
  return {
    address: ADDRESS,
    abstraction,
    accountMode:
      abstraction === "disabled" ? "standard" : abstraction === "unifiedAccount" ? "unified" : null,
    exchangeTimeMs: T0 + 100_000,
    perp: {
      assetPositions: positions,
      marginSummary: summary,
      crossMarginSummary: summary,
      crossMaintenanceMarginUsed: d("0"),
      withdrawable: accountValue,
      time: T0 + 100_000,
    },
    spot: {
      balances: [
        { coin: "USDC", token: 0, total: d(spec.spotUsdc ?? "0"), hold: d("0"), entryNtl: d("0") },
        { coin: "HYPE", token: 150, total: d(spec.spotHype ?? "0"), hold: d("0"), entryNtl: d("0") },
      ],
    },
    openOrders: spec.openOrders ?? [],
    fills,
    fillsSinceMs: spec.fillsSinceMs ?? T0,
    funding: spec.funding ?? [],
    fundingSinceMs: T0,
    attempts: 1,
  };
}

/** 8-decimal fixed point → canonical decimal string (test figures are small, exact in a double × 1e8). */
function formatFixed(units: bigint): WireDecimal {
  const negative = units < 0n;
  const magnitude = negative ? -units : units;
  const whole = magnitude / 100_000_000n;
  const fraction = (magnitude % 100_000_000n).toString().padStart(8, "0").replace(/0+$/, "");
  const text = fraction === "" ? whole.toString() : `${whole}.${fraction}`;
  return d(negative && magnitude !== 0n ? `-${text}` : text);
}

/** Drives `intent` through `events` (by cloid) with the real state machine; an illegal event fails the test. */
export function intentState(intent: Intent, events: readonly (readonly [Cloid, OrderEvent])[]): IntentState {
  let state = initialIntentState(intent);
  for (const [cloid, event] of events) {
    const next = transition(state, { type: "order", cloid, event });
    if (isIllegal(next)) throw new Error(next.message);
    state = next;
  }
  return state;
}
