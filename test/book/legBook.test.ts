/**
 * A leg's book and the market pair: snapshots, the bbo overlay, staleness, crossing, all-or-nothing updates,
 * routing by wire coin, and the same result from the scanner's frame and the decoder's message.
 */

import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { LegBook } from "../../hotpath/book/legBook.js";
import { MarketBooks } from "../../hotpath/book/marketBooks.js";
import { legScales } from "../../hotpath/book/scales.js";
import { MarketRegistry } from "../../hotpath/exchange/registry/index.js";
import { decodeMeta, decodeSpotMeta } from "../../hotpath/exchange/wire/decode-info.js";
import { FrameScanner } from "../../hotpath/feed/frameScanner.js";
import { bboMessage, hypeBooks, l2BookMessage, levelsOf } from "./bookMessages.js";

function spotLeg(): LegBook {
  return new LegBook("@107", legScales("spot", 2));
}

const SNAPSHOT = l2BookMessage(
  "@107",
  1000,
  [
    ["40.02", "1"],
    ["40.01", "2"],
    ["40", "3"],
  ],
  [
    ["40.03", "1"],
    ["40.04", "2"],
  ],
);

describe("LegBook snapshots", () => {
  it("holds the snapshot in integer units with its times and a sequence", () => {
    const book = spotLeg();
    expect(book.applyMessage(SNAPSHOT, 12.5)).toBe("applied");
    expect(levelsOf(book.bids)).toEqual([
      [40_020_000, 100, 1],
      [40_010_000, 200, 1],
      [40_000_000, 300, 1],
    ]);
    expect(levelsOf(book.asks)).toEqual([
      [40_030_000, 100, 1],
      [40_040_000, 200, 1],
    ]);
    expect(book).toMatchObject({ exchangeTimeMs: 1000, receivedAtMs: 12.5, sequence: 1, crossed: false });
  });

  it("ignores an older snapshot and accepts one of the same time", () => {
    const book = spotLeg();
    book.applyMessage(SNAPSHOT, 1);
    const older = l2BookMessage("@107", 999, [["39", "1"]], [["41", "1"]]);
    expect(book.applyMessage(older, 2)).toBe("stale");
    expect(book.sequence).toBe(1);
    expect(book.bids.bestPrice()).toBe(40_020_000);
    const same = l2BookMessage("@107", 1000, [["39", "1"]], [["41", "1"]]);
    expect(book.applyMessage(same, 3)).toBe("applied");
    expect(book.bids.bestPrice()).toBe(39_000_000);
  });

  it("leaves the book unchanged when any level is invalid", () => {
    const book = spotLeg();
    book.applyMessage(SNAPSHOT, 1);
    const bad = l2BookMessage(
      "@107",
      2000,
      [["40.5", "1"]],
      [
        ["40.6", "1"],
        ["40.7", "0.001"],
      ],
    );
    expect(book.applyMessage(bad, 2)).toBe("invalid");
    const unordered = l2BookMessage(
      "@107",
      2000,
      [
        ["40.5", "1"],
        ["40.6", "1"],
      ],
      [],
    );
    expect(book.applyMessage(unordered, 2)).toBe("invalid");
    expect(book).toMatchObject({ exchangeTimeMs: 1000, sequence: 1 });
    expect(book.bids.bestPrice()).toBe(40_020_000);
  });

  it("refuses another coin's frame", () => {
    const book = spotLeg();
    expect(book.applyMessage(l2BookMessage("HYPE", 1, [], []), 1)).toBe("wrongCoin");
  });

  it("refuses a frame parsed at another leg's scales", () => {
    const perpScanner = new FrameScanner([{ coin: "@107", scales: legScales("perp", 2) }]);
    expect(perpScanner.scan(JSON.stringify(SNAPSHOT))).toBe("handled");
    const book = spotLeg();
    expect(book.apply(perpScanner.frame, 1)).toBe("wrongScale");
    expect(book.sequence).toBe(0);
  });

  it("flags a crossed snapshot", () => {
    const book = spotLeg();
    book.applyMessage(l2BookMessage("@107", 1, [["40.05", "1"]], [["40.05", "1"]]), 1);
    expect(book.crossed).toBe(true);
  });
});

describe("LegBook bbo overlay", () => {
  it("puts a newer touch on top and drops snapshot levels at or better than it", () => {
    const book = spotLeg();
    book.applyMessage(SNAPSHOT, 1);
    expect(book.applyMessage(bboMessage("@107", 1001, ["40.01", "5", 3], ["40.035", "0.5"]), 2)).toBe(
      "applied",
    );
    expect(levelsOf(book.bids)).toEqual([
      [40_010_000, 500, 3],
      [40_000_000, 300, 1],
    ]);
    expect(levelsOf(book.asks)).toEqual([
      [40_035_000, 50, 1],
      [40_040_000, 200, 1],
    ]);
    expect(book).toMatchObject({ exchangeTimeMs: 1001, sequence: 2 });
  });

  it("empties a side the bbo reports empty", () => {
    const book = spotLeg();
    book.applyMessage(SNAPSHOT, 1);
    book.applyMessage(bboMessage("@107", 1001, null, ["40.03", "1"]), 2);
    expect(book.bids.depth).toBe(0);
    expect(book.asks.depth).toBe(2);
  });

  it("lets a later snapshot supersede the touch, and ignores an older touch", () => {
    const book = spotLeg();
    book.applyMessage(bboMessage("@107", 1001, ["40.1", "1"], ["40.2", "1"]), 1);
    expect(levelsOf(book.bids)).toEqual([[40_100_000, 100, 1]]);
    book.applyMessage(l2BookMessage("@107", 1002, [["40.02", "1"]], [["40.03", "1"]]), 2);
    expect(book.bids.bestPrice()).toBe(40_020_000);
    expect(book.applyMessage(bboMessage("@107", 1000, ["41", "1"], ["42", "1"]), 3)).toBe("stale");
    // Newer than the last touch but older than the snapshot: stored, not shown.
    expect(book.applyMessage(bboMessage("@107", 1001, ["41", "1"], ["42", "1"]), 4)).toBe("applied");
    expect(book.bids.bestPrice()).toBe(40_020_000);
    expect(book.exchangeTimeMs).toBe(1002);
  });

  it("flags a touch that crosses the older snapshot's other side", () => {
    const book = spotLeg();
    book.applyMessage(SNAPSHOT, 1);
    // A bid above the snapshot's best ask, with a stale ask side that the bbo also reports.
    book.applyMessage(bboMessage("@107", 1001, ["40.05", "1"], ["40.03", "1"]), 2);
    expect(book.crossed).toBe(true);
  });
});

describe("LegBook invalidate (reconnect)", () => {
  it("applies the next snapshot whatever its time, then checks staleness against it again", () => {
    const book = spotLeg();
    book.applyMessage(SNAPSHOT, 1);
    book.invalidate();
    // Older than what the book holds (another server node): authoritative all the same.
    const older = l2BookMessage("@107", 900, [["39", "1"]], [["41", "1"]]);
    expect(book.applyMessage(older, 2)).toBe("applied");
    expect(book).toMatchObject({ exchangeTimeMs: 900, receivedAtMs: 2, sequence: 2 });
    expect(book.bids.bestPrice()).toBe(39_000_000);
    expect(book.applyMessage(l2BookMessage("@107", 899, [["38", "1"]], [["42", "1"]]), 3)).toBe("stale");
  });

  it("keeps the visible book until the next frame, and drops a touch older than the new snapshot", () => {
    const book = spotLeg();
    book.applyMessage(SNAPSHOT, 1);
    book.applyMessage(bboMessage("@107", 2000, ["40.025", "1"], ["40.028", "1"]), 2);
    book.invalidate();
    expect(book.bids.bestPrice()).toBe(40_025_000);
    expect(book.sequence).toBe(2);
    const older = l2BookMessage("@107", 900, [["39", "1"]], [["41", "1"]]);
    expect(book.applyMessage(older, 3)).toBe("applied");
    expect(levelsOf(book.bids)).toEqual([[39_000_000, 100, 1]]);
    expect(levelsOf(book.asks)).toEqual([[41_000_000, 100, 1]]);
    expect(book.exchangeTimeMs).toBe(900);
    // The touch feed is authoritative again too.
    expect(book.applyMessage(bboMessage("@107", 950, ["39.5", "1"], ["40.5", "1"]), 4)).toBe("applied");
    expect(book.bids.bestPrice()).toBe(39_500_000);
  });

  it("invalidates both legs of a market", () => {
    const books = hypeBooks();
    books.applyMessage(l2BookMessage("HYPE", 1000, [["40.1", "1"]], [["40.2", "1"]]), 1);
    books.applyMessage(SNAPSHOT, 1);
    books.invalidate();
    expect(books.applyMessage(l2BookMessage("HYPE", 10, [["40", "1"]], [["40.3", "1"]]), 2)).toBe("applied");
    expect(books.applyMessage(l2BookMessage("@107", 10, [["40", "1"]], [["40.3", "1"]]), 2)).toBe("applied");
    expect(books.sequence).toBe(4);
  });
});

describe("MarketBooks", () => {
  it("routes frames by wire coin and counts applied frames over both legs", () => {
    const books = hypeBooks();
    expect(books.applyMessage(l2BookMessage("HYPE", 1, [["40.1", "1"]], [["40.2", "1"]]), 1)).toBe("applied");
    expect(books.applyMessage(SNAPSHOT, 2)).toBe("applied");
    expect(books.applyMessage(l2BookMessage("ETH", 1, [], []), 3)).toBe("wrongCoin");
    expect(books.applyMessage(SNAPSHOT, 4)).toBe("applied");
    expect(books.sequence).toBe(3);
    expect(books.perp.sequence).toBe(1);
    expect(books.spot.sequence).toBe(2);
    expect(books.perp.bids.bestPrice()).toBe(401_000); // perp price units are 10^-4
  });

  it("gets the same book from the scanner's frame as from the decoded message", () => {
    const viaScanner = hypeBooks();
    const viaDecoder = hypeBooks();
    const scanner = new FrameScanner([viaScanner.perp, viaScanner.spot]);
    const messages = [
      SNAPSHOT,
      bboMessage("@107", 1001, ["40.01", "5", 3], null),
      l2BookMessage("HYPE", 5, [["40.1", "1"]], []),
    ];
    for (const message of messages) {
      expect(scanner.scan(JSON.stringify(message))).toBe("handled");
      expect(viaScanner.apply(scanner.frame, 7)).toBe(viaDecoder.applyMessage(message, 7));
    }
    for (const leg of ["perp", "spot"] as const) {
      expect(levelsOf(viaScanner[leg].bids)).toEqual(levelsOf(viaDecoder[leg].bids));
      expect(levelsOf(viaScanner[leg].asks)).toEqual(levelsOf(viaDecoder[leg].asks));
      expect(viaScanner[leg].exchangeTimeMs).toBe(viaDecoder[leg].exchangeTimeMs);
    }
  });

  it("is built from the registry's resolved market", () => {
    const universe = new URL("../fixtures/universe/", import.meta.url);
    const load = (name: string): unknown => JSON.parse(readFileSync(new URL(name, universe), "utf8"));
    const meta = decodeMeta(load("meta.json"));
    const spotMeta = decodeSpotMeta(load("spotMeta.json"));
    if (!meta.ok || !spotMeta.ok) throw new Error("universe fixture does not decode");
    const registry = MarketRegistry.fromUniverse({ meta: meta.value, spotMeta: spotMeta.value });
    const books = MarketBooks.forMarket(registry.market("HYPE")!);
    expect(books.perp.coin).toBe("HYPE");
    expect(books.spot.coin).toBe("@107");
    expect(books.scales.perp.priceDecimals).toBe(4);
    expect(books.scales.spot.priceDecimals).toBe(6);
    expect(books.legOf("@107")).toBe(books.spot);
  });

  it("refuses a market whose legs share a wire coin", () => {
    expect(
      () =>
        new MarketBooks({ coin: "X", perpCoin: "X", spotCoin: "X", perpSzDecimals: 2, spotSzDecimals: 2 }),
    ).toThrow(RangeError);
  });
});
