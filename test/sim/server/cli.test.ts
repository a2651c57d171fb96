/**
 * The CLI as a process: exactly one JSON line on stdout when ready, funding and agents from flags, exit 2
 * with a message on bad flags, and a clean exit (code 0, without `process.exit`) on SIGTERM and SIGINT.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

import { afterEach, describe, expect, it } from "vitest";

import { MASTER, AGENT } from "../gateway/testkit.js";
import { parseAgentFlag, parseCliArgs, parseFundFlag, CliUsageError } from "./cli-args.js";
import { WsProbe, postJson, roundTrip } from "./testkit.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
}

const running: Running[] = [];

function runCli(args: readonly string[]): Running {
  const child = spawn(process.execPath, ["--import", "tsx", "test/sim/cli.ts", ...args], { cwd: ROOT });
  const run: Running = { child, stdout: "", stderr: "" };
  child.stdout.on("data", (chunk: Buffer) => (run.stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (run.stderr += chunk.toString()));
  running.push(run);
  return run;
}

async function listening(
  run: Running,
  timeoutMs = 20_000,
): Promise<{ info: string; exchange: string; ws: string }> {
  const deadline = Date.now() + timeoutMs;
  while (!run.stdout.includes("\n")) {
    if (run.child.exitCode !== null) throw new Error(`cli exited ${run.child.exitCode}: ${run.stderr}`);
    if (Date.now() > deadline) throw new Error(`cli not listening after ${timeoutMs} ms: ${run.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return JSON.parse(run.stdout.split("\n")[0] ?? "") as { info: string; exchange: string; ws: string };
}

async function exitOf(run: Running, timeoutMs = 10_000): Promise<number | null> {
  if (run.child.exitCode !== null) return run.child.exitCode;
  const timer = setTimeout(() => run.child.kill("SIGKILL"), timeoutMs);
  const [code] = (await once(run.child, "exit")) as [number | null];
  clearTimeout(timer);
  return code;
}

afterEach(() => {
  for (const run of running.splice(0)) if (run.child.exitCode === null) run.child.kill("SIGKILL");
});

describe("sim CLI", () => {
  it("prints exactly one listening line, serves, and exits 0 on SIGTERM", async () => {
    const run = runCli([
      "--port",
      "0",
      "--seed",
      "3",
      "--fund",
      `${MASTER.address}:USDC=1000,HYPE=2`,
      "--agent",
      `${MASTER.address}:${AGENT.address}`,
    ]);
    const urls = await listening(run);
    const port = new URL(urls.info).port;
    expect(JSON.parse(run.stdout.split("\n")[0] ?? "")).toEqual({
      event: "listening",
      info: `http://127.0.0.1:${port}/info`,
      exchange: `http://127.0.0.1:${port}/exchange`,
      ws: `ws://127.0.0.1:${port}/ws`,
    });

    const spot = JSON.parse(
      (await postJson(urls.info, { type: "spotClearinghouseState", user: MASTER.address })).text,
    ) as {
      balances: { coin: string; total: string }[];
    };
    expect(spot.balances.map((b) => [b.coin, b.total])).toEqual([
      ["USDC", "1000"],
      ["HYPE", "2"],
    ]);
    const role = JSON.parse((await postJson(urls.info, { type: "userRole", user: AGENT.address })).text) as {
      role: string;
    };
    expect(role.role).toBe("agent");

    const ws = await WsProbe.connect(urls.ws);
    ws.subscribe({ type: "l2Book", coin: "HYPE", fast: true });
    await ws.channel("l2Book");
    await roundTrip(ws);

    run.child.kill("SIGTERM");
    expect(await exitOf(run)).toBe(0);
    await ws.whenClosed();
    expect(run.stdout.split("\n").filter((line) => line !== "")).toHaveLength(1);
    expect(run.stderr).toContain('"event":"stopped"');
  });

  it("exits 0 on SIGINT too", async () => {
    const run = runCli(["--port", "0", "--rate", "stress"]);
    await listening(run);
    run.child.kill("SIGINT");
    expect(await exitOf(run)).toBe(0);
  });

  it("exits 2 with a message on bad flags", async () => {
    const badFlags = [
      ["--rate", "warp"],
      ["--port", "http"],
      ["--bogus"],
      ["--fund", "0x12:USDC=1"],
      ["--rate", "replay"],
    ];
    const runs = badFlags.map((args) => runCli(args));
    const codes = await Promise.all(runs.map((run) => exitOf(run)));
    expect(codes).toEqual(badFlags.map(() => 2));
    for (const run of runs) {
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^sim: /);
      expect(run.stderr).toContain("usage:");
    }
  });

  it("exits 2 when the port is taken", async () => {
    const first = runCli(["--port", "0"]);
    const { info } = await listening(first);
    const second = runCli(["--port", new URL(info).port]);
    expect(await exitOf(second)).toBe(2);
    expect(second.stdout).toBe("");
    expect(second.stderr).toContain("cannot listen");
  });
});

describe("flag parsing", () => {
  it("turns flags into simulator options", () => {
    expect(
      parseCliArgs([
        "--port",
        "8080",
        "--seed",
        "9",
        "--rate",
        "stress",
        "--block-ms",
        "50",
        "--idle-timeout-ms",
        "0",
        "--start-time",
        "1767225600000",
      ]),
    ).toEqual({
      kind: "run",
      options: {
        port: 8080,
        seed: 9,
        rate: "stress",
        startTimeMs: 1767225600000,
        cadence: { blockMs: 50 },
        idleTimeoutMs: 0,
        fund: [],
        agents: [],
      },
    });
    expect(parseCliArgs(["--help"])).toEqual({ kind: "help" });
  });

  it("parses --fund and --agent, and refuses malformed ones", () => {
    const address = `0x${"ab".repeat(20)}`;
    expect(parseFundFlag(`${address}:USDC=1000.5,HYPE=10`)).toEqual({ address, USDC: "1000.5", HYPE: "10" });
    expect(parseAgentFlag(`${address}:${MASTER.address}`)).toEqual({
      master: address,
      agent: MASTER.address,
    });
    for (const bad of [
      address,
      `${address}:USDC`,
      `${address}:USDC=-1`,
      `${address}:USDC=1e3`,
      "0x1:USDC=1",
    ]) {
      expect(() => parseFundFlag(bad)).toThrow(CliUsageError);
    }
    expect(() => parseAgentFlag(address)).toThrow(CliUsageError);
  });
});
