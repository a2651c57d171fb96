/**
 * `npm run logs` against CloudWatch Logs: the real @aws-sdk/client-cloudwatch-logs client talking to a
 * loopback PROTOCOL STAND-IN (test/infra/logsCloudWatchStandIn.ts — LocalStack cannot run here, and no npm
 * package emulates CloudWatch Logs). The assertions are on what the real client sent (log group names,
 * filterPattern, startTime, nextToken paging, StartQuery's window) and on what the command printed.
 */

import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { parseLogsArgs } from "../../infra/logs/cliArgs.js";
import { runLogs } from "../../infra/logs/logsCommand.js";
import { LOG_SERVICES } from "../../infra/logs/logServices.js";
import { waitFor } from "../local/waitFor.js";
import { startCloudWatchLogsStandIn, type CloudWatchLogsStandIn } from "./logsCloudWatchStandIn.js";

// The SDK's once-per-process "Node 20 support ends" notice (README explains the Node versions).
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NOW = Date.parse("2026-03-01T12:00:00Z");
const at = (secondsBeforeNow: number): number => NOW - secondsBeforeNow * 1000;
const json = (timestamp: number, level: string, service: string, message: string): string =>
  JSON.stringify({ level, time: new Date(timestamp).toISOString(), service, message });

let standIn: CloudWatchLogsStandIn;
/** The groups the stand-in has; every other service's group is missing (not deployed). */
const DEPLOYED = new Set(["edge-writer", "hotpath", "trade-writer"]);

beforeAll(async () => {
  standIn = await startCloudWatchLogsStandIn({ pageSize: 2 });
  standIn.putEvents("/hlbasis/edge-writer", [
    { timestamp: at(3600), message: json(at(3600), "ERROR", "edge-writer", "too old for the window") },
    { timestamp: at(500), message: json(at(500), "INFO", "edge-writer", "ew batch 1") },
    { timestamp: at(300), message: json(at(300), "ERROR", "edge-writer", "ew insert failed") },
    { timestamp: at(100), message: json(at(100), "INFO", "edge-writer", "ew batch 2") },
    { timestamp: at(50), message: "START RequestId: 8f5 Version: $LATEST" },
  ]);
  standIn.putEvents("/hlbasis/hotpath", [
    // The hot path logs under its configured service name; the group says which service it is.
    { timestamp: at(400), message: json(at(400), "WARN", "hlbasis", "hp breaker open") },
    { timestamp: at(200), message: json(at(200), "INFO", "hlbasis", "hp feed connected") },
  ]);
  standIn.putEvents("/hlbasis/trade-writer", []);
  // No /hlbasis/rebalancer group: not deployed.
});
afterAll(async () => {
  await standIn.stop();
});
beforeEach(() => {
  standIn.requests.length = 0;
});

interface Captured {
  readonly lines: string[];
  readonly warnings: string[];
}

async function logs(
  argv: readonly string[],
  options: { pollMs?: number; signal?: AbortSignal } = {},
): Promise<Captured> {
  const command = parseLogsArgs([...argv, "--endpoint", standIn.endpoint], {
    nowMs: NOW,
    env: {},
    cwd: ROOT,
  });
  if (command.kind !== "run") throw new Error("expected a run command");
  const captured: Captured = { lines: [], warnings: [] };
  await runLogs(command.options, {
    write: (line) => void captured.lines.push(line),
    warn: (line) => void captured.warnings.push(line),
    signal: options.signal ?? new AbortController().signal,
    createClient: (source) =>
      new CloudWatchLogsClient({
        region: source.region,
        ...(source.endpoint === undefined ? {} : { endpoint: source.endpoint }),
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
      }),
    nowMs: () => NOW,
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
  });
  return captured;
}

const filterRequests = () => standIn.requests.filter((request) => request.operation === "FilterLogEvents");

describe("npm run logs (CloudWatch)", () => {
  it("reads every service's group from --since, pages through nextToken, and interleaves by time", async () => {
    const { lines, warnings } = await logs(["--since", "10m"]);

    const requests = filterRequests();
    const groups = [...new Set(requests.map((request) => request.body["logGroupName"]))].sort();
    expect(groups).toEqual(LOG_SERVICES.map((service) => `/hlbasis/${service}`).sort());
    for (const request of requests) {
      expect(request.body["startTime"]).toBe(NOW - 600_000);
      expect(request.body).not.toHaveProperty("filterPattern");
    }
    // edge-writer has 4 events in the window, 2 a page: the second request carries the first's token.
    const edgeWriter = requests.filter((request) => request.body["logGroupName"] === "/hlbasis/edge-writer");
    expect(edgeWriter).toHaveLength(2);
    expect(edgeWriter[0]?.body).not.toHaveProperty("nextToken");
    expect(typeof edgeWriter[1]?.body["nextToken"]).toBe("string");

    expect(lines).toEqual([
      `${new Date(at(500)).toISOString()} INFO  edge-writer   ew batch 1`,
      `${new Date(at(400)).toISOString()} WARN  hotpath       hp breaker open`,
      `${new Date(at(300)).toISOString()} ERROR edge-writer   ew insert failed`,
      `${new Date(at(200)).toISOString()} INFO  hotpath       hp feed connected`,
      `${new Date(at(100)).toISOString()} INFO  edge-writer   ew batch 2`,
      `${new Date(at(50)).toISOString()} -     edge-writer   START RequestId: 8f5 Version: $LATEST`,
    ]);
    // Every selected service without a group (not deployed) is named once, and the rest are still read.
    expect(warnings).toEqual(
      LOG_SERVICES.filter((service) => !DEPLOYED.has(service)).map(
        (service) =>
          `skipping log group /hlbasis/${service} does not exist (deployed? right region and account?)`,
      ),
    );
  });

  it("--service and --level select the groups and send the level as a filter pattern", async () => {
    const { lines } = await logs(["--service", "edge-writer", "--level", "error", "--since", "2h", "--json"]);

    const requests = filterRequests();
    expect(new Set(requests.map((request) => request.body["logGroupName"]))).toEqual(
      new Set(["/hlbasis/edge-writer"]),
    );
    for (const request of requests) {
      expect(request.body["filterPattern"]).toBe('{ ($.level = "ERROR") || ($.level = "FATAL") }');
      expect(request.body["startTime"]).toBe(NOW - 7_200_000);
    }
    // The stand-in does not evaluate patterns; the command's own level check drops the rest, as locally.
    expect(lines).toEqual([
      json(at(3600), "ERROR", "edge-writer", "too old for the window"),
      json(at(300), "ERROR", "edge-writer", "ew insert failed"),
    ]);
  });

  it("fails with the group's name when no selected group exists", async () => {
    await expect(logs(["--service", "rebalancer"])).rejects.toThrow(
      "log group /hlbasis/rebalancer does not exist (deployed? right region and account?)",
    );
  });

  it("--follow prints events that arrive later, each once, until aborted", async () => {
    const controller = new AbortController();
    const captured: Captured = { lines: [], warnings: [] };
    const done = (async () => {
      const result = await logs(["--service", "trade-writer", "--follow", "--since", "1m"], {
        pollMs: 20,
        signal: controller.signal,
      });
      captured.lines.push(...result.lines);
    })();
    // The follow keeps polling; events put now (within the window) must appear exactly once.
    await waitFor("two polls", () => filterRequests().length >= 2);
    standIn.putEvents("/hlbasis/trade-writer", [
      { timestamp: at(20), message: json(at(20), "INFO", "trade-writer", "tw fill 1") },
      { timestamp: at(10), message: json(at(10), "INFO", "trade-writer", "tw fill 2") },
      { timestamp: at(5), message: json(at(5), "INFO", "trade-writer", "tw fill 3") },
    ]);
    const pollsAfterPut = filterRequests().length;
    await waitFor("several polls after the put", () => filterRequests().length >= pollsAfterPut + 6);
    controller.abort();
    await done;

    expect(captured.lines.map((line) => line.slice(45))).toEqual(["tw fill 1", "tw fill 2", "tw fill 3"]);
    const later = filterRequests().at(-1);
    // Later polls start a lag behind the newest event (late arrivals), never before --since.
    expect(later?.body["startTime"]).toBe(Math.max(NOW - 60_000, at(5) - 30_000));
  });

  it("--query runs Logs Insights over the selected groups in the window and prints the rows", async () => {
    standIn.setQueryResults([
      [
        { field: "service", value: "edge-writer" },
        { field: "errors", value: "1" },
        { field: "@ptr", value: "opaque" },
      ],
    ]);
    const query = 'filter level = "ERROR" | stats count(*) as errors by service';
    const { lines } = await logs(["--query", query, "--service", "edge-writer,hotpath", "--since", "1h"], {
      pollMs: 5,
    });

    const start = standIn.requests.find((request) => request.operation === "StartQuery");
    expect(start?.body).toEqual({
      logGroupNames: ["/hlbasis/edge-writer", "/hlbasis/hotpath"],
      queryString: query,
      startTime: (NOW - 3_600_000) / 1000,
      endTime: NOW / 1000,
    });
    // It polled until the query completed (the stand-in answers Running first).
    expect(standIn.requests.filter((request) => request.operation === "GetQueryResults")).toHaveLength(2);
    expect(lines).toEqual(["service=edge-writer errors=1"]);
  });

  it("the CLI takes the endpoint from AWS_ENDPOINT_URL and signs with LocalStack's test credentials", async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_ENDPOINT_URL: standIn.endpoint,
      AWS_REGION: "ap-northeast-1",
    };
    delete env["AWS_ACCESS_KEY_ID"];
    delete env["AWS_PROFILE"];
    delete env["AWS_WEB_IDENTITY_TOKEN_FILE"];
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "infra/logs/cli.ts", "--service", "hotpath", "--since", "2026-02-01T00:00:00Z"],
      {
        cwd: ROOT,
        env,
      },
    );
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const [code] = (await once(child, "exit")) as [number | null];

    expect(code).toBe(0);
    expect(stdout).toContain("WARN  hotpath       hp breaker open");
    expect(stdout).toContain("INFO  hotpath       hp feed connected");
    const request = filterRequests().at(-1);
    expect(request?.body["logGroupName"]).toBe("/hlbasis/hotpath");
    expect(request?.authorization).toMatch(/Credential=test\/\d{8}\/ap-northeast-1\/logs\/aws4_request/);
  });
});
