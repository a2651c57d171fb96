/**
 * What `npm run logs` does once its flags are parsed: pick the source (a local file or CloudWatch), apply
 * the same filters, print one line per event. The I/O edges (output, clock, client) come in through
 * `LogsIo`, so tests drive it in-process against a real file or a loopback endpoint.
 */

import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";

import type { LogsOptions, LogsSource } from "./cliArgs.js";
import { followGroups, type LogGroupMissingError, readGroups } from "./cloudWatchEvents.js";
import { buildFilterPattern } from "./filterPattern.js";
import { formatQueryRow, formatRecord } from "./formatRecord.js";
import { runInsightsQuery } from "./insightsQuery.js";
import { readLocalLogLines } from "./localLogFile.js";
import { parseLogLine } from "./logRecord.js";
import { LOG_SERVICES, type LogService, logGroupNameOf, serviceOfLogGroup } from "./logServices.js";
import { matchesFilter, type RecordFilter } from "./recordFilter.js";

export interface LogsIo {
  /** One output line (no newline); a promise when the output is applying backpressure. */
  readonly write: (line: string) => void | Promise<void>;
  /** A note for the operator (stderr), never mixed into the events. */
  readonly warn: (line: string) => void;
  /** Aborted on Ctrl-C: following stops and the command returns. */
  readonly signal: AbortSignal;
  readonly createClient: (source: Extract<LogsSource, { kind: "cloudwatch" }>) => CloudWatchLogsClient;
  readonly nowMs: () => number;
  /** Cadence of --follow polling and of waiting for a query. Default 250 ms locally, 2 s for CloudWatch. */
  readonly pollMs?: number;
}

/** CloudWatch makes events searchable seconds after their timestamp; follow re-reads this far back. */
const FOLLOW_LAG_MS = 30_000;

export async function runLogs(options: LogsOptions, io: LogsIo): Promise<void> {
  if (options.source.kind === "local") {
    await runLocal(options, options.source.file, io);
    return;
  }
  const client = io.createClient(options.source);
  try {
    // Empty = every service; cliArgs has checked the names against LOG_SERVICES.
    const services = options.services.length === 0 ? LOG_SERVICES : (options.services as LogService[]);
    const logGroupNames = services.map((service) => logGroupNameOf(service));
    if (options.query === undefined) await runFilter(options, logGroupNames, client, io);
    else await runQuery(options, options.query, logGroupNames, client, io);
  } finally {
    client.destroy();
  }
}

async function runLocal(options: LogsOptions, file: string, io: LogsIo): Promise<void> {
  const filter: RecordFilter = {
    ...(options.services.length === 0 ? {} : { services: new Set(options.services) }),
    ...(options.minLevel === undefined ? {} : { minLevel: options.minLevel }),
    ...(options.sinceMs === undefined ? {} : { sinceMs: options.sinceMs }),
  };
  const lines = readLocalLogLines(file, {
    follow: options.follow,
    signal: io.signal,
    pollMs: io.pollMs ?? 250,
    onWaiting: (path) => io.warn(`waiting for ${path} to appear (is \`npm start\` running?)`),
  });
  for await (const line of lines) {
    const record = parseLogLine(line);
    if (matchesFilter(record, filter)) await io.write(formatRecord(record, options.json));
  }
}

async function runFilter(
  options: LogsOptions,
  logGroupNames: readonly string[],
  client: CloudWatchLogsClient,
  io: LogsIo,
): Promise<void> {
  const warned = new Set<string>();
  const onMissing = (error: LogGroupMissingError): void => {
    if (warned.has(error.logGroupName)) return;
    warned.add(error.logGroupName);
    io.warn(`skipping ${error.message}`);
  };
  const filterPattern = buildFilterPattern(options.minLevel);
  const sinceMs = options.sinceMs ?? io.nowMs();
  const events = options.follow
    ? followGroups(client, logGroupNames, {
        filterPattern,
        sinceMs,
        pollMs: io.pollMs ?? 2_000,
        lagMs: FOLLOW_LAG_MS,
        signal: io.signal,
        onMissing,
      })
    : readGroups(
        client,
        logGroupNames,
        { filterPattern, startTimeMs: sinceMs, signal: io.signal },
        onMissing,
      );
  // The server filtered by level and time already; the level is checked again here so a line the pattern
  // let through for another reason (a `level` of another type) is judged as the local source would judge it.
  const filter: RecordFilter = options.minLevel === undefined ? {} : { minLevel: options.minLevel };
  for await (const event of events) {
    const groupService = serviceOfLogGroup(event.logGroupName);
    // The group says which service wrote the event (a process may log under a generic service name).
    const record = {
      ...parseLogLine(event.message, { service: groupService, timestampMs: event.timestampMs }),
      service: groupService,
    };
    if (matchesFilter(record, filter)) await io.write(formatRecord(record, options.json));
  }
}

async function runQuery(
  options: LogsOptions,
  query: string,
  logGroupNames: readonly string[],
  client: CloudWatchLogsClient,
  io: LogsIo,
): Promise<void> {
  const endTimeMs = io.nowMs();
  const rows = await runInsightsQuery(client, {
    logGroupNames,
    query,
    startTimeMs: options.sinceMs ?? endTimeMs,
    endTimeMs,
    pollMs: io.pollMs ?? 1_000,
    signal: io.signal,
  });
  for (const row of rows) await io.write(formatQueryRow(row, options.json));
  if (rows.length === 0) io.warn("the query returned no rows");
}
