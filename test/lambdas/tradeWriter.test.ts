import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import type pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { createLogger } from "../../hotpath/observability/logger.js";
import { encodeEdgeBatch } from "../../hotpath/persistence/edgeBatchCodec.js";
import { type TradeEvent, messageGroupIdOf } from "../../hotpath/persistence/tradeEventCodec.js";
import { migrateUp } from "../../lambdas/db/migrate.js";
import { createEdgeWriterHandler } from "../../lambdas/edge-writer/edgeWriter.js";
import { createTradeWriterHandler } from "../../lambdas/trade-writer/tradeWriter.js";
import { lambdaContext, makeEdge, sqsEvent, sqsRecord } from "../persistence/edgeFixtures.js";
import {
  TRADE_BOOT_ID,
  controlChangeOf,
  fifoRecord,
  fillOf,
  fundingOf,
  hedgeIntent,
  intentAt,
  orderAt,
  rootIntent,
  snapshotOf,
  tradeRecord,
  transferOf,
} from "../persistence/tradeEventFixtures.js";
import { type TestPostgres, startTestPostgres } from "../support/postgres.js";
import { connectPool } from "./connectPool.js";
import { type TcpProxy, startTcpProxy } from "./tcpProxy.js";

const TABLES =
  "edges, intents, orders, fills, funding, transfers, rebalances, position_snapshots, control_changes";

describe("trade-writer handler", () => {
  let db: TestPostgres;
  let proxy: TcpProxy;
  let pool: pg.Pool;
  const lines: Record<string, unknown>[] = [];
  let handler: ReturnType<typeof createTradeWriterHandler>;
  let messageSeq = 0;

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
      service: "trade-writer",
      level: "info",
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    handler = createTradeWriterHandler({ db: pool, logger });
  });

  afterAll(async () => {
    await pool?.end();
    await proxy?.close();
    await db?.stop();
  });

  beforeEach(async () => {
    lines.length = 0;
    await pool.query(`TRUNCATE ${TABLES}`);
  });

  /** Records for `events`, each with a fresh message id (a redelivery or duplicate send gets a new one). */
  const records = (events: readonly TradeEvent[]): SQSRecord[] =>
    events.map((event) => tradeRecord(event, `m${++messageSeq}`));

  const deliver = (recordList: SQSRecord[], requestId = `req-${++messageSeq}`): Promise<SQSBatchResponse> =>
    handler(sqsEvent(recordList), lambdaContext(requestId));

  const failedIds = (response: SQSBatchResponse): string[] =>
    response.batchItemFailures.map((failure) => failure.itemIdentifier);

  const count = async (table: string): Promise<number> =>
    Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);

  const summaries = (): Record<string, unknown>[] =>
    lines.filter((l) => l["message"] === "trade-writer batch");

  it("lands a full lineage edge → intent → orders → fills once, although every message comes twice", async () => {
    const root = rootIntent(1);
    // The edge that caused the intent, through the edge-writer (same boot id, edge id 1001).
    const edgeWriter = createEdgeWriterHandler({
      db: pool,
      logger: createLogger({ service: "e", level: "silent" }),
    });
    const edge = makeEdge(root.edgeId!, { outcome: { kind: "traded", intentId: root.intentId } });
    await edgeWriter(
      sqsEvent([sqsRecord(encodeEdgeBatch(TRADE_BOOT_ID, [edge]), "edge")]),
      lambdaContext("e"),
    );

    const first: TradeEvent[] = [
      intentAt(root, "intended"),
      intentAt(root, "sent", root.createdAtMs + 11),
      orderAt(root, 0, "sent"),
      orderAt(root, 1, "sent"),
      orderAt(root, 0, "acked", 77, root.createdAtMs + 40),
    ];
    const second: TradeEvent[] = [
      fillOf(root, 1, 5001, 78, "30.2", "1.51"),
      orderAt(root, 1, "filled", 78, root.createdAtMs + 41),
      fillOf(root, 0, 5002, 77, "30.15", "1"),
      fillOf(root, 0, 5003, 77, "30.123", "0.5"),
      orderAt(root, 0, "filled", 77, root.createdAtMs + 42),
      intentAt(root, "hedged", root.createdAtMs + 50),
    ];
    // Each batch carries every message twice (a duplicate send), and the whole stream is delivered again.
    for (const events of [first, second, first, second]) {
      const response = await deliver(records(events.flatMap((event) => [event, event])));
      expect(response.batchItemFailures).toEqual([]);
    }
    expect(summaries().map((s) => s["rows"] === 0)).toEqual([false, false, true, true]);

    expect(await count("intents")).toBe(1);
    expect(await count("orders")).toBe(2);
    expect(await count("fills")).toBe(3);
    const intent = await pool.query(
      `SELECT status, edge_id::text, boot_id::text, position_id, hedged_size::text, expected_net_bps::text,
              parent_intent_id, created_at = to_timestamp($2 / 1000.0) AS created_ok,
              updated_at = to_timestamp($3 / 1000.0) AS updated_ok
       FROM intents WHERE intent_id = $1`,
      [root.intentId, root.createdAtMs, root.createdAtMs + 50],
    );
    expect(intent.rows[0]).toEqual({
      status: "hedged",
      edge_id: "1001",
      boot_id: TRADE_BOOT_ID,
      position_id: "pos-1",
      hedged_size: "1.5",
      expected_net_bps: "4.25",
      parent_intent_id: null,
      created_ok: true,
      updated_ok: true,
    });
    const orders = await pool.query(
      "SELECT cloid, market, side, size::text, limit_px::text, status, oid::text FROM orders ORDER BY market",
    );
    expect(orders.rows).toEqual([
      {
        cloid: root.legs[0]!.cloid,
        market: "perp",
        side: "sell",
        size: "1.5",
        limit_px: "30.123",
        status: "filled",
        oid: "77",
      },
      {
        cloid: root.legs[1]!.cloid,
        market: "spot",
        side: "buy",
        size: "1.51",
        limit_px: "30.2",
        status: "filled",
        oid: "78",
      },
    ]);
    // The lineage, joined on natural keys: the edge, its intent, both orders, every fill.
    const lineage = await pool.query(
      `SELECT e.edge_id::text, i.intent_id, o.cloid, f.tid::text, f.px::text, f.size::text, f.fee::text, f.fee_token
       FROM edges e
       JOIN intents i ON i.boot_id = e.boot_id AND i.edge_id = e.edge_id AND i.intent_id = e.intent_id
       JOIN orders o ON o.intent_id = i.intent_id
       JOIN fills f ON f.cloid = o.cloid
       ORDER BY f.tid`,
    );
    expect(lineage.rows).toEqual([
      {
        edge_id: "1001",
        intent_id: root.intentId,
        cloid: root.legs[1]!.cloid,
        tid: "5001",
        px: "30.2",
        size: "1.51",
        fee: "0.00105",
        fee_token: "HYPE",
      },
      {
        edge_id: "1001",
        intent_id: root.intentId,
        cloid: root.legs[0]!.cloid,
        tid: "5002",
        px: "30.15",
        size: "1",
        fee: "0.0135",
        fee_token: "USDC",
      },
      {
        edge_id: "1001",
        intent_id: root.intentId,
        cloid: root.legs[0]!.cloid,
        tid: "5003",
        px: "30.123",
        size: "0.5",
        fee: "0.0135",
        fee_token: "USDC",
      },
    ]);
  });

  it("writes follow-up intents with their root, their own orders, and no edge", async () => {
    const root = rootIntent(1);
    const hedge = hedgeIntent(root, 2, 101, "0.51");
    const response = await deliver(
      records([
        intentAt(root, "sent"),
        orderAt(root, 0, "filled", 11),
        orderAt(root, 1, "partial", 12),
        fillOf(root, 0, 1, 11, "30.1", "1.5"),
        fillOf(root, 1, 2, 12, "30.2", "1"),
        intentAt(root, "needsHedge"),
        intentAt(hedge, "intended"),
        orderAt(hedge, 0, "filled", 13),
        fillOf(hedge, 0, 3, 13, "30.25", "0.51"),
        intentAt(root, "hedged"),
      ]),
    );
    expect(response.batchItemFailures).toEqual([]);
    const intents = await pool.query(
      "SELECT intent_id, action, parent_intent_id, edge_id, position_id, hedged_size::text, status FROM intents ORDER BY created_at",
    );
    expect(intents.rows).toEqual([
      {
        intent_id: root.intentId,
        action: "open",
        parent_intent_id: null,
        edge_id: "1001",
        position_id: "pos-1",
        hedged_size: "1.5",
        status: "hedged",
      },
      {
        intent_id: hedge.intentId,
        action: "hedge",
        parent_intent_id: root.intentId,
        edge_id: null,
        position_id: "pos-1",
        hedged_size: "0.51",
        status: "intended",
      },
    ]);
    const hedgeOrders = await pool.query("SELECT cloid, status FROM orders WHERE intent_id = $1", [
      hedge.intentId,
    ]);
    expect(hedgeOrders.rows).toEqual([{ cloid: hedge.legs[0]!.cloid, status: "filled" }]);
    // The PnL view sees every fill of the position, the follow-up's included.
    const pnl = await pool.query(
      "SELECT spot_cash_usdc::text, perp_cash_usdc::text, spot_fee_base::text FROM pnl_per_position WHERE position_id = 'pos-1'",
    );
    expect(pnl.rows[0]).toEqual({
      perp_cash_usdc: "45.15",
      spot_cash_usdc: "-45.6275",
      spot_fee_base: "0.00210",
    });
  });

  it("moves statuses only forward, and learns an oid from a later report", async () => {
    const root = rootIntent(1);
    await deliver(
      records([intentAt(root, "hedged"), orderAt(root, 0, "filled", 11), orderAt(root, 1, "sent")]),
    );
    const late = await deliver(
      records([
        intentAt(root, "sent"), // older news
        orderAt(root, 0, "acked", 11),
        orderAt(root, 1, "sent", 12), // same status, now with the oid
      ]),
    );
    expect(late.batchItemFailures).toEqual([]);
    const intent = await pool.query("SELECT status FROM intents");
    expect(intent.rows).toEqual([{ status: "hedged" }]);
    const orders = await pool.query("SELECT status, oid::text FROM orders ORDER BY market");
    expect(orders.rows).toEqual([
      { status: "filled", oid: "11" },
      { status: "sent", oid: "12" },
    ]);
    // Within one batch too: the furthest status wins whatever the order of arrival.
    const other = rootIntent(2);
    await deliver(
      records([
        intentAt(other, "hedged"),
        intentAt(other, "acked"),
        orderAt(other, 0, "filled", 21),
        orderAt(other, 0, "acked", 21),
      ]),
    );
    const within = await pool.query("SELECT status FROM intents WHERE intent_id = $1", [other.intentId]);
    expect(within.rows).toEqual([{ status: "hedged" }]);
    const withinOrder = await pool.query("SELECT status FROM orders WHERE cloid = $1", [
      other.legs[0]!.cloid,
    ]);
    expect(withinOrder.rows).toEqual([{ status: "filled" }]);
  });

  it("writes funding, transfers, snapshots and control changes exactly, once", async () => {
    // The rebalancer records its ticks itself (lambdas/rebalancer/tickStore.ts); a transfer names one.
    await pool.query(
      `INSERT INTO rebalances (tick_id, started_at, spot_usdc, perp_usdc, action, amount_usdc, status)
       VALUES ('tick-1', now(), 1200.5, 800.25, 'spotToPerp', 200.125, 'transferred')`,
    );
    const events: TradeEvent[] = [
      fundingOf(1),
      transferOf(555, "tick-1"),
      transferOf(556, null),
      snapshotOf(1),
      controlChangeOf(1),
    ];
    for (let i = 0; i < 2; i++) expect((await deliver(records(events))).batchItemFailures).toEqual([]);
    expect(await count("transfers")).toBe(2);
    for (const table of ["funding", "position_snapshots", "control_changes"]) {
      expect(await count(table)).toBe(1);
    }
    const funding = await pool.query(
      "SELECT coin, usdc::text, position_size::text, funding_rate::text, position_id, paid_at = to_timestamp($1 / 1000.0) AS at_ok FROM funding",
      [fundingOf(1).timeMs],
    );
    expect(funding.rows[0]).toEqual({
      coin: "HYPE",
      usdc: "0.0123456",
      position_size: "-1.5",
      funding_rate: "0.0000125",
      position_id: "pos-1",
      at_ok: true,
    });
    const transfer = await pool.query(
      "SELECT transfer_id, kind, token, amount::text, tick_id, status FROM transfers ORDER BY transfer_id",
    );
    expect(transfer.rows[0]).toEqual({
      transfer_id: "usdClassTransfer:555",
      kind: "spotToPerp",
      token: "USDC",
      amount: "200.125",
      tick_id: "tick-1",
      status: "ok",
    });
    const control = await pool.query(
      "SELECT change_uid::text, actor, control, old_value, new_value, reason, changed_at FROM control_changes",
    );
    const change = controlChangeOf(1).change;
    expect(control.rows[0]).toEqual({
      change_uid: change.changeId,
      actor: "control-api@127.0.0.1",
      control: "pause",
      old_value: '{"paused":false,"pausedReason":null}',
      new_value: '{"paused":true,"pausedReason":"maintenance"}',
      reason: "maintenance",
      changed_at: new Date(change.changedAt),
    });
    const snapshot = await pool.query(
      "SELECT perp_size::text, spot_mid_px::text, unrealized_pnl FROM position_snapshots",
    );
    expect(snapshot.rows[0]).toEqual({ perp_size: "-1.5", spot_mid_px: "30.14", unrealized_pnl: null });
  });

  it("fails a poison message and the rest of its group, and commits every other group", async () => {
    const root = rootIntent(1);
    const batch = [
      tradeRecord(intentAt(root, "sent"), "ok-intent"),
      fifoRecord('{"v":1,"kind":"order","cloid":"nope"}', "poison", "coin:HYPE"),
      tradeRecord(orderAt(root, 0, "acked", 11), "held-order"),
      tradeRecord(transferOf(1, null), "ok-transfer"),
      tradeRecord(controlChangeOf(1), "ok-control"),
    ];
    const response = await deliver(batch, "req-poison");
    expect(failedIds(response)).toEqual(["poison", "held-order"]);
    expect(await count("intents")).toBe(1);
    expect(await count("transfers")).toBe(1);
    expect(await count("control_changes")).toBe(1);
    // The held order was not written: its row is still the intent's leg, `intended`, without an oid.
    const order = await pool.query("SELECT status, oid FROM orders WHERE cloid = $1", [root.legs[0]!.cloid]);
    expect(order.rows).toEqual([{ status: "intended", oid: null }]);

    const error = lines.find((l) => l["message"] === "poison trade event message");
    expect(error).toMatchObject({
      level: "ERROR",
      requestId: "req-poison",
      messageId: "poison",
      groupId: "coin:HYPE",
    });
    expect((error?.["err"] as { type: string }).type).toBe("TradeEventDecodeError");
    expect(summaries().at(-1)).toMatchObject({ records: 5, failed: 2, poison: 1, held: 1, events: 3 });

    // Once the poison is gone (to the DLQ), the held record is redelivered and lands.
    const retried = await deliver([tradeRecord(orderAt(root, 0, "acked", 11), "held-order")]);
    expect(retried.batchItemFailures).toEqual([]);
    const after = await pool.query("SELECT status, oid::text FROM orders WHERE cloid = $1", [
      root.legs[0]!.cloid,
    ]);
    expect(after.rows).toEqual([{ status: "acked", oid: "11" }]);
  });

  it("isolates a message the database refuses although it decodes, holding only its group", async () => {
    const hype = rootIntent(1);
    const orphanIntent = rootIntent(2, {}, "PURR"); // never shipped: its order breaks the foreign key
    const response = await deliver(
      [
        tradeRecord(intentAt(hype, "sent"), "hype-1"),
        tradeRecord(orderAt(orphanIntent, 0, "sent"), "purr-orphan"),
        tradeRecord(orderAt(hype, 0, "acked", 11), "hype-2"),
        tradeRecord(fillOf(orphanIntent, 0, 99, 5, "1", "1"), "purr-held"),
        tradeRecord(fillOf(hype, 0, 1, 11, "30", "1.5"), "hype-3"),
      ],
      "req-refused",
    );
    expect(failedIds(response)).toEqual(["purr-orphan", "purr-held"]);
    expect(await count("intents")).toBe(1);
    expect(await count("fills")).toBe(1);
    const order = await pool.query("SELECT status FROM orders WHERE cloid = $1", [hype.legs[0]!.cloid]);
    expect(order.rows).toEqual([{ status: "acked" }]);
    const refused = lines.find((l) => l["message"] === "trade event refused");
    expect(refused).toMatchObject({
      level: "ERROR",
      messageId: "purr-orphan",
      groupId: messageGroupIdOf(orderAt(orphanIntent, 0, "sent")),
    });
    expect((refused?.["err"] as { type: string; message: string }).type).toBe("TradeInsertError");
    expect((refused?.["err"] as { message: string }).message).toMatch(/orders_intent_id_fkey/);
    expect(summaries().at(-1)).toMatchObject({ records: 5, failed: 2, refused: 1, held: 1, events: 3 });
  });

  it("fails every record while the database is down; redelivery then lands with no loss or duplicate", async () => {
    const root = rootIntent(1);
    await deliver(records([intentAt(root, "sent")]));
    const batch = records([
      intentAt(root, "sent"), // already stored
      orderAt(root, 0, "filled", 11),
      fillOf(root, 0, 1, 11, "30", "1.5"),
      fundingOf(1),
      controlChangeOf(1),
    ]);
    batch.push(fifoRecord("garbage", "down-poison", "control"));
    await proxy.down();
    let response: SQSBatchResponse;
    try {
      response = await deliver(batch, "req-down");
    } finally {
      await proxy.up();
    }
    expect(failedIds(response).sort()).toEqual(batch.map((record) => record.messageId).sort());
    const failure = lines.find((l) => l["message"] === "trade write failed");
    expect(failure).toMatchObject({ level: "ERROR", requestId: "req-down" });
    expect((failure?.["err"] as { type: string }).type).toBe("TradeInsertError");

    const retried = await deliver(batch.slice(0, -1));
    expect(retried.batchItemFailures).toEqual([]);
    expect(await count("intents")).toBe(1);
    expect(await count("orders")).toBe(2);
    expect(await count("fills")).toBe(1);
    expect(await count("funding")).toBe(1);
    expect(await count("control_changes")).toBe(1);
  });

  it("writes one CloudWatch-shaped summary line per invocation", async () => {
    const root = rootIntent(1);
    const sent = Date.now() - 1_500;
    await deliver(
      [
        tradeRecord(intentAt(root, "sent"), "s1", sent),
        tradeRecord(fillOf(root, 0, 1, 11, "30", "1.5"), "s2"),
        fifoRecord("nope", "s3", "control"),
      ],
      "req-summary",
    );
    expect(summaries()).toHaveLength(1);
    const summary = summaries()[0]!;
    expect(summary).toMatchObject({
      level: "INFO",
      service: "trade-writer",
      requestId: "req-summary",
      records: 3,
      failed: 1,
      poison: 1,
      refused: 0,
      held: 0,
      events: 2,
      rows: 4, // the intent, its two legs as orders, the fill
    });
    expect(summary["kinds"]).toMatchObject({ intent: 1, fill: 1, order: 0 });
    expect(summary["queueLagMs"]).toBeGreaterThanOrEqual(1_500);
    expect(typeof summary["dbMs"]).toBe("number");
    expect(String(summary["time"])).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
  });
});
