/**
 * The risk state the decision reads: account-wide (kill switch, pause, unknown order outcomes, open
 * intents, the order rate, the day's PnL) and per market (an intent in flight, cool-down stamps, the perp
 * liquidation distance). The executor and the accounting own and update it (single writer, the hot path's
 * event loop); `decide` only reads it through the `*View` interfaces, so tests can pass plain objects.
 *
 * Times are wall-clock epoch ms, the clock `decide` is given. Numeric fields start as doubles for the reason
 * given in `book/legBook.ts`.
 */

import { OrderRateWindow, type OrderRateView } from "./orderRateWindow.js";

/**
 * The time of a decision, wall-clock epoch ms (one `Date.now()` per frame). Times reach the checks inside an
 * object rather than as a number argument: an epoch time is outside the small-integer range, and V8 boxes
 * such a double whenever it crosses a call it did not inline (see `edge/bookWalk.ts`).
 */
export interface Clock {
  readonly nowMs: number;
}

export interface AccountRiskView {
  /** The kill switch was acknowledged: no order at all, except the flatten it may ask for. */
  readonly killed: boolean;
  /** The kill asked to flatten both legs of every held position. */
  readonly flattenOnKill: boolean;
  /** Paused (control API): no new risk; closes and unwinds continue. */
  readonly paused: boolean;
  /** Some order's outcome is unknown (a lost or timed-out response being probed): no order at all. */
  readonly outcomeUnknown: boolean;
  /** Intents sent and not yet resolved, over all markets. */
  readonly openIntents: number;
  readonly orders: OrderRateView;
  /** The day's PnL, micro-USDC, fees and funding included; negative = loss. */
  readonly dailyPnlMicroUsdc: number;
  /** UTC day (`utcDayOf`) `dailyPnlMicroUsdc` belongs to. */
  readonly dailyPnlUtcDay: number;
}

export class AccountRiskState implements AccountRiskView {
  killed = false;
  flattenOnKill = false;
  paused = false;
  outcomeUnknown = false;
  openIntents = 0;
  readonly orders: OrderRateWindow;
  dailyPnlMicroUsdc = Number.NaN;
  dailyPnlUtcDay = Number.NaN;

  /** `ordersPerMinute`: the window only needs to count up to the limit. */
  constructor(ordersPerMinute: number) {
    this.orders = new OrderRateWindow(ordersPerMinute);
    this.dailyPnlMicroUsdc = 0;
  }
}

export interface MarketRiskView {
  /** An intent of this market is sent and unresolved: nothing more for it until it resolves. */
  readonly intentInFlight: boolean;
  /** Epoch ms of the market's last trade (an intent that filled); −∞ for none. */
  readonly lastTradeAtMs: number;
  /** Epoch ms of the market's last rejected order; −∞ for none. */
  readonly lastRejectionAtMs: number;
  /**
   * Distance of the perp liquidation price from the mark, in % of the mark; +∞ when there is none (no perp
   * position). NaN = not known, which blocks new risk (fail closed) but unwinds nothing.
   */
  readonly liquidationDistancePct: number;
}

export class MarketRiskState implements MarketRiskView {
  intentInFlight = false;
  lastTradeAtMs = Number.NEGATIVE_INFINITY;
  lastRejectionAtMs = Number.NEGATIVE_INFINITY;
  liquidationDistancePct = Number.POSITIVE_INFINITY;
}
