/**
 * The sign conventions of a basis position, in one place: which leg buys and which sells when a direction
 * is entered or exited. Every verdict `decide` builds takes its sides from here, and a table test pins them,
 * so a reversed direction cannot ship.
 *
 * The rule: the rich leg is sold on entry and bought back on exit; the cheap leg the opposite.
 *
 * | direction  | action | perp | spot |
 * | ---------- | ------ | ---- | ---- |
 * | `perpRich` | enter  | sell | buy  |
 * | `perpRich` | exit   | buy  | sell |
 * | `spotRich` | enter  | buy  | sell |
 * | `spotRich` | exit   | sell | buy  |
 *
 * A sell takes liquidity from the bids, a buy from the asks. The perp leg of an exit is reduce-only.
 */

import type { BookSide } from "../book/bookSide.js";
import type { BookView } from "../edge/computeEdge.js";
import type { EdgeDirection } from "../edge/direction.js";

export type LegMarket = "perp" | "spot";
export type OrderSide = "buy" | "sell";
/** `enter` opens or adds to a position; `exit` closes or unwinds it. */
export type LegAction = "enter" | "exit";

/** The leg that trades above the other in `direction`. */
export function richLeg(direction: EdgeDirection): LegMarket {
  return direction === "perpRich" ? "perp" : "spot";
}

export function legSide(direction: EdgeDirection, action: LegAction, market: LegMarket): OrderSide {
  return (market === richLeg(direction)) === (action === "enter") ? "sell" : "buy";
}

/** The leg that sells in `action` of `direction`. */
export function sellingLeg(direction: EdgeDirection, action: LegAction): LegMarket {
  return legSide(direction, action, "perp") === "sell" ? "perp" : "spot";
}

/** The book side an order of `side` takes liquidity from. */
export function takenSide(book: BookView, side: OrderSide): BookSide {
  return side === "sell" ? book.bids : book.asks;
}
