import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fxToNumber } from "./fixed.js";
import { isValidPrice, isValidSize } from "./grid.js";
import { MarketModel, isCrossed, type LegBook } from "./marketModel.js";
import { HYPE_PAIR } from "./markets.js";
import { Rng } from "./rng.js";
import { START } from "./testkit.js";

function model(seed: number, basis: Partial<Parameters<typeof baseOptions>[0]> = {}): MarketModel {
  return new MarketModel(baseOptions(basis, seed));
}

function baseOptions(basis: { excursionsPerHour?: number; thresholdBps?: number }, seed: number) {
  return { seed, startTimeMs: START, coins: [{ pair: HYPE_PAIR, basis }] };
}

function expectWellFormed(book: LegBook, grid: typeof HYPE_PAIR.perp.grid, levels: number): void {
  expect(book.bids).toHaveLength(levels);
  expect(book.asks).toHaveLength(levels);
  expect(isCrossed(book)).toBe(false);
  for (const side of [book.bids, book.asks]) {
    for (const level of side) {
      expect(isValidPrice(level.px, grid)).toBe(true);
      expect(isValidSize(level.sz, grid)).toBe(true);
      expect(level.n).toBeGreaterThanOrEqual(1);
    }
  }
  for (let i = 1; i < levels; i++) {
    expect(book.bids[i]!.px < book.bids[i - 1]!.px).toBe(true);
    expect(book.asks[i]!.px > book.asks[i - 1]!.px).toBe(true);
  }
}

describe("rng", () => {
  it("is reproducible from the seed", () => {
    const a = new Rng(123);
    const b = new Rng(123);
    const c = new Rng(124);
    const seqA = Array.from({ length: 50 }, () => a.nextU32());
    expect(Array.from({ length: 50 }, () => b.nextU32())).toEqual(seqA);
    expect(Array.from({ length: 50 }, () => c.nextU32())).not.toEqual(seqA);
  });

  it("draws standard normals", () => {
    const rng = new Rng(9);
    const xs = Array.from({ length: 20_000 }, () => rng.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});

describe("market model", () => {
  it("is deterministic given the seed", () => {
    const run = (seed: number) => {
      const m = model(seed);
      const frames: unknown[] = [];
      for (let i = 0; i < 50; i++) {
        m.step(500);
        frames.push(m.snapshot("HYPE"));
      }
      return frames;
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it("publishes full, uncrossed ladders on the grid with a coherent oracle, mark and funding", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 120_000 }), (seed, dt) => {
        const m = model(seed);
        for (let i = 0; i < 20; i++) {
          m.step(dt);
          const snap = m.snapshot("HYPE");
          expect(snap.time).toBe(START + dt * (i + 1));
          expectWellFormed(snap.spot, HYPE_PAIR.spot.grid, 25);
          expectWellFormed(snap.perp, HYPE_PAIR.perp.grid, 25);
          expect(isValidPrice(snap.oraclePx, HYPE_PAIR.perp.grid)).toBe(true);
          expect(isValidPrice(snap.markPx, HYPE_PAIR.perp.grid)).toBe(true);
          expect(Math.abs(fxToNumber(snap.oraclePx) - snap.spotMid)).toBeLessThan(0.001);
          expect(Math.abs(snap.perpMid / snap.spotMid - 1 - snap.basisBps / 10_000)).toBeLessThan(1e-12);
          const rate = fxToNumber(snap.fundingRate);
          expect(Math.abs(rate)).toBeLessThanOrEqual(0.04);
        }
      }),
      { numRuns: 25 },
    );
  });

  it("produces basis excursions beyond the threshold at the configured rate, in both directions", () => {
    const threshold = 25;
    const m = model(11, { excursionsPerHour: 6, thresholdBps: threshold });
    let state: "inside" | "above" | "below" = "inside";
    let above = 0;
    let below = 0;
    const hours = 12;
    for (let t = 0; t < hours * 3600; t += 2) {
      m.step(2000);
      const basis = m.snapshot("HYPE").basisBps;
      const next = basis > threshold ? "above" : basis < -threshold ? "below" : "inside";
      if (next !== state && next === "above") above++;
      if (next !== state && next === "below") below++;
      state = next;
    }
    const perHour = (above + below) / hours;
    expect(perHour).toBeGreaterThan(3);
    expect(perHour).toBeLessThan(10);
    expect(above).toBeGreaterThan(10);
    expect(below).toBeGreaterThan(10);
  });

  it("pays the interest rate when the premium is small and caps funding at 4 %/h", () => {
    const calm = new MarketModel({
      seed: 3,
      startTimeMs: START,
      coins: [{ pair: HYPE_PAIR, basis: { excursionsPerHour: 0, diffusionStdBps: 0.1 } }],
    });
    calm.step(3_600_000);
    expect(calm.takeFundingRate("HYPE")).toBe(1250n); // 0.0000125
    const wild = new MarketModel({
      seed: 3,
      startTimeMs: START,
      coins: [{ pair: HYPE_PAIR, basis: { meanBps: 5000, diffusionStdBps: 0.1, excursionsPerHour: 0 } }],
    });
    wild.step(3_600_000);
    expect(wild.takeFundingRate("HYPE")).toBe(4_000_000n); // capped at 0.04
  });
});
