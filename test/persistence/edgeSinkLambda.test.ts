/**
 * The whole edge path on one machine: frame pipeline → ring → flusher (v2 messages) → fauxqs → the
 * unchanged `edge-writer` handler → Postgres. Every pushed edge becomes one row, traded edges with their
 * intent id, sizes exact — the Lambda reads version 2 through the same `decodeEdgeBatch`.
 */

import { randomUUID } from "node:crypto";

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { EdgeIdSequence } from "../../hotpath/edge/edgeRecord.js";
import { createLogger } from "../../hotpath/observability/logger.js";
import { startEdgeSink } from "../../hotpath/persistence/edgeSink.js";
import { migrateUp } from "../../lambdas/db/migrate.js";
import { createEdgeWriterHandler } from "../../lambdas/edge-writer/edgeWriter.js";
import { startTestPostgres, type TestPostgres } from "../support/postgres.js";
import { lambdaContext, sqsEvent, sqsRecord } from "./edgeFixtures.js";
import { FAST_TUNING, capturedLogger, startTestQueue, temporaryDir, testMarket } from "./edgeSinkSupport.js";

describe("edge sink → SQS → edge-writer → Postgres", () => {
  let db: TestPostgres;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await startTestPostgres();
    await migrateUp({ databaseUrl: db.url });
    pool = new pg.Pool({ connectionString: db.url, max: 1 });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.stop();
  });

  it("writes every pushed edge once, as the hot path computed it", async () => {
    const queue = await startTestQueue();
    const spoolDir = await temporaryDir();
    try {
      const ids = new EdgeIdSequence();
      const sink = await startEdgeSink(
        { ...queue.sender, ...FAST_TUNING, spoolDir: spoolDir.path },
        { ids, logger: capturedLogger().logger },
      );
      const market = testMarket(ids, () => sink.ring);
      market.frames(1_500);
      await sink.close();

      const handler = createEdgeWriterHandler({
        db: pool,
        logger: createLogger({ service: "edge-writer", level: "silent" }),
      });
      const records = queue.bodies().map((body) => sqsRecord(body, randomUUID()));
      expect(records.length).toBeGreaterThan(0);
      const response = await handler(sqsEvent(records), lambdaContext("req-sink"));
      expect(response.batchItemFailures).toEqual([]);

      const rows = await pool.query<{
        edge_id: string;
        outcome: string;
        intent_id: string | null;
        perp_size: string;
      }>(
        "SELECT edge_id::text, outcome, intent_id, perp_size::text FROM edges WHERE boot_id = $1 ORDER BY edges.edge_id",
        [sink.bootId],
      );
      expect(rows.rows.map((row) => Number(row.edge_id))).toEqual(market.pushedIds);
      const traded = rows.rows.filter((row) => row.outcome === "traded");
      expect(traded).toHaveLength(market.traded.size);
      for (const row of traded) {
        const expected = market.traded.get(Number(row.edge_id))!;
        expect(row.intent_id).toBe(expected.intentId);
        expect(row.perp_size).toBe(expected.perpSize);
      }
    } finally {
      await queue.close();
      await spoolDir.remove();
    }
  });
});
