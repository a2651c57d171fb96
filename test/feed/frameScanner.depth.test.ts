/**
 * Differential test of the depth-limited scanner (`ScanTarget.scanDepth`, `hotpath/feed/scanDepth.ts`): a
 * side is parsed until it holds the target's lots and notional, the rest of it is skipped unparsed. For every
 * recorded fixture and 100,000 random and mutated frames (fixed seed):
 *
 * - handled: the frame with the skipped bytes cut out (`scanner.skipped`) is what the full decoder makes a
 *   book of, and that book is exactly the scanner's; the cut starts right after a level and ends right before
 *   the side's `]`; the kept levels are the shortest prefix that reaches the depth (or the capacity), and a
 *   side with nothing skipped was read whole;
 * - whenever the full-depth scanner handles a frame, the depth scanner handles it too, with the full book's
 *   first levels;
 * - notBook only where the full-depth scanner says notBook (the channel check does not depend on depth).
 *
 * The three targets stop on different rules: HYPE on lots only, @107 on notional only, BTC on both.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import type { BookSide } from "../../hotpath/book/bookSide.js";
import { FrameScanner, type ScanTarget } from "../../hotpath/feed/frameScanner.js";
import type { ScanDepth } from "../../hotpath/feed/scanDepth.js";
import { levelsOf } from "../book/bookMessages.js";
import { frameArb, TARGETS } from "./frameArbitraries.js";
import { capturedFrames, jkorfAckFrames, jkorfDataFrames } from "./recordedFrames.js";
import { contradiction, referenceScan, scannedBook } from "./scanReference.js";

const CAPACITY = 20;
const RANDOM_FRAMES = 100_000;

// Random sizes are 1..10^7 lots and prices 10^3..5·10^7 units (`frameArbitraries.ts`): these stop after a
// few levels most of the time, and after every number of levels some of the time.
const DEPTHS: Readonly<Record<string, ScanDepth>> = {
  HYPE: { lots: 20_000_000, notional: 1 },
  "@107": { lots: 1, notional: 3e14 },
  BTC: { lots: 30_000_000, notional: 2e14 },
};

const DEPTH_TARGETS: readonly ScanTarget[] = TARGETS.map((target) => ({
  ...target,
  scanDepth: DEPTHS[target.coin]!,
}));

/** True when `levels` (price, lots, orders) reach `depth`. */
function reaches(levels: readonly (readonly [number, number, number])[], depth: ScanDepth): boolean {
  let lots = 0;
  let notional = 0;
  for (const [price, size] of levels) {
    lots += size;
    notional += size * price;
  }
  return lots >= depth.lots && notional >= depth.notional;
}

/** `bytes` without `[from, to)` of each skipped side. */
function withoutSkipped(bytes: Buffer, skipped: Int32Array): string {
  const parts: Buffer[] = [];
  let at = 0;
  for (const slot of [0, 2]) {
    const from = skipped[slot]!;
    if (from < 0) continue;
    parts.push(bytes.subarray(at, from));
    at = skipped[slot + 1]!;
  }
  parts.push(bytes.subarray(at));
  return Buffer.concat(parts).toString("utf8");
}

function harness() {
  const depthScanner = new FrameScanner(DEPTH_TARGETS, CAPACITY);
  const fullScanner = new FrameScanner(TARGETS, CAPACITY);
  const counts = { handled: 0, skippedSides: 0, fullOnlyMissed: 0, acceptedBeyondDepth: 0 };

  function checkSide(side: BookSide, bytes: Buffer, slot: number, depth: ScanDepth, text: string): void {
    const from = depthScanner.skipped[slot]!;
    const to = depthScanner.skipped[slot + 1]!;
    const levels = levelsOf(side);
    if (from < 0) {
      expect(to, text).toBe(-1);
      // Read whole: it never reached the depth before its last level (nor the capacity).
      expect(reaches(levels.slice(0, -1), depth) && levels.length > 1, text).toBe(false);
      return;
    }
    counts.skippedSides += 1;
    expect(bytes[from - 1], `cut after a level: ${text}`).toBe(0x7d); // }
    expect(bytes[to], `cut before the side's end: ${text}`).toBe(0x5d); // ]
    expect(bytes.subarray(from, to).includes(0x5d), text).toBe(false);
    expect(reaches(levels, depth) || levels.length === CAPACITY, text).toBe(true);
    expect(reaches(levels.slice(0, -1), depth), `stopped late: ${text}`).toBe(false);
  }

  function check(text: string): void {
    const bytes = Buffer.from(text, "utf8");
    const outcome = depthScanner.scanBytes(bytes);
    const fullOutcome = fullScanner.scanBytes(bytes);
    if (outcome === "notBook" || fullOutcome === "notBook") expect(outcome, text).toBe(fullOutcome);
    if (fullOutcome === "handled") {
      expect(outcome, `full scan handled it: ${text}`).toBe("handled");
      const full = scannedBook(fullScanner);
      const kept = scannedBook(depthScanner);
      expect(kept.bids, text).toEqual(full.bids.slice(0, kept.bids.length));
      expect(kept.asks, text).toEqual(full.asks.slice(0, kept.asks.length));
    }
    if (outcome !== "handled") return;
    counts.handled += 1;
    if (fullOutcome !== "handled") counts.acceptedBeyondDepth += 1;
    const cut = withoutSkipped(bytes, depthScanner.skipped);
    const reference = referenceScan(cut, TARGETS, CAPACITY);
    const problem = contradiction(outcome, depthScanner, reference);
    if (problem !== null) throw new Error(`${problem}\nframe: ${text}\ncut: ${cut}`);
    const frame = depthScanner.frame;
    if (frame.kind !== "l2Book") {
      expect([...depthScanner.skipped], text).toEqual([-1, -1, -1, -1]);
      return;
    }
    const depth = DEPTHS[frame.coin]!;
    checkSide(frame.bids, bytes, 0, depth, text);
    checkSide(frame.asks, bytes, 2, depth, text);
  }
  return { check, counts };
}

describe("depth-limited frame scanner vs the full decoder", () => {
  it("agrees on every recorded frame", () => {
    const { check, counts } = harness();
    for (const frame of [...capturedFrames(), ...jkorfDataFrames(), ...jkorfAckFrames()]) {
      check(frame.text);
      check(JSON.stringify(JSON.parse(frame.text)));
    }
    expect(counts.handled).toBeGreaterThanOrEqual(4);
  });

  it(
    `agrees on ${RANDOM_FRAMES.toLocaleString("en")} random and mutated frames`,
    { timeout: 600_000 },
    () => {
      const { check, counts } = harness();
      fc.assert(
        fc.property(frameArb, (text) => {
          check(text);
        }),
        { seed: 20_261_203, numRuns: RANDOM_FRAMES },
      );
      // The depth must actually cut most handled books, and the generator must reach frames whose problem
      // lies only in levels nobody reads.
      expect(counts.skippedSides / counts.handled).toBeGreaterThan(0.5);
      expect(counts.acceptedBeyondDepth).toBeGreaterThan(100);
    },
  );
});
