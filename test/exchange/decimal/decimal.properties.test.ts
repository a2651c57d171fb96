/**
 * Property tests of the decimal core and the scaled-number fast path against decimal.js (exact at the
 * precision configured in `oracles.ts`) and against the wire grammar of `brands.ts`.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  abs,
  add,
  compare,
  type Decimal,
  divide,
  eq,
  formatDecimal,
  fromScaledBigInt,
  mul,
  neg,
  parseDecimal,
  type Rounding,
  roundToDecimals,
  roundToSignificantFigures,
  sub,
  toScaledBigInt,
} from "../../../hotpath/exchange/decimal/decimal.js";
import { fromScaledNumber, toScaledNumber } from "../../../hotpath/exchange/decimal/scaled.js";
import { asWireDecimal } from "../../../hotpath/exchange/wire/brands.js";
import { Big, decimalTextArb, PROPERTY_RUNS, withTrailingZeros } from "./oracles.js";

const CANONICAL_WIRE = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?$/;

const roundingArb: fc.Arbitrary<Rounding> = fc.constantFrom("up", "down", "halfEven");
const BIG_MODE = { up: Big.ROUND_CEIL, down: Big.ROUND_FLOOR, halfEven: Big.ROUND_HALF_EVEN } as const;

/** decimal.js result as our canonical text (decimal.js keeps the sign of a zero). */
function bigText(value: InstanceType<typeof Big>): string {
  return value.isZero() ? "0" : value.toFixed();
}

function text(value: Decimal): string {
  return formatDecimal(value);
}

/** Characters that make up numbers and the usual ways of getting them wrong. */
const junkTextArb = fc.string({
  unit: fc.constantFrom("0", "1", "5", "9", ".", "-", "+", "e", "E", " ", "x", "N", "a"),
  maxLength: 12,
});

const anyTextArb = fc.oneof(
  decimalTextArb(),
  fc.tuple(decimalTextArb(), fc.integer({ min: 0, max: 4 })).map(([t, zeros]) => withTrailingZeros(t, zeros)),
  junkTextArb,
);

function tryParse(input: string): Decimal | undefined {
  try {
    return parseDecimal(input);
  } catch {
    return undefined;
  }
}

describe("parse and format", () => {
  it("format(parse(t)) is t for canonical text, and t with trailing zeros", () => {
    fc.assert(
      fc.property(decimalTextArb(), fc.integer({ min: 0, max: 5 }), (canonical, zeros) => {
        expect(text(parseDecimal(withTrailingZeros(canonical, zeros)))).toBe(canonical);
      }),
      PROPERTY_RUNS,
    );
  });

  it("format is canonical and parse(format(x)) round-trips", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
        fc.integer({ min: -5, max: 40 }),
        (units, scale) => {
          const value = fromScaledBigInt(units, scale);
          const wire = formatDecimal(value);
          expect(wire).toMatch(CANONICAL_WIRE);
          expect(wire).not.toBe("-0");
          expect(eq(parseDecimal(wire), value)).toBe(true);
          expect(parseDecimal(wire)).toEqual(value);
          expect(wire).toBe(bigText(new Big(`${units}e${-scale}`)));
        },
      ),
      PROPERTY_RUNS,
    );
  });

  it("accepts exactly what the wire grammar of brands.ts accepts", () => {
    fc.assert(
      fc.property(anyTextArb, (input) => {
        let wireAccepts = true;
        try {
          asWireDecimal(input);
        } catch {
          wireAccepts = false;
        }
        expect(tryParse(input) !== undefined).toBe(wireAccepts);
      }),
      PROPERTY_RUNS,
    );
  });
});

describe("arithmetic agrees with decimal.js", () => {
  it("add, sub, mul, neg, abs, compare", () => {
    fc.assert(
      fc.property(decimalTextArb(), decimalTextArb(), (a, b) => {
        const x = parseDecimal(a);
        const y = parseDecimal(b);
        const bx = new Big(a);
        const by = new Big(b);
        expect(text(add(x, y))).toBe(bigText(bx.plus(by)));
        expect(text(sub(x, y))).toBe(bigText(bx.minus(by)));
        expect(text(mul(x, y))).toBe(bigText(bx.times(by)));
        expect(text(neg(x))).toBe(bigText(bx.neg()));
        expect(text(abs(x))).toBe(bigText(bx.abs()));
        expect(compare(x, y)).toBe(bx.cmp(by));
        expect(eq(x, y)).toBe(bx.eq(by));
      }),
      PROPERTY_RUNS,
    );
  });

  it("divide", () => {
    fc.assert(
      fc.property(
        decimalTextArb(),
        decimalTextArb().filter((t) => t !== "0"),
        fc.integer({ min: 0, max: 20 }),
        roundingArb,
        (a, b, scale, rounding) => {
          const expected = new Big(a).div(b).toDecimalPlaces(scale, BIG_MODE[rounding]);
          expect(text(divide(parseDecimal(a), parseDecimal(b), scale, rounding))).toBe(bigText(expected));
        },
      ),
      PROPERTY_RUNS,
    );
  });

  it("divide brackets the exact quotient by one unit in the last place", () => {
    fc.assert(
      fc.property(
        decimalTextArb(),
        decimalTextArb().filter((t) => t !== "0"),
        fc.integer({ min: 0, max: 12 }),
        (a, b, scale) => {
          const x = parseDecimal(a);
          const y = abs(parseDecimal(b));
          const ulp = fromScaledBigInt(1n, scale);
          const down = divide(x, y, scale, "down");
          const up = divide(x, y, scale, "up");
          // down × y ≤ x < (down + ulp) × y, and up is down or down + ulp.
          expect(compare(mul(down, y), x)).toBeLessThanOrEqual(0);
          expect(compare(mul(add(down, ulp), y), x)).toBe(1);
          expect(eq(up, down) || eq(up, add(down, ulp))).toBe(true);
        },
      ),
      PROPERTY_RUNS,
    );
  });

  it("roundToDecimals, including left of the point", () => {
    fc.assert(
      fc.property(
        decimalTextArb(),
        fc.integer({ min: -5, max: 22 }),
        roundingArb,
        (a, decimals, rounding) => {
          const mode = BIG_MODE[rounding];
          const value = new Big(a);
          const expected =
            decimals >= 0
              ? value.toDecimalPlaces(decimals, mode)
              : value
                  .div(new Big(10).pow(-decimals))
                  .toDecimalPlaces(0, mode)
                  .times(new Big(10).pow(-decimals));
          expect(text(roundToDecimals(parseDecimal(a), decimals, rounding))).toBe(bigText(expected));
        },
      ),
      PROPERTY_RUNS,
    );
  });

  it("roundToSignificantFigures", () => {
    fc.assert(
      fc.property(decimalTextArb(), fc.integer({ min: 1, max: 32 }), roundingArb, (a, figures, rounding) => {
        const expected = new Big(a).toSignificantDigits(figures, BIG_MODE[rounding]);
        expect(text(roundToSignificantFigures(parseDecimal(a), figures, rounding))).toBe(bigText(expected));
      }),
      PROPERTY_RUNS,
    );
  });

  it("toScaledBigInt inverts fromScaledBigInt", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 5 }),
        (units, scale, extra) => {
          const value = fromScaledBigInt(units, scale);
          expect(toScaledBigInt(value, scale)).toBe(units);
          expect(toScaledBigInt(value, scale + extra)).toBe(units * 10n ** BigInt(extra));
        },
      ),
      PROPERTY_RUNS,
    );
  });
});

describe("scaled-number fast path", () => {
  const scaleArb = fc.integer({ min: 0, max: 12 });
  // Up to 18 digits straddles 2^53 ≈ 9.007e15, so both exact and overflowing inputs appear.
  const scaledTextArb = fc.oneof(
    decimalTextArb(18, 14),
    fc.tuple(decimalTextArb(18, 14), fc.integer({ min: 0, max: 6 })).map(([t, z]) => withTrailingZeros(t, z)),
    junkTextArb,
  );

  it("agrees with parseDecimal wherever it claims exactness, and claims it wherever it holds", () => {
    fc.assert(
      fc.property(scaledTextArb, scaleArb, (input, scale) => {
        const fast = toScaledNumber(input, scale);
        const value = tryParse(input);
        const units = value !== undefined && value.scale <= scale ? toScaledBigInt(value, scale) : undefined;
        const representable =
          units !== undefined &&
          units <= BigInt(Number.MAX_SAFE_INTEGER) &&
          -units <= BigInt(Number.MAX_SAFE_INTEGER);
        if (!representable) {
          expect(fast).toBeNaN();
          return;
        }
        expect(Number.isSafeInteger(fast)).toBe(true);
        expect(Object.is(fast, -0)).toBe(false);
        expect(BigInt(fast)).toBe(units);
        expect(fromScaledNumber(fast, scale)).toBe(formatDecimal(value as Decimal));
      }),
      PROPERTY_RUNS,
    );
  });

  it("fromScaledNumber is canonical and inverts toScaledNumber", () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), scaleArb, (units, scale) => {
        const wire = fromScaledNumber(units, scale);
        expect(wire).toMatch(CANONICAL_WIRE);
        expect(toScaledBigInt(parseDecimal(wire), scale)).toBe(BigInt(units));
        expect(toScaledNumber(wire, scale)).toBe(units === 0 ? 0 : units);
      }),
      PROPERTY_RUNS,
    );
  });
});
