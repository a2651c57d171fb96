/**
 * The local 30 s schedule under an accelerated (manual) clock whose timers fire up to 0.9 s late: every
 * 30 s ± 1 s over five minutes, aligned to the slots, no drift, no overlap — and, end to end, driving the
 * real rebalancer tick against the simulator and Postgres: one row per slot, one transfer in all.
 */

import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { migrateUp } from "../../lambdas/db/migrate.js";
import { runRebalancerTick } from "../../lambdas/rebalancer/rebalancerTick.js";
import { tickIdOf } from "../../lambdas/rebalancer/tickStore.js";
import { connectPool } from "../lambdas/connectPool.js";
import { startBench } from "../lambdas/rebalancerHarness.js";
import { type TestPostgres, startTestPostgres } from "../support/postgres.js";
import { type ScheduleClock, startLocalSchedule } from "./rebalancerSchedule.js";

const PERIOD_MS = 30_000;
const FIVE_MINUTES_MS = 5 * 60_000;

/**
 * Simulated time: `advanceTo(t)` runs every timer due by `t` in order, each `lateness()` ms after its due
 * time (real timers are never early, often late), and lets the promises it starts settle between timers.
 */
class ManualClock implements ScheduleClock {
  #now: number;
  #timers: { id: number; due: number; callback: () => void }[] = [];
  #nextId = 1;

  constructor(
    startMs: number,
    private readonly lateness: () => number,
  ) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = this.#nextId++;
    this.#timers.push({ id, due: this.#now + delayMs + this.lateness(), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers = this.#timers.filter((timer) => timer.id !== handle);
  }

  async advanceTo(targetMs: number, settle: () => Promise<unknown> = nextMacrotask): Promise<void> {
    for (;;) {
      this.#timers.sort((a, b) => a.due - b.due);
      const timer = this.#timers[0];
      if (timer === undefined || timer.due > targetMs) break;
      this.#timers.shift();
      this.#now = Math.max(this.#now, timer.due);
      timer.callback();
      await settle();
    }
    this.#now = targetMs;
  }
}

/** Lets every promise reaction queued so far run. */
function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Deterministic lateness in [0, 900) ms. */
function seededLateness(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state % 900;
  };
}

describe("local rebalancer schedule (accelerated clock)", () => {
  it("ticks every 30 s ± 1 s over five minutes, on the slot boundaries, without drift", async () => {
    const startMs = Date.UTC(2026, 7, 20, 10, 0, 7, 345); // deliberately between two boundaries
    const clock = new ManualClock(startMs, seededLateness(7));
    const calls: { scheduledMs: number; firedMs: number }[] = [];
    const schedule = startLocalSchedule(
      (scheduledMs) => {
        calls.push({ scheduledMs, firedMs: clock.now() });
        return Promise.resolve();
      },
      { periodMs: PERIOD_MS, clock },
    );
    await clock.advanceTo(startMs + FIVE_MINUTES_MS);
    await schedule.stop();

    expect(calls).toHaveLength(10);
    const firstBoundary = Math.ceil(startMs / PERIOD_MS) * PERIOD_MS;
    calls.forEach((call, i) => {
      expect(call.scheduledMs).toBe(firstBoundary + i * PERIOD_MS);
      expect(call.firedMs - call.scheduledMs).toBeGreaterThanOrEqual(0);
      expect(call.firedMs - call.scheduledMs).toBeLessThan(1_000);
    });
    for (let i = 1; i < calls.length; i++) {
      const gap = calls[i]!.firedMs - calls[i - 1]!.firedMs;
      expect(Math.abs(gap - PERIOD_MS)).toBeLessThanOrEqual(1_000);
    }
    const tickIds = calls.map((call) => Number(tickIdOf(call.scheduledMs)));
    expect(tickIds).toEqual(tickIds.map((_, i) => tickIds[0]! + i));
    expect(schedule.stats()).toEqual({ ticks: 10, skipped: 0, failed: 0 });
  });

  it("skips a boundary while the previous tick still runs, reports a failed tick, and stops cleanly", async () => {
    const clock = new ManualClock(0, () => 0);
    const releases: (() => void)[] = [];
    const errors: number[] = [];
    let call = 0;
    const schedule = startLocalSchedule(
      (scheduledMs) => {
        call += 1;
        if (call === 2) return Promise.reject(new Error("tick failed"));
        // The first tick hangs across the next boundary.
        return call === 1
          ? new Promise<void>((resolve) => releases.push(resolve))
          : Promise.resolve(scheduledMs);
      },
      { periodMs: PERIOD_MS, clock, onError: (_error, scheduledMs) => errors.push(scheduledMs) },
    );
    await clock.advanceTo(PERIOD_MS * 2); // boundary 1 starts the slow tick, boundary 2 is skipped
    expect(schedule.stats()).toEqual({ ticks: 1, skipped: 1, failed: 0 });
    releases[0]!();
    await nextMacrotask();
    await clock.advanceTo(PERIOD_MS * 4); // boundary 3 fails, boundary 4 runs
    expect(schedule.stats()).toEqual({ ticks: 3, skipped: 1, failed: 1 });
    expect(errors).toEqual([PERIOD_MS * 3]);
    await schedule.stop();
    await clock.advanceTo(PERIOD_MS * 10);
    expect(schedule.stats().ticks).toBe(3);
  });

  describe("driving the real tick (simulator + Postgres)", () => {
    let db: TestPostgres;
    let pool: pg.Pool;

    beforeAll(async () => {
      db = await startTestPostgres();
      await migrateUp({ databaseUrl: db.url });
      pool = await connectPool({ connectionString: db.url, max: 1 });
    });

    afterAll(async () => {
      await pool?.end();
      await db?.stop();
    });

    it("one recorded tick per slot for five minutes, one transfer in all", async () => {
      const bench = await startBench(pool, { spotUsdc: "5000", perpUsdc: "0" });
      try {
        // 7.3 s past a boundary: the tenth boundary is then 22.7 s before the end, whatever its lateness
        // (< 900 ms). Starting at an arbitrary `Date.now()` left it past the end ≈ 3 % of the time.
        const startMs = Math.floor(Date.now() / PERIOD_MS) * PERIOD_MS + 7_345;
        const clock = new ManualClock(startMs, seededLateness(11));
        const running: Promise<unknown>[] = [];
        const schedule = startLocalSchedule(
          (scheduledMs) => {
            const result = runRebalancerTick(bench.deps(), scheduledMs);
            running.push(result);
            return result;
          },
          { periodMs: PERIOD_MS, clock },
        );
        // After each boundary: let the schedule start its tick (one macrotask), then wait for every tick,
        // so a slow tick on a loaded machine is not overlapped by the next boundary (which would skip it).
        await clock.advanceTo(startMs + FIVE_MINUTES_MS, async () => {
          await nextMacrotask();
          await Promise.all(running);
        });
        await schedule.stop();

        const rows = (
          await pool.query<{ tick_id: string; status: string }>(
            "SELECT tick_id, status FROM rebalances ORDER BY tick_id",
          )
        ).rows;
        expect(rows).toHaveLength(10);
        const ids = rows.map((row) => Number(row.tick_id));
        expect(ids).toEqual(ids.map((_, i) => ids[0]! + i));
        expect(rows.map((row) => row.status)).toEqual(["transferred", ...Array<string>(9).fill("noAction")]);
        expect(bench.exchangeBodies.filter((body) => body.action.type === "usdClassTransfer")).toHaveLength(
          1,
        );
        expect(bench.tickLines()).toHaveLength(10);
      } finally {
        await bench.stop();
      }
    });
  });
});
