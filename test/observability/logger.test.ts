/**
 * Proves the logger's two promises: lines CloudWatch understands (JSON, upper-case string level, ISO time,
 * `message`, `service`) and no private key in any line, whatever shape it is logged in.
 */

import { randomBytes } from "node:crypto";
import { inspect } from "node:util";

import { describe, expect, it } from "vitest";

import { loadConfig } from "../../hotpath/config/load.js";
import { resolvePrivateKey, resolveSecret } from "../../hotpath/config/resolve-secret.js";
import { Secret } from "../../hotpath/config/secret.js";
import { type LogLevelName, type Logger, createLogger } from "../../hotpath/observability/logger.js";
import { REDACTED, SecretScrubber, SecretTooShortToScrubError } from "../../hotpath/observability/redact.js";

interface Captured {
  readonly logger: Logger;
  readonly lines: string[];
  readonly scrubber: SecretScrubber;
}

function capture(level: LogLevelName = "trace", scrubber = new SecretScrubber()): Captured {
  const lines: string[] = [];
  const logger = createLogger({
    service: "test-service",
    level,
    scrubber,
    destination: { write: (line: string) => void lines.push(line) },
  });
  return { logger, lines, scrubber };
}

const LEVELS = new Set(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]);

/** Every line is one JSON object with the CloudWatch fields; returns them parsed. */
function parseLines(lines: readonly string[]): Record<string, unknown>[] {
  expect(lines.length).toBeGreaterThan(0);
  return lines.map((line) => {
    expect(line.endsWith("\n")).toBe(true);
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(LEVELS.has(parsed["level"] as string)).toBe(true);
    expect(parsed["time"]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(parsed["service"]).toBe("test-service");
    expect(parsed).not.toHaveProperty("pid");
    expect(parsed).not.toHaveProperty("hostname");
    return parsed;
  });
}

function expectNoKey(lines: readonly string[], keyHex: string): void {
  const bare = keyHex.replace(/^0x/, "").toLowerCase();
  const base64 = Buffer.from(bare, "hex").toString("base64").replace(/=+$/, "");
  for (const line of lines) {
    expect(line.toLowerCase()).not.toContain(bare);
    expect(line).not.toContain(base64);
  }
}

function freshKey(): string {
  return `0x${randomBytes(32).toString("hex")}`;
}

describe("createLogger line format", () => {
  it("writes CloudWatch-shaped JSON: upper-case level, ISO time, message, service", () => {
    const { logger, lines } = capture();
    logger.info({ coin: "HYPE" }, "hello %s", "world");
    logger.warn("careful");
    logger.error(new Error("boom"));
    logger.debug("detail");
    const parsed = parseLines(lines);
    expect(parsed.map((line) => line["level"])).toEqual(["INFO", "WARN", "ERROR", "DEBUG"]);
    expect(parsed[0]).toMatchObject({ message: "hello world", coin: "HYPE" });
    expect(parsed[1]).not.toHaveProperty("msg");
    expect(parsed[2]).toMatchObject({ message: "boom", err: { type: "Error", message: "boom" } });
    expect((parsed[2]?.["err"] as { stack: string }).stack).toContain("logger.test.ts");
  });

  it("serialises errors under err and error with type, message, causes, stack and own fields", () => {
    const { logger, lines } = capture();
    class OrderRejectedError extends Error {
      override readonly name = "OrderRejectedError";
      constructor(readonly cloid: string) {
        super("order rejected", { cause: new Error("tick size") });
      }
    }
    logger.error({ err: new OrderRejectedError("0xabc") }, "place failed");
    logger.error({ error: new OrderRejectedError("0xdef") }, "place failed again");
    const [first, second] = parseLines(lines);
    expect(first?.["err"]).toMatchObject({ type: "OrderRejectedError", cloid: "0xabc" });
    expect((first?.["err"] as { message: string }).message).toContain("tick size");
    expect(second?.["error"]).toMatchObject({ type: "OrderRejectedError", cloid: "0xdef" });
  });

  it("filters by level and adds base fields", () => {
    const lines: string[] = [];
    const logger = createLogger({
      service: "ingest",
      level: "warn",
      base: { requestId: "req-1" },
      scrubber: new SecretScrubber(),
      destination: { write: (line: string) => void lines.push(line) },
    });
    logger.info("dropped");
    logger.error("kept");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({
      level: "ERROR",
      service: "ingest",
      requestId: "req-1",
    });
  });
});

describe("createLogger keeps secrets out", () => {
  it("never prints a resolved private key, however it is logged", async () => {
    const { logger, lines, scrubber } = capture();
    const key = freshKey();
    const agentKey = await resolvePrivateKey(
      { env: "TEST_AGENT_KEY" },
      { env: { TEST_AGENT_KEY: key }, scrubber },
    );
    const bare = key.slice(2);

    // The full configuration, and a runtime object holding the resolved secrets.
    const config = loadConfig({ env: {}, argv: [], cwd: "/srv/hlbasis" });
    logger.info({ config }, "configuration loaded");
    logger.info({ runtime: { config, agentKey, privateKey: key, signer: { privateKey: key } } }, "ready");

    // Errors whose message, cause or fields carry the key.
    const error = new Error(`cannot sign with ${key}`, { cause: new Error(`cause: ${bare.toUpperCase()}`) });
    logger.error({ err: error }, "signing failed");
    logger.error(error);
    logger.error({ error: Object.assign(new Error("wrapped"), { detail: bare }) }, "failed");

    // Nested under arbitrary field names, in any case, in the message and in format arguments.
    logger.warn(
      { a: { b: { c: [{ whatever: key.toUpperCase() }, { x: `prefix-${bare}-suffix` }] } } },
      "nested",
    );
    logger.info(`raw key in message ${key}`);
    logger.info("format %s and %j and %o", bare, { k: key }, { k: key.toUpperCase() });
    logger.info({ base64: Buffer.from(bare, "hex").toString("base64") }, "encoded");

    // The Secret object itself.
    logger.info({ agentKey, nested: { s: agentKey } }, "secret object %s", agentKey);

    const parsed = parseLines(lines);
    expect(lines).toHaveLength(10);
    expectNoKey(lines, key);
    expect(lines.join("")).toContain(REDACTED);
    expect(parsed[1]).toMatchObject({ runtime: { agentKey: REDACTED, privateKey: REDACTED } });
    expect(parsed[9]).toMatchObject({ message: `secret object ${REDACTED}`, agentKey: REDACTED });
  });

  it("censors secret-named fields even for values nobody registered", () => {
    const { logger, lines } = capture();
    const unregistered = freshKey();
    logger.info(
      {
        privateKey: unregistered,
        signer: { privateKey: unregistered, apiKey: "k-123456789" },
        req: { headers: { authorization: "Bearer abcdefghijkl", "set-cookie": "session=1" } },
        deep: { er: { than: { privateKey: unregistered } } },
        controlToken: "tok-123456789",
        databaseUrl: "postgres://bot:hunter2hunter2@db.internal:5432/hlbasis",
      },
      "request",
    );
    logger.info(
      {
        wallet: { privateKey: Uint8Array.from(Buffer.from(unregistered.slice(2), "hex")) },
        env: { PRIVATE_KEY: unregistered, Secret: "s3cr3t-value" },
        balance: { coin: "HYPE", token: 150, total: "12.5" },
      },
      "shapes",
    );
    logger.error(new Error("connect failed: postgres://bot:hunter2hunter2@db.internal/hlbasis"));
    const [line, shapes] = parseLines(lines);
    expectNoKey(lines, unregistered);
    expect(lines.join("")).not.toContain("abcdefghijkl");
    expect(lines.join("")).not.toContain("hunter2");
    expect(lines.join("")).not.toContain("s3cr3t-value");
    expect(shapes).toMatchObject({
      wallet: { privateKey: REDACTED },
      env: { PRIVATE_KEY: REDACTED, Secret: REDACTED },
      balance: { token: 150 },
    });
    expect(line).toMatchObject({
      privateKey: REDACTED,
      signer: { privateKey: REDACTED, apiKey: REDACTED },
      req: { headers: { authorization: REDACTED, "set-cookie": REDACTED } },
      controlToken: REDACTED,
      databaseUrl: "postgres://bot:[REDACTED]@db.internal:5432/hlbasis",
    });
  });

  it("keeps 32-byte hex values that are not secrets (hashes, order ids)", async () => {
    const { logger, lines, scrubber } = capture();
    await resolvePrivateKey({ env: "K" }, { env: { K: freshKey() }, scrubber });
    const actionHash = `0x${randomBytes(32).toString("hex")}`;
    logger.info({ actionHash }, "signed");
    expect(parseLines(lines)[0]).toMatchObject({ actionHash });
  });

  it("scrubs tokens with JSON-special characters and keeps the line valid JSON", async () => {
    const { logger, lines, scrubber } = capture();
    const token = await resolveSecret({ env: "T" }, { env: { T: 'tok"en\\with/odd\nchars' }, scrubber });
    logger.info({ header: `Bearer ${token.reveal()}`, again: token.reveal().toUpperCase() }, "auth");
    logger.info(`token=${token.reveal()}`);
    const parsed = parseLines(lines);
    expect(parsed[0]).toMatchObject({ header: `Bearer ${REDACTED}`, again: REDACTED });
    expect(parsed[1]).toMatchObject({ message: `token=${REDACTED}` });
  });

  it("does not break an escape sequence that merely looks like the start of a secret", () => {
    const { logger, lines, scrubber } = capture();
    scrubber.register("nSECRETVALUE");
    logger.info({ text: "line\nSECRETVALUE is not the secret", real: "nSECRETVALUE" }, "escapes");
    const [line] = parseLines(lines);
    expect(line).toMatchObject({ real: REDACTED });
  });

  it("refuses to register a secret too short to scrub", () => {
    expect(() => new SecretScrubber().register("short")).toThrow(SecretTooShortToScrubError);
  });
});

describe("Secret", () => {
  it("prints as [REDACTED] every way a value gets printed", () => {
    const secret = new Secret("super-secret-value", "env TEST");
    expect(String(secret)).toBe(REDACTED);
    // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- the accident under test
    expect(`${secret}`).toBe(REDACTED);
    expect(JSON.stringify({ secret })).toBe(`{"secret":"${REDACTED}"}`);
    expect(inspect(secret)).toBe(REDACTED);
    expect(inspect({ nested: { secret } }, { depth: 5 })).not.toContain("super-secret-value");
    expect(Object.keys(secret)).not.toContain("value");
    expect(JSON.stringify({ ...secret })).not.toContain("super-secret-value");
    expect(secret.reveal()).toBe("super-secret-value");
    expect(secret.description).toBe("env TEST");
  });
});
