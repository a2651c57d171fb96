/**
 * The book of one leg (the perp or the spot market of a coin): the visible top-N bids and asks in exact
 * integer units, with the exchange time of what they show, the local monotonic receive time, a crossed flag
 * and a sequence number that counts applied frames.
 *
 * Frames arrive as `BookFrame`s, from the scanner or converted from the full decoder's message; both go
 * through `apply`, which copies the frame into the leg's snapshot or touch state and recomposes the visible
 * sides (`touchOverlay.ts`). A frame is all or nothing: the visible book changes only when the whole frame
 * was valid. Frames older than the last one of the same feed are ignored (`"stale"`), except right after
 * `invalidate()` (a reconnect or resubscribe): the next frame of each feed is authoritative whatever its
 * exchange time, since the new connection may be served by a node whose clock is behind the old one's and
 * every frame is a full snapshot (PROTOCOL §2.3).
 *
 * No allocation per frame: every side is preallocated, and `applyMessage` converts into a scratch frame.
 */

import { BookFrame, fillFromMessage, type BookMessage } from "./bookFrame.js";
import { BookSide, MAX_BOOK_LEVELS } from "./bookSide.js";
import type { LegScales } from "./scales.js";
import { composeSide } from "./touchOverlay.js";

/**
 * - `applied`: the book changed (sequence incremented);
 * - `stale`: the frame is older than the last one of its feed, book unchanged;
 * - `invalid`: a level was inexact at the leg's scales, non-positive or out of order, book unchanged;
 * - `wrongCoin`: the frame is for another coin (routing error), book unchanged;
 * - `wrongScale`: the frame was parsed at other decimals than this leg's (a scanner built for other
 *   markets), book unchanged.
 */
export type BookUpdateResult = "applied" | "stale" | "invalid" | "wrongCoin" | "wrongScale";

/*
 * V8 note for the classes below: every numeric field that can leave the small-integer range (±2^30) starts as
 * a double (NaN or ±Infinity), never as a literal integer. A field's first value fixes its representation;
 * a later Smi → Double change deprecates the class's hidden class, and objects still on the old one sent the
 * optimised edge code into a deoptimisation loop on Node 22 (measured: 72 GCs and 7× slower per update).
 */

export class LegBook {
  /** The wire coin of this leg, e.g. `"HYPE"` or `"@107"`. */
  readonly coin: string;
  readonly scales: LegScales;
  /** Visible bids (descending), composed from snapshot and touch. */
  readonly bids: BookSide;
  /** Visible asks (ascending). */
  readonly asks: BookSide;
  /** Exchange time (ms) of the newest frame the visible book reflects; NaN before the first frame. */
  exchangeTimeMs = Number.NaN;
  /** Local monotonic time (ms, `performance.now()` clock) at which the last applied frame arrived. */
  receivedAtMs = Number.NaN;
  /** Applied frames so far (starts as a double, then set to 0: see the note above). */
  sequence = Number.NaN;
  /** Best bid ≥ best ask: the view is inconsistent (e.g. a touch against an older snapshot). */
  crossed = false;

  private readonly snapshotBids: BookSide;
  private readonly snapshotAsks: BookSide;
  /** −∞: no snapshot yet. */
  private snapshotTimeMs = Number.NEGATIVE_INFINITY;
  private readonly touchBids: BookSide;
  private readonly touchAsks: BookSide;
  /** −∞: no touch yet. */
  private touchTimeMs = Number.NEGATIVE_INFINITY;
  private readonly decoded: BookFrame;

  constructor(coin: string, scales: LegScales, capacity: number = MAX_BOOK_LEVELS) {
    this.coin = coin;
    this.scales = scales;
    this.bids = new BookSide(true, capacity);
    this.asks = new BookSide(false, capacity);
    this.snapshotBids = new BookSide(true, capacity);
    this.snapshotAsks = new BookSide(false, capacity);
    this.touchBids = new BookSide(true, 1);
    this.touchAsks = new BookSide(false, 1);
    this.decoded = new BookFrame(capacity);
    this.sequence = 0;
  }

  /** Applies a parsed frame received at `receivedAtMs` (monotonic ms). */
  apply(frame: BookFrame, receivedAtMs: number): BookUpdateResult {
    if (frame.coin !== this.coin) return "wrongCoin";
    const scales = this.scales;
    if (frame.priceDecimals !== scales.priceDecimals || frame.sizeDecimals !== scales.sizeDecimals) {
      return "wrongScale";
    }
    if (frame.kind === "l2Book") {
      if (frame.timeMs < this.snapshotTimeMs) return "stale";
      this.snapshotBids.copyFrom(frame.bids);
      this.snapshotAsks.copyFrom(frame.asks);
      this.snapshotTimeMs = frame.timeMs;
    } else {
      if (frame.timeMs < this.touchTimeMs) return "stale";
      this.touchBids.copyFrom(frame.bids);
      this.touchAsks.copyFrom(frame.asks);
      this.touchTimeMs = frame.timeMs;
    }
    const useTouch = this.touchTimeMs >= this.snapshotTimeMs && this.touchTimeMs > Number.NEGATIVE_INFINITY;
    composeSide(this.bids, this.snapshotBids, this.touchBids, useTouch);
    composeSide(this.asks, this.snapshotAsks, this.touchAsks, useTouch);
    this.exchangeTimeMs = useTouch ? this.touchTimeMs : this.snapshotTimeMs;
    this.crossed = this.bids.depth > 0 && this.asks.depth > 0 && this.bids.prices[0]! >= this.asks.prices[0]!;
    this.receivedAtMs = receivedAtMs;
    this.sequence += 1;
    return "applied";
  }

  /**
   * Forgets the exchange times the staleness check compares against, so that the next `l2Book` and the
   * next `bbo` are applied whatever their time. The visible book stays as it is until then (the breaker
   * blocks it as resyncing meanwhile); an old touch no longer overlays a new snapshot.
   */
  invalidate(): void {
    this.snapshotTimeMs = Number.NEGATIVE_INFINITY;
    this.touchTimeMs = Number.NEGATIVE_INFINITY;
  }

  /** Applies a message from the full decoder; the same result as scanning the frame it came from. */
  applyMessage(message: BookMessage, receivedAtMs: number): BookUpdateResult {
    if (message.data.coin !== this.coin) return "wrongCoin";
    if (!fillFromMessage(message, this.scales, this.decoded)) return "invalid";
    this.decoded.coin = this.coin;
    return this.apply(this.decoded, receivedAtMs);
  }
}
