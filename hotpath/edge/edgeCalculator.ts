/**
 * The per-market edge engine the feed loop calls after every applied book frame: both directions computed
 * into preallocated scratches from the market's books and the current parameters, and an immutable
 * `EdgeRecord` made only when the caller emits one.
 *
 * Per frame: `update()` — two `computeEdge` calls, no allocation. Parameters change off the frame path
 * (`setParams` when fees, funding or the risk limits change).
 */

import type { MarketBooks } from "../book/marketBooks.js";
import { computeEdge } from "./computeEdge.js";
import type { EdgeDirection } from "./direction.js";
import type { EdgeParams } from "./edgeParams.js";
import { recordEdge, type EdgeIdSequence, type EdgeRecord } from "./edgeRecord.js";
import { EdgeScratch } from "./edgeScratch.js";

export class EdgeCalculator {
  readonly books: MarketBooks;
  readonly perpRich = new EdgeScratch("perpRich");
  readonly spotRich = new EdgeScratch("spotRich");
  private parameters: EdgeParams;
  private readonly ids: EdgeIdSequence;
  /** `books.sequence` the scratches were computed at; NaN = not since the parameters changed. */
  private computedAt = Number.NaN;

  constructor(books: MarketBooks, params: EdgeParams, ids: EdgeIdSequence) {
    this.books = books;
    this.parameters = params;
    this.ids = ids;
  }

  get params(): EdgeParams {
    return this.parameters;
  }

  setParams(params: EdgeParams): void {
    this.parameters = params;
    this.computedAt = Number.NaN;
  }

  scratch(direction: EdgeDirection): EdgeScratch {
    return direction === "perpRich" ? this.perpRich : this.spotRich;
  }

  /** Recomputes both directions unless nothing changed since the last computation. */
  update(): void {
    const books = this.books;
    if (this.computedAt === books.sequence) return;
    computeEdge(books.perp, books.spot, books.scales, this.parameters, "perpRich", this.perpRich);
    computeEdge(books.perp, books.spot, books.scales, this.parameters, "spotRich", this.spotRich);
    this.computedAt = books.sequence;
  }

  /** The record of `direction`'s current edge (recomputed first if the books moved). Allocates. */
  emit(direction: EdgeDirection, recordedAtMs: number): EdgeRecord {
    this.update();
    return recordEdge(this.scratch(direction), this.books, this.parameters, this.ids, recordedAtMs);
  }
}
