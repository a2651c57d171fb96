/**
 * Trade events end to end, every part real: the trading hot path on the simulator (over its wire protocol)
 * → the trade shipper → SQS FIFO (fauxqs) → the trade-writer driven by a Lambda-like poller → Postgres —
 * the system `npm start` runs (test/demo/localSystem.ts), with a trade-writer that fails the first delivery
 * of some messages after it wrote them (a Lambda that dies before answering), so SQS delivers them again.
 *
 * Checked in Postgres after the drain: the lineage edge → intent → orders (cloid) → fills (tid) is whole,
 * every fill the bot applied is there exactly once, every intent and order the bot made is there once with
 * its final status, redeliveries wrote nothing twice, and the PnL the views compute is the bot's.
 */

import { tmpdir } from "node:os";
import { join } from "node:path";

import type { SQSBatchResponse } from "aws-lambda";
import type pg from "pg";
import { afterAll, describe, expect, it } from "vitest";

import type { TradeEvent } from "../../hotpath/persistence/tradeEventCodec.js";
import { startLocalSystem, type LocalSystem, type LocalSystemSummary } from "../demo/localSystem.js";
import { waitFor } from "../local/waitFor.js";

let system: LocalSystem | undefined;

afterAll(async () => {
  await system?.stop({ drainTimeoutMs: 1 }).catch(() => undefined);
});

/** Which first deliveries the flaky writer fails: every fill, and every intent's `intended` event. */
function redelivered(body: string): boolean {
  const event = JSON.parse(body) as TradeEvent;
  return event.kind === "fill" || (event.kind === "intent" && event.status === "intended");
}

describe("trade events: hot path → shipper → SQS FIFO → trade-writer → Postgres", () => {
  it("lands every intent, order and fill once with its lineage, through redeliveries; PnL equal", async () => {
    const firstDeliveries = new Set<string>();
    let failedOnPurpose = 0;
    system = await startLocalSystem({
      seed: 7,
      logFile: join(tmpdir(), `hlbasis-trade-shipping-${process.pid}.jsonl`),
      hostPort: 0,
      basisShocksPerHour: 3600,
      // Redeliveries after 1 s; enough receives that none of them reaches the DLQ.
      sqs: { tradesVisibilityTimeoutSeconds: 1, maxReceiveCount: 5 },
      wrapTradeWriter: (handler) => async (event, context) => {
        const response: SQSBatchResponse = await handler(event, context);
        const failures = [...response.batchItemFailures];
        for (const record of event.Records) {
          if (!redelivered(record.body) || firstDeliveries.has(record.messageId)) continue;
          firstDeliveries.add(record.messageId);
          if (failures.some((failure) => failure.itemIdentifier === record.messageId)) continue;
          failures.push({ itemIdentifier: record.messageId });
          failedOnPurpose += 1;
        }
        return { batchItemFailures: failures };
      },
    });
    const running = system;
    const executor = running.hotpath.trading!.executor;
    // Two root intents with their fills, then no new risk (pause) and every root resolved before stopping.
    await waitFor(
      "two root intents with their fills",
      () => executor.stats.rootIntents >= 2 && executor.pnl().total.fills >= 4,
      { timeoutMs: 90_000, intervalMs: 100 },
    );
    // Through the control API: the pause is a control change, shipped to control_changes too.
    const paused = await fetch(`${running.hostUrl}/control/pause`, {
      method: "POST",
      headers: { authorization: `Bearer ${running.controlToken}`, "content-type": "application/json" },
      body: JSON.stringify({ reason: "test: stop trading before the drain" }),
    });
    expect(paused.status).toBe(200);
    const { changeId } = (await paused.json()) as { changeId: string };
    const metrics = await (await fetch(`${running.hostUrl}/metrics`)).text();
    expect(metrics).toMatch(/^hlbasis_trade_shipper_sent_total [1-9]\d*$/m);
    await waitFor("every root intent resolved", () => executor.risk.openIntents === 0, { timeoutMs: 30_000 });
    const bot = {
      intents: () => executor.stats.rootIntents + executor.stats.followUps,
      fills: () => executor.pnl().total.fills,
    };

    let checked = false;
    const summary: LocalSystemSummary = await running.stop({
      drainTimeoutMs: 60_000,
      inspect: async (db: pg.Pool) => {
        const count = async (sql: string, values: unknown[] = []): Promise<number> =>
          Number((await db.query<{ n: string }>(sql, values)).rows[0]?.n ?? -1);
        const bootId = running.hotpath.bootId;

        // Everything the bot made and applied, once.
        expect(await count("SELECT count(*) AS n FROM intents WHERE boot_id = $1", [bootId])).toBe(
          bot.intents(),
        );
        expect(await count("SELECT count(*) AS n FROM fills")).toBe(bot.fills());
        expect(await count("SELECT count(DISTINCT tid) AS n FROM fills")).toBe(bot.fills());
        expect(
          await count(
            `SELECT count(*) AS n FROM intents i
             WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.intent_id = i.intent_id)`,
          ),
        ).toBe(0);

        // Lineage: fill → order (cloid) → intent → edge (roots caused by an edge) / root (follow-ups).
        expect(
          await count(
            "SELECT count(*) AS n FROM fills f LEFT JOIN orders o USING (cloid) WHERE o.cloid IS NULL",
          ),
        ).toBe(0);
        expect(
          await count(
            `SELECT count(*) AS n FROM intents i
             LEFT JOIN edges e ON e.boot_id = i.boot_id AND e.edge_id = i.edge_id
             WHERE i.edge_id IS NOT NULL AND (e.edge_id IS NULL OR e.intent_id <> i.intent_id)`,
          ),
        ).toBe(0);
        expect(
          await count(
            `SELECT count(*) AS n FROM intents i LEFT JOIN intents root ON root.intent_id = i.parent_intent_id
             WHERE i.parent_intent_id IS NOT NULL AND root.intent_id IS NULL`,
          ),
        ).toBe(0);
        // Every traded edge names an intent that exists.
        expect(
          await count(
            `SELECT count(*) AS n FROM edges e LEFT JOIN intents i ON i.intent_id = e.intent_id
             WHERE e.outcome = 'traded' AND i.intent_id IS NULL`,
          ),
        ).toBe(0);
        expect(
          await count(
            "SELECT count(*) AS n FROM intents WHERE boot_id = $1 AND edge_id IS NOT NULL AND parent_intent_id IS NULL",
            [bootId],
          ),
        ).toBeGreaterThan(0);

        // Statuses moved forward to the end: orders of resolved roots ended, resolved intents are final.
        const orderStatuses = await db.query<{ status: string }>("SELECT DISTINCT status FROM orders");
        for (const { status } of orderStatuses.rows)
          expect(["filled", "rejected", "partial"]).toContain(status);
        expect(
          await count(
            "SELECT count(*) AS n FROM orders WHERE oid IS NULL AND status IN ('filled', 'partial')",
          ),
        ).toBe(0);
        const intentStatuses = await db.query<{ status: string }>("SELECT DISTINCT status FROM intents");
        for (const { status } of intentStatuses.rows) {
          expect(["closed", "hedged", "unwound", "rejected", "needsHedge"]).toContain(status);
        }
        expect(await count("SELECT count(*) AS n FROM position_snapshots")).toBeGreaterThan(0);
        expect(
          await count(
            "SELECT count(*) AS n FROM control_changes WHERE change_uid = $1 AND control = 'pause'",
            [changeId],
          ),
        ).toBe(1);
        checked = true;
      },
    });
    system = undefined;
    expect(checked).toBe(true);
    expect(failedOnPurpose).toBeGreaterThanOrEqual(bot.fills());
    expect(summary.fills_persisted).toBe(summary.fills);
    expect(summary.pnl_usdc_db).toBe(summary.pnl_usdc);
    expect(summary.pnl_match).toBe(true);
    expect(summary.trade_events_dropped).toBe(0);
    expect(summary.trade_events_sent).toBe(summary.trade_events_shipped);
  }, 180_000);
});
