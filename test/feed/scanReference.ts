/**
 * The scanner's oracle: what the full decoder (`decodeWsMessage`) plus exact scaled conversion
 * (`toScaledNumber`) make of a frame, written independently of the scanner and of `BookSide`, and the rule
 * that links the two — "handled" must equal the reference book, "notBook" must be a frame the decoder does
 * not turn into a book message, "fallback" is always allowed.
 */

import type { BookMessage } from "../../hotpath/book/bookFrame.js";
import { toScaledNumber } from "../../hotpath/exchange/decimal/scaled.js";
import { decodeWsMessage } from "../../hotpath/exchange/wire/decode-ws.js";
import type { L2Level } from "../../hotpath/exchange/wire/info.js";
import type { FrameScanner, ScanOutcome, ScanTarget } from "../../hotpath/feed/frameScanner.js";
import { levelsOf } from "../book/bookMessages.js";

export interface ReferenceBook {
  readonly channel: "l2Book" | "bbo";
  readonly coin: string;
  readonly time: number;
  readonly bids: [number, number, number][];
  readonly asks: [number, number, number][];
}

export type ReferenceResult =
  | { readonly kind: "notDecoded" }
  | { readonly kind: "otherChannel"; readonly channel: string }
  | { readonly kind: "unusable"; readonly reason: string; readonly message: BookMessage }
  | { readonly kind: "book"; readonly book: ReferenceBook; readonly message: BookMessage };

function convertSide(
  levels: readonly L2Level[],
  target: ScanTarget,
  isBid: boolean,
  capacity: number,
): [number, number, number][] | string {
  const out: [number, number, number][] = [];
  let previous: number | undefined;
  for (const { px, sz, n } of levels) {
    const price = toScaledNumber(px, target.scales.priceDecimals);
    const size = toScaledNumber(sz, target.scales.sizeDecimals);
    if (Number.isNaN(price) || Number.isNaN(size)) return `inexact ${px} / ${sz}`;
    if (price <= 0 || size <= 0) return `non-positive ${px} / ${sz}`;
    if (previous !== undefined && (isBid ? price >= previous : price <= previous)) return `unordered ${px}`;
    previous = price;
    if (out.length < capacity) out.push([price, size, n]);
  }
  return out;
}

export function referenceScan(
  text: string,
  targets: readonly ScanTarget[],
  capacity: number,
): ReferenceResult {
  const decoded = decodeWsMessage(text);
  if (!decoded.ok) return { kind: "notDecoded" };
  const message = decoded.message;
  if (message.channel !== "l2Book" && message.channel !== "bbo") {
    return { kind: "otherChannel", channel: message.channel };
  }
  const target = targets.find((candidate) => candidate.coin === message.data.coin);
  if (target === undefined) return { kind: "unusable", reason: `coin ${message.data.coin}`, message };
  const [bidLevels, askLevels] =
    message.channel === "l2Book"
      ? message.data.levels
      : [
          message.data.bbo[0] === null ? [] : [message.data.bbo[0]],
          message.data.bbo[1] === null ? [] : [message.data.bbo[1]],
        ];
  const bids = convertSide(bidLevels, target, true, capacity);
  const asks = convertSide(askLevels, target, false, capacity);
  if (typeof bids === "string") return { kind: "unusable", reason: bids, message };
  if (typeof asks === "string") return { kind: "unusable", reason: asks, message };
  return {
    kind: "book",
    book: { channel: message.channel, coin: message.data.coin, time: message.data.time, bids, asks },
    message,
  };
}

/** The scanner's last handled frame in the reference's shape. */
export function scannedBook(scanner: FrameScanner): ReferenceBook {
  const frame = scanner.frame;
  return {
    channel: frame.kind,
    coin: frame.coin,
    time: frame.timeMs,
    bids: levelsOf(frame.bids),
    asks: levelsOf(frame.asks),
  };
}

/** Why `outcome` contradicts the reference, or null when it is allowed. */
export function contradiction(
  outcome: ScanOutcome,
  scanner: FrameScanner,
  reference: ReferenceResult,
): string | null {
  if (outcome === "fallback") return null;
  if (outcome === "notBook") {
    return reference.kind === "notDecoded" || reference.kind === "otherChannel"
      ? null
      : `notBook, but the decoder gives ${reference.kind}`;
  }
  if (reference.kind !== "book") return `handled, but the decoder gives ${reference.kind}`;
  const scanned = JSON.stringify(scannedBook(scanner));
  const expected = JSON.stringify(reference.book);
  return scanned === expected ? null : `handled as ${scanned}, decoder gives ${expected}`;
}
