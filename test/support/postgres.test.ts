import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPostgresBinaries, startTestPostgres, type TestPostgres } from "./postgres.js";

/** The bulk-insert shape the Lambdas will use: it must work identically on every engine we offer. */
async function exerciseEngine(url: string): Promise<{ version: string; rows: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: versionRows } = await client.query<{ server_version: string }>("SHOW server_version");
    await client.query("CREATE TABLE probe (id text PRIMARY KEY, px numeric NOT NULL)");
    const insert = `INSERT INTO probe (id, px)
      SELECT * FROM unnest($1::text[], $2::numeric[]) ON CONFLICT DO NOTHING`;
    await client.query(insert, [
      ["a", "b"],
      ["40.123", "0.00031499"],
    ]);
    // Re-inserting the same ids is a no-op: idempotent writes are how the writers avoid duplicates.
    await client.query(insert, [
      ["a", "c"],
      ["1", "99999.5"],
    ]);
    const { rows } = await client.query<{ id: string; px: string }>(
      "SELECT id, px::text FROM probe ORDER BY id",
    );
    expect(rows).toEqual([
      { id: "a", px: "40.123" },
      { id: "b", px: "0.00031499" },
      { id: "c", px: "99999.5" },
    ]);
    return { version: versionRows[0]?.server_version ?? "", rows: rows.length };
  } finally {
    await client.end();
  }
}

describe("test Postgres (preferred engine on this machine)", () => {
  let db: TestPostgres;
  beforeAll(async () => {
    db = await startTestPostgres();
  });
  afterAll(async () => {
    await db?.stop();
  });

  it("is a real Postgres that keeps numeric exact and honours ON CONFLICT", async () => {
    const { version, rows } = await exerciseEngine(db.url);
    expect(version).toMatch(/^\d+/);
    expect(rows).toBe(3);
  });

  it("prefers a real server when its binaries are installed", () => {
    if (process.env["DATABASE_URL"]) expect(db.engine).toBe("external");
    else if (findPostgresBinaries()) expect(db.engine).toBe("server");
    else expect(db.engine).toBe("pglite");
  });
});

describe("embedded PGlite fallback (what a machine without PostgreSQL gets)", () => {
  it("serves the same SQL through pg", async () => {
    const previous = process.env["HLB_TEST_PG"];
    process.env["HLB_TEST_PG"] = "pglite";
    const db = await startTestPostgres();
    try {
      expect(db.engine).toBe("pglite");
      const { rows } = await exerciseEngine(db.url);
      expect(rows).toBe(3);
    } finally {
      await db.stop();
      if (previous === undefined) delete process.env["HLB_TEST_PG"];
      else process.env["HLB_TEST_PG"] = previous;
    }
  }, 60_000);
});
