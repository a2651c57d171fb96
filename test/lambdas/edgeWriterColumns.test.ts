/**
 * The edge-writer's version-2 path: columns validated whole (`decodeEdgeMessage`) and encoded straight
 * into binary COPY rows (`encodeEdgeColumnRows`), never as row objects. The encoder must write exactly the
 * bytes the row encoder writes for the rows the reference decoder builds, and the handler must store
 * exactly what it stores for the same edges sent as version 1.
 */

import type pg from "pg";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import {
  type PersistedEdge,
  decodeEdgeBatch,
  decodeEdgeMessage,
  encodeEdgeBatch,
  encodeEdgeBatchV2,
} from "../../hotpath/persistence/edgeBatchCodec.js";
import { columnsFromRows, rowsFromColumns } from "../../hotpath/persistence/edgeColumnsCodec.js";
import { fromScaledNumber } from "../../hotpath/exchange/decimal/scaled.js";
import { createLogger } from "../../hotpath/observability/logger.js";
import { migrateUp } from "../../lambdas/db/migrate.js";
import { encodeEdgeColumnRows, encodeEdgeRows } from "../../lambdas/edge-writer/edgeCopy.js";
import { createEdgeStore } from "../../lambdas/edge-writer/edgeStore.js";
import { createEdgeWriterHandler } from "../../lambdas/edge-writer/edgeWriter.js";
import { BinaryCopyWriter } from "../../lambdas/edge-writer/pgBinaryCopy.js";
import { edgeArbitrary } from "../persistence/edgeArbitraries.js";
import {
  TEST_BOOT_ID,
  canonical,
  lambdaContext,
  makeEdge,
  makeEdges,
  makeNoisyEdges,
  sqsEvent,
  sqsRecord,
} from "../persistence/edgeFixtures.js";
import { type TestPostgres, startTestPostgres } from "../support/postgres.js";
import { connectPool } from "./connectPool.js";

const OTHER_BOOT = "9d7e1f00-1111-4222-8333-944455556666";

function canonicalEdges(edges: readonly PersistedEdge[]): PersistedEdge[] {
  return edges.map((edge) => ({ ...edge, spotNotional: canonical(edge.spotNotional) }));
}

/** Edges a version-2 body can carry that exercise every conversion of the encoder. */
function awkwardEdges(): PersistedEdge[] {
  return canonicalEdges([
    ...makeEdges(1, 20),
    ...makeNoisyEdges(21, 20, 5),
    makeEdge(41, { grossBps: null, netBps: null, perpVwap: null, spotVwap: null, fundingRatePerHour: null }),
    makeEdge(42, { netBps: -0.000000125, fundingRatePerHour: 1.5e-9, perpVwap: 1e21, spotVwap: -0 }),
    makeEdge(43, { perpNotional: "90071992.54740991", spotSize: "0", hedgedSize: "-0.0000000000000000001" }),
    makeEdge(44, { coin: "ÜNI/✓", outcome: { kind: "traded", intentId: "intent\twith\ttabs\\n ✓" } }),
    makeEdge(45, {
      recordedAtMs: 946_684_799_999.5,
      perpReceivedAtMs: 0,
      perpSize: "-1200",
      spotSize: "10000",
    }),
    makeEdge(46, { status: "overflow", clipLimit: "notionalHeadroom", edgeId: Number.MAX_SAFE_INTEGER }),
  ]);
}

/** The numeric field `write` produced. */
function field(write: (writer: BinaryCopyWriter) => void): Buffer {
  const writer = new BinaryCopyWriter(64);
  write(writer);
  return Buffer.from(writer.finish());
}

describe("binary COPY rows straight from columns (no server)", () => {
  it("writes a scaled decimal exactly as numeric() writes its canonical string", () => {
    const cases: [number, number][] = [
      [0, 0],
      [0, 7],
      [-0, 3],
      [1, 0],
      [-1, 22],
      [30971795800, 8],
      [310022756, 6],
      [120000, 0],
      [120000, 4],
      [10000, 4],
      [99990000, 8],
      [Number.MAX_SAFE_INTEGER, 0],
      [-Number.MAX_SAFE_INTEGER, 22],
      [Number.MAX_SAFE_INTEGER, 5],
      [5, 22],
      [123456789, 3],
    ];
    for (const [units, places] of cases) {
      const expected = field((w) => w.numeric(fromScaledNumber(units, places)));
      expect(
        field((w) => w.numericScaled(units, places)),
        `${units}e-${places}`,
      ).toEqual(expected);
    }
    // Hand-checked: 309.717958 = 309 | 7179 | 5800, weight 0, display scale 6 (trailing zeros dropped).
    expect([...field((w) => w.numericScaled(30971795800, 8)).subarray(4)]).toEqual([
      0, 3, 0, 0, 0, 0, 0, 6, 0x01, 0x35, 0x1c, 0x0b, 0x16, 0xa8,
    ]);
  });

  it("writes any scaled decimal as numeric() writes its canonical string (property)", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.maxSafeInteger(), fc.integer({ min: -1e6, max: 1e6 })),
        fc.integer({ min: 0, max: 22 }),
        (units, places) => {
          const expected = field((w) => w.numeric(fromScaledNumber(units, places)));
          expect(field((w) => w.numericScaled(units, places))).toEqual(expected);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("encodes columns byte for byte as the rows the reference decoder builds from them", async () => {
    const edges = awkwardEdges();
    const body = await encodeEdgeBatchV2(TEST_BOOT_ID, edges);
    const message = decodeEdgeMessage(body);
    const viaColumns = encodeEdgeRows(message);
    expect(viaColumns).toEqual(encodeEdgeRows(decodeEdgeBatch(body)));
    // … and as the original rows (canonical decimals), so the reference is not "identically wrong".
    expect(viaColumns).toEqual(encodeEdgeRows({ bootId: TEST_BOOT_ID, edges }));
    // Slices, as the store streams them, concatenate to the whole (intent ids stay in step).
    const columns = message.columns!;
    const parts = [0, 7, 8, 30, columns.count].map((at, i, all) =>
      i === 0 ? Buffer.alloc(0) : encodeEdgeColumnRows(TEST_BOOT_ID, columns, all[i - 1], at),
    );
    expect(Buffer.concat(parts)).toEqual(viaColumns);
  });

  it("encodes random columns byte for byte as the reference rows (property)", () => {
    fc.assert(
      fc.property(fc.array(edgeArbitrary, { minLength: 1, maxLength: 30 }), fc.boolean(), (edges, twice) => {
        // Rows repeated (with 0 and -0 swapped) exercise the encoder's copying of repeated values.
        const flip = (value: number | null): number | null => (value === 0 ? -value : value);
        const rows = twice
          ? edges.flatMap((edge) => [
              edge,
              { ...edge, grossBps: flip(edge.grossBps), netBps: flip(edge.netBps) },
            ])
          : edges;
        const columns = columnsFromRows(rows);
        expect(encodeEdgeColumnRows(OTHER_BOOT, columns)).toEqual(
          encodeEdgeRows({ bootId: OTHER_BOOT, edges: rowsFromColumns(columns) }),
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe("edge-writer handler with version-2 bodies", () => {
  let db: TestPostgres;
  let pool: pg.Pool;
  const lines: Record<string, unknown>[] = [];
  let handler: ReturnType<typeof createEdgeWriterHandler>;

  beforeAll(async () => {
    db = await startTestPostgres();
    await migrateUp({ databaseUrl: db.url });
    pool = await connectPool({ connectionString: db.url, max: 1 });
    const logger = createLogger({
      service: "edge-writer",
      level: "info",
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    handler = createEdgeWriterHandler({ db: pool, logger });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.stop();
  });
  beforeEach(async () => {
    lines.length = 0;
    await pool.query("TRUNCATE edges");
  });

  const count = async (): Promise<number> =>
    Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM edges")).rows[0]!.n);
  const stored = async (bootId: string): Promise<unknown[]> => {
    await pool.query("SET TIME ZONE 'UTC'");
    const result = await pool.query<{ row: unknown }>(
      `SELECT to_jsonb(e) - 'boot_id' - 'inserted_at' AS row FROM edges e WHERE boot_id = $1 ORDER BY edge_id`,
      [bootId],
    );
    return result.rows.map((r) => r.row);
  };

  it("stores exactly what the same edges sent as version 1 store", async () => {
    const edges = awkwardEdges();
    const v2 = await encodeEdgeBatchV2(TEST_BOOT_ID, edges.slice(0, 30));
    const v2more = await encodeEdgeBatchV2(TEST_BOOT_ID, edges.slice(30));
    const response = await handler(
      sqsEvent([
        sqsRecord(v2, "v2-a"),
        sqsRecord(encodeEdgeBatch(OTHER_BOOT, edges), "v1"),
        sqsRecord(v2more, "v2-b"),
      ]),
      lambdaContext("req-v2"),
    );
    expect(response.batchItemFailures).toEqual([]);
    const viaV2 = await stored(TEST_BOOT_ID);
    expect(viaV2).toHaveLength(edges.length);
    expect(viaV2).toEqual(await stored(OTHER_BOOT));
    expect(lines.find((l) => l["message"] === "edge-writer batch")).toMatchObject({
      records: 3,
      edges: 2 * edges.length,
      rows: 2 * edges.length,
    });
    const row = (
      await pool.query(
        `SELECT perp_notional::text AS n, spot_notional::text AS s, hedged_size::text AS h
       FROM edges WHERE boot_id = $1 AND edge_id = 43`,
        [TEST_BOOT_ID],
      )
    ).rows[0] as Record<string, string>;
    expect(row).toEqual({ n: "90071992.54740991", s: "309.717958", h: "-0.0000000000000000001" });
  });

  it("inserts no duplicates when version-2 messages are delivered again (the staging path)", async () => {
    const event = sqsEvent([
      sqsRecord(await encodeEdgeBatchV2(TEST_BOOT_ID, makeEdges(1, 3_000)), "a"),
      sqsRecord(await encodeEdgeBatchV2(TEST_BOOT_ID, makeEdges(2_001, 3_000)), "b"), // overlaps a
    ]);
    expect((await handler(event, lambdaContext("req-1"))).batchItemFailures).toEqual([]);
    expect(await count()).toBe(5_000);
    expect((await handler(event, lambdaContext("req-2"))).batchItemFailures).toEqual([]);
    expect(await count()).toBe(5_000);
    expect(lines.filter((l) => l["message"] === "edge-writer batch").map((l) => l["rows"])).toEqual([
      5_000, 0,
    ]);
  });

  it("fails a poison version-2 message alone, with the decoder's typed error", async () => {
    const good = await encodeEdgeBatchV2(TEST_BOOT_ID, makeEdges(1, 100));
    const poison = JSON.parse(await encodeEdgeBatchV2(TEST_BOOT_ID, makeEdges(101, 10))) as { n: number };
    poison.n = 11; // the bytes hold 10 rows
    const response = await handler(
      sqsEvent([sqsRecord(good, "good"), sqsRecord(JSON.stringify(poison), "poison")]),
      lambdaContext("req-poison"),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "poison" }]);
    expect(await count()).toBe(100);
    const error = lines.find((l) => l["message"] === "poison edge batch message");
    expect(error).toMatchObject({ level: "ERROR", messageId: "poison" });
    expect((error?.["err"] as { type: string }).type).toBe("EdgeBatchDecodeError");
    expect((error?.["err"] as { message: string }).message).toMatch(/^edge batch invalidEnvelope/);
  });

  it("isolates a version-2 message the database refuses although it decodes", async () => {
    const bad = await encodeEdgeBatchV2(TEST_BOOT_ID, [makeEdge(9_000, { recordedAtMs: 1e16 })]);
    const response = await handler(
      sqsEvent([
        sqsRecord(await encodeEdgeBatchV2(TEST_BOOT_ID, makeEdges(1, 50)), "ok-1"),
        sqsRecord(bad, "bad"),
        sqsRecord(await encodeEdgeBatchV2(TEST_BOOT_ID, makeEdges(51, 50)), "ok-2"),
      ]),
      lambdaContext("req-data"),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "bad" }]);
    expect(await count()).toBe(100);
  });

  it("stores version-2 columns identically through the unnest path", async () => {
    const edges = awkwardEdges();
    const message = decodeEdgeMessage(await encodeEdgeBatchV2(OTHER_BOOT, edges));
    expect(await createEdgeStore(pool, "unnest").insert([message])).toBe(edges.length);
    if (db.engine !== "pglite") {
      expect(await createEdgeStore(pool, "copy").insert([{ ...message, bootId: TEST_BOOT_ID }])).toBe(
        edges.length,
      );
      expect(await stored(TEST_BOOT_ID)).toEqual(await stored(OTHER_BOOT));
    }
    expect(await stored(OTHER_BOOT)).toHaveLength(edges.length);
  });
});
