/**
 * A local stand-in for Lambda's SQS event source mapping: it polls one queue and invokes one
 * Lambda-style handler the way the Lambda service does, so the real handlers run unchanged on one
 * machine (fauxqs, `npm start`, integration tests).
 *
 * Per worker (`maximumConcurrency` workers, default 1 — like the mapping's `MaximumConcurrency`):
 *   1. long-poll `ReceiveMessage` (up to `batchSize` ≤ 10, all system and message attributes);
 *   2. with `maximumBatchingWindowSeconds` > 0, keep receiving until the batch is full or the window
 *      since the first record has passed (`MaximumBatchingWindowInSeconds`; fractions allowed here);
 *   3. build the `SQSEvent` and a `Context` with a fresh `awsRequestId` (lambdaEvent.ts) and invoke the
 *      handler, bounded by `functionTimeoutSeconds`;
 *   4. settle (batchSettlement.ts): delete what succeeded with `DeleteMessageBatch`, leave the rest —
 *      reported `batchItemFailures`, everything if the handler threw or timed out, and on FIFO queues the
 *      rest of a failed record's group — to come back after the queue's visibility timeout. The queue's
 *      redrive policy then moves repeat failures to the DLQ, as in AWS: the poller never moves messages.
 *
 * Not emulated: scaling the number of pollers with queue depth (the worker count is fixed), batches
 * above 10 records, the 6 MB invocation payload limit (edge messages are ≤ 256 KiB, so 10 fit), and
 * killing a timed-out invocation (it is abandoned: its records stay on the queue, and `stop()` still
 * waits for it so nothing outlives the poller).
 */

import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

import { type Logger, createLogger } from "../../hotpath/observability/logger.js";
import { type InvocationOutcome, settleBatch } from "./batchSettlement.js";
import {
  type LambdaFunctionIdentity,
  lambdaContext,
  newLogStreamName,
  parseQueueArn,
  toSqsRecord,
} from "./lambdaEvent.js";

/** What an SQS-triggered Lambda exports as `handler`. */
export type SqsLambdaHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export class EventSourcePollerError extends Error {
  override readonly name = "EventSourcePollerError";
}

export interface EventSourcePollerOptions {
  readonly client: SQSClient;
  /** The queue; `fifo` defaults to "the name ends in .fifo". */
  readonly queue: { readonly url: string; readonly arn: string; readonly fifo?: boolean };
  readonly handler: SqsLambdaHandler;
  readonly functionName: string;
  /** Records per invocation, 1–10. Default 10. */
  readonly batchSize?: number;
  /** Gather records this long (0–300 s) before invoking with a partial batch. Default 0. */
  readonly maximumBatchingWindowSeconds?: number;
  /** Invocations in parallel. Default 1. */
  readonly maximumConcurrency?: number;
  /** An invocation running longer counts as failed (its records stay). Default 30 s. */
  readonly functionTimeoutSeconds?: number;
  /** `FunctionResponseTypes: ["ReportBatchItemFailures"]`. Default true. */
  readonly reportBatchItemFailures?: boolean;
  /** Long-poll wait per empty receive, 0–20 s (Lambda uses 20). Default 20; `stop()` cuts it short. */
  readonly waitTimeSeconds?: number;
  readonly memoryLimitInMB?: number;
  /** Where the poller logs receive/delete errors and failed invocations. Default silent. */
  readonly logger?: Logger;
}

export interface EventSourcePollerStats {
  readonly invocations: number;
  /** Records handed to the handler (a redelivered message counts each time). */
  readonly records: number;
  /** Records left on the queue to come back: reported, thrown, timed out, or held behind their group. */
  readonly failedRecords: number;
  /** Invocations that threw, timed out or answered an invalid batch response. */
  readonly failedInvocations: number;
  readonly deleted: number;
  readonly receiveCalls: number;
  readonly deleteCalls: number;
  readonly receiveErrors: number;
  readonly deleteErrors: number;
}

export interface EventSourcePoller {
  stats(): EventSourcePollerStats;
  /** Stops polling (cutting open long polls short), then waits for running invocations and deletes. */
  stop(): Promise<void>;
}

const MAX_BATCH_SIZE = 10;
const RECEIVE_BACKOFF_MIN_MS = 100;
const RECEIVE_BACKOFF_MAX_MS = 5_000;
/** Between short polls while a batching window shorter than a second runs out. */
const WINDOW_POLL_INTERVAL_MS = 20;

function checkRange(name: string, value: number, min: number, max: number, integer: boolean): number {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new EventSourcePollerError(
      `${name} must be ${integer ? "an integer" : "a number"} in ${min}..${max}, got ${value}`,
    );
  }
  return value;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function startEventSourcePoller(options: EventSourcePollerOptions): EventSourcePoller {
  const batchSize = checkRange("batchSize", options.batchSize ?? MAX_BATCH_SIZE, 1, MAX_BATCH_SIZE, true);
  const windowMs =
    checkRange("maximumBatchingWindowSeconds", options.maximumBatchingWindowSeconds ?? 0, 0, 300, false) *
    1000;
  const concurrency = checkRange("maximumConcurrency", options.maximumConcurrency ?? 1, 1, 1000, true);
  const timeoutMs =
    checkRange("functionTimeoutSeconds", options.functionTimeoutSeconds ?? 30, 0.001, 900, false) * 1000;
  const waitTimeSeconds = checkRange("waitTimeSeconds", options.waitTimeSeconds ?? 20, 0, 20, true);
  const reportBatchItemFailures = options.reportBatchItemFailures ?? true;
  const queue = parseQueueArn(options.queue.arn);
  const fifo = options.queue.fifo ?? options.queue.url.endsWith(".fifo");
  const logger = (options.logger ?? createLogger({ service: "event-source", level: "silent" })).child({
    queue: options.queue.url,
    functionName: options.functionName,
  });
  const { client, handler } = options;

  const stats = {
    invocations: 0,
    records: 0,
    failedRecords: 0,
    failedInvocations: 0,
    deleted: 0,
    receiveCalls: 0,
    deleteCalls: 0,
    receiveErrors: 0,
    deleteErrors: 0,
  };
  const stopping = new AbortController();
  /** Invocations abandoned at their timeout but still running; `stop()` waits for them. */
  const abandoned = new Set<Promise<unknown>>();

  /** One ReceiveMessage; [] on error (after a backoff) or when stopping. */
  let receiveBackoffMs = 0;
  const receive = async (max: number, wait: number): Promise<Message[]> => {
    try {
      stats.receiveCalls += 1;
      const response = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queue.url,
          MaxNumberOfMessages: max,
          WaitTimeSeconds: wait,
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        }),
        { abortSignal: stopping.signal },
      );
      receiveBackoffMs = 0;
      return response.Messages ?? [];
    } catch (error) {
      if (stopping.signal.aborted) return [];
      stats.receiveErrors += 1;
      receiveBackoffMs = Math.min(
        RECEIVE_BACKOFF_MAX_MS,
        Math.max(RECEIVE_BACKOFF_MIN_MS, receiveBackoffMs * 2),
      );
      const delayMs = Math.round(receiveBackoffMs * (0.5 + Math.random() / 2));
      logger.warn({ err: error, retryInMs: delayMs }, "SQS receive failed");
      await pause(delayMs);
      return [];
    }
  };
  const pause = async (ms: number): Promise<void> => {
    try {
      await sleep(ms, undefined, { signal: stopping.signal });
    } catch {
      // stopped early: the caller checks `stopping`
    }
  };

  /** Up to `batchSize` messages: one receive, or as many as the batching window allows. */
  const collect = async (): Promise<Message[]> => {
    const batch: Message[] = [];
    let windowEnds = Number.POSITIVE_INFINITY;
    while (!stopping.signal.aborted && batch.length < batchSize) {
      const remainingMs = windowEnds - Date.now();
      if (batch.length > 0 && remainingMs <= 0) break;
      const wait =
        batch.length === 0 ? waitTimeSeconds : Math.min(waitTimeSeconds, Math.floor(remainingMs / 1000));
      const received = await receive(batchSize - batch.length, wait);
      if (received.length > 0 && batch.length === 0) windowEnds = Date.now() + windowMs;
      for (const message of received) {
        // Received again within the window: its visibility timeout is shorter than the window (AWS asks
        // for ≥ 6 × the function timeout + the window). Keep the newest receipt handle, the only valid one.
        const again = batch.findIndex((held) => held.MessageId === message.MessageId);
        if (again === -1) {
          batch.push(message);
        } else {
          batch[again] = message;
          logger.warn({ messageId: message.MessageId }, "message received twice in one batching window");
        }
      }
      if (batch.length > 0 && windowMs === 0) break;
      if (received.length === 0 && wait === 0) {
        // A short poll came back empty: do not spin (until the window ends, or before polling again).
        await pause(Math.min(WINDOW_POLL_INTERVAL_MS, Math.max(0, windowEnds - Date.now())));
      }
    }
    return batch;
  };

  const invoke = async (records: SQSRecord[], fn: LambdaFunctionIdentity): Promise<InvocationOutcome> => {
    const awsRequestId = randomUUID();
    const context = lambdaContext(fn, awsRequestId, Date.now() + timeoutMs);
    const running = Promise.resolve().then(() => handler({ Records: records }, context));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<InvocationOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ kind: "timedOut", timeoutMs }), timeoutMs);
    });
    const outcome = await Promise.race([
      running.then(
        (response): InvocationOutcome => ({ kind: "returned", response }),
        (error: unknown): InvocationOutcome => ({ kind: "threw", error }),
      ),
      timedOut,
    ]);
    clearTimeout(timer);
    if (outcome.kind === "timedOut") {
      const settled = running.catch(() => undefined).finally(() => abandoned.delete(settled));
      abandoned.add(settled);
    }
    const log = logger.child({ requestId: awsRequestId });
    if (outcome.kind === "threw")
      log.warn({ err: outcome.error, records: records.length }, "invocation failed");
    if (outcome.kind === "timedOut") log.warn({ timeoutMs, records: records.length }, "invocation timed out");
    return outcome;
  };

  const deleteRecords = async (records: readonly SQSRecord[]): Promise<void> => {
    for (let start = 0; start < records.length; start += MAX_BATCH_SIZE) {
      const chunk = records.slice(start, start + MAX_BATCH_SIZE);
      stats.deleteCalls += 1;
      try {
        const response = await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queue.url,
            Entries: chunk.map((record, index) => ({
              Id: String(index),
              ReceiptHandle: record.receiptHandle,
            })),
          }),
        );
        stats.deleted += response.Successful?.length ?? 0;
        const failed = response.Failed ?? [];
        if (failed.length > 0) {
          stats.deleteErrors += failed.length;
          logger.warn({ failed }, "SQS refused to delete processed messages; they will be delivered again");
        }
      } catch (error) {
        // Not retried here: the messages come back after their visibility timeout and the writers are
        // idempotent, which is also what happens in AWS when a delete is lost.
        stats.deleteErrors += chunk.length;
        logger.warn(
          { err: error, messages: chunk.length },
          "SQS delete failed; the messages will be delivered again",
        );
      }
    }
  };

  const worker = async (): Promise<void> => {
    const fn: LambdaFunctionIdentity = {
      functionName: options.functionName,
      region: queue.region,
      accountId: queue.accountId,
      memoryLimitInMB: options.memoryLimitInMB ?? 256,
      logStreamName: newLogStreamName(),
    };
    while (!stopping.signal.aborted) {
      const messages = await collect();
      if (messages.length === 0) continue;
      let records: SQSRecord[];
      try {
        records = messages.map((message) => toSqsRecord(message, queue));
      } catch (error) {
        // Never guess a field Lambda would have filled: leave the batch to come back.
        logger.error({ err: error }, "cannot build the SQS event from this batch");
        continue;
      }
      stats.invocations += 1;
      stats.records += records.length;
      const outcome = await invoke(records, fn);
      const settlement = settleBatch(records, outcome, { fifo, reportBatchItemFailures });
      if (settlement.batchFailure !== undefined) stats.failedInvocations += 1;
      if (settlement.batchFailure === "invalidResponse") {
        logger.warn(
          { detail: settlement.detail },
          "invalid batch response: the whole batch counts as failed",
        );
      }
      stats.failedRecords += settlement.failed.length;
      if (settlement.succeeded.length > 0) await deleteRecords(settlement.succeeded);
    }
  };

  const workers = Array.from({ length: concurrency }, () =>
    worker().catch((error: unknown) => {
      logger.error({ err: error }, `event source worker stopped: ${describe(error)}`);
    }),
  );

  return {
    stats: () => ({ ...stats }),
    async stop() {
      stopping.abort();
      await Promise.all(workers);
      await Promise.all([...abandoned]);
    },
  };
}
