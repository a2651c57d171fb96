import type { SQSBatchResponse } from "aws-lambda";
import type pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { encodeEdgeBatch } from "../../hotpath/persistence/edgeBatchCodec.js";
import { createLogger } from "../../hotpath/observability/logger.js";
import { migrateUp } from "../../lambdas/db/migrate.js";
import { createEdgeWriterHandler } from "../../lambdas/edge-writer/edgeWriter.js";
import { type TestPostgres, startTestPostgres } from "../support/postgres.js";
import {
  TEST_BOOT_ID,
  lambdaContext,
  makeEdge,
  makeEdges,
  sqsEvent,
  sqsRecord,
} from "../persistence/edgeFixtures.js";
import { connectPool } from "./connectPool.js";
import { type TcpProxy, startTcpProxy } from "./tcpProxy.js";

const OTHER_BOOT = "9d7e1f00-1111-4222-8333-944455556666";

describe("edge-writer handler", () => {
  let db: TestPostgres;
  let proxy: TcpProxy;
  let pool: pg.Pool;
  const lines: Record<string, unknown>[] = [];
  let handler: ReturnType<typeof createEdgeWriterHandler>;

  beforeAll(async () => {
    db = await startTestPostgres();
    await migrateUp({ databaseUrl: db.url });
    const target = new URL(db.url);
    proxy = await startTcpProxy(target.hostname, Number(target.port));
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    pool = await connectPool({
      connectionString: viaProxy.toString(),
      max: 1,
      connectionTimeoutMillis: 2_000,
    });
    const logger = createLogger({
      service: "edge-writer",
      level: "info",
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    handler = createEdgeWriterHandler({ db: pool, logger });
  });

  afterAll(async () => {
    await pool?.end();
    await proxy?.close();
    await db?.stop();
  });

  beforeEach(async () => {
    lines.length = 0;
    await pool.query("TRUNCATE edges");
  });

  const count = async (): Promise<number> =>
    Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM edges")).rows[0]!.n);

  it("inserts every edge of every message in the batch, with outcome and exact numerics", async () => {
    const records = [
      sqsRecord(encodeEdgeBatch(TEST_BOOT_ID, makeEdges(1, 500)), "m1"),
      sqsRecord(encodeEdgeBatch(TEST_BOOT_ID, makeEdges(501, 500)), "m2"),
      // Same edge ids from another process boot: distinct rows.
      sqsRecord(encodeEdgeBatch(OTHER_BOOT, makeEdges(1, 10)), "m3"),
    ];
    const response = await handler(sqsEvent(records), lambdaContext("req-insert"));
    expect(response.batchItemFailures).toEqual([]);
    expect(await count()).toBe(1010);
    const row = await pool.query(
      `SELECT outcome, intent_id, skip_reason, gross_bps::text, perp_notional::text, spot_taker_fee_rate::text,
              perp_received_at = to_timestamp($1 / 1000.0) AS received_ok
       FROM edges WHERE boot_id = $2 AND edge_id = 7`,
      [makeEdge(7).perpReceivedAtMs, TEST_BOOT_ID],
    );
    expect(row.rows[0]).toEqual({
      outcome: "traded",
      intent_id: "intent-7",
      skip_reason: null,
      gross_bps: "12.345678901234567",
      perp_notional: "310.022756",
      spot_taker_fee_rate: "0.0007",
      received_ok: true,
    });
  });

  it("inserts no duplicates when the same messages are delivered again", async () => {
    const event = sqsEvent([
      sqsRecord(encodeEdgeBatch(TEST_BOOT_ID, makeEdges(1, 300)), "a"),
      sqsRecord(encodeEdgeBatch(TEST_BOOT_ID, makeEdges(301, 300)), "b"),
    ]);
    await handler(event, lambdaContext("req-1"));
    const again = await handler(event, lambdaContext("req-2"));
    expect(again.batchItemFailures).toEqual([]);
    expect(await count()).toBe(600);
    const summary = lines.filter((l) => l["message"] === "edge-writer batch").at(-1);
    expect(summary).toMatchObject({ requestId: "req-2", edges: 600, rows: 0 });
  });

  it("fails a poison message alone and commits the rest", async () => {
    const response = await handler(
      sqsEvent([
        sqsRecord(encodeEdgeBatch(TEST_BOOT_ID, makeEdges(1, 100)), "good-1"),
        sqsRecord('{"v":1,"boot":"nope"', "poison"),
        sqsRecord(encodeEdgeBatch(TEST_BOOT_ID, makeEdges(101, 100)), "good-2"),
      ]),
      lambdaContext("req-poison"),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "poison" }]);
    expect(await count()).toBe(200);
    const error = lines.find((l) => l["message"] === "poison edge batch message");
    expect(error).toMatchObject({ level: "ERROR", requestId: "req-poison", messageId: "poison" });
    expect((error?.["err"] as { type: string; message: string }).type).toBe("EdgeBatchDecodeError");
    expect((error?.["err"] as { message: string }).message).toMatch(/^edge batch notJson/);
  });

  it("isolates a message the schema refuses although it decodes (data error)", async () => {
    // Decodes fine (a finite epoch ms) but is beyond Postgres' timestamp range: SQLSTATE 22008.
    const bad = encodeEdgeBatch(TEST_BOOT_ID, [makeEdge(9_000, { recordedAtMs: 1e16 })]);
    const response = await handler(
      sqsEvent([
        sqsRecord(encodeEdgeBatch(TEST_BOOT_ID, makeEdges(1, 50)), "ok-1"),
        sqsRecord(bad, "bad"),
        sqsRecord(encodeEdgeBatch(TEST_BOOT_ID, makeEdges(51, 50)), "ok-2"),
      ]),
      lambdaContext("req-data"),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "bad" }]);
    expect(await count()).toBe(100);
  });

  it("reports every item failed while the database is down, then redelivery lands without loss or duplicates", async () => {
    await handler(
      sqsEvent([sqsRecord(encodeEdgeBatch(TEST_BOOT_ID, makeEdges(1, 10)), "pre")]),
      lambdaContext("r0"),
    );
    const event = sqsEvent([
      sqsRecord(encodeEdgeBatch(TEST_BOOT_ID, makeEdges(1, 200)), "x"), // overlaps the 10 already stored
      sqsRecord(encodeEdgeBatch(TEST_BOOT_ID, makeEdges(201, 200)), "y"),
    ]);
    await proxy.down();
    let response: SQSBatchResponse;
    try {
      response = await handler(event, lambdaContext("req-down"));
    } finally {
      await proxy.up();
    }
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "x" }, { itemIdentifier: "y" }]);
    const failure = lines.find((l) => l["message"] === "edge insert failed");
    expect(failure).toMatchObject({ level: "ERROR", requestId: "req-down" });

    const retried = await handler(event, lambdaContext("req-retry"));
    expect(retried.batchItemFailures).toEqual([]);
    expect(await count()).toBe(400);
  });

  it("classifies every record even when the database fails before reading them all", async () => {
    const event = sqsEvent([
      sqsRecord(encodeEdgeBatch(TEST_BOOT_ID, makeEdges(1, 100)), "d1"),
      sqsRecord("not json", "d-poison"),
      sqsRecord(encodeEdgeBatch(TEST_BOOT_ID, makeEdges(101, 100)), "d2"),
    ]);
    await proxy.down();
    let response: SQSBatchResponse;
    try {
      response = await handler(event, lambdaContext("req-down-poison"));
    } finally {
      await proxy.up();
    }
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(["d-poison", "d1", "d2"]);
    expect(
      lines.filter((l) => l["message"] === "poison edge batch message").map((l) => l["messageId"]),
    ).toEqual(["d-poison"]);
    expect(
      lines
        .filter((l) => l["message"] === "edge insert failed")
        .map((l) => l["messageId"])
        .sort(),
    ).toEqual(["d1", "d2"]);
    expect(lines.find((l) => l["message"] === "edge-writer batch")).toMatchObject({
      records: 3,
      poison: 1,
      edges: 200,
    });
  });

  it("writes one CloudWatch-shaped summary line per invocation", async () => {
    const sent = Date.now() - 1_500;
    await handler(
      sqsEvent([
        sqsRecord(encodeEdgeBatch(TEST_BOOT_ID, makeEdges(1, 20)), "s1", sent),
        sqsRecord("garbage", "s2"),
      ]),
      lambdaContext("req-summary"),
    );
    const summaries = lines.filter((l) => l["message"] === "edge-writer batch");
    expect(summaries).toHaveLength(1);
    const summary = summaries[0]!;
    expect(summary).toMatchObject({
      level: "INFO",
      service: "edge-writer",
      requestId: "req-summary",
      records: 2,
      failed: 1,
      poison: 1,
      edges: 20,
      rows: 20,
    });
    expect(summary["queueLagMs"]).toBeGreaterThanOrEqual(1_500);
    expect(typeof summary["dbMs"]).toBe("number");
    expect(String(summary["time"])).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
  });
});
