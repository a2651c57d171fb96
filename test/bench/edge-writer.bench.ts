/**
 * Edge-writer throughput: rows/s into real Postgres.
 *
 *   npx tsx test/bench/edge-writer.bench.ts [--rows 200000] [--runs 5] [--concurrency 1] [--method auto]
 *       [--body v2|v1] [--edges simulator|fixed|noisy] [--edges-per-message 6250] [--index-cost]
 *
 * The messages (default): version-2 bodies as the hot path's flusher sends them, `--edges-per-message`
 * edges each (≈ one flush interval at 10 000 edges/s), of edges computed by the hot path's own pipeline from
 * the simulator's market model (frames → books → both edges → ring → columns), so values repeat from row
 * to row as real ones do. `--edges fixed`: fixture rows that repeat every value (`makeEdges`); `--edges
 * noisy`: rows where every double, size and time changes on every row (`makeNoisyEdges`, the worst case).
 * `--body v1`: the same edges as version-1 JSON rows, filled to 256 KiB a message.
 *
 * Measurements per run (one more with `--index-cost`), on the same messages, 10 per invocation (the event
 * source mapping's batch size):
 *   handler     the whole Lambda handler path: SQSEvent → decode (`decodeEdgeMessage`) → insert (COPY
 *               streams each message in slices as it is decoded) → partial batch response + summary log,
 *               `--concurrency` invocations at a time (the mapping's MaximumConcurrency; one `pg`
 *               connection each), wall clock;
 *   insert      the database path alone (`EdgeStore.insert` of already-decoded batches: encode + COPY);
 *   decode      the writer's decoder alone (`decodeEdgeMessage` of every body), no database;
 *   decodeRows  the reference decoder (`decodeEdgeBatch`: row objects through the zod row schema).
 * Before each run the table is truncated (and checkpointed on a server). Each run checks that every row
 * landed. Prints one JSON line per measurement and run, then median and range per measurement.
 *
 * The engine comes from `startTestPostgres()` (DATABASE_URL, else a throwaway cluster, else PGlite) and
 * is printed. `--method` forces the insert path (`copy`, `unnest`; default `auto`). `--index-cost` adds
 * a measurement to every run, `insertWithCoinIndex`: the insert pass again with the
 * `(coin, recorded_at)` index that migration 0004 drops put back — interleaved with `insert`, so both see
 * the same machine load. Target (issue 6): ≥ 100 000 rows/s into a real server. Results:
 * docs/benchmarks.md, "Persistence: edge-writer".
 */

import { Writable } from "node:stream";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";

import type { SQSEvent } from "aws-lambda";

import {
  type EdgeMessage,
  decodeEdgeBatch,
  decodeEdgeMessage,
  packEdgeBatches,
  packEdgeColumnsV2,
  packEdgeMessagesV2,
  type PackedMessage,
  type PersistedEdge,
} from "../../hotpath/persistence/edgeBatchCodec.js";
import { EdgeColumns, rowsFromColumns } from "../../hotpath/persistence/edgeColumnsCodec.js";
import { EdgeRing, performanceEpochClock } from "../../hotpath/persistence/edgeRing.js";
import { EdgeIdSequence } from "../../hotpath/edge/edgeRecord.js";
import { FramePipeline } from "../../hotpath/feed/framePipeline.js";
import { FeedMetrics } from "../../hotpath/metrics/feedMetrics.js";
import { createLogger } from "../../hotpath/observability/logger.js";
import { migrateUp } from "../../lambdas/db/migrate.js";
import {
  createEdgeStore,
  type EdgeInsertMethodSetting,
  EDGE_INSERT_METHODS,
} from "../../lambdas/edge-writer/edgeStore.js";
import { createEdgeWriterHandler } from "../../lambdas/edge-writer/edgeWriter.js";
import { connectPool } from "../lambdas/connectPool.js";
import {
  TEST_BOOT_ID,
  lambdaContext,
  makeEdges,
  makeNoisyEdges,
  sqsEvent,
  sqsRecord,
} from "../persistence/edgeFixtures.js";
import { startTestPostgres } from "../support/postgres.js";
import { hypeEdgeFeed, hypeSimulatorFrames } from "../persistence/hypeEdgeFeed.js";

/** The event source mapping's batch size (messages per invocation). */
const MESSAGES_PER_INVOCATION = 10;

const { values: args } = parseArgs({
  options: {
    rows: { type: "string", default: "200000" },
    runs: { type: "string", default: "5" },
    concurrency: { type: "string", default: "1" },
    method: { type: "string", default: "auto" },
    "index-cost": { type: "boolean", default: false },
    body: { type: "string", default: "v2" },
    edges: { type: "string", default: "simulator" },
    "edges-per-message": { type: "string", default: "6250" },
  },
});
const TOTAL_ROWS = Number(args.rows);
const RUNS = Number(args.runs);
const CONCURRENCY = Number(args.concurrency);
const METHOD = args.method as EdgeInsertMethodSetting;
const EDGES_PER_MESSAGE = Number(args["edges-per-message"]);
if (!["simulator", "fixed", "noisy"].includes(args.edges))
  throw new Error("--edges: simulator, fixed or noisy");
if (!["v1", "v2"].includes(args.body)) throw new Error("--body: v1 or v2");
if (!EDGE_INSERT_METHODS.includes(METHOD))
  throw new Error(`--method must be one of ${EDGE_INSERT_METHODS.join(", ")}`);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Simulator-driven edges, as the hot path produces them: frames → books → both edges → ring → columns. */
function simulatorEdgeColumns(): () => EdgeColumns {
  const frames = hypeSimulatorFrames(24_000);
  const ids = new EdgeIdSequence();
  const perMessage = EDGES_PER_MESSAGE;
  const ring = new EdgeRing(ids, perMessage + 2);
  const feed = hypeEdgeFeed(ids);
  const pipeline = new FramePipeline(
    [feed],
    new FeedMetrics(),
    (market, receivedAtMs) => {
      ring.pushSkipped(market, market.edges.perpRich, receivedAtMs, "belowThreshold");
      ring.pushSkipped(market, market.edges.spotRich, receivedAtMs, "belowThreshold");
    },
    createLogger({ service: "bench", level: "silent" }),
  );
  let frame = 0;
  return () => {
    while (ring.size < perMessage) {
      const at = frame % frames.length;
      if (at === 0 && frame > 0) feed.books.invalidate(); // replayed frames: exchange times restart
      pipeline.handleBytes(frames[at]!, performance.now());
      frame += 1;
    }
    const columns = new EdgeColumns(perMessage);
    ring.drainColumns(perMessage, performanceEpochClock, columns);
    return columns;
  };
}

/**
 * The bench's SQS message bodies: `TOTAL_ROWS` edges (`--edges`: `simulator` as the hot path computes
 * them, `fixed` fixture rows that repeat every value, `noisy` rows that repeat none), as the hot path's
 * flusher sends them (`--body v2`, `--edges-per-message` edges a message: ≈ what one flush interval holds
 * at 10 000 edges/s) or as version 1 (filled to 256 KiB).
 */
async function benchMessages(): Promise<PackedMessage[]> {
  const messages: PackedMessage[] = [];
  if (args.edges === "simulator") {
    const next = simulatorEdgeColumns();
    const all: PersistedEdge[] = [];
    for (let done = 0; done < TOTAL_ROWS; done += EDGES_PER_MESSAGE) {
      const columns = next();
      columns.count = Math.min(EDGES_PER_MESSAGE, TOTAL_ROWS - done);
      if (args.body === "v1") all.push(...rowsFromColumns(columns));
      else messages.push(...(await packEdgeColumnsV2(TEST_BOOT_ID, columns)));
    }
    if (args.body === "v1") messages.push(...packEdgeBatches(TEST_BOOT_ID, all).flatMap((b) => b.messages));
    return messages;
  }
  const edges = args.edges === "noisy" ? makeNoisyEdges(1, TOTAL_ROWS) : makeEdges(1, TOTAL_ROWS);
  if (args.body === "v1") return packEdgeBatches(TEST_BOOT_ID, edges).flatMap((b) => b.messages);
  for (let i = 0; i < edges.length; i += EDGES_PER_MESSAGE)
    messages.push(...(await packEdgeMessagesV2(TEST_BOOT_ID, edges.slice(i, i + EDGES_PER_MESSAGE))));
  return messages;
}

async function main(): Promise<void> {
  const db = await startTestPostgres();
  // Migrations first: PGlite takes one connection at a time.
  await migrateUp({ databaseUrl: db.url });
  const pool = await connectPool({ connectionString: db.url, max: CONCURRENCY });
  try {
    const logger = createLogger({
      service: "edge-writer",
      level: "info",
      destination: new Writable({ write: (_chunk, _enc, done) => done() }),
    });
    const handler = createEdgeWriterHandler({ db: pool, logger, insertMethod: METHOD });
    const store = createEdgeStore(pool, METHOD);
    const method = await store.method();

    const messages = await benchMessages();
    const events: SQSEvent[] = [];
    const decodedGroups: EdgeMessage[][] = [];
    for (let i = 0; i < messages.length; i += MESSAGES_PER_INVOCATION) {
      const slice = messages.slice(i, i + MESSAGES_PER_INVOCATION);
      events.push(sqsEvent(slice.map((m) => sqsRecord(m.body))));
      decodedGroups.push(slice.map((m) => decodeEdgeMessage(m.body)));
    }
    const rowsPerMessage = Math.round(TOTAL_ROWS / messages.length);
    console.log(
      `edge-writer bench: engine ${db.engine}, insert path ${method}, body ${args.body}, ${args.edges} edges, ${TOTAL_ROWS} rows in ${messages.length} ` +
        `messages (~${rowsPerMessage} rows each), ${events.length} invocations of ≤ ${MESSAGES_PER_INVOCATION}, ` +
        `concurrency ${CONCURRENCY}, ${RUNS} runs, Node ${process.version}`,
    );

    const count = async (): Promise<number> =>
      Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM edges")).rows[0]!.n);
    const reset = async (): Promise<void> => {
      await pool.query("TRUNCATE edges");
      if (db.engine !== "pglite") await pool.query("CHECKPOINT");
    };

    // Warm-up: connections, plan cache, JIT of the encoder and decoder.
    await handler(events[0]!, lambdaContext("warmup"));

    const results: Record<"handler" | "insert" | "insertWithCoinIndex" | "decode" | "decodeRows", number[]> =
      {
        handler: [],
        insert: [],
        insertWithCoinIndex: [],
        decode: [],
        decodeRows: [],
      };
    const report = (measurement: keyof typeof results, run: number, seconds: number): void => {
      const rowsPerSecond = Math.round(TOTAL_ROWS / seconds);
      results[measurement].push(rowsPerSecond);
      console.log(
        JSON.stringify({
          bench: "edge-writer",
          measurement,
          run,
          engine: db.engine,
          method,
          concurrency: CONCURRENCY,
          rows: TOTAL_ROWS,
          seconds: Number(seconds.toFixed(3)),
          rowsPerSecond,
        }),
      );
    };

    for (let run = 1; run <= RUNS; run += 1) {
      await reset();
      let next = 0;
      let failed = 0;
      const lane = async (): Promise<void> => {
        for (let index = next++; index < events.length; index = next++) {
          const response = await handler(events[index]!, lambdaContext(`bench-${run}-${index}`));
          failed += response.batchItemFailures.length;
        }
      };
      let started = performance.now();
      await Promise.all(Array.from({ length: CONCURRENCY }, lane));
      report("handler", run, (performance.now() - started) / 1000);
      const stored = await count();
      if (failed > 0 || stored !== TOTAL_ROWS) {
        throw new Error(
          `handler run ${run} lost data: ${failed} failed items, ${stored}/${TOTAL_ROWS} rows stored`,
        );
      }

      const insertPass = async (measurement: "insert" | "insertWithCoinIndex"): Promise<void> => {
        await reset();
        const passStarted = performance.now();
        for (const groups of decodedGroups) await store.insert(groups);
        report(measurement, run, (performance.now() - passStarted) / 1000);
        const inserted = await count();
        if (inserted !== TOTAL_ROWS)
          throw new Error(`${measurement} run ${run} stored ${inserted}/${TOTAL_ROWS}`);
      };
      if (args["index-cost"]) {
        // The index as migration 0001 created it (0004's down migration restores it), on the empty table.
        await pool.query("TRUNCATE edges");
        await pool.query("CREATE INDEX edges_coin_recorded_at_idx ON edges (coin, recorded_at)");
        await insertPass("insertWithCoinIndex");
        await pool.query("DROP INDEX edges_coin_recorded_at_idx");
      }
      await insertPass("insert");

      started = performance.now();
      for (const message of messages) decodeEdgeMessage(message.body);
      report("decode", run, (performance.now() - started) / 1000);
      started = performance.now();
      for (const message of messages) decodeEdgeBatch(message.body);
      report("decodeRows", run, (performance.now() - started) / 1000);
    }

    for (const [measurement, values] of Object.entries(results)) {
      if (values.length === 0) continue;
      console.log(
        `${measurement.padEnd(19)} median ${Math.round(median(values))} rows/s, ` +
          `range ${Math.min(...values)}–${Math.max(...values)} (${values.join(", ")})`,
      );
    }
  } finally {
    await pool.end();
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
