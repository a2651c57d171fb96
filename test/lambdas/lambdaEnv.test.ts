/**
 * The database half of every Lambda's environment: DATABASE_URL or an RDS credentials secret
 * (DATABASE_SECRET_ARN + DATABASE_HOST + DATABASE_TLS), the secret's parsing and its mapping to `pg`
 * settings, and the once-per-environment fetch.
 */

import { describe, expect, it } from "vitest";

import { EdgeWriterConfigError, loadEdgeWriterConfig } from "../../lambdas/edge-writer/config.js";
import {
  DatabaseConfigError,
  DatabaseSecretError,
  databaseConnection,
  databaseSourceOf,
  parseDatabaseSecret,
  pgConfigFromSecret,
} from "../../lambdas/db/lambdaEnv.js";
import { loadTradeWriterConfig } from "../../lambdas/trade-writer/config.js";

const ARN = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:hlbasis/database-AbCdEf";
const PROXY = "hlbasis.proxy-abc123.ap-northeast-1.rds.amazonaws.com";
const SECRET_JSON = JSON.stringify({
  engine: "postgres",
  host: "hlbasis-db.abc123.ap-northeast-1.rds.amazonaws.com",
  port: 5432,
  username: "hlbasis",
  password: "s3cr3t-p@ss:/word",
  dbname: "hlbasis",
  dbInstanceIdentifier: "hlbasis-db",
});

describe("database source in the Lambda environment", () => {
  it("accepts DATABASE_SECRET_ARN with DATABASE_HOST and DATABASE_TLS instead of DATABASE_URL", () => {
    const config = loadTradeWriterConfig({
      DATABASE_SECRET_ARN: ARN,
      DATABASE_HOST: PROXY,
      DATABASE_TLS: "require",
      DATABASE_URL: "",
    });
    expect(databaseSourceOf(config)).toEqual({ kind: "secret", secretArn: ARN, host: PROXY, tls: "require" });
  });

  it("defaults TLS to verify-full and the host to the secret's", () => {
    const config = loadEdgeWriterConfig({ DATABASE_SECRET_ARN: ARN });
    expect(databaseSourceOf(config)).toEqual({
      kind: "secret",
      secretArn: ARN,
      host: undefined,
      tls: "verify-full",
    });
  });

  it("keeps DATABASE_URL as it was", () => {
    const config = loadEdgeWriterConfig({ DATABASE_URL: "postgres://u@h:5432/db" });
    expect(databaseSourceOf(config)).toEqual({ kind: "url", url: "postgres://u@h:5432/db" });
  });

  it("requires exactly one of DATABASE_URL and DATABASE_SECRET_ARN, with a typed error", () => {
    expect(() => loadEdgeWriterConfig({})).toThrow(EdgeWriterConfigError);
    expect(() => loadEdgeWriterConfig({})).toThrow(/DATABASE_URL is required \(or DATABASE_SECRET_ARN/);
    expect(() =>
      loadEdgeWriterConfig({ DATABASE_URL: "postgres://u@h/db", DATABASE_SECRET_ARN: ARN }),
    ).toThrow(/set DATABASE_URL or DATABASE_SECRET_ARN, not both/);
  });

  it("refuses DATABASE_HOST / DATABASE_TLS next to a URL, a malformed ARN, host or TLS mode", () => {
    expect(() => loadEdgeWriterConfig({ DATABASE_URL: "postgres://u@h/db", DATABASE_HOST: PROXY })).toThrow(
      /DATABASE_HOST: only with DATABASE_SECRET_ARN/,
    );
    expect(() => loadEdgeWriterConfig({ DATABASE_SECRET_ARN: "hlbasis/database" })).toThrow(
      /DATABASE_SECRET_ARN must be a Secrets Manager secret ARN/,
    );
    expect(() => loadEdgeWriterConfig({ DATABASE_SECRET_ARN: ARN, DATABASE_HOST: "a b" })).toThrow(
      /DATABASE_HOST must be a host name/,
    );
    expect(() => loadEdgeWriterConfig({ DATABASE_SECRET_ARN: ARN, DATABASE_TLS: "prefer" })).toThrow(
      /DATABASE_TLS/,
    );
  });

  it("databaseSourceOf refuses an unchecked environment with neither source", () => {
    expect(() => databaseSourceOf({})).toThrow(DatabaseConfigError);
  });
});

describe("RDS credentials secret → pg settings", () => {
  it("parses the RDS secret JSON and maps it, the proxy host replacing the instance's", () => {
    const secret = parseDatabaseSecret(SECRET_JSON, ARN);
    expect(pgConfigFromSecret(secret, { host: PROXY, tls: "verify-full" })).toEqual({
      host: PROXY,
      port: 5432,
      user: "hlbasis",
      password: "s3cr3t-p@ss:/word",
      database: "hlbasis",
      ssl: { rejectUnauthorized: true },
    });
  });

  it("maps each TLS mode, keeps the secret's host without an override, defaults dbname to postgres", () => {
    const secret = parseDatabaseSecret(
      JSON.stringify({ host: "db.internal", port: "6432", username: "u", password: "p" }),
      ARN,
    );
    expect(secret).toEqual({
      host: "db.internal",
      port: 6432,
      username: "u",
      password: "p",
      dbname: "postgres",
    });
    expect(pgConfigFromSecret(secret, { host: undefined, tls: "require" })).toMatchObject({
      host: "db.internal",
      ssl: { rejectUnauthorized: false },
    });
    expect(pgConfigFromSecret(secret, { host: undefined, tls: "disable" })).toMatchObject({ ssl: false });
  });

  it("names missing fields and never echoes the secret text", () => {
    const broken = JSON.stringify({ host: "db", port: 5432, username: "u", password: "" });
    expect(() => parseDatabaseSecret(broken, ARN)).toThrow(DatabaseSecretError);
    expect(() => parseDatabaseSecret(broken, ARN)).toThrow(/missing or invalid password/);
    const notJson = '{"password":"hunter2hunter2"';
    expect(() => parseDatabaseSecret(notJson, ARN)).toThrow(/is not JSON \(parse error not shown\)/);
    try {
      parseDatabaseSecret(notJson, ARN);
    } catch (error) {
      expect(String(error)).not.toContain("hunter2");
      expect((error as Error).cause).toBeUndefined();
    }
  });
});

describe("databaseConnection", () => {
  it("passes a URL through without fetching anything", async () => {
    const fetched: string[] = [];
    const config = await databaseConnection({ kind: "url", url: "postgres://u@h/db" }, (arn) => {
      fetched.push(arn);
      return Promise.resolve(SECRET_JSON);
    });
    expect(config).toEqual({ connectionString: "postgres://u@h/db" });
    expect(fetched).toEqual([]);
  });

  it("fetches a secret once per ARN and keeps it; a failed fetch is retried by the next call", async () => {
    const arn = `${ARN}-once`;
    let calls = 0;
    const fetchSecret = (): Promise<string> => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error("throttled")) : Promise.resolve(SECRET_JSON);
    };
    const source = { kind: "secret", secretArn: arn, host: PROXY, tls: "verify-full" } as const;
    await expect(databaseConnection(source, fetchSecret)).rejects.toThrow(
      new RegExp(`reading database secret ${arn} failed \\(Error: throttled\\)`),
    );
    const first = await databaseConnection(source, fetchSecret);
    const second = await databaseConnection({ ...source, tls: "require" }, fetchSecret);
    expect(calls).toBe(2);
    expect(first).toMatchObject({ host: PROXY, user: "hlbasis", ssl: { rejectUnauthorized: true } });
    expect(second).toMatchObject({ host: PROXY, ssl: { rejectUnauthorized: false } });
  });
});
