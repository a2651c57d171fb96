/**
 * The journal's order-path shortcuts give exactly what the generic code gave:
 * - `validateIntent` reads char codes where it tested regexes: the same verdict, field and reason as the
 *   regex version kept below (`referenceProblem`), on random and adversarial strings;
 * - an intent record's line (`LineEncoder.encodeIntent`, `intentRecordJson`) is byte for byte the line of
 *   `JSON.stringify({ t: "intent", intent })`, for any valid intent, whatever its key order or strings;
 * - the checksum read from the encoded bytes equals the one of the string;
 * - `appendIntent` writes the same bytes, returns the same state and refuses the same intents.
 */

import { readFileSync } from "node:fs";
import { crc32 } from "node:zlib";

import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";

import type { Cloid, WireDecimal } from "../../hotpath/exchange/wire/brands.js";
import {
  INTENT_ACTIONS,
  type Intent,
  type IntentId,
  type IntentLeg,
  IntentValidationError,
  toIntentId,
  validateIntent,
} from "../../hotpath/execution/intent.js";
import { crc32OfBytes } from "../../hotpath/execution/journal/crc32.js";
import { JournalRecordRefusedError } from "../../hotpath/execution/journal/errors.js";
import { intentRecordJson } from "../../hotpath/execution/journal/intentRecordJson.js";
import { encodeRecord, lineOf, LineEncoder } from "../../hotpath/execution/journal/records.js";
import { BOOT_ID, cloid, d, followUpIntent, leg, openIntent, T0 } from "./intentState.fixtures.js";
import { closeJournals, openJournal, removeTempDirs, tempDir } from "./journal.fixtures.js";

// ---------------------------------------------------------------------------------------------------------
// The regex validation as it was, kept as the reference the char-code version must match.

const INTENT_ID_RE = /^[0-9A-Za-z-]{1,64}:[1-9][0-9]{0,15}$/;
const POSITIVE_DECIMAL_RE = /^(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?$/;
const CLOID_RE = /^0x[0-9a-f]{32}$/;
const TIFS: ReadonlySet<string> = new Set(["Gtc", "Ioc", "Alo"]);

type Problem = readonly [field: string, reason: string];

function referenceProblem(intent: Intent): Problem | null {
  return referenceIntentProblem(intent) ?? referenceLegsProblem(intent);
}

function referenceIntentProblem(intent: Intent): Problem | null {
  if (typeof intent.intentId !== "string" || !INTENT_ID_RE.test(intent.intentId)) {
    return ["intentId", "is not <bootId>:<sequence>"];
  }
  if (!INTENT_ACTIONS.includes(intent.action))
    return ["action", `is not one of ${INTENT_ACTIONS.join(", ")}`];
  if (intent.action === "hedge" || intent.action === "unwind") {
    if (intent.parentIntentId === null || !INTENT_ID_RE.test(intent.parentIntentId)) {
      return ["parentIntentId", `must name the root intent of a ${intent.action}`];
    }
  } else if (intent.parentIntentId !== null) {
    return ["parentIntentId", `must be null for an ${intent.action} (only hedge/unwind follow a root)`];
  }
  if (typeof intent.bootId !== "string" || intent.bootId.length === 0) return ["bootId", "is empty"];
  if (intent.edgeId !== null && !(Number.isSafeInteger(intent.edgeId) && intent.edgeId > 0)) {
    return ["edgeId", `${intent.edgeId} is not a positive whole number or null`];
  }
  if (typeof intent.positionId !== "string" || intent.positionId.length === 0)
    return ["positionId", "is empty"];
  if (typeof intent.coin !== "string" || intent.coin.length === 0) return ["coin", "is empty"];
  if (intent.direction !== "perpRich" && intent.direction !== "spotRich") {
    return ["direction", `${String(intent.direction)} is not perpRich or spotRich`];
  }
  if (!isEpochMs(intent.createdAtMs)) return ["createdAtMs", "is not a positive whole number of ms"];
  return null;
}

function referenceLegsProblem(intent: Intent): Problem | null {
  const legs = intent.legs;
  const followUp = intent.action === "hedge" || intent.action === "unwind";
  if (followUp ? legs.length === 0 : legs.length !== 2) {
    return ["legs", followUp ? "must not be empty" : `must be one perp and one spot leg, got ${legs.length}`];
  }
  if (!followUp && legs[0]?.market === legs[1]?.market) return ["legs", "must be one perp and one spot leg"];
  for (let index = 0; index < legs.length; index++) {
    const one = legs[index] as IntentLeg;
    const problem = referenceLegProblem(one);
    if (problem !== null) return [`legs[${index}].${problem[0]}`, problem[1]];
    for (let other = 0; other < index; other++) {
      if ((legs[other] as IntentLeg).cloid === one.cloid)
        return [`legs[${index}].cloid`, "repeats another leg's cloid"];
    }
  }
  return null;
}

function referenceLegProblem(one: IntentLeg): Problem | null {
  if (one.market !== "perp" && one.market !== "spot") return ["market", "is not perp or spot"];
  if (!(Number.isSafeInteger(one.asset) && one.asset >= 0)) return ["asset", "is not a whole number"];
  if (one.side !== "buy" && one.side !== "sell") return ["side", "is not buy or sell"];
  if (!referenceIsPositiveDecimal(one.limitPx))
    return ["limitPx", `${one.limitPx} is not a canonical positive decimal`];
  if (!referenceIsPositiveDecimal(one.size))
    return ["size", `${one.size} is not a canonical positive decimal`];
  if (!CLOID_RE.test(one.cloid)) return ["cloid", `${one.cloid} is not 0x + 32 lower-case hex digits`];
  if (typeof one.reduceOnly !== "boolean") return ["reduceOnly", "is not a boolean"];
  if (!TIFS.has(one.tif)) return ["tif", `${one.tif} is not Gtc, Ioc or Alo`];
  if (!isEpochMs(one.nonce)) return ["nonce", "is not a positive whole number"];
  if (!isEpochMs(one.expiresAfter)) return ["expiresAfter", "is not a positive whole number of ms"];
  return null;
}

function isEpochMs(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}

function referenceIsPositiveDecimal(value: string): boolean {
  return typeof value === "string" && POSITIVE_DECIMAL_RE.test(value) && value !== "0";
}

/** What `validateIntent` says: null, or the field and reason it names. */
function verdict(intent: Intent): Problem | null {
  try {
    validateIntent(intent);
    return null;
  } catch (error) {
    if (!(error instanceof IntentValidationError)) throw error;
    return [error.field, error.reason];
  }
}

// ---------------------------------------------------------------------------------------------------------
// Strings: random, and near misses of valid ids, decimals and cloids.

const UUID = BOOT_ID;
const VALID_CLOID = "0x00000000000000aa000000000000002a";

/** Characters that matter to the patterns, plus look-alikes (full-width and Arabic-Indic digits, …). */
const TRICKY = [...'0123456789abcdefABCDEFxX.:-_ +/\\"\n\t\u0000é０٣ß\u00a0', "\ud800", "\udc00", "😀"];

const trickyString = fc.array(fc.constantFrom(...TRICKY), { maxLength: 40 }).map((chars) => chars.join(""));

/** A valid value changed at one place: a character inserted, removed, replaced or upper-cased. */
function nearMiss(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(
      valid,
      fc.nat(),
      fc.constantFrom(...TRICKY),
      fc.constantFrom("insert", "remove", "replace", "upper"),
    )
    .map(([text, at, char, how]) => {
      const index = text.length === 0 ? 0 : at % (text.length + (how === "insert" ? 1 : 0));
      switch (how) {
        case "insert":
          return text.slice(0, index) + char + text.slice(index);
        case "remove":
          return text.slice(0, index) + text.slice(index + 1);
        case "replace":
          return text.slice(0, index) + char + text.slice(index + 1);
        default:
          return text.slice(0, index) + text.charAt(index).toUpperCase() + text.slice(index + 1);
      }
    });
}

const digits = (min: number, max: number) =>
  fc.array(fc.constantFrom(..."0123456789"), { minLength: min, maxLength: max }).map((c) => c.join(""));
const validDecimal = fc
  .tuple(
    fc.oneof(
      fc.constant("0"),
      fc.tuple(fc.constantFrom(..."123456789"), digits(0, 12)).map(([a, b]) => a + b),
    ),
    fc.option(
      fc.tuple(digits(0, 10), fc.constantFrom(..."123456789")).map(([a, b]) => `.${a}${b}`),
      { nil: "" },
    ),
  )
  .map(([whole, fraction]) => whole + fraction)
  .filter((text) => text !== "0");
const decimalish = fc.oneof(
  validDecimal,
  nearMiss(validDecimal),
  // leading zeros, trailing dots and zeros, signs, exponents, empty
  fc
    .tuple(validDecimal, fc.constantFrom("0", "00", ".", "0.", ".0", "-", "+", "e1", " "))
    .chain(([text, extra]) => fc.constantFrom(extra + text, text + extra)),
  fc.constantFrom("", "0", "00", "0.0", "1.", ".5", "1.50", "01", "1e3", "Infinity", "NaN", "0x1", "1_000"),
  trickyString,
  fc.string({ unit: "binary", maxLength: 30 }),
);

const hex = (length: number, alphabet = "0123456789abcdef") =>
  fc.array(fc.constantFrom(...alphabet), { minLength: length, maxLength: length }).map((c) => c.join(""));
const validCloid = hex(32).map((h) => `0x${h}`);
const cloidish = fc.oneof(
  validCloid,
  nearMiss(validCloid),
  hex(32, "0123456789abcdefABCDEF").map((h) => `0x${h}`),
  fc.integer({ min: 0, max: 40 }).chain((length) => hex(length).map((h) => `0x${h}`)),
  validCloid.map((c) => `0X${c.slice(2)}`),
  validCloid.map((c) => `${c}\n`),
  trickyString,
  fc.string({ unit: "binary", maxLength: 40 }),
);

const bootAlphabet = [..."0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-"];
const validIntentId = fc
  .tuple(
    fc.array(fc.constantFrom(...bootAlphabet), { minLength: 1, maxLength: 64 }).map((c) => c.join("")),
    fc.tuple(fc.constantFrom(..."123456789"), digits(0, 15)).map(([a, b]) => a + b),
  )
  .map(([boot, sequence]) => `${boot}:${sequence}`);
const intentIdish = fc.oneof(
  validIntentId,
  nearMiss(validIntentId),
  fc.constantFrom(
    `${UUID}:0`,
    `${UUID}:01`,
    `${UUID}:`,
    `:1`,
    `${UUID}:1:2`,
    `${"a".repeat(64)}:1`,
    `${"a".repeat(65)}:1`,
    `${UUID}:${"9".repeat(16)}`,
    `${UUID}:${"9".repeat(17)}`,
    `${UUID}:1\n`,
    `${UUID}::1`,
    "",
  ),
  fc.integer({ min: 0, max: 200 }).map((n) => `${"b".repeat(n)}:${"7".repeat(1 + (n % 20))}`),
  trickyString,
  fc.string({ unit: "binary", maxLength: 80 }),
);

/** Values of the wrong type: the regex converted them to strings, and so must the new code. */
const notAString = fc.constantFrom<unknown>(
  undefined,
  0,
  12,
  true,
  [],
  [VALID_CLOID],
  [`${UUID}:1`],
  { toString: () => VALID_CLOID },
  { toString: () => `${UUID}:3` },
);

function rootWith(overrides: Partial<Intent>, legOverrides: Partial<IntentLeg>[] = []): Intent {
  const base = openIntent(1);
  return {
    ...base,
    ...overrides,
    legs: base.legs.map((one, index) => ({ ...one, ...(legOverrides[index] ?? {}) })),
  };
}

function hedgeWith(parentIntentId: unknown): Intent {
  const root = openIntent(1);
  const base = followUpIntent(root, 2, "hedge", [leg({ cloid: cloid(99) })]);
  return { ...base, parentIntentId: parentIntentId as IntentId };
}

describe("validateIntent without regexes", () => {
  const runs = { numRuns: 3000 };

  it("gives the regex version's verdict for any intent id", () => {
    fc.assert(
      fc.property(intentIdish, (id) => {
        const intent = rootWith({ intentId: id as IntentId });
        expect(verdict(intent)).toEqual(referenceProblem(intent));
        let accepted = true;
        try {
          toIntentId(id);
        } catch {
          accepted = false;
        }
        expect(accepted).toBe(INTENT_ID_RE.test(id));
      }),
      runs,
    );
  });

  it("gives the regex version's verdict for any parent intent id, of any type", () => {
    fc.assert(
      fc.property(fc.oneof(intentIdish, notAString), (parent) => {
        const intent = hedgeWith(parent);
        expect(verdict(intent)).toEqual(referenceProblem(intent));
      }),
      runs,
    );
  });

  it("gives the regex version's verdict for any price and size", () => {
    fc.assert(
      fc.property(decimalish, decimalish, fc.nat(1), (px, size, index) => {
        const changes: Partial<IntentLeg>[] = [];
        changes[index] = { limitPx: px as WireDecimal, size: size as WireDecimal };
        const intent = rootWith({}, changes);
        expect(verdict(intent)).toEqual(referenceProblem(intent));
      }),
      runs,
    );
  });

  it("gives the regex version's verdict for any cloid, of any type", () => {
    fc.assert(
      fc.property(fc.oneof(cloidish, notAString), fc.nat(1), (value, index) => {
        const changes: Partial<IntentLeg>[] = [];
        changes[index] = { cloid: value as Cloid };
        const intent = rootWith({}, changes);
        expect(verdict(intent)).toEqual(referenceProblem(intent));
      }),
      runs,
    );
  });

  it("agrees on fixed examples", () => {
    const accepts = (intent: Intent) => expect(verdict(intent)).toBeNull();
    const refuses = (intent: Intent, field: string) => {
      expect(verdict(intent)?.[0]).toBe(field);
      expect(verdict(intent)).toEqual(referenceProblem(intent));
    };
    accepts(rootWith({ intentId: `${"A".repeat(64)}:${"9".repeat(16)}` as IntentId }));
    refuses(rootWith({ intentId: `${"A".repeat(65)}:1` as IntentId }), "intentId");
    refuses(rootWith({ intentId: `${UUID}:${"1".repeat(17)}` as IntentId }), "intentId");
    refuses(rootWith({ intentId: `${UUID}:01` as IntentId }), "intentId");
    refuses(rootWith({ intentId: `${UUID}:0` as IntentId }), "intentId");
    refuses(rootWith({ intentId: `${UUID}_x:1` as IntentId }), "intentId");
    refuses(rootWith({ intentId: `${UUID}:１` as IntentId }), "intentId");
    for (const good of ["1", "0.5", "24.512", "100", "0.0001", "123456789.987654321"]) {
      accepts(rootWith({}, [{ limitPx: d(good), size: d(good) }]));
    }
    for (const bad of [
      "0",
      "",
      "00",
      "01",
      "1.",
      ".5",
      "1.0",
      "1.50",
      "0.0",
      "-1",
      "+1",
      "1e2",
      " 1",
      "1 ",
      "٣",
    ]) {
      refuses(rootWith({}, [{ limitPx: d(bad) }]), "legs[0].limitPx");
      refuses(rootWith({}, [{}, { size: d(bad) }]), "legs[1].size");
    }
    accepts(rootWith({}, [{ cloid: VALID_CLOID as Cloid }]));
    for (const bad of [
      VALID_CLOID.toUpperCase(),
      `0X${VALID_CLOID.slice(2)}`,
      `${VALID_CLOID}0`,
      VALID_CLOID.slice(0, -1),
      `${VALID_CLOID.slice(0, -1)}g`,
      `${VALID_CLOID.slice(0, -1)}A`,
      `${VALID_CLOID}\n`,
      "",
    ]) {
      refuses(rootWith({}, [{ cloid: bad as Cloid }]), "legs[0].cloid");
    }
    // The regex converted a non-string to a string; so does the new code.
    accepts(hedgeWith([`${UUID}:1`]));
    expect(() => verdict(hedgeWith(Symbol("x")))).toThrow(TypeError);
    expect(() => referenceProblem(hedgeWith(Symbol("x")))).toThrow(TypeError);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The intent record's JSON and line.

/** Free-form strings (no format imposed by validation): anything non-empty, escapes and surrogates included. */
const freeText = fc.oneof(
  fc.constantFrom(
    "HYPE",
    "PURR/USDC",
    "@107",
    BOOT_ID,
    'a"b',
    "a\\b",
    "tab\t",
    "\u0000",
    "é",
    "😀",
    "\ud800",
    "\u007f",
  ),
  fc.string({ unit: "binary", minLength: 1, maxLength: 20 }),
  fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 20 }),
);
const whole = fc.oneof(
  fc.integer({ min: 1, max: 2_000_000_000_000 }),
  fc.maxSafeNat().filter((n) => n > 0),
);

const legArbitrary = fc.record({
  market: fc.constantFrom("perp" as const, "spot" as const),
  asset: fc.oneof(fc.nat(20_000), fc.constant(-0), fc.maxSafeNat()),
  side: fc.constantFrom("buy" as const, "sell" as const),
  limitPx: validDecimal.map(d),
  size: validDecimal.map(d),
  cloid: validCloid.map((c) => c as Cloid),
  reduceOnly: fc.boolean(),
  tif: fc.constantFrom("Gtc" as const, "Ioc" as const, "Alo" as const),
  nonce: whole,
  expiresAfter: whole,
});

/** A valid intent: a root (one perp, one spot leg) or a follow-up (1–3 legs), cloids distinct. */
const validIntent: fc.Arbitrary<Intent> = fc
  .record({
    intentId: validIntentId.map((id) => id as IntentId),
    parentIntentId: validIntentId.map((id) => id as IntentId),
    bootId: freeText,
    edgeId: fc.option(whole, { nil: null }),
    positionId: freeText,
    coin: freeText,
    direction: fc.constantFrom("perpRich" as const, "spotRich" as const),
    action: fc.constantFrom(...INTENT_ACTIONS),
    legs: fc.array(legArbitrary, { minLength: 1, maxLength: 3 }),
    createdAtMs: whole,
  })
  .map((intent): Intent => {
    const followUp = intent.action === "hedge" || intent.action === "unwind";
    const legs = followUp
      ? intent.legs
      : [
          { ...(intent.legs[0] as IntentLeg), market: "perp" as const },
          { ...((intent.legs[1] ?? intent.legs[0]) as IntentLeg), market: "spot" as const },
        ];
    return {
      ...intent,
      parentIntentId: followUp ? intent.parentIntentId : null,
      legs: legs.map((one, index) => ({
        ...one,
        cloid: `${one.cloid.slice(0, -2)}${index}${index}` as Cloid,
      })),
    };
  })
  .filter((intent) => verdict(intent) === null);

/** The same fields with the keys of the intent and of each leg in another order. */
function shuffled<T extends object>(value: T, order: readonly number[]): T {
  const entries = Object.entries(value);
  const out: [string, unknown][] = [];
  const taken = new Set<number>();
  for (const pick of order) {
    const index = pick % entries.length;
    if (!taken.has(index)) {
      taken.add(index);
      out.push(entries[index] as [string, unknown]);
    }
  }
  entries.forEach((entry, index) => {
    if (!taken.has(index)) out.push(entry);
  });
  return Object.fromEntries(out) as T;
}

const shuffledIntent = fc
  .tuple(validIntent, fc.array(fc.nat(20), { maxLength: 10 }), fc.array(fc.nat(20), { maxLength: 10 }))
  .map(([intent, order, legOrder]) =>
    shuffled({ ...intent, legs: intent.legs.map((one) => shuffled(one, legOrder)) }, order),
  );

/** The encoder's line as latin1 text (one character per byte: cheap to compare, exact). */
function lineBytes(encoder: LineEncoder): string {
  return encoder.buffer.toString("latin1", 0, encoder.lineBytes);
}

/** A string's UTF-8 bytes as latin1 text, to compare with `lineBytes`. */
function utf8Bytes(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
}

describe("the intent record without JSON.stringify", () => {
  it("is JSON.stringify's text and line, byte for byte, for any valid intent in any key order", () => {
    const encoder = new LineEncoder();
    fc.assert(
      fc.property(fc.oneof(validIntent, shuffledIntent), (intent) => {
        const expected = JSON.stringify({ t: "intent", intent });
        const fast = intentRecordJson(intent);
        if (fast !== null) expect(fast).toBe(expected);
        expect(encoder.encodeIntent(intent)).toBe(expected);
        expect(lineBytes(encoder)).toBe(utf8Bytes(encodeRecord({ t: "intent", intent })));
      }),
      { numRuns: 3000 },
    );
  });

  it("takes the fast path for intents as the builders make them, with plain strings", () => {
    fc.assert(
      fc.property(validIntent, (intent) => {
        const plain = /^[\x20-\x7e]*$/;
        fc.pre(![intent.bootId, intent.positionId, intent.coin].some((text) => /["\\]/.test(text)));
        fc.pre([intent.bootId, intent.positionId, intent.coin].every((text) => plain.test(text)));
        expect(intentRecordJson(intent)).toBe(JSON.stringify({ t: "intent", intent }));
      }),
      { numRuns: 500 },
    );
  });

  it("writes the builders' order exactly, and leaves anything else to JSON.stringify", () => {
    const builderOrder: Intent = {
      intentId: `${BOOT_ID}:7` as IntentId,
      parentIntentId: null,
      bootId: BOOT_ID,
      edgeId: 42,
      positionId: `${BOOT_ID}:7`,
      coin: "HYPE",
      direction: "perpRich",
      action: "open",
      legs: [
        {
          market: "perp",
          asset: 159,
          side: "sell",
          limitPx: d("24.512"),
          size: d("0.49"),
          cloid: cloid(1),
          reduceOnly: false,
          tif: "Ioc",
          nonce: T0,
          expiresAfter: T0 + 5000,
        },
        {
          market: "spot",
          asset: 10107,
          side: "buy",
          limitPx: d("24.538"),
          size: d("0.5"),
          cloid: cloid(2),
          reduceOnly: true,
          tif: "Ioc",
          nonce: T0 + 1,
          expiresAfter: T0 + 5000,
        },
      ],
      createdAtMs: T0,
    };
    expect(intentRecordJson(builderOrder)).toBe(
      `{"t":"intent","intent":{"intentId":"${BOOT_ID}:7","parentIntentId":null,"bootId":"${BOOT_ID}","edgeId":42,` +
        `"positionId":"${BOOT_ID}:7","coin":"HYPE","direction":"perpRich","action":"open","legs":[` +
        `{"market":"perp","asset":159,"side":"sell","limitPx":"24.512","size":"0.49","cloid":"${cloid(1)}",` +
        `"reduceOnly":false,"tif":"Ioc","nonce":${T0},"expiresAfter":${T0 + 5000}},` +
        `{"market":"spot","asset":10107,"side":"buy","limitPx":"24.538","size":"0.5","cloid":"${cloid(2)}",` +
        `"reduceOnly":true,"tif":"Ioc","nonce":${T0 + 1},"expiresAfter":${T0 + 5000}}],"createdAtMs":${T0}}}`,
    );
    expect(intentRecordJson({ ...builderOrder, coin: 'say "HYPE"\n' })).toBe(
      JSON.stringify({ t: "intent", intent: { ...builderOrder, coin: 'say "HYPE"\n' } }),
    );
    expect(intentRecordJson({ ...builderOrder, edgeId: null })).toBe(
      JSON.stringify({ t: "intent", intent: { ...builderOrder, edgeId: null } }),
    );
    // Not the builders' shape: null, and the encoder writes JSON.stringify's text.
    const fixtureOrder = openIntent(3); // its legs have `cloid` last
    const extraKey = { ...builderOrder, note: "x" } as Intent;
    const missingKey: Record<string, unknown> = { ...builderOrder };
    delete missingKey["edgeId"];
    const classLeg: IntentLeg = Object.assign<object, IntentLeg>(
      Object.create({ inherited: true }) as object,
      builderOrder.legs[0] as IntentLeg,
    );
    const notPlain = { ...builderOrder, legs: [classLeg, builderOrder.legs[1] as IntentLeg] };
    const nullProto: Intent = Object.assign<object, Intent>(Object.create(null) as object, builderOrder);
    // Valid (validation reads it) but not written by JSON.stringify (not enumerable).
    const hiddenLast = Object.defineProperty({ ...builderOrder }, "createdAtMs", { enumerable: false });
    const hiddenLegLast = {
      ...builderOrder,
      legs: [
        Object.defineProperty({ ...builderOrder.legs[0] }, "expiresAfter", { enumerable: false }),
        builderOrder.legs[1],
      ],
    } as Intent;
    expect(verdict(hiddenLast)).toBeNull();
    expect(verdict(hiddenLegLast)).toBeNull();
    const encoder = new LineEncoder();
    for (const odd of [
      fixtureOrder,
      extraKey,
      missingKey as unknown as Intent,
      notPlain,
      nullProto,
      hiddenLast,
      hiddenLegLast,
    ]) {
      expect(intentRecordJson(odd)).toBeNull();
      expect(encoder.encodeIntent(odd)).toBe(JSON.stringify({ t: "intent", intent: odd }));
    }
  });
});

describe("LineEncoder checksums the bytes it wrote", () => {
  it("writes the line of lineOf(json) for any text, in the buffer it has or a grown one", () => {
    const encoder = new LineEncoder();
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => {
        const length = encoder.encode(text);
        expect(length).toBe(encoder.lineBytes);
        expect(lineBytes(encoder)).toBe(utf8Bytes(lineOf(text)));
      }),
      { numRuns: 2000 },
    );
    // The JS fallback (for a Node without zlib.crc32) agrees with zlib on the same bytes.
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => {
        const bytes = Buffer.from(text, "utf8");
        expect(crc32OfBytes(bytes, bytes.length)).toBe(crc32(bytes));
      }),
      { numRuns: 500 },
    );
    const long = `${"é".repeat(40_000)}😀${"x".repeat(10)}`; // beyond the first 64 KiB
    encoder.encode(long);
    expect(lineBytes(encoder)).toBe(utf8Bytes(lineOf(long)));
  });
});

// ---------------------------------------------------------------------------------------------------------
// appendIntent as a whole.

afterEach(() => {
  closeJournals();
  removeTempDirs();
});

function lastLine(file: string): string {
  const lines = readFileSync(file, "utf8").split("\n");
  return `${lines[lines.length - 2]}\n`;
}

describe("appendIntent on the fast path", () => {
  for (const mode of ["fsyncBeforeSend", "reserveAhead"] as const) {
    it(`writes the generic line, returns the journal's state and refuses as before (${mode})`, () => {
      const { journal } = openJournal(tempDir(), { mode });
      const next = (sequence: number, shape: "builder" | "fixture", coin = "HYPE"): Intent => {
        const fixture = openIntent(sequence, {
          perpCloid: journal.nextCloid(),
          spotCloid: journal.nextCloid(),
          createdAtMs: T0,
        });
        if (shape === "fixture") return { ...fixture, coin };
        const legs = fixture.legs.map((one) => ({
          market: one.market,
          asset: one.asset,
          side: one.side,
          limitPx: one.limitPx,
          size: one.size,
          cloid: one.cloid,
          reduceOnly: one.reduceOnly,
          tif: one.tif,
          nonce: one.nonce,
          expiresAfter: one.expiresAfter,
        }));
        const { intentId, parentIntentId, bootId, edgeId, positionId, direction, action, createdAtMs } =
          fixture;
        return {
          intentId,
          parentIntentId,
          bootId,
          edgeId,
          positionId,
          coin,
          direction,
          action,
          legs,
          createdAtMs,
        };
      };
      const intents = [next(1, "builder"), next(2, "fixture"), next(3, "builder", 'a "quoted"\tcoin é')];
      for (const intent of intents) {
        const bytesBefore = journal.stats.bytes;
        const state = journal.appendIntent(intent);
        expect(state).toBe(journal.state(intent.intentId));
        expect(lastLine(journal.file)).toBe(encodeRecord({ t: "intent", intent }));
        expect(journal.stats.bytes - bytesBefore).toBe(
          Buffer.byteLength(encodeRecord({ t: "intent", intent })),
        );
      }
      expect(journal.stats.syncFallbacks).toBe(0);
      // Refused as before, nothing written: invalid, already open, a cloid in use.
      const bytes = journal.stats.bytes;
      const invalid = { ...next(4, "builder"), coin: "" };
      expect(() => journal.appendIntent(invalid)).toThrow(JournalRecordRefusedError);
      expect(() => journal.appendIntent(intents[0] as Intent)).toThrow(/already open/);
      const reused = { ...next(5, "builder"), legs: (intents[1] as Intent).legs };
      expect(() => journal.appendIntent(reused)).toThrow(/already used/);
      expect(journal.stats.bytes).toBe(bytes);
    });
  }
});
