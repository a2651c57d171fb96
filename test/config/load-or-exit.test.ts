/**
 * `loadConfigOrExit` in a real process: a bad configuration prints every problem to stderr and exits 2;
 * a good one returns the configuration.
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const LOADER = pathToFileURL(join(REPO, "hotpath/config/load.ts")).href;

function runEntry(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "hlb-exit-"));
  const script = join(dir, "entry.ts");
  writeFileSync(
    script,
    `import { loadConfigOrExit } from ${JSON.stringify(LOADER)};\n` +
      `const config = loadConfigOrExit({ argv: [] });\n` +
      `process.stdout.write("mode=" + config.mode + "\\n");\n`,
  );
  const childEnv: Record<string, string> = { PATH: process.env["PATH"] ?? "", ...env };
  try {
    return spawnSync(process.execPath, ["--import", "tsx", script], {
      cwd: REPO,
      env: childEnv,
      encoding: "utf8",
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("loadConfigOrExit", () => {
  it("exits with status 2 and lists the problems on stderr", () => {
    const key = "9a".repeat(32);
    const result = runEntry({ HLB_MODE: "live", HLB_CLIP_SIZE: "-1", HLB_AGENT_KEY_ENV: key });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("hlbasis: invalid configuration (3 problems):");
    expect(result.stderr).toContain("strategy.clipSize [env HLB_CLIP_SIZE]");
    expect(result.stderr).toContain("HLB_LIVE_CONFIRM=I_UNDERSTAND");
    expect(result.stderr).not.toContain(key);
  });

  it("returns the configuration when it is valid", () => {
    const result = runEntry({ HLB_MODE: "paper" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("mode=paper\n");
  });
});
