/**
 * Configuration loading: defaults, file + environment precedence, and the problems a bad deployment gets
 * told about (all at once, with where each value came from, secrets never shown).
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { ConfigError, type ConfigProblem } from "../../hotpath/config/errors.js";
import { type LoadConfigInput, loadConfig } from "../../hotpath/config/load.js";

const CWD = "/srv/hlbasis";
const ADDRESS = "0x1234567890AbcdEF1234567890aBcdef12345678";

function load(env: Record<string, string> = {}, extra: Partial<LoadConfigInput> = {}) {
  return loadConfig({ env, argv: [], cwd: CWD, ...extra });
}

/** Runs a load that must fail and returns its problems. */
function problemsOf(env: Record<string, string>, extra: Partial<LoadConfigInput> = {}): ConfigProblem[] {
  try {
    load(env, extra);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error("expected a ConfigError");
}

function messageOf(env: Record<string, string>, extra: Partial<LoadConfigInput> = {}): string {
  try {
    load(env, extra);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

const tempDirs: string[] = [];

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function withFile(content: unknown): Partial<LoadConfigInput> {
  const dir = mkdtempSync(join(tmpdir(), "hlb-config-"));
  tempDirs.push(dir);
  const file = join(dir, "config.json");
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return { argv: ["--config", file] };
}

describe("loadConfig defaults", () => {
  it("needs nothing to run offline in sim mode", () => {
    const config = load();
    expect(config).toMatchObject({
      mode: "sim",
      network: "sim",
      endpoints: null,
      accountAddress: null,
      coins: ["HYPE"],
      strategy: { clipSize: "1", openThresholdBps: "15", closeThresholdBps: "3" },
      risk: { maxClip: "5", maxOpenIntents: 2 },
      host: { bindAddress: "127.0.0.1", port: 8787 },
      persistence: {
        edgeQueueUrl: null,
        databaseUrl: null,
        journalDir: "/srv/hlbasis/.hlbasis/journal",
        nonceDir: "/srv/hlbasis/.hlbasis/nonces",
      },
      secretSources: {
        agentKey: { env: "HLB_AGENT_PRIVATE_KEY" },
        masterKey: null,
        controlToken: { env: "HLB_CONTROL_TOKEN" },
      },
      log: { level: "info", service: "hlbasis" },
    });
    expect(config).not.toHaveProperty("liveConfirm");
  });

  it("returns a deeply frozen object", () => {
    const config = load();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.risk)).toBe(true);
    expect(Object.isFrozen(config.coins)).toBe(true);
  });

  it("defaults the network by mode and fills in that network's endpoints", () => {
    expect(load({ HLB_MODE: "paper" })).toMatchObject({
      network: "mainnet",
      endpoints: {
        infoUrl: "https://api.hyperliquid.xyz/info",
        exchangeUrl: "https://api.hyperliquid.xyz/exchange",
        wsUrl: "wss://api.hyperliquid.xyz/ws",
      },
    });
    expect(
      load({ HLB_MODE: "paper", HLB_NETWORK: "testnet", HLB_INFO_URL: "http://127.0.0.1:9/info" }),
    ).toMatchObject({
      network: "testnet",
      endpoints: {
        infoUrl: "http://127.0.0.1:9/info",
        exchangeUrl: "https://api.hyperliquid-testnet.xyz/exchange",
        wsUrl: "wss://api.hyperliquid-testnet.xyz/ws",
      },
    });
  });

  it("accepts a complete set of endpoints for an external simulator", () => {
    const config = load({
      HLB_INFO_URL: "http://127.0.0.1:4000/info",
      HLB_EXCHANGE_URL: "http://127.0.0.1:4000/exchange",
      HLB_WS_URL: "ws://127.0.0.1:4000/ws",
    });
    expect(config.endpoints).toEqual({
      infoUrl: "http://127.0.0.1:4000/info",
      exchangeUrl: "http://127.0.0.1:4000/exchange",
      wsUrl: "ws://127.0.0.1:4000/ws",
    });
  });
});

describe("loadConfig sources", () => {
  const file = {
    coins: ["HYPE", "BTC"],
    strategy: { clipSize: "2", openThresholdBps: "20" },
    risk: { maxClip: "3" },
    persistence: { journalDir: "/var/lib/hlbasis/journal", databaseUrl: "postgres://bot@db:5432/hlbasis" },
    secretSources: {
      agentKey: { awsSecretArn: "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:agent" },
    },
  };

  it("reads the file named by --config, and the environment overrides it", () => {
    const config = load(
      { HLB_CLIP_SIZE: "0.5", HLB_COINS: " HYPE , ETH,", HLB_RISK_ORDERS_PER_MINUTE: "30" },
      withFile(file),
    );
    expect(config.coins).toEqual(["HYPE", "ETH"]);
    expect(config.strategy).toMatchObject({ clipSize: "0.5", openThresholdBps: "20" });
    expect(config.risk).toMatchObject({ maxClip: "3", ordersPerMinute: 30 });
    expect(config.persistence.journalDir).toBe("/var/lib/hlbasis/journal");
    expect(config.persistence.databaseUrl).toBe("postgres://bot@db:5432/hlbasis");
    expect(config.secretSources.agentKey).toEqual({
      awsSecretArn: "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:agent",
    });
  });

  it("accepts --config=<path> and HLB_CONFIG_FILE, the flag winning", () => {
    const { argv } = withFile(file);
    const path = argv?.[1] ?? "";
    expect(load({}, { argv: [`--config=${path}`] }).coins).toEqual(["HYPE", "BTC"]);
    expect(load({ HLB_CONFIG_FILE: path }).coins).toEqual(["HYPE", "BTC"]);
    expect(load({ HLB_CONFIG_FILE: "/nonexistent.json" }, { argv: ["--config", path] }).coins).toEqual([
      "HYPE",
      "BTC",
    ]);
  });

  it("replaces a secret source as a whole from its variable group", () => {
    const config = load(
      { HLB_AGENT_KEY_ENV: "MY_AGENT_KEY", HLB_MASTER_KEY_ENV: "HLB_MASTER_PRIVATE_KEY" },
      withFile(file),
    );
    expect(config.secretSources.agentKey).toEqual({ env: "MY_AGENT_KEY" });
    expect(config.secretSources.masterKey).toEqual({ env: "HLB_MASTER_PRIVATE_KEY" });
    const fromArn = load({
      HLB_CONTROL_TOKEN_SECRET_ARN: "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:hlb-AbCd12",
      HLB_CONTROL_TOKEN_SECRET_JSON_KEY: "token",
    });
    expect(fromArn.secretSources.controlToken).toEqual({
      awsSecretArn: "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:hlb-AbCd12",
      jsonKey: "token",
    });
  });

  it("lets the secret variables the sources name exist alongside the settings", () => {
    expect(() =>
      load({
        HLB_AGENT_PRIVATE_KEY: "x",
        HLB_MASTER_PRIVATE_KEY: "x",
        HLB_CONTROL_TOKEN: "x",
        HLB_AGENT_KEY_ENV: "HLB_OTHER_AGENT_KEY",
        HLB_OTHER_AGENT_KEY: "x",
      }),
    ).not.toThrow();
  });

  it("treats an empty variable as unset", () => {
    expect(load({ HLB_CLIP_SIZE: "", HLB_MODE: "" }).strategy.clipSize).toBe("1");
  });
});

describe("live mode", () => {
  const live = { HLB_MODE: "live", HLB_ACCOUNT_ADDRESS: ADDRESS };

  it("is refused without HLB_LIVE_CONFIRM=I_UNDERSTAND", () => {
    const problems = problemsOf(live);
    expect(problems).toEqual([
      expect.objectContaining({ path: "mode", origin: "env HLB_MODE", got: '"live"' }),
    ]);
    expect(problems[0]?.expected).toContain("HLB_LIVE_CONFIRM=I_UNDERSTAND");
    expect(problemsOf({ ...live, HLB_LIVE_CONFIRM: "yes" }).map((p) => p.path)).toEqual([
      "mode",
      "liveConfirm",
    ]);
  });

  it("is accepted with the confirmation, trading mainnet for the given (lower-cased) address", () => {
    const config = load({ ...live, HLB_LIVE_CONFIRM: "I_UNDERSTAND" });
    expect(config).toMatchObject({ mode: "live", network: "mainnet", accountAddress: ADDRESS.toLowerCase() });
  });

  it("needs the account address", () => {
    const problems = problemsOf({ HLB_MODE: "live", HLB_LIVE_CONFIRM: "I_UNDERSTAND" });
    expect(problems.map((p) => p.path)).toEqual(["accountAddress"]);
  });

  it("reports the missing confirmation even when other fields are invalid too", () => {
    const paths = problemsOf({ ...live, HLB_CLIP_SIZE: "lots" }).map((p) => p.path);
    expect(paths).toContain("mode");
    expect(paths).toContain("strategy.clipSize");
  });

  it("cannot be confirmed from a file", () => {
    const problems = problemsOf(live, withFile({ liveConfirm: "I_UNDERSTAND" }));
    expect(problems.map((p) => p.path).sort()).toEqual(["liveConfirm", "mode"]);
  });
});

describe("ConfigError", () => {
  it("lists every problem with path, origin, expectation and value", () => {
    const message = messageOf(
      {
        HLB_CLIP_SIZE: "1e3",
        HLB_RISK_MAX_OPEN_INTENTS: "three",
        HLB_FEED_STALE_AFTER_MS: "5",
        HLB_NETWORK: "moon",
        HLB_RISK_MAX_CLP: "5",
      },
      withFile({ risk: { maxPositionNotionalUsdc: 1000.5, dailyLossLimit: "50" }, coins: ["HYPE", "HYPE"] }),
    );
    const lines = message.split("\n");
    expect(lines[0]).toBe("invalid configuration (8 problems):");
    expect(message).toContain(
      'strategy.clipSize [env HLB_CLIP_SIZE]: a decimal string > 0, e.g. "1" (a string, not a JSON number) (got "1e3")',
    );
    expect(message).toContain(
      'risk.maxOpenIntents [env HLB_RISK_MAX_OPEN_INTENTS]: an integer from 1 to 100 (got "three")',
    );
    expect(message).toContain(
      "feed.staleAfterMs [env HLB_FEED_STALE_AFTER_MS]: an integer from 50 to 60000 milliseconds (got 5)",
    );
    expect(message).toContain('network [env HLB_NETWORK]: one of "mainnet", "testnet", "sim" (got "moon")');
    expect(message).toContain("HLB_RISK_MAX_CLP [environment]: no such setting");
    expect(message).toMatch(
      /risk\.maxPositionNotionalUsdc \[file .*config\.json\]: a decimal string > 0.*\(got 1000\.5\)/,
    );
    expect(message).toMatch(/risk\.dailyLossLimit \[file .*\]: no such setting .*\(got "50"\)/);
    expect(message).toMatch(/coins \[file .*\]: coin names without duplicates \(got \["HYPE","HYPE"\]\)/);
  });

  it("rejects money-like values given as JSON numbers", () => {
    const problems = problemsOf({}, withFile({ strategy: { clipSize: 0.1 }, risk: { maxClip: 5 } }));
    expect(problems.map((p) => p.path).sort()).toEqual(["risk.maxClip", "strategy.clipSize"]);
  });

  it("checks cross-field rules", () => {
    const problems = problemsOf({
      HLB_OPEN_THRESHOLD_BPS: "10",
      HLB_CLOSE_THRESHOLD_BPS: "10.0",
      HLB_CLIP_SIZE: "6",
      HLB_FEED_PING_INTERVAL_MS: "5000",
      HLB_FEED_PONG_TIMEOUT_MS: "5000",
      HLB_FEED_RECONNECT_BACKOFF_MIN_MS: "40000",
      HLB_INFO_URL: "http://127.0.0.1:4000/info",
    });
    expect(problems.map((p) => p.path).sort()).toEqual([
      "endpoints",
      "feed.pongTimeoutMs",
      "feed.reconnectBackoffMinMs",
      "strategy.clipSize",
      "strategy.closeThresholdBps",
    ]);
    expect(problemsOf({ HLB_MODE: "paper", HLB_NETWORK: "sim" }).map((p) => p.path)).toEqual(["network"]);
    expect(problemsOf({ HLB_NETWORK: "mainnet" }).map((p) => p.path)).toEqual(["network"]);
  });

  it("compares decimals exactly, not as floats", () => {
    expect(
      load({ HLB_CLIP_SIZE: "5.000000000000000000001", HLB_RISK_MAX_CLIP: "5.000000000000000000001" })
        .strategy.clipSize,
    ).toBe("5.000000000000000000001");
    expect(problemsOf({ HLB_CLIP_SIZE: "5.000000000000000000001" }).map((p) => p.path)).toEqual([
      "strategy.clipSize",
    ]);
  });

  it("validates secret sources and never prints what was given", () => {
    const key = `0x${"ab".repeat(32)}`;
    const message = messageOf({
      HLB_AGENT_KEY_ENV: key,
      HLB_MASTER_KEY_ENV: "X",
      HLB_MASTER_KEY_SECRET_ARN: "arn:x",
    });
    expect(message).toContain("secretSources.agentKey [env HLB_AGENT_KEY_ENV]: a secret source");
    expect(message).toContain("secretSources.masterKey [env HLB_MASTER_KEY_ENV+HLB_MASTER_KEY_SECRET_ARN]");
    expect(message).not.toContain("ab".repeat(32));
    expect(message).toContain("[REDACTED]");
  });

  it("refuses key material in a file wherever it is, without printing it", () => {
    const key = "cd".repeat(32);
    const message = messageOf(
      {},
      withFile({ secretSources: { agentKey: { privateKey: key } }, note: `0x${key}` }),
    );
    expect(message).not.toContain(key);
    expect(message).toMatch(
      /secretSources\.agentKey\.privateKey \[file .*\]: no key material in a config file/,
    );
    expect(message).toMatch(/note \[file .*\]: no key material in a config file/);
  });

  it("masks URL passwords and key-shaped hex in values it shows", () => {
    const message = messageOf({
      HLB_DATABASE_URL: "mysql://bot:hunter2@db/x",
      HLB_SERVICE_NAME: "",
      HLB_COINS: `HYPE,${"ef".repeat(32)}`,
    });
    expect(message).toContain("persistence.databaseUrl [env HLB_DATABASE_URL]: a postgres or postgresql URL");
    expect(message).toContain("mysql://bot:[REDACTED]@db/x");
    expect(message).not.toContain("hunter2");
    expect(message).not.toContain("ef".repeat(32));
  });

  it("reports an unreadable or malformed file without quoting its content", () => {
    expect(problemsOf({}, { argv: ["--config", "/nonexistent/hlb.json"] })).toEqual([
      {
        path: "/nonexistent/hlb.json",
        origin: "--config",
        expected: "a readable JSON configuration file (reading it failed: ENOENT)",
        got: null,
      },
    ]);
    const secretish = "s3cr3t-but-not-json";
    const message = messageOf({}, withFile(`{"a": ${secretish}}`));
    expect(message).toMatch(/: valid JSON \(parsing failed/);
    expect(message).not.toContain(secretish);
    expect(problemsOf({}, withFile("[1,2]"))[0]?.expected).toBe("a JSON object of settings at the top level");
    expect(problemsOf({}, { argv: ["--config"] })[0]?.path).toBe("--config");
  });

  it("names a section that is not an object and keeps the file's value as the thing to fix", () => {
    const problems = problemsOf({ HLB_CLIP_SIZE: "1" }, withFile({ strategy: "aggressive" }));
    expect(problems).toEqual([
      expect.objectContaining({ path: "strategy", expected: "an object of strategy settings" }),
    ]);
  });
});
