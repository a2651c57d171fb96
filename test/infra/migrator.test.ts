/**
 * The schema-migrations custom resource's function, against a real Postgres and a real HTTP server standing
 * in for CloudFormation's pre-signed response URL.
 */

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import type { CloudFormationCustomResourceEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  type CustomResourceResponse,
  MIGRATIONS_PHYSICAL_ID,
  createMigratorHandler,
  migrationUrlOf,
} from "../../infra/functions/migrator.js";
import { type TestPostgres, startTestPostgres } from "../support/postgres.js";

let db: TestPostgres;
let server: Server;
let responseUrl: string;
const responses: { method: string; contentType: string | undefined; body: CustomResourceResponse }[] = [];

beforeAll(async () => {
  db = await startTestPostgres();
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      responses.push({
        method: req.method ?? "",
        contentType: req.headers["content-type"],
        body: JSON.parse(body) as CustomResourceResponse,
      });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/signed`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await db?.stop();
});

function event(
  requestType: "Create" | "Update" | "Delete",
  requestId: string,
): CloudFormationCustomResourceEvent {
  const common = {
    ServiceToken: "arn:aws:lambda:ap-northeast-1:123456789012:function:migrator",
    ResponseURL: responseUrl,
    StackId: "arn:aws:cloudformation:ap-northeast-1:123456789012:stack/Hlbasis-Data/x",
    RequestId: requestId,
    LogicalResourceId: "SchemaMigrations",
    ResourceType: "Custom::HlbasisSchemaMigrations",
    ResourceProperties: { ServiceToken: "t", MigrationsHash: "abc" },
  };
  if (requestType === "Create") return { ...common, RequestType: "Create" };
  if (requestType === "Update") {
    return {
      ...common,
      RequestType: "Update",
      PhysicalResourceId: MIGRATIONS_PHYSICAL_ID,
      OldResourceProperties: { ServiceToken: "t" },
    };
  }
  return { ...common, RequestType: "Delete", PhysicalResourceId: MIGRATIONS_PHYSICAL_ID };
}

describe("schema migrations custom resource", () => {
  it("applies the migrations on Create, nothing on Update, nothing on Delete; answers SUCCESS each time", async () => {
    const lines: string[] = [];
    const handler = createMigratorHandler({
      database: { kind: "url", url: db.url },
      log: (line) => lines.push(line),
    });
    await handler(event("Create", "r1"), { logStreamName: "stream-1" });
    await handler(event("Update", "r2"), { logStreamName: "stream-1" });
    await handler(event("Delete", "r3"), { logStreamName: "stream-1" });
    expect(responses.map((r) => [r.method, r.contentType, r.body.RequestId, r.body.Status])).toEqual([
      ["PUT", "", "r1", "SUCCESS"],
      ["PUT", "", "r2", "SUCCESS"],
      ["PUT", "", "r3", "SUCCESS"],
    ]);
    expect(responses[0]!.body.Data["Applied"]).toMatch(/^0001_edges,0002_trading-lineage,/);
    expect(responses[1]!.body.Data["Applied"]).toBe("");
    expect(responses.every((r) => r.body.PhysicalResourceId === MIGRATIONS_PHYSICAL_ID)).toBe(true);
    expect(lines).toContain("database is up to date");
  });

  it("answers FAILED with the reason when the database cannot be reached", async () => {
    responses.length = 0;
    const handler = createMigratorHandler({
      database: { kind: "url", url: "postgres://nobody@127.0.0.1:1/none" },
      log: () => undefined,
    });
    await handler(event("Create", "r4"), { logStreamName: "stream-2" });
    expect(responses).toHaveLength(1);
    expect(responses[0]!.body).toMatchObject({ Status: "FAILED", RequestId: "r4" });
    expect(responses[0]!.body.Reason).toMatch(/MigrationError: .*\(log stream stream-2\)$/);
  });

  it("builds node-pg-migrate's URL from secret credentials, escaping them, with the TLS mode", () => {
    const url = migrationUrlOf({
      host: "db.internal",
      port: 5432,
      user: "hlbasis",
      password: "p@ss/w:rd",
      database: "hlbasis",
      ssl: { rejectUnauthorized: true },
    });
    expect(url).toBe("postgres://hlbasis:p%40ss%2Fw%3Ard@db.internal:5432/hlbasis?sslmode=verify-full");
    expect(new URL(url).password).toBe("p%40ss%2Fw%3Ard");
    expect(migrationUrlOf({ connectionString: "postgres://u@h/d" })).toBe("postgres://u@h/d");
  });
});
