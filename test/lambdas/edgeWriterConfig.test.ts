import { describe, expect, it } from "vitest";

import { EdgeWriterConfigError, loadEdgeWriterConfig } from "../../lambdas/edge-writer/config.js";

describe("edge-writer configuration", () => {
  it("reads DATABASE_URL and applies defaults (empty counts as unset)", () => {
    const config = loadEdgeWriterConfig({ DATABASE_URL: "postgres://u@h:5432/db", LOG_LEVEL: "" });
    expect(config).toEqual({
      DATABASE_URL: "postgres://u@h:5432/db",
      LOG_LEVEL: "info",
      DB_POOL_MAX: 1,
      DB_CONNECT_TIMEOUT_MS: 5_000,
      DB_STATEMENT_TIMEOUT_MS: 15_000,
      EDGE_INSERT_METHOD: "auto",
    });
  });

  it("fails with a typed error naming the variable, without echoing the URL", () => {
    expect(() => loadEdgeWriterConfig({})).toThrow(EdgeWriterConfigError);
    expect(() => loadEdgeWriterConfig({})).toThrow(/DATABASE_URL is required/);
    const secretUrl = "mysql://user:hunter2@h/db";
    expect(() => loadEdgeWriterConfig({ DATABASE_URL: secretUrl })).toThrow(/must be a postgres:\/\/ URL/);
    try {
      loadEdgeWriterConfig({ DATABASE_URL: secretUrl, DB_POOL_MAX: "0" });
    } catch (error) {
      expect(String(error)).not.toContain("hunter2");
      expect(String(error)).toMatch(/DB_POOL_MAX/);
    }
  });
});
