import { describe, expect, it } from "vitest";

import { DecimalError } from "../../../hotpath/exchange/decimal/decimal.js";
import { fromScaledNumber, toScaledNumber } from "../../../hotpath/exchange/decimal/scaled.js";

describe("toScaledNumber", () => {
  it.each([
    ["23.757", 8, 2_375_700_000],
    ["35.0", 8, 3_500_000_000],
    ["0.00031499", 8, 31_499],
    ["-1.5", 8, -150_000_000],
    ["0", 8, 0],
    ["12", 0, 12],
    ["1.50000000000000000000", 1, 15],
    // 2^53 − 1 is the largest exact result.
    ["90071992.54740991", 8, Number.MAX_SAFE_INTEGER],
    ["-90071992.54740991", 8, -Number.MAX_SAFE_INTEGER],
    ["9007199254740991", 0, Number.MAX_SAFE_INTEGER],
  ])("%s at scale %s is %s", (input, scale, expected) => {
    expect(toScaledNumber(input, scale)).toBe(expected);
  });

  it("turns -0 into +0", () => {
    expect(Object.is(toScaledNumber("-0", 8), 0)).toBe(true);
    expect(Object.is(toScaledNumber("-0.000", 2), 0)).toBe(true);
  });

  it.each([
    ["90071992.54740992", 8], // 2^53: beyond the exact range
    ["9007199254740993", 0],
    ["1e400", 0],
    ["1" + "0".repeat(400), 0],
    ["0.000000001", 8], // a digit below the unit
    ["1.5", 0],
    ["", 8],
    ["-", 8],
    ["+1", 8],
    ["1e5", 8],
    [" 1", 8],
    ["1 ", 8],
    ["NaN", 8],
    ["Infinity", 8],
    [".5", 8],
    ["5.", 8],
    ["01", 8],
    ["1.2.3", 8],
    ["1", -1],
    ["1", 1.5],
    ["1", 23],
  ])("%j at scale %s is NaN", (input, scale) => {
    expect(toScaledNumber(input, scale)).toBeNaN();
  });
});

describe("fromScaledNumber", () => {
  it.each([
    [2_375_700_000, 8, "23.757"],
    [3_500_000_000, 8, "35"],
    [31_499, 8, "0.00031499"],
    [-150_000_000, 8, "-1.5"],
    [0, 8, "0"],
    [-0, 8, "0"],
    [12, 0, "12"],
    [Number.MAX_SAFE_INTEGER, 8, "90071992.54740991"],
    [1, 22, "0.0000000000000000000001"],
  ])("%s at scale %s is %j", (units, scale, expected) => {
    expect(fromScaledNumber(units, scale)).toBe(expected);
  });

  it("refuses values that already lost exactness", () => {
    expect(() => fromScaledNumber(2 ** 53, 8)).toThrow(DecimalError);
    expect(() => fromScaledNumber(1.5, 8)).toThrow(DecimalError);
    expect(() => fromScaledNumber(Number.NaN, 8)).toThrow(DecimalError);
    expect(() => fromScaledNumber(1, -1)).toThrow(DecimalError);
  });
});
