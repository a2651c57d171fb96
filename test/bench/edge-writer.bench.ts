/**
 * Edge-writer throughput: rows/s into real Postgres through the handler path (decode, unnest insert,
 * partial batch response, summary log), with SQS-sized messages as the packer fills them.
 *
 * `npx tsx test/bench/edge-writer.bench.ts [totalRows]` — uses `startTestPostgres()` (DATABASE_URL, else a
 * throwaway cluster, else PGlite; the engine is printed). Target: ≥ 100k rows/s on a real server.
 */

import { Writable } from "node:stream";
import { performance } from "node:perf_hooks";

import pg from "pg";

import { packEdgeBatches } from "../../hotpath/persistence/edgeBatchCodec.js";
import { createLogger } from "../../hotpath/observability/logger.js";
import { migrateUp } from "../../lambdas/db/migrate.js";
import { createEdgeWriterHandler } from "../../lambdas/edge-writer/edgeWriter.js";
import { TEST_BOOT_ID, lambdaContext, makeEdges, sqsEvent, sqsRecord } from "../persistence/edgeFixtures.js";
import { startTestPostgres } from "../support/postgres.js";

const TOTAL_ROWS = Number(process.argv[2] ?? 200_000);
/** The event source mapping's batch size (messages per invocation). */
const MESSAGES_PER_INVOCATION = 10;

async function main(): Promise<void> {
  const db = await startTestPostgres();
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  let dbMs = 0;
  try {
    await migrateUp({ databaseUrl: db.url });
    const logger = createLogger({
      service: "edge-writer",
      level: "info",
      // Keep only the summary lines' db time, to split the cost between decoding and the database.
      destination: new Writable({
        write: (chunk: Buffer, _enc, done) => {
          const line = JSON.parse(chunk.toString()) as { message?: string; dbMs?: number };
          if (line.message === "edge-writer batch") dbMs += line.dbMs ?? 0;
          done();
        },
      }),
    });
    const handler = createEdgeWriterHandler({ db: pool, logger });
    const messages = packEdgeBatches(TEST_BOOT_ID, makeEdges(1, TOTAL_ROWS)).flatMap((b) => b.messages);
    const events = [];
    for (let i = 0; i < messages.length; i += MESSAGES_PER_INVOCATION) {
      events.push(sqsEvent(messages.slice(i, i + MESSAGES_PER_INVOCATION).map((m) => sqsRecord(m.body))));
    }
    // Warm-up: plan cache, connection, JIT.
    await handler(events[0]!, lambdaContext("warmup"));
    await pool.query("TRUNCATE edges");

    dbMs = 0;
    const started = performance.now();
    let failed = 0;
    for (const [index, event] of events.entries()) {
      const response = await handler(event, lambdaContext(`bench-${index}`));
      failed += response.batchItemFailures.length;
    }
    const seconds = (performance.now() - started) / 1000;
    const stored = Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM edges")).rows[0]!.n);
    if (failed > 0 || stored !== TOTAL_ROWS) {
      throw new Error(`bench lost data: ${failed} failed items, ${stored}/${TOTAL_ROWS} rows stored`);
    }
    const rowsPerMessage = Math.round(TOTAL_ROWS / messages.length);
    console.log(
      `edge-writer (${db.engine}): ${TOTAL_ROWS} rows in ${events.length} invocations ` +
        `(${messages.length} messages, ~${rowsPerMessage} rows each): ${seconds.toFixed(2)} s, ` +
        `${Math.round(TOTAL_ROWS / seconds)} rows/s; insert statement ${(dbMs / 1000).toFixed(2)} s ` +
        `(${Math.round(TOTAL_ROWS / (dbMs / 1000))} rows/s), the rest decode + handler`,
    );
  } finally {
    await pool.end();
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
