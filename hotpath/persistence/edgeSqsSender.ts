/**
 * One `SendMessageBatch` call to the edges queue with `@aws-sdk/client-sqs`, its outcome sorted into what
 * the flusher acts on: entries accepted, entries refused (retryable or the sender's fault), or the whole
 * request failed. Retries, backoff, deadlines and the spool are the flusher's: the SDK's own retries are off
 * (`maxAttempts: 1`) so that no request outlives the deadline the flusher gives it.
 */

import { SQSClient, SendMessageBatchCommand, type SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";

export interface EdgeQueueEntry {
  /** Unique within one batch (SQS: alphanumerics, `-`, `_`, ≤ 80 chars). */
  readonly id: string;
  readonly body: string;
}

/** An entry SQS did not accept. `senderFault`: resending it unchanged cannot succeed. */
export interface EdgeQueueEntryFailure {
  readonly id: string;
  readonly senderFault: boolean;
  readonly code: string;
  readonly message: string;
}

/** Sends one batch of entries to the edges queue. The flusher's only view of SQS (tests may wrap it). */
export interface EdgeBatchSender {
  /**
   * Resolves with the entries SQS did not accept (empty: all accepted); rejects with
   * `EdgeQueueRequestError` when the request as a whole failed or `signal` aborted it.
   */
  sendBatch(
    entries: readonly EdgeQueueEntry[],
    signal: AbortSignal,
  ): Promise<readonly EdgeQueueEntryFailure[]>;
}

/**
 * Whole-request errors that blame the request's content (our bug), not SQS: resending the same entries
 * fails the same way, so the flusher drops them (counted, logged) instead of retrying or spooling them.
 */
const CONTENT_REJECTIONS: ReadonlySet<string> = new Set([
  "BatchRequestTooLong",
  "BatchEntryIdsNotDistinct",
  "EmptyBatchRequest",
  "InvalidBatchEntryId",
  "TooManyEntriesInBatchRequest",
  "InvalidMessageContents",
]);

/** A SendMessageBatch request failed as a whole (network, timeout, throttling, credentials, 5xx, …). */
export class EdgeQueueRequestError extends Error {
  override readonly name = "EdgeQueueRequestError";
  /** The SDK error's name (e.g. `QueueDoesNotExist`, `TimeoutError`, `AbortError`) or errno code. */
  readonly code: string;
  /** True when the request's content was refused (see `CONTENT_REJECTIONS`): do not resend. */
  readonly contentRejected: boolean;
  constructor(code: string, detail: string, options?: ErrorOptions) {
    super(`SendMessageBatch failed (${code}): ${detail}`, options);
    this.code = code;
    this.contentRejected = CONTENT_REJECTIONS.has(code);
  }
}

/** Where a queue is and how to reach it (shared by the edge and the trade senders). */
export interface SqsQueueOptions {
  readonly queueUrl: string;
  readonly region: string;
  /** An SQS-compatible endpoint (fauxqs, LocalStack); default AWS's for `region`. */
  readonly endpoint?: string;
  /** Default: the SDK's provider chain (environment, instance/task role, …). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Give up on establishing a connection after this long; default 1 000 ms. */
  readonly connectTimeoutMs?: number;
}

export type SqsEdgeSenderOptions = SqsQueueOptions;

function errorCode(error: unknown): string {
  if (error instanceof Error) {
    const errno = (error as NodeJS.ErrnoException).code;
    if (error.name !== "Error") return error.name;
    if (typeof errno === "string") return errno;
  }
  return "Unknown";
}

/**
 * One `SendMessageBatch` per call with `@aws-sdk/client-sqs`, the SDK's own retries off (the callers retry
 * and spool): the entries SQS did not accept come back as failures, and so does every entry the response
 * names neither way; a request that failed as a whole rejects with `EdgeQueueRequestError`.
 */
export class SqsBatchSender {
  readonly queueUrl: string;
  private readonly client: SQSClient;

  constructor(options: SqsQueueOptions) {
    this.queueUrl = options.queueUrl;
    this.client = new SQSClient({
      region: options.region,
      maxAttempts: 1,
      requestHandler: { connectionTimeout: options.connectTimeoutMs ?? 1_000 },
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: { ...options.credentials } }),
    });
  }

  async sendEntries(
    entries: readonly SendMessageBatchRequestEntry[],
    signal: AbortSignal,
  ): Promise<readonly EdgeQueueEntryFailure[]> {
    let output;
    try {
      output = await this.client.send(
        new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: [...entries] }),
        { abortSignal: signal },
      );
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new EdgeQueueRequestError(errorCode(error), detail, { cause: error });
    }
    const failures: EdgeQueueEntryFailure[] = (output.Failed ?? []).map((failed) => ({
      id: failed.Id ?? "",
      senderFault: failed.SenderFault === true,
      code: failed.Code ?? "Unknown",
      message: failed.Message ?? "",
    }));
    // An entry SQS reported neither way did not demonstrably land: resend it.
    const reported = new Set([...(output.Successful ?? []).map((ok) => ok.Id), ...failures.map((f) => f.id)]);
    for (const entry of entries) {
      const id = entry.Id ?? "";
      if (!reported.has(id)) {
        failures.push({ id, senderFault: false, code: "NotReported", message: "absent from response" });
      }
    }
    return failures;
  }

  /** Closes the client's sockets. */
  destroy(): void {
    this.client.destroy();
  }
}

/** The edges queue: packed edge messages, one entry each. */
export class SqsEdgeSender extends SqsBatchSender implements EdgeBatchSender {
  sendBatch(
    entries: readonly EdgeQueueEntry[],
    signal: AbortSignal,
  ): Promise<readonly EdgeQueueEntryFailure[]> {
    return this.sendEntries(
      entries.map((entry) => ({ Id: entry.id, MessageBody: entry.body })),
      signal,
    );
  }
}
