/**
 * `--since`: a duration back from now (`90s`, `10m`, `2h`, `7d`) or an ISO-8601 time with a zone
 * (`2026-03-01T12:00:00Z`, `2026-03-01T21:00+09:00`) or a bare date (`2026-03-01`, midnight UTC).
 *
 * A time without a zone is refused rather than guessed: `Date.parse` would read it in the machine's zone,
 * and an operator comparing CloudWatch (UTC) with a laptop's clock would silently miss hours of events.
 */

export class SinceFormatError extends Error {
  override readonly name = "SinceFormatError";
}

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION = /^(\d{1,9})([smhdw])$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** The instant (epoch ms) `text` names, relative to `nowMs` for durations. */
export function parseSince(text: string, nowMs: number): number {
  const trimmed = text.trim();
  const duration = DURATION.exec(trimmed);
  if (duration !== null) {
    const [, amount, unit] = duration;
    return nowMs - Number(amount) * (UNIT_MS[unit ?? ""] ?? Number.NaN);
  }
  if (DATE_ONLY.test(trimmed) || DATE_TIME_WITH_ZONE.test(trimmed)) {
    const parsed = Date.parse(DATE_ONLY.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed);
    if (Number.isFinite(parsed)) return parsed;
  }
  throw new SinceFormatError(
    `--since expects a duration like 10m, 2h, 7d or an ISO time with a zone like 2026-03-01T12:00:00Z, got "${text}"` +
      (/^\d{4}-\d{2}-\d{2}T/.test(trimmed) ? " (add Z or an offset such as +09:00)" : ""),
  );
}
