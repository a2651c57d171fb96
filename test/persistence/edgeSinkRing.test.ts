/**
 * The edge ring: what the frame path pushes is what the flusher drains — ids from the shared sequence,
 * values copied exactly (sizes formatted as `recordEdge` formats them), order kept across wrap-around, and a
 * full ring counts the edge it refuses.
 */

import { describe, expect, it } from "vitest";

import { EdgeIdSequence } from "../../hotpath/edge/edgeRecord.js";
import { EdgeScratch } from "../../hotpath/edge/edgeScratch.js";
import { decodeEdgeBatch, encodeEdgeBatch } from "../../hotpath/persistence/edgeBatchCodec.js";
import { EdgeColumns, rowsFromColumns } from "../../hotpath/persistence/edgeColumnsCodec.js";
import { EdgeRing } from "../../hotpath/persistence/edgeRing.js";
import type { PersistedEdge } from "../../hotpath/persistence/edgeRowCodec.js";
import { TEST_BOOT_ID } from "./edgeFixtures.js";
import { testMarket } from "./edgeSinkSupport.js";

const EPOCH_OFFSET = 1_700_000_000_000;
const toEpoch = (ms: number): number => EPOCH_OFFSET + ms;

/** Drains up to `max` edges as columns and reads them as the Lambda will: as rows. */
function drainRows(ring: EdgeRing, max = Number.POSITIVE_INFINITY): PersistedEdge[] {
  const columns = new EdgeColumns(Math.max(1, ring.size));
  ring.drainColumns(max, toEpoch, columns);
  return rowsFromColumns(columns);
}

function drainAll(ring: EdgeRing): PersistedEdge[] {
  return drainRows(ring);
}

describe("edge ring", () => {
  it("copies both directions of every frame, with the traded edge's record id and intent", () => {
    const ids = new EdgeIdSequence();
    const ring = new EdgeRing(ids, 1024);
    const market = testMarket(ids, () => ring);
    market.frames(30);
    expect(ring.size).toBe(60);
    expect(ring.pushed).toBe(60);
    const rows = drainAll(ring);
    expect(ring.size).toBe(0);
    expect(rows.map((row) => row.edgeId)).toEqual(market.pushedIds);
    expect(new Set(rows.map((row) => row.edgeId)).size).toBe(60);
    expect(rows.filter((row) => row.direction === "perpRich")).toHaveLength(30);

    const traded = rows.filter((row) => row.outcome.kind === "traded");
    expect(traded).toHaveLength(market.traded.size);
    expect(traded.length).toBeGreaterThan(0);
    for (const row of traded) {
      const expected = market.traded.get(row.edgeId)!;
      expect(row.outcome).toEqual({ kind: "traded", intentId: expected.intentId });
      // The ring formats the same scaled integers as `recordEdge`: the same exact strings.
      expect(row.perpSize).toBe(expected.perpSize);
      expect(row.spotNotional).toBe(expected.spotNotional);
    }
    const skipped = rows.find((row) => row.outcome.kind === "skipped")!;
    expect(skipped.outcome).toEqual({ kind: "skipped", reason: "belowThreshold" });
    // Every drained row is a valid message row.
    expect(decodeEdgeBatch(encodeEdgeBatch(TEST_BOOT_ID, rows)).edges).toHaveLength(60);
  });

  it("converts times to epoch ms, and records a leg without any frame yet as time 0", () => {
    const ids = new EdgeIdSequence();
    const ring = new EdgeRing(ids, 16);
    const market = testMarket(ids, () => ring);
    market.frames(1); // the spot leg only: the perp book is still empty
    const [perpRich] = drainAll(ring);
    expect(perpRich!.status).toBe("emptyBook");
    expect(perpRich!.perpExchangeTimeMs).toBe(0);
    expect(perpRich!.perpReceivedAtMs).toBe(0);
    expect(perpRich!.spotExchangeTimeMs).toBe(Date.UTC(2026, 4, 1) + 1);
    expect(perpRich!.spotReceivedAtMs).toBe(EPOCH_OFFSET + market.feed.books.spot.receivedAtMs);
    expect(perpRich!.recordedAtMs).toBe(perpRich!.spotReceivedAtMs);
    expect(perpRich!.grossBps).toBeNull(); // NaN: not computed
    expect(perpRich!.perpSize).toBe("0");
    expect(perpRich!.perpTakerFeeRate).toBe("0.00045");
  });

  it("keeps push order across wrap-around and tracks the high-water mark", () => {
    const ids = new EdgeIdSequence();
    const ring = new EdgeRing(ids, 8);
    const market = testMarket(ids, () => ring);
    const drained: number[] = [];
    for (let round = 0; round < 5; round++) {
      market.frames(2); // 4 edges in, 3 out: one more held per round, wrapping around 8 slots
      const rows = drainRows(ring, 3);
      expect(rows).toHaveLength(3);
      drained.push(...rows.map((row) => row.edgeId));
    }
    expect(ring.highWater).toBe(8);
    drained.push(...drainAll(ring).map((row) => row.edgeId));
    expect(drained).toEqual(market.pushedIds);
    expect(ring.droppedFull).toBe(0);
  });

  it("refuses and counts the newest edge when full; the id is still taken", () => {
    const ids = new EdgeIdSequence();
    const ring = new EdgeRing(ids, 4);
    const market = testMarket(ids, () => ring);
    market.frames(3); // 6 edges into 4 slots
    expect(ring.size).toBe(4);
    expect(ring.pushed).toBe(4);
    expect(ring.droppedFull).toBe(2);
    expect(drainAll(ring).map((row) => row.edgeId)).toEqual(market.pushedIds.slice(0, 4));
    const scratch = new EdgeScratch("perpRich");
    expect(ring.pushTraded(market.feed, scratch, 999, performance.now(), "intent-999")).toBe(true);
    expect(ring.size).toBe(1);
  });

  it("reports the oldest edge's time (the flusher's age trigger)", () => {
    const ids = new EdgeIdSequence();
    const ring = new EdgeRing(ids, 4);
    const market = testMarket(ids, () => ring);
    expect(ring.oldestRecordedAtMs()).toBeNaN();
    const scratch = new EdgeScratch("spotRich");
    ring.pushSkipped(market.feed, scratch, 1234.5, "stale");
    ring.pushSkipped(market.feed, scratch, 2000, "paused");
    expect(ring.oldestRecordedAtMs()).toBe(1234.5);
    const rows = drainRows(ring, 1);
    expect(ring.oldestRecordedAtMs()).toBe(2000);
    expect(rows[0]!.outcome).toEqual({ kind: "skipped", reason: "stale" });
  });

  it("copies no more than the columns can hold, and refuses an intent id that would poison a message", () => {
    const ids = new EdgeIdSequence();
    const ring = new EdgeRing(ids, 16);
    const market = testMarket(ids, () => ring);
    market.frames(5);
    const columns = new EdgeColumns(4);
    expect(ring.drainColumns(100, toEpoch, columns)).toBe(4);
    expect(ring.drainColumns(100, toEpoch, columns)).toBe(0);
    expect(ring.size).toBe(6);
    const scratch = new EdgeScratch("perpRich");
    expect(() => ring.pushTraded(market.feed, scratch, 1, 0, "")).toThrow(RangeError);
    expect(() => ring.pushTraded(market.feed, scratch, 1, 0, "x".repeat(129))).toThrow(RangeError);
    expect(ring.size).toBe(6);
  });

  it("rejects a capacity that is not a positive integer", () => {
    expect(() => new EdgeRing(new EdgeIdSequence(), 0)).toThrow(RangeError);
    expect(() => new EdgeRing(new EdgeIdSequence(), 2.5)).toThrow(RangeError);
  });
});
