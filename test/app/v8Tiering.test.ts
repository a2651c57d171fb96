import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const moduleUrl = new URL("../../hotpath/app/v8Tiering.ts", import.meta.url);

/** Loads the module in a fresh process (it acts at load) and prints what it exports. */
function load(budget: string | undefined): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  if (budget === undefined) delete env["HLB_V8_INTERRUPT_BUDGET"];
  else env["HLB_V8_INTERRUPT_BUDGET"] = budget;
  const script = `import(${JSON.stringify(fileURLToPath(moduleUrl))}).then((m) => console.log(m.interruptBudget))`;
  const result = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { env, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
}

describe("V8 tiering of the hot path process", () => {
  it("lowers the interrupt budget to 4000 by default, to the configured value, or leaves V8's with 0", () => {
    expect(load(undefined)).toMatchObject({ status: 0, stdout: "4000" });
    expect(load("16000")).toMatchObject({ status: 0, stdout: "16000" });
    expect(load("0")).toMatchObject({ status: 0, stdout: "0" });
  });

  it("refuses a value that is not a whole number ≥ 0, naming the variable", () => {
    for (const bad of ["-1", "4k", "1.5"]) {
      const result = load(bad);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain(`HLB_V8_INTERRUPT_BUDGET must be a whole number ≥ 0`);
      expect(result.stderr).toContain(bad);
    }
  });
});
