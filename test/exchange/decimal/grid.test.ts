import { describe, expect, it } from "vitest";

import { formatDecimal, parseDecimal } from "../../../hotpath/exchange/decimal/decimal.js";
import {
  type GridSpec,
  GridError,
  isValidPrice,
  isValidSize,
  limitPrice,
  maxPriceDecimals,
  meetsMinNotional,
  minSizeFor,
  notional,
  roundPrice,
  tickAt,
  truncateSize,
} from "../../../hotpath/exchange/decimal/grid.js";

const d = parseDecimal;
const HYPE_PERP: GridSpec = { market: "perp", szDecimals: 2 };
const HYPE_SPOT: GridSpec = { market: "spot", szDecimals: 2 };

describe("PROTOCOL §8.1 rules and docs examples", () => {
  it("caps price decimals at (6 perp | 8 spot) − szDecimals, never below zero", () => {
    expect(maxPriceDecimals(HYPE_PERP)).toBe(4);
    expect(maxPriceDecimals(HYPE_SPOT)).toBe(6);
    expect(maxPriceDecimals({ market: "perp", szDecimals: 7 })).toBe(0);
  });

  it.each([
    ["1234.5", { market: "perp", szDecimals: 0 }, true],
    ["1234.56", { market: "perp", szDecimals: 0 }, false],
    ["0.001234", { market: "perp", szDecimals: 0 }, true],
    ["0.0012345", { market: "perp", szDecimals: 0 }, false],
    ["0.01234", { market: "perp", szDecimals: 1 }, true],
    ["0.012345", { market: "perp", szDecimals: 1 }, false],
    ["0.0001234", { market: "spot", szDecimals: 0 }, true],
    ["0.0001234", { market: "spot", szDecimals: 1 }, true],
    // The docs call it invalid "above 2"; by the formula it is already invalid at 2 (PROTOCOL §8.1).
    ["0.0001234", { market: "spot", szDecimals: 2 }, false],
    ["0.0001234", { market: "spot", szDecimals: 3 }, false],
    ["123456", { market: "perp", szDecimals: 0 }, true],
    ["12345.6", { market: "perp", szDecimals: 0 }, false],
  ] as const)("isValidPrice(%s, %o) is %s", (px, spec, expected) => {
    expect(isValidPrice(d(px), spec)).toBe(expected);
  });

  it.each([
    ["1.001", 3, true],
    ["1.0001", 3, false],
    ["0.5", 2, true],
    ["0.43", 2, true],
    ["1473.06", 2, true],
    ["0.505", 2, false],
    ["0", 2, true],
    ["-0.5", 2, false],
  ] as const)("isValidSize(%s, %s) is %s", (sz, szDecimals, expected) => {
    expect(isValidSize(d(sz), szDecimals)).toBe(expected);
  });

  it("treats non-positive prices as invalid", () => {
    expect(isValidPrice(d("0"), HYPE_PERP)).toBe(false);
    expect(isValidPrice(d("-40"), HYPE_PERP)).toBe(false);
  });
});

describe("PROTOCOL §8.2 HYPE grid", () => {
  it.each([
    ["150", "0.01", "0.01"],
    ["999.99", "0.01", "0.01"],
    ["10", "0.001", "0.001"],
    ["99.999", "0.001", "0.001"],
    ["1", "0.0001", "0.0001"],
    ["9.9999", "0.0001", "0.0001"],
    ["0.5", "0.0001", "0.00001"],
    ["0.05", "0.0001", "0.000001"],
    ["0.005", "0.0001", "0.000001"],
    ["1000", "0.1", "0.1"],
    ["10000", "1", "1"],
    ["123456", "1", "1"],
  ])("tick at %s is %s perp and %s spot", (px, perpTick, spotTick) => {
    expect(formatDecimal(tickAt(d(px), HYPE_PERP))).toBe(perpTick);
    expect(formatDecimal(tickAt(d(px), HYPE_SPOT))).toBe(spotTick);
  });
});

describe("PROTOCOL §8.3 worked HYPE examples", () => {
  it.each([
    ["40.12345", HYPE_PERP, "40.123"],
    ["40.12345", HYPE_SPOT, "40.123"],
    ["9.123456", HYPE_PERP, "9.1234"],
    ["9.123456", HYPE_SPOT, "9.1234"],
    ["0.0123456", HYPE_SPOT, "0.012345"],
    ["0.0123456", HYPE_PERP, "0.0123"],
  ])("truncates %s to %s", (px, spec, expected) => {
    expect(roundPrice(d(px), spec, "down")).toBe(expected);
  });

  it("rejects 40.1234 (6 significant figures) and accepts the recorded bbo", () => {
    expect(isValidPrice(d("40.1234"), HYPE_PERP)).toBe(false);
    expect(isValidPrice(d("23.757"), HYPE_PERP)).toBe(true);
    expect(isValidPrice(d("23.758"), HYPE_SPOT)).toBe(true);
    expect(isValidPrice(d("23.7575"), HYPE_PERP)).toBe(false);
  });

  it("rounds 23.7575 to 23.757 or 23.758 by side", () => {
    const intended = d("23.7575");
    expect(limitPrice(intended, "buy", "aggressive", HYPE_PERP)).toBe("23.758");
    expect(limitPrice(intended, "sell", "aggressive", HYPE_PERP)).toBe("23.757");
    expect(limitPrice(intended, "buy", "passive", HYPE_PERP)).toBe("23.757");
    expect(limitPrice(intended, "sell", "passive", HYPE_PERP)).toBe("23.758");
  });

  it("leaves integers alone and never writes 40.0", () => {
    expect(roundPrice(d("40"), HYPE_PERP, "up")).toBe("40");
    expect(roundPrice(d("40.0"), HYPE_PERP, "down")).toBe("40");
    expect(roundPrice(d("123456"), HYPE_PERP, "down")).toBe("123456");
    expect(isValidPrice(d("40"), HYPE_SPOT)).toBe(true);
  });

  it("carries into the next power of ten", () => {
    expect(roundPrice(d("99.9995"), HYPE_PERP, "up")).toBe("100");
    expect(roundPrice(d("99.9995"), HYPE_PERP, "down")).toBe("99.999");
    expect(formatDecimal(tickAt(d("100"), HYPE_PERP))).toBe("0.01");
    expect(roundPrice(d("100.001"), HYPE_PERP, "up")).toBe("100.01");
    expect(roundPrice(d("9999.95"), HYPE_PERP, "up")).toBe("10000");
    expect(roundPrice(d("0.99999999"), HYPE_SPOT, "up")).toBe("1");
  });

  it.each([
    ["23.757", "0.43", "10.21551"],
    ["34.895", "0.29", "10.11955"],
    ["40", "0.25", "10"],
  ])("minimum size for $10 at %s is %s (notional %s)", (px, expectedSize, expectedNotional) => {
    const size = minSizeFor(d(px), 2);
    expect(size).toBe(expectedSize);
    expect(formatDecimal(notional(d(px), d(size)))).toBe(expectedNotional);
    expect(meetsMinNotional(d(px), d(size))).toBe(true);
    // One lot less must fall short, otherwise the size was not the smallest.
    const oneLotLess = d(size).coefficient - 1n;
    expect(meetsMinNotional(d(px), d(`0.${oneLotLess.toString().padStart(2, "0")}`))).toBe(false);
  });

  it("honours a custom minimum notional", () => {
    expect(minSizeFor(d("40"), 2, d("11"))).toBe("0.28");
    expect(meetsMinNotional(d("40"), d("0.27"), d("11"))).toBe(false);
    expect(meetsMinNotional(d("40"), d("0.28"), d("11"))).toBe(true);
  });

  it.each([
    ["0.5", "0.5"],
    ["0.43", "0.43"],
    ["1473.06", "1473.06"],
    ["0.505", "0.5"],
    // PROTOCOL §9.2: 0.5 HYPE bought, fee 0.00031499 HYPE, largest hedgeable lot 0.49.
    ["0.49968501", "0.49"],
    ["0.00968501", "0"],
    ["12", "12"],
  ])("truncates size %s to %s", (sz, expected) => {
    expect(truncateSize(d(sz), 2)).toBe(expected);
  });
});

describe("errors", () => {
  it("refuses non-positive prices", () => {
    expect(() => roundPrice(d("0"), HYPE_PERP, "up")).toThrow(GridError);
    expect(() => roundPrice(d("-1"), HYPE_PERP, "up")).toThrow(GridError);
    expect(() => tickAt(d("0"), HYPE_PERP)).toThrow(GridError);
  });

  it("refuses a price that rounds down to zero instead of sending '0'", () => {
    let caught: unknown;
    try {
      roundPrice(d("0.00001234"), HYPE_PERP, "down");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GridError);
    expect((caught as GridError).kind).toBe("price");
    expect((caught as GridError).input).toBe("0.00001234");
    // Upward, the smallest tick is a valid price.
    expect(roundPrice(d("0.00001234"), HYPE_PERP, "up")).toBe("0.0001");
  });

  it("refuses bad specs, negative sizes and a non-positive minimum", () => {
    expect(() => truncateSize(d("1"), -1)).toThrow(GridError);
    expect(() => truncateSize(d("1"), 1.5)).toThrow(GridError);
    expect(() => roundPrice(d("1"), { market: "spot", szDecimals: Number.NaN }, "up")).toThrow(GridError);
    expect(() => truncateSize(d("-0.5"), 2)).toThrow(GridError);
    expect(() => minSizeFor(d("40"), 2, d("0"))).toThrow(GridError);
    expect(() => minSizeFor(d("0"), 2)).toThrow(GridError);
  });
});
