/**
 * The trade-writer's configuration, from its own environment variables (documented in lambdas/README.md).
 * Lambdas do not use the hot path's `HLB_*` namespace: each reads only the variables listed here.
 */

import { z } from "zod";

export class TradeWriterConfigError extends Error {
  override readonly name = "TradeWriterConfigError";
}

const intFromEnv = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const envSchema = z.object({
  DATABASE_URL: z
    .string({ error: "DATABASE_URL is required" })
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgres:// URL"),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  DB_POOL_MAX: intFromEnv(1, 1, 20),
  DB_CONNECT_TIMEOUT_MS: intFromEnv(5_000, 100, 60_000),
  DB_STATEMENT_TIMEOUT_MS: intFromEnv(15_000, 100, 300_000),
});

export type TradeWriterConfig = z.infer<typeof envSchema>;

/** Reads and validates the environment; an empty variable counts as unset. */
export function loadTradeWriterConfig(env: NodeJS.ProcessEnv = process.env): TradeWriterConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new TradeWriterConfigError(`trade-writer configuration invalid: ${detail}`);
  }
  return parsed.data;
}
