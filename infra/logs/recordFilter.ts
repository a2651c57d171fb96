/**
 * The filters every source applies (`--service`, `--level`, `--since`), as one predicate, so a local file
 * and CloudWatch answer the same question the same way.
 */

import { type LogLevel, levelRank } from "./logLevels.js";
import type { LogRecord } from "./logRecord.js";

export interface RecordFilter {
  /** Keep only these services; undefined = every service. */
  readonly services?: ReadonlySet<string>;
  /** Keep this level and worse; a record of unknown level is dropped. */
  readonly minLevel?: LogLevel;
  /** Keep events at or after this instant (epoch ms); a record of unknown time is dropped. */
  readonly sinceMs?: number;
  /** Keep events before this instant (epoch ms). */
  readonly untilMs?: number;
}

export function matchesFilter(record: LogRecord, filter: RecordFilter): boolean {
  if (filter.services !== undefined) {
    if (record.service === undefined || !filter.services.has(record.service)) return false;
  }
  if (filter.minLevel !== undefined) {
    if (record.level === undefined || levelRank(record.level) < levelRank(filter.minLevel)) return false;
  }
  if (filter.sinceMs !== undefined || filter.untilMs !== undefined) {
    if (record.timeMs === undefined) return false;
    if (filter.sinceMs !== undefined && record.timeMs < filter.sinceMs) return false;
    if (filter.untilMs !== undefined && record.timeMs >= filter.untilMs) return false;
  }
  return true;
}
