/**
 * The pure parts of `npm run logs`: flags, `--since`, levels, the line parser, the shared filter
 * predicate, the CloudWatch filter pattern, formatting and the time-ordered merge.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { DEFAULT_REGION, LogsUsageError, parseLogsArgs, type LogsOptions } from "../../infra/logs/cliArgs.js";
import { buildFilterPattern } from "../../infra/logs/filterPattern.js";
import { formatQueryRow, formatRecord } from "../../infra/logs/formatRecord.js";
import { LOG_LEVELS, levelRank, parseLogLevel, type LogLevel } from "../../infra/logs/logLevels.js";
import { parseLogLine, type LogRecord } from "../../infra/logs/logRecord.js";
import { logGroupNameOf, serviceOfLogGroup, LOG_SERVICES } from "../../infra/logs/logServices.js";
import { mergeByTime } from "../../infra/logs/mergeByTime.js";
import { matchesFilter } from "../../infra/logs/recordFilter.js";
import { parseSince, SinceFormatError } from "../../infra/logs/since.js";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const CONTEXT = { nowMs: NOW, env: {}, cwd: "/repo" };

function run(argv: readonly string[], env: Record<string, string> = {}): LogsOptions {
  const command = parseLogsArgs(argv, { ...CONTEXT, env });
  if (command.kind !== "run") throw new Error("expected a run command");
  return command.options;
}

describe("parseSince", () => {
  it.each([
    ["90s", NOW - 90_000],
    ["10m", NOW - 600_000],
    ["2h", NOW - 7_200_000],
    ["7d", NOW - 7 * 86_400_000],
    ["1w", NOW - 604_800_000],
    ["2026-02-28", Date.parse("2026-02-28T00:00:00Z")],
    ["2026-03-01T10:00:00Z", Date.parse("2026-03-01T10:00:00Z")],
    ["2026-03-01T10:00Z", Date.parse("2026-03-01T10:00:00Z")],
    ["2026-03-01T19:00:00.250+09:00", Date.parse("2026-03-01T10:00:00.250Z")],
  ])("%s", (text, expected) => {
    expect(parseSince(text, NOW)).toBe(expected);
  });

  it.each([
    "",
    "10",
    "m",
    "-5m",
    "10 minutes",
    "1.5h",
    "yesterday",
    "2026-03-01T10:00:00",
    "2026-13-45T99:00Z",
  ])("refuses %j", (text) => {
    expect(() => parseSince(text, NOW)).toThrow(SinceFormatError);
  });

  it("says what is missing from a time without a zone", () => {
    expect(() => parseSince("2026-03-01T10:00", NOW)).toThrow(/add Z or an offset/);
  });

  it("any duration lies in the past by exactly that amount", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom("s", "m", "h", "d"), (n, unit) => {
        const ms = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit];
        expect(parseSince(`${n}${unit}`, NOW)).toBe(NOW - n * ms);
      }),
    );
  });
});

describe("log levels", () => {
  it("parses labels in any case and nothing else", () => {
    expect(parseLogLevel("error")).toBe("ERROR");
    expect(parseLogLevel(" Warn ")).toBe("WARN");
    expect(parseLogLevel("WARNING")).toBeUndefined();
    expect(parseLogLevel("30")).toBeUndefined();
  });

  it("orders them TRACE < DEBUG < INFO < WARN < ERROR < FATAL", () => {
    const ranks = LOG_LEVELS.map((level) => levelRank(level));
    expect(ranks).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe("log group names", () => {
  it("are /hlbasis/<service> for the deployed services, and map back", () => {
    expect(LOG_SERVICES).toEqual(
      expect.arrayContaining(["hotpath", "edge-writer", "trade-writer", "rebalancer"]),
    );
    for (const service of LOG_SERVICES) {
      expect(logGroupNameOf(service)).toBe(`/hlbasis/${service}`);
      expect(serviceOfLogGroup(logGroupNameOf(service))).toBe(service);
    }
    expect(serviceOfLogGroup("/aws/lambda/other")).toBe("/aws/lambda/other");
  });
});

describe("parseLogsArgs", () => {
  it("defaults to CloudWatch, every service, the last 10 minutes, ap-northeast-1", () => {
    expect(run([])).toEqual({
      source: { kind: "cloudwatch", region: DEFAULT_REGION, endpoint: undefined },
      services: [],
      minLevel: undefined,
      sinceMs: NOW - 600_000,
      follow: false,
      query: undefined,
      json: false,
    });
  });

  it("reads every flag", () => {
    const options = run([
      "--service",
      "edge-writer",
      "--service",
      "trade-writer,rebalancer",
      "--level",
      "warn",
      "--since",
      "2h",
      "-f",
      "--json",
      "--endpoint",
      "http://localhost:4566",
      "--region",
      "eu-west-1",
    ]);
    expect(options).toEqual({
      source: { kind: "cloudwatch", region: "eu-west-1", endpoint: "http://localhost:4566" },
      services: ["edge-writer", "trade-writer", "rebalancer"],
      minLevel: "WARN",
      sinceMs: NOW - 7_200_000,
      follow: true,
      query: undefined,
      json: true,
    });
  });

  it("takes the region and endpoint from AWS_REGION and AWS_ENDPOINT_URL, flags first", () => {
    const env = { AWS_REGION: "us-west-2", AWS_ENDPOINT_URL: "http://localstack:4566" };
    expect(run([], env).source).toEqual({
      kind: "cloudwatch",
      region: "us-west-2",
      endpoint: "http://localstack:4566",
    });
    expect(run(["--region", "eu-west-1", "--endpoint", "http://127.0.0.1:1"], env).source).toEqual({
      kind: "cloudwatch",
      region: "eu-west-1",
      endpoint: "http://127.0.0.1:1",
    });
  });

  it("--local reads the npm start file from the working directory, the whole of it by default", () => {
    expect(run(["--local"])).toMatchObject({
      source: { kind: "local", file: "/repo/.hlbasis/logs/local.jsonl" },
      sinceMs: undefined,
    });
    expect(run(["--local", "--file", "logs/x.jsonl", "--service", "local-system"])).toMatchObject({
      source: { kind: "local", file: "/repo/logs/x.jsonl" },
      services: ["local-system"],
    });
  });

  it("--query keeps the query and the window", () => {
    const options = run([
      "--query",
      "fields @timestamp | limit 5",
      "--since",
      "1h",
      "--service",
      "rebalancer",
    ]);
    expect(options.query).toBe("fields @timestamp | limit 5");
    expect(options.sinceMs).toBe(NOW - 3_600_000);
    expect(options.services).toEqual(["rebalancer"]);
  });

  it("--help", () => {
    expect(parseLogsArgs(["--help"], CONTEXT)).toEqual({ kind: "help" });
    expect(parseLogsArgs(["-h"], CONTEXT)).toEqual({ kind: "help" });
  });

  it.each([
    [["--bogus"], /bogus/],
    [["stray"], /stray/],
    [["--level"], /level/],
    [["--level", "loud"], /--level expects one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL, got "loud"/],
    [["--since", "yesterday"], /--since expects/],
    [["--service", "edge-writers"], /unknown service "edge-writers" \(known: hotpath, edge-writer/],
    [["--service", ""], /--service needs a service name/],
    [["--service", "hotpath,"], /--service needs a service name/],
    [["--file", "x.jsonl"], /--file needs --local/],
    [["--local", "--endpoint", "http://localhost:4566"], /--endpoint is for CloudWatch/],
    [["--local", "--region", "eu-west-1"], /--region is for CloudWatch/],
    [["--local", "--query", "fields @message"], /cannot read a local file/],
    [["--query", "fields @message", "--follow"], /cannot --follow/],
    [["--query", "fields @message", "--level", "error"], /filter in the query/],
    [["--query", "  "], /--query needs/],
    [["--endpoint", "localhost:4566"], /--endpoint expects an http\(s\) URL/],
    [["--endpoint", "not a url"], /--endpoint expects a URL/],
    [["--local", "--file", ""], /--file needs a value/],
  ])("%j is a usage error", (argv, message) => {
    let thrown: unknown;
    try {
      parseLogsArgs(argv, CONTEXT);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LogsUsageError);
    expect((thrown as Error).message).toMatch(message);
  });

  it("accepts any service name locally (the file has others, e.g. local-system)", () => {
    expect(run(["--local", "--service", "whatever"]).services).toEqual(["whatever"]);
  });
});

describe("parseLogLine", () => {
  it("reads our logger's shape", () => {
    const line =
      '{"level":"ERROR","time":"2026-03-01T11:59:00.500Z","service":"edge-writer","requestId":"r1","err":{"type":"Error","message":"boom"},"message":"insert failed"}';
    expect(parseLogLine(line)).toEqual({
      timeMs: Date.parse("2026-03-01T11:59:00.500Z"),
      level: "ERROR",
      service: "edge-writer",
      message: "insert failed",
      fields: { requestId: "r1", err: { type: "Error", message: "boom" } },
      raw: line,
    });
  });

  it("reads pino's defaults (numeric level and time, msg) and Lambda's own keys (timestamp)", () => {
    expect(parseLogLine('{"level":50,"time":1772366400000,"msg":"x","pid":1}')).toMatchObject({
      level: "ERROR",
      timeMs: 1772366400000,
      message: "x",
      fields: { pid: 1 },
    });
    expect(
      parseLogLine('{"timestamp":"2026-03-01T12:00:00Z","level":"INFO","requestId":"abc","message":"hi"}'),
    ).toMatchObject({ timeMs: NOW, level: "INFO", message: "hi", fields: { requestId: "abc" } });
  });

  it("keeps a line that is not our JSON, with what its source knows", () => {
    const line = "START RequestId: 8f5 Version: $LATEST";
    expect(parseLogLine(`${line}\n`, { service: "edge-writer", timestampMs: NOW })).toEqual({
      timeMs: NOW,
      level: undefined,
      service: "edge-writer",
      message: line,
      fields: {},
      raw: line,
    });
    expect(parseLogLine("[1,2]").message).toBe("[1,2]");
    expect(parseLogLine('{"level":"INFO",').level).toBeUndefined();
  });

  it("prefers the line's own time and service over the source's", () => {
    const record = parseLogLine('{"time":"2026-03-01T11:00:00Z","service":"hotpath","message":"m"}', {
      service: "other",
      timestampMs: NOW,
    });
    expect(record.timeMs).toBe(Date.parse("2026-03-01T11:00:00Z"));
    expect(record.service).toBe("hotpath");
  });
});

const recordArb = fc.record({
  timeMs: fc.option(fc.integer({ min: NOW - 86_400_000, max: NOW }), { nil: undefined }),
  level: fc.option(fc.constantFrom(...LOG_LEVELS), { nil: undefined }),
  service: fc.option(fc.constantFrom("hotpath", "edge-writer", "local-system"), { nil: undefined }),
  message: fc.string(),
  fields: fc.constant({}),
  raw: fc.constant(""),
}) as fc.Arbitrary<LogRecord>;

describe("matchesFilter", () => {
  it("no filter keeps everything", () => {
    fc.assert(fc.property(recordArb, (record) => matchesFilter(record, {})));
  });

  it("a minimum level keeps exactly the records of that level or worse", () => {
    fc.assert(
      fc.property(recordArb, fc.constantFrom(...LOG_LEVELS), (record, minLevel: LogLevel) => {
        const expected = record.level !== undefined && levelRank(record.level) >= levelRank(minLevel);
        expect(matchesFilter(record, { minLevel })).toBe(expected);
      }),
    );
  });

  it("raising the minimum level never lets more through", () => {
    fc.assert(
      fc.property(
        recordArb,
        fc.constantFrom(...LOG_LEVELS),
        fc.constantFrom(...LOG_LEVELS),
        (record, a, b) => {
          const [low, high] = levelRank(a) <= levelRank(b) ? [a, b] : [b, a];
          if (matchesFilter(record, { minLevel: high }))
            expect(matchesFilter(record, { minLevel: low })).toBe(true);
        },
      ),
    );
  });

  it("since/until keep [since, until), services keep the named ones, and filters combine with AND", () => {
    fc.assert(
      fc.property(recordArb, fc.integer({ min: NOW - 86_400_000, max: NOW }), (record, sinceMs) => {
        const services = new Set(["hotpath"]);
        const inTime = record.timeMs !== undefined && record.timeMs >= sinceMs;
        const inService = record.service === "hotpath";
        expect(matchesFilter(record, { sinceMs })).toBe(inTime);
        expect(matchesFilter(record, { services })).toBe(inService);
        expect(matchesFilter(record, { sinceMs, services })).toBe(inTime && inService);
        expect(matchesFilter(record, { untilMs: sinceMs })).toBe(record.timeMs !== undefined && !inTime);
      }),
    );
  });
});

describe("buildFilterPattern", () => {
  it.each([
    [undefined, undefined],
    ["FATAL", '{ ($.level = "FATAL") }'],
    ["ERROR", '{ ($.level = "ERROR") || ($.level = "FATAL") }'],
    ["WARN", '{ ($.level = "WARN") || ($.level = "ERROR") || ($.level = "FATAL") }'],
    [
      "TRACE",
      '{ ($.level = "TRACE") || ($.level = "DEBUG") || ($.level = "INFO") || ($.level = "WARN") || ($.level = "ERROR") || ($.level = "FATAL") }',
    ],
  ] as const)("%s → %s", (level, pattern) => {
    expect(buildFilterPattern(level)).toBe(pattern);
  });
});

describe("formatRecord", () => {
  const line =
    '{"level":"ERROR","time":"2026-03-01T11:59:00.500Z","service":"edge-writer","requestId":"r1","records":3,"ok":false,"note":"two words","err":{"type":"Error"},"message":"insert failed"}';

  it("prints time, level, service, message, then the other fields compact", () => {
    expect(formatRecord(parseLogLine(line), false)).toBe(
      '2026-03-01T11:59:00.500Z ERROR edge-writer   insert failed  requestId=r1 records=3 ok=false note="two words" err={"type":"Error"}',
    );
  });

  it("--json prints the line as logged", () => {
    expect(formatRecord(parseLogLine(line), true)).toBe(line);
  });

  it("keeps one event on one line and marks what is unknown", () => {
    const formatted = formatRecord(parseLogLine("first\nsecond"), false);
    expect(formatted).not.toContain("\n");
    expect(formatRecord(parseLogLine("plain text"), false)).toBe(
      `${"-".padEnd(24)} -     ${"-".padEnd(13)} plain text`,
    );
    fc.assert(
      fc.property(fc.string(), fc.dictionary(fc.string(), fc.jsonValue()), (message, fields) => {
        const text = formatRecord(
          { timeMs: NOW, level: "INFO", service: "x", message, fields, raw: "" },
          false,
        );
        expect(text).not.toMatch(/[\r\n]/);
      }),
    );
  });

  it("prints Logs Insights rows without @ptr", () => {
    const row = [
      { field: "@timestamp", value: "2026-03-01 11:59:00.500" },
      { field: "service", value: "edge-writer" },
      { field: "count()", value: "3" },
      { field: "@ptr", value: "CmAKJw…" },
    ];
    expect(formatQueryRow(row, false)).toBe(
      '@timestamp="2026-03-01 11:59:00.500" service=edge-writer count()=3',
    );
    expect(JSON.parse(formatQueryRow(row, true))).toEqual({
      "@timestamp": "2026-03-01 11:59:00.500",
      service: "edge-writer",
      "count()": "3",
    });
  });
});

describe("mergeByTime", () => {
  async function* from<T>(items: readonly T[]): AsyncGenerator<T> {
    for (const item of items) {
      await Promise.resolve();
      yield item;
    }
  }

  it("interleaves sorted streams into one sorted stream of the same items", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 12 }), { maxLength: 5 }),
        async (lists) => {
          const sorted = lists.map((list) => [...list].sort((a, b) => a - b));
          const merged: number[] = [];
          for await (const item of mergeByTime(
            sorted.map((list) => from(list)),
            (n) => n,
          ))
            merged.push(item);
          expect(merged).toEqual(sorted.flat().sort((a, b) => a - b));
        },
      ),
    );
  });

  it("is stable: on equal times the earlier stream comes first", async () => {
    const merged: string[] = [];
    const streams = [
      from([
        { t: 1, id: "a1" },
        { t: 2, id: "a2" },
      ]),
      from([
        { t: 1, id: "b1" },
        { t: 2, id: "b2" },
      ]),
    ];
    for await (const item of mergeByTime(streams, (item) => item.t)) merged.push(item.id);
    expect(merged).toEqual(["a1", "b1", "a2", "b2"]);
  });

  it("closes every stream when the consumer stops early", async () => {
    const closed: string[] = [];
    async function* tracked(name: string): AsyncGenerator<number> {
      try {
        for (let i = 0; ; i++) yield await Promise.resolve(i);
      } finally {
        closed.push(name);
      }
    }
    for await (const item of mergeByTime([tracked("a"), tracked("b")], (n) => n)) if (item >= 3) break;
    expect(closed.sort()).toEqual(["a", "b"]);
  });
});
