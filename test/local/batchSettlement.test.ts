import type { SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";

import { type InvocationOutcome, settleBatch } from "./batchSettlement.js";

function record(messageId: string, group?: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: messageId,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "1",
      SenderId: "000000000000",
      ApproximateFirstReceiveTimestamp: "1",
      ...(group === undefined
        ? {}
        : { MessageGroupId: group, MessageDeduplicationId: messageId, SequenceNumber: "1" }),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:ap-northeast-1:000000000000:q",
    awsRegion: "ap-northeast-1",
  };
}

const standard = { fifo: false, reportBatchItemFailures: true };
const fifo = { fifo: true, reportBatchItemFailures: true };
const returned = (response: unknown): InvocationOutcome => ({ kind: "returned", response });
const ids = (records: readonly SQSRecord[]): string[] => records.map((r) => r.messageId);

describe("batch settlement (what Lambda deletes and what comes back)", () => {
  const batch = [record("a"), record("b"), record("c")];

  it("deletes everything on a success response in any of its accepted shapes", () => {
    for (const response of [undefined, null, {}, { batchItemFailures: [] }, { batchItemFailures: null }]) {
      const settled = settleBatch(batch, returned(response), standard);
      expect(ids(settled.succeeded), JSON.stringify(response)).toEqual(["a", "b", "c"]);
      expect(settled.failed).toEqual([]);
      expect(settled.batchFailure).toBeUndefined();
    }
  });

  it("keeps exactly the reported failures and deletes the rest", () => {
    const settled = settleBatch(batch, returned({ batchItemFailures: [{ itemIdentifier: "b" }] }), standard);
    expect(ids(settled.succeeded)).toEqual(["a", "c"]);
    expect(ids(settled.failed)).toEqual(["b"]);
  });

  it("keeps the whole batch when the handler threw or timed out", () => {
    expect(settleBatch(batch, { kind: "threw", error: new Error("x") }, standard)).toMatchObject({
      succeeded: [],
      batchFailure: "threw",
    });
    const timedOut = settleBatch(batch, { kind: "timedOut", timeoutMs: 10 }, standard);
    expect(ids(timedOut.failed)).toEqual(["a", "b", "c"]);
    expect(timedOut.batchFailure).toBe("timedOut");
  });

  it("treats an invalid batch response as a failure of the whole batch", () => {
    const invalid = [
      { batchItemFailures: [{ itemIdentifier: "" }] },
      { batchItemFailures: [{ itemIdentifier: null }] },
      { batchItemFailures: [{ id: "a" }] },
      { batchItemFailures: [{ itemIdentifier: "not-in-batch" }] },
      { batchItemFailures: "a" },
      "ok",
      [{ itemIdentifier: "a" }],
    ];
    for (const response of invalid) {
      const settled = settleBatch(batch, returned(response), standard);
      expect(settled.batchFailure, JSON.stringify(response)).toBe("invalidResponse");
      expect(ids(settled.failed)).toEqual(["a", "b", "c"]);
      expect(settled.detail).toBeTruthy();
    }
  });

  it("ignores the response without ReportBatchItemFailures", () => {
    const settled = settleBatch(batch, returned({ batchItemFailures: [{ itemIdentifier: "b" }] }), {
      fifo: false,
      reportBatchItemFailures: false,
    });
    expect(ids(settled.succeeded)).toEqual(["a", "b", "c"]);
  });

  it("FIFO: holds back the rest of a failed record's group, and only that group", () => {
    const fifoBatch = [
      record("A1", "A"),
      record("B1", "B"),
      record("A2", "A"),
      record("C1", "C"),
      record("B2", "B"),
      record("A3", "A"),
    ];
    // The handler claims A2 and A3 succeeded after A1 failed: they must still stay, in order.
    const settled = settleBatch(fifoBatch, returned({ batchItemFailures: [{ itemIdentifier: "A1" }] }), fifo);
    expect(ids(settled.failed)).toEqual(["A1", "A2", "A3"]);
    expect(ids(settled.succeeded)).toEqual(["B1", "C1", "B2"]);

    // A failure late in a group holds only what follows it.
    const late = settleBatch(fifoBatch, returned({ batchItemFailures: [{ itemIdentifier: "B2" }] }), fifo);
    expect(ids(late.failed)).toEqual(["B2"]);
    expect(ids(late.succeeded)).toEqual(["A1", "B1", "A2", "C1", "A3"]);

    // The same batch on a standard queue: no group semantics.
    const unordered = settleBatch(
      fifoBatch,
      returned({ batchItemFailures: [{ itemIdentifier: "A1" }] }),
      standard,
    );
    expect(ids(unordered.failed)).toEqual(["A1"]);
  });
});
