/**
 * One log event, read from a line the way our loggers write it (`hotpath/observability/logger.ts`):
 * `{"level":"INFO","time":"2026-…Z","service":"edge-writer",…,"message":"…"}`.
 *
 * Lines that are not such JSON (Lambda's plain platform lines, a half-written line) still become records:
 * the whole line is the message, and what the line cannot say (service, time) comes from where it was read
 * (the log group, CloudWatch's event timestamp). Their level stays unknown, so a level filter drops them,
 * as CloudWatch's `{ $.level = … }` pattern does.
 */

import { type LogLevel, levelOfLineValue } from "./logLevels.js";

export interface LogRecord {
  /** Epoch ms, when the line or its source says. */
  readonly timeMs: number | undefined;
  readonly level: LogLevel | undefined;
  readonly service: string | undefined;
  readonly message: string;
  /** Every other field of the line, in the line's order. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** The line as read (for `--json`). */
  readonly raw: string;
}

export interface LineContext {
  /** The service when the line does not name one (the log group's). */
  readonly service?: string;
  /** The event time when the line carries none (CloudWatch's `timestamp`). */
  readonly timestampMs?: number;
}

/** Keys shown in their own columns. `timestamp`/`msg`: Lambda's own JSON lines and pino's default key. */
const OWN_KEYS = new Set(["time", "timestamp", "level", "service", "message", "msg"]);

export function parseLogLine(line: string, context: LineContext = {}): LogRecord {
  const raw = line.replace(/\r?\n$/, "");
  const parsed = parseObject(raw);
  if (parsed === undefined) {
    return {
      timeMs: context.timestampMs,
      level: undefined,
      service: context.service,
      message: raw,
      fields: {},
      raw,
    };
  }
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) if (!OWN_KEYS.has(key)) fields[key] = value;
  const message = parsed["message"] ?? parsed["msg"];
  const service = parsed["service"];
  return {
    timeMs: timeOf(parsed["time"]) ?? timeOf(parsed["timestamp"]) ?? context.timestampMs,
    level: levelOfLineValue(parsed["level"]),
    service: typeof service === "string" && service !== "" ? service : context.service,
    message: typeof message === "string" ? message : message === undefined ? "" : JSON.stringify(message),
    fields,
    raw,
  };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** ISO text (our loggers) or epoch ms (pino's default `time`). */
function timeOf(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string") {
    const parsed = Date.parse(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}
