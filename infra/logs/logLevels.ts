/**
 * Log levels as the loggers write them (`hotpath/observability/logger.ts`: pino labels, upper-case) and their
 * order, for "this level or worse" filters.
 */

export const LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];

/** pino's numeric levels, for lines written by a logger without the label formatter. */
const PINO_NUMERIC_LEVELS: Readonly<Record<number, LogLevel>> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

/** `error`, `ERROR`, `Error` → `ERROR`; anything else → undefined. */
export function parseLogLevel(text: string): LogLevel | undefined {
  const upper = text.trim().toUpperCase();
  return (LOG_LEVELS as readonly string[]).includes(upper) ? (upper as LogLevel) : undefined;
}

/** A level as found in a log line: a label in any case, or pino's number. */
export function levelOfLineValue(value: unknown): LogLevel | undefined {
  if (typeof value === "string") return parseLogLevel(value);
  if (typeof value === "number") return PINO_NUMERIC_LEVELS[value];
  return undefined;
}

export function levelRank(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level);
}

/** The levels a `--level <min>` filter lets through, lowest first. */
export function levelsAtOrAbove(min: LogLevel): readonly LogLevel[] {
  return LOG_LEVELS.slice(levelRank(min));
}
