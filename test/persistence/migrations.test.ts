import { readdirSync } from "node:fs";

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { migrateUp } from "../../lambdas/db/migrate.js";
import { type TestPostgres, startTestPostgres } from "../support/postgres.js";

/** Every migration file, in the order node-pg-migrate applies them. */
const MIGRATIONS = readdirSync(new URL("../../lambdas/db/migrations/", import.meta.url))
  .filter((name) => name.endsWith(".sql"))
  .map((name) => name.replace(/\.sql$/, ""))
  .sort();

const TABLES = [
  "control_changes",
  "edges",
  "fills",
  "funding",
  "intents",
  "orders",
  "position_snapshots",
  "rebalances",
  "transfers",
];

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe("migrations (real Postgres)", () => {
  let db: TestPostgres;
  beforeAll(async () => {
    db = await startTestPostgres();
  });
  afterAll(async () => {
    await db?.stop();
  });

  it("apply cleanly from empty, then are a no-op", async () => {
    const applied = await migrateUp({ databaseUrl: db.url });
    expect(applied).toEqual(MIGRATIONS);
    expect(applied.slice(0, 3)).toEqual(["0001_edges", "0002_trading-lineage", "0003_pnl-views"]);
    expect(await migrateUp({ databaseUrl: db.url })).toEqual([]);
    const tables = await withClient(db.url, async (c) =>
      c.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type IN ('BASE TABLE') AND table_name = ANY($1)
         ORDER BY table_name`,
        [TABLES],
      ),
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(TABLES);
  });

  it("keeps follow-up intents tied to a root, one root per edge, and order statuses from the state machine", async () => {
    await withClient(db.url, async (c) => {
      const boot = "7d1f3c1e-8a52-4d55-9a0e-4c1f2d7e9b10";
      const insert = (id: string, edgeId: number | null, action: string, parent: string | null) =>
        c.query(
          `INSERT INTO intents (intent_id, boot_id, edge_id, position_id, coin, direction, action, hedged_size,
             status, created_at, updated_at, parent_intent_id)
           VALUES ($1, $2, $3, 'pos-f', 'HYPE', 'perpRich', $4, '1', 'sent', now(), now(), $5)`,
          [id, boot, edgeId, action, parent],
        );
      await insert("f-root", 11, "open", null);
      await insert("f-hedge", 11, "hedge", "f-root"); // shares the root's edge id
      await insert("f-flatten", null, "unwind", "f-root"); // no edge
      await expect(insert("f-orphan", 12, "hedge", null)).rejects.toThrow(
        /intents_parent_only_for_follow_ups/,
      );
      await expect(insert("f-second-root", 11, "open", null)).rejects.toThrow(/intents_root_per_edge_idx/);
      await expect(
        c.query(
          `INSERT INTO orders VALUES ('0x0000000000000000000000000000f001', 'f-root', NULL, 'HYPE', 'perp', 'sell',
             '1', '25', 'Ioc', false, 'done', now(), now())`,
        ),
      ).rejects.toThrow(/orders_status_check/);
      await c.query("DELETE FROM intents WHERE position_id = 'pos-f'");
    });
  });

  it("computes PnL per position and per day with fees in their own currency and funding", async () => {
    await withClient(db.url, async (c) => {
      await c.query(`
        INSERT INTO intents VALUES
          ('i-open', '3b0f3c1e-8a52-4d55-9a0e-4c1f2d7e9b10', 7, 'pos-1', 'HYPE', 'perpRich', 'open', '10', 12,
           'done', '2026-05-01T10:00:00Z', '2026-05-01T10:00:00Z'),
          ('i-close', '3b0f3c1e-8a52-4d55-9a0e-4c1f2d7e9b10', 70, 'pos-1', 'HYPE', 'perpRich', 'close', '10', 3,
           'done', '2026-05-02T10:00:00Z', '2026-05-02T10:00:00Z');
        INSERT INTO orders VALUES
          ('0x000000000000000000000000000000a1', 'i-open', 1, 'HYPE', 'perp', 'sell', '10', '25.5', 'Ioc', false,
           'filled', now(), now()),
          ('0x000000000000000000000000000000a2', 'i-open', 2, '@107', 'spot', 'buy', '10', '25.5', 'Ioc', false,
           'filled', now(), now()),
          ('0x000000000000000000000000000000a3', 'i-close', 3, 'HYPE', 'perp', 'buy', '10', '25', 'Ioc', true,
           'filled', now(), now()),
          ('0x000000000000000000000000000000a4', 'i-close', 4, '@107', 'spot', 'sell', '10', '25', 'Ioc', false,
           'filled', now(), now());
        INSERT INTO fills VALUES
          (101, '0x000000000000000000000000000000a1', 1, 'HYPE', 'perp', 'sell', '25.2', '10', '0.1134', 'USDC',
           NULL, NULL, '2026-05-01T10:00:00Z'),
          (102, '0x000000000000000000000000000000a2', 2, '@107', 'spot', 'buy', '25.0', '10', '0.007', 'HYPE',
           NULL, NULL, '2026-05-01T10:00:00Z'),
          (103, '0x000000000000000000000000000000a3', 3, 'HYPE', 'perp', 'buy', '24.9', '10', '0.11205', 'USDC',
           NULL, NULL, '2026-05-02T10:00:00Z'),
          (104, '0x000000000000000000000000000000a4', 4, '@107', 'spot', 'sell', '24.95', '9.993', '0.17453', 'USDC',
           NULL, NULL, '2026-05-02T10:00:00Z');
        INSERT INTO funding VALUES ('HYPE', '2026-05-01T11:00:00Z', '0.5', '-10', '0.00002', 'pos-1');
      `);
      const position = await c.query(`SELECT * FROM pnl_per_position WHERE position_id = 'pos-1'`);
      expect(position.rows[0]).toMatchObject({
        closed: true,
        perp_cash_usdc: "3.0", // 252.0 - 249.0
        spot_cash_usdc: "-0.67465", // 24.95 * 9.993 - 25.0 * 10
        perp_fee_usdc: "0.22545",
        spot_fee_usdc: "0.17453",
        spot_fee_base: "0.007",
        funding_usdc: "0.5",
      });
      const daily = await c.query(
        `SELECT day::text, coin, realized_pnl_usdc, perp_fee_usdc, spot_fee_base, funding_usdc
         FROM pnl_per_day WHERE coin = 'HYPE' ORDER BY day`,
      );
      expect(daily.rows.map((r: Record<string, unknown>) => r["day"])).toEqual(["2026-05-01", "2026-05-02"]);
      expect(daily.rows[0]).toMatchObject({ perp_fee_usdc: "0.1134", funding_usdc: "0.5" });
    });
  });
});

describe("migrations (PGlite)", () => {
  it("apply on the embedded engine too", async () => {
    const previous = process.env["HLB_TEST_PG"];
    process.env["HLB_TEST_PG"] = "pglite";
    const db = await startTestPostgres().finally(() => {
      if (previous === undefined) delete process.env["HLB_TEST_PG"];
      else process.env["HLB_TEST_PG"] = previous;
    });
    try {
      expect(db.engine).toBe("pglite");
      expect(await migrateUp({ databaseUrl: db.url })).toHaveLength(MIGRATIONS.length);
      // pglite-socket serves one session and frees it a moment after the client's end() resolves;
      // an immediate reconnect is refused (engine limit, see shared/STACK.md).
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await migrateUp({ databaseUrl: db.url })).toEqual([]);
    } finally {
      await db.stop();
    }
  }, 60_000);
});
