/** Books: per-leg top-N snapshots in exact integer units, fed by the frame scanner or the full decoder. */

export { BookFrame, fillFromMessage, type BookFrameKind, type BookMessage } from "./bookFrame.js";
export { BookSide, MAX_BOOK_LEVELS } from "./bookSide.js";
export { LegBook, type BookUpdateResult } from "./legBook.js";
export { MarketBooks, marketBooksSpecOf, type MarketBooksSpec } from "./marketBooks.js";
export {
  legScales,
  marketScales,
  marketScalesOf,
  powerOfTen,
  POWERS_OF_TEN,
  type LegScales,
  type MarketScales,
} from "./scales.js";
export { composeSide } from "./touchOverlay.js";
