/**
 * The trade-writer's work for one batch of the trades queue (SQS FIFO): decode every record (one trade
 * event each, `tradeEventCodec.ts`), write all of them in one transaction (tradeStore.ts), and answer with
 * a FIFO partial batch response (Powertools `SqsFifoPartialProcessorAsync`, `skipGroupOnError`), so that
 *
 * - a poison message (undecodable) fails with its `TradeEventDecodeError` and, after the queue's
 *   maxReceiveCount, lands in the DLQ; the later records of its message group fail with it, unwritten
 *   (FIFO: nothing of a group may overtake a record that has not landed), while other groups commit;
 * - a database failure fails every record, so SQS redelivers them all (never a silent drop);
 * - a data error (SQLSTATE class 22/23: e.g. an order whose intent is missing, a value the schema
 *   refuses) is isolated by writing message by message under savepoints: only the guilty message and the
 *   rest of its group fail.
 *
 * What is written is exactly what the response reports as successful: the records of a group up to its
 * first failure. Redelivery is harmless: every table is keyed by the events' natural ids, and statuses
 * only move forward. One summary log line per invocation.
 */

import { performance } from "node:perf_hooks";

import { SqsFifoPartialProcessorAsync, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

import type { Logger } from "../../hotpath/observability/logger.js";
import { type TradeEvent, decodeTradeEvent } from "../../hotpath/persistence/tradeEventCodec.js";
import { type KindCounts, emptyKindCounts, tradeRowsOf } from "./tradeRows.js";
import { type TradeDatabase, createTradeStore, isDataError } from "./tradeStore.js";

export interface TradeWriterDeps {
  /** A `pg` Pool. */
  readonly db: TradeDatabase;
  readonly logger: Logger;
  /** Wall clock for queue lag; injectable for tests. */
  readonly now?: () => number;
}

/** The database refused or could not take the record's events. */
export class TradeInsertError extends Error {
  override readonly name = "TradeInsertError";
}

/** The record was not written because an earlier record of its message group failed in this batch. */
export class TradeGroupHeldError extends Error {
  override readonly name = "TradeGroupHeldError";
}

export interface TradeWriterSummary {
  readonly records: number;
  readonly failed: number;
  /** Undecodable records. */
  readonly poison: number;
  /** Decoded records the database refused (data errors). */
  readonly refused: number;
  /** Records held back behind an earlier failure of their group. */
  readonly held: number;
  /** Events written (decoded, not held, not failed). */
  readonly events: number;
  readonly kinds: KindCounts;
  /** Rows inserted or moved forward (redelivered events add none). */
  readonly rows: number;
  /** Age of the oldest record in the batch at the start of the invocation (now − SentTimestamp). */
  readonly queueLagMs: number;
  /** Wall time of the database work. */
  readonly dbMs: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface Candidate {
  readonly record: SQSRecord;
  readonly groupId: string | null;
  readonly event: TradeEvent;
}

export function createTradeWriterHandler(
  deps: TradeWriterDeps,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const now = deps.now ?? Date.now;
  const store = createTradeStore(deps.db);

  return async (event, context) => {
    const logger = deps.logger.child({ requestId: context.awsRequestId });
    const startedAt = now();
    const failures = new Map<string, Error>();
    const failedGroups = new Set<string>();
    const candidates: Candidate[] = [];
    let oldestSent = startedAt;
    let poison = 0;
    let held = 0;

    const fail = (record: SQSRecord, groupId: string | null, error: Error): void => {
      failures.set(record.messageId, error);
      if (groupId !== null) failedGroups.add(groupId);
    };

    // Lambda's FIFO rule, decided up front: a group's records after its first failure are not written.
    for (const record of event.Records) {
      const sent = Number(record.attributes.SentTimestamp);
      if (Number.isFinite(sent)) oldestSent = Math.min(oldestSent, sent);
      const groupId = record.attributes.MessageGroupId ?? null;
      if (groupId !== null && failedGroups.has(groupId)) {
        held += 1;
        failures.set(
          record.messageId,
          new TradeGroupHeldError(`held behind an earlier failure in message group ${groupId}`),
        );
        continue;
      }
      try {
        candidates.push({ record, groupId, event: decodeTradeEvent(record.body) });
      } catch (error) {
        poison += 1;
        fail(record, groupId, error as Error);
        logger.error({ err: error, messageId: record.messageId, groupId }, "poison trade event message");
      }
    }

    const failAll = (error: unknown): void => {
      const failure = new TradeInsertError(
        `writing ${candidates.length} trade events failed: ${describe(error)}`,
        { cause: error },
      );
      for (const { record, groupId } of candidates) fail(record, groupId, failure);
      logger.error(
        { err: failure, messageIds: candidates.map((candidate) => candidate.record.messageId) },
        "trade write failed",
      );
    };

    let rows = 0;
    let refused = 0;
    const dbStart = performance.now();
    if (candidates.length > 0) {
      try {
        rows = await store.write(tradeRowsOf(candidates.map((candidate) => candidate.event)));
      } catch (error) {
        if (isDataError(error)) {
          logger.warn({ err: error }, "bulk trade write refused data; retrying message by message");
          try {
            const each = await store.writeEach(
              candidates.map(({ record, groupId, event: tradeEvent }) => ({
                messageId: record.messageId,
                groupId,
                rows: tradeRowsOf([tradeEvent]),
              })),
            );
            rows = each.rows;
            for (const { record, groupId } of candidates) {
              const cause = each.refused.get(record.messageId);
              if (cause !== undefined) {
                refused += 1;
                const failure = new TradeInsertError(
                  `the database refused message ${record.messageId}: ${describe(cause)}`,
                  { cause },
                );
                fail(record, groupId, failure);
                logger.error({ err: failure, messageId: record.messageId, groupId }, "trade event refused");
              } else if (each.held.has(record.messageId)) {
                held += 1;
                fail(
                  record,
                  groupId,
                  new TradeGroupHeldError(`held behind an earlier failure in message group ${groupId}`),
                );
              }
            }
          } catch (retryError) {
            failAll(retryError);
          }
        } else {
          failAll(error);
        }
      }
    }
    const dbMs = performance.now() - dbStart;

    // The processor only reports outcomes decided above; it owns the response shape and FIFO accounting.
    const recordHandler = (record: SQSRecord): Promise<void> => {
      const failure = failures.get(record.messageId);
      return failure ? Promise.reject(failure) : Promise.resolve();
    };
    const response = await processPartialResponse(event, recordHandler, new SqsFifoPartialProcessorAsync(), {
      context,
      skipGroupOnError: true,
      throwOnFullBatchFailure: false,
    });

    const kinds = emptyKindCounts();
    let events = 0;
    for (const candidate of candidates) {
      if (failures.has(candidate.record.messageId)) continue;
      kinds[candidate.event.kind] += 1;
      events += 1;
    }
    const summary: TradeWriterSummary = {
      records: event.Records.length,
      failed: response.batchItemFailures.length,
      poison,
      refused,
      held,
      events,
      kinds,
      rows,
      queueLagMs: Math.max(0, startedAt - oldestSent),
      dbMs: Math.round(dbMs * 100) / 100,
    };
    logger.info(summary, "trade-writer batch");
    return response;
  };
}
