/**
 * `npm run logs -- [flags]`: the flags, checked, as one options object. Pure: the clock, the environment
 * and the working directory come in as arguments.
 *
 *   --service <name>   a service (repeat, or comma-separate, for several); default every service
 *   --level <level>    this level and worse: TRACE DEBUG INFO WARN ERROR FATAL (any case)
 *   --since <when>     10m, 2h, 7d or an ISO time with a zone; default 10m for CloudWatch, the whole file locally
 *   --follow, -f       keep printing new events until Ctrl-C
 *   --query <insights> a Logs Insights query over the selected services' groups (CloudWatch only)
 *   --json             print each event as logged (JSON), or each query row as a JSON object
 *   --local            read the JSON lines `npm start` writes instead of CloudWatch
 *   --file <path>      with --local: the file (default .hlbasis/logs/local.jsonl)
 *   --endpoint <url>   a CloudWatch Logs endpoint, e.g. LocalStack's http://localhost:4566 (else AWS_ENDPOINT_URL)
 *   --region <region>  default AWS_REGION, else ap-northeast-1
 *   --help, -h
 */

import { resolve } from "node:path";
import { parseArgs } from "node:util";

import { type LogLevel, LOG_LEVELS, parseLogLevel } from "./logLevels.js";
import { LOG_SERVICES, isLogService } from "./logServices.js";
import { parseSince, SinceFormatError } from "./since.js";

export const DEFAULT_LOCAL_FILE = ".hlbasis/logs/local.jsonl";
export const DEFAULT_REGION = "ap-northeast-1";
/** Without --since, CloudWatch is read this far back (as `aws logs tail` does): a whole retention is costly. */
export const DEFAULT_CLOUDWATCH_SINCE = "10m";

export const USAGE = `usage: npm run logs -- [--service <name>] [--level <level>] [--since <10m|2h|ISO time>] [--follow]
                     [--query <insights query>] [--json] [--endpoint <url>] [--region <region>]
       npm run logs -- --local [--file <path>] [--service <name>] [--level <level>] [--since <when>] [--follow] [--json]
services: ${LOG_SERVICES.join(", ")} (locally also any other service name in the file)
levels:   ${LOG_LEVELS.join(" ")} (this level and worse)
see docs/logs.md`;

export class LogsUsageError extends Error {
  override readonly name = "LogsUsageError";
}

export type LogsSource =
  | { readonly kind: "local"; readonly file: string }
  | { readonly kind: "cloudwatch"; readonly region: string; readonly endpoint: string | undefined };

export interface LogsOptions {
  readonly source: LogsSource;
  /** Empty = every service. */
  readonly services: readonly string[];
  readonly minLevel: LogLevel | undefined;
  /** Epoch ms; undefined = from the start of the local file. */
  readonly sinceMs: number | undefined;
  readonly follow: boolean;
  readonly query: string | undefined;
  readonly json: boolean;
}

export type LogsCommand = { readonly kind: "help" } | { readonly kind: "run"; readonly options: LogsOptions };

export interface ParseContext {
  readonly nowMs: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export function parseLogsArgs(argv: readonly string[], context: ParseContext): LogsCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        service: { type: "string", multiple: true },
        level: { type: "string" },
        since: { type: "string" },
        follow: { type: "boolean", short: "f" },
        query: { type: "string" },
        json: { type: "boolean" },
        local: { type: "boolean" },
        file: { type: "string" },
        endpoint: { type: "string" },
        region: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    // node:util reports unknown flags, missing values and stray arguments as TypeErrors with a clear text.
    throw new LogsUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return { kind: "help" };

  const local = values.local === true;
  const follow = values.follow === true;
  const query = values.query;
  if (!local && values.file !== undefined) throw new LogsUsageError("--file needs --local");
  if (local && values.endpoint !== undefined)
    throw new LogsUsageError("--endpoint is for CloudWatch, not --local");
  if (local && values.region !== undefined)
    throw new LogsUsageError("--region is for CloudWatch, not --local");
  if (query !== undefined) {
    if (local)
      throw new LogsUsageError("--query runs Logs Insights in CloudWatch; it cannot read a local file");
    if (query.trim() === "") throw new LogsUsageError("--query needs a Logs Insights query");
    if (follow) throw new LogsUsageError("--query returns one result set; it cannot --follow");
    if (values.level !== undefined) {
      throw new LogsUsageError(
        `--level does not apply to --query; filter in the query instead: | filter level in ["ERROR", "FATAL"]`,
      );
    }
  }

  const services = parseServices(values.service ?? [], local);
  let minLevel: LogLevel | undefined;
  if (values.level !== undefined) {
    minLevel = parseLogLevel(values.level);
    if (minLevel === undefined) {
      throw new LogsUsageError(`--level expects one of ${LOG_LEVELS.join(", ")}, got "${values.level}"`);
    }
  }
  const sinceText = values.since ?? (local ? undefined : DEFAULT_CLOUDWATCH_SINCE);
  let sinceMs: number | undefined;
  if (sinceText !== undefined) {
    try {
      sinceMs = parseSince(sinceText, context.nowMs);
    } catch (error) {
      if (error instanceof SinceFormatError) throw new LogsUsageError(error.message);
      throw error;
    }
  }

  const source: LogsSource = local
    ? { kind: "local", file: resolve(context.cwd, nonEmpty(values.file, "--file") ?? DEFAULT_LOCAL_FILE) }
    : {
        kind: "cloudwatch",
        region:
          nonEmpty(values.region, "--region") ?? nonEmptyEnv(context.env["AWS_REGION"]) ?? DEFAULT_REGION,
        endpoint: endpointOf(
          nonEmpty(values.endpoint, "--endpoint") ?? nonEmptyEnv(context.env["AWS_ENDPOINT_URL"]),
        ),
      };
  return {
    kind: "run",
    options: { source, services, minLevel, sinceMs, follow, query, json: values.json === true },
  };
}

function parseServices(flags: readonly string[], local: boolean): string[] {
  const names = flags.flatMap((flag) => flag.split(",")).map((name) => name.trim());
  if (names.some((name) => name === "")) throw new LogsUsageError("--service needs a service name");
  for (const name of names) {
    // CloudWatch reads the group named after the service: an unknown name is a typo, not an empty result.
    if (!local && !isLogService(name)) {
      throw new LogsUsageError(`unknown service "${name}" (known: ${LOG_SERVICES.join(", ")})`);
    }
  }
  return [...new Set(names)];
}

function endpointOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new LogsUsageError(`--endpoint expects a URL such as http://localhost:4566, got "${text}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new LogsUsageError(`--endpoint expects an http(s) URL, got "${text}"`);
  }
  return text;
}

function nonEmpty(value: string | undefined, flag: string): string | undefined {
  if (value !== undefined && value.trim() === "") throw new LogsUsageError(`${flag} needs a value`);
  return value;
}

function nonEmptyEnv(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
