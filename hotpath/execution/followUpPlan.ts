/**
 * What to send when a root intent's legs did not fill alike (the state machine's `needsHedge`): pure, from
 * the intent's state, the current books and the strategy.
 *
 * 1. First a **hedge**: complete the lagging leg by the cumulative filled quantity of the other, so that
 *    the net base quantity of everything filled (perp + spot net of the base-token fees a spot buy pays)
 *    is flat again; a spot buy is grossed up by its fee. Below one lot of imbalance there is nothing to
 *    trade: the residual is accepted.
 * 2. If a hedge did not fill completely (or cannot be sent: below the minimum order value), **unwind**:
 *    flatten what the root and its follow-ups filled, leg by leg — a perp leg reduce-only when it takes off
 *    what an open put on, a spot buy sold back net of the fee it paid in the base token. A leg below one
 *    lot, or below the minimum order value when not reduce-only, cannot be traded and stays as a residual.
 * 3. A kill that asked to flatten goes straight to the unwind.
 *
 * Every follow-up is one IOC action priced in the forced-exit band (`forcedExitSlippageBps`) beyond the
 * deepest level it needs on the current book, rounded side-aware — the same placement `decide` uses for
 * unwinds. A book side that is empty cannot price a leg: the plan says to wait.
 */

import type { BookSide } from "../book/bookSide.js";
import type { LegScales } from "../book/scales.js";
import {
  abs,
  add,
  compare,
  type Decimal,
  divide,
  formatDecimal,
  fromScaledBigInt,
  isZero,
  mul,
  parseDecimal,
  roundToDecimals,
  sign,
  sub,
  toScaledBigInt,
} from "../exchange/decimal/decimal.js";
import { roundPrice, type GridSpec } from "../exchange/decimal/grid.js";
import { toScaledNumber } from "../exchange/decimal/scaled.js";
import type { WireDecimal } from "../exchange/wire/brands.js";
import type { MarketBooksView } from "../strategy/decide.js";
import { LimitPriceError } from "../strategy/errors.js";
import { LimitScratch, measureDepth, placeBuy, placeSell } from "../strategy/limitPrices.js";
import type { MarketStrategy } from "../strategy/strategyConfig.js";
import type { LegMarket, OrderSide } from "./intent.js";
import { netFilled, type IntentState } from "./intentState.js";

/** One order of a follow-up. */
export interface FollowUpLeg {
  readonly market: LegMarket;
  readonly side: OrderSide;
  readonly size: WireDecimal;
  readonly limitPx: WireDecimal;
  readonly reduceOnly: boolean;
}

export type FollowUpPlan =
  | {
      readonly kind: "order";
      readonly action: "hedge" | "unwind";
      readonly legs: readonly FollowUpLeg[];
      /** For the log: what is being completed or flattened. */
      readonly reason: string;
    }
  /** Nothing tradable is left: accept the residual with this reason (`IntentJournal.acceptResidual`). */
  | { readonly kind: "accept"; readonly reason: string }
  /** A leg cannot be priced now (an empty book side): try again later. */
  | { readonly kind: "wait"; readonly reason: string }
  /** The follow-ups allowed are used up: stop and say so (the operator takes over). */
  | { readonly kind: "giveUp"; readonly reason: string };

export interface FollowUpInput {
  /** A root in `needsHedge` with no follow-up in flight. */
  readonly state: IntentState;
  readonly books: MarketBooksView;
  readonly strategy: MarketStrategy;
  /** The spot leg's base token (the fee token of a spot buy), e.g. `HYPE`. */
  readonly baseToken: string;
  /** The spot taker fee rate, a fraction (`"0.0007"`): what a spot buy pays in the base token. */
  readonly spotTakerFee: WireDecimal;
  /** A kill asked to flatten: unwind at once. */
  readonly flatten: boolean;
  /** Follow-ups allowed per root. */
  readonly maxFollowUps: number;
}

const ZERO = parseDecimal("0");
const ONE = parseDecimal("1");
const MICRO_USDC_DECIMALS = 6;

export function planFollowUp(input: FollowUpInput): FollowUpPlan {
  const { state, maxFollowUps } = input;
  const attempts = state.followUps.length;
  if (attempts >= maxFollowUps) {
    return {
      kind: "giveUp",
      reason: `${attempts} follow-ups of ${state.intent.intentId} did not balance it; net filled ${describeNet(state)}`,
    };
  }
  if (!input.flatten && attempts === 0) {
    const hedge = planHedge(input);
    if (hedge !== null) return hedge;
  }
  return planUnwind(input);
}

function describeNet(state: IntentState): string {
  const net = netFilled(state);
  return `perp ${net.perp}, spot ${net.spot}`;
}

/**
 * Null when a hedge cannot be sent (then the caller unwinds). The imbalance is the net base quantity the
 * root and its follow-ups filled (perp + spot net of base-token fees): a buy is needed when it is short, a
 * sell when it is long, on the root leg that trades that way. A spot buy is grossed up by its fee (it pays
 * the fee in the base token) and rounded up to the lot; sells and perp buys round down, never overshooting.
 */
function planHedge(input: FollowUpInput): FollowUpPlan | null {
  const { state, strategy, baseToken } = input;
  const net = netFilled(state);
  const spotNet = sub(parseDecimal(net.spot), baseFees(state, baseToken));
  const delta = add(parseDecimal(net.perp), spotNet);
  const buy = sign(delta) < 0;
  const lagging = state.intent.legs.find((leg) => leg.side === (buy ? "buy" : "sell"));
  if (isZero(delta) || lagging === undefined) {
    return { kind: "accept", reason: `legs balanced at ${describeNet(state)}` };
  }
  const scales = lagging.market === "perp" ? strategy.scales.perp : strategy.scales.spot;
  let size = abs(delta);
  let rounding: "up" | "down" = "down";
  if (lagging.market === "spot" && buy) {
    size = divide(size, sub(ONE, parseDecimal(input.spotTakerFee)), scales.sizeDecimals + 8, "up");
    rounding = "up";
  }
  const lot = fromScaledBigInt(1n, scales.sizeDecimals);
  if (compare(abs(delta), lot) < 0) {
    return {
      kind: "accept",
      reason: `imbalance ${formatDecimal(delta)} below one lot at ${describeNet(state)}`,
    };
  }
  size = roundToDecimals(size, scales.sizeDecimals, rounding);
  const priced = priceLeg(input, lagging.market, lagging.side, size, lagging.reduceOnly);
  if (priced === "wait")
    return { kind: "wait", reason: `no ${lagging.market} ${lagging.side} side to hedge on` };
  if (priced === "belowMinimum") return null;
  return {
    kind: "order",
    action: "hedge",
    legs: [priced],
    reason: `net ${formatDecimal(delta)} at ${describeNet(state)}`,
  };
}

function planUnwind(input: FollowUpInput): FollowUpPlan {
  const { state, strategy, baseToken } = input;
  const net = netFilled(state);
  const legs: FollowUpLeg[] = [];
  const residual: string[] = [];
  let waiting = false;
  const perpNet = parseDecimal(net.perp);
  if (!isZero(perpNet)) {
    const side: OrderSide = sign(perpNet) > 0 ? "sell" : "buy";
    // Taking off what an open put on only ever reduces the perp position; undoing a close re-opens it.
    const reduceOnly = state.intent.action === "open";
    const size = roundToDecimals(abs(perpNet), strategy.scales.perp.sizeDecimals, "down");
    waiting = addUnwindLeg(input, legs, residual, "perp", side, size, reduceOnly) || waiting;
  }
  const spotNet = parseDecimal(net.spot);
  if (!isZero(spotNet)) {
    // What a spot buy delivered is its size less the fee it paid in the base token.
    const held = sign(spotNet) > 0 ? sub(spotNet, baseFees(state, baseToken)) : abs(spotNet);
    const size = roundToDecimals(held, strategy.scales.spot.sizeDecimals, "down");
    const side: OrderSide = sign(spotNet) > 0 ? "sell" : "buy";
    waiting = addUnwindLeg(input, legs, residual, "spot", side, size, false) || waiting;
  }
  if (waiting) return { kind: "wait", reason: `an empty book side to unwind on at ${describeNet(state)}` };
  if (legs.length === 0) {
    return {
      kind: "accept",
      reason: `nothing tradable left to unwind at ${describeNet(state)}${residual.length > 0 ? `: ${residual.join("; ")}` : ""}`,
    };
  }
  return {
    kind: "order",
    action: "unwind",
    legs,
    reason: `flatten ${describeNet(state)}${residual.length > 0 ? ` (left: ${residual.join("; ")})` : ""}`,
  };
}

/** Adds the leg to `legs`, or says in `residual` why it cannot be traded; true when its book side is empty. */
function addUnwindLeg(
  input: FollowUpInput,
  legs: FollowUpLeg[],
  residual: string[],
  market: LegMarket,
  side: OrderSide,
  size: Decimal,
  reduceOnly: boolean,
): boolean {
  const scales = market === "perp" ? input.strategy.scales.perp : input.strategy.scales.spot;
  if (compare(size, fromScaledBigInt(1n, scales.sizeDecimals)) < 0) {
    residual.push(`${market} ${formatDecimal(size)} below one lot`);
    return false;
  }
  const priced = priceLeg(input, market, side, size, reduceOnly);
  if (priced === "wait") return true;
  if (priced === "belowMinimum") {
    residual.push(`${market} ${formatDecimal(size)} below the minimum order value`);
    return false;
  }
  legs.push(priced);
  return false;
}

/** Base-token fees the root's and follow-ups' spot fills paid (spot buys pay in the base token). */
function baseFees(state: IntentState, baseToken: string): Decimal {
  let total = ZERO;
  for (const order of state.orders) {
    if (order.market !== "spot") continue;
    for (const fee of order.fills.fees) {
      if (fee.token === baseToken) total = add(total, parseDecimal(fee.amount));
    }
  }
  return total;
}

const scratch = new LimitScratch();

/**
 * The leg at the forced-exit band beyond the deepest level `size` needs on `market`'s book (the rest
 * priced at the deepest visible level, as for unwinds), or why it cannot be sent now.
 */
function priceLeg(
  input: FollowUpInput,
  market: LegMarket,
  side: OrderSide,
  size: Decimal,
  reduceOnly: boolean,
): FollowUpLeg | "wait" | "belowMinimum" {
  const { strategy, books } = input;
  const perp = market === "perp";
  const scales: LegScales = perp ? strategy.scales.perp : strategy.scales.spot;
  const grid: GridSpec = perp ? strategy.perpGrid : strategy.spotGrid;
  const book = perp ? books.perp : books.spot;
  const lots = Number(toScaledBigInt(size, scales.sizeDecimals));
  const selling = side === "sell";
  scratch.sellLots = selling ? lots : 0;
  scratch.buyLots = selling ? 0 : lots;
  const sellSide: BookSide = book.bids;
  const buySide: BookSide = book.asks;
  if (!measureDepth(sellSide, buySide, scratch, true)) return "wait";
  scratch.budgeted = false;
  scratch.band = strategy.forcedExitSlippage;
  if (!(selling ? placeSell(scratch, scales) : placeBuy(scratch, scales))) return "wait";
  const rawUnits = selling ? scratch.sellRawUnits : scratch.buyRawUnits;
  const limitPx = roundPrice(
    fromScaledBigInt(BigInt(rawUnits), scales.priceDecimals),
    grid,
    selling ? "up" : "down",
  );
  if (!reduceOnly) {
    const notional = mul(parseDecimal(limitPx), size);
    const minimum = fromScaledBigInt(BigInt(strategy.minOrderNotionalMicroUsdc), MICRO_USDC_DECIMALS);
    if (compare(notional, minimum) < 0) return "belowMinimum";
  }
  const limitUnits = selling ? scratch.sellLimitUnits : scratch.buyLimitUnits;
  if (toScaledNumber(limitPx, scales.priceDecimals) !== limitUnits) {
    throw new LimitPriceError(market, rawUnits, limitUnits, limitPx);
  }
  return { market, side, size: formatDecimal(size), limitPx, reduceOnly };
}
