/**
 * The migration custom resource: CloudFormation asks (Create/Update), this applies every pending SQL
 * migration in `lambdas/db/migrations/` with `migrateUp` (node-pg-migrate, advisory lock, one transaction
 * per file) and answers on the pre-signed response URL. Delete does nothing: the schema outlives the stack.
 *
 * A Lambda-backed custom resource without the CDK provider framework: one function, no extra framework
 * Lambdas, and the response protocol is small enough to own (tested against a real HTTP server).
 */

import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

import type { CloudFormationCustomResourceEvent, Context } from "aws-lambda";

import {
  type DatabaseSource,
  type PgConnectionConfig,
  databaseConnection,
} from "../../lambdas/db/lambdaEnv.js";
import { migrateUp } from "../../lambdas/db/migrate.js";

/** One physical id for the life of the stack: an update never looks like a replacement. */
export const MIGRATIONS_PHYSICAL_ID = "hlbasis-schema-migrations";

export interface CustomResourceResponse {
  readonly Status: "SUCCESS" | "FAILED";
  readonly Reason: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data: Readonly<Record<string, string>>;
}

/** Pure: the body CloudFormation expects for `event`, success with `data` or failure with `error`. */
export function customResourceResponse(
  event: CloudFormationCustomResourceEvent,
  outcome: { readonly data: Readonly<Record<string, string>> } | { readonly error: string },
  logStreamName: string,
): CustomResourceResponse {
  const failed = "error" in outcome;
  return {
    Status: failed ? "FAILED" : "SUCCESS",
    // CloudFormation shows Reason in the stack events; it must stay short (4 KB response limit overall).
    Reason: failed
      ? `${outcome.error} (log stream ${logStreamName})`.slice(0, 1000)
      : `see log stream ${logStreamName}`,
    PhysicalResourceId: MIGRATIONS_PHYSICAL_ID,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: failed ? {} : outcome.data,
  };
}

/** Pure: a `postgres://` URL for node-pg-migrate from the resolved connection settings. */
export function migrationUrlOf(config: PgConnectionConfig): string {
  if ("connectionString" in config) return config.connectionString;
  const user = encodeURIComponent(config.user);
  const password = encodeURIComponent(config.password);
  const sslmode =
    config.ssl === false ? "disable" : config.ssl.rejectUnauthorized ? "verify-full" : "no-verify";
  return `postgres://${user}:${password}@${config.host}:${config.port}/${encodeURIComponent(config.database)}?sslmode=${sslmode}`;
}

export class CustomResourceResponseError extends Error {
  override readonly name = "CustomResourceResponseError";
}

/** PUTs the response to the pre-signed URL (S3); CloudFormation waits for it, so failures are retried. */
export async function sendCustomResourceResponse(
  responseUrl: string,
  body: CustomResourceResponse,
): Promise<void> {
  const payload = JSON.stringify(body);
  const url = new URL(responseUrl);
  const request = url.protocol === "http:" ? httpRequest : httpsRequest;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          url,
          // The URL is signed without a content type: send none.
          { method: "PUT", headers: { "content-type": "", "content-length": Buffer.byteLength(payload) } },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("error", reject);
        req.setTimeout(10_000, () => req.destroy(new Error("response PUT timed out")));
        req.end(payload);
      });
      if (status >= 200 && status < 300) return;
      lastError = new Error(`HTTP ${status}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
  }
  const detail = lastError instanceof Error ? lastError.message : String(lastError);
  throw new CustomResourceResponseError(`sending the custom resource response failed: ${detail}`, {
    cause: lastError,
  });
}

export interface MigratorOptions {
  readonly database: DatabaseSource;
  readonly log: (line: string) => void;
  readonly fetchSecret?: (secretArn: string) => Promise<string>;
}

export function createMigratorHandler(
  options: MigratorOptions,
): (event: CloudFormationCustomResourceEvent, context: Pick<Context, "logStreamName">) => Promise<void> {
  return async (event, context) => {
    let outcome: { data: Record<string, string> } | { error: string };
    try {
      if (event.RequestType === "Delete") {
        outcome = { data: { Applied: "" } };
      } else {
        const connection = await databaseConnection(options.database, options.fetchSecret);
        const applied = await migrateUp({ databaseUrl: migrationUrlOf(connection), log: options.log });
        options.log(applied.length === 0 ? "database is up to date" : `applied: ${applied.join(", ")}`);
        outcome = { data: { Applied: applied.join(",") } };
      }
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      options.log(`migration failed: ${message}`);
      outcome = { error: message };
    }
    await sendCustomResourceResponse(
      event.ResponseURL,
      customResourceResponse(event, outcome, context.logStreamName),
    );
  };
}
