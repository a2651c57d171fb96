/**
 * The simulator CLI's flags → `SimulatorOptions`. Strict: an unknown flag, a missing value or a malformed
 * one is a `CliUsageError` (the CLI prints it to stderr and exits 2).
 *
 * `--fund <address>:USDC=<amt>,HYPE=<amt>` and `--agent <master>:<agent>` may repeat.
 */
import { parseArgs } from "node:util";

import type { AgentSpec, FundSpec } from "./accounts.js";
import { SIM_RATES, type SimRate, type SimulatorOptions } from "./options.js";

export const USAGE = `usage: npm run -s sim -- [--port <port>] [--host <host>] [--seed <n>] [--start-time <ms>]
  [--rate realistic|stress|replay] [--replay-file <capture.jsonl>] [--replay-speed <x>] [--replay-loop]
  [--fund <address>:USDC=<amt>,HYPE=<amt>]... [--agent <master>:<agent>]...
  [--block-ms <ms>] [--fast-book-ms <ms>] [--book-ms <ms>] [--idle-timeout-ms <ms>] [--paused]
Prints one JSON line on stdout when listening; stops on SIGINT/SIGTERM.`;

export class CliUsageError extends Error {
  override readonly name = "CliUsageError";
}

export type CliCommand =
  { readonly kind: "help" } | { readonly kind: "run"; readonly options: SimulatorOptions };

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const DECIMAL = /^(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;

function integer(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(text))
    throw new CliUsageError(`--${flag} expects an integer, got ${JSON.stringify(text)}`);
  const value = Number(text);
  if (value < min || value > max)
    throw new CliUsageError(`--${flag} must be between ${min} and ${max}: ${text}`);
  return value;
}

function positiveNumber(flag: string, text: string, allowZero = false): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new CliUsageError(
      `--${flag} expects a ${allowZero ? "non-negative" : "positive"} number, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

export function parseFundFlag(text: string): FundSpec {
  const split = text.indexOf(":");
  const address = split < 0 ? text : text.slice(0, split);
  if (!ADDRESS.test(address)) throw new CliUsageError(`--fund: not an address: ${JSON.stringify(address)}`);
  const amounts: Record<string, string> = {};
  const list = split < 0 ? "" : text.slice(split + 1);
  if (list === "") throw new CliUsageError(`--fund ${text}: expected <address>:USDC=<amt>,HYPE=<amt>`);
  for (const item of list.split(",")) {
    const [token, amount, extra] = item.split("=");
    if (
      token === undefined ||
      token === "" ||
      amount === undefined ||
      extra !== undefined ||
      !DECIMAL.test(amount)
    ) {
      throw new CliUsageError(`--fund ${text}: expected TOKEN=<decimal>, got ${JSON.stringify(item)}`);
    }
    amounts[token] = amount;
  }
  return { address, ...amounts };
}

export function parseAgentFlag(text: string): AgentSpec {
  const [master, agent, extra] = text.split(":");
  if (
    master === undefined ||
    agent === undefined ||
    extra !== undefined ||
    !ADDRESS.test(master) ||
    !ADDRESS.test(agent)
  ) {
    throw new CliUsageError(`--agent expects <master>:<agent> addresses, got ${JSON.stringify(text)}`);
  }
  return { master, agent };
}

export function parseCliArgs(argv: readonly string[]): CliCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: "boolean", short: "h" },
        port: { type: "string" },
        host: { type: "string" },
        seed: { type: "string" },
        "start-time": { type: "string" },
        rate: { type: "string" },
        "replay-file": { type: "string" },
        "replay-speed": { type: "string" },
        "replay-loop": { type: "boolean" },
        fund: { type: "string", multiple: true },
        agent: { type: "string", multiple: true },
        "block-ms": { type: "string" },
        "fast-book-ms": { type: "string" },
        "book-ms": { type: "string" },
        "idle-timeout-ms": { type: "string" },
        paused: { type: "boolean" },
      },
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  if (values.help === true) return { kind: "help" };
  const rate = values.rate;
  if (rate !== undefined && !SIM_RATES.includes(rate as SimRate)) {
    throw new CliUsageError(`--rate must be one of ${SIM_RATES.join(", ")}: ${JSON.stringify(rate)}`);
  }
  if (rate === "replay" && values["replay-file"] === undefined)
    throw new CliUsageError("--rate replay needs --replay-file");
  const cadence = {
    ...(values["block-ms"] === undefined ? {} : { blockMs: positiveNumber("block-ms", values["block-ms"]) }),
    ...(values["fast-book-ms"] === undefined
      ? {}
      : { fastBookMs: positiveNumber("fast-book-ms", values["fast-book-ms"]) }),
    ...(values["book-ms"] === undefined ? {} : { bookMs: positiveNumber("book-ms", values["book-ms"]) }),
  };
  const replay = {
    ...(values["replay-speed"] === undefined
      ? {}
      : { speed: positiveNumber("replay-speed", values["replay-speed"], true) }),
    ...(values["replay-loop"] === true ? { loop: true } : {}),
  };
  const options: SimulatorOptions = {
    ...(values.port === undefined ? {} : { port: integer("port", values.port, 0, 65535) }),
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(values.seed === undefined ? {} : { seed: integer("seed", values.seed, 0, 0xffffffff) }),
    ...(values["start-time"] === undefined
      ? {}
      : { startTimeMs: integer("start-time", values["start-time"], 0) }),
    ...(rate === undefined ? {} : { rate: rate as SimRate }),
    ...(values["replay-file"] === undefined ? {} : { replayFile: values["replay-file"] }),
    ...(Object.keys(replay).length === 0 ? {} : { replay }),
    ...(Object.keys(cadence).length === 0 ? {} : { cadence }),
    ...(values["idle-timeout-ms"] === undefined
      ? {}
      : { idleTimeoutMs: positiveNumber("idle-timeout-ms", values["idle-timeout-ms"], true) }),
    ...(values.paused === true ? { paused: true } : {}),
    fund: (values.fund ?? []).map(parseFundFlag),
    agents: (values.agent ?? []).map(parseAgentFlag),
  };
  return { kind: "run", options };
}
