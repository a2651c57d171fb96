/**
 * CloudWatch Logs filter patterns for our JSON lines, so FilterLogEvents drops unwanted events on the
 * server (they are neither transferred nor paged through).
 *
 * Only the level needs a pattern: the service is the log group, the time window is startTime/endTime.
 * Syntax (JSON filter patterns): `{ ($.level = "ERROR") || ($.level = "FATAL") }`; string values are
 * matched exactly, hence one clause per level rather than a comparison.
 */

import { type LogLevel, levelsAtOrAbove } from "./logLevels.js";

/** The pattern for `--level <min>`; undefined (no filtering) without one. */
export function buildFilterPattern(minLevel: LogLevel | undefined): string | undefined {
  if (minLevel === undefined) return undefined;
  const clauses = levelsAtOrAbove(minLevel).map((level) => `($.level = "${level}")`);
  return `{ ${clauses.join(" || ")} }`;
}
