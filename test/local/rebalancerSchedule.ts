/**
 * The rebalancer's 30-second schedule on one machine (`npm start`), standing in for the AWS trigger:
 * `startLocalSchedule(tick, { periodMs, clock })` calls `tick(scheduledMs)` at every multiple of `periodMs`
 * of the clock (…:00, …:30), the way EventBridge hands the Lambda its scheduled `time`.
 *
 * - Aligned and drift-free: each timer is armed for the next boundary computed from the clock, not from
 *   the previous firing, so a late timer or a slow tick never shifts the ones after it.
 * - The tick receives the boundary (`scheduledMs`), not the moment the timer ran, so its tick id is the
 *   slot's even when the timer fires late — the same rule as the Lambda entry.
 * - No overlap: a boundary reached while the previous tick is still running is skipped (counted), as the
 *   tick guard in Postgres would skip it anyway.
 * - A rejected tick is reported to `onError` and the schedule goes on.
 * - `stop()` cancels the timer and waits for a running tick.
 *
 * Usage (what `npm start` does with the rebalancer):
 *
 *   const schedule = startLocalSchedule((ms) => runRebalancerTick(deps, ms), { periodMs: 30_000 });
 *   … await schedule.stop();
 */

export interface ScheduleClock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The process clock; timers are unref'd so a schedule alone does not keep the process alive. */
export const SYSTEM_CLOCK: ScheduleClock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface LocalScheduleOptions {
  /** Default 30 000 (the rebalancer's tick). */
  readonly periodMs?: number;
  readonly clock?: ScheduleClock;
  /** Also run one tick right away (for the current slot), before the first boundary. Default false. */
  readonly runAtStart?: boolean;
  /** A tick that rejected; default: ignored (the rebalancer's tick never rejects). */
  readonly onError?: (error: unknown, scheduledMs: number) => void;
}

export interface LocalScheduleStats {
  /** Ticks started. */
  readonly ticks: number;
  /** Boundaries passed while the previous tick was still running. */
  readonly skipped: number;
  /** Ticks that rejected. */
  readonly failed: number;
}

export interface LocalSchedule {
  stats(): LocalScheduleStats;
  stop(): Promise<void>;
}

export function startLocalSchedule(
  tick: (scheduledMs: number) => Promise<unknown>,
  options: LocalScheduleOptions = {},
): LocalSchedule {
  const periodMs = options.periodMs ?? 30_000;
  if (!Number.isSafeInteger(periodMs) || periodMs <= 0) {
    throw new RangeError(`periodMs must be a positive integer, got ${periodMs}`);
  }
  const clock = options.clock ?? SYSTEM_CLOCK;
  let ticks = 0;
  let skipped = 0;
  let failed = 0;
  let running: Promise<void> | undefined;
  let timer: unknown;
  let stopped = false;
  let lastScheduledMs = Number.NEGATIVE_INFINITY;

  const run = (scheduledMs: number): void => {
    if (running !== undefined) {
      skipped += 1;
      return;
    }
    ticks += 1;
    running = tick(scheduledMs)
      .then(
        () => undefined,
        (error: unknown) => {
          failed += 1;
          options.onError?.(error, scheduledMs);
        },
      )
      .finally(() => {
        running = undefined;
      });
  };

  const arm = (): void => {
    if (stopped) return;
    const now = clock.now();
    // A wall clock stepped back (NTP) must not hand the same slot out twice.
    const next = Math.max((Math.floor(now / periodMs) + 1) * periodMs, lastScheduledMs + periodMs);
    timer = clock.setTimeout(() => {
      timer = undefined;
      lastScheduledMs = next;
      run(next);
      arm();
    }, next - now);
  };

  if (options.runAtStart === true) run(clock.now());
  arm();

  return {
    stats: () => ({ ticks, skipped, failed }),
    async stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
