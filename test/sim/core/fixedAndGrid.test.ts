import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FixedPointError, divRound, formatFx, parseFx } from "./fixed.js";
import {
  isValidPrice,
  isValidSize,
  nextPriceDown,
  nextPriceUp,
  perpGrid,
  snapPrice,
  snapSizeDown,
  spotGrid,
} from "./grid.js";

const PERP = perpGrid(2);
const SPOT = spotGrid(2);

describe("fixed-point decimals", () => {
  it("parses wire decimals, including trailing zeros", () => {
    expect(parseFx("40")).toBe(4_000_000_000n);
    expect(parseFx("35.0")).toBe(3_500_000_000n);
    expect(parseFx("-0.00031499")).toBe(-31_499n);
    expect(parseFx("1.100000000")).toBe(110_000_000n);
  });

  it("refuses more than 8 significant decimals and non-plain forms", () => {
    expect(() => parseFx("0.000000001")).toThrow(FixedPointError);
    expect(() => parseFx("1e5")).toThrow(FixedPointError);
    expect(() => parseFx(".5")).toThrow(FixedPointError);
  });

  it("formats canonically", () => {
    expect(formatFx(4_000_000_000n)).toBe("40");
    expect(formatFx(49_965_000n)).toBe("0.49965");
    expect(formatFx(-31_499n)).toBe("-0.00031499");
    expect(formatFx(0n)).toBe("0");
  });

  it("round-trips every scaled value", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), (value) => {
        expect(parseFx(formatFx(value))).toBe(value);
      }),
    );
  });

  it("rounds quotients in every mode", () => {
    expect(divRound(7n, 2n, "floor")).toBe(3n);
    expect(divRound(-7n, 2n, "floor")).toBe(-4n);
    expect(divRound(7n, 2n, "ceil")).toBe(4n);
    expect(divRound(-7n, 2n, "ceil")).toBe(-3n);
    expect(divRound(-7n, 2n, "trunc")).toBe(-3n);
    expect(divRound(5n, 2n, "halfEven")).toBe(2n);
    expect(divRound(7n, 2n, "halfEven")).toBe(4n);
    expect(divRound(-5n, 2n, "halfUp")).toBe(-3n);
  });
});

describe("price and size grid (PROTOCOL §8)", () => {
  it("accepts and refuses the documented examples", () => {
    expect(isValidPrice(parseFx("40.123"), PERP)).toBe(true);
    expect(isValidPrice(parseFx("40.1234"), PERP)).toBe(false); // 6 significant figures
    expect(isValidPrice(parseFx("9.1234"), PERP)).toBe(true);
    expect(isValidPrice(parseFx("23.7575"), SPOT)).toBe(false);
    expect(isValidPrice(parseFx("123456"), PERP)).toBe(true); // integers always
    expect(isValidPrice(parseFx("12345.6"), PERP)).toBe(false);
    expect(isValidPrice(parseFx("0.012345"), SPOT)).toBe(true);
    expect(isValidPrice(parseFx("0.012345"), PERP)).toBe(false); // 4 decimals on the perp
  });

  it("snaps in the requested direction", () => {
    expect(formatFx(snapPrice(parseFx("40.12345"), PERP, "down"))).toBe("40.123");
    expect(formatFx(snapPrice(parseFx("40.12345"), PERP, "up"))).toBe("40.124");
    expect(formatFx(snapPrice(parseFx("9.123456"), PERP, "down"))).toBe("9.1234");
    expect(formatFx(snapPrice(parseFx("0.0123456"), SPOT, "down"))).toBe("0.012345");
    expect(formatFx(snapPrice(parseFx("0.0123456"), PERP, "down"))).toBe("0.0123");
    expect(formatFx(snapPrice(parseFx("99.9995"), PERP, "up"))).toBe("100");
    expect(formatFx(snapPrice(parseFx("123456.7"), PERP, "nearest"))).toBe("123457");
  });

  it("steps across decades on the grid", () => {
    expect(formatFx(nextPriceUp(parseFx("99.999"), PERP))).toBe("100");
    expect(formatFx(nextPriceUp(parseFx("100"), PERP))).toBe("100.01");
    expect(formatFx(nextPriceDown(parseFx("100"), PERP) ?? 0n)).toBe("99.999");
    expect(formatFx(nextPriceDown(parseFx("10"), SPOT) ?? 0n)).toBe("9.9999");
  });

  it("every snapped price is valid and on the requested side", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1_000n, max: 10n ** 15n }),
        fc.constantFrom(PERP, SPOT),
        fc.constantFrom("down" as const, "up" as const, "nearest" as const),
        (px, grid, direction) => {
          let snapped: bigint;
          try {
            snapped = snapPrice(px, grid, direction);
          } catch (error) {
            // Only tiny prices can round down to zero.
            expect(error).toBeInstanceOf(FixedPointError);
            return;
          }
          expect(isValidPrice(snapped, grid)).toBe(true);
          if (direction === "down") expect(snapped <= px).toBe(true);
          if (direction === "up") expect(snapped >= px).toBe(true);
          const up = nextPriceUp(snapped, grid);
          expect(up > snapped && isValidPrice(up, grid)).toBe(true);
        },
      ),
    );
  });

  it("truncates sizes to the lot", () => {
    expect(formatFx(snapSizeDown(parseFx("0.505"), SPOT))).toBe("0.5");
    expect(isValidSize(parseFx("0.43"), SPOT)).toBe(true);
    expect(isValidSize(parseFx("0.505"), SPOT)).toBe(false);
    expect(isValidSize(0n, SPOT)).toBe(false);
  });
});
