/**
 * Reading log events from CloudWatch Logs: FilterLogEvents over each `/hlbasis/<service>` group (one group
 * per call is what the API takes), every page followed by its `nextToken`, the groups interleaved into one
 * timeline; and following, by polling.
 *
 * Following re-reads a short window behind the newest event seen (`lagMs`) on every poll, because
 * CloudWatch makes events searchable some seconds after their timestamp: a window starting exactly at the
 * newest event would skip late arrivals. Events already printed are recognised by their eventId.
 */

import {
  type CloudWatchLogsClient,
  FilterLogEventsCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-cloudwatch-logs";
import { setTimeout as sleep } from "node:timers/promises";

import { mergeByTime } from "./mergeByTime.js";

export interface CloudWatchEvent {
  readonly logGroupName: string;
  readonly eventId: string;
  readonly timestampMs: number;
  readonly message: string;
}

export class LogGroupMissingError extends Error {
  override readonly name = "LogGroupMissingError";
  constructor(readonly logGroupName: string) {
    super(`log group ${logGroupName} does not exist (deployed? right region and account?)`);
  }
}

export interface EventWindow {
  readonly filterPattern?: string | undefined;
  readonly startTimeMs?: number | undefined;
  readonly endTimeMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Every event of one group in the window, oldest first, page by page. */
export async function* groupEvents(
  client: CloudWatchLogsClient,
  logGroupName: string,
  window: EventWindow,
): AsyncGenerator<CloudWatchEvent> {
  let nextToken: string | undefined;
  do {
    let page;
    try {
      page = await client.send(
        new FilterLogEventsCommand({
          logGroupName,
          ...(window.filterPattern === undefined ? {} : { filterPattern: window.filterPattern }),
          ...(window.startTimeMs === undefined ? {} : { startTime: Math.floor(window.startTimeMs) }),
          ...(window.endTimeMs === undefined ? {} : { endTime: Math.ceil(window.endTimeMs) }),
          ...(nextToken === undefined ? {} : { nextToken }),
        }),
        window.signal === undefined ? {} : { abortSignal: window.signal },
      );
    } catch (error) {
      if (error instanceof ResourceNotFoundException) throw new LogGroupMissingError(logGroupName);
      throw error;
    }
    for (const event of page.events ?? []) {
      if (event.timestamp === undefined) continue;
      yield {
        logGroupName,
        eventId: event.eventId ?? `${event.logStreamName ?? ""}/${event.timestamp}/${event.message ?? ""}`,
        timestampMs: event.timestamp,
        message: event.message ?? "",
      };
    }
    // A token equal to the one just sent would page forever; the API's contract is a new one or none.
    nextToken = page.nextToken === nextToken ? undefined : page.nextToken;
  } while (nextToken !== undefined);
}

/**
 * The groups' events in the window, interleaved by time. A missing group is reported to `onMissing` and
 * read as empty, so one undeployed service does not hide the others; when every group is missing, the
 * last LogGroupMissingError is thrown.
 */
export async function* readGroups(
  client: CloudWatchLogsClient,
  logGroupNames: readonly string[],
  window: EventWindow,
  onMissing: (error: LogGroupMissingError) => void,
): AsyncGenerator<CloudWatchEvent> {
  let missing: LogGroupMissingError | undefined;
  let missingCount = 0;
  const tolerant = async function* (logGroupName: string): AsyncGenerator<CloudWatchEvent> {
    try {
      yield* groupEvents(client, logGroupName, window);
    } catch (error) {
      if (!(error instanceof LogGroupMissingError)) throw error;
      missing = error;
      missingCount++;
      onMissing(error);
    }
  };
  yield* mergeByTime(
    logGroupNames.map((name) => tolerant(name)),
    (event) => event.timestampMs,
  );
  if (missing !== undefined && missingCount === logGroupNames.length) throw missing;
}

export interface FollowOptions {
  readonly filterPattern?: string | undefined;
  readonly sinceMs: number;
  readonly pollMs: number;
  /** How far behind the newest event each poll starts again. */
  readonly lagMs: number;
  readonly signal: AbortSignal;
  readonly onMissing: (error: LogGroupMissingError) => void;
}

/** Events from `sinceMs` on, then new ones as they arrive, until the signal aborts. */
export async function* followGroups(
  client: CloudWatchLogsClient,
  logGroupNames: readonly string[],
  options: FollowOptions,
): AsyncGenerator<CloudWatchEvent> {
  const seen = new Map<string, number>();
  let newestMs = options.sinceMs;
  while (!options.signal.aborted) {
    const startTimeMs = Math.max(options.sinceMs, newestMs - options.lagMs);
    try {
      const window = { filterPattern: options.filterPattern, startTimeMs, signal: options.signal };
      for await (const event of readGroups(client, logGroupNames, window, options.onMissing)) {
        const key = `${event.logGroupName}\n${event.eventId}`;
        if (seen.has(key)) continue;
        seen.set(key, event.timestampMs);
        newestMs = Math.max(newestMs, event.timestampMs);
        yield event;
      }
    } catch (error) {
      if (options.signal.aborted) return;
      // Every group missing: keep waiting for a deployment instead of stopping a follow.
      if (!(error instanceof LogGroupMissingError)) throw error;
    }
    const nextStartMs = Math.max(options.sinceMs, newestMs - options.lagMs);
    for (const [key, timestampMs] of seen) if (timestampMs < nextStartMs) seen.delete(key);
    try {
      await sleep(options.pollMs, undefined, { signal: options.signal });
    } catch {
      return;
    }
  }
}
