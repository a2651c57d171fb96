/**
 * The hot path's book-frame parser: reads the bytes of an `l2Book` or `bbo` text frame, as the socket
 * delivered them (no `Buffer → string` conversion), straight into a preallocated
 * `BookFrame` (exact integer prices and sizes at the coin's scales) without `JSON.parse`, which alone costs
 * ≈15–25 µs on a 20-level frame (STACK.md).
 *
 * It recognises exactly the compact shape the exchange sends (PROTOCOL §2.3–2.4):
 *
 *   {"channel":"l2Book","data":{"coin":"HYPE","time":1736682893796,"levels":[[{"px":"21.277","sz":"80.29","n":2},…],[…]]}}
 *   {"channel":"bbo","data":{"coin":"HYPE","time":1766566375292,"bbo":[{"px":…,"sz":…,"n":…}|null,…|null]}}
 *
 * The `data` keys may come in any order, except that `coin` must precede `levels`/`bbo` (the scales depend
 * on it); `l2Book` may also carry `spread` (a decimal string) and `fast` (a boolean). Level keys must be
 * `px, sz, n` in that order. Everything else — another key order, whitespace, extra fields, escapes,
 * exponents or fractions in numbers, a value that is not exact at the coin's scales, a non-positive price or
 * size, levels out of order, an unregistered coin, a truncated frame — is `"fallback"`: the caller runs
 * `decodeWsMessage` and, for a book message, `MarketBooks.applyMessage`. The scanner never produces a book
 * the full decoder would not (differential-tested in `test/feed/frameScanner.*.test.ts`).
 *
 * Depth. A target may ask for less than every level (`ScanTarget.scanDepth`, `scanDepth.ts`): each side of
 * its `l2Book` is then parsed up to the depth its decisions can read and the rest of the side is skipped to
 * its closing `]` without being parsed (`skipped` says which bytes). The rule above then holds for the frame
 * with the skipped bytes removed: what the scanner produces is exactly what the full decoder makes of that
 * frame (differential-tested too), and a problem in a level nobody reads no longer rejects the frame.
 *
 * Outcomes:
 * - `"handled"`: `frame` holds the parsed frame and `targetIndex` the registered target it is for;
 * - `"fallback"`: possibly a book frame; run the full decoder;
 * - `"notBook"`: certainly not an `l2Book`/`bbo` message (another channel, or not a JSON object); run the
 *   full decoder for that channel's consumers. To be certain, the frame must contain no backslash and no
 *   second `"channel"` (JSON.parse keeps the last duplicate key); two native `indexOf` scans check that.
 *
 * The exchange's frames are ASCII. Every token the scanner accepts is ASCII, so a frame with other bytes
 * (UTF-8, or invalid UTF-8: the socket skips validation) is never `"handled"`; `scan(text)` scans the
 * string's UTF-8 bytes, and gives the same outcome as `scanBytes` on the frame it was decoded from.
 *
 * No allocation per frame on `scanBytes`: the output frame and cursor are reused, and coins are matched in
 * place against the registered coins' bytes; the frame then references the registered coin string.
 * `scan(text)` (tests, and callers that only hold a string) encodes the string first, which allocates.
 */

import { BookFrame, type BookFrameKind } from "../book/bookFrame.js";
import { MAX_BOOK_LEVELS, type BookSide } from "../book/bookSide.js";
import type { LegScales } from "../book/scales.js";
import { lastSkippedFrom, lastSkippedTo, scanLevelAt, scanSideAt } from "./levelScanner.js";
import { FULL_DEPTH, type ScanDepth } from "./scanDepth.js";
import { asciiToken, ScanCursor } from "./scanCursor.js";

export type ScanOutcome = "handled" | "fallback" | "notBook";

/** A coin the scanner parses books for; a `LegBook` is one. */
export interface ScanTarget {
  /** The wire coin, e.g. `"HYPE"`, `"@107"`. */
  readonly coin: string;
  readonly scales: LegScales;
  /** How deep to read each `l2Book` side (`scanDepth.ts`); every level when absent. */
  readonly scanDepth?: ScanDepth;
}

const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const CLOSE_BRACKET = 93;
const COMMA = 44;

const SEEN_COIN = 1;
const SEEN_TIME = 2;
const SEEN_BOOK = 4; // levels or bbo
const SEEN_SPREAD = 8;
const SEEN_FAST = 16;
const REQUIRED = SEEN_COIN | SEEN_TIME | SEEN_BOOK;

/** A coin we can match verbatim inside a JSON string: printable ASCII without `"` or `\`. */
const PLAIN_COIN = /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/;

const CHANNEL_PREFIX = asciiToken('{"channel":"');
const L2BOOK = asciiToken("l2Book");
const BBO = asciiToken("bbo");
const L2BOOK_DATA = asciiToken('l2Book","data":{');
const BBO_DATA = asciiToken('bbo","data":{');
const COIN_KEY = asciiToken('"coin":"');
const TIME_KEY = asciiToken('"time":');
const LEVELS_KEY = asciiToken('"levels":[');
const BBO_KEY = asciiToken('"bbo":[');
const SPREAD_KEY = asciiToken('"spread":"');
const FAST_KEY = asciiToken('"fast":');
const TRUE = asciiToken("true");
const FALSE = asciiToken("false");
const NULL = asciiToken("null");
const QUOTE = 34;
const BACKSLASH = 92;

export class FrameScanner {
  /** The last handled frame; overwritten by every `scan`. */
  readonly frame: BookFrame;
  /** Index into the targets of the last handled frame's coin. */
  targetIndex = -1;
  /**
   * The bytes of the last scanned `l2Book` left unread per side (see `ScanTarget.scanDepth`):
   * `[bidsFrom, bidsTo, asksFrom, asksTo]` as offsets into the scanned buffer, −1 where nothing was skipped.
   */
  readonly skipped = new Int32Array(4).fill(-1);

  private readonly targets: readonly ScanTarget[];
  private readonly depths: readonly ScanDepth[];
  private depth: ScanDepth = FULL_DEPTH;
  /** `coin + '"'`, so that a match also checks the string ends there (`@1` must not match `@10`). */
  private readonly coinTokens: readonly Uint8Array[];
  private readonly cursor = new ScanCursor();
  private priceDecimals = 0;
  private sizeDecimals = 0;

  constructor(targets: readonly ScanTarget[], capacity: number = MAX_BOOK_LEVELS) {
    const coins = new Set<string>();
    for (const target of targets) {
      if (!PLAIN_COIN.test(target.coin)) {
        throw new RangeError(`coin ${JSON.stringify(target.coin)} cannot be matched verbatim in a frame`);
      }
      if (coins.has(target.coin)) throw new RangeError(`coin ${target.coin} registered twice`);
      coins.add(target.coin);
    }
    this.targets = [...targets];
    this.depths = this.targets.map((target) => target.scanDepth ?? FULL_DEPTH);
    this.coinTokens = this.targets.map((target) => asciiToken(`${target.coin}"`));
    this.frame = new BookFrame(capacity);
  }

  /** Scans a frame's text (its UTF-8 bytes). Allocates them: the socket path uses `scanBytes`. */
  scan(text: string): ScanOutcome {
    return this.scanBytes(Buffer.from(text, "utf8"));
  }

  /** Scans a text frame's bytes as the socket delivered them. */
  scanBytes(bytes: Buffer): ScanOutcome {
    const cursor = this.cursor;
    cursor.reset(bytes);
    this.targetIndex = -1;
    if (!cursor.take(CHANNEL_PREFIX)) return notAnObject(bytes) ? "notBook" : "fallback";
    if (cursor.take(L2BOOK_DATA)) return this.scanData("l2Book");
    if (cursor.take(BBO_DATA)) return this.scanData("bbo");
    return this.otherChannel(bytes);
  }

  /**
   * Scans the frame in `bytes[start, end)` without a view of it. `bytes[end]` must continue no JSON token:
   * past the buffer, or the 0 sentinel `WsConnection` writes there during its handler call. Frames other
   * than book frames take the `scanBytes` path on a view (they are rare and go to the decoder anyway).
   */
  scanRange(bytes: Buffer, start: number, end: number): ScanOutcome {
    const cursor = this.cursor;
    cursor.reset(bytes, start, end);
    this.targetIndex = -1;
    if (cursor.take(CHANNEL_PREFIX)) {
      if (cursor.take(L2BOOK_DATA)) return this.scanData("l2Book");
      if (cursor.take(BBO_DATA)) return this.scanData("bbo");
    }
    return this.scanBytes(bytes.subarray(start, end));
  }

  /** The frame names a channel other than `l2Book","data":{` / `bbo","data":{` right after `"channel":"`. */
  private otherChannel(bytes: Buffer): ScanOutcome {
    const start = this.cursor.pos;
    const end = bytes.indexOf(QUOTE, start);
    if (end < 0) return "fallback";
    const length = end - start;
    if (
      (length === L2BOOK.length && bytes.compare(L2BOOK, 0, length, start, end) === 0) ||
      (length === BBO.length && bytes.compare(BBO, 0, length, start, end) === 0)
    ) {
      return "fallback"; // a book channel in a shape we do not scan
    }
    if (bytes.indexOf(BACKSLASH) >= 0 || bytes.indexOf('"channel"', end, "latin1") >= 0) return "fallback";
    return "notBook";
  }

  private scanData(kind: BookFrameKind): ScanOutcome {
    const cursor = this.cursor;
    const frame = this.frame;
    frame.begin(kind, "", null);
    const skipped = this.skipped;
    skipped[0] = skipped[1] = skipped[2] = skipped[3] = -1;
    const isBook = kind === "l2Book";
    let seen = 0;
    for (;;) {
      if (cursor.take(COIN_KEY)) {
        if ((seen & SEEN_COIN) !== 0 || !this.matchCoin()) return "fallback";
        seen |= SEEN_COIN;
      } else if (cursor.take(TIME_KEY)) {
        if ((seen & SEEN_TIME) !== 0) return "fallback";
        const time = cursor.uint();
        if (time < 0) return "fallback";
        frame.timeMs = time;
        seen |= SEEN_TIME;
      } else if (cursor.take(isBook ? LEVELS_KEY : BBO_KEY)) {
        // Duplicate, or before the coin whose scales we need.
        if ((seen & (SEEN_BOOK | SEEN_COIN)) !== SEEN_COIN) return "fallback";
        if (!(isBook ? this.scanLevels() : this.scanBbo())) return "fallback";
        seen |= SEEN_BOOK;
      } else if (isBook && cursor.take(SPREAD_KEY)) {
        if ((seen & SEEN_SPREAD) !== 0 || !cursor.skipWireDecimal()) return "fallback";
        seen |= SEEN_SPREAD;
      } else if (isBook && cursor.take(FAST_KEY)) {
        if ((seen & SEEN_FAST) !== 0 || !(cursor.take(TRUE) || cursor.take(FALSE))) return "fallback";
        seen |= SEEN_FAST;
      } else {
        return "fallback";
      }
      if (cursor.takeChar(COMMA)) continue;
      if (cursor.takeChar(CLOSE_BRACE)) break;
      return "fallback";
    }
    if ((seen & REQUIRED) !== REQUIRED) return "fallback";
    if (!(cursor.takeChar(CLOSE_BRACE) && cursor.atEnd())) return "fallback";
    return "handled";
  }

  private matchCoin(): boolean {
    const tokens = this.coinTokens;
    for (let i = 0; i < tokens.length; i++) {
      if (this.cursor.take(tokens[i]!)) {
        const target = this.targets[i]!;
        this.targetIndex = i;
        this.depth = this.depths[i]!;
        const frame = this.frame;
        frame.coin = target.coin;
        this.priceDecimals = frame.priceDecimals = target.scales.priceDecimals;
        this.sizeDecimals = frame.sizeDecimals = target.scales.sizeDecimals;
        return true;
      }
    }
    return false;
  }

  /** `[[level,…],[level,…]]` after `"levels":[`. */
  private scanLevels(): boolean {
    const cursor = this.cursor;
    return (
      this.scanSide(this.frame.bids, 0) &&
      cursor.takeChar(COMMA) &&
      this.scanSide(this.frame.asks, 2) &&
      cursor.takeChar(CLOSE_BRACKET)
    );
  }

  /** `[level,…]` or `[]`, read to the target's depth; `skippedAt`: its slot in `skipped`. */
  private scanSide(side: BookSide, skippedAt: number): boolean {
    const cursor = this.cursor;
    const end = scanSideAt(
      cursor.text,
      cursor.pos,
      cursor.end,
      side,
      this.priceDecimals,
      this.sizeDecimals,
      this.depth,
    );
    this.skipped[skippedAt] = lastSkippedFrom();
    this.skipped[skippedAt + 1] = lastSkippedTo();
    if (end < 0) return false;
    cursor.pos = end;
    return true;
  }

  /** `level|null,level|null]` after `"bbo":[`. */
  private scanBbo(): boolean {
    const cursor = this.cursor;
    return (
      (cursor.take(NULL) || this.scanLevel(this.frame.bids)) &&
      cursor.takeChar(COMMA) &&
      (cursor.take(NULL) || this.scanLevel(this.frame.asks)) &&
      cursor.takeChar(CLOSE_BRACKET)
    );
  }

  /** `{"px":"…","sz":"…","n":…}`, appended to `side` (which enforces the book rules). */
  private scanLevel(side: BookSide): boolean {
    const cursor = this.cursor;
    const end = scanLevelAt(cursor.text, cursor.pos, side, this.priceDecimals, this.sizeDecimals);
    if (end < 0) return false;
    cursor.pos = end;
    return true;
  }
}

/** True when JSON.parse could not yield an object: empty, or the first byte is not `{` or whitespace. */
function notAnObject(bytes: Buffer): boolean {
  const first = bytes[0];
  return !(first === OPEN_BRACE || first === 0x20 || first === 0x09 || first === 0x0a || first === 0x0d);
}
