/**
 * The rebalancer Lambda's configuration, from its environment (documented in lambdas/README.md,
 * "rebalancer"). Database settings are named like the edge-writer's; the master key's source uses the
 * hot path configuration's own variable group (`HLB_MASTER_KEY_SECRET_ARN` [+ `_SECRET_JSON_KEY`] or
 * `HLB_MASTER_KEY_ENV`), so one secret is pointed at the same way everywhere. The key itself is never in
 * the configuration, only where to find it.
 */

import { z } from "zod";

import { NETWORK_ENDPOINTS } from "../../hotpath/config/endpoints.js";
import { addressField, decimalString, secretSourceField } from "../../hotpath/config/field-schemas.js";
import type { SecretSource } from "../../hotpath/config/field-schemas.js";
import type { Network } from "../../hotpath/exchange/wire/actions.js";
import type { Address } from "../../hotpath/exchange/wire/brands.js";
import {
  type DatabaseSource,
  databaseEnv,
  databaseSourceOf,
  intFromEnv,
  parseLambdaEnv,
} from "../db/lambdaEnv.js";
import { DEFAULT_ROLE_RECHECK_MS } from "./masterKey.js";
import type { RebalancePolicy } from "./plan.js";
import { DEFAULT_IN_FLIGHT_WINDOW_MS } from "./tickStore.js";

export class RebalancerConfigError extends Error {
  override readonly name = "RebalancerConfigError";
}

const envSchema = z.object({
  ...databaseEnv(10_000),
  EXCHANGE_NETWORK: z.enum(["mainnet", "testnet"], {
    error: 'EXCHANGE_NETWORK is required: "mainnet" or "testnet"',
  }),
  EXCHANGE_INFO_URL: z.url({ protocol: /^https?$/ }).optional(),
  EXCHANGE_EXCHANGE_URL: z.url({ protocol: /^https?$/ }).optional(),
  EXCHANGE_TIMEOUT_MS: intFromEnv(10_000, 100, 60_000),
  HLB_MASTER_KEY_ENV: z.string().optional(),
  HLB_MASTER_KEY_SECRET_ARN: z.string().optional(),
  HLB_MASTER_KEY_SECRET_JSON_KEY: z.string().optional(),
  ACCOUNT_ADDRESS: addressField.optional(),
  REBALANCER_MARGIN_RATIO: decimalString({ above: "0", atMost: "10" }, "0.5").prefault("0.5"),
  REBALANCER_CLIP_NOTIONAL_USDC: decimalString({ atLeast: "0" }, "100").prefault("100"),
  REBALANCER_CLIPS_AHEAD: intFromEnv(2, 0, 1000),
  REBALANCER_REST_TO_PERP_SHARE: decimalString({ atLeast: "0", atMost: "1" }, "0.5").optional(),
  REBALANCER_BAND_USDC: decimalString({ atLeast: "0" }, "50").prefault("50"),
  REBALANCER_MIN_TRANSFER_USDC: decimalString({ above: "0" }, "10").prefault("10"),
  REBALANCER_IN_FLIGHT_WINDOW_MS: intFromEnv(DEFAULT_IN_FLIGHT_WINDOW_MS, 1_000, 3_600_000),
  REBALANCER_ROLE_RECHECK_MS: intFromEnv(DEFAULT_ROLE_RECHECK_MS, 0, 86_400_000),
  REBALANCER_MAX_DELIVERY_DELAY_MS: intFromEnv(60_000, 1_000, 3_600_000),
});

export interface RebalancerConfig {
  /** `DATABASE_URL` or `DATABASE_SECRET_ARN` (+ `DATABASE_HOST`, `DATABASE_TLS`). */
  readonly database: DatabaseSource;
  readonly logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  readonly dbPoolMax: number;
  readonly dbConnectTimeoutMs: number;
  readonly dbStatementTimeoutMs: number;
  readonly network: Network;
  readonly infoUrl: string;
  readonly exchangeUrl: string;
  readonly exchangeTimeoutMs: number;
  readonly masterKeySource: SecretSource;
  readonly accountAddress: Address | undefined;
  readonly policy: RebalancePolicy;
  readonly inFlightWindowMs: number;
  readonly roleRecheckMs: number;
  /** A delivery this much later than its scheduled time is dropped (the next tick decides afresh). */
  readonly maxDeliveryDelayMs: number;
}

/** Reads and validates the environment; an empty variable counts as unset. */
export function loadRebalancerConfig(env: NodeJS.ProcessEnv = process.env): RebalancerConfig {
  const e = parseLambdaEnv(
    envSchema,
    env,
    (detail) => new RebalancerConfigError(`rebalancer configuration invalid: ${detail}`),
  );
  if ((e.EXCHANGE_INFO_URL === undefined) !== (e.EXCHANGE_EXCHANGE_URL === undefined)) {
    throw new RebalancerConfigError(
      "rebalancer configuration invalid: set both EXCHANGE_INFO_URL and EXCHANGE_EXCHANGE_URL, or neither",
    );
  }
  const endpoints = NETWORK_ENDPOINTS[e.EXCHANGE_NETWORK];
  return {
    database: databaseSourceOf(e),
    logLevel: e.LOG_LEVEL,
    dbPoolMax: e.DB_POOL_MAX,
    dbConnectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS,
    dbStatementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
    network: e.EXCHANGE_NETWORK,
    infoUrl: e.EXCHANGE_INFO_URL ?? endpoints.infoUrl,
    exchangeUrl: e.EXCHANGE_EXCHANGE_URL ?? endpoints.exchangeUrl,
    exchangeTimeoutMs: e.EXCHANGE_TIMEOUT_MS,
    masterKeySource: masterKeySourceOf(e),
    accountAddress: e.ACCOUNT_ADDRESS,
    policy: {
      marginRatio: e.REBALANCER_MARGIN_RATIO,
      clipNotionalUsdc: e.REBALANCER_CLIP_NOTIONAL_USDC,
      clipsAhead: e.REBALANCER_CLIPS_AHEAD,
      restToPerpShare: e.REBALANCER_REST_TO_PERP_SHARE,
      bandUsdc: e.REBALANCER_BAND_USDC,
      minTransferUsdc: e.REBALANCER_MIN_TRANSFER_USDC,
    },
    inFlightWindowMs: e.REBALANCER_IN_FLIGHT_WINDOW_MS,
    roleRecheckMs: e.REBALANCER_ROLE_RECHECK_MS,
    maxDeliveryDelayMs: e.REBALANCER_MAX_DELIVERY_DELAY_MS,
  };
}

function masterKeySourceOf(e: z.infer<typeof envSchema>): SecretSource {
  const raw: Record<string, string> = {};
  if (e.HLB_MASTER_KEY_ENV !== undefined) raw["env"] = e.HLB_MASTER_KEY_ENV;
  if (e.HLB_MASTER_KEY_SECRET_ARN !== undefined) raw["awsSecretArn"] = e.HLB_MASTER_KEY_SECRET_ARN;
  if (e.HLB_MASTER_KEY_SECRET_JSON_KEY !== undefined) raw["jsonKey"] = e.HLB_MASTER_KEY_SECRET_JSON_KEY;
  const parsed = secretSourceField.safeParse(raw);
  if (!parsed.success || Object.keys(raw).length === 0) {
    throw new RebalancerConfigError(
      "rebalancer configuration invalid: the master key needs HLB_MASTER_KEY_SECRET_ARN (an AWS Secrets " +
        "Manager ARN, optionally with HLB_MASTER_KEY_SECRET_JSON_KEY) or HLB_MASTER_KEY_ENV (the name of " +
        "the variable holding the key), not both",
    );
  }
  return parsed.data;
}
