/**
 * What the executor keeps per market, preallocated at start-up and updated in place: the decision context
 * `decide` reads on every frame (no allocation on the skip path), the position view, the market's risk
 * state, the balances an order may use, the current position id and the root intent in flight.
 *
 * The position view is derived from the trade ledger's holdings (the bot's own fills) whenever an intent
 * resolves: direction from the perp leg's sign (short perp = perp-rich), lots per leg as magnitudes, the spot
 * leg net of the base-token fees spot buys pay, truncated to the lot (`strategy/position.ts`).
 */

import type { MarketBooks } from "../book/marketBooks.js";
import type { MarketScales } from "../book/scales.js";
import type { EdgeDirection } from "../edge/direction.js";
import type { EdgeParams } from "../edge/edgeParams.js";
import { abs, parseDecimal, roundToDecimals, sign, toScaledBigInt } from "../exchange/decimal/decimal.js";
import type { BasisMarket } from "../exchange/registry/market.js";
import type { MarketFeed } from "../feed/marketFeed.js";
import type { DecisionContext } from "../strategy/decide.js";
import type { BalancesView } from "../strategy/orderPlan.js";
import { MarketPosition } from "../strategy/position.js";
import { type AccountRiskState, MarketRiskState } from "../strategy/risk/riskState.js";
import type { MarketStrategy } from "../strategy/strategyConfig.js";
import type { IntentId } from "./intent.js";
import type { OrderState } from "./intentState.js";
import type { MarketHoldings } from "./tradeLedger.js";
import type { UserFill } from "../exchange/wire/info.js";

/** Micro-USDC per USDC: the unit of the balances `decide` checks. */
export const MICRO = 1_000_000;

/** Account-wide balances (USDC is shared by every market). Numbers for the per-frame checks, not money. */
export class AccountBalances {
  spotUsdcMicro = Number.NaN;
  perpWithdrawableMicro = Number.NaN;
  constructor(spotUsdcMicro: number, perpWithdrawableMicro: number) {
    this.spotUsdcMicro = spotUsdcMicro;
    this.perpWithdrawableMicro = perpWithdrawableMicro;
  }
}

/** One market's view of the balances: the shared USDC and this market's base token. */
export class MarketBalances implements BalancesView {
  spotBaseQty = Number.NaN;
  constructor(
    private readonly account: AccountBalances,
    spotBaseQty: number,
  ) {
    this.spotBaseQty = spotBaseQty;
  }
  get spotUsdcMicro(): number {
    return this.account.spotUsdcMicro;
  }
  get perpWithdrawableMicro(): number {
    return this.account.perpWithdrawableMicro;
  }
}

/** The mutable `DecisionContext` of one market; the executor writes `nowMs`, `params` and `breakerReasons` per frame. */
export class MarketDecisionContext implements DecisionContext {
  nowMs = Number.NaN;
  params: EdgeParams;
  breakerReasons = 0;
  constructor(
    readonly books: MarketBooks,
    readonly position: MarketPosition,
    readonly market: MarketRiskState,
    readonly account: AccountRiskState,
    readonly balances: MarketBalances,
    params: EdgeParams,
  ) {
    this.params = params;
    this.nowMs = 0;
  }
}

export class ExecutionMarket {
  readonly coin: string;
  readonly scales: MarketScales;
  readonly position = new MarketPosition();
  readonly risk = new MarketRiskState();
  readonly context: MarketDecisionContext;
  strategy: MarketStrategy;
  /** The position the next close or add belongs to; null when flat. */
  positionId: string | null = null;
  /** The root intent of this market that is unresolved; null when none. */
  inFlightRoot: IntentId | null = null;
  /**
   * The liquidation distance was reported for the perp position the view holds now
   * (`Executor.setLiquidationDistance`); else it is unknown while a perp is held.
   */
  liquidationKnown = false;
  /** Edge net bps of the open that started the current position (for the record). */
  entryNetBps = Number.NaN;
  /** Monotonic ms the current frame arrived at, and the executor's sink was entered for it. */
  receivedAtMs = Number.NaN;
  sinkAtMs = Number.NaN;

  constructor(
    readonly feed: MarketFeed,
    readonly market: BasisMarket,
    strategy: MarketStrategy,
    account: AccountRiskState,
    readonly balances: MarketBalances,
  ) {
    this.coin = market.coin;
    this.scales = feed.books.scales;
    this.strategy = strategy;
    this.context = new MarketDecisionContext(
      feed.books,
      this.position,
      this.risk,
      account,
      balances,
      feed.edges.params,
    );
    this.receivedAtMs = 0;
    this.sinkAtMs = 0;
  }

  /** Mid of the perp book, USDC; NaN when a side is empty. */
  perpMid(): number {
    const perp = this.feed.books.perp;
    return (perp.bids.bestPrice() + perp.asks.bestPrice()) / 2 / perp.scales.priceScale;
  }
}

/** Whole lots of `|value|` (base units) on a leg with `sizeDecimals`, truncated. */
/** |value| in whole lots of `sizeDecimals` (rounded down). */
export function lotsOf(value: string, sizeDecimals: number): number {
  const magnitude = roundToDecimals(abs(parseDecimal(value)), sizeDecimals, "down");
  return Number(toScaledBigInt(magnitude, sizeDecimals));
}

/** The position view's direction and sizes from what the market's fills hold. */
export function positionOfHoldings(
  holdings: MarketHoldings,
  scales: MarketScales,
): { direction: EdgeDirection | null; perpLots: number; spotLots: number } {
  const perpLots = lotsOf(holdings.perpQty, scales.perp.sizeDecimals);
  const spotLots = lotsOf(holdings.spotNetQty, scales.spot.sizeDecimals);
  if (perpLots === 0 && spotLots === 0) return { direction: null, perpLots: 0, spotLots: 0 };
  const perpSign = sign(parseDecimal(holdings.perpQty));
  // Short perp (or, with no perp left, long spot) is the perp-rich side of the basis.
  const perpRich = perpSign !== 0 ? perpSign < 0 : sign(parseDecimal(holdings.spotNetQty)) > 0;
  return { direction: perpRich ? "perpRich" : "spotRich", perpLots, spotLots };
}

/**
 * Balances move with the bot's fills until the next account poll replaces them: exact for spot, the perp's
 * margin approximated as `notional / leverage` (free margin also moves with the mark, which only the poll sees).
 */
export function applyFillToBalances(
  account: AccountBalances,
  market: ExecutionMarket,
  order: OrderState,
  fill: UserFill,
): void {
  const notional = Number(fill.px) * Number(fill.sz);
  const fee = Number(fill.fee);
  const balances = market.balances;
  const scales = market.scales;
  if (order.market === "spot") {
    const qtyScale = 10 ** scales.qtyDecimals;
    if (order.side === "buy") {
      account.spotUsdcMicro -= notional * MICRO;
      balances.spotBaseQty += (Number(fill.sz) - (fill.feeToken === "USDC" ? 0 : fee)) * qtyScale;
    } else {
      account.spotUsdcMicro += (notional - fee) * MICRO;
      balances.spotBaseQty -= Number(fill.sz) * qtyScale;
    }
    return;
  }
  const margin = notional / market.strategy.perpLeverage;
  const increases = fill.dir.startsWith("Open");
  account.perpWithdrawableMicro += (increases ? -margin - fee : margin - fee) * MICRO;
}
