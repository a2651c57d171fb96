/**
 * Both legs of one basis market (perp + spot of a coin), routed by the wire coin a frame carries.
 *
 * `sequence` counts applied frames over both legs, so a consumer can tell cheaply whether anything changed
 * since it last computed an edge.
 */

import type { BasisMarket } from "../exchange/registry/market.js";
import type { BookFrame, BookMessage } from "./bookFrame.js";
import { MAX_BOOK_LEVELS } from "./bookSide.js";
import { LegBook, type BookUpdateResult } from "./legBook.js";
import { marketScales, type MarketScales } from "./scales.js";

/** What `MarketBooks` needs to know about a market; a `BasisMarket` from the registry provides it. */
export interface MarketBooksSpec {
  /** The configured coin (the perp's name). */
  readonly coin: string;
  /** Wire coin of the perp leg, e.g. `"HYPE"`. */
  readonly perpCoin: string;
  /** Wire coin of the spot leg, e.g. `"@107"`. */
  readonly spotCoin: string;
  readonly perpSzDecimals: number;
  readonly spotSzDecimals: number;
}

export function marketBooksSpecOf(market: BasisMarket): MarketBooksSpec {
  return {
    coin: market.coin,
    perpCoin: market.perp.coin,
    spotCoin: market.spot.wsCoin,
    perpSzDecimals: market.perp.szDecimals,
    spotSzDecimals: market.spot.szDecimals,
  };
}

export class MarketBooks {
  readonly coin: string;
  readonly scales: MarketScales;
  readonly perp: LegBook;
  readonly spot: LegBook;
  /** Applied frames over both legs (starts as a double, then 0: see the note in `legBook.ts`). */
  sequence = Number.NaN;

  constructor(spec: MarketBooksSpec, capacity: number = MAX_BOOK_LEVELS) {
    if (spec.perpCoin === spec.spotCoin) {
      throw new RangeError(`perp and spot legs of ${spec.coin} share the wire coin ${spec.perpCoin}`);
    }
    this.coin = spec.coin;
    this.scales = marketScales(spec.perpSzDecimals, spec.spotSzDecimals);
    this.perp = new LegBook(spec.perpCoin, this.scales.perp, capacity);
    this.spot = new LegBook(spec.spotCoin, this.scales.spot, capacity);
    this.sequence = 0;
  }

  static forMarket(market: BasisMarket, capacity: number = MAX_BOOK_LEVELS): MarketBooks {
    return new MarketBooks(marketBooksSpecOf(market), capacity);
  }

  /** The leg whose wire coin is `coin`, if any. */
  legOf(coin: string): LegBook | undefined {
    if (coin === this.perp.coin) return this.perp;
    if (coin === this.spot.coin) return this.spot;
    return undefined;
  }

  /** Applies a frame from the scanner. */
  apply(frame: BookFrame, receivedAtMs: number): BookUpdateResult {
    const leg = this.legOf(frame.coin);
    if (leg === undefined) return "wrongCoin";
    return this.count(leg.apply(frame, receivedAtMs));
  }

  /** Applies a message from the full decoder (the scanner's fallback). */
  applyMessage(message: BookMessage, receivedAtMs: number): BookUpdateResult {
    const leg = this.legOf(message.data.coin);
    if (leg === undefined) return "wrongCoin";
    return this.count(leg.applyMessage(message, receivedAtMs));
  }

  /** Both legs accept their next frame whatever its time: call on every disconnect and resubscribe. */
  invalidate(): void {
    this.perp.invalidate();
    this.spot.invalidate();
  }

  private count(result: BookUpdateResult): BookUpdateResult {
    if (result === "applied") this.sequence += 1;
    return result;
  }
}
