/**
 * A PROTOCOL STAND-IN for CloudWatch Logs, not an emulator: a loopback HTTP server that speaks the wire
 * protocol the real `@aws-sdk/client-cloudwatch-logs` client uses (awsJson1_1: `POST /`,
 * `X-Amz-Target: Logs_20140328.<Operation>`, JSON bodies, `__type` errors) for the three operations
 * `npm run logs` calls, and records every request so tests can assert what the real client sent.
 *
 * Why not a real one: LocalStack needs Docker (not available here), and no maintained npm package emulates
 * CloudWatch Logs (fauxqs covers SQS only). What it does NOT do: evaluate filter patterns (requests carry
 * them; tests assert them), sign-check requests, or model ingestion delay.
 *
 * Behaviour it does model, because the command depends on it: per-group events, `startTime`/`endTime`
 * (inclusive, epoch ms), pagination by `nextToken` (`pageSize` events a page), ResourceNotFoundException for
 * an unknown group, and Logs Insights queries that run for one poll before completing.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface StandInEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly logStreamName?: string;
}

export interface RecordedRequest {
  /** `FilterLogEvents`, `StartQuery`, … (the X-Amz-Target operation). */
  readonly operation: string;
  readonly body: Record<string, unknown>;
  readonly authorization: string | undefined;
}

export interface CloudWatchLogsStandIn {
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  /** Adds events to a group (creating it); ids are assigned in order. */
  putEvents(logGroupName: string, events: readonly StandInEvent[]): void;
  /** The rows the next completed Logs Insights query returns. */
  setQueryResults(rows: readonly (readonly { field: string; value: string }[])[]): void;
  stop(): Promise<void>;
}

const TARGET_PREFIX = "Logs_20140328.";

interface StoredEvent extends StandInEvent {
  readonly eventId: string;
}

export async function startCloudWatchLogsStandIn(
  options: { readonly pageSize?: number } = {},
): Promise<CloudWatchLogsStandIn> {
  const pageSize = options.pageSize ?? 2;
  const groups = new Map<string, StoredEvent[]>();
  const requests: RecordedRequest[] = [];
  const queries = new Map<string, { polls: number }>();
  let queryRows: readonly (readonly { field: string; value: string }[])[] = [];
  let nextEventId = 1;

  const operations: Record<string, (body: Record<string, unknown>) => [number, unknown]> = {
    FilterLogEvents: (body) => {
      const name = String(body["logGroupName"]);
      const events = groups.get(name);
      if (events === undefined) {
        return [
          400,
          { __type: "ResourceNotFoundException", message: "The specified log group does not exist." },
        ];
      }
      const start = typeof body["startTime"] === "number" ? body["startTime"] : Number.NEGATIVE_INFINITY;
      const end = typeof body["endTime"] === "number" ? body["endTime"] : Number.POSITIVE_INFINITY;
      const matching = events.filter((event) => event.timestamp >= start && event.timestamp <= end);
      const offset = typeof body["nextToken"] === "string" ? decodeToken(body["nextToken"], name) : 0;
      const page = matching.slice(offset, offset + pageSize);
      const more = offset + pageSize < matching.length;
      return [
        200,
        {
          events: page.map((event) => ({
            eventId: event.eventId,
            timestamp: event.timestamp,
            ingestionTime: event.timestamp + 5,
            logStreamName: event.logStreamName ?? "stream-1",
            message: event.message,
          })),
          searchedLogStreams: [],
          ...(more ? { nextToken: encodeToken(name, offset + pageSize) } : {}),
        },
      ];
    },
    StartQuery: (body) => {
      const requested = body["logGroupNames"];
      const names = Array.isArray(requested) ? requested.map((name) => String(name)) : [];
      const missing = names.find((name) => !groups.has(name));
      if (missing !== undefined) {
        return [400, { __type: "ResourceNotFoundException", message: `Log group ${missing} does not exist` }];
      }
      const queryId = `query-${queries.size + 1}`;
      queries.set(queryId, { polls: 0 });
      return [200, { queryId }];
    },
    GetQueryResults: (body) => {
      const query = queries.get(String(body["queryId"]));
      if (query === undefined)
        return [400, { __type: "ResourceNotFoundException", message: "unknown query" }];
      query.polls++;
      if (query.polls === 1) return [200, { status: "Running", results: [], statistics: {} }];
      return [
        200,
        { status: "Complete", results: queryRows, statistics: { recordsMatched: queryRows.length } },
      ];
    },
    StopQuery: () => [200, { success: true }],
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : "";
    const handler = operations[operation];
    let status: number;
    let payload: unknown;
    if (req.method !== "POST" || handler === undefined) {
      [status, payload] = [400, { __type: "UnknownOperationException", message: `unsupported ${target}` }];
    } else {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
      requests.push({ operation, body, authorization: req.headers.authorization });
      [status, payload] = handler(body);
    }
    res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
    res.end(JSON.stringify(payload));
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    putEvents(logGroupName, events) {
      const stored = groups.get(logGroupName) ?? [];
      for (const event of events) stored.push({ ...event, eventId: String(nextEventId++).padStart(8, "0") });
      stored.sort((a, b) => a.timestamp - b.timestamp);
      groups.set(logGroupName, stored);
    },
    setQueryResults(rows) {
      queryRows = rows;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

function encodeToken(group: string, offset: number): string {
  return Buffer.from(JSON.stringify({ group, offset })).toString("base64");
}

function decodeToken(token: string, group: string): number {
  const decoded = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as {
    group: string;
    offset: number;
  };
  if (decoded.group !== group) throw new Error(`nextToken of ${decoded.group} sent for ${group}`);
  return decoded.offset;
}
