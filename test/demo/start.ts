/**
 * `npm start`: the whole system offline on embedded defaults — no keys, Docker or network needed
 * (`localSystem.ts` says what runs). Prints where to look, a live one-line status, and on exit (Ctrl-C or
 * `--duration`) a summary.
 *
 * Flags:
 *   --duration <s>   stop after that many seconds (default: run until Ctrl-C)
 *   --seed <n>       simulator seed (default 1)
 *   --json-summary   print the summary as one JSON line (for scripts and CI) instead of text
 *   --port <n>       the host's port for /health, /metrics, /stream (default 8787; 0 = any free port)
 *   --shocks-per-hour <n>  basis shocks on the simulator (default 240; more shocks, more trades)
 */

// First, as in hotpath/main.ts: V8 tiering for rarely run hot code.
import "../../hotpath/app/v8Tiering.js";
import { join } from "node:path";

import { startLocalSystem, type LocalSystemSummary } from "./localSystem.js";

interface StartArgs {
  readonly durationSec: number | undefined;
  readonly seed: number;
  readonly jsonSummary: boolean;
  readonly port: number;
  readonly shocksPerHour: number | undefined;
}

function fail(message: string): never {
  process.stderr.write(`hlbasis: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv: readonly string[]): StartArgs {
  let durationSec: number | undefined;
  let seed = 1;
  let jsonSummary = false;
  let port = 8787;
  let shocksPerHour: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--json-summary") {
      jsonSummary = true;
      continue;
    }
    const value = argv[i + 1];
    const parsed = Number(value);
    if (flag === "--duration" || flag === "--seed" || flag === "--port" || flag === "--shocks-per-hour") {
      if (value === undefined || !Number.isInteger(parsed) || parsed < 0) {
        fail(`${flag} expects a non-negative integer, got ${String(value)}`);
      }
      if (flag === "--duration") durationSec = parsed;
      else if (flag === "--seed") seed = parsed;
      else if (flag === "--port") port = parsed;
      else shocksPerHour = parsed;
      i++;
    } else {
      fail(
        `unknown flag ${String(flag)} (known: --duration, --seed, --json-summary, --port, --shocks-per-hour)`,
      );
    }
  }
  return { durationSec, seed, jsonSummary, port, shocksPerHour };
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function run(args: StartArgs): Promise<void> {
  if (process.versions.node.split(".")[0] === "20") {
    // The AWS SDK warns on every Node 20 start that releases after January 2027 need Node 22; production
    // images and Lambdas run Node 22+ (README), and this local run needs no SDK update: one line here instead.
    process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";
  }
  const logFile = join(process.cwd(), ".hlbasis", "logs", "local.jsonl");
  const quiet = args.jsonSummary;
  if (!quiet)
    say("hlbasis — the whole system offline (simulated exchange, in-process SQS, embedded Postgres)");
  const system = await startLocalSystem({
    seed: args.seed,
    logFile,
    hostPort: args.port,
    ...(args.shocksPerHour === undefined ? {} : { basisShocksPerHour: args.shocksPerHour }),
  });
  if (!quiet) {
    say(`exchange   simulator ${system.sim.ws} (seed ${args.seed}, uWS ${system.sim.uws.build})`);
    say(`queues     SQS emulator ${system.sqs.endpoint} (edges, trades.fifo, and their DLQs)`);
    say(`database   Postgres: ${system.db.engine}`);
    say(`health     ${system.hostUrl}/health   ready ${system.hostUrl}/ready`);
    say(`metrics    ${system.hostUrl}/metrics   live edges: ws${system.hostUrl.slice(4)}/stream`);
    say(
      `control    ${system.hostUrl}/control   (Authorization: Bearer ${system.controlToken}, this run only)`,
    );
    say(`logs       ${logFile} (JSON, one event per line)`);
    say(
      "trading    on the simulator: intents, orders, fills and funding go to trades.fifo → trade-writer → Postgres",
    );
    say("");
  }

  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const stopAt =
    args.durationSec === undefined ? Number.POSITIVE_INFINITY : Date.now() + args.durationSec * 1000;
  const live = process.stdout.isTTY && !quiet;
  let lastPrint = 0;
  while (!interrupted && Date.now() < stopAt) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (quiet) continue;
    const line = await statusLine(system);
    if (live) process.stdout.write(`\r${line}   `);
    else if (Date.now() - lastPrint >= 5_000) {
      say(line);
      lastPrint = Date.now();
    }
  }
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  if (live) say("");
  if (!quiet)
    say("stopping   flushing edges and trade events to SQS and waiting for the writers to land them…");
  const summary = await system.stop();
  if (quiet) say(JSON.stringify(summary));
  else printSummary(summary);
}

async function statusLine(system: Awaited<ReturnType<typeof startLocalSystem>>): Promise<string> {
  const status = system.hotpath.status();
  const market = status.markets[0];
  const feed = system.hotpath.feeds[0];
  const flusher = system.hotpath.edgeSink?.flusher;
  const persisted = await system.persistedEdges();
  const perpRich = feed?.edges.perpRich;
  const spotRich = feed?.edges.spotRich;
  return (
    `status     feed ${status.connection}  ${market?.coin ?? "-"} net bps: perp-rich ${fmtBps(perpRich?.netBps)}, ` +
    `spot-rich ${fmtBps(spotRich?.netBps)}  edges ${flusher?.ring.pushed ?? 0} detected / ${persisted} in Postgres` +
    (market?.breakerOpen === true ? `  breaker OPEN (${market.reasons.join(", ")})` : "")
  );
}

function fmtBps(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "n/a" : value.toFixed(1);
}

function printSummary(summary: LocalSystemSummary): void {
  say(
    `summary    edges detected ${summary.edges_detected}, persisted ${summary.edges_persisted}, ` +
      `dropped ${summary.edges_dropped}, spooled ${summary.edges_spooled}`,
  );
  say(
    `           SQS requests (edges) ${summary.sqs_requests}; Lambda invocations ${summary.lambda_invocations}, ` +
      `failed records ${summary.lambda_failed_records}; Postgres ${summary.postgres}`,
  );
  say(
    `           intents ${summary.intents}, fills ${summary.fills} (in Postgres ${summary.fills_persisted}), ` +
      `net exposure ${summary.exposure_hype ?? "n/a"} HYPE; rebalancer ticks ${summary.rebalancer_ticks}`,
  );
  say(
    `           PnL ${summary.pnl_usdc ?? "n/a"} USDC (bot: realized − USDC fees + funding), ` +
      `${summary.pnl_usdc_db} USDC in Postgres (pnl_total): ${summary.pnl_match ? "equal" : "DIFFERENT"}; ` +
      `trade events shipped ${summary.trade_events_shipped}, sent ${summary.trade_events_sent}, ` +
      `dropped ${summary.trade_events_dropped}`,
  );
}

run(parseArgs(process.argv.slice(2))).catch((error: unknown) => {
  process.stderr.write(
    `hlbasis failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
