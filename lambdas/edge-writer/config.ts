/**
 * The edge-writer's configuration, from its own environment variables (documented in lambdas/README.md).
 * Lambdas do not use the hot path's `HLB_*` namespace: each reads only the variables listed here.
 */

import { z } from "zod";

import { databaseEnv, parseLambdaEnv } from "../db/lambdaEnv.js";

import { EDGE_INSERT_METHODS } from "./edgeStore.js";

export class EdgeWriterConfigError extends Error {
  override readonly name = "EdgeWriterConfigError";
}

const envSchema = z.object({
  ...databaseEnv(15_000),
  EDGE_INSERT_METHOD: z.enum(EDGE_INSERT_METHODS).default("auto"),
});

export type EdgeWriterConfig = z.infer<typeof envSchema>;

/** Reads and validates the environment; an empty variable counts as unset. */
export function loadEdgeWriterConfig(env: NodeJS.ProcessEnv = process.env): EdgeWriterConfig {
  return parseLambdaEnv(
    envSchema,
    env,
    (detail) => new EdgeWriterConfigError(`edge-writer configuration invalid: ${detail}`),
  );
}
