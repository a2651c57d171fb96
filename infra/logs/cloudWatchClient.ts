/**
 * The CloudWatch Logs client for a `--region`/`--endpoint` choice.
 *
 * Against a custom endpoint (LocalStack) with no credentials configured, LocalStack's conventional
 * `test`/`test` pair is used: LocalStack accepts any, and without one the SDK's provider chain would fail
 * (or, worse, find and send an operator's real AWS credentials to a local emulator).
 */

import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";

import type { LogsSource } from "./cliArgs.js";

export const LOCALSTACK_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" } as const;

export function createCloudWatchLogsClient(
  source: Extract<LogsSource, { kind: "cloudwatch" }>,
  env: Readonly<Record<string, string | undefined>>,
): CloudWatchLogsClient {
  const configured =
    nonEmpty(env["AWS_ACCESS_KEY_ID"]) ||
    nonEmpty(env["AWS_PROFILE"]) ||
    nonEmpty(env["AWS_WEB_IDENTITY_TOKEN_FILE"]);
  return new CloudWatchLogsClient({
    region: source.region,
    ...(source.endpoint === undefined ? {} : { endpoint: source.endpoint }),
    ...(source.endpoint !== undefined && !configured ? { credentials: LOCALSTACK_CREDENTIALS } : {}),
  });
}

function nonEmpty(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== "";
}
