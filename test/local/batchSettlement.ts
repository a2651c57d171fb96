/**
 * Which records of an invocation Lambda deletes from the queue and which it leaves to come back after
 * their visibility timeout — Lambda's rules for SQS event sources with `ReportBatchItemFailures`
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html):
 *
 * - The function threw or timed out: nothing is deleted.
 * - It returned nothing, `{}`, or `batchItemFailures` empty/null: everything is deleted.
 * - It returned `batchItemFailures`: those records stay, the rest are deleted — unless the response is
 *   invalid (an entry without `itemIdentifier`, an empty one, or one naming no record of the batch), in
 *   which case the whole batch counts as failed.
 * - FIFO queues: once a record of a message group stays, every later record of that group in the batch
 *   stays too, so the group is retried in order (the function "should stop processing after the first
 *   failure"; the event source enforces it here, so a handler that does not cannot reorder a group).
 * - Without `ReportBatchItemFailures`, any normal return deletes everything.
 */

import type { SQSRecord } from "aws-lambda";

export type InvocationOutcome =
  | { readonly kind: "returned"; readonly response: unknown }
  | { readonly kind: "threw"; readonly error: unknown }
  | { readonly kind: "timedOut"; readonly timeoutMs: number };

export type BatchFailureReason = "threw" | "timedOut" | "invalidResponse";

export interface BatchSettlement {
  /** To delete: processed. */
  readonly succeeded: readonly SQSRecord[];
  /** To leave on the queue: reported failed, or held behind a failed record of the same FIFO group. */
  readonly failed: readonly SQSRecord[];
  /** Set when the whole batch failed, saying why. */
  readonly batchFailure?: BatchFailureReason;
  /** For `invalidResponse`: what was wrong with it. */
  readonly detail?: string;
}

export interface SettlementOptions {
  readonly fifo: boolean;
  readonly reportBatchItemFailures: boolean;
}

type ReportedFailures = { readonly ids: ReadonlySet<string> } | { readonly invalid: string };

function reportedFailures(response: unknown, records: readonly SQSRecord[]): ReportedFailures {
  if (response === undefined || response === null) return { ids: new Set() };
  if (typeof response !== "object" || Array.isArray(response)) {
    return {
      invalid: `the response is ${Array.isArray(response) ? "an array" : typeof response}, not an object`,
    };
  }
  const list = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return { ids: new Set() };
  if (!Array.isArray(list)) return { invalid: "batchItemFailures is not a list" };
  const inBatch = new Set(records.map((record) => record.messageId));
  const ids = new Set<string>();
  for (const entry of list as unknown[]) {
    const id = (entry as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== "string" || id === "") {
      return { invalid: `batchItemFailures entry ${JSON.stringify(entry)} has no itemIdentifier` };
    }
    if (!inBatch.has(id))
      return { invalid: `itemIdentifier ${JSON.stringify(id)} is not a record of this batch` };
    ids.add(id);
  }
  return { ids };
}

export function settleBatch(
  records: readonly SQSRecord[],
  outcome: InvocationOutcome,
  options: SettlementOptions,
): BatchSettlement {
  if (outcome.kind === "threw") return { succeeded: [], failed: records, batchFailure: "threw" };
  if (outcome.kind === "timedOut") return { succeeded: [], failed: records, batchFailure: "timedOut" };
  if (!options.reportBatchItemFailures) return { succeeded: records, failed: [] };

  const reported = reportedFailures(outcome.response, records);
  if ("invalid" in reported) {
    return { succeeded: [], failed: records, batchFailure: "invalidResponse", detail: reported.invalid };
  }
  const heldGroups = new Set<string>();
  const succeeded: SQSRecord[] = [];
  const failed: SQSRecord[] = [];
  for (const record of records) {
    const group = options.fifo ? record.attributes.MessageGroupId : undefined;
    const held = group !== undefined && heldGroups.has(group);
    if (held || reported.ids.has(record.messageId)) {
      failed.push(record);
      if (group !== undefined) heldGroups.add(group);
    } else {
      succeeded.push(record);
    }
  }
  return { succeeded, failed };
}
