import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

import {
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import {
  type EventSourcePoller,
  type EventSourcePollerOptions,
  EventSourcePollerError,
  type SqsLambdaHandler,
  startEventSourcePoller,
} from "./eventSourcePoller.js";
import { LambdaEventError } from "./lambdaEvent.js";
import { type LocalQueue, type LocalSqs, startLocalSqs } from "./sqsEmulator.js";
import { waitFor } from "./waitFor.js";

/** A Lambda handler from a synchronous function (a throw becomes a rejection, as from an async handler). */
const lambda =
  (fn: (event: SQSEvent, context: Context) => SQSBatchResponse | void): SqsLambdaHandler =>
  (event, context) =>
    new Promise((resolve) => resolve(fn(event, context)));

interface Invocation {
  readonly event: SQSEvent;
  readonly context: Context;
  readonly remainingMs: number;
}

describe("local SQS event source (fauxqs + poller)", () => {
  let sqs: LocalSqs;
  let client: SQSClient;
  const pollers: EventSourcePoller[] = [];

  beforeEach(async () => {
    // A fresh emulator per test: a stopped poller's cut-short long poll can still take a message.
    sqs = await startLocalSqs({
      edgesVisibilityTimeoutSeconds: 1,
      tradesVisibilityTimeoutSeconds: 1,
      maxReceiveCount: 3,
    });
    client = sqs.createClient();
  });
  afterEach(async () => {
    await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
    await sqs.stop();
  });

  const poll = (
    queue: LocalQueue,
    handler: EventSourcePollerOptions["handler"],
    options: Partial<EventSourcePollerOptions> = {},
  ): EventSourcePoller => {
    const poller = startEventSourcePoller({
      client,
      queue,
      handler,
      functionName: "test-fn",
      waitTimeSeconds: 1,
      ...options,
    });
    pollers.push(poller);
    return poller;
  };

  const send = async (queue: LocalQueue, bodies: readonly string[]): Promise<string[]> => {
    const ids: string[] = [];
    for (let start = 0; start < bodies.length; start += 10) {
      const response = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: bodies
            .slice(start, start + 10)
            .map((body, index) => ({ Id: `m${start + index}`, MessageBody: body })),
        }),
      );
      ids.push(...(response.Successful ?? []).map((entry) => entry.MessageId!));
    }
    return ids;
  };

  const isEmpty = async (queue: LocalQueue): Promise<boolean> => {
    const depth = await sqs.depth(queue);
    return depth.visible === 0 && depth.inFlight === 0;
  };

  it("invokes with the event and context Lambda builds", async () => {
    const sent = await client.send(
      new SendMessageCommand({
        QueueUrl: sqs.queues.edges.url,
        MessageBody: "hello",
        MessageAttributes: {
          kind: { DataType: "String", StringValue: "edge-batch" },
          blob: { DataType: "Binary", BinaryValue: Buffer.from([0, 1, 254, 255]) },
        },
      }),
    );
    await send(sqs.queues.edges, ["second"]);
    const invocations: Invocation[] = [];
    poll(
      sqs.queues.edges,
      lambda((event, context) => {
        invocations.push({ event, context, remainingMs: context.getRemainingTimeInMillis() });
        return { batchItemFailures: [] };
      }),
      { batchSize: 1, functionTimeoutSeconds: 7 },
    );
    await waitFor("two invocations", () => invocations.length === 2);

    const [first, second] = invocations;
    const record = first!.event.Records[0]!;
    expect(first!.event.Records).toHaveLength(1);
    expect(record).toEqual({
      messageId: sent.MessageId,
      receiptHandle: expect.stringMatching(/.+/) as string,
      body: "hello",
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: expect.stringMatching(/^\d{13}$/) as string,
        SenderId: expect.stringMatching(/.+/) as string,
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/) as string,
      },
      messageAttributes: {
        kind: { stringValue: "edge-batch", stringListValues: [], binaryListValues: [], dataType: "String" },
        blob: { binaryValue: "AAH+/w==", stringListValues: [], binaryListValues: [], dataType: "Binary" },
      },
      md5OfBody: createHash("md5").update("hello").digest("hex"),
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/) as string,
      eventSource: "aws:sqs",
      eventSourceARN: sqs.queues.edges.arn,
      awsRegion: "ap-northeast-1",
    });
    expect(first!.context).toMatchObject({
      functionName: "test-fn",
      functionVersion: "$LATEST",
      invokedFunctionArn: "arn:aws:lambda:ap-northeast-1:000000000000:function:test-fn",
      logGroupName: "/aws/lambda/test-fn",
      awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
    });
    expect(first!.remainingMs).toBeGreaterThan(0);
    expect(first!.remainingMs).toBeLessThanOrEqual(7_000);
    expect(second!.context.awsRequestId).not.toBe(first!.context.awsRequestId);
    expect(second!.event.Records[0]!.messageAttributes).toEqual({});
    expect(second!.event.Records[0]).not.toHaveProperty("md5OfMessageAttributes");
  });

  it("gives FIFO records their group, deduplication id and sequence number", async () => {
    await client.send(
      new SendMessageCommand({
        QueueUrl: sqs.queues.trades.url,
        MessageBody: "fill",
        MessageGroupId: "HYPE",
        MessageDeduplicationId: "tid-42",
      }),
    );
    const records: SQSEvent["Records"] = [];
    poll(
      sqs.queues.trades,
      lambda((event) => void records.push(...event.Records)),
    );
    await waitFor("the FIFO record", () => records.length === 1);
    expect(records[0]!.attributes).toMatchObject({
      MessageGroupId: "HYPE",
      MessageDeduplicationId: "tid-42",
      SequenceNumber: expect.stringMatching(/^\d+$/) as string,
    });
  });

  it("deletes what succeeded and redelivers the reported failures after the visibility timeout", async () => {
    await send(sqs.queues.edges, ["a", "b", "c"]);
    const deliveries: string[] = [];
    const poller = poll(
      sqs.queues.edges,
      lambda((event) => {
        deliveries.push(...event.Records.map((r) => `${r.body}#${r.attributes.ApproximateReceiveCount}`));
        const failures = event.Records.filter(
          (r) => r.body === "b" && r.attributes.ApproximateReceiveCount === "1",
        );
        return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) };
      }),
      { maximumBatchingWindowSeconds: 0.5 },
    );
    await waitFor(
      "b delivered twice and the queue drained",
      async () => deliveries.includes("b#2") && (await isEmpty(sqs.queues.edges)),
    );
    await poller.stop(); // the last invocation's delete is counted when its response arrives
    expect(deliveries.sort()).toEqual(["a#1", "b#1", "b#2", "c#1"]);
    expect(poller.stats()).toMatchObject({
      invocations: 2,
      records: 4,
      failedRecords: 1,
      deleted: 3,
      failedInvocations: 0,
    });
  });

  it("redelivers the whole batch when the handler throws, and when its response is invalid", async () => {
    await send(sqs.queues.edges, ["x", "y"]);
    let calls = 0;
    const receiveCounts: string[] = [];
    const poller = poll(
      sqs.queues.edges,
      lambda((event) => {
        calls += 1;
        receiveCounts.push(...event.Records.map((r) => `${r.body}#${r.attributes.ApproximateReceiveCount}`));
        if (calls === 1) throw new Error("database is down");
        if (calls === 2) return { batchItemFailures: [{ itemIdentifier: "no-such-message" }] };
        return { batchItemFailures: [] };
      }),
      { maximumBatchingWindowSeconds: 0.5 },
    );
    await waitFor(
      "the third attempt and a drained queue",
      async () => calls >= 3 && (await isEmpty(sqs.queues.edges)),
    );
    await poller.stop();
    expect(receiveCounts.sort()).toEqual(["x#1", "x#2", "x#3", "y#1", "y#2", "y#3"]);
    expect(poller.stats()).toMatchObject({
      invocations: 3,
      failedInvocations: 2,
      failedRecords: 4,
      deleted: 2,
    });
  });

  it("leaves a message that keeps failing to the queue's redrive policy: it lands in the DLQ", async () => {
    await send(sqs.queues.edges, ["good-1", "poison", "good-2"]);
    const poller = poll(
      sqs.queues.edges,
      lambda((event) => ({
        batchItemFailures: event.Records.filter((r) => r.body === "poison").map((r) => ({
          itemIdentifier: r.messageId,
        })),
      })),
      { maximumBatchingWindowSeconds: 0.5 },
    );
    await waitFor("the poison in the DLQ", async () => (await sqs.depth(sqs.queues.edgesDlq)).visible === 1, {
      timeoutMs: 20_000,
    });
    const dlq = await client.send(
      new ReceiveMessageCommand({ QueueUrl: sqs.queues.edgesDlq.url, MaxNumberOfMessages: 10 }),
    );
    expect(dlq.Messages?.map((m) => m.Body)).toEqual(["poison"]);
    expect(await isEmpty(sqs.queues.edges)).toBe(true);
    // maxReceiveCount 3: delivered three times, never deleted.
    expect(poller.stats()).toMatchObject({ deleted: 2, failedRecords: 3 });
  });

  it("gathers records for the batching window, and never more than the batch size", async () => {
    const batches: number[] = [];
    poll(
      sqs.queues.edges,
      lambda((event) => void batches.push(event.Records.length)),
      {
        batchSize: 10,
        // Below the 1 s visibility timeout, as AWS requires (window + function timeout ≤ visibility).
        maximumBatchingWindowSeconds: 0.8,
      },
    );
    for (const body of ["w1", "w2", "w3"]) {
      await send(sqs.queues.edges, [body]);
      await sleep(100);
    }
    await waitFor("the window's batch", () => batches.length === 1);
    expect(batches).toEqual([3]);

    await send(
      sqs.queues.edges,
      Array.from({ length: 25 }, (_, i) => `bulk-${i}`),
    );
    await waitFor("25 more records", () => batches.slice(1).reduce((sum, n) => sum + n, 0) === 25);
    expect(Math.max(...batches.slice(1))).toBeLessThanOrEqual(10);
  });

  it("runs at most maximumConcurrency invocations at once", async () => {
    for (const concurrency of [1, 2]) {
      let inFlight = 0;
      let maxInFlight = 0;
      let done = 0;
      const poller = poll(
        sqs.queues.edges,
        async () => {
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await sleep(150);
          inFlight -= 1;
          done += 1;
        },
        { batchSize: 1, maximumConcurrency: concurrency },
      );
      await send(
        sqs.queues.edges,
        Array.from({ length: 6 }, (_, i) => `c${concurrency}-${i}`),
      );
      await waitFor("six invocations", () => done === 6);
      await poller.stop();
      expect(maxInFlight, `concurrency ${concurrency}`).toBe(concurrency);
    }
  });

  it("counts an invocation past its timeout as failed: its records come back", async () => {
    await send(sqs.queues.edges, ["slow"]);
    const counts: string[] = [];
    const poller = poll(
      sqs.queues.edges,
      async (event) => {
        const count = event.Records[0]!.attributes.ApproximateReceiveCount;
        counts.push(count);
        if (count === "1") await sleep(1_500);
      },
      { functionTimeoutSeconds: 0.3 },
    );
    await waitFor(
      "the second delivery and a drained queue",
      async () => counts.length === 2 && (await isEmpty(sqs.queues.edges)),
    );
    await poller.stop(); // also waits for the abandoned first invocation
    expect(counts).toEqual(["1", "2"]);
    expect(poller.stats()).toMatchObject({ invocations: 2, failedInvocations: 1, deleted: 1 });
  });

  it("stop() waits for the running invocation and its delete", async () => {
    await send(sqs.queues.edges, ["in-flight"]);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    let finished = false;
    const poller = poll(sqs.queues.edges, async () => {
      started = true;
      await gate;
      finished = true;
    });
    await waitFor("the invocation to start", () => started);
    const stopped = poller.stop();
    setTimeout(release, 200);
    await stopped;
    expect(finished).toBe(true);
    expect(poller.stats()).toMatchObject({ invocations: 1, deleted: 1 });
    expect(await isEmpty(sqs.queues.edges)).toBe(true);
  });

  it("without ReportBatchItemFailures a normal return deletes the whole batch", async () => {
    await send(sqs.queues.edges, ["p", "q"]);
    const poller = poll(
      sqs.queues.edges,
      lambda((event) => ({ batchItemFailures: [{ itemIdentifier: event.Records[0]!.messageId }] })),
      { reportBatchItemFailures: false, maximumBatchingWindowSeconds: 0.5 },
    );
    await waitFor("both deleted", () => poller.stats().deleted === 2);
    expect(poller.stats()).toMatchObject({ failedRecords: 0 });
  });

  it("refuses settings Lambda would refuse", () => {
    const handler = lambda(() => undefined);
    const base = { client, queue: sqs.queues.edges, handler, functionName: "f" };
    expect(() => startEventSourcePoller({ ...base, batchSize: 11 })).toThrow(EventSourcePollerError);
    expect(() => startEventSourcePoller({ ...base, batchSize: 0 })).toThrow(/batchSize/);
    expect(() => startEventSourcePoller({ ...base, maximumConcurrency: 0 })).toThrow(/maximumConcurrency/);
    expect(() => startEventSourcePoller({ ...base, maximumBatchingWindowSeconds: 301 })).toThrow(/Window/);
    expect(() => startEventSourcePoller({ ...base, waitTimeSeconds: 21 })).toThrow(/waitTimeSeconds/);
    expect(() => startEventSourcePoller({ ...base, queue: { url: "u", arn: "arn:nope" } })).toThrow(
      LambdaEventError,
    );
  });
});
