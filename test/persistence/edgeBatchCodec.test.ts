import { describe, expect, it } from "vitest";

import {
  EdgeBatchDecodeError,
  EdgeBatchPackError,
  SQS_MAX_BATCH_BYTES,
  SQS_MAX_BATCH_ENTRIES,
  SQS_MAX_MESSAGE_BYTES,
  decodeEdgeBatch,
  encodeEdgeBatch,
  packEdgeBatches,
} from "../../hotpath/persistence/edgeBatchCodec.js";
import { TEST_BOOT_ID, makeEdge, makeEdges } from "./edgeFixtures.js";

function decodeError(body: string): EdgeBatchDecodeError {
  try {
    decodeEdgeBatch(body);
  } catch (error) {
    if (error instanceof EdgeBatchDecodeError) return error;
    throw error;
  }
  throw new Error("expected a decode error");
}

describe("edge batch codec", () => {
  it("round-trips edges, outcomes and exact decimals", () => {
    const edges = [makeEdge(1), makeEdge(7), makeEdge(8, { outcome: { kind: "skipped", reason: "paused" } })];
    const decoded = decodeEdgeBatch(encodeEdgeBatch(TEST_BOOT_ID, edges));
    expect(decoded.bootId).toBe(TEST_BOOT_ID);
    expect(decoded.edges).toEqual(edges);
    expect(decoded.edges[1]!.outcome).toEqual({ kind: "traded", intentId: "intent-7" });
  });

  it("sends NaN (not computed) as null", () => {
    const edge = makeEdge(2, { netBps: Number.NaN, perpVwap: Number.NaN });
    const decoded = decodeEdgeBatch(encodeEdgeBatch(TEST_BOOT_ID, [edge]));
    expect(decoded.edges[0]!.netBps).toBeNull();
    expect(decoded.edges[0]!.perpVwap).toBeNull();
  });

  it("rejects bodies with a typed, specific error", () => {
    expect(decodeError("{nope").failure).toBe("notJson");
    expect(decodeError(JSON.stringify({ v: 2, boot: TEST_BOOT_ID, edges: [] })).failure).toBe(
      "unsupportedVersion",
    );
    expect(decodeError(JSON.stringify({ v: 1, boot: "not-a-uuid", edges: [[]] })).failure).toBe(
      "invalidEnvelope",
    );
    const good = JSON.parse(encodeEdgeBatch(TEST_BOOT_ID, makeEdges(1, 3))) as { edges: unknown[][] };
    good.edges[2]![14] = 1.5; // perpSize must be an exact decimal string, not a double
    const error = decodeError(JSON.stringify(good));
    expect(error.failure).toBe("invalidEdge");
    expect(error.edgeIndex).toBe(2);
    expect(error.message).toMatch(/at edge 2: 14: /);
  });

  it("rejects an outcome inconsistent with its intent id / skip reason", () => {
    const body = JSON.parse(encodeEdgeBatch(TEST_BOOT_ID, [makeEdge(7)])) as { edges: unknown[][] };
    body.edges[0]![7] = null; // traded without an intent id
    const error = decodeError(JSON.stringify(body));
    expect(error.failure).toBe("invalidEdge");
    expect(error.message).toMatch(/traded edge needs an intentId/);
  });
});

describe("edge batch packer", () => {
  it("fills messages up to 256 KiB and batches within 10 entries and 256 KiB", () => {
    const edges = makeEdges(1, 20_000);
    const batches = packEdgeBatches(TEST_BOOT_ID, edges);
    const messages = batches.flatMap((batch) => batch.messages);
    for (const batch of batches) {
      expect(batch.messages.length).toBeLessThanOrEqual(SQS_MAX_BATCH_ENTRIES);
      const total = batch.messages.reduce((sum, m) => sum + Buffer.byteLength(m.body), 0);
      expect(total).toBe(batch.bytes);
      expect(total).toBeLessThanOrEqual(SQS_MAX_BATCH_BYTES);
    }
    for (const message of messages) {
      expect(Buffer.byteLength(message.body)).toBe(message.bytes);
      expect(message.bytes).toBeLessThanOrEqual(SQS_MAX_MESSAGE_BYTES);
    }
    // Filled: every message but the last is within one row of the limit.
    const rowBytes = Buffer.byteLength(encodeEdgeBatch(TEST_BOOT_ID, [makeEdge(19_999)])) - 60;
    for (const message of messages.slice(0, -1)) {
      expect(message.bytes).toBeGreaterThan(SQS_MAX_MESSAGE_BYTES - rowBytes - 60);
    }
    const ids = messages.flatMap((m) => decodeEdgeBatch(m.body).edges.map((e) => e.edgeId));
    expect(ids).toEqual(edges.map((e) => e.edgeId));
  });

  it("splits a SendMessageBatch that would exceed 10 entries", () => {
    const limits = { maxMessageBytes: 2_000, maxBatchBytes: SQS_MAX_BATCH_BYTES, maxBatchEntries: 10 };
    const batches = packEdgeBatches(TEST_BOOT_ID, makeEdges(1, 200), limits);
    const counts = batches.map((b) => b.messages.length);
    expect(counts.slice(0, -1).every((n) => n === 10)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
  });

  it("splits a SendMessageBatch that would exceed 256 KiB in total", () => {
    // Three ~100 KiB messages: 10 entries would be allowed, 256 KiB is not.
    const limits = { maxMessageBytes: 100 * 1024, maxBatchBytes: SQS_MAX_BATCH_BYTES, maxBatchEntries: 10 };
    const batches = packEdgeBatches(TEST_BOOT_ID, makeEdges(1, 2_000), limits);
    const messageCount = batches.flatMap((b) => b.messages).length;
    expect(messageCount).toBeGreaterThanOrEqual(5);
    expect(batches.length).toBe(Math.ceil(messageCount / 2));
    for (const batch of batches) {
      expect(batch.messages.length).toBeLessThanOrEqual(2);
      expect(batch.bytes).toBeLessThanOrEqual(SQS_MAX_BATCH_BYTES);
    }
  });

  it("refuses an edge that cannot fit any message, and a malformed boot id", () => {
    const limits = { maxMessageBytes: 200, maxBatchBytes: 200, maxBatchEntries: 10 };
    expect(() => packEdgeBatches(TEST_BOOT_ID, [makeEdge(1)], limits)).toThrow(EdgeBatchPackError);
    expect(() => packEdgeBatches("boot", [makeEdge(1)])).toThrow(EdgeBatchPackError);
  });
});
