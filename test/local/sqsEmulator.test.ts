import { connect } from "node:net";
import { networkInterfaces } from "node:os";

import { GetQueueAttributesCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { LocalSqsError, type LocalSqs, startLocalSqs } from "./sqsEmulator.js";

/** Whether something accepts TCP connections at host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1_000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

describe("local SQS (fauxqs in-process)", () => {
  let sqs: LocalSqs;
  beforeAll(async () => {
    sqs = await startLocalSqs({
      maxReceiveCount: 5,
      edgesVisibilityTimeoutSeconds: 2,
      tradesVisibilityTimeoutSeconds: 7,
    });
  });
  afterAll(async () => {
    await sqs?.stop();
  });

  const attributes = async (url: string): Promise<Record<string, string>> =>
    (await sqs.createClient().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] })))
      .Attributes ?? {};

  it("creates the system's queues with their redrive policies, through the real API", async () => {
    const { edges, edgesDlq, trades, tradesDlq } = sqs.queues;
    expect([edges.name, edgesDlq.name, trades.name, tradesDlq.name]).toEqual([
      "edges",
      "edges-dlq",
      "trades.fifo",
      "trades-dlq.fifo",
    ]);
    expect(edges.arn).toBe("arn:aws:sqs:ap-northeast-1:000000000000:edges");

    const edgesAttributes = await attributes(edges.url);
    expect(edgesAttributes["VisibilityTimeout"]).toBe("2");
    expect(JSON.parse(edgesAttributes["RedrivePolicy"]!)).toEqual({
      deadLetterTargetArn: edgesDlq.arn,
      maxReceiveCount: 5,
    });
    expect(edgesAttributes["FifoQueue"]).toBeUndefined();

    const tradesAttributes = await attributes(trades.url);
    expect(tradesAttributes).toMatchObject({
      FifoQueue: "true",
      ContentBasedDeduplication: "false",
      VisibilityTimeout: "7",
    });
    expect(JSON.parse(tradesAttributes["RedrivePolicy"]!)).toEqual({
      deadLetterTargetArn: tradesDlq.arn,
      maxReceiveCount: 5,
    });
    expect(await attributes(tradesDlq.url)).toMatchObject({ FifoQueue: "true" });
    expect(trades.fifo && tradesDlq.fifo && !edges.fifo && !edgesDlq.fifo).toBe(true);
  });

  it("makes senders to trades.fifo give a deduplication id (content-based deduplication is off)", async () => {
    const client = sqs.createClient({ maxAttempts: 1 });
    const withoutId = client.send(
      new SendMessageCommand({
        QueueUrl: sqs.queues.trades.url,
        MessageBody: "fill",
        MessageGroupId: "HYPE",
      }),
    );
    await expect(withoutId).rejects.toThrow(/Deduplication/i);
    const deduplicated = async (): Promise<string | undefined> =>
      (
        await client.send(
          new SendMessageCommand({
            QueueUrl: sqs.queues.trades.url,
            MessageBody: "fill",
            MessageGroupId: "HYPE",
            MessageDeduplicationId: "tid-1",
          }),
        )
      ).MessageId;
    expect(await deduplicated()).toBe(await deduplicated());
    expect(await sqs.depth(sqs.queues.trades)).toEqual({ visible: 1, inFlight: 0 });
  });

  it("listens on loopback only", async () => {
    const port = Number(new URL(sqs.endpoint).port);
    expect(new URL(sqs.endpoint).hostname).toBe("127.0.0.1");
    expect(await accepts("127.0.0.1", port)).toBe(true);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === "IPv4" && !address.internal);
    if (external) expect(await accepts(external.address, port)).toBe(false);
  });

  it("refuses settings SQS would refuse", async () => {
    await expect(startLocalSqs({ maxReceiveCount: 0 })).rejects.toThrow(LocalSqsError);
    await expect(startLocalSqs({ edgesVisibilityTimeoutSeconds: 0.5 })).rejects.toThrow(/whole number/);
  });
});
