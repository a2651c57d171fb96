/**
 * Shared set-up of the edge sink tests: a HYPE market driven through the real frame pipeline whose sink
 * pushes both directions of every frame into the ring (as the hot path will), fauxqs behind a TCP proxy
 * that can be taken down (an SQS outage as the client sees it) and an SQS fault proxy, a temporary spool
 * directory, a logger whose lines the test can read, and reading the queue back.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startFauxqs, type FauxqsServer } from "fauxqs";

import type { EdgeIdSequence } from "../../hotpath/edge/edgeRecord.js";
import { FramePipeline } from "../../hotpath/feed/framePipeline.js";
import type { MarketFeed } from "../../hotpath/feed/marketFeed.js";
import { FeedMetrics } from "../../hotpath/metrics/feedMetrics.js";
import { createLogger, type Logger } from "../../hotpath/observability/logger.js";
import { decodeEdgeBatch, type EdgeBatch } from "../../hotpath/persistence/edgeBatchCodec.js";
import type { EdgeRing } from "../../hotpath/persistence/edgeRing.js";
import type { EdgeSinkOptions } from "../../hotpath/persistence/edgeSink.js";
import { l2BookMessage, type LevelText } from "../book/bookMessages.js";
import { startTcpProxy, type TcpProxy } from "../lambdas/tcpProxy.js";
import { startSqsFaultProxy, type SqsFaultProxy } from "./edgeSinkSqsFaults.js";
import { hypeEdgeFeed } from "./hypeEdgeFeed.js";

export const TEST_REGION = "ap-northeast-1";
export const TEST_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

/** Flusher timings scaled down so that tests take a fraction of a second per flush. */
export const FAST_TUNING = {
  flushIntervalMs: 1_000,
  sendBudgetMs: 600,
  tickMs: 20,
  retryBackoff: { minMs: 10, maxMs: 40 },
  drainBackoff: { minMs: 30, maxMs: 150 },
  requestTimeoutMs: 1_000,
  connectTimeoutMs: 200,
  closeDrainMs: 3_000,
} as const;

export interface CapturedLogger {
  readonly logger: Logger;
  readonly lines: Record<string, unknown>[];
  messages(message: string): Record<string, unknown>[];
}

export function capturedLogger(): CapturedLogger {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    service: "edge-sink-test",
    level: "info",
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { logger, lines, messages: (message) => lines.filter((line) => line.message === message) };
}

export interface TestMarket {
  readonly feed: MarketFeed;
  readonly ids: EdgeIdSequence;
  /** Applies `frames` book frames (alternating legs, moving prices); the sink pushes two edges each. */
  frames(frames: number): void;
  /** Ids of edges pushed (skipped and traded), in push order. */
  readonly pushedIds: number[];
  /** Traded edges pushed: edge id → intent id and the sizes `recordEdge` formatted for that edge. */
  readonly traded: Map<number, { intentId: string; perpSize: string; spotNotional: string }>;
}

const LEVELS = 6;

function side(base: number, step: number, tick: number): LevelText[] {
  return Array.from({ length: LEVELS }, (_, i) => [
    (base + i * step).toFixed(3),
    (1 + ((i + tick) % 7)).toFixed(2),
  ]);
}

/**
 * The HYPE market through the real `FramePipeline`; its sink pushes both directions of every frame into
 * `ring` (every 10th frame's perpRich edge as traded, with the id of the `EdgeRecord` made for it).
 */
export function testMarket(ids: EdgeIdSequence, ring: () => EdgeRing): TestMarket {
  const pushedIds: number[] = [];
  const traded = new Map<number, { intentId: string; perpSize: string; spotNotional: string }>();
  let frameNo = 0;
  const feed = hypeEdgeFeed(ids);
  const pipeline = new FramePipeline(
    [feed],
    new FeedMetrics(),
    (market, receivedAtMs) => {
      const edges = market.edges;
      if (frameNo % 10 === 0) {
        const record = edges.emit("perpRich", receivedAtMs);
        const intentId = `intent-${record.id}`;
        ring().pushTraded(market, edges.perpRich, record.id, receivedAtMs, intentId);
        traded.set(record.id, { intentId, perpSize: record.perp.size, spotNotional: record.spot.notional });
        pushedIds.push(record.id);
      } else {
        pushedIds.push(ring().pushSkipped(market, edges.perpRich, receivedAtMs, "belowThreshold"));
      }
      pushedIds.push(ring().pushSkipped(market, edges.spotRich, receivedAtMs, "belowThreshold"));
    },
    createLogger({ service: "test", level: "silent" }),
  );
  const startMs = Date.UTC(2026, 4, 1);
  return {
    feed,
    ids,
    pushedIds,
    traded,
    frames: (count) => {
      for (let k = 0; k < count; k++) {
        frameNo += 1;
        const perp = frameNo % 2 === 0;
        const drift = ((frameNo * 7) % 40) / 1000;
        const message = perp
          ? l2BookMessage(
              "HYPE",
              startMs + frameNo,
              side(25.1 - drift, -0.001, frameNo),
              side(25.102 - drift, 0.001, frameNo),
            )
          : l2BookMessage(
              "@107",
              startMs + frameNo,
              side(25.0 + drift, -0.001, frameNo),
              side(25.002 + drift, 0.001, frameNo),
            );
        pipeline.handleFrame(JSON.stringify(message), performance.now());
      }
    },
  };
}

export interface TestQueue {
  readonly server: FauxqsServer;
  readonly queueName: string;
  readonly queueUrl: string;
  /** Through this TCP proxy: `proxy.down()` is an SQS outage. */
  readonly proxy: TcpProxy;
  /** Through the TCP proxy and this fault proxy: single entries can be refused. */
  readonly faults: SqsFaultProxy;
  /** Sender options through the TCP proxy (an outage: connections refused). */
  readonly sender: SenderOptions;
  /** Sender options through the TCP proxy and the fault proxy (refused entries). */
  readonly faultySender: SenderOptions;
  /** Message bodies in the queue, in the order SQS accepted them (non-destructive). */
  bodies(): string[];
  close(): Promise<void>;
}

type SenderOptions = Pick<
  EdgeSinkOptions,
  "queueUrl" | "region" | "endpoint" | "credentials" | "connectTimeoutMs"
>;

let queueNo = 0;

export async function startTestQueue(attributes: Record<string, string> = {}): Promise<TestQueue> {
  const server = await startFauxqs({ port: 0, logger: false });
  queueNo += 1;
  const queueName = `edges-${queueNo}`;
  const { queueUrl } = server.createQueue(queueName, {
    attributes: { MaximumMessageSize: "262144", ...attributes },
  });
  const proxy = await startTcpProxy("127.0.0.1", server.port);
  const faults = await startSqsFaultProxy(`http://127.0.0.1:${proxy.port}`);
  const common = {
    queueUrl,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    connectTimeoutMs: FAST_TUNING.connectTimeoutMs,
  };
  return {
    server,
    queueName,
    queueUrl,
    proxy,
    faults,
    sender: { ...common, endpoint: `http://127.0.0.1:${proxy.port}` },
    faultySender: { ...common, endpoint: faults.endpoint },
    bodies: () => (server.inspectQueue(queueName)?.messages.ready ?? []).map((message) => message.body),
    close: async () => {
      await faults.close();
      await proxy.close();
      await server.stop();
    },
  };
}

/** Receives and deletes every message of the queue through the real SQS client, decoded. */
export async function receiveAll(queue: TestQueue): Promise<EdgeBatch[]> {
  const client = new SQSClient({
    region: TEST_REGION,
    endpoint: `http://127.0.0.1:${queue.server.port}`,
    credentials: TEST_CREDENTIALS,
  });
  const batches: EdgeBatch[] = [];
  try {
    for (;;) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return batches;
      for (const message of Messages) batches.push(decodeEdgeBatch(message.Body ?? ""));
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.queueUrl,
          Entries: Messages.map((message, index) => ({
            Id: `d${index}`,
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    }
  } finally {
    client.destroy();
  }
}

/** Edge ids of every queued message, in the order SQS accepted the messages. */
export function queuedIds(queue: TestQueue): number[] {
  return queue.bodies().flatMap((body) => decodeEdgeBatch(body).edges.map((edge) => edge.edgeId));
}

export async function temporaryDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), "hlbasis-spool-"));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Polls `condition` every 10 ms until it holds or `timeoutMs` passed (then throws `what`). */
export async function eventually(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
