import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

import fc from "fast-check";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  BINARY_COPY_HEADER,
  BINARY_COPY_TRAILER,
  BinaryCopyWriter,
  CopyValueError,
  uuidBytes,
} from "../../lambdas/edge-writer/pgBinaryCopy.js";
import { type TestPostgres, startTestPostgres } from "../support/postgres.js";

/** The numeric field a writer produced for `value`, without the COPY header and length prefix. */
function numericField(value: string): number[] {
  const writer = new BinaryCopyWriter(64);
  writer.numeric(value);
  const bytes = writer.finish();
  // int32 length, payload.
  const length = bytes.readInt32BE(0);
  const payload = bytes.subarray(4, 4 + length);
  const words: number[] = [];
  for (let at = 0; at < payload.length; at += 2) words.push(payload.readInt16BE(at));
  return words;
}

describe("binary COPY encoding (no server)", () => {
  it("writes numeric as PostgreSQL's base-10000 digits, weight, sign and display scale", () => {
    // [ndigits, weight, sign, dscale, ...digits]
    expect(numericField("310.022756")).toEqual([3, 0, 0, 6, 310, 227, 5600]);
    expect(numericField("-3.25")).toEqual([2, 0, 0x4000, 2, 3, 2500]);
    expect(numericField("12345678")).toEqual([2, 1, 0, 0, 1234, 5678]);
    expect(numericField("0.0000125")).toEqual([1, -2, 0, 7, 1250]);
    expect(numericField("309.71795800")).toEqual([3, 0, 0, 8, 309, 7179, 5800]);
    expect(numericField("10000")).toEqual([1, 1, 0, 0, 1]);
    // Zero keeps its scale, loses its sign (as the server's own input does).
    expect(numericField("-0.000")).toEqual([0, 0, 0, 3]);
    // Exponent forms, as String(double) writes them.
    expect(numericField("1.25e-7")).toEqual([2, -2, 0, 9, 12, 5000]); // 0.0000|0012|5000
    expect(numericField("1e+21")).toEqual([1, 5, 0, 0, 10]);
  });

  it("refuses what the server would refuse, with the SQLSTATE it would use", () => {
    const writer = new BinaryCopyWriter();
    for (const bad of ["", "-", "1.", ".5", "1e", "abc", "1,5", "NaN", "Infinity", "1.2.3"]) {
      expect(() => writer.numeric(bad), bad).toThrow(CopyValueError);
    }
    expect(() => writer.numeric("1e9999999")).toThrow(expect.objectContaining({ code: "22P02" }));
    expect(() => writer.numeric("1e999999")).toThrow(expect.objectContaining({ code: "22003" }));
    expect(() => writer.numeric(`1${"0".repeat(140_000)}`)).toThrow(
      expect.objectContaining({ code: "22003" }),
    );
    expect(() => writer.timestamptzFromEpochMs(1e16)).toThrow(expect.objectContaining({ code: "22008" }));
    expect(() => uuidBytes("3b0f3c1e-8a52-4d55-9a0e-4c1f2d7e9b1")).toThrow(CopyValueError);
    expect(uuidBytes("3B0F3C1E-8A52-4D55-9A0E-4C1F2D7E9B10").toString("hex")).toBe(
      "3b0f3c1e8a524d559a0e4c1f2d7e9b10",
    );
  });

  it("grows its buffer past the initial capacity without losing bytes", () => {
    const writer = new BinaryCopyWriter(64);
    const text = "héllo wörld ✓".repeat(50);
    for (let i = 0; i < 20; i += 1) {
      writer.beginRow(1);
      writer.text(text);
    }
    const bytes = writer.finish();
    const fieldBytes = Buffer.byteLength(text);
    expect(bytes.length).toBe(20 * (2 + 4 + fieldBytes));
    expect(bytes.subarray(6, 6 + fieldBytes).toString("utf8")).toBe(text);
  });
});

describe("binary COPY into a real server", () => {
  let db: TestPostgres;
  let client: pg.Client;

  beforeAll(async () => {
    db = await startTestPostgres();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.stop();
  });

  /** COPYs (index, numeric, timestamptz, text) rows; returns them as the server prints them, in UTC. */
  async function roundTrip(rows: readonly { num: string; ms: number; text: string }[]) {
    await client.query("SET TIME ZONE 'UTC'");
    await client.query("CREATE TEMP TABLE IF NOT EXISTS rt (i bigint, n numeric, t timestamptz, s text)");
    await client.query("TRUNCATE rt");
    const writer = new BinaryCopyWriter(256);
    rows.forEach((row, index) => {
      writer.beginRow(4);
      writer.int8(index);
      writer.numeric(row.num);
      writer.timestamptzFromEpochMs(row.ms);
      writer.text(row.text);
    });
    await pipeline(
      Readable.from([BINARY_COPY_HEADER, writer.finish(), BINARY_COPY_TRAILER]),
      client.query(copyFrom("COPY rt (i, n, t, s) FROM STDIN (FORMAT binary)")),
    );
    // The server parses the same decimal strings through its own text input, for comparison.
    const result = await client.query<{ i: string; n: string; expected_n: string; t: string; s: string }>(
      `SELECT i, n::text AS n, ($1::text[])[i + 1]::numeric::text AS expected_n, t::text AS t, s
       FROM rt ORDER BY i`,
      [rows.map((row) => row.num)],
    );
    return result.rows;
  }

  it("stores every decimal exactly as the server's own text input would (property)", async (ctx) => {
    // COPY FROM STDIN breaks PGlite's socket; there the writer uses unnest (edgeStore.test.ts).
    if (db.engine === "pglite") ctx.skip();
    const decimal = fc
      .tuple(
        fc.boolean(),
        fc.stringMatching(/^[0-9]{1,30}$/),
        fc.option(fc.stringMatching(/^[0-9]{1,30}$/), { nil: undefined }),
      )
      .map(([negative, int, frac]) => `${negative ? "-" : ""}${int}${frac === undefined ? "" : `.${frac}`}`);
    // What the writer sends for bps and VWAPs: the shortest round-trip decimal, exponent form included.
    const fromDouble = fc
      .double({ noNaN: true, noDefaultInfinity: true, min: -1e25, max: 1e25 })
      .map((value) => String(value));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(decimal, fromDouble), { minLength: 1, maxLength: 50 }),
        async (nums) => {
          const rows = await roundTrip(nums.map((num) => ({ num, ms: 0, text: "x" })));
          expect(rows.map((row) => row.n)).toEqual(rows.map((row) => row.expected_n));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("stores timestamps to the microsecond and any UTF-8 text", async (ctx) => {
    if (db.engine === "pglite") ctx.skip();
    const rows = await roundTrip([
      { num: "1", ms: Date.UTC(2026, 4, 1, 12, 0, 0) + 0.125, text: "HYPE" },
      { num: "2", ms: 0, text: "ünïcødé ✓ 𝄞" },
      { num: "3", ms: Date.UTC(1999, 11, 31, 23, 59, 59, 999) + 0.5, text: "tab\there\nnewline\\" },
    ]);
    expect(rows.map((row) => row.t)).toEqual([
      "2026-05-01 12:00:00.000125+00",
      "1970-01-01 00:00:00+00",
      "1999-12-31 23:59:59.9995+00",
    ]);
    expect(rows.map((row) => row.s)).toEqual(["HYPE", "ünïcødé ✓ 𝄞", "tab\there\nnewline\\"]);
  });
});
