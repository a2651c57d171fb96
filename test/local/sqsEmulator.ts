/**
 * The system's SQS queues on one machine: fauxqs (the real SQS API, served in-process by Fastify) on a
 * loopback port, with the queues the system uses created through the real `CreateQueue` API:
 *
 *   edges            standard, redrive to edges-dlq after `maxReceiveCount` receives
 *   edges-dlq        standard
 *   trades.fifo      FIFO, content-based deduplication off (senders give MessageDeduplicationId: the
 *                    natural ids), redrive to trades-dlq.fifo
 *   trades-dlq.fifo  FIFO (a FIFO queue's DLQ must be FIFO)
 *
 * Why `buildApp` + our own `listen` rather than `startFauxqs`: fauxqs 1.9.2's `startFauxqs` binds every
 * interface (0.0.0.0) and has no option against it; an unauthenticated queue server belongs on loopback.
 *
 * fauxqs gaps that matter here (see ../../../shared/STACK.md): no `ListDeadLetterSourceQueues`; a FIFO
 * receive returns at most one message per message group and locks the group until that message is
 * deleted or its visibility timeout ends (AWS returns several of a group in order). Redrive happens, as in
 * AWS, when a receive would hand a message out for the (maxReceiveCount + 1)-th time.
 *
 * Queue URLs have the AWS shape (`http://sqs.<region>.localhost:<port>/000000000000/<name>`) and are
 * identifiers only: clients must be given `endpoint` (use `createClient()`).
 */

import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { buildApp } from "fauxqs";

export const LOCAL_SQS_REGION = "ap-northeast-1";
/** fauxqs accepts any credentials; fixed ones keep the SDK from searching the machine for real ones. */
export const LOCAL_SQS_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;

export const DEFAULT_MAX_RECEIVE_COUNT = 3;
/** SQS's own default; Lambda wants it ≥ 6 × the function timeout in AWS, tests use 1–2 s. */
export const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;
/** DLQs keep messages 14 days (the SQS maximum), longer than their sources (4 days by default). */
const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;

export class LocalSqsError extends Error {
  override readonly name = "LocalSqsError";
}

export interface LocalQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly fifo: boolean;
  readonly visibilityTimeoutSeconds: number;
}

export interface LocalQueues {
  readonly edges: LocalQueue;
  readonly edgesDlq: LocalQueue;
  readonly trades: LocalQueue;
  readonly tradesDlq: LocalQueue;
}

export interface LocalSqsOptions {
  /** Loopback port; 0 (default) lets the OS choose. */
  readonly port?: number;
  readonly region?: string;
  /** Receives before a message moves to its DLQ (SQS allows 1–1000). Default 3. */
  readonly maxReceiveCount?: number;
  /** Visibility timeout of `edges` (whole seconds, 0–43200). Default 30. */
  readonly edgesVisibilityTimeoutSeconds?: number;
  /** Visibility timeout of `trades.fifo`. Default 30. */
  readonly tradesVisibilityTimeoutSeconds?: number;
}

export interface QueueDepth {
  /** Ready to be received. */
  readonly visible: number;
  /** Received and neither deleted nor back yet (their visibility timeout is running). */
  readonly inFlight: number;
}

export interface LocalSqs {
  /** `http://127.0.0.1:<port>`: the `endpoint` for SQS clients. */
  readonly endpoint: string;
  readonly region: string;
  readonly queues: LocalQueues;
  /** An SQS client for this emulator; `stop()` destroys every client made here. */
  createClient(options?: { readonly maxAttempts?: number }): SQSClient;
  depth(queue: LocalQueue): Promise<QueueDepth>;
  /** Destroys the clients made by `createClient` and closes the server (ending open long polls). */
  stop(): Promise<void>;
}

function wholeSeconds(name: string, value: number, min: number, max: number): string {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new LocalSqsError(`${name} must be a whole number of seconds in ${min}..${max}, got ${value}`);
  }
  return String(value);
}

export async function startLocalSqs(options: LocalSqsOptions = {}): Promise<LocalSqs> {
  const region = options.region ?? LOCAL_SQS_REGION;
  const maxReceiveCount = options.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT;
  if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
    throw new LocalSqsError(`maxReceiveCount must be an integer in 1..1000, got ${maxReceiveCount}`);
  }
  const edgesVisibility = options.edgesVisibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS;
  const tradesVisibility = options.tradesVisibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS;
  const edgesVisibilityAttr = wholeSeconds("edgesVisibilityTimeoutSeconds", edgesVisibility, 0, 43_200);
  const tradesVisibilityAttr = wholeSeconds("tradesVisibilityTimeoutSeconds", tradesVisibility, 0, 43_200);

  const app = buildApp({ logger: false, defaultRegion: region });
  await app.listen({ port: options.port ?? 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (typeof address !== "object" || address === null) {
    await app.close();
    throw new LocalSqsError("fauxqs did not report a listening port");
  }
  const endpoint = `http://127.0.0.1:${address.port}`;

  const clients = new Set<SQSClient>();
  const createClient = (clientOptions: { readonly maxAttempts?: number } = {}): SQSClient => {
    const client = new SQSClient({
      endpoint,
      region,
      credentials: LOCAL_SQS_CREDENTIALS,
      maxAttempts: clientOptions.maxAttempts ?? 3,
    });
    clients.add(client);
    return client;
  };
  const admin = createClient();

  const createQueue = async (
    name: string,
    attributes: Record<string, string>,
    visibilityTimeoutSeconds: number,
  ): Promise<LocalQueue> => {
    const created = await admin.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const url = created.QueueUrl;
    const described = await admin.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
    );
    const arn = described.Attributes?.["QueueArn"];
    if (!url || !arn) throw new LocalSqsError(`CreateQueue ${name} returned no URL or ARN`);
    return { name, url, arn, fifo: name.endsWith(".fifo"), visibilityTimeoutSeconds };
  };
  const redriveTo = (dlq: LocalQueue): string =>
    JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount });

  try {
    const dlqAttributes = { MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS) };
    const edgesDlq = await createQueue("edges-dlq", dlqAttributes, DEFAULT_VISIBILITY_TIMEOUT_SECONDS);
    const edges = await createQueue(
      "edges",
      { VisibilityTimeout: edgesVisibilityAttr, RedrivePolicy: redriveTo(edgesDlq) },
      edgesVisibility,
    );
    const fifo = { FifoQueue: "true", ContentBasedDeduplication: "false" };
    const tradesDlq = await createQueue(
      "trades-dlq.fifo",
      { ...fifo, ...dlqAttributes },
      DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
    );
    const trades = await createQueue(
      "trades.fifo",
      { ...fifo, VisibilityTimeout: tradesVisibilityAttr, RedrivePolicy: redriveTo(tradesDlq) },
      tradesVisibility,
    );

    return {
      endpoint,
      region,
      queues: { edges, edgesDlq, trades, tradesDlq },
      createClient,
      async depth(queue) {
        const { Attributes: attributes = {} } = await admin.send(
          new GetQueueAttributesCommand({
            QueueUrl: queue.url,
            AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
          }),
        );
        return {
          visible: Number(attributes["ApproximateNumberOfMessages"] ?? 0),
          inFlight: Number(attributes["ApproximateNumberOfMessagesNotVisible"] ?? 0),
        };
      },
      async stop() {
        for (const client of clients) client.destroy();
        clients.clear();
        await app.close();
      },
    };
  } catch (error) {
    for (const client of clients) client.destroy();
    await app.close();
    throw error;
  }
}
