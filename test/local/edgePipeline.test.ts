import { setTimeout as sleep } from "node:timers/promises";

import { ReceiveMessageCommand, SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse } from "aws-lambda";
import type pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { encodeEdgeBatch } from "../../hotpath/persistence/edgeBatchCodec.js";
import { createLogger } from "../../hotpath/observability/logger.js";
import { migrateUp } from "../../lambdas/db/migrate.js";
import { createEdgeWriterHandler } from "../../lambdas/edge-writer/edgeWriter.js";
import { connectPool } from "../lambdas/connectPool.js";
import { type TcpProxy, startTcpProxy } from "../lambdas/tcpProxy.js";
import { TEST_BOOT_ID, makeEdges } from "../persistence/edgeFixtures.js";
import { type TestPostgres, startTestPostgres } from "../support/postgres.js";
import { type EventSourcePoller, startEventSourcePoller } from "./eventSourcePoller.js";
import { type LocalSqs, startLocalSqs } from "./sqsEmulator.js";
import { waitFor } from "./waitFor.js";

/**
 * The edges pipeline on one machine, every part real: fauxqs (SQS API) → the local event source →
 * the edge-writer handler → Postgres (a real server when installed, else PGlite), with a TCP proxy in
 * front of Postgres to take it away. `HLB_OUTAGE_SECONDS` sets the outage length (default 3; the issue's
 * acceptance figure is 30: `HLB_OUTAGE_SECONDS=30 npx vitest run test/local/edgePipeline.test.ts`).
 */
const OUTAGE_SECONDS = Number(process.env["HLB_OUTAGE_SECONDS"] ?? 3);
const OTHER_BOOT = "9d7e1f00-1111-4222-8333-944455556666";

interface Invocation {
  readonly messageIds: readonly string[];
  readonly response: SQSBatchResponse;
}

describe("edges: SQS → event source → edge-writer → Postgres", () => {
  let db: TestPostgres;
  let proxy: TcpProxy;
  let pool: pg.Pool;
  let sqs: LocalSqs | undefined;
  let client: SQSClient;
  let poller: EventSourcePoller | undefined;
  const lines: Record<string, unknown>[] = [];
  const invocations: Invocation[] = [];

  beforeAll(async () => {
    db = await startTestPostgres();
    await migrateUp({ databaseUrl: db.url });
    const target = new URL(db.url);
    proxy = await startTcpProxy(target.hostname, Number(target.port));
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    pool = await connectPool({
      connectionString: viaProxy.toString(),
      // One connection per concurrent invocation; PGlite takes only one.
      max: db.engine === "pglite" ? 1 : 2,
      connectionTimeoutMillis: 1_000,
    });
  });
  afterAll(async () => {
    await pool?.end();
    await proxy?.close();
    await db?.stop();
  });
  beforeEach(async () => {
    lines.length = 0;
    invocations.length = 0;
    await pool.query("TRUNCATE edges");
  });
  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
    await sqs?.stop();
    sqs = undefined;
  });

  /** Starts the emulator and the poller driving the real handler (recording what each invocation did). */
  async function startPipeline(options: {
    maxReceiveCount: number;
    maximumConcurrency: number;
  }): Promise<LocalSqs> {
    const local = await startLocalSqs({
      edgesVisibilityTimeoutSeconds: 1,
      maxReceiveCount: options.maxReceiveCount,
    });
    sqs = local;
    client = local.createClient();
    const logger = createLogger({
      service: "edge-writer",
      level: "info",
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    const handler = createEdgeWriterHandler({ db: pool, logger });
    poller = startEventSourcePoller({
      client,
      queue: local.queues.edges,
      functionName: "edge-writer",
      waitTimeSeconds: 1,
      batchSize: 10,
      maximumBatchingWindowSeconds: 0.2,
      maximumConcurrency: options.maximumConcurrency,
      // Window + function timeout within the 1 s visibility timeout, as AWS requires.
      functionTimeoutSeconds: 0.8,
      handler: async (event, context) => {
        const response = await handler(event, context);
        invocations.push({ messageIds: event.Records.map((r) => r.messageId), response });
        return response;
      },
    });
    return local;
  }

  async function send(bodies: readonly string[]): Promise<string[]> {
    const response = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: sqs!.queues.edges.url,
        Entries: bodies.map((body, index) => ({ Id: `m${index}`, MessageBody: body })),
      }),
    );
    expect(response.Failed ?? []).toEqual([]);
    return (response.Successful ?? []).map((entry) => entry.MessageId!);
  }

  const count = async (): Promise<number> =>
    Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM edges")).rows[0]!.n);

  it("a poison message lands in the DLQ while the rest of its batch commits, once", async () => {
    const local = await startPipeline({ maxReceiveCount: 2, maximumConcurrency: 1 });
    const poison = '{"v":1,"boot":"not-a-uuid","edges":[[1]]}';
    const bodies = Array.from({ length: 9 }, (_, i) =>
      encodeEdgeBatch(TEST_BOOT_ID, makeEdges(1 + i * 200, 200)),
    );
    bodies.splice(4, 0, poison);
    const ids = await send(bodies);
    const poisonId = ids[4]!;

    await waitFor(
      "the poison in edges-dlq",
      async () => (await local.depth(local.queues.edgesDlq)).visible === 1,
      {
        timeoutMs: 20_000,
      },
    );
    await waitFor("edges queue drained", async () => {
      const depth = await local.depth(local.queues.edges);
      return depth.visible === 0 && depth.inFlight === 0;
    });

    // Its batch: all ten records in one invocation, only the poison reported, 1 800 rows inserted by it.
    expect(invocations[0]!.messageIds).toHaveLength(10);
    expect(invocations[0]!.response.batchItemFailures).toEqual([{ itemIdentifier: poisonId }]);
    const firstSummary = lines.find((l) => l["message"] === "edge-writer batch");
    expect(firstSummary).toMatchObject({ records: 10, failed: 1, poison: 1, edges: 1800, rows: 1800 });
    // Later invocations saw only the poison again (maxReceiveCount 2), then SQS moved it.
    expect(invocations.slice(1).map((i) => i.messageIds)).toEqual([[poisonId]]);

    expect(await count()).toBe(1800);
    const dlq = await client.send(
      new ReceiveMessageCommand({ QueueUrl: local.queues.edgesDlq.url, MaxNumberOfMessages: 10 }),
    );
    expect(dlq.Messages?.map((m) => [m.MessageId, m.Body])).toEqual([[poisonId, poison]]);
    expect(poller!.stats()).toMatchObject({ deleted: 9, failedRecords: 2 });
  });

  it(
    `Postgres unavailable for ${OUTAGE_SECONDS} s: batches fail, come back and land, no loss, no duplicates`,
    async () => {
      const local = await startPipeline({ maxReceiveCount: 4 + 2 * OUTAGE_SECONDS, maximumConcurrency: 2 });
      const sentEdges = new Set<string>();
      let nextId = 1;
      let messageNo = 0;
      /** Messages of 150 new edges; every third also repeats the previous message's last 50 (a resend). */
      const produce = async (messages: number): Promise<void> => {
        const bodies: string[] = [];
        for (let i = 0; i < messages; i += 1) {
          messageNo += 1;
          const boot = messageNo % 4 === 0 ? OTHER_BOOT : TEST_BOOT_ID;
          const overlap = messageNo % 3 === 0 && nextId > 1 ? 50 : 0;
          const edges = makeEdges(nextId - overlap, 150 + overlap);
          for (const edge of edges) sentEdges.add(`${boot}/${edge.edgeId}`);
          bodies.push(encodeEdgeBatch(boot, edges));
          nextId += 150;
        }
        await send(bodies);
      };

      await produce(5);
      await waitFor("the first edges in Postgres", async () => (await count()) > 0);
      // Cut while traffic flows: connections die idle or mid-statement; new ones are refused.
      await produce(3);
      await proxy.down();
      const outageEnds = Date.now() + OUTAGE_SECONDS * 1000;
      while (Date.now() < outageEnds) {
        await produce(2);
        await sleep(250);
      }
      const failedDuringOutage = poller!.stats().failedRecords;
      await proxy.up();
      await produce(5);

      await waitFor(
        "edges queue drained",
        async () => {
          const depth = await local.depth(local.queues.edges);
          return depth.visible === 0 && depth.inFlight === 0;
        },
        { timeoutMs: 30_000 },
      );
      expect(failedDuringOutage).toBeGreaterThan(0);
      expect(await local.depth(local.queues.edgesDlq)).toEqual({ visible: 0, inFlight: 0 });
      expect(await count()).toBe(sentEdges.size);
      const distinct = await pool.query<{ n: string }>(
        "SELECT count(*) AS n FROM (SELECT DISTINCT boot_id, edge_id FROM edges) d",
      );
      expect(Number(distinct.rows[0]!.n)).toBe(sentEdges.size);
      const summaries = lines.filter((l) => l["message"] === "edge-writer batch");
      expect(summaries.some((l) => Number(l["failed"]) > 0)).toBe(true);
      expect(lines.some((l) => l["message"] === "edge insert failed" && l["level"] === "ERROR")).toBe(true);
    },
    (OUTAGE_SECONDS + 60) * 1000,
  );
});
