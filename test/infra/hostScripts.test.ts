/**
 * What runs on the hot-path host: the systemd unit, the user data around it, the CloudWatch agent config,
 * and the code bundle (run for real: the bundled hot path starts and exits 2 on a bad configuration).
 */

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { afterAll, describe, expect, it } from "vitest";

import { CONFIG_ERROR_EXIT_STATUS } from "../../hotpath/config/load.js";
import { LATENCY_STAGES } from "../../hotpath/execution/executionLatency.js";
import { REPO_ROOT } from "../../infra/hlbasisApp.js";
import { cloudWatchAgentConfig } from "../../infra/host/cloudWatchAgentConfig.js";
import { bundleHotpath, packageNameOf } from "../../infra/host/hotpathBundle.js";
import { hotpathSystemdUnit } from "../../infra/host/systemdUnit.js";
import { hostUserDataLines } from "../../infra/host/userData.js";
import { LATENCY_STAGE_FIELDS } from "../../infra/hotpathMetrics.js";
import { NO_RESTART_EXIT_STATUSES } from "../../infra/stacks/hostStack.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("hot-path systemd unit", () => {
  const unit = hotpathSystemdUnit({ noRestartExitStatuses: NO_RESTART_EXIT_STATUSES, cpus: [0, 1] });

  it("pins at launch and never restarts the deliberate exits (2 bad config, 3 reconciliation mismatch)", () => {
    expect(NO_RESTART_EXIT_STATUSES).toEqual([2, 3]);
    expect(unit).toMatch(/^CPUAffinity=0 1$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^RestartPreventExitStatus=2 3$/m);
    expect(unit).toMatch(/^StartLimitBurst=5$/m);
    expect(unit).toMatch(/^User=hlbasis$/m);
    expect(unit).toMatch(/^ExecStartPre=\+\/opt\/hlbasis\/bin\/fetch-hotpath-config$/m);
    expect(unit).toMatch(/^StandardOutput=append:\/var\/log\/hlbasis\/hotpath\.log$/m);
  });
});

describe("hot-path user data", () => {
  const lines = hostUserDataLines({
    region: "ap-northeast-1",
    architecture: "arm64",
    nodeMajor: 24,
    assetS3Url: "s3://bucket/key.zip",
    configParameterName: "/hlbasis/hotpath/config",
    logGroupName: "/hlbasis/hotpath",
    environment: { HLB_MODE: "paper", HLB_SQS_EDGE_QUEUE_URL: "https://sqs/q" },
    noRestartExitStatuses: [2, 3],
  });
  const script = lines.join("\n");

  it("installs the toolchain before npm ci, verifies Node's checksum, starts the unit last", () => {
    expect(lines[0]).toBe("set -euo pipefail");
    const toolchain = script.indexOf("python3 make g++");
    const npmCi = script.indexOf("npm ci --omit=dev");
    expect(toolchain).toBeGreaterThan(0);
    expect(npmCi).toBeGreaterThan(toolchain);
    expect(script).toContain("linux-arm64\\.tar\\.xz");
    expect(script).toContain("sha256sum -c -");
    expect(script).toContain("ubuntu/arm64/latest/amazon-cloudwatch-agent.deb");
    expect(lines.at(-1)).toBe("systemctl enable --now hlbasis-hotpath.service");
    expect(script).toContain("HLB_MODE=paper\nHLB_SQS_EDGE_QUEUE_URL=https://sqs/q\nHLB_EOF");
  });

  it("ships the log file to the hot path's group", () => {
    const config = JSON.parse(cloudWatchAgentConfig("/hlbasis/hotpath")) as {
      logs: { logs_collected: { files: { collect_list: { file_path: string; log_group_name: string }[] } } };
    };
    expect(config.logs.logs_collected.files.collect_list).toEqual([
      expect.objectContaining({
        file_path: "/var/log/hlbasis/hotpath.log",
        log_group_name: "/hlbasis/hotpath",
      }),
    ]);
  });
});

describe("hot-path code bundle", () => {
  it("names packages by their npm name", () => {
    expect(packageNameOf("@aws-sdk/client-sqs/dist")).toBe("@aws-sdk/client-sqs");
    expect(packageNameOf("pino/file")).toBe("pino");
  });

  it("bundles hotpath/main.ts with only runtime dependencies external, and the bundle runs", async () => {
    const out = mkdtempSync(join(tmpdir(), "hlbasis-hotpath-"));
    dirs.push(out);
    const packages = bundleHotpath({ repoRoot: REPO_ROOT, outputDir: out, nodeMajor: 20 });
    expect(packages).toContain("pino");
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
      devDependencies: Record<string, string>;
    };
    for (const name of packages) expect(Object.keys(manifest.devDependencies)).not.toContain(name);
    expect(readdirSync(out).sort()).toEqual([
      "hotpath.mjs",
      "hotpath.mjs.map",
      "package-lock.json",
      "package.json",
    ]);
    // As on the host: node_modules next to the bundle (here the repository's).
    symlinkSync(join(REPO_ROOT, "node_modules"), join(out, "node_modules"));
    const result = await promisify(execFile)(process.execPath, [join(out, "hotpath.mjs")], {
      env: { PATH: process.env["PATH"], HLB_MODE: "bogus" },
    }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(CONFIG_ERROR_EXIT_STATUS);
    expect(result.stderr).toContain('mode [env HLB_MODE]: one of "sim", "paper", "live"');
  });
});

describe("hot-path metrics contract", () => {
  it("names the latency stages the executor records", () => {
    expect([...LATENCY_STAGE_FIELDS]).toEqual([...LATENCY_STAGES]);
  });
});
