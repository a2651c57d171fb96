import { brotliCompressSync, constants as zlibConstants } from "node:zlib";

import { describe, expect, it } from "vitest";

import {
  EdgeBatchDecodeError,
  EdgeBatchPackError,
  SQS_MAX_BATCH_BYTES,
  SQS_MAX_BATCH_ENTRIES,
  SQS_MAX_MESSAGE_BYTES,
  V2_MAX_INFLATED_BYTES,
  decodeEdgeBatch,
  encodeEdgeBatch,
  encodeEdgeBatchV2,
  groupSendBatches,
  packEdgeBatches,
  packEdgeMessagesV2,
  type PersistedEdge,
} from "../../hotpath/persistence/edgeBatchCodec.js";
import {
  columnsFromBytes,
  columnsFromRows,
  columnsToBytes,
  rowsFromColumns,
} from "../../hotpath/persistence/edgeColumnsCodec.js";
import { TEST_BOOT_ID, canonical, makeEdge, makeEdges, makeNoisyEdges } from "./edgeFixtures.js";

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
    expect(decodeError(JSON.stringify({ v: 3, boot: TEST_BOOT_ID, edges: [] })).failure).toBe(
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

/** A v2 body whose compressed bytes are `bytes`. */
function v2Body(bytes: Uint8Array, n: number, boot = TEST_BOOT_ID): string {
  return JSON.stringify({ v: 2, boot, n, z: brotliCompressSync(bytes).toString("base64") });
}

/** The fixture edges, with the one non-canonical decimal of `makeEdge` written canonically. */
function canonicalEdges(edges: PersistedEdge[]): PersistedEdge[] {
  return edges.map((edge) => ({ ...edge, spotNotional: canonical(edge.spotNotional) }));
}

describe("edge batch codec, version 2 (compressed binary columns)", () => {
  it("round-trips to exactly what version 1 decodes, outcomes, nulls and decimals included", async () => {
    const edges = canonicalEdges([
      makeEdge(1),
      makeEdge(7),
      makeEdge(8, { outcome: { kind: "skipped", reason: "paused" }, netBps: Number.NaN, perpVwap: null }),
      makeEdge(14, { outcome: { kind: "traded", intentId: "second-intent" }, coin: "BTC" }),
      ...makeNoisyEdges(15, 50),
    ]);
    const body = await encodeEdgeBatchV2(TEST_BOOT_ID, edges);
    const decoded = decodeEdgeBatch(body);
    expect(decoded).toEqual(decodeEdgeBatch(encodeEdgeBatch(TEST_BOOT_ID, edges)));
    expect(decoded.bootId).toBe(TEST_BOOT_ID);
    expect(decoded.edges[1]!.outcome).toEqual({ kind: "traded", intentId: "intent-7" });
    expect(decoded.edges[3]).toMatchObject({ coin: "BTC", outcome: { intentId: "second-intent" } });
    expect(decoded.edges[2]!.netBps).toBeNull();
    expect(decoded.edges[2]!.perpVwap).toBeNull();
    expect(decoded.edges[20]).toEqual(edges[20]);
    expect(JSON.parse(body)).toMatchObject({ v: 2, boot: TEST_BOOT_ID, n: edges.length });
  });

  it("carries exact decimals as scaled integers and gives them back in canonical form", async () => {
    const edge = makeEdge(3, { spotNotional: "309.71795800", perpSize: "-0.5", hedgedSize: "12" });
    const columns = columnsFromRows([edge]);
    expect([columns.units.spotNotional[0], columns.decimals.spotNotional[0]]).toEqual([30971795800, 8]);
    const [decoded] = decodeEdgeBatch(await encodeEdgeBatchV2(TEST_BOOT_ID, [edge])).edges;
    expect(decoded).toMatchObject({ spotNotional: "309.717958", perpSize: "-0.5", hedgedSize: "12" });
    expect(() => columnsFromRows([makeEdge(4, { perpSize: "1e3" })])).toThrow(EdgeBatchPackError);
  });

  it("lays rows [from, to) out as bytes and reads them back", () => {
    const edges = canonicalEdges(makeEdges(1, 30)); // ids 7, 14, 21, 28 traded
    const columns = columnsFromRows(edges);
    const part = columnsFromBytes(columnsToBytes(columns, 10, 25), 15);
    expect(part.count).toBe(15);
    expect(part.intentIds).toEqual(["intent-14", "intent-21"]);
    expect(rowsFromColumns(part)).toEqual(edges.slice(10, 25));
  });

  it("packs within SQS limits: every message ≤ 256 KiB, batches ≤ 10 entries and ≤ 256 KiB", async () => {
    // Noisy edges compress worst: 15 000 need several 256 KiB messages.
    const edges = makeNoisyEdges(1, 15_000, 7);
    const messages = await packEdgeMessagesV2(TEST_BOOT_ID, edges);
    expect(messages.length).toBeGreaterThan(2);
    for (const message of messages) {
      expect(Buffer.byteLength(message.body)).toBe(message.bytes);
      expect(message.bytes).toBeLessThanOrEqual(SQS_MAX_MESSAGE_BYTES);
    }
    const batches = groupSendBatches(messages);
    for (const batch of batches) {
      expect(batch.messages.length).toBeLessThanOrEqual(SQS_MAX_BATCH_ENTRIES);
      expect(batch.messages.reduce((sum, m) => sum + Buffer.byteLength(m.body), 0)).toBe(batch.bytes);
      expect(batch.bytes).toBeLessThanOrEqual(SQS_MAX_BATCH_BYTES);
    }
    const ids = messages.flatMap((m) => decodeEdgeBatch(m.body).edges.map((e) => e.edgeId));
    expect(ids).toEqual(edges.map((e) => e.edgeId));
    expect(messages.reduce((sum, m) => sum + m.edgeCount, 0)).toBe(edges.length);
  });

  it("carries thousands of realistic edges per 256 KiB (the reason for version 2)", async () => {
    const edges = makeEdges(1, 20_000);
    const [message, ...rest] = await packEdgeMessagesV2(TEST_BOOT_ID, edges);
    expect(rest).toEqual([]);
    expect(message!.edgeCount).toBe(20_000);
    expect(message!.bytes).toBeLessThan(SQS_MAX_MESSAGE_BYTES);
  });

  it("splits when a smaller limit is given, and refuses an edge that cannot fit alone", async () => {
    const edges = makeNoisyEdges(1, 400);
    const messages = await packEdgeMessagesV2(TEST_BOOT_ID, edges, { maxMessageBytes: 4_000 });
    expect(messages.length).toBeGreaterThan(4);
    for (const message of messages) expect(message.bytes).toBeLessThanOrEqual(4_000);
    expect(messages.flatMap((m) => decodeEdgeBatch(m.body).edges)).toEqual(edges);
    await expect(packEdgeMessagesV2(TEST_BOOT_ID, edges, { maxMessageBytes: 300 })).rejects.toThrow(
      EdgeBatchPackError,
    );
    await expect(packEdgeMessagesV2("boot", edges)).rejects.toThrow(EdgeBatchPackError);
  });

  it("rejects poison bodies with a typed error", async () => {
    const edges = canonicalEdges(makeEdges(1, 3));
    const good = JSON.parse(await encodeEdgeBatchV2(TEST_BOOT_ID, edges)) as Record<string, unknown>;
    const variant = (patch: Record<string, unknown>): string => JSON.stringify({ ...good, ...patch });
    expect(decodeError(variant({ z: "not base64!" })).failure).toBe("invalidEnvelope");
    expect(decodeError(variant({ n: 0 })).failure).toBe("invalidEnvelope");
    expect(decodeError(variant({ boot: "nope" })).failure).toBe("invalidEnvelope");
    expect(
      decodeError(variant({ z: Buffer.from("plain bytes, not brotli").toString("base64") })).failure,
    ).toBe("badCompression");
    expect(decodeError(variant({ n: 4 })).failure).toBe("invalidEnvelope"); // the bytes hold 3 rows
    expect(decodeError(v2Body(new Uint8Array(2), 1)).failure).toBe("invalidEnvelope");

    const bytes = columnsToBytes(columnsFromRows(edges));
    const header = bytes.readUInt32LE(0);
    const broken = Buffer.from(bytes);
    broken.write("{".padEnd(header, " "), 4); // header no longer JSON
    expect(decodeError(v2Body(broken, 3)).failure).toBe("notJson");

    const columns = columnsFromRows(edges);
    columns.codes.status[2] = 9; // no such status
    let error = decodeError(v2Body(columnsToBytes(columns), 3));
    expect(error.failure).toBe("invalidEdge");
    expect(error.edgeIndex).toBe(2);
    expect(error.message).toMatch(/at edge 2: 4: /);

    const inexact = columnsFromRows(edges);
    inexact.units.perpSize[1] = 2 ** 60; // beyond the exact range
    error = decodeError(v2Body(columnsToBytes(inexact), 3));
    expect(error.failure).toBe("invalidEdge");
    expect(error.edgeIndex).toBe(1);

    const unknownOutcome = columnsFromRows(edges);
    unknownOutcome.codes.outcome[0] = 0; // traded, but no intent id is left for it
    expect(decodeError(v2Body(columnsToBytes(unknownOutcome), 3)).failure).toBe("invalidEdge");
  });

  it("refuses a body that inflates beyond the limit (a compression bomb)", () => {
    const bomb = brotliCompressSync(Buffer.alloc(V2_MAX_INFLATED_BYTES + 1, 0x20), {
      params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1 },
    });
    const body = JSON.stringify({ v: 2, boot: TEST_BOOT_ID, n: 1, z: bomb.toString("base64") });
    expect(Buffer.byteLength(body)).toBeLessThan(SQS_MAX_MESSAGE_BYTES);
    expect(decodeError(body).failure).toBe("badCompression");
  });
});
