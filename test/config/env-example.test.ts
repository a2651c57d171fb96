/**
 * `.env.example` is the documentation of the environment: it must list exactly the variables the loader
 * knows, and loading it verbatim must give the defaults.
 */

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import { knownSettingVarNames } from "../../hotpath/config/env-vars.js";
import { loadConfig } from "../../hotpath/config/load.js";

const EXAMPLE = fileURLToPath(new URL("../../.env.example", import.meta.url));
const SECRET_VALUE_VARS = ["HLB_AGENT_PRIVATE_KEY", "HLB_MASTER_PRIVATE_KEY", "HLB_CONTROL_TOKEN"];

function exampleAssignments(): Map<string, string> {
  const assignments = new Map<string, string>();
  for (const line of readFileSync(EXAMPLE, "utf8").split("\n")) {
    const match = /^(HLB_[A-Z0-9_]+)=(.*)$/.exec(line);
    if (match?.[1] !== undefined) assignments.set(match[1], match[2] ?? "");
  }
  return assignments;
}

describe(".env.example", () => {
  it("lists every HLB_* variable the loader knows, and nothing else", () => {
    const listed = [...exampleAssignments().keys()].sort();
    const known = [...new Set([...knownSettingVarNames(), ...SECRET_VALUE_VARS])].sort();
    expect(listed).toEqual(known);
  });

  it("holds no secret values", () => {
    for (const name of SECRET_VALUE_VARS) expect(exampleAssignments().get(name)).toBe("");
  });

  it("loads verbatim to the same configuration as an empty environment", () => {
    const env = Object.fromEntries(exampleAssignments());
    expect(loadConfig({ env, argv: [], cwd: "/srv" })).toEqual(
      loadConfig({ env: {}, argv: [], cwd: "/srv" }),
    );
  });
});
