/**
 * Control request bodies → commands, or a `ControlRequestError` listing every problem (the API answers 400).
 * This layer checks what is wrong whatever the state: JSON shape, unknown fields, types, and each setting
 * against the same per-field rule the process configuration validates it with at start-up (taken from the
 * config schema itself, so the two cannot drift). Rules that depend on the current state — a threshold
 * against the other one, a clip against the risk limit, resume after a kill — are the target's (409).
 *
 * Bodies (an empty body counts as `{}`; every body may carry `reason`, a note for the audit trail):
 * - pause: `{"reason": "…"}` (required);
 * - resume: `{}`;
 * - kill: `{"flatten": true | false}` (required: flattening is never implied);
 * - settings: one or more of `openThresholdBps`, `closeThresholdBps`, `clipSize`, `maxSlippageBps`.
 */

import { RawConfigSchema } from "../config/schema.js";
import type { ControlAction } from "./controlChange.js";
import {
  RUNTIME_SETTING_NAMES,
  type RuntimeSettingName,
  type RuntimeSettingsPatch,
} from "./controlTarget.js";

export const MAX_REASON_LENGTH = 500;

export type ControlCommand =
  | { readonly action: "pause"; readonly reason: string }
  | { readonly action: "resume"; readonly reason: string | null }
  | { readonly action: "kill"; readonly flatten: boolean; readonly reason: string | null }
  | { readonly action: "settings"; readonly patch: RuntimeSettingsPatch; readonly reason: string | null };

export interface RequestProblem {
  /** The body field at fault; absent when the body as a whole is (not JSON, not an object). */
  readonly field?: string;
  readonly reason: string;
}

export class ControlRequestError extends Error {
  override readonly name = "ControlRequestError";
  constructor(readonly problems: readonly [RequestProblem, ...RequestProblem[]]) {
    super(problems.map((p) => (p.field === undefined ? p.reason : `${p.field}: ${p.reason}`)).join("; "));
  }
}

const STRATEGY_FIELDS = RawConfigSchema.shape.strategy.unwrap().shape;

/** Each runtime setting's start-up rule (e.g. `openThresholdBps`: a decimal string > 0). */
const SETTING_RULES: Readonly<Record<RuntimeSettingName, (typeof STRATEGY_FIELDS)[RuntimeSettingName]>> = {
  openThresholdBps: STRATEGY_FIELDS.openThresholdBps,
  closeThresholdBps: STRATEGY_FIELDS.closeThresholdBps,
  clipSize: STRATEGY_FIELDS.clipSize,
  maxSlippageBps: STRATEGY_FIELDS.maxSlippageBps,
};

/** Every config name, top level and one level down (`mode`, `maxClip`, `agentKey`, …): restart only. */
const RESTART_ONLY = new Set<string>(
  Object.entries(RawConfigSchema.shape).flatMap(([name, schema]) => {
    const inner: unknown = "unwrap" in schema ? schema.unwrap() : schema;
    const shape = typeof inner === "object" && inner !== null && "shape" in inner ? inner.shape : {};
    return [name, ...Object.keys(shape as object)];
  }),
);

const ALLOWED_FIELDS: Readonly<Record<ControlAction, readonly string[]>> = {
  pause: ["reason"],
  resume: ["reason"],
  kill: ["flatten", "reason"],
  settings: [...RUNTIME_SETTING_NAMES, "reason"],
};

/** Field names are caller text; keep what is echoed back and logged short. */
function shown(field: string): string {
  return field.length <= 64 ? field : `${field.slice(0, 64)}…`;
}

function whyNotAccepted(field: string): string {
  if ((RUNTIME_SETTING_NAMES as readonly string[]).includes(field)) {
    return "a runtime setting: send it to POST /control/settings";
  }
  if (RESTART_ONLY.has(field)) return "cannot change at runtime (restart with a new configuration)";
  return "unknown field";
}

function decodeObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    // The parser's message quotes the body; it is not repeated (the body could hold anything).
    throw new ControlRequestError([{ reason: "the body is not valid JSON" }]);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ControlRequestError([{ reason: "the body must be a JSON object" }]);
  }
  return value as Record<string, unknown>;
}

export function parseControlBody(action: ControlAction, body: Buffer): ControlCommand {
  const fields = decodeObject(body);
  const problems: RequestProblem[] = [];
  const allowed = ALLOWED_FIELDS[action];
  for (const field of Object.keys(fields)) {
    if (!allowed.includes(field)) {
      problems.push({
        field: shown(field),
        reason: `${whyNotAccepted(field)}; ${action} accepts: ${allowed.join(", ")}`,
      });
    }
  }

  const reason = readReason(fields["reason"], action === "pause", problems);
  let command: ControlCommand | undefined;
  switch (action) {
    case "pause":
      command = reason === null ? undefined : { action, reason };
      break;
    case "resume":
      command = { action, reason };
      break;
    case "kill": {
      const flatten = fields["flatten"];
      if (typeof flatten === "boolean") command = { action, flatten, reason };
      else {
        problems.push({
          field: "flatten",
          reason: "required: true (also close both legs of every position) or false (cancel and stop only)",
        });
      }
      break;
    }
    case "settings":
      command = { action, patch: readPatch(fields, problems), reason };
      break;
  }
  const [first, ...rest] = problems;
  if (first !== undefined) throw new ControlRequestError([first, ...rest]);
  if (command === undefined) throw new Error(`unreachable: ${action} parsed without a command`);
  return command;
}

function readReason(value: unknown, required: boolean, problems: RequestProblem[]): string | null {
  if (value === undefined) {
    if (required) {
      problems.push({
        field: "reason",
        reason: "required: why (shown while paused, kept in the audit trail)",
      });
    }
    return null;
  }
  const text = typeof value === "string" ? value.trim() : "";
  if (text === "" || text.length > MAX_REASON_LENGTH) {
    problems.push({
      field: "reason",
      reason: `a non-empty string of at most ${MAX_REASON_LENGTH} characters`,
    });
    return null;
  }
  return text;
}

function readPatch(fields: Record<string, unknown>, problems: RequestProblem[]): RuntimeSettingsPatch {
  const patch: Partial<Record<RuntimeSettingName, string>> = {};
  for (const name of RUNTIME_SETTING_NAMES) {
    // Absent: left alone (the config rule would turn `undefined` into its default).
    const value = fields[name];
    if (value === undefined) continue;
    const checked = SETTING_RULES[name].safeParse(value);
    if (checked.success) patch[name] = checked.data;
    else problems.push({ field: name, reason: checked.error.issues[0]?.message ?? "a decimal string" });
  }
  if (Object.keys(patch).length === 0 && problems.length === 0) {
    problems.push({ reason: `nothing to change: give one or more of ${RUNTIME_SETTING_NAMES.join(", ")}` });
  }
  return patch;
}
