/**
 * `--query`: a CloudWatch Logs Insights query over the selected groups (StartQuery), polled until it
 * finishes (GetQueryResults). Insights takes whole seconds; the window is widened to whole seconds so
 * nothing inside it is cut off.
 */

import {
  type CloudWatchLogsClient,
  GetQueryResultsCommand,
  type ResultField,
  StartQueryCommand,
  StopQueryCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { setTimeout as sleep } from "node:timers/promises";

export class InsightsQueryError extends Error {
  override readonly name = "InsightsQueryError";
}

export interface InsightsQueryOptions {
  readonly logGroupNames: readonly string[];
  readonly query: string;
  readonly startTimeMs: number;
  readonly endTimeMs: number;
  readonly pollMs: number;
  readonly signal: AbortSignal;
}

const FINISHED_BADLY = new Set(["Failed", "Cancelled", "Timeout", "Unknown"]);

export async function runInsightsQuery(
  client: CloudWatchLogsClient,
  options: InsightsQueryOptions,
): Promise<ResultField[][]> {
  const started = await client.send(
    new StartQueryCommand({
      logGroupNames: [...options.logGroupNames],
      queryString: options.query,
      startTime: Math.floor(options.startTimeMs / 1000),
      endTime: Math.ceil(options.endTimeMs / 1000),
    }),
    { abortSignal: options.signal },
  );
  const queryId = started.queryId;
  if (queryId === undefined) throw new InsightsQueryError("StartQuery returned no queryId");
  try {
    for (;;) {
      const result = await client.send(new GetQueryResultsCommand({ queryId }), {
        abortSignal: options.signal,
      });
      const status = result.status ?? "Unknown";
      if (status === "Complete") return result.results ?? [];
      if (FINISHED_BADLY.has(status)) {
        throw new InsightsQueryError(`Logs Insights query ${queryId} ended with status ${status}`);
      }
      await sleep(options.pollMs, undefined, { signal: options.signal });
    }
  } catch (error) {
    // Ctrl-C while running: stop the query so it stops scanning (and costing) on the server.
    if (options.signal.aborted) {
      await client.send(new StopQueryCommand({ queryId })).catch(() => undefined);
    }
    throw error;
  }
}
