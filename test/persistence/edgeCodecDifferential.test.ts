/**
 * The edge-writer's fast decoder (`decodeEdgeMessage`: version-2 columns validated whole, no rows) against
 * the reference decoder (`decodeEdgeBatch`: every row through the zod row-tuple schema). They must accept
 * the same bodies with the same edges, and refuse the same bodies with the same error.
 */

import { brotliCompressSync } from "node:zlib";

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  EDGE_STATUSES,
  EdgeBatchDecodeError,
  SKIP_REASONS,
  decodeEdgeBatch,
  decodeEdgeMessage,
  edgeCountOf,
  edgesOfMessage,
  encodeEdgeBatch,
  encodeEdgeBatchV2,
  type PersistedEdge,
} from "../../hotpath/persistence/edgeBatchCodec.js";
import {
  DECIMAL_COLUMNS,
  type EdgeColumns,
  FLOAT_COLUMNS,
  columnsFromRows,
  columnsToBytes,
} from "../../hotpath/persistence/edgeColumnsCodec.js";
import { edgeArbitrary } from "./edgeArbitraries.js";
import { TEST_BOOT_ID, canonical, makeEdge, makeEdges, makeNoisyEdges } from "./edgeFixtures.js";

type Verdict =
  | { readonly ok: true; readonly bootId: string; readonly edges: readonly PersistedEdge[] }
  | { readonly ok: false; readonly failure: string; readonly edgeIndex: number | undefined; message: string };

function verdict(decode: () => { bootId: string; edges: readonly PersistedEdge[] }): Verdict {
  try {
    const { bootId, edges } = decode();
    return { ok: true, bootId, edges };
  } catch (error) {
    if (!(error instanceof EdgeBatchDecodeError)) throw error;
    return { ok: false, failure: error.failure, edgeIndex: error.edgeIndex, message: error.message };
  }
}

/** Both decoders' verdicts on `body`, asserted equal; returns the verdict. */
function agree(body: string): Verdict {
  const reference = verdict(() => decodeEdgeBatch(body));
  const fast = verdict(() => {
    const message = decodeEdgeMessage(body);
    const edges = edgesOfMessage(message);
    expect(edgeCountOf(message)).toBe(edges.length);
    return { bootId: message.bootId, edges };
  });
  expect(fast).toEqual(reference);
  return reference;
}

/** A v2 body carrying exactly these column bytes. */
function v2Body(bytes: Uint8Array, n: number): string {
  return JSON.stringify({ v: 2, boot: TEST_BOOT_ID, n, z: brotliCompressSync(bytes).toString("base64") });
}

function canonicalEdges(edges: readonly PersistedEdge[]): PersistedEdge[] {
  return edges.map((edge) => ({ ...edge, spotNotional: canonical(edge.spotNotional) }));
}

/** Fixture edges that exercise every column: nulls, negatives, zero, long decimals, other coins. */
function variedEdges(): PersistedEdge[] {
  return canonicalEdges([
    ...makeEdges(1, 30),
    ...makeNoisyEdges(31, 30, 3),
    makeEdge(61, { grossBps: null, netBps: null, perpVwap: null, spotVwap: null, fundingRatePerHour: null }),
    makeEdge(62, { netBps: -0.000000125, fundingRatePerHour: 1.5e-9, perpVwap: 1e21, spotVwap: -0 }),
    makeEdge(63, {
      perpNotional: "90071992.54740991",
      spotSize: "0",
      hedgedSize: "-0.000000000000000000001",
    }),
    makeEdge(64, { coin: "ÜNI/✓", outcome: { kind: "traded", intentId: "x".repeat(128) } }),
    makeEdge(65, { coin: "C".repeat(32), recordedAtMs: 0, perpExchangeTimeMs: 0.5 }),
    makeEdge(66, { status: "overflow", clipLimit: "notionalHeadroom", edgeId: Number.MAX_SAFE_INTEGER }),
    makeEdge(67, { outcome: { kind: "skipped", reason: "orderInFlight" }, direction: "spotRich" }),
  ]);
}

describe("fast edge decoder against the reference decoder", () => {
  it("gives the same edges for valid version-2 bodies", async () => {
    const edges = variedEdges();
    const body = await encodeEdgeBatchV2(TEST_BOOT_ID, edges);
    const result = agree(body);
    expect(result).toMatchObject({ ok: true, bootId: TEST_BOOT_ID });
    expect(result.ok && result.edges).toEqual(edges);
    const message = decodeEdgeMessage(body);
    expect(message.columns?.count).toBe(edges.length); // no rows built on the writer's path
    expect(message.edges).toBeUndefined();
  });

  it("gives the same edges for version-1 bodies (rows, checked by the row schema on both paths)", () => {
    expect(agree(encodeEdgeBatch(TEST_BOOT_ID, makeEdges(1, 20))).ok).toBe(true);
    const bad = JSON.parse(encodeEdgeBatch(TEST_BOOT_ID, makeEdges(1, 3))) as { edges: unknown[][] };
    bad.edges[1]![0] = -5;
    expect(agree(JSON.stringify(bad))).toMatchObject({ ok: false, failure: "invalidEdge", edgeIndex: 1 });
  });

  it("agrees on random valid edges", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(edgeArbitrary, { minLength: 1, maxLength: 40 }), async (edges) => {
        const result = agree(await encodeEdgeBatchV2(TEST_BOOT_ID, edges));
        expect(result.ok).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  /** Columns of 12 valid edges (ids 7 traded), changed by `mutate`, as a body; both verdicts asserted equal. */
  function mutated(mutate: (columns: EdgeColumns) => void): Verdict {
    const columns = columnsFromRows(canonicalEdges(makeEdges(1, 12)));
    mutate(columns);
    return agree(v2Body(columnsToBytes(columns), columns.count));
  }

  it("refuses the same invalid columns with the same error, rule by rule", () => {
    const cases: [string, (c: EdgeColumns) => void, Partial<Verdict>][] = [
      ["edge id 0", (c) => (c.floats.edgeId[3] = 0), { edgeIndex: 3 }],
      ["negative edge id", (c) => (c.floats.edgeId[4] = -2), { edgeIndex: 4 }],
      ["fractional edge id", (c) => (c.floats.edgeId[5] = 1.5), { edgeIndex: 5 }],
      ["edge id beyond 2^53", (c) => (c.floats.edgeId[0] = 2 ** 53), { edgeIndex: 0 }],
      ["NaN edge id", (c) => (c.floats.edgeId[1] = Number.NaN), { edgeIndex: 1 }],
      ["negative time", (c) => (c.floats.recordedAtMs[2] = -1), { edgeIndex: 2 }],
      ["NaN time", (c) => (c.floats.perpReceivedAtMs[6] = Number.NaN), { edgeIndex: 6 }],
      ["infinite time", (c) => (c.floats.spotExchangeTimeMs[8] = Infinity), { edgeIndex: 8 }],
      ["unknown coin code", (c) => (c.codes.coin[9] = 1), { edgeIndex: 9 }],
      ["empty coin", (c) => (c.coins[0] = ""), { edgeIndex: 0 }],
      ["33-character coin", (c) => (c.coins[0] = "C".repeat(33)), { edgeIndex: 0 }],
      ["unknown direction", (c) => (c.codes.direction[10] = 2), { edgeIndex: 10 }],
      ["unknown status", (c) => (c.codes.status[11] = EDGE_STATUSES.length), { edgeIndex: 11 }],
      ["unknown clip limit", (c) => (c.codes.clipLimit[2] = 200), { edgeIndex: 2 }],
      ["unknown skip reason", (c) => (c.codes.outcome[3] = SKIP_REASONS.length + 1), { edgeIndex: 3 }],
      ["traded without an intent id left", (c) => (c.codes.outcome[1] = 0), { edgeIndex: 6 }],
      ["empty intent id", (c) => (c.intentIds[0] = ""), { edgeIndex: 6 }],
      ["129-character intent id", (c) => (c.intentIds[0] = "i".repeat(129)), { edgeIndex: 6 }],
      ["inexact units", (c) => (c.units.perpSize[4] = 2 ** 60), { edgeIndex: 4 }],
      ["fractional units", (c) => (c.units.spotNotional[5] = 0.5), { edgeIndex: 5 }],
      ["NaN units", (c) => (c.units.hedgedSize[7] = Number.NaN), { edgeIndex: 7 }],
      ["23 decimal places", (c) => (c.decimals.spotTakerFeeRate[8] = 23), { edgeIndex: 8 }],
    ];
    for (const [name, mutate, expected] of cases) {
      const result = mutated(mutate);
      expect(result, name).toMatchObject({ ok: false, failure: "invalidEdge", ...expected });
    }
  });

  it("refuses an intent id more than there are traded rows, with the same error", () => {
    const bytes = columnsToBytes(columnsFromRows(canonicalEdges(makeEdges(1, 12))));
    const headerLength = bytes.readUInt32LE(0);
    const header = JSON.parse(bytes.toString("utf8", 4, 4 + headerLength)) as { intents: string[] };
    header.intents.push("spare");
    const newHeader = Buffer.from(JSON.stringify(header));
    const start = (length: number): number => Math.ceil((4 + length) / 8) * 8;
    const out = Buffer.alloc(start(newHeader.length) + bytes.length - start(headerLength));
    out.writeUInt32LE(newHeader.length, 0);
    newHeader.copy(out, 4);
    bytes.copy(out, start(newHeader.length), start(headerLength));
    expect(agree(v2Body(out, 12))).toMatchObject({ ok: false, failure: "invalidEnvelope" });
  });

  it("reports the first bad row, as the row decoder does, when several columns are bad", () => {
    const result = mutated((c) => {
      c.units.perpSize[9] = 0.25;
      c.codes.status[4] = 77;
      c.floats.recordedAtMs[6] = -3;
    });
    expect(result).toMatchObject({ ok: false, edgeIndex: 4 });
  });

  it("agrees on random corruptions of the column values", () => {
    const floats = FLOAT_COLUMNS.length;
    const decimals = DECIMAL_COLUMNS.length;
    const special = fc.constantFrom(0, -0, -1, 0.5, 2 ** 53, 2 ** 60, Number.NaN, Infinity, -Infinity, 1e300);
    const corruption = fc.oneof(
      fc.record({
        kind: fc.constant("float" as const),
        column: fc.nat(floats - 1),
        row: fc.nat(11),
        value: special,
      }),
      fc.record({
        kind: fc.constant("units" as const),
        column: fc.nat(decimals - 1),
        row: fc.nat(11),
        value: special,
      }),
      fc.record({
        kind: fc.constant("places" as const),
        column: fc.nat(decimals - 1),
        row: fc.nat(11),
        value: fc.nat(255),
      }),
      fc.record({
        kind: fc.constant("code" as const),
        column: fc.nat(4),
        row: fc.nat(11),
        value: fc.nat(255),
      }),
    );
    const outcomes = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(fc.array(corruption, { minLength: 1, maxLength: 4 }), (corruptions) => {
        const result = mutated((c) => {
          for (const { kind, column, row, value } of corruptions) {
            if (kind === "float") c.floats[FLOAT_COLUMNS[column]!][row] = value;
            else if (kind === "units") c.units[DECIMAL_COLUMNS[column]!][row] = value;
            else if (kind === "places") c.decimals[DECIMAL_COLUMNS[column]!][row] = value;
            else
              c.codes[(["coin", "direction", "status", "clipLimit", "outcome"] as const)[column]!][row] =
                value;
          }
        });
        outcomes[result.ok ? "accepted" : "refused"] += 1;
      }),
      { numRuns: 400 },
    );
    // Both verdicts were exercised, many times.
    expect(outcomes.accepted).toBeGreaterThan(20);
    expect(outcomes.refused).toBeGreaterThan(100);
  });

  it("agrees on random byte flips anywhere in the inflated body, header included", () => {
    const bytes = columnsToBytes(columnsFromRows(canonicalEdges(makeEdges(1, 12))));
    const outcomes = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.nat(255)), { minLength: 1, maxLength: 6 }),
        (flips) => {
          const copy = Buffer.from(bytes);
          for (const [at, value] of flips) copy[at] = value;
          outcomes[agree(v2Body(copy, 12)).ok ? "accepted" : "refused"] += 1;
        },
      ),
      { numRuns: 400 },
    );
    expect(outcomes.accepted).toBeGreaterThan(20);
    expect(outcomes.refused).toBeGreaterThan(20);
  });
});
