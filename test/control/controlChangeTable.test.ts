/**
 * A `ControlChange` fits the `control_changes` table as migrated (real Postgres): `controlChangeColumns`
 * names real columns, each value is accepted by its type, and what comes back is what was recorded.
 */

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { migrateUp } from "../../lambdas/db/migrate.js";
import { controlChangeColumns, type ControlChange } from "../../hotpath/control/controlChange.js";
import { startTestPostgres, type TestPostgres } from "../support/postgres.js";

const CHANGES: readonly ControlChange[] = [
  {
    changeId: "3f1c0e52-9a43-4c1e-8d57-0b6f2b1e4a10",
    changedAt: "2026-11-24T12:00:00.123Z",
    action: "settings",
    source: "127.0.0.1",
    before: { openThresholdBps: "15", clipSize: "1" },
    after: { openThresholdBps: "22.5", clipSize: "2.5" },
    reason: "wider market",
  },
  {
    changeId: "9b2d7c11-5e60-4f8a-a1c3-77e0d4b2c9f5",
    changedAt: "2026-11-24T12:00:01.000Z",
    action: "kill",
    source: "::1",
    before: { killed: false, flattenOnKill: false },
    after: { killed: true, flattenOnKill: true },
    reason: null,
  },
];

describe("control_changes rows (real Postgres)", () => {
  let db: TestPostgres;
  let client: pg.Client;

  beforeAll(async () => {
    db = await startTestPostgres();
    await migrateUp({ databaseUrl: db.url });
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await db?.stop();
  });

  it("stores every column of a change and gives it back unchanged", async () => {
    for (const change of CHANGES) {
      const row = controlChangeColumns(change);
      const names = Object.keys(row);
      await client.query(
        `INSERT INTO control_changes (${names.join(", ")}) VALUES (${names.map((_, i) => `$${i + 1}`).join(", ")})`,
        Object.values(row),
      );
    }
    const stored = await client.query<{
      changed_at: Date;
      actor: string;
      control: string;
      old_value: string;
      new_value: string;
      reason: string | null;
    }>(
      "SELECT changed_at, actor, control, old_value, new_value, reason FROM control_changes ORDER BY change_id",
    );
    expect(stored.rows).toHaveLength(CHANGES.length);
    stored.rows.forEach((row, index) => {
      const change = CHANGES[index]!;
      expect(row.changed_at.toISOString()).toBe(change.changedAt);
      expect(row.actor).toBe(`control-api@${change.source}`);
      expect(row.control).toBe(change.action);
      expect(JSON.parse(row.old_value)).toEqual(change.before);
      expect(JSON.parse(row.new_value)).toEqual(change.after);
      expect(row.reason).toBe(change.reason);
    });
  });
});
