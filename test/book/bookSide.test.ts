/** `BookSide.append`: the one set of rules both parsers go through. */

import { describe, expect, it } from "vitest";

import { BookSide } from "../../hotpath/book/bookSide.js";
import { levelsOf } from "./bookMessages.js";

describe("BookSide", () => {
  it("stores bids descending and asks ascending", () => {
    const bids = new BookSide(true, 4);
    expect(bids.append(300, 1, 1)).toBe(true);
    expect(bids.append(200, 2, 3)).toBe(true);
    expect(levelsOf(bids)).toEqual([
      [300, 1, 1],
      [200, 2, 3],
    ]);
    expect(bids.bestPrice()).toBe(300);
    expect(bids.totalSize()).toBe(3);

    const asks = new BookSide(false, 4);
    expect(asks.append(200, 1, 1)).toBe(true);
    expect(asks.append(300, 1, 1)).toBe(true);
    expect(asks.append(250, 1, 1)).toBe(false);
  });

  it.each([
    ["a repeated price", 300, 1, 1],
    ["a worse-ordered price", 301, 1, 1],
    ["a zero price", 0, 1, 1],
    ["a negative size", 100, -1, 1],
    ["a zero size", 100, 0, 1],
    ["an inexact price (NaN)", Number.NaN, 1, 1],
    ["an inexact size (NaN)", 100, Number.NaN, 1],
    ["a negative order count", 100, 1, -1],
    ["an order count beyond 2^53", 100, 1, 2 ** 53],
  ])("rejects %s", (_name, price, size, orders) => {
    const bids = new BookSide(true, 4);
    bids.append(300, 1, 1);
    expect(bids.append(price, size, orders)).toBe(false);
  });

  it("keeps the top `capacity` levels and still validates the rest", () => {
    const asks = new BookSide(false, 2);
    for (const price of [1, 2, 3, 4]) expect(asks.append(price, 1, 0)).toBe(true);
    expect(asks.depth).toBe(2);
    expect(asks.levelCount).toBe(4);
    expect(levelsOf(asks).map(([price]) => price)).toEqual([1, 2]);
    expect(asks.append(4, 1, 0)).toBe(false);
  });

  it("copies and clears without reallocating", () => {
    const source = new BookSide(true, 3);
    source.append(30, 1, 1);
    source.append(20, 2, 2);
    const target = new BookSide(true, 3);
    const prices = target.prices;
    target.copyFrom(source);
    expect(levelsOf(target)).toEqual(levelsOf(source));
    expect(target.prices).toBe(prices);
    expect(target.append(10, 1, 1)).toBe(true); // ordering continues from the copy
    expect(target.append(25, 1, 1)).toBe(false);
    target.clear();
    expect(target.depth).toBe(0);
    expect(target.bestPrice()).toBeNaN();
    expect(target.append(1000, 1, 1)).toBe(true);
  });

  it("refuses a capacity below one", () => {
    expect(() => new BookSide(true, 0)).toThrow(RangeError);
  });
});
