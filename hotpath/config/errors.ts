/**
 * `ConfigError`: every problem with the configuration at once, each as
 * `<field path> [<where it came from>]: <what is expected> (got <value>)`.
 *
 * The value shown is redacted: anything under `secretSources` or a secret-named field is never printed,
 * key-shaped hex (64 digits) is masked wherever it appears, URL passwords are masked, long values are cut.
 */

import { SECRET_FIELD_NAMES } from "../observability/redact-paths.js";
import { REDACTED, maskKeyShapedHex, maskUrlCredentials } from "../observability/redact.js";

export interface ConfigProblem {
  /** Dotted field path (`risk.maxClip`, `coins[1]`), or the variable/flag name for problems outside the schema. */
  readonly path: string;
  /** `env HLB_RISK_MAX_CLIP`, `file /etc/hlbasis.json`, or null when the value is a default or absent. */
  readonly origin: string | null;
  readonly expected: string;
  /** The offending value, already redacted; null when there is nothing useful to show. */
  readonly got: string | null;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";

  constructor(readonly problems: readonly ConfigProblem[]) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(
      `invalid configuration (${count}):\n${problems.map((problem) => `  ${formatProblem(problem)}`).join("\n")}`,
    );
  }
}

export function formatProblem(problem: ConfigProblem): string {
  const origin = problem.origin === null ? "" : ` [${problem.origin}]`;
  const got = problem.got === null ? "" : ` (got ${problem.got})`;
  return `${problem.path}${origin}: ${problem.expected}${got}`;
}

/** `["risk","maxClip"]` → `risk.maxClip`; `["coins", 1]` → `coins[1]`; `[]` → `(root)`. */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += text === "" ? String(segment) : `.${String(segment)}`;
  }
  return text === "" ? "(root)" : text;
}

const SECRET_FIELDS = new Set<string>([...SECRET_FIELD_NAMES, "secretSources"]);
const MAX_SHOWN_LENGTH = 120;

/** How a value is shown after "got": JSON-ish, redacted, at most ~120 characters. */
export function describeConfigValue(value: unknown, path: readonly PropertyKey[]): string {
  if (value === undefined) return "nothing";
  if (path.some((segment) => typeof segment === "string" && SECRET_FIELDS.has(segment))) {
    return `${REDACTED} (secret-source values are never printed)`;
  }
  // Values come from JSON or the environment: never cyclic, never BigInt, so stringify cannot throw here.
  const text = JSON.stringify(value) ?? `<${typeof value}>`;
  const masked = maskKeyShapedHex(maskUrlCredentials(text));
  return masked.length > MAX_SHOWN_LENGTH ? `${masked.slice(0, MAX_SHOWN_LENGTH)}…` : masked;
}
