/**
 * How an event is printed: one line per event, whatever the event holds.
 *
 * Readable: `2026-03-01T12:00:00.123Z ERROR edge-writer  insert failed  requestId=ab12 err={"type":"Error",…}`
 * — time, level, service, message, then the remaining fields as `key=value` (values that are not plain
 * words as compact JSON). `--json`: the line exactly as it was logged, for `jq`.
 */

import type { LogRecord } from "./logRecord.js";

/** Wide enough for every service name we run (`trade-writer`, `hlbasis-local`), so columns line up. */
const SERVICE_COLUMN = 13;
const PLAIN_VALUE = /^[^\s"=\\]+$/;

export function formatRecord(record: LogRecord, json: boolean): string {
  if (json) return record.raw;
  const time = record.timeMs === undefined ? "-".padEnd(24) : new Date(record.timeMs).toISOString();
  const level = (record.level ?? "-").padEnd(5);
  const service = (record.service ?? "-").padEnd(SERVICE_COLUMN);
  const fields = formatFields(record.fields);
  return `${time} ${level} ${service} ${oneLine(record.message)}${fields === "" ? "" : `  ${fields}`}`;
}

export function formatFields(fields: Readonly<Record<string, unknown>>): string {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`)
    .join(" ");
}

function formatValue(value: unknown): string {
  if (typeof value === "string" && value !== "" && PLAIN_VALUE.test(value)) return value;
  return JSON.stringify(value) ?? String(value);
}

/** Messages with line breaks (a stack trace as message) must not break the one-line-per-event rule. */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, "\\n");
}

/** A Logs Insights result row (`[{ field, value }]`), `@ptr` (an opaque handle) left out. */
export function formatQueryRow(
  row: readonly { readonly field?: string | undefined; readonly value?: string | undefined }[],
  json: boolean,
): string {
  const cells = row.filter((cell) => cell.field !== undefined && cell.field !== "@ptr");
  if (json) {
    return JSON.stringify(Object.fromEntries(cells.map((cell) => [cell.field, cell.value ?? null])));
  }
  return cells.map((cell) => `${cell.field ?? ""}=${formatValue(oneLine(cell.value ?? ""))}`).join(" ");
}
