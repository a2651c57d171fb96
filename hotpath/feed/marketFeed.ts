/**
 * What the feed keeps per market: both books, the edge calculator over them and the breaker that says
 * whether that edge may be traded. Built once at start-up.
 */

import type { MarketBooks } from "../book/marketBooks.js";
import { EdgeCalculator } from "../edge/edgeCalculator.js";
import type { EdgeParams } from "../edge/edgeParams.js";
import type { EdgeIdSequence } from "../edge/edgeRecord.js";
import { MarketBreaker, type BreakerLimits } from "./breaker.js";

export class MarketFeed {
  readonly breaker: MarketBreaker;

  constructor(
    readonly books: MarketBooks,
    readonly edges: EdgeCalculator,
    limits: BreakerLimits,
  ) {
    if (edges.books !== books) throw new RangeError(`edge calculator of ${books.coin} reads other books`);
    this.breaker = new MarketBreaker(books.perp, books.spot, limits);
  }

  static create(
    books: MarketBooks,
    params: EdgeParams,
    ids: EdgeIdSequence,
    limits: BreakerLimits,
  ): MarketFeed {
    return new MarketFeed(books, new EdgeCalculator(books, params, ids), limits);
  }

  get coin(): string {
    return this.books.coin;
  }
}
