/**
 * `npm run logs -- --local` end to end: the CLI as a process over a real file — the filters, `--json`, the
 * exit statuses, and `--follow` printing lines appended after it started (including a line that arrives in
 * two writes, and a file truncated or replaced by a new run).
 */

import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, afterEach, describe, expect, it } from "vitest";

import { waitFor } from "../local/waitFor.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "hlbasis-logs-"));

interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
}
const running: Running[] = [];

function runCli(args: readonly string[]): Running {
  const child = spawn(process.execPath, ["--import", "tsx", "infra/logs/cli.ts", ...args], { cwd: ROOT });
  const run: Running = { child, stdout: "", stderr: "" };
  child.stdout.on("data", (chunk: Buffer) => (run.stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (run.stderr += chunk.toString()));
  running.push(run);
  return run;
}

async function exitOf(run: Running, timeoutMs = 20_000): Promise<number | null> {
  if (run.child.exitCode !== null) return run.child.exitCode;
  const timer = setTimeout(() => run.child.kill("SIGKILL"), timeoutMs);
  const [code] = (await once(run.child, "exit")) as [number | null];
  clearTimeout(timer);
  return code;
}

async function runToEnd(
  args: readonly string[],
): Promise<{ code: number | null; lines: string[]; stderr: string }> {
  const run = runCli(args);
  const code = await exitOf(run);
  return { code, lines: run.stdout.split("\n").filter((line) => line !== ""), stderr: run.stderr };
}

function line(time: string, level: string, service: string, message: string, extra: object = {}): string {
  return JSON.stringify({ level, time, service, ...extra, message });
}

const RECENT = new Date(Date.now() - 60_000).toISOString();
const LINES = [
  line("2026-01-01T00:00:00.000Z", "INFO", "hotpath", "hot path started", { mode: "sim" }),
  line("2026-01-01T00:00:01.000Z", "ERROR", "edge-writer", "insert failed", { requestId: "r1" }),
  "this line is not JSON",
  line("2026-01-01T00:00:02.000Z", "WARN", "local-system", "slow poll"),
  line(RECENT, "FATAL", "rebalancer", "master key missing"),
];
const file = join(dir, "local.jsonl");
writeFileSync(file, `${LINES.join("\n")}\n`);

afterEach(() => {
  for (const run of running.splice(0)) if (run.child.exitCode === null) run.child.kill("SIGKILL");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm run logs -- --local", () => {
  it("prints every event readably, in file order", async () => {
    const { code, lines } = await runToEnd(["--local", "--file", file]);
    expect(code).toBe(0);
    expect(lines).toEqual([
      "2026-01-01T00:00:00.000Z INFO  hotpath       hot path started  mode=sim",
      "2026-01-01T00:00:01.000Z ERROR edge-writer   insert failed  requestId=r1",
      `${"-".padEnd(24)} -     ${"-".padEnd(13)} this line is not JSON`,
      "2026-01-01T00:00:02.000Z WARN  local-system  slow poll",
      `${RECENT} FATAL rebalancer    master key missing`,
    ]);
  });

  it("applies --service, --level and --since together, and --json prints the lines as logged", async () => {
    const byLevel = await runToEnd(["--local", "--file", file, "--level", "warn", "--json"]);
    expect(byLevel.lines).toEqual([LINES[1], LINES[3], LINES[4]]);

    const byService = await runToEnd([
      "--local",
      "--file",
      file,
      "--service",
      "edge-writer,local-system",
      "--json",
    ]);
    expect(byService.lines).toEqual([LINES[1], LINES[3]]);

    const bySince = await runToEnd(["--local", "--file", file, "--since", "10m", "--json"]);
    expect(bySince.lines).toEqual([LINES[4]]);

    const all = await runToEnd([
      "--local",
      "--file",
      file,
      "--since",
      "2026-01-01T00:00:01Z",
      "--level",
      "error",
      "--json",
    ]);
    expect(all.lines).toEqual([LINES[1], LINES[4]]);
  });

  it("exits 2 with the usage on bad flags, 1 when the file does not exist", async () => {
    const bad = await runToEnd(["--local", "--file", file, "--level", "loud"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--level expects one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL, got "loud"');
    expect(bad.stderr).toContain("usage: npm run logs");
    expect(bad.lines).toEqual([]);

    const missing = await runToEnd(["--local", "--file", join(dir, "nope.jsonl")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no log file at ${join(dir, "nope.jsonl")}`);
  });

  it("--follow prints appended lines as they arrive, and stops cleanly on SIGINT", async () => {
    const followed = join(dir, "followed.jsonl");
    writeFileSync(followed, `${line(RECENT, "INFO", "hotpath", "before start")}\n`);
    const run = runCli(["--local", "--file", followed, "--follow", "--level", "info"]);
    await waitFor("the existing line", () => run.stdout.includes("before start"), { timeoutMs: 20_000 });

    appendFileSync(followed, `${line(RECENT, "DEBUG", "hotpath", "too low to show")}\n`);
    appendFileSync(followed, `${line(RECENT, "ERROR", "edge-writer", "appended one")}\n`);
    await waitFor("the appended line", () => run.stdout.includes("appended one"));

    // A line written in two parts (pino writes asynchronously) is printed once, whole.
    const split = line(RECENT, "WARN", "trade-writer", "written in two parts", { part: "both" });
    appendFileSync(followed, split.slice(0, 20));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(run.stdout).not.toContain("written in two parts");
    appendFileSync(followed, `${split.slice(20)}\n`);
    await waitFor("the completed line", () => run.stdout.includes("written in two parts  part=both"));

    // A new `npm start` run truncates the file: reading starts again from its beginning.
    writeFileSync(followed, `${line(RECENT, "INFO", "hotpath", "new run")}\n`);
    await waitFor("the new run's line", () => run.stdout.includes("new run"));

    // A file replaced by another (renamed over it, longer than the read position): read from its start.
    const replacement = `${followed}.next`;
    writeFileSync(
      replacement,
      [1, 2, 3].map((n) => line(RECENT, "INFO", "hotpath", `replaced ${n}`)).join("\n") + "\n",
    );
    renameSync(replacement, followed);
    await waitFor("the replacement's lines", () => run.stdout.includes("replaced 3"));

    run.child.kill("SIGINT");
    expect(await exitOf(run)).toBe(0);
    const messages = run.stdout
      .split("\n")
      .filter((text) => text !== "")
      .map((text) => text.slice(45)); // after the time, level and service columns
    expect(messages).toEqual([
      "before start",
      "appended one",
      "written in two parts  part=both",
      "new run",
      "replaced 1",
      "replaced 2",
      "replaced 3",
    ]);
  });

  it("--follow waits for a file that does not exist yet", async () => {
    const later = join(dir, "later.jsonl");
    const run = runCli(["--local", "--file", later, "--follow"]);
    await waitFor("the waiting note", () => run.stderr.includes(`waiting for ${later}`), {
      timeoutMs: 20_000,
    });
    writeFileSync(later, `${line(RECENT, "INFO", "hotpath", "finally")}\n`);
    await waitFor("the first line", () => run.stdout.includes("finally"));
    run.child.kill("SIGTERM");
    expect(await exitOf(run)).toBe(0);
  });
});
