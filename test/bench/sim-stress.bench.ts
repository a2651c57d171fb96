/**
 * Simulator stress benchmark: how many `l2Book` frames (HYPE, 20 levels) the simulator streams to one
 * client over loopback. Run: `npx tsx test/bench/sim-stress.bench.ts` (also `npm run bench -- sim-stress`).
 *
 * The simulator runs as its CLI in a child process (`--rate stress`), so server and client each have an
 * event loop (and, on a 2-core machine, a core). One `ws` client subscribes, warms up for `WARMUP_MS`, then
 * counts messages and bytes for `MEASURE_MS`. The client does the least it can per message (counts the
 * frame; no UTF-8 validation, no parse) so that it, not the simulator, is the likely limit; every
 * `SAMPLE_EVERY`-th frame is decoded with the bot's `decodeWsMessage` and checked (20 levels, uncrossed,
 * time increasing). CPU: the server's from /proc (user + system ticks over the window), the client's from
 * `process.cpuUsage`.
 *
 * Prints one JSON line: `{bench, msgs, wall_ms, msgs_per_s, mb_per_s, avg_frame_bytes, server_cpu_pct,
 * client_cpu_pct, sampled, uws_build, node}`.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import WebSocket from "ws";

import { decodeWsMessage } from "../../hotpath/exchange/wire/decode-ws.js";

const WARMUP_MS = 1000;
const MEASURE_MS = Number(process.env["SIM_BENCH_MS"] ?? 5000);
const SAMPLE_EVERY = 1000;
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLOCK_TICKS_PER_S = 100;

function cpuTicks(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ");
    return Number(fields?.[11]) + Number(fields?.[12]); // utime + stime
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/sim/cli.ts", "--port", "0", "--rate", "stress", "--seed", "1"],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  while (!stdout.includes("\n")) {
    if (child.exitCode !== null) throw new Error(`simulator exited ${child.exitCode}: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const { ws: url } = JSON.parse(stdout.split("\n")[0] ?? "") as { ws: string };
  const build = stderr
    .split("\n")
    .map((line) => (line.startsWith("{") ? (JSON.parse(line) as { event?: string; build?: string }) : {}))
    .find((event) => event.event === "uws")?.build;

  const client = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
  await new Promise((resolve, reject) => {
    client.once("open", resolve);
    client.once("error", reject);
  });
  let counting = false;
  let msgs = 0;
  let bytes = 0;
  let seen = 0;
  let sampled = 0;
  let lastSampleTime = 0;
  client.on("message", (data: Buffer) => {
    if (++seen % SAMPLE_EVERY === 1) {
      const result = decodeWsMessage(data.toString("utf8"));
      if (seen === 1 && result.ok && result.message.channel === "subscriptionResponse") return;
      if (!result.ok || result.message.channel !== "l2Book")
        throw new Error(`unexpected frame: ${data.toString().slice(0, 120)}`);
      const { time, levels } = result.message.data;
      if (levels[0].length !== 20 || levels[1].length !== 20) throw new Error("expected 20 levels a side");
      if (!(Number(levels[0][0]?.px) < Number(levels[1][0]?.px))) throw new Error("crossed book");
      if (time <= lastSampleTime) throw new Error("time went backwards");
      lastSampleTime = time;
      sampled++;
    }
    if (counting) {
      msgs++;
      bytes += data.length;
    }
  });
  client.send(JSON.stringify({ method: "subscribe", subscription: { type: "l2Book", coin: "HYPE" } }));
  await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));

  const serverTicks = child.pid === undefined ? undefined : cpuTicks(child.pid);
  const clientCpu = process.cpuUsage();
  const started = performance.now();
  counting = true;
  await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
  counting = false;
  const wallMs = performance.now() - started;
  const clientUsed = process.cpuUsage(clientCpu);
  const serverTicksAfter = child.pid === undefined ? undefined : cpuTicks(child.pid);

  client.terminate();
  child.kill("SIGTERM");
  const [code] = await new Promise<[number | null]>((resolve) =>
    child.once("exit", (exitCode) => resolve([exitCode])),
  );
  if (code !== 0) throw new Error(`simulator exited ${code} after SIGTERM: ${stderr}`);

  const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;
  const serverCpuMs =
    serverTicks === undefined || serverTicksAfter === undefined
      ? undefined
      : ((serverTicksAfter - serverTicks) * 1000) / CLOCK_TICKS_PER_S;
  process.stdout.write(
    `${JSON.stringify({
      bench: "sim-stress",
      msgs,
      wall_ms: round(wallMs),
      msgs_per_s: Math.round((msgs * 1000) / wallMs),
      mb_per_s: round((bytes * 1000) / wallMs / 1e6),
      avg_frame_bytes: Math.round(bytes / Math.max(1, msgs)),
      server_cpu_pct: serverCpuMs === undefined ? null : round((serverCpuMs / wallMs) * 100),
      client_cpu_pct: round(((clientUsed.user + clientUsed.system) / 1000 / wallMs) * 100),
      sampled,
      uws_build: build ?? null,
      node: process.version,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
