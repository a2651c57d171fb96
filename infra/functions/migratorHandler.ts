/**
 * The migrator Lambda's entry point (`handler`), behind the schema-migrations custom resource. Environment:
 * the database variables every Lambda reads (`DATABASE_SECRET_ARN` [+ `DATABASE_HOST`, `DATABASE_TLS`] or
 * `DATABASE_URL`; lambdas/README.md). Log lines are JSON, like every other function's.
 */

import { z } from "zod";

import { databaseEnv, databaseSourceOf, parseLambdaEnv } from "../../lambdas/db/lambdaEnv.js";
import { createMigratorHandler } from "./migrator.js";

export class MigratorConfigError extends Error {
  override readonly name = "MigratorConfigError";
}

const config = parseLambdaEnv(
  z.object({ ...databaseEnv(60_000) }),
  process.env,
  (detail) => new MigratorConfigError(`migrator configuration invalid: ${detail}`),
);

export const handler = createMigratorHandler({
  database: databaseSourceOf(config),
  log: (line) => console.log(JSON.stringify({ level: "INFO", service: "migrator", message: line })),
});
