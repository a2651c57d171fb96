/**
 * What every Lambda here reads from its environment the same way: the database connection and pool, the
 * log level, and the rule that an empty variable counts as unset. Each Lambda adds its own variables to
 * `DATABASE_ENV` and parses with `parseLambdaEnv`; Lambdas do not use the hot path's `HLB_*` namespace.
 */

import { z } from "zod";

/** An integer variable within [min, max], `fallback` when unset. */
export const intFromEnv = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** The database and logging variables of every Lambda (documented in lambdas/README.md). */
export function databaseEnv(statementTimeoutDefaultMs: number) {
  return {
    DATABASE_URL: z
      .string({ error: "DATABASE_URL is required" })
      .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgres:// URL"),
    LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
    DB_POOL_MAX: intFromEnv(1, 1, 20),
    DB_CONNECT_TIMEOUT_MS: intFromEnv(5_000, 100, 60_000),
    DB_STATEMENT_TIMEOUT_MS: intFromEnv(statementTimeoutDefaultMs, 100, 300_000),
  };
}

/**
 * Validates `env` (empty variables dropped) against `schema`; on failure throws `fail(detail)` with every
 * problem as `NAME: reason`, `; `-separated.
 */
export function parseLambdaEnv<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv,
  fail: (detail: string) => Error,
): z.output<S> {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw fail(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "));
  }
  return parsed.data;
}
