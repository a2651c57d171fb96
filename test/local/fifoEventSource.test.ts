import { ReceiveMessageCommand, SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { type EventSourcePoller, startEventSourcePoller } from "./eventSourcePoller.js";
import { type LocalSqs, startLocalSqs } from "./sqsEmulator.js";
import { waitFor } from "./waitFor.js";

/**
 * FIFO semantics end to end (trades.fifo → poller → handler): a failed record blocks the rest of its
 * group until it succeeds or is redriven to the DLQ; other groups go on. (Within one batch the poller
 * also holds back a failed record's later group-mates — batchSettlement.test.ts — but fauxqs hands out
 * one message per group per receive, so here groups interleave across invocations instead.)
 */
describe("FIFO queue through the local event source", () => {
  let sqs: LocalSqs;
  let client: SQSClient;
  let poller: EventSourcePoller | undefined;

  beforeEach(async () => {
    sqs = await startLocalSqs({ tradesVisibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
    client = sqs.createClient();
  });
  afterEach(async () => {
    await poller?.stop();
    await sqs.stop();
  });

  const sendInOrder = async (messages: readonly { group: string; body: string }[]): Promise<void> => {
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: sqs.queues.trades.url,
        Entries: messages.map(({ group, body }, index) => ({
          Id: `e${index}`,
          MessageBody: body,
          MessageGroupId: group,
          MessageDeduplicationId: body, // natural ids, as the trade flusher sends them
        })),
      }),
    );
  };

  it("retries a failed record before anything later in its group, while other groups proceed", async () => {
    await sendInOrder([
      { group: "A", body: "A1" },
      { group: "B", body: "B1" },
      { group: "A", body: "A2" },
      { group: "B", body: "B2" },
      { group: "A", body: "A3" },
      { group: "B", body: "B3" },
    ]);
    const delivered: string[] = [];
    const committed: string[] = [];
    let failedA1 = false;
    poller = startEventSourcePoller({
      client,
      queue: sqs.queues.trades,
      functionName: "trade-writer",
      waitTimeSeconds: 1,
      handler: (event: SQSEvent): Promise<SQSBatchResponse> => {
        const failures: string[] = [];
        for (const record of event.Records) {
          delivered.push(record.body);
          if (record.body === "A1" && !failedA1) {
            failedA1 = true;
            failures.push(record.messageId);
          } else {
            committed.push(record.body);
          }
        }
        return Promise.resolve({ batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) });
      },
    });
    await waitFor("all six committed", () => committed.length === 6);
    await poller.stop(); // lets the last invocation's delete finish

    const ofGroup = (list: readonly string[], group: string): string[] =>
      list.filter((b) => b.startsWith(group));
    expect(ofGroup(committed, "A")).toEqual(["A1", "A2", "A3"]);
    expect(ofGroup(committed, "B")).toEqual(["B1", "B2", "B3"]);
    // A2 was never handed out before A1 had succeeded; B did not wait for A's retry.
    expect(ofGroup(delivered, "A")).toEqual(["A1", "A1", "A2", "A3"]);
    expect(committed.indexOf("B3")).toBeLessThan(committed.indexOf("A1"));
    expect(poller.stats()).toMatchObject({ failedRecords: 1, deleted: 6 });
  });

  it("redrives a record that keeps failing to trades-dlq.fifo, then unblocks its group", async () => {
    await sendInOrder([
      { group: "C", body: "C1" },
      { group: "C", body: "C2-poison" },
      { group: "C", body: "C3" },
    ]);
    const committed: string[] = [];
    poller = startEventSourcePoller({
      client,
      queue: sqs.queues.trades,
      functionName: "trade-writer",
      waitTimeSeconds: 1,
      handler: (event) => {
        const failures = event.Records.filter((r) => r.body.endsWith("poison"));
        committed.push(...event.Records.filter((r) => !r.body.endsWith("poison")).map((r) => r.body));
        return Promise.resolve({ batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) });
      },
    });
    await waitFor("C3 committed", () => committed.includes("C3"), { timeoutMs: 20_000 });
    expect(committed).toEqual(["C1", "C3"]);
    const dlq = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: sqs.queues.tradesDlq.url,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ["All"],
      }),
    );
    expect(dlq.Messages?.map((m) => [m.Body, m.Attributes?.MessageGroupId])).toEqual([["C2-poison", "C"]]);
  });
});
