/**
 * One parsed book frame (`l2Book` or `bbo`) in integer units, the common currency of the two parsers: the
 * frame scanner (`feed/frameScanner.ts`) writes straight into one, and `fillFromMessage` converts the full
 * decoder's message into one. A `LegBook` applies either the same way, so the book cannot depend on which
 * parser read the frame.
 *
 * A `bbo` frame fills at most one level per side; a `null` side (the book side is empty) is depth 0.
 * Reused for every frame: no allocation after construction.
 */

import { toScaledNumber } from "../exchange/decimal/scaled.js";
import type { L2Level } from "../exchange/wire/info.js";
import type { WsBboMessage, WsL2BookMessage } from "../exchange/wire/ws.js";
import { BookSide, MAX_BOOK_LEVELS } from "./bookSide.js";
import type { LegScales } from "./scales.js";

export type BookFrameKind = "l2Book" | "bbo";

/** A decoded book frame, as `decodeWsMessage` returns it. */
export type BookMessage = WsL2BookMessage | WsBboMessage;

export class BookFrame {
  kind: BookFrameKind = "l2Book";
  /** The frame's coin; the scanner sets the registered coin string itself (no copy). */
  coin = "";
  /** Exchange time of the snapshot, ms since the epoch (a double from the start: see `legBook.ts`). */
  timeMs = Number.NaN;
  /** Decimals the prices and sizes were parsed at; a book refuses a frame parsed at other scales. */
  priceDecimals = 0;
  sizeDecimals = 0;
  readonly bids: BookSide;
  readonly asks: BookSide;

  constructor(capacity: number = MAX_BOOK_LEVELS) {
    this.bids = new BookSide(true, capacity);
    this.asks = new BookSide(false, capacity);
  }

  begin(kind: BookFrameKind, coin: string, scales: LegScales | null): void {
    this.kind = kind;
    this.coin = coin;
    this.timeMs = 0;
    this.priceDecimals = scales === null ? -1 : scales.priceDecimals;
    this.sizeDecimals = scales === null ? -1 : scales.sizeDecimals;
    this.bids.clear();
    this.asks.clear();
  }
}

function appendLevel(side: BookSide, level: L2Level, scales: LegScales): boolean {
  return side.append(
    toScaledNumber(level.px, scales.priceDecimals),
    toScaledNumber(level.sz, scales.sizeDecimals),
    level.n,
  );
}

function appendLevels(side: BookSide, levels: readonly L2Level[], scales: LegScales): boolean {
  for (const level of levels) {
    if (!appendLevel(side, level, scales)) return false;
  }
  return true;
}

/**
 * Converts a decoded `l2Book` / `bbo` message into `out` at `scales`. False when a level is not exact at
 * these scales or breaks a book rule (`BookSide.append`); `out` is then half-written and must be discarded.
 */
export function fillFromMessage(message: BookMessage, scales: LegScales, out: BookFrame): boolean {
  const data = message.data;
  out.begin(message.channel, data.coin, scales);
  out.timeMs = data.time;
  if (message.channel === "l2Book") {
    const [bids, asks] = message.data.levels;
    return appendLevels(out.bids, bids, scales) && appendLevels(out.asks, asks, scales);
  }
  const [bid, ask] = message.data.bbo;
  return (
    (bid === null || appendLevel(out.bids, bid, scales)) &&
    (ask === null || appendLevel(out.asks, ask, scales))
  );
}
