/**
 * `npm start` must show the system working, not pretend: run the real demo process for a short duration
 * and check that each step it claims actually happened.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("npm start (offline demo)", () => {
  it("resolves the markets, trades both legs, transfers, and exits cleanly", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "test/demo/start.ts", "--duration", "1"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(/market {5}HYPE: perp asset 159 .* spot @107 → asset 10107/);
    expect(out).toMatch(/approve {4}agent approved by master: ok/);
    // Both IOC legs filled (two `filled` statuses on the order line's answer).
    expect(out.match(/"filled":\{"totalSz":"0\.\d+"/g)).toHaveLength(2);
    expect(out).toMatch(/fill {5}@107 buy .* fee [0-9.]+ HYPE/);
    expect(out).toMatch(/fill {5}HYPE sell .* fee [0-9.]+ USDC/);
    expect(out).toMatch(/transfer {3}100 USDC spot → perp by the master key: ok/);
    expect(out).toMatch(/stopped {4}0 undecodable frames/);
  }, 60_000);
});
