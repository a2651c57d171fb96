/**
 * Finding and reading the optional JSON configuration file.
 *
 * The file is named by `--config <path>` (or `--config=<path>`) on the command line, else by
 * HLB_CONFIG_FILE; relative paths are resolved against the working directory. A file holds settings only:
 * anything shaped like a private key (64 hex digits) anywhere in it is an error, as is `liveConfirm`, which
 * must come from the environment of the run that means it.
 */

import { readFileSync } from "node:fs";
import { resolve } from "node:path";

import { CONFIG_FILE_VAR, type Environment } from "./env-vars.js";
import { type ConfigProblem, formatConfigPath } from "./errors.js";
import { looksLikePrivateKey } from "../observability/redact.js";

export interface ConfigFileLocation {
  readonly path: string;
  /** `--config` or `env HLB_CONFIG_FILE`. */
  readonly origin: string;
}

export type ReadTextFile = (path: string) => string;

export const readUtf8File: ReadTextFile = (path) => readFileSync(path, "utf8");

/** Where the file is, or null if none is named. Problems (a `--config` without a path) go to `problems`. */
export function locateConfigFile(
  argv: readonly string[],
  env: Environment,
  cwd: string,
  problems: ConfigProblem[],
): ConfigFileLocation | null {
  let fromArgv: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === "--config") {
      fromArgv = argv[index + 1];
      if (fromArgv === undefined || fromArgv.startsWith("--")) {
        problems.push({
          path: "--config",
          origin: "command line",
          expected: "a file path after --config",
          got: null,
        });
        return null;
      }
      index++;
    } else if (arg?.startsWith("--config=") === true) {
      fromArgv = arg.slice("--config=".length);
    }
  }
  if (fromArgv !== undefined && fromArgv !== "") return { path: resolve(cwd, fromArgv), origin: "--config" };
  const fromEnv = env[CONFIG_FILE_VAR];
  if (fromEnv !== undefined && fromEnv !== "") {
    return { path: resolve(cwd, fromEnv), origin: `env ${CONFIG_FILE_VAR}` };
  }
  return null;
}

/** The file's settings object, or `{}` with the reason appended to `problems`. */
export function readConfigFile(
  location: ConfigFileLocation,
  readTextFile: ReadTextFile,
  problems: ConfigProblem[],
): Record<string, unknown> {
  const problem = (expected: string): Record<string, unknown> => {
    problems.push({ path: location.path, origin: location.origin, expected, got: null });
    return {};
  };
  let text: string;
  try {
    text = readTextFile(location.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
    return problem(`a readable JSON configuration file (reading it failed: ${code})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // SyntaxError text quotes the surrounding input, which could be key material: print only its position.
    const position = error instanceof SyntaxError ? (/position \d+/.exec(error.message)?.[0] ?? "") : "";
    return problem(`valid JSON (parsing failed${position === "" ? "" : ` at ${position}`})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return problem("a JSON object of settings at the top level");
  }
  const settings = parsed as Record<string, unknown>;
  if ("liveConfirm" in settings) {
    problems.push({
      path: "liveConfirm",
      origin: `file ${location.path}`,
      expected: "no liveConfirm in a file: set HLB_LIVE_CONFIRM in the environment of the live run",
      got: null,
    });
    delete settings["liveConfirm"];
  }
  for (const path of keyShapedStringPaths(settings, [])) {
    problems.push({
      path: formatConfigPath(path),
      origin: `file ${location.path}`,
      expected:
        'no key material in a config file; name a source instead, e.g. {"env":"HLB_AGENT_PRIVATE_KEY"}',
      got: "[REDACTED] (64 hex digits)",
    });
  }
  return settings;
}

function keyShapedStringPaths(value: unknown, path: PropertyKey[]): PropertyKey[][] {
  if (typeof value === "string") return looksLikePrivateKey(value.trim()) ? [path] : [];
  if (Array.isArray(value))
    return value.flatMap((item, index) => keyShapedStringPaths(item, [...path, index]));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => keyShapedStringPaths(item, [...path, key]));
  }
  return [];
}
