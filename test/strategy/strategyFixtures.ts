/**
 * Test set-up for the decision code: books from level text, the edge of a direction computed by the real
 * `computeEdge`, a permissive compiled strategy, and a decision context whose parts a test changes one at a
 * time. Plus exact arithmetic for checking doubles: `exactDecimal` turns a double into the exact decimal it
 * holds, so a condition the code evaluates in doubles can be checked without rounding.
 */

import { MarketBooks, type MarketBooksSpec } from "../../hotpath/book/marketBooks.js";
import { computeEdge } from "../../hotpath/edge/computeEdge.js";
import type { EdgeDirection } from "../../hotpath/edge/direction.js";
import { clipQtyOf, type EdgeParams } from "../../hotpath/edge/edgeParams.js";
import { EdgeScratch } from "../../hotpath/edge/edgeScratch.js";
import { feeRatesFromBps, type FeeRates } from "../../hotpath/edge/feeRates.js";
import { NO_RISK_CAP } from "../../hotpath/edge/riskCap.js";
import { fromScaledBigInt, neg, type Decimal } from "../../hotpath/exchange/decimal/decimal.js";
import type { DecisionContext } from "../../hotpath/strategy/decide.js";
import type { BalancesView } from "../../hotpath/strategy/orderPlan.js";
import { FLAT, MarketPosition, type PositionView } from "../../hotpath/strategy/position.js";
import { DEFAULT_RISK_LIMITS, type RiskLimits } from "../../hotpath/strategy/risk/riskLimits.js";
import { AccountRiskState, MarketRiskState } from "../../hotpath/strategy/risk/riskState.js";
import { utcDayOf } from "../../hotpath/strategy/risk/dailyLoss.js";
import {
  compileStrategy,
  DEFAULT_STRATEGY_CONFIG,
  type MarketStrategy,
  type StrategyConfig,
} from "../../hotpath/strategy/strategyConfig.js";
import { HYPE_SPEC, l2BookMessage, type LevelText } from "../book/bookMessages.js";

export const BASE_FEES: FeeRates = feeRatesFromBps({
  perpTaker: "4.5",
  perpMaker: "1.5",
  spotTaker: "7",
  spotMaker: "4",
});

/** 2026-11-24 12:00 UTC. */
export const NOW_MS = Date.UTC(2026, 10, 24, 12, 0, 0);

export interface BookText {
  readonly bids: readonly LevelText[];
  readonly asks: readonly LevelText[];
}

export function booksOf(perp: BookText, spot: BookText, spec: MarketBooksSpec = HYPE_SPEC): MarketBooks {
  const books = new MarketBooks(spec);
  const applied = [
    books.applyMessage(l2BookMessage(spec.perpCoin, 1, perp.bids, perp.asks), 1),
    books.applyMessage(l2BookMessage(spec.spotCoin, 1, spot.bids, spot.asks), 1),
  ];
  if (applied.some((result) => result !== "applied")) throw new Error(`books rejected: ${applied.join()}`);
  return books;
}

export function edgeParams(
  books: MarketBooks,
  change: Partial<EdgeParams> & { clip?: string } = {},
): EdgeParams {
  const { clip = "1", ...rest } = change;
  return {
    clipQty: clipQtyOf(clip, books.scales),
    fees: BASE_FEES,
    fundingRatePerHour: 0.0000125,
    holdingHours: 8,
    oraclePx: Number.NaN,
    riskCap: NO_RISK_CAP,
    ...rest,
  };
}

export function edgeOf(books: MarketBooks, params: EdgeParams, direction: EdgeDirection): EdgeScratch {
  const scratch = new EdgeScratch(direction);
  computeEdge(books.perp, books.spot, books.scales, params, direction, scratch);
  return scratch;
}

/** Limits nothing in the tests unless a test sets it. */
export const WIDE_LIMITS: RiskLimits = {
  ...DEFAULT_RISK_LIMITS,
  maxClip: "100000",
  maxPositionNotionalUsdc: "1000000000",
  maxOpenIntents: 10,
  ordersPerMinute: 1000,
  dailyLossLimitUsdc: "1000000",
  minLiquidationDistancePct: "20",
  coolDownAfterTradeMs: 1_000,
  coolDownAfterRejectionMs: 10_000,
};

export function strategyOf(
  books: MarketBooks,
  change: Partial<Omit<StrategyConfig, "limits">> & { limits?: Partial<RiskLimits> } = {},
): MarketStrategy {
  const { limits, ...rest } = change;
  return compileStrategy(
    {
      ...DEFAULT_STRATEGY_CONFIG,
      minOrderNotionalUsdc: "0.000001",
      ...rest,
      limits: { ...WIDE_LIMITS, ...limits },
    },
    books.scales,
  );
}

export const RICH_BALANCES: BalancesView = {
  spotUsdcMicro: 1e12,
  spotBaseQty: 1e12,
  perpWithdrawableMicro: 1e12,
};

/** A mutable context, so that a test changes the one part it is about. */
export interface TestContext {
  nowMs: number;
  books: MarketBooks;
  params: EdgeParams;
  breakerReasons: number;
  position: PositionView;
  market: MarketRiskState;
  account: AccountRiskState;
  balances: BalancesView;
}

export function contextOf(books: MarketBooks, params: EdgeParams, ordersPerMinute = 1000): TestContext {
  const account = new AccountRiskState(ordersPerMinute);
  account.dailyPnlUtcDay = utcDayOf(NOW_MS);
  const context: TestContext = {
    nowMs: NOW_MS,
    books,
    params,
    breakerReasons: 0,
    position: FLAT,
    market: new MarketRiskState(),
    account,
    balances: RICH_BALANCES,
  };
  return context satisfies DecisionContext;
}

export function positionOf(
  direction: EdgeDirection,
  perpLots: number,
  spotLots: number,
  openedAtMs: number = NOW_MS - 60_000,
): MarketPosition {
  const position = new MarketPosition();
  position.direction = direction;
  position.perpLots = perpLots;
  position.spotLots = spotLots;
  position.openedAtMs = openedAtMs;
  return position;
}

/** The exact value of a finite double, as a decimal (every double is a finite binary fraction). */
export function exactDecimal(value: number): Decimal {
  if (!Number.isFinite(value)) throw new RangeError(`not finite: ${value}`);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = exponentBits === 0 ? fraction : fraction | (1n << 52n);
  const exponent = exponentBits === 0 ? -1074 : exponentBits - 1075;
  // m × 2^e = m × 5^−e / 10^−e for e < 0.
  const magnitude =
    exponent >= 0
      ? fromScaledBigInt(mantissa << BigInt(exponent), 0)
      : fromScaledBigInt(mantissa * 5n ** BigInt(-exponent), -exponent);
  return bits >> 63n === 1n ? neg(magnitude) : magnitude;
}
