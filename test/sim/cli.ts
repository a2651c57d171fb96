/**
 * The simulator as a process: `npm run -s sim -- --port 8080 [--seed N] [--rate realistic|stress] …`
 * (flags: `server/cli-args.ts`, or `--help`).
 *
 * stdout carries exactly one line, once listening:
 * `{"event":"listening","info":"http://127.0.0.1:P/info","exchange":"…/exchange","ws":"ws://127.0.0.1:P/ws"}`.
 * Everything else (the uWS build, errors) goes to stderr as JSON lines. Bad flags: a message on stderr,
 * exit 2. SIGINT/SIGTERM stop the server; the process then exits by itself, with 0 — if something were
 * left open it would not, so a watchdog reports that and exits 1.
 */
import { AccountSpecError } from "./server/accounts.js";
import { CliUsageError, USAGE, parseCliArgs, type CliCommand } from "./server/cli-args.js";
import { FaultSpecError } from "./server/fault-spec.js";
import { SimulatorOptionsError } from "./server/options.js";
import { ReplayFormatError } from "./server/replay-feed.js";
import { SimulatorStartError, startSimulator } from "./server/simulator.js";

const STOP_WATCHDOG_MS = 5000;

function log(event: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify(event)}\n`);
}

async function main(): Promise<void> {
  let command: CliCommand;
  try {
    command = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    process.stderr.write(`sim: ${error.message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (command.kind === "help") {
    process.stderr.write(`${USAGE}\n`);
    return;
  }
  const sim = await startSimulator(command.options);
  log({ event: "uws", build: sim.uws.build, native: sim.uws.native, detail: sim.uws.description });
  process.stdout.write(
    `${JSON.stringify({ event: "listening", info: sim.info, exchange: sim.exchange, ws: sim.ws })}\n`,
  );
  const onSignal = (signal: NodeJS.Signals): void => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    log({ event: "stopping", signal });
    setTimeout(() => {
      log({ event: "stop-timeout", message: "handles still open after stop()" });
      process.exit(1);
    }, STOP_WATCHDOG_MS).unref();
    sim.stop().then(
      () => log({ event: "stopped" }),
      (error: unknown) => {
        log({ event: "stop-failed", message: String(error) });
        process.exitCode = 1;
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

/** Errors caused by what the operator asked for (flags, files, a taken port): exit 2 like a bad flag. */
const OPERATOR_ERRORS = [
  SimulatorOptionsError,
  SimulatorStartError,
  ReplayFormatError,
  AccountSpecError,
  FaultSpecError,
];

main().catch((error: unknown) => {
  const known = OPERATOR_ERRORS.some((type) => error instanceof type);
  log({ event: "fatal", message: error instanceof Error ? error.message : String(error) });
  process.exitCode = known ? 2 : 1;
});
