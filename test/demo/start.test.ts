/**
 * `npm start` must show the system working, not pretend: run the real command for a few seconds with
 * `--json-summary` and check what its summary claims against what can fail — every edge the hot path
 * detected went through SQS and the edge-writer into Postgres, none dropped, no Lambda record failed; the
 * bot traded on the simulator and every fill it applied went through the FIFO trades queue and the
 * trade-writer into Postgres once, with its lineage; and the PnL the views compute from those rows is the
 * bot's, to the digit.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("npm start (the whole system offline)", () => {
  it("persists every edge and every fill through SQS and the writers into Postgres, PnL equal, then exits cleanly", () => {
    // One basis shock a second on average, so that the bot trades within the run.
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "test/demo/start.ts",
        ...["--duration", "15", "--json-summary", "--port", "0", "--shocks-per-hour", "3600"],
      ],
      { cwd: ROOT, encoding: "utf8", timeout: 150_000 },
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
    expect(summary["intents"]).toBeGreaterThan(0);
    expect(summary["fills"]).toBeGreaterThan(0);
    expect(summary["fills_persisted"]).toBe(summary["fills"]);
    expect(summary["pnl_usdc"]).toMatch(/^-?\d+(\.\d+)?$/);
    expect(summary["pnl_usdc_db"]).toBe(summary["pnl_usdc"]);
    expect(summary["pnl_match"]).toBe(true);
    expect(summary["trade_events_dropped"]).toBe(0);
    expect(summary["trade_events_sent"]).toBe(summary["trade_events_shipped"]);
    expect(summary).toHaveProperty("exposure_hype");
  }, 150_000);
});
