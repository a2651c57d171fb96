import { describe, expect, it } from "vitest";

import {
  abs,
  add,
  compare,
  DecimalError,
  divide,
  eq,
  formatDecimal,
  fromScaledBigInt,
  gt,
  gte,
  isInteger,
  isZero,
  leadingDigitExponent,
  lt,
  lte,
  mul,
  neg,
  parseDecimal,
  roundToDecimals,
  roundToSignificantFigures,
  sign,
  sub,
  toScaledBigInt,
} from "../../../hotpath/exchange/decimal/decimal.js";

const d = parseDecimal;
const text = (value: ReturnType<typeof parseDecimal>): string => formatDecimal(value);

describe("parseDecimal", () => {
  it.each([
    ["35.0", "35"],
    ["0.00031499", "0.00031499"],
    ["-1.5", "-1.5"],
    ["0", "0"],
    ["-0", "0"],
    ["-0.000", "0"],
    ["100", "100"],
    ["30000.0", "30000"],
    ["0.49968501", "0.49968501"],
    [
      "123456789012345678901234567890.123456789012345678901234567890",
      "123456789012345678901234567890.12345678901234567890123456789",
    ],
  ])("parses %j as %j", (input, expected) => {
    expect(text(d(input))).toBe(expected);
  });

  it("normalises, so that equal values have equal fields", () => {
    expect(d("35.000")).toEqual(d("35"));
    expect(d("35.000")).toEqual({ coefficient: 35n, scale: 0 });
    expect(d("-0.0")).toEqual({ coefficient: 0n, scale: 0 });
    expect(d("1.2300")).toEqual({ coefficient: 123n, scale: 2 });
  });

  it("returns frozen values", () => {
    expect(Object.isFrozen(d("1.5"))).toBe(true);
  });

  it.each([
    "",
    "+1",
    "1e5",
    "1E5",
    "1.5e-3",
    " 1",
    "1 ",
    "NaN",
    "Infinity",
    "-",
    ".5",
    "5.",
    "-.5",
    "01",
    "00.5",
    "1,5",
    "0x10",
    "1.2.3",
    "--1",
    "１",
  ])("rejects %j with a typed error naming the input", (input) => {
    let caught: unknown;
    try {
      d(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DecimalError);
    expect((caught as DecimalError).kind).toBe("parse");
    expect((caught as DecimalError).input).toBe(input);
    expect((caught as DecimalError).message).toContain(JSON.stringify(input));
  });
});

describe("formatDecimal", () => {
  it.each([
    [0n, 0, "0"],
    [-0n, 5, "0"],
    [5n, 1, "0.5"],
    [-5n, 3, "-0.005"],
    [400n, 1, "40"],
    [4000n, 0, "4000"],
    [123n, 2, "1.23"],
    [100000000n, 8, "1"],
    [1n, 8, "0.00000001"],
    [12n, -3, "12000"],
  ])("formats %s × 10^-%s as %j", (coefficient, scale, expected) => {
    expect(formatDecimal(fromScaledBigInt(coefficient, scale))).toBe(expected);
  });
});

describe("arithmetic", () => {
  it("adds, subtracts and multiplies exactly", () => {
    expect(text(add(d("0.1"), d("0.2")))).toBe("0.3");
    expect(text(sub(d("0.5"), d("0.00031499")))).toBe("0.49968501");
    expect(text(sub(d("1.5"), d("1.5")))).toBe("0");
    expect(text(mul(d("23.757"), d("0.43")))).toBe("10.21551");
    expect(text(mul(d("-2.5"), d("0.4")))).toBe("-1");
    expect(text(neg(d("0")))).toBe("0");
    expect(text(neg(d("1.5")))).toBe("-1.5");
    expect(text(abs(d("-1.5")))).toBe("1.5");
    expect(text(abs(d("1.5")))).toBe("1.5");
  });

  it("compares across scales", () => {
    expect(compare(d("1.10"), d("1.1"))).toBe(0);
    expect(compare(d("1.09"), d("1.1"))).toBe(-1);
    expect(compare(d("-1.09"), d("-1.1"))).toBe(1);
    expect(eq(d("2.50"), d("2.5"))).toBe(true);
    expect(lt(d("0.001"), d("0.01"))).toBe(true);
    expect(lte(d("0.01"), d("0.010"))).toBe(true);
    expect(gt(d("100"), d("99.9999"))).toBe(true);
    expect(gte(d("99.9999"), d("100"))).toBe(false);
    expect([sign(d("-3")), sign(d("0")), sign(d("0.1"))]).toEqual([-1, 0, 1]);
    expect([isZero(d("-0.0")), isZero(d("0.01"))]).toEqual([true, false]);
    expect([isInteger(d("40.0")), isInteger(d("40.5"))]).toEqual([true, false]);
  });

  it("divides to a stated scale and direction", () => {
    expect(text(divide(d("10"), d("23.757"), 2, "up"))).toBe("0.43");
    expect(text(divide(d("10"), d("23.757"), 2, "down"))).toBe("0.42");
    expect(text(divide(d("10"), d("40"), 2, "up"))).toBe("0.25");
    expect(text(divide(d("-10"), d("3"), 2, "up"))).toBe("-3.33");
    expect(text(divide(d("-10"), d("3"), 2, "down"))).toBe("-3.34");
    expect(text(divide(d("10"), d("-3"), 2, "down"))).toBe("-3.34");
    expect(text(divide(d("1"), d("8"), 2, "halfEven"))).toBe("0.12");
    expect(text(divide(d("3"), d("8"), 2, "halfEven"))).toBe("0.38");
    expect(text(divide(d("1234"), d("0.001"), 0, "down"))).toBe("1234000");
    expect(text(divide(d("0.00031499"), d("0.5"), 8, "halfEven"))).toBe("0.00062998");
  });

  it("throws a typed error on division by zero", () => {
    expect(() => divide(d("1"), d("0.000"), 2, "up")).toThrow(DecimalError);
    expect(() => divide(d("1"), d("0"), 2, "up")).toThrow(/division by zero/);
  });
});

describe("rounding", () => {
  it.each([
    ["40.12345", 3, "down", "40.123"],
    ["40.12345", 3, "up", "40.124"],
    ["-40.12345", 3, "down", "-40.124"],
    ["-40.12345", 3, "up", "-40.123"],
    ["2.5", 0, "halfEven", "2"],
    ["3.5", 0, "halfEven", "4"],
    ["-2.5", 0, "halfEven", "-2"],
    ["2.51", 0, "halfEven", "3"],
    ["99.9995", 3, "up", "100"],
    ["1.5", 5, "up", "1.5"],
    ["1234", -2, "down", "1200"],
    ["1234", -2, "up", "1300"],
    ["0.0001", 2, "down", "0"],
  ] as const)("roundToDecimals(%s, %s, %s) = %s", (input, decimals, rounding, expected) => {
    expect(text(roundToDecimals(d(input), decimals, rounding))).toBe(expected);
  });

  it.each([
    ["40.12345", 5, "down", "40.123"],
    ["9.123456", 5, "down", "9.1234"],
    ["0.0123456", 5, "down", "0.012345"],
    ["0.0123456", 5, "up", "0.012346"],
    ["99.9995", 5, "up", "100"],
    ["99999.5", 5, "up", "100000"],
    ["123456", 5, "down", "123450"],
    ["-123456", 2, "down", "-130000"],
    ["0", 3, "up", "0"],
    ["0.5", 1, "up", "0.5"],
  ] as const)("roundToSignificantFigures(%s, %s, %s) = %s", (input, figures, rounding, expected) => {
    expect(text(roundToSignificantFigures(d(input), figures, rounding))).toBe(expected);
  });

  it("rejects nonsensical digit counts", () => {
    expect(() => roundToSignificantFigures(d("1"), 0, "up")).toThrow(DecimalError);
    expect(() => roundToDecimals(d("1"), 1.5, "up")).toThrow(DecimalError);
  });

  it("finds the leading digit", () => {
    expect(leadingDigitExponent(d("123.4"))).toBe(2);
    expect(leadingDigitExponent(d("0.0123"))).toBe(-2);
    expect(leadingDigitExponent(d("-9"))).toBe(0);
    expect(() => leadingDigitExponent(d("0"))).toThrow(DecimalError);
  });
});

describe("fixed-scale bigint conversion", () => {
  it("converts to and from scaled bigints", () => {
    expect(toScaledBigInt(d("23.757"), 8)).toBe(2_375_700_000n);
    expect(toScaledBigInt(d("-0.5"), 2)).toBe(-50n);
    expect(toScaledBigInt(d("0"), 0)).toBe(0n);
    expect(text(fromScaledBigInt(2_375_700_000n, 8))).toBe("23.757");
    expect(text(fromScaledBigInt(-50n, 2))).toBe("-0.5");
  });

  it("refuses to round silently", () => {
    let caught: unknown;
    try {
      toScaledBigInt(d("0.00031499"), 6);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DecimalError);
    expect((caught as DecimalError).kind).toBe("inexact");
    expect((caught as DecimalError).input).toBe("0.00031499");
  });
});
