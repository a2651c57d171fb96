/**
 * The frame scanner on the recorded frames and on hand-written frames for each rule: what it handles, when it
 * asks for the full decoder, and when it can tell that a frame is not a book. Every case is also checked
 * against the decoder-based reference (`scanReference.ts`).
 */

import { describe, expect, it } from "vitest";

import { MarketBooks } from "../../hotpath/book/marketBooks.js";
import { FrameScanner, type ScanOutcome, type ScanTarget } from "../../hotpath/feed/frameScanner.js";
import { HYPE_SPEC, levelsOf } from "../book/bookMessages.js";
import { capturedFrames, jkorfAckFrames, jkorfDataFrames } from "./recordedFrames.js";
import { contradiction, referenceScan } from "./scanReference.js";

const books = new MarketBooks(HYPE_SPEC);
const targets: ScanTarget[] = [books.perp, books.spot];
const scanner = new FrameScanner(targets);

/** Scans `text`, checks it against the reference, and returns the outcome. */
function scan(text: string): ScanOutcome {
  const outcome = scanner.scan(text);
  expect(contradiction(outcome, scanner, referenceScan(text, targets, 20)), text).toBeNull();
  return outcome;
}

const L1 = '{"px":"21.277","sz":"80.29","n":2}';
const L2 = '{"px":"21.276","sz":"317.1","n":2}';
const A1 = '{"px":"21.306","sz":"223.2","n":2}';
const BOOK = `{"channel":"l2Book","data":{"coin":"HYPE","time":1736682893796,"levels":[[${L1},${L2}],[${A1}]]}}`;
const BBO =
  '{"channel":"bbo","data":{"coin":"@107","time":1766566375292,"bbo":[{"px":"23.757","sz":"42.09","n":1},{"px":"23.758","sz":"100.26","n":2}]}}';

describe("recorded frames", () => {
  it("handles the captured 20-level HYPE frame exactly", () => {
    const frames = capturedFrames();
    const book = frames.find((frame) => frame.text.includes('"channel":"l2Book"'));
    expect(book).toBeDefined();
    expect(scan(book!.text)).toBe("handled");
    const frame = scanner.frame;
    expect(frame.kind).toBe("l2Book");
    expect(frame.coin).toBe("HYPE");
    expect(frame.timeMs).toBe(1736682893796);
    expect(frame.bids.depth).toBe(20);
    expect(frame.asks.depth).toBe(20);
    // Perp HYPE: price units 10^-4, lots 10^-2; "1.0" is 100 lots like "1".
    expect(levelsOf(frame.bids).slice(0, 4)).toEqual([
      [212770, 8029, 2],
      [212760, 31710, 2],
      [212730, 470, 1],
      [212710, 100, 1],
    ]);
    expect(levelsOf(frame.asks)[0]).toEqual([213060, 22320, 2]);
  });

  it("tells the capture's other frames are not books", () => {
    const others = capturedFrames().filter((frame) => !frame.text.includes('"channel":"l2Book"'));
    expect(others.length).toBeGreaterThan(0);
    for (const frame of others) expect(scan(frame.text), frame.source).toBe("notBook");
  });

  it("falls back on the pretty-printed HyperLiquid.Net frames, and handles them compacted", () => {
    const expected: Record<string, ScanOutcome> = {
      "jkorf-hyperliquid-net/BookTicker.txt": "handled",
      "jkorf-hyperliquid-net/OrderBook.txt": "handled",
      "jkorf-hyperliquid-net/Order.txt": "notBook",
      "jkorf-hyperliquid-net/UserEventTrade.txt": "notBook",
    };
    for (const frame of jkorfDataFrames()) {
      expect(scan(frame.text), frame.source).toBe("fallback");
      const compact = JSON.stringify(JSON.parse(frame.text));
      expect(scan(compact), frame.source).toBe(expected[frame.source]);
    }
    expect(scan(JSON.stringify(JSON.parse(jkorfDataFrames()[1]!.text)))).toBe("handled");
    expect(levelsOf(scanner.frame.asks)).toEqual([
      [349690, 147306, 2],
      [349700, 154451, 4],
    ]);
  });

  it("tells subscription acks are not books", () => {
    for (const frame of jkorfAckFrames()) expect(scan(frame.text), frame.source).toBe("notBook");
  });
});

describe("shapes it handles", () => {
  it.each([
    ["the exchange's shape", BOOK],
    ["a bbo", BBO],
    ["a bbo with an empty side", '{"channel":"bbo","data":{"coin":"HYPE","time":5,"bbo":[null,' + A1 + "]}}"],
    ["a bbo with both sides empty", '{"channel":"bbo","data":{"coin":"HYPE","time":5,"bbo":[null,null]}}'],
    ["empty sides", '{"channel":"l2Book","data":{"coin":"HYPE","time":0,"levels":[[],[]]}}'],
    ["fast and spread", BOOK.replace('"time"', '"fast":true,"spread":"0.029","time"')],
    ["fast after levels", BOOK.replace("]]}}", ']],"fast":false}}')],
    [
      "time before coin",
      BOOK.replace('"coin":"HYPE","time":1736682893796', '"time":1736682893796,"coin":"HYPE"'),
    ],
    [
      "trailing zeros",
      BOOK.replace('"sz":"80.29"', '"sz":"80.2900"').replace('"px":"21.306"', '"px":"21.30600"'),
    ],
    ["integers", BOOK.replace('"sz":"80.29"', '"sz":"80"').replace('"px":"21.306"', '"px":"22"')],
    ["zero orders", BOOK.replace('"n":2}', '"n":0}')],
  ])("%s", (_name, text) => {
    expect(scan(text)).toBe("handled");
  });

  it("keeps the top `capacity` levels of a deeper frame, validating them all", () => {
    const bids = Array.from({ length: 25 }, (_, i) => `{"px":"${30 - i}","sz":"1","n":1}`);
    const text = `{"channel":"l2Book","data":{"coin":"@107","time":1,"levels":[[${bids.join(",")}],[]]}}`;
    expect(scan(text)).toBe("handled");
    expect(scanner.frame.bids.depth).toBe(20);
    expect(scanner.frame.bids.levelCount).toBe(25);
    expect(scanner.frame.bids.prices[19]).toBe(11_000_000);
    const unordered = text.replace('{"px":"6","sz":"1","n":1}', '{"px":"7","sz":"1","n":1}');
    expect(scan(unordered)).toBe("fallback");
  });

  it("parses at each coin's scales", () => {
    const perp = new MarketBooks({
      ...HYPE_SPEC,
      coin: "BTC",
      perpCoin: "BTC",
      spotCoin: "@142",
      perpSzDecimals: 5,
    });
    const btc = new FrameScanner([perp.perp, perp.spot]);
    expect(
      btc.scan(
        '{"channel":"bbo","data":{"coin":"BTC","time":1,"bbo":[{"px":"97000.5","sz":"0.00012","n":1},null]}}',
      ),
    ).toBe("handled");
    expect(levelsOf(btc.frame.bids)).toEqual([[970005, 12, 1]]);
    expect(btc.targetIndex).toBe(0);
    // Two price decimals are one too many for a perp with szDecimals 5.
    expect(
      btc.scan(
        '{"channel":"bbo","data":{"coin":"BTC","time":1,"bbo":[{"px":"97000.55","sz":"1","n":1},null]}}',
      ),
    ).toBe("fallback");
  });
});

describe("shapes it hands to the full decoder", () => {
  it.each([
    ["whitespace between tokens", BOOK.replace('"data":{', '"data": {')],
    ["trailing whitespace", `${BOOK}\n`],
    ["leading whitespace", ` ${BOOK}`],
    ["an extra top-level field", BOOK.replace("]]}}", ']]},"x":1}')],
    ["data before channel", '{"data":{"coin":"HYPE","time":1,"levels":[[],[]]},"channel":"l2Book"}'],
    ["an unknown data field", BOOK.replace('"time"', '"isSnapshot":true,"time"')],
    ["an extra level field", BOOK.replace('"n":2}', '"n":2,"o":1}')],
    ["level keys in another order", BOOK.replace(L1, '{"n":2,"px":"21.277","sz":"80.29"}')],
    ["levels before coin", '{"channel":"l2Book","data":{"time":1,"levels":[[],[]],"coin":"HYPE"}}'],
    ["a duplicate key", BOOK.replace('"time":1736682893796', '"time":1,"time":1736682893796')],
    ["an escaped coin", BOOK.replace('"coin":"HYPE"', '"coin":"\\u0048YPE"')],
    ["an escaped digit", BOOK.replace('"21.277"', '"21.2\\u00377"')],
    ["an unregistered coin", BOOK.replace('"coin":"HYPE"', '"coin":"HYPE2"')],
    ["a coin prefix", BOOK.replace('"coin":"HYPE"', '"coin":"HYP"')],
    ["an exponent in time", BOOK.replace("1736682893796", "1.736682893796e12")],
    ["a fraction in n", BOOK.replace('"n":2}', '"n":2.0}')],
    ["a leading zero in n", BOOK.replace('"n":2}', '"n":02}')],
    ["n as a string", BOOK.replace('"n":2}', '"n":"2"}')],
    ["a negative time", BOOK.replace("1736682893796", "-1")],
    ["too many price decimals", BOOK.replace('"21.277"', '"21.27701"')],
    ["a zero price", BOOK.replace('"21.277"', '"0"')],
    ["a zero size", BOOK.replace('"80.29"', '"0.00"')],
    ["a negative price", BOOK.replace('"21.277"', '"-21.277"')],
    ["a price with a plus", BOOK.replace('"21.277"', '"+21.277"')],
    ["a bare decimal point", BOOK.replace('"21.277"', '"21."')],
    ["a leading zero", BOOK.replace('"21.277"', '"021.277"')],
    ["a price as a number", BOOK.replace('"21.277"', "21.277")],
    ["bids out of order", BOOK.replace(`${L1},${L2}`, `${L2},${L1}`)],
    ["a repeated price", BOOK.replace(`${L1},${L2}`, `${L1},${L1}`)],
    ["three sides", BOOK.replace("]]}}", "],[]]}}")],
    ["a bbo with three entries", BBO.replace("]}}", ",null]}}")],
    ["a bbo with levels", '{"channel":"bbo","data":{"coin":"HYPE","time":1,"levels":[[],[]]}}'],
    ["an l2Book with bbo", '{"channel":"l2Book","data":{"coin":"HYPE","time":1,"bbo":[null,null]}}'],
    ["a missing time", '{"channel":"l2Book","data":{"coin":"HYPE","levels":[[],[]]}}'],
    ["an l2Book channel without data", '{"channel":"l2Book"}'],
    ["a time beyond 2^53", BOOK.replace("1736682893796", "9007199254740993")],
    ["fast as a string", BOOK.replace("]]}}", ']],"fast":"true"}}')],
    ["spread with an exponent", BOOK.replace("]]}}", ']],"spread":"1e-3"}}')],
  ])("%s", (_name, text) => {
    expect(scan(text)).toBe("fallback");
  });

  it("never handles a truncated frame", () => {
    for (const text of [BOOK, BBO]) {
      for (let end = 0; end < text.length; end++) expect(scan(text.slice(0, end))).not.toBe("handled");
    }
  });
});

describe("frames that are certainly not books", () => {
  it.each([
    ["pong", '{"channel":"pong"}'],
    ["an error", '{"channel":"error","data":"Invalid subscription"}'],
    ["a post reply", '{"channel":"post","data":{"id":1,"response":{"type":"error","payload":"x"}}}'],
    ["a look-alike channel", '{"channel":"l2Books","data":{}}'],
    ["the greeting", "Websocket connection established."],
    ["empty text", ""],
    ["an array", "[]"],
    ["null", "null"],
  ])("%s", (_name, text) => {
    expect(scan(text)).toBe("notBook");
  });

  it.each([
    [
      "a later duplicate channel key",
      '{"channel":"pong","channel":"l2Book","data":{"coin":"HYPE","time":1,"levels":[[],[]]}}',
    ],
    ["a backslash anywhere", '{"channel":"error","data":"a \\" quote"}'],
    [
      "an escaped book channel",
      '{"channel":"l2Boo\\u006b","data":{"coin":"HYPE","time":1,"levels":[[],[]]}}',
    ],
    ["leading whitespace", ' {"channel":"pong"}'],
  ])("but not with %s", (_name, text) => {
    expect(scan(text)).toBe("fallback");
  });
});

describe("bytes as the socket delivers them", () => {
  it("handles a book frame's bytes without reading beyond the view, like its string", () => {
    const pool = Buffer.from(`xx${BOOK}}]`);
    const view = pool.subarray(2, 2 + BOOK.length);
    expect(scanner.scanBytes(view)).toBe("handled");
    expect(levelsOf(scanner.frame.bids)).toEqual([
      [212_770, 8029, 2],
      [212_760, 31_710, 2],
    ]);
    // A truncated view followed by the bytes that would complete it.
    expect(scanner.scanBytes(pool.subarray(2, 2 + BOOK.length - 1))).toBe("fallback");
  });

  it.each([
    ["a non-ASCII coin", BOOK.replace('"HYPE"', '"HYP\u00c9"')],
    ["a non-ASCII byte in a price", BOOK.replace('"21.277"', '"21.2\u00b977"')],
  ])("never handles a frame with %s", (_name, text) => {
    expect(scan(text)).not.toBe("handled");
    expect(scanner.scanBytes(Buffer.from(text, "utf8"))).not.toBe("handled");
  });

  it("never handles invalid UTF-8 (the socket skips validation)", () => {
    const bytes = Buffer.from(BOOK);
    bytes[bytes.indexOf("HYPE") + 3] = 0xff;
    expect(scanner.scanBytes(bytes)).toBe("fallback");
    const channel = Buffer.from('{"channel":"po\xffg"}', "latin1");
    expect(scanner.scanBytes(channel)).toBe("notBook");
  });
});

describe("construction", () => {
  it("refuses coins it could not match verbatim, and duplicates", () => {
    const scales = books.perp.scales;
    expect(() => new FrameScanner([{ coin: 'A"B', scales }])).toThrow(RangeError);
    expect(() => new FrameScanner([{ coin: "A\\B", scales }])).toThrow(RangeError);
    expect(() => new FrameScanner([{ coin: "", scales }])).toThrow(RangeError);
    expect(
      () =>
        new FrameScanner([
          { coin: "HYPE", scales },
          { coin: "HYPE", scales },
        ]),
    ).toThrow(RangeError);
  });

  it("matches the whole coin, not a prefix of a longer one", () => {
    const spec = { ...HYPE_SPEC, spotCoin: "@1" };
    const pair = new MarketBooks(spec);
    const other = new MarketBooks({ ...spec, coin: "X", perpCoin: "X", spotCoin: "@10" });
    const both = new FrameScanner([pair.perp, pair.spot, other.perp, other.spot]);
    expect(both.scan('{"channel":"bbo","data":{"coin":"@10","time":1,"bbo":[null,null]}}')).toBe("handled");
    expect(both.frame.coin).toBe("@10");
    expect(both.targetIndex).toBe(3);
  });
});
