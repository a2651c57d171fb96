/**
 * The real uWS host (`startHostServer`) with the control API mounted on a loopback port, an in-memory
 * target, the `onChange` records it produced, and every log line it wrote (a pino destination in memory).
 * The logger gets its own empty `SecretScrubber`, so the token is NOT scrubbed from these lines: a test
 * that finds no token in them proves the code never logged it, not that the scrubber caught it.
 */

import { Secret } from "../../hotpath/config/secret.js";
import type { ControlChange } from "../../hotpath/control/controlChange.js";
import type { ControlOptions } from "../../hotpath/control/controlRoutes.js";
import type { FeedStatus } from "../../hotpath/feed/feedStatus.js";
import { startHostServer, type HostServer } from "../../hotpath/host/hostServer.js";
import { loadUws } from "../../hotpath/host/uws.js";
import { createLogger } from "../../hotpath/observability/logger.js";
import { SecretScrubber } from "../../hotpath/observability/redact.js";
import { MemoryControlTarget } from "./memoryControlTarget.js";

export const TOKEN = "hlb-test-control-token-0f3a9c7e51d24b88";

const IDLE_STATUS: FeedStatus = {
  ready: false,
  connection: "idle",
  fees: { source: "fallback", reason: "no account" },
  markets: [],
};

export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly [field: string]: unknown;
}

export interface ControlHost {
  readonly host: HostServer;
  readonly base: string;
  readonly target: MemoryControlTarget;
  readonly changes: ControlChange[];
  /** Raw lines as written (to search for secrets). */
  readonly rawLines: string[];
  lines(): LogLine[];
  close(): Promise<void>;
}

export interface ControlHostOptions {
  /** The control token; null = control disabled. Default `TOKEN`. */
  readonly token?: string | null;
  /** false = start the host without the control option at all. */
  readonly control?: boolean;
  readonly target?: MemoryControlTarget;
  readonly onChange?: (change: ControlChange) => void;
  readonly maxBodyBytes?: number;
}

export async function startControlHost(options: ControlHostOptions = {}): Promise<ControlHost> {
  const rawLines: string[] = [];
  const logger = createLogger({
    service: "control-test",
    level: "info",
    scrubber: new SecretScrubber(),
    destination: { write: (line: string) => void rawLines.push(line) },
  });
  const target = options.target ?? new MemoryControlTarget();
  const changes: ControlChange[] = [];
  const token = options.token === undefined ? TOKEN : options.token;
  const control: ControlOptions = {
    target,
    token: token === null ? null : new Secret(token, "test token"),
    logger,
    onChange: options.onChange ?? ((change) => changes.push(change)),
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
  };
  const host = await startHostServer({
    uws: loadUws(),
    bindAddress: "127.0.0.1",
    port: 0,
    status: () => IDLE_STATUS,
    metricsText: () => "",
    ...(options.control === false ? {} : { control }),
  });
  return {
    host,
    base: `http://127.0.0.1:${host.port}`,
    target,
    changes,
    rawLines,
    lines: () => rawLines.map((line) => JSON.parse(line) as LogLine),
    close: () => host.close(),
  };
}

export interface JsonReply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** A control call with the right token unless `authorization` says otherwise (null = no header). */
export async function call(
  host: ControlHost,
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  options: {
    readonly body?: unknown;
    readonly rawBody?: string;
    readonly authorization?: string | null;
  } = {},
): Promise<JsonReply> {
  const authorization = options.authorization === undefined ? `Bearer ${TOKEN}` : options.authorization;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (authorization !== null) headers["authorization"] = authorization;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${host.base}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: JSON.parse(text) as Record<string, unknown>,
  };
}
