import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ReceiveMessageCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { createLogger } from "../../hotpath/observability/logger.js";
import type { TradeEvent } from "../../hotpath/persistence/tradeEventCodec.js";
import { type StartedTradeShipper, startTradeShipper } from "../../hotpath/persistence/tradeShipper.js";
import { migrateUp } from "../../lambdas/db/migrate.js";
import { createTradeWriterHandler } from "../../lambdas/trade-writer/tradeWriter.js";
import { type EventSourcePoller, startEventSourcePoller } from "../local/eventSourcePoller.js";
import { LOCAL_SQS_CREDENTIALS, type LocalSqs, startLocalSqs } from "../local/sqsEmulator.js";
import { waitFor } from "../local/waitFor.js";
import {
  controlChangeOf,
  fillOf,
  fundingOf,
  hedgeIntent,
  intentAt,
  orderAt,
  rootIntent,
  transferOf,
} from "../persistence/tradeEventFixtures.js";
import { type TestPostgres, startTestPostgres } from "../support/postgres.js";
import { connectPool } from "./connectPool.js";
import { type TcpProxy, startTcpProxy } from "./tcpProxy.js";

/**
 * The trade path on one machine, every part real: the hot path's `TradeShipper` → fauxqs (`trades.fifo`,
 * redrive to `trades-dlq.fifo`) → the local event source (Lambda's FIFO rules) → the trade-writer handler
 * → Postgres (a real server when installed, else PGlite), with a TCP proxy in front of Postgres.
 * `HLB_OUTAGE_SECONDS` sets the Postgres outage (default 2; the acceptance figure is 30:
 * `HLB_OUTAGE_SECONDS=30 npx vitest run test/lambdas/tradeWriterPipeline.test.ts`).
 */
const OUTAGE_SECONDS = Number(process.env["HLB_OUTAGE_SECONDS"] ?? 2);
const TABLES = "intents, orders, fills, funding, transfers, position_snapshots, control_changes";

/** Every event of `intents` round trips: open, orders acked and filled, fills, hedged; a hedge on every 4th. */
function lineage(from: number, count: number): TradeEvent[] {
  const events: TradeEvent[] = [];
  for (let n = from; n < from + count; n++) {
    const root = rootIntent(n, {}, n % 2 === 0 ? "PURR" : "HYPE");
    events.push(
      intentAt(root, "intended"),
      intentAt(root, "sent"),
      orderAt(root, 0, "acked", 10_000 + 2 * n),
      orderAt(root, 1, "acked", 10_001 + 2 * n),
      fillOf(root, 0, 100 * n, 10_000 + 2 * n, "30.1", "1.5"),
      orderAt(root, 0, "filled", 10_000 + 2 * n),
      fillOf(root, 1, 100 * n + 1, 10_001 + 2 * n, "30.2", "1"),
      orderAt(root, 1, "partial", 10_001 + 2 * n),
    );
    if (n % 4 === 0) {
      const hedge = hedgeIntent(root, 1_000 + n, 5_000 + n);
      events.push(
        intentAt(root, "needsHedge"),
        intentAt(hedge, "sent"),
        orderAt(hedge, 0, "filled", 20_000 + n),
        fillOf(hedge, 0, 100 * n + 2, 20_000 + n, "30.25", "0.51"),
      );
    }
    events.push(intentAt(root, "hedged"));
  }
  return events;
}

describe("trades: shipper → SQS FIFO → event source → trade-writer → Postgres", () => {
  let db: TestPostgres;
  let proxy: TcpProxy;
  let pool: pg.Pool;
  let sqs: LocalSqs | undefined;
  let client: SQSClient;
  let poller: EventSourcePoller | undefined;
  let shipping: StartedTradeShipper | undefined;
  let spoolDir: string;
  const lines: Record<string, unknown>[] = [];

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
    await pool.query(`TRUNCATE ${TABLES}`);
    spoolDir = await mkdtemp(join(tmpdir(), "hlb-trade-pipeline-"));
  });
  afterEach(async () => {
    await shipping?.close();
    shipping = undefined;
    await poller?.stop();
    poller = undefined;
    await sqs?.stop();
    sqs = undefined;
    await rm(spoolDir, { recursive: true, force: true });
  });

  async function startPipeline(maxReceiveCount: number): Promise<LocalSqs> {
    const local = await startLocalSqs({ tradesVisibilityTimeoutSeconds: 1, maxReceiveCount });
    sqs = local;
    client = local.createClient();
    const logger = createLogger({
      service: "trade-writer",
      level: "info",
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    poller = startEventSourcePoller({
      client,
      queue: local.queues.trades,
      functionName: "trade-writer",
      handler: createTradeWriterHandler({ db: pool, logger }),
      waitTimeSeconds: 1,
      functionTimeoutSeconds: 10,
    });
    shipping = await startTradeShipper(
      {
        queueUrl: local.queues.trades.url,
        region: local.region,
        endpoint: local.endpoint,
        credentials: LOCAL_SQS_CREDENTIALS,
        spoolDir,
        tickMs: 20,
        maxHoldMs: 600,
      },
      { logger: createLogger({ service: "hotpath", level: "silent" }) },
    );
    return local;
  }

  const count = async (table: string): Promise<number> =>
    Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);

  /** Rows of every table that the events of `lineage(from, count)` produce, once each. */
  const expectLineage = async (intents: number, hedges: number): Promise<void> => {
    expect(await count("intents")).toBe(intents + hedges);
    expect(await count("orders")).toBe(2 * intents + hedges);
    expect(await count("fills")).toBe(2 * intents + hedges);
    const statuses = await pool.query<{ status: string; n: string }>(
      "SELECT status, count(*) AS n FROM intents WHERE action = 'open' GROUP BY status",
    );
    expect(statuses.rows).toEqual([{ status: "hedged", n: String(intents) }]);
    const orphans = await pool.query("SELECT tid FROM fill_lineage WHERE position_id IS NULL");
    expect(orphans.rows).toEqual([]);
  };

  it("lands every event of the hot path exactly once, even when each is shipped twice", async () => {
    await startPipeline(3);
    const events = lineage(1, 12);
    for (const event of events) shipping!.shipper.ship(event);
    for (const event of events) shipping!.shipper.ship(event); // a replay (e.g. the journal after a restart)
    await waitFor("every fill written", async () => (await count("fills")) === 2 * 12 + 3, {
      timeoutMs: 30_000,
    });
    await waitFor("every intent hedged", async () => {
      const open = await pool.query("SELECT 1 FROM intents WHERE action = 'open' AND status <> 'hedged'");
      return open.rows.length === 0 && (await count("intents")) === 15;
    });
    await expectLineage(12, 3);
    expect(shipping!.shipper.counters.sent).toBe(2 * events.length);
    const dlq = await sqs!.depth(sqs!.queues.tradesDlq);
    expect(dlq.visible + dlq.inFlight).toBe(0);
    expect(lines.filter((line) => line["level"] === "ERROR")).toEqual([]);
  });

  it("sends a poison message to the DLQ; its group's later events wait for it, other groups do not", async () => {
    const local = await startPipeline(2);
    await client.send(
      new SendMessageCommand({
        QueueUrl: local.queues.trades.url,
        MessageBody: '{"v":1,"kind":"fill","tid":"not a number"}',
        MessageGroupId: "coin:HYPE",
        MessageDeduplicationId: "poison-1",
      }),
    );
    const hype = lineage(1, 1); // intent 1 trades HYPE: held behind the poison
    const others = [transferOf(1, null), controlChangeOf(1), ...lineage(2, 1)]; // account, control, PURR
    for (const event of [...hype, ...others]) shipping!.shipper.ship(event);

    await waitFor(
      "other groups written",
      async () => (await count("intents")) === 1 && (await count("transfers")) === 1,
    );
    expect(await count("control_changes")).toBe(1);
    const held = await pool.query("SELECT coin FROM intents");
    expect(held.rows).toEqual([{ coin: "PURR" }]);

    await waitFor(
      "the HYPE group written after the poison went to the DLQ",
      async () => (await count("intents")) === 2,
      {
        timeoutMs: 30_000,
      },
    );
    await waitFor("every fill", async () => (await count("fills")) === 4);
    const dlq = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: local.queues.tradesDlq.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    expect(dlq.Messages?.map((message) => message.Body)).toEqual([
      '{"v":1,"kind":"fill","tid":"not a number"}',
    ]);
    const poison = lines.filter((line) => line["message"] === "poison trade event message");
    expect(poison.length).toBe(2); // once per receive, maxReceiveCount = 2
    expect(poison[0]).toMatchObject({ level: "ERROR", groupId: "coin:HYPE" });
  });

  it(
    "survives a Postgres outage: batches fail, are retried and land, with no loss and no duplicate",
    {
      timeout: 60_000 + OUTAGE_SECONDS * 1_000,
    },
    async () => {
      await startPipeline(OUTAGE_SECONDS + 50); // more receives than the outage lasts seconds: no DLQ
      const first = lineage(1, 4);
      for (const event of first) shipping!.shipper.ship(event);
      await waitFor("first intents written", async () => (await count("fills")) === 2 * 4 + 1, {
        timeoutMs: 30_000,
      });

      await proxy.down();
      const second = [...lineage(5, 6), fundingOf(1), controlChangeOf(2)];
      for (const event of second) shipping!.shipper.ship(event);
      await waitFor("a batch failed on the database", () =>
        lines.some((line) => line["message"] === "trade write failed"),
      );
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_SECONDS * 1_000));
      await proxy.up();

      await waitFor("everything written", async () => (await count("fills")) === 2 * 10 + 2, {
        timeoutMs: 40_000,
      });
      await waitFor("every intent hedged", async () => {
        const open = await pool.query("SELECT 1 FROM intents WHERE action = 'open' AND status <> 'hedged'");
        return open.rows.length === 0 && (await count("intents")) === 12;
      });
      await expectLineage(10, 2);
      expect(await count("funding")).toBe(1);
      expect(await count("control_changes")).toBe(1);
      const dlq = await sqs!.depth(sqs!.queues.tradesDlq);
      expect(dlq.visible + dlq.inFlight).toBe(0);
    },
  );
});
