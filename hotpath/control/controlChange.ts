/**
 * `ControlChange`: the record of one accepted control call, handed to the host's `onChange` callback after
 * the change took effect. The persistence pipeline ships these to the `control_changes` table
 * (`lambdas/db/migrations/0002_trading-lineage.sql`); `controlChangeColumns` is the exact mapping onto its
 * columns, so the shipper and the writer cannot disagree about what goes where.
 *
 * `before` and `after` hold only what the action touches (pause: `paused`, `pausedReason`; kill: `killed`,
 * `flattenOnKill`; settings: the patched settings), as read from the target before and after the call: the
 * record says what happened, not what was asked.
 */

export type ControlAction = "pause" | "resume" | "kill" | "settings";

/** A flat JSON object of the values an action touches. Settings are decimal strings, never numbers. */
export type ControlValues = Readonly<Record<string, string | boolean | null>>;

export interface ControlChange {
  /**
   * Unique per change (a random UUID). The table's identity key cannot tell a redelivered message from a
   * new change; this can.
   */
  readonly changeId: string;
  /** When the change took effect: ISO-8601 UTC, ms precision (`changed_at`). */
  readonly changedAt: string;
  /** `control`. */
  readonly action: ControlAction;
  /** The caller's remote address as the socket reports it, or `unknown` on the JS fallback build. */
  readonly source: string;
  /** `old_value`, as JSON. */
  readonly before: ControlValues;
  /** `new_value`, as JSON. */
  readonly after: ControlValues;
  /** What the operator gave as `reason`; null when none (`reason`). */
  readonly reason: string | null;
}

/** `actor` = this prefix + the source address: one token means one role; the address tells callers apart. */
export const CONTROL_ACTOR_PREFIX = "control-api@";

/** One `control_changes` row (column name → value); `change_id` is the table's own identity. */
export interface ControlChangeColumns {
  readonly changed_at: string;
  readonly actor: string;
  readonly control: ControlAction;
  readonly old_value: string;
  readonly new_value: string;
  readonly reason: string | null;
}

export function controlChangeColumns(change: ControlChange): ControlChangeColumns {
  return {
    changed_at: change.changedAt,
    actor: `${CONTROL_ACTOR_PREFIX}${change.source}`,
    control: change.action,
    old_value: JSON.stringify(change.before),
    new_value: JSON.stringify(change.after),
    reason: change.reason,
  };
}
