/**
 * The msgpack encoder: differential against `@msgpack/msgpack` (ignoreUndefined) on random action-like
 * values, integer boundaries, and the refusals that protect the hash (floats, unsafe integers, lone
 * surrogates, non-plain objects).
 */

import { encode as referenceEncode } from "@msgpack/msgpack";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  encodeMsgpack,
  MsgpackEncodeError,
  MsgpackWriter,
  type MsgpackValue,
} from "../../hotpath/exchange/signing/msgpack.js";

/**
 * `@msgpack/msgpack` picks the shortest integer form for numbers but always 9 bytes for bigints (and with
 * `useBigInt64` it turns numbers above 32 bits into floats). Our encoder is shortest-form for both, so
 * the oracle input is normalised: 32-bit values as numbers, wider ones as bigints.
 */
function forReference(value: unknown): unknown {
  if (
    typeof value === "number" &&
    Number.isInteger(value) &&
    (value >= 0x1_0000_0000 || value < -0x8000_0000)
  ) {
    return BigInt(value);
  }
  if (typeof value === "bigint" && value < 0x1_0000_0000n && value >= -0x8000_0000n) return Number(value);
  if (Array.isArray(value)) return value.map(forReference);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, forReference(v)]));
  }
  return value;
}

function reference(value: unknown): string {
  return Buffer.from(
    referenceEncode(forReference(value), { ignoreUndefined: true, useBigInt64: true }),
  ).toString("hex");
}

const ours = (value: MsgpackValue): string => Buffer.from(encodeMsgpack(value)).toString("hex");

const INT_BOUNDARIES = [
  0,
  1,
  127,
  128,
  255,
  256,
  65535,
  65536,
  0xffff_ffff,
  0x1_0000_0000,
  Number.MAX_SAFE_INTEGER,
  -1,
  -31,
  -32,
  -33,
  -127,
  -128,
  -129,
  -32767,
  -32768,
  -32769,
  -0x8000_0000,
  -0x8000_0001,
  Number.MIN_SAFE_INTEGER,
];

const integerArb = fc.oneof(
  fc.constantFrom(...INT_BOUNDARIES),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.nat({ max: 0xffff }),
);
const bigintArb = fc.oneof(
  fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }),
  fc.bigInt({ min: -0x8000_0000_0000_0000n, max: 0n }),
  fc.constantFrom(0n, 0xffff_ffffn, 0x1_0000_0000n, 0xffff_ffff_ffff_ffffn, -0x8000_0000_0000_0000n),
);
const stringArb = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ minLength: 30, maxLength: 300 }),
  fc.constantFrom("", "0x000000000000000000000000000000aa", "40.123", "Ioc", "é", "€", "😀"),
);

/** Nested maps/arrays of the primitive kinds actions use; maps sometimes hold `undefined` (skipped). */
const valueArb = fc.letrec<{ value: MsgpackValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    stringArb,
    integerArb,
    bigintArb,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 20 }),
    fc.dictionary(fc.string({ maxLength: 12 }), fc.option(tie("value"), { nil: undefined, freq: 4 }), {
      maxKeys: 20,
    }) as fc.Arbitrary<MsgpackValue>,
  ),
})).value;

describe("msgpack encoder vs @msgpack/msgpack", () => {
  it("matches on random action-like values", () => {
    fc.assert(
      fc.property(valueArb, (value) => {
        expect(ours(value)).toBe(reference(value));
      }),
      { seed: 0x5eed, numRuns: 3000 },
    );
  });

  it("matches on every integer boundary, as number and as bigint", () => {
    for (const n of INT_BOUNDARIES) {
      expect(ours(n)).toBe(reference(n));
      expect(ours(BigInt(n))).toBe(reference(n));
    }
  });

  it("handles long arrays, maps and strings (16-bit and 32-bit headers)", () => {
    const longArray = Array.from({ length: 70000 }, (_, i) => i % 300);
    const bigMap = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i]));
    const longString = "x".repeat(70000);
    const mixed = "é".repeat(200);
    for (const value of [longArray, bigMap, longString, mixed, { s: longString, a: longArray }]) {
      expect(ours(value)).toBe(reference(value));
    }
  });

  it("keeps a reused writer correct after growing", () => {
    const writer = new MsgpackWriter(4);
    for (const value of [{ a: "x".repeat(5000) }, { type: "noop" }, [1, 2, 3]] as MsgpackValue[]) {
      writer.reset();
      writer.writeValue(value);
      expect(Buffer.from(writer.toBytes()).toString("hex")).toBe(reference(value));
    }
  });

  it("writes map keys in insertion order (not sorted)", () => {
    expect(ours({ type: "order", orders: [], grouping: "na" })).toBe(
      reference({ type: "order", orders: [], grouping: "na" }),
    );
    expect(ours({ b: 1, a: 2 })).toBe("82a16201a16102");
  });
});

describe("msgpack refusals", () => {
  const errorOf = (value: unknown): MsgpackEncodeError => {
    try {
      encodeMsgpack(value as MsgpackValue);
    } catch (e) {
      if (e instanceof MsgpackEncodeError) return e;
      throw e;
    }
    throw new Error("expected a MsgpackEncodeError");
  };

  it("throws on any non-integer number, with the path of the value", () => {
    fc.assert(
      fc.property(
        fc.double().filter((d) => !Number.isInteger(d)),
        (d) => {
          expect(() => encodeMsgpack(d)).toThrow(MsgpackEncodeError);
        },
      ),
      { seed: 7, numRuns: 500 },
    );
    const error = errorOf({ type: "order", orders: [{ a: 159, p: 40.5 }] });
    expect(error.path).toBe("$.orders[0].p");
    expect(error.message).toContain("non-integer number");
    expect(error.message).toContain("40.5");
    expect(() => encodeMsgpack(Number.NaN)).toThrow(/non-integer/);
    expect(() => encodeMsgpack(Number.POSITIVE_INFINITY)).toThrow(/non-integer/);
  });

  it("throws on integers beyond 2^53 and bigints beyond 64 bits", () => {
    expect(errorOf(2 ** 53).message).toContain("pass a bigint");
    expect(errorOf(2n ** 64n).message).toContain("u64/i64");
    expect(errorOf(-(2n ** 63n) - 1n).message).toContain("u64/i64");
  });

  it("throws on lone surrogates, undefined outside maps, and non-plain objects", () => {
    expect(errorOf({ s: "a\ud800b" }).path).toBe("$.s");
    expect(errorOf("\udc00").message).toContain("lone surrogate");
    expect(errorOf([1, undefined]).path).toBe("$[1]");
    expect(errorOf(undefined).message).toContain("only allowed as a map value");
    expect(errorOf({ d: new Date(0) }).message).toContain("plain objects");
    expect(errorOf({ m: new Map() }).path).toBe("$.m");
    expect(errorOf({ f: () => 1 }).message).toContain("function");
  });

  it("throws on cycles instead of overflowing the stack", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(errorOf(cyclic).message).toContain("nested deeper");
  });

  it("skips undefined map values entirely", () => {
    expect(ours({ a: 1, c: undefined })).toBe("81a16101");
    expect(ours({ type: "scheduleCancel", time: undefined })).toBe(ours({ type: "scheduleCancel" }));
  });
});
