/**
 * V8 tiering for a process whose hot code runs rarely: imported first by the hot path's entry points
 * (`main.ts`, the demo, the tick-to-wire benchmark), before any module whose functions it concerns is loaded.
 *
 * Why: V8 optimises a function (TurboFan) once it has run a budget's worth of bytecode — by default
 * 67,584 bytes' worth per function. The per-frame code reaches that in seconds; the order path (a trade
 * verdict → intent → journal → signature → frame → write, plus the handling of its answer) runs a few times
 * an hour and would stay in the interpreter and baseline tiers for days. Measured with the tick-to-wire
 * benchmark (docs/benchmarks.md "Tick to wire", 2026-12-03): after 300 intents, tick to wire p50
 * 111–146 µs / p99 367–420 µs with the default budget, 90–108 µs / 204–221 µs with 4,000 — about as after
 * 20,000 intents with the default. The cost is compilation earlier, in the first few hundred intents (on
 * V8's background thread; measured there: slower, with millisecond outliers, when they come back to back).
 *
 * `HLB_V8_INTERRUPT_BUDGET` overrides the value (0 keeps V8's default).
 */

import { setFlagsFromString } from "node:v8";

export const DEFAULT_INTERRUPT_BUDGET = 4_000;

function budgetFromEnvironment(): number {
  const text = process.env["HLB_V8_INTERRUPT_BUDGET"];
  if (text === undefined || text === "") return DEFAULT_INTERRUPT_BUDGET;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(
      `HLB_V8_INTERRUPT_BUDGET must be a whole number ≥ 0 (0 = V8's default), got ${text}`,
    );
  }
  return value;
}

/** The interrupt budget in force for this process (0: V8's default). */
export const interruptBudget = budgetFromEnvironment();

if (interruptBudget > 0) setFlagsFromString(`--interrupt-budget=${interruptBudget}`);
