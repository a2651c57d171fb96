import type pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import type { PersistedEdge } from "../../hotpath/persistence/edgeBatchCodec.js";
import { migrateUp } from "../../lambdas/db/migrate.js";
import {
  type EdgeInsertMethod,
  type EdgeStore,
  copyFromStdinUnsupported,
  createEdgeStore,
} from "../../lambdas/edge-writer/edgeStore.js";
import { TEST_BOOT_ID, makeEdge, makeEdges } from "../persistence/edgeFixtures.js";
import { type TestPostgres, startTestPostgres } from "../support/postgres.js";
import { connectPool } from "./connectPool.js";
import { type TcpProxy, startTcpProxy } from "./tcpProxy.js";

const OTHER_BOOT = "9d7e1f00-1111-4222-8333-944455556666";

/** Edges that exercise every conversion: nulls, negatives, exponent-form doubles, long decimals, UTF-8. */
function awkwardEdges(): PersistedEdge[] {
  return [
    ...makeEdges(1, 50),
    makeEdge(51, { grossBps: null, netBps: null, perpVwap: null, spotVwap: null, fundingRatePerHour: null }),
    makeEdge(52, { netBps: -0.000000125, fundingRatePerHour: 1.5e-9, perpVwap: 1e21, spotVwap: 123456.789 }),
    makeEdge(53, { perpNotional: "12345678901234567890.123456789012345678", spotSize: "-0.000" }),
    makeEdge(54, { coin: "ÜNI/✓", outcome: { kind: "traded", intentId: "intent\twith\ttabs\\n" } }),
    makeEdge(55, { recordedAtMs: 946_684_799_999.5, perpReceivedAtMs: 0 }),
    makeEdge(56, {
      status: "overflow",
      clipLimit: "notionalHeadroom",
      outcome: { kind: "skipped", reason: "paused" },
    }),
  ];
}

describe("edge store (COPY and unnest paths)", () => {
  let db: TestPostgres;
  let proxy: TcpProxy;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await startTestPostgres();
    await migrateUp({ databaseUrl: db.url });
    // Through a proxy that can cut the database away (PGlite takes one connection: one pool for all).
    const target = new URL(db.url);
    proxy = await startTcpProxy(target.hostname, Number(target.port));
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    pool = await connectPool({
      connectionString: viaProxy.toString(),
      max: 1,
      connectionTimeoutMillis: 2_000,
    });
  });
  afterAll(async () => {
    await pool?.end();
    await proxy?.close();
    await db?.stop();
  });
  beforeEach(async () => {
    await pool.query("TRUNCATE edges");
  });

  const count = async (): Promise<number> =>
    Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM edges")).rows[0]!.n);

  /** The methods this engine can run: COPY needs a real server. */
  const methods = (): EdgeInsertMethod[] => (db.engine === "pglite" ? ["unnest"] : ["copy", "unnest"]);

  it("auto picks COPY on a real server and unnest on PGlite, by what the server says it is", async () => {
    const expected = db.engine === "pglite" ? "unnest" : "copy";
    expect(await createEdgeStore(pool).method()).toBe(expected);
    expect(
      copyFromStdinUnsupported(
        "PostgreSQL 18.6 (PGlite 0.5.14) on wasm32-unknown-emscripten, compiled by emcc (Emscripten gcc/clang-like replacement + linker emulating GNU ld) 6.0.5, 32-bit",
      ),
    ).toBe(true);
    expect(
      copyFromStdinUnsupported(
        "PostgreSQL 15.14 (Debian 15.14-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit",
      ),
    ).toBe(false);
  });

  it("keeps only the indexes the writer needs; a per-coin time range still scans by the primary key", async () => {
    const indexes = await pool.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE tablename = 'edges' ORDER BY indexname",
    );
    expect(indexes.rows.map((r) => r.indexname)).toEqual(["edges_intent_id_idx", "edges_pkey"]);
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SET LOCAL enable_seqscan = off"); // an empty table would otherwise be scanned whole
      const plan = await client.query<{ "QUERY PLAN": string }>(
        `EXPLAIN SELECT * FROM edges WHERE coin = 'HYPE'
           AND recorded_at >= '2026-05-01T00:00:00Z' AND recorded_at < '2026-05-02T00:00:00Z'`,
      );
      expect(plan.rows.map((r) => r["QUERY PLAN"]).join("\n")).toMatch(
        /Index (Only )?Scan using edges_default_pkey/,
      );
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  it("stores identical rows through both paths", async (ctx) => {
    if (db.engine === "pglite") ctx.skip(); // one path only there
    await createEdgeStore(pool, "copy").insert([{ bootId: TEST_BOOT_ID, edges: awkwardEdges() }]);
    await createEdgeStore(pool, "unnest").insert([{ bootId: OTHER_BOOT, edges: awkwardEdges() }]);
    await pool.query("SET TIME ZONE 'UTC'");
    const rows = async (bootId: string): Promise<unknown[]> =>
      (
        await pool.query(
          `SELECT to_jsonb(e) - 'boot_id' - 'inserted_at' AS row FROM edges e WHERE boot_id = $1 ORDER BY edge_id`,
          [bootId],
        )
      ).rows.map((r: { row: unknown }) => r.row);
    const viaCopy = await rows(TEST_BOOT_ID);
    expect(viaCopy).toHaveLength(awkwardEdges().length);
    expect(viaCopy).toEqual(await rows(OTHER_BOOT));
    // Spot checks against values written by hand, so "identical" is not "identically wrong".
    const byId = new Map(viaCopy.map((row) => [(row as { edge_id: number }).edge_id, row]));
    expect(byId.get(52)).toMatchObject({
      net_bps: -0.000000125,
      funding_rate_per_hour: 1.5e-9,
      perp_vwap: 1e21,
    });
    expect(byId.get(53)).toMatchObject({ spot_size: 0.0 });
    expect(
      (
        await pool.query(`SELECT perp_notional::text AS n FROM edges WHERE edge_id = 53 AND boot_id = $1`, [
          TEST_BOOT_ID,
        ])
      ).rows[0],
    ).toEqual({ n: "12345678901234567890.123456789012345678" });
    expect(byId.get(54)).toMatchObject({ coin: "ÜNI/✓", intent_id: "intent\twith\ttabs\\n" });
    expect(byId.get(55)).toMatchObject({
      recorded_at: "1999-12-31T23:59:59.9995+00:00",
      perp_received_at: "1970-01-01T00:00:00+00:00",
    });
  });

  for (const method of ["copy", "unnest"] as const) {
    describe(`${method} path`, () => {
      let store: EdgeStore;
      beforeEach((ctx) => {
        if (!methods().includes(method)) ctx.skip();
        store = createEdgeStore(pool, method);
      });

      it("inserts only what is new when edges are delivered again, counting new rows", async () => {
        expect(await store.insert([{ bootId: TEST_BOOT_ID, edges: makeEdges(1, 100) }])).toBe(100);
        expect(await store.insert([{ bootId: TEST_BOOT_ID, edges: makeEdges(51, 100) }])).toBe(50);
        expect(
          await store.insert([
            { bootId: TEST_BOOT_ID, edges: makeEdges(1, 150) },
            { bootId: OTHER_BOOT, edges: makeEdges(1, 10) },
          ]),
        ).toBe(10);
        // The same edge twice in one call (two copies of a message in one batch).
        expect(
          await store.insert([
            { bootId: OTHER_BOOT, edges: makeEdges(11, 5) },
            { bootId: OTHER_BOOT, edges: makeEdges(11, 5) },
          ]),
        ).toBe(5);
        expect(await count()).toBe(165);
      });

      it("refuses a bad message that comes after good ones in the same load, storing none of them", async () => {
        const load = store.insert([
          { bootId: TEST_BOOT_ID, edges: makeEdges(1, 500) },
          { bootId: TEST_BOOT_ID, edges: makeEdges(501, 500) },
          { bootId: TEST_BOOT_ID, edges: [makeEdge(1_001, { perpReceivedAtMs: 1e16 })] },
        ]);
        // The value's own SQLSTATE, not the server's "COPY from stdin failed" that aborting the COPY causes.
        await expect(load).rejects.toMatchObject({ code: "22008" });
        expect(await count()).toBe(0);
        expect(await store.insert([{ bootId: TEST_BOOT_ID, edges: makeEdges(1, 5) }])).toBe(5);
      });

      it("reports data the schema refuses as a data error (SQLSTATE class 22/23) and keeps the connection", async () => {
        const backend = async (): Promise<number> =>
          (await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
        const before = await backend();
        const outOfRange = store.insert([
          { bootId: TEST_BOOT_ID, edges: [makeEdge(1, { recordedAtMs: 1e16 })] },
        ]);
        await expect(outOfRange).rejects.toMatchObject({ code: expect.stringMatching(/^22/) as string });
        const checkViolation = store.insert([{ bootId: TEST_BOOT_ID, edges: [makeEdge(1), makeEdge(0)] }]);
        await expect(checkViolation).rejects.toMatchObject({ code: "23514" });
        // Nothing of the refused calls was stored, and the (single) pooled connection is the same one.
        expect(await count()).toBe(0);
        expect(await backend()).toBe(before);
        expect(await store.insert([{ bootId: TEST_BOOT_ID, edges: makeEdges(1, 3) }])).toBe(3);
      });
    });
  }

  it("fails with a non-data error while the database is unreachable, then works again on a fresh connection", async () => {
    for (const method of methods()) {
      const store = createEdgeStore(pool, method);
      expect(await store.insert([{ bootId: TEST_BOOT_ID, edges: makeEdges(1, 10) }])).toBe(10);
      // Cut while the connection sits idle in the pool: the next call gets that dead connection.
      await proxy.down();
      const failure = await store.insert([{ bootId: TEST_BOOT_ID, edges: makeEdges(11, 10) }]).then(
        () => undefined,
        (error: unknown) => error as { code?: string },
      );
      await proxy.up();
      expect(failure).toBeDefined();
      expect(String(failure?.code ?? "")).not.toMatch(/^2[23]/);
      expect(await store.insert([{ bootId: TEST_BOOT_ID, edges: makeEdges(1, 20) }])).toBe(10);
      await pool.query("TRUNCATE edges");
    }
  });
});

describe("edge store on embedded PGlite", () => {
  let db: TestPostgres | undefined;
  let pool: pg.Pool | undefined;

  beforeAll(async () => {
    const previous = process.env["HLB_TEST_PG"];
    process.env["HLB_TEST_PG"] = "pglite";
    try {
      db = await startTestPostgres();
    } finally {
      if (previous === undefined) delete process.env["HLB_TEST_PG"];
      else process.env["HLB_TEST_PG"] = previous;
    }
    await migrateUp({ databaseUrl: db.url });
    pool = await connectPool({ connectionString: db.url, max: 1 });
  }, 120_000);
  afterAll(async () => {
    await pool?.end();
    await db?.stop();
  });

  it("detects PGlite, falls back to unnest, and stays idempotent", async () => {
    const store = createEdgeStore(pool!);
    expect(await store.method()).toBe("unnest");
    expect(await store.insert([{ bootId: TEST_BOOT_ID, edges: awkwardEdges() }])).toBe(awkwardEdges().length);
    expect(await store.insert([{ bootId: TEST_BOOT_ID, edges: awkwardEdges() }])).toBe(0);
  });
});
