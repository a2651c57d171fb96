/**
 * Loads THE configuration: defaults, then the JSON file (if named), then `HLB_*` environment variables,
 * validated as one object. Every problem is collected into one `ConfigError` so a bad deployment is fixed
 * in one round, not one complaint at a time.
 *
 * `loadConfigOrExit()` is the entry point for processes: on a `ConfigError` it prints the problems to
 * stderr and exits with status 2 (the conventional "usage/configuration error"); any other failure is a bug
 * and propagates.
 */

import { resolve } from "node:path";

import { type ReadTextFile, locateConfigFile, readConfigFile, readUtf8File } from "./config-file.js";
import {
  type ConfigPath,
  type Environment,
  SECRET_SOURCE_ENV_GROUPS,
  SUGGESTED_MASTER_KEY_VAR,
  readEnvOverrides,
  unknownHlbVars,
} from "./env-vars.js";
import { type ConfigProblem, ConfigError, describeConfigValue, formatConfigPath } from "./errors.js";
import { type Config, ConfigSchema, LIVE_CONFIRMATION_EXPECTED, lacksLiveConfirmation } from "./schema.js";

export interface LoadConfigInput {
  /** Default `process.env`. */
  readonly env?: Environment;
  /** Command-line arguments after the script, default `process.argv.slice(2)`; only `--config` is read. */
  readonly argv?: readonly string[];
  /** Base for relative paths (config file, directories), default `process.cwd()`. */
  readonly cwd?: string;
  readonly readFile?: ReadTextFile;
}

/** Status `loadConfigOrExit` exits with on a configuration error. */
export const CONFIG_ERROR_EXIT_STATUS = 2;

export function loadConfig(input: LoadConfigInput = {}): Config {
  const env = input.env ?? process.env;
  const argv = input.argv ?? process.argv.slice(2);
  const cwd = input.cwd ?? process.cwd();
  const problems: ConfigProblem[] = [];

  const location = locateConfigFile(argv, env, cwd, problems);
  const fromFile =
    location === null ? {} : readConfigFile(location, input.readFile ?? readUtf8File, problems);

  const merged = structuredClone(fromFile);
  const envOrigins = new Map<string, string>();
  for (const override of readEnvOverrides(env)) {
    setAtPath(merged, override.path, override.value);
    envOrigins.set(formatConfigPath(override.path), override.origin);
  }

  for (const name of unknownHlbVars(env, secretValueVars(merged))) {
    problems.push({
      path: name,
      origin: "environment",
      expected: "no such setting (see .env.example for every HLB_* variable)",
      got: null,
    });
  }

  const originOf = (path: readonly PropertyKey[]): string | null => {
    for (let length = path.length; length > 0; length--) {
      const origin = envOrigins.get(formatConfigPath(path.slice(0, length)));
      if (origin !== undefined) return origin;
    }
    return location !== null && valueAtPath(fromFile, path) !== undefined ? `file ${location.path}` : null;
  };

  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(...problemsFromIssue(issue, merged, originOf));
    if (lacksLiveConfirmation(merged) && !problems.some((problem) => problem.path === "mode")) {
      problems.push({
        path: "mode",
        origin: originOf(["mode"]),
        expected: LIVE_CONFIRMATION_EXPECTED,
        got: '"live"',
      });
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);

  const config = parsed.data;
  const persistence = {
    ...config.persistence,
    journalDir: resolve(cwd, config.persistence.journalDir),
    spoolDir: resolve(cwd, config.persistence.spoolDir),
    nonceDir: resolve(cwd, config.persistence.nonceDir),
  };
  return deepFreeze({ ...config, persistence });
}

/** `loadConfig` for process entry points: a configuration error ends the process with status 2. */
export function loadConfigOrExit(input: LoadConfigInput = {}): Config {
  try {
    return loadConfig(input);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`hlbasis: ${error.message}\n`);
    process.exit(CONFIG_ERROR_EXIT_STATUS);
  }
}

/** Where a failed zod issue came from, what was expected and (redacted) what was there. */
function problemsFromIssue(
  issue: {
    readonly code: string;
    readonly path: readonly PropertyKey[];
    readonly message: string;
    readonly keys?: readonly string[];
  },
  merged: unknown,
  originOf: (path: readonly PropertyKey[]) => string | null,
): ConfigProblem[] {
  if (issue.code === "unrecognized_keys" && issue.keys !== undefined) {
    return issue.keys.map((key) => {
      const path = [...issue.path, key];
      return {
        path: formatConfigPath(path),
        origin: originOf(path),
        expected: "no such setting (check the spelling; unknown settings are refused, not ignored)",
        got: describeConfigValue(valueAtPath(merged, path), path),
      };
    });
  }
  return [
    {
      path: formatConfigPath(issue.path),
      origin: originOf(issue.path),
      expected: issue.message,
      got: describeConfigValue(valueAtPath(merged, issue.path), issue.path),
    },
  ];
}

/** Variables that hold secret values: allowed `HLB_*` names beyond the settings themselves. */
function secretValueVars(merged: Record<string, unknown>): Set<string> {
  const names = new Set<string>([SUGGESTED_MASTER_KEY_VAR]);
  for (const group of SECRET_SOURCE_ENV_GROUPS) {
    if (group.defaultValueVar !== null) names.add(group.defaultValueVar);
    const source = valueAtPath(merged, group.path);
    if (typeof source === "object" && source !== null && "env" in source && typeof source.env === "string") {
      names.add(source.env);
    }
  }
  return names;
}

function valueAtPath(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const segment of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

/**
 * Sets `value` at `path`, creating missing intermediate objects. If the file put a non-object where a
 * section belongs, the override is not applied: the schema then reports the file's value, which is the
 * thing to fix.
 */
function setAtPath(root: Record<string, unknown>, path: ConfigPath, value: unknown): void {
  let node = root;
  for (const segment of path.slice(0, -1)) {
    const child = node[segment];
    if (child === undefined) {
      const created: Record<string, unknown> = {};
      node[segment] = created;
      node = created;
    } else if (typeof child === "object" && child !== null && !Array.isArray(child)) {
      node = child as Record<string, unknown>;
    } else {
      return;
    }
  }
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
