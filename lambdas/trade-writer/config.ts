/**
 * The trade-writer's configuration, from its own environment variables (documented in lambdas/README.md).
 * Lambdas do not use the hot path's `HLB_*` namespace: each reads only the variables listed here.
 */

import { z } from "zod";

import { databaseEnv, parseLambdaEnv } from "../db/lambdaEnv.js";

export class TradeWriterConfigError extends Error {
  override readonly name = "TradeWriterConfigError";
}

const envSchema = z.object({
  ...databaseEnv(15_000),
});

export type TradeWriterConfig = z.infer<typeof envSchema>;

/** Reads and validates the environment; an empty variable counts as unset. */
export function loadTradeWriterConfig(env: NodeJS.ProcessEnv = process.env): TradeWriterConfig {
  return parseLambdaEnv(
    envSchema,
    env,
    (detail) => new TradeWriterConfigError(`trade-writer configuration invalid: ${detail}`),
  );
}
