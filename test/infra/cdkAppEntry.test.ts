/**
 * `infra/app.ts` itself (what `npx cdk synth` runs), imported in-process the way the CDK CLI's child process
 * runs it: it reads CDK_CONTEXT_JSON and writes to CDK_OUTDIR. Both targets synthesize offline with no AWS
 * credentials and cdk-nag registered (synthesis fails on a finding). Bundling is skipped through CDK's own
 * `aws:cdk:bundling-stacks` context (the template tests bundle for real).
 */

import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, afterEach, describe, expect, it, vi } from "vitest";

import { CDK_JSON_CONTEXT } from "./synthFixture.js";

const dirs: string[] = [];

afterEach(() => {
  vi.unstubAllEnvs();
});

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function synthApp(context: Record<string, unknown>): Promise<string> {
  const outdir = mkdtempSync(join(tmpdir(), "hlbasis-cdk-"));
  dirs.push(outdir);
  vi.stubEnv("CDK_OUTDIR", outdir);
  // What the CLI passes: cdk.json's context merged with `-c` values.
  vi.stubEnv(
    "CDK_CONTEXT_JSON",
    JSON.stringify({ ...CDK_JSON_CONTEXT, ...context, "aws:cdk:bundling-stacks": [] }),
  );
  // No credentials, no config: synthesis must not need them.
  vi.stubEnv("AWS_CONFIG_FILE", "/dev/null");
  vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
  vi.resetModules();
  await import("../../infra/app.js");
  return outdir;
}

const templates = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith(".template.json"))
    .sort();

describe("infra/app.ts", () => {
  it("synthesizes the aws target offline", async () => {
    const aws = await synthApp({});
    expect(templates(aws)).toEqual([
      "Hlbasis-Data.template.json",
      "Hlbasis-Host.template.json",
      "Hlbasis-Messaging.template.json",
      "Hlbasis-Network.template.json",
      "Hlbasis-Observability.template.json",
    ]);
    const manifest = JSON.parse(readFileSync(join(aws, "manifest.json"), "utf8")) as {
      artifacts: Record<string, { environment?: string }>;
    };
    expect(manifest.artifacts["Hlbasis-Host"]?.environment).toBe("aws://unknown-account/ap-northeast-1");
    expect(readdirSync(aws)).toContain("validation-report.json");
  }, 90_000);

  it("synthesizes the localstack target offline", async () => {
    const localstack = await synthApp({
      target: "localstack",
      databaseUrl: "postgres://hlbasis:hlbasis@postgres:5432/hlbasis",
    });
    expect(templates(localstack)).toEqual(["Hlbasis-Messaging.template.json"]);
  }, 90_000);

  it("refuses a bad context with every problem listed", async () => {
    await expect(synthApp({ target: "gcp", hostInstanceType: "c7g.xlarge" })).rejects.toThrow(
      /target: one of aws, localstack[\s\S]*hostInstanceType: a arm64 type with 2 physical cores/,
    );
  });
});
