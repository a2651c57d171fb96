/**
 * `npm start` must show the system working, not pretend: run the real command for a few seconds with
 * `--json-summary` and check what its summary claims against what can fail — every edge the hot path
 * detected went through SQS and the edge-writer into Postgres, none dropped, no Lambda record failed.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("npm start (the whole system offline)", () => {
  it("persists every detected edge through SQS and the edge-writer into Postgres, then exits cleanly", () => {
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", "test/demo/start.ts", "--duration", "4", "--json-summary", "--port", "0"],
      { cwd: ROOT, encoding: "utf8", timeout: 120_000 },
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(summary["edges_detected"]).toBeGreaterThan(0);
    expect(summary["edges_persisted"]).toBe(summary["edges_detected"]);
    expect(summary["edges_dropped"]).toBe(0);
    expect(summary["lambda_failed_records"]).toBe(0);
    expect(summary["sqs_requests"]).toBeGreaterThan(0);
    for (const key of ["intents", "fills_persisted", "pnl_usdc", "exposure_hype"])
      expect(summary).toHaveProperty(key);
  }, 120_000);
});
