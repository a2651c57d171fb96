/**
 * The edge-writer's work for one SQS batch: decode every record (`decodeEdgeMessage`: a version-2 body is
 * validated as whole columns and never becomes row objects), bulk load all their edges at once (binary
 * COPY on a real server, encoded straight from the columns; unnest on PGlite: edgeStore.ts), and answer
 * with a partial batch response (Powertools `BatchProcessor`), so that
 *
 * - a poison message (undecodable) fails alone with its `EdgeBatchDecodeError` and, after the queue's
 *   maxReceiveCount, lands in the DLQ, while the rest of the batch commits;
 * - a database failure fails every decoded record, so SQS redelivers them (never a silent drop);
 * - a data error from Postgres (SQLSTATE class 22/23: a row the schema refuses although it decoded) is
 *   isolated by retrying message by message, so only the guilty message fails.
 *
 * Redelivery is harmless: rows are keyed by (recorded_at, boot_id, edge_id) and edges already stored are
 * skipped (edgeStore.ts). One summary log line per invocation carries records, failed, rows, the insert
 * path, queue lag and db time.
 */

import { performance } from "node:perf_hooks";

import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

import {
  type EdgeMessage,
  decodeEdgeMessage,
  edgeCountOf,
} from "../../hotpath/persistence/edgeBatchCodec.js";
import type { Logger } from "../../hotpath/observability/logger.js";
import { type EdgeDatabase, type EdgeInsertMethodSetting, createEdgeStore } from "./edgeStore.js";

export interface EdgeWriterDeps {
  /** A `pg` Pool: queries, and lends a connection for COPY. */
  readonly db: EdgeDatabase;
  readonly logger: Logger;
  /** Insert path; `auto` (default) picks COPY on a real server and unnest on PGlite. */
  readonly insertMethod?: EdgeInsertMethodSetting;
  /** Wall clock for queue lag; injectable for tests. */
  readonly now?: () => number;
}

/** The database refused or could not take the batch this record belongs to. */
export class EdgeInsertError extends Error {
  override readonly name = "EdgeInsertError";
}

export interface EdgeWriterSummary {
  readonly records: number;
  readonly failed: number;
  readonly poison: number;
  readonly edges: number;
  /** Rows actually inserted (edges minus duplicates from redelivery). */
  readonly rows: number;
  /** The insert path used (`copy` or `unnest`); absent when the bulk load failed or had nothing to load. */
  readonly insertMethod?: string;
  /** Age of the oldest record in the batch at the start of the invocation (now − SentTimestamp). */
  readonly queueLagMs: number;
  /** Wall time of the bulk load, which decodes the messages as it goes (and of any per-message retry). */
  readonly dbMs: number;
}

/** Postgres SQLSTATE classes that mean "this data", not "this database": 22 data exception, 23 integrity. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("23"));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createEdgeWriterHandler(
  deps: EdgeWriterDeps,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const now = deps.now ?? Date.now;
  const store = createEdgeStore(deps.db, deps.insertMethod ?? "auto");

  return async (event, context) => {
    const logger = deps.logger.child({ requestId: context.awsRequestId });
    const startedAt = now();
    const failures = new Map<string, Error>();
    const decoded = new Map<string, EdgeMessage>();
    let oldestSent = startedAt;

    for (const record of event.Records) {
      const sent = Number(record.attributes.SentTimestamp);
      if (Number.isFinite(sent)) oldestSent = Math.min(oldestSent, sent);
    }

    // Records are decoded as the store pulls them, so the database loads one message while the next is
    // decoded. Whatever it did not pull (it failed early) is decoded afterwards: every record is classified.
    let nextRecord = 0;
    const decodeNext = (): IteratorResult<EdgeMessage, undefined> => {
      while (nextRecord < event.Records.length) {
        const record = event.Records[nextRecord]!;
        nextRecord += 1;
        try {
          const batch = decodeEdgeMessage(record.body);
          decoded.set(record.messageId, batch);
          return { done: false, value: batch };
        } catch (error) {
          failures.set(record.messageId, error as Error);
          logger.error({ err: error, messageId: record.messageId }, "poison edge batch message");
        }
      }
      return { done: true, value: undefined };
    };

    let rows = 0;
    let insertMethod: string | undefined;
    let loadError: unknown;
    const dbStart = performance.now();
    try {
      rows = await store.insert({ [Symbol.iterator]: () => ({ next: decodeNext }) });
      if (decoded.size > 0) insertMethod = await store.method();
    } catch (error) {
      loadError = error ?? new Error("bulk edge insert failed");
    }
    while (!decodeNext().done);
    const poison = failures.size;
    let edges = 0;
    for (const batch of decoded.values()) edges += edgeCountOf(batch);

    if (loadError !== undefined) {
      if (isDataError(loadError) && decoded.size > 1) {
        logger.warn({ err: loadError }, "bulk edge insert refused data; retrying message by message");
        for (const [messageId, batch] of decoded) {
          try {
            rows += await store.insert([batch]);
          } catch (single) {
            failures.set(
              messageId,
              new EdgeInsertError(`edges of message ${messageId} refused: ${describe(single)}`, {
                cause: single,
              }),
            );
          }
        }
      } else {
        const failure = new EdgeInsertError(
          `inserting ${edges} edges from ${decoded.size} messages failed: ${describe(loadError)}`,
          { cause: loadError },
        );
        for (const messageId of decoded.keys()) failures.set(messageId, failure);
      }
    }
    const dbMs = performance.now() - dbStart;
    for (const [messageId, error] of failures) {
      if (error instanceof EdgeInsertError) logger.error({ err: error, messageId }, "edge insert failed");
    }

    // The processor only reports outcomes decided above; it owns the response shape and accounting.
    const recordHandler = (record: SQSRecord): Promise<void> => {
      const failure = failures.get(record.messageId);
      return failure ? Promise.reject(failure) : Promise.resolve();
    };
    const response = await processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
      context,
      throwOnFullBatchFailure: false,
    });

    const summary: EdgeWriterSummary = {
      records: event.Records.length,
      failed: response.batchItemFailures.length,
      poison,
      edges,
      rows,
      queueLagMs: Math.max(0, startedAt - oldestSent),
      dbMs: Math.round(dbMs * 100) / 100,
      ...(insertMethod === undefined ? {} : { insertMethod }),
    };
    logger.info(summary, "edge-writer batch");
    return response;
  };
}
