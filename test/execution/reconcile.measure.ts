/**
 * Cost of reconciliation (not a test; run with `npx tsx test/execution/reconcile.measure.ts`). Belongs in
 * `test/bench/` as `reconcile.bench.ts`, whose owner can move it there.
 *
 * 1. `reconcile()` alone: 10 open intents (20 orders with their fills), 50 fills in the window.
 * 2. `readAccountSnapshot` against the simulator on loopback (8 `/info` requests, 10 fills).
 * 3. `reconcileAtStartup` against the simulator with a checkpoint (probe nothing, snapshot, reconcile, write
 *    the checkpoint with an fsync).
 */

import { performance } from "node:perf_hooks";

import type { IntentState } from "../../hotpath/execution/intentState.js";
import { readAccountSnapshot } from "../../hotpath/execution/reconcile/accountSnapshot.js";
import { Inventory } from "../../hotpath/execution/reconcile/inventory.js";
import { reconcile } from "../../hotpath/execution/reconcile/reconcile.js";
import { reconcileAtStartup } from "../../hotpath/execution/reconcile/startupReconciler.js";
import type { UserFill } from "../../hotpath/exchange/wire/info.js";
import { cloid, d, fill, filled, openIntent, sent, T0 } from "./intentState.fixtures.js";
import { baseline, exchangeFill, intentState, MARKETS, snapshot } from "./reconcile.fixtures.js";
import { SimDesk } from "./reconcile.simSupport.js";

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

function measurePure(): void {
  const intents: IntentState[] = [];
  const fills: UserFill[] = [];
  for (let i = 1; i <= 10; i++) {
    const perp = cloid(i * 10);
    const spot = cloid(i * 10 + 1);
    const [perpOid, spotOid] = [1000 + i * 2, 1001 + i * 2];
    intents.push(
      intentState(openIntent(i, { perpCloid: perp, spotCloid: spot }), [
        [perp, sent()],
        [spot, sent()],
        [perp, fill(i * 2, "0.49", { px: "40", fee: "0", oid: perpOid })],
        [spot, fill(i * 2 + 1, "0.5", { px: "40", fee: "0", feeToken: "HYPE", oid: spotOid })],
        [perp, filled("0.49", { avgPx: "40", oid: perpOid })],
        [spot, filled("0.5", { avgPx: "40", oid: spotOid })],
      ]),
    );
    const common = { px: d("40"), fee: d("0"), time: T0 + 10 };
    fills.push(
      exchangeFill(i * 2, { ...common, coin: "HYPE", side: "A", sz: d("0.49"), oid: perpOid, cloid: perp }),
    );
    fills.push(
      exchangeFill(i * 2 + 1, {
        ...common,
        coin: "@107",
        side: "B",
        sz: d("0.5"),
        oid: spotOid,
        cloid: spot,
      }),
    );
  }
  for (let tid = 100; tid < 130; tid++) {
    fills.push(
      exchangeFill(tid, { coin: "@107", side: "A", sz: d("0.01"), px: d("40"), oid: 99, time: T0 + 20 }),
    );
  }
  // 2 + 5 bought − 0.3 sold HYPE; 10 000 − 200 + 12 USDC.
  const state = snapshot({
    perp: { HYPE: { szi: "-4.9" } },
    spotUsdc: "4812",
    perpCollateral: "5000",
    spotHype: "6.7",
    fills,
  });
  const expected = Inventory.fromBaseline(MARKETS, baseline("10000", "2"));
  const options = { accountMode: "standard" as const, isClosedOrder: () => true };
  const samples: number[] = [];
  for (let run = 0; run < 3_000; run++) {
    const started = performance.now();
    const result = reconcile(state, { openIntents: intents }, expected, MARKETS, options);
    samples.push(performance.now() - started);
    if (!result.ok) throw new Error(result.mismatches.map((mismatch) => mismatch.message).join("\n"));
  }
  const warm = samples.slice(500);
  console.log(
    `reconcile(), 10 intents, 50 fills: p50 ${(percentile(warm, 0.5) * 1000).toFixed(0)} µs, ` +
      `p99 ${(percentile(warm, 0.99) * 1000).toFixed(0)} µs (${warm.length} runs)`,
  );
}

async function measureAgainstSimulator(): Promise<void> {
  const desk = await SimDesk.start();
  try {
    const options = {
      http: desk.http,
      address: desk.master.address,
      markets: desk.markets,
      accountMode: "standard" as const,
      checkpoints: desk.checkpoints,
    };
    await reconcileAtStartup({ ...options, ...desk.openJournal() });
    for (let trade = 0; trade < 5; trade++) await desk.openBasis();
    const reads: number[] = [];
    for (let run = 0; run < 200; run++) {
      const started = performance.now();
      await readAccountSnapshot(desk.http, {
        address: desk.master.address,
        fillsSinceMs: 0,
        fundingSinceMs: 0,
      });
      reads.push(performance.now() - started);
    }
    const warmReads = reads.slice(20);
    console.log(
      `readAccountSnapshot, simulator on loopback, 10 fills: p50 ${percentile(warmReads, 0.5).toFixed(2)} ms, ` +
        `p99 ${percentile(warmReads, 0.99).toFixed(2)} ms (${warmReads.length} runs)`,
    );
    const starts: number[] = [];
    for (let run = 0; run < 50; run++) {
      const opened = desk.openJournal();
      const started = performance.now();
      await reconcileAtStartup({ ...options, ...opened });
      starts.push(performance.now() - started);
    }
    const warmStarts = starts.slice(5);
    console.log(
      `reconcileAtStartup, simulator, 5 open intents, from a checkpoint: p50 ` +
        `${percentile(warmStarts, 0.5).toFixed(2)} ms, p99 ${percentile(warmStarts, 0.99).toFixed(2)} ms ` +
        `(${warmStarts.length} runs)`,
    );
  } finally {
    await desk.stop();
  }
}

measurePure();
await measureAgainstSimulator();
