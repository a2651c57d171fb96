/**
 * `npm run logs -- [flags]` (flags and defaults: `cliArgs.ts`, docs/logs.md). Exit status: 0 done (or
 * Ctrl-C while following), 1 the logs could not be read (no file, no log group, AWS error), 2 bad flags.
 */

import { once } from "node:events";

import { LogsUsageError, parseLogsArgs, USAGE } from "./cliArgs.js";
import { createCloudWatchLogsClient } from "./cloudWatchClient.js";
import { runLogs } from "./logsCommand.js";

async function main(): Promise<number> {
  let command;
  try {
    command = parseLogsArgs(process.argv.slice(2), {
      nowMs: Date.now(),
      env: process.env,
      cwd: process.cwd(),
    });
  } catch (error) {
    if (!(error instanceof LogsUsageError)) throw error;
    process.stderr.write(`logs: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (command.kind === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (process.versions.node.split(".")[0] === "20") {
    // The AWS SDK warns on every Node 20 start that releases after January 2027 need Node 22; one notice in
    // README is enough, not one per command.
    process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";
  }

  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  // `npm run logs | head`: the reader went away; stop quietly instead of dying on EPIPE.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") controller.abort();
  });
  const write = async (line: string): Promise<void> => {
    if (controller.signal.aborted) return;
    if (!process.stdout.write(`${line}\n`)) {
      await once(process.stdout, "drain", { signal: controller.signal }).catch(() => undefined);
    }
  };
  try {
    await runLogs(command.options, {
      write,
      warn: (line) => void process.stderr.write(`logs: ${line}\n`),
      signal: controller.signal,
      createClient: (source) => createCloudWatchLogsClient(source, process.env),
      nowMs: () => Date.now(),
    });
    return 0;
  } catch (error) {
    if (controller.signal.aborted) return 0;
    process.stderr.write(`logs: ${describe(error)}\n`);
    return 1;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

/** Our own typed errors speak for themselves; AWS errors need their code (AccessDeniedException, …). */
const OWN_ERRORS = new Set(["LocalLogFileError", "LogGroupMissingError", "InsightsQueryError"]);

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return OWN_ERRORS.has(error.name) || error.name === "Error"
    ? error.message
    : `${error.name}: ${error.message}`;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `logs failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
