/**
 * One rebalancer tick, end to end — what the Lambda handler runs on its 30-second schedule and what
 * `npm start` calls every 30 s (`runRebalancerTick(deps, nowMs)`):
 *
 *   1. claim the tick in Postgres (tickStore.ts): a repeated delivery of the same tick stops here, having
 *      sent nothing and read nothing; a tick that overlaps a running one is recorded as skipped;
 *   2. verify the signing key is the account's master key (`userRole`, masterKey.ts) — an agent key fails
 *      here with `AgentKeyError`, before anything is signed or sent;
 *   3. read the account (accountReader.ts) and plan (plan.ts, pure);
 *   4. nothing to do, or a shared-collateral account: record the decision;
 *      a transfer: commit the decision and its nonce (`sending`), send one `usdClassTransfer` signed by the
 *      master key, record the result with the exchange's response (and a `transfers` row when accepted).
 *
 * Every tick ends in exactly one log line (`message: "rebalancer tick"`) carrying the decision, the
 * outcome and the EMF metrics (metrics.ts). Failures do not throw: they are recorded in the tick's row,
 * logged at ERROR and counted in `RebalancerFailures`; the result says what happened.
 */

import { performance } from "node:perf_hooks";

import type pg from "pg";

import type { Signer } from "../../hotpath/exchange/signing/index.js";
import type { Network } from "../../hotpath/exchange/wire/actions.js";
import type { Address, WireDecimal } from "../../hotpath/exchange/wire/brands.js";
import type { ExchangeResponse } from "../../hotpath/exchange/wire/exchange.js";
import type { Logger } from "../../hotpath/observability/logger.js";
import { readAccount } from "./accountReader.js";
import { TickStoreError, TransferOutcomeUnknownError, TransferRejectedError } from "./errors.js";
import {
  checkMasterKey,
  type MasterKeyVerifier,
  type RebalancerExchange,
  type VerifiedMasterKey,
} from "./masterKey.js";
import { embeddedMetricFields } from "./metrics.js";
import {
  plan as planRebalance,
  type RebalanceInputs,
  type RebalancePlan,
  type RebalancePolicy,
} from "./plan.js";
import { type ClaimResult, TickStore, type TickStatus, tickIdOf } from "./tickStore.js";
import { sendUsdClassTransfer } from "./transferSender.js";

export interface RebalancerDeps {
  /** A `pg` Pool on the schema of `lambdas/db/migrations` (0007 or later). */
  readonly db: pg.Pool;
  /** `/info` and `/exchange`; an `ExchangeHttpClient`. */
  readonly exchange: RebalancerExchange;
  /** The account's own key. Never the hot path's agent key: that is refused before anything is sent. */
  readonly masterKey: Signer;
  /** Where the key came from, safe to print (`Secret.description`), for error messages. */
  readonly masterKeySource: string;
  /** Selects `hyperliquidChain` in the signed action (the simulator accepts "mainnet"). */
  readonly network: Network;
  readonly policy: RebalancePolicy;
  readonly logger: Logger;
  /** The account to manage; must be the key's own address. Default: the key's address. */
  readonly accountAddress?: Address | undefined;
  /** Caches the key check; without one, `userRole` is asked every tick. */
  readonly keyVerifier?: MasterKeyVerifier | undefined;
  /** The tick guard and record; default one on `db` with the default in-flight window. */
  readonly tickStore?: TickStore | undefined;
}

/** How a tick ended: a `rebalances` status, or `duplicate` when another delivery had claimed it. */
export type TickOutcome = TickStatus | "duplicate";

export interface RebalancerTickResult {
  readonly tickId: string;
  readonly outcome: TickOutcome;
  /** Null when the tick ended before a plan (duplicate, skipped, or a failure before planning). */
  readonly plan: RebalancePlan | null;
  /** The transfer's nonce, when one was committed for sending. */
  readonly nonce: number | null;
  readonly exchangeResponse: ExchangeResponse | null;
  /** The failure, for outcomes `failed`, `rejected` and `unknown` (and a tick that could not be recorded). */
  readonly error: Error | null;
}

const FAILED_OUTCOMES: ReadonlySet<TickOutcome> = new Set(["failed", "rejected", "unknown"]);

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Runs the tick that `nowMs` falls in (`floor(nowMs / 30 000)`). Resolves with the outcome; never rejects. */
export async function runRebalancerTick(deps: RebalancerDeps, nowMs: number): Promise<RebalancerTickResult> {
  const started = performance.now();
  const tickId = tickIdOf(nowMs);
  const account = deps.accountAddress ?? deps.masterKey.address;
  const store = deps.tickStore ?? new TickStore(deps.db);
  const logger = deps.logger.child({ tickId });

  let claim: ClaimResult;
  try {
    claim = await store.claim(tickId, nowMs, account);
  } catch (error) {
    // Not even the guard row exists: nothing was read or sent, and nothing records this tick but the log.
    const result = resultOf(tickId, "failed", { error: asError(error) });
    logTick(deps, logger, result, nowMs, started);
    return result;
  }
  if (claim.kind !== "claimed") {
    const result = resultOf(tickId, claim.kind);
    logTick(
      deps,
      logger,
      result,
      nowMs,
      started,
      claim.kind === "skipped" ? claim.blockingTickId : undefined,
    );
    return result;
  }

  const result = await decideAndAct(deps, store, tickId, account, nowMs);
  logTick(deps, logger, result, nowMs, started);
  return result;
}

async function decideAndAct(
  deps: RebalancerDeps,
  store: TickStore,
  tickId: string,
  account: Address,
  nowMs: number,
): Promise<RebalancerTickResult> {
  let inputs: RebalanceInputs | undefined;
  let plan: RebalancePlan | undefined;
  let masterKey: VerifiedMasterKey;
  try {
    const check = {
      exchange: deps.exchange,
      signer: deps.masterKey,
      keySource: deps.masterKeySource,
      accountAddress: account,
    };
    masterKey =
      deps.keyVerifier === undefined
        ? await checkMasterKey(check)
        : await deps.keyVerifier.verify(check, nowMs);
    inputs = await readAccount(deps.exchange, account);
    plan = planRebalance(inputs, deps.policy);
    if (plan.action === "none" || plan.toPerp === null) {
      await store.recordNoAction(tickId, inputs, plan);
      return resultOf(tickId, "noAction", { plan });
    }
  } catch (error) {
    return recordFailure(store, tickId, error, inputs, plan);
  }

  const toPerp = plan.toPerp;
  let nonce: number;
  try {
    nonce = await store.beginTransfer(tickId, inputs, plan, account, nowMs);
  } catch (error) {
    return recordFailure(store, tickId, error, inputs, plan);
  }

  let outcome: "transferred" | "rejected" | "unknown";
  let response: ExchangeResponse | null = null;
  let failure: Error | null = null;
  try {
    response = await sendUsdClassTransfer(deps.exchange, masterKey, deps.network, {
      amountUsdc: plan.amountUsdc,
      toPerp,
      nonce,
    });
    outcome = "transferred";
  } catch (error) {
    failure = asError(error);
    if (error instanceof TransferRejectedError) {
      outcome = "rejected";
      response = error.exchangeResponse;
    } else {
      outcome = "unknown";
      if (!(error instanceof TransferOutcomeUnknownError))
        failure = new TransferOutcomeUnknownError(nonce, failure.message, { cause: error });
    }
  }

  try {
    await store.finishTransfer(tickId, {
      status: outcome,
      response,
      error: failure === null ? null : `${failure.name}: ${failure.message}`,
      ...(outcome === "transferred"
        ? {
            transfer: {
              id: `usdClassTransfer:${nonce}`,
              toPerp,
              amountUsdc: plan.amountUsdc,
              atMs: nowMs,
            },
          }
        : {}),
    });
  } catch (error) {
    // The row stays `sending`, which keeps the next ticks off this money until the in-flight window ends.
    return resultOf(tickId, outcome === "transferred" ? "failed" : outcome, {
      plan,
      nonce,
      exchangeResponse: response,
      error: failure ?? asError(error),
    });
  }
  return resultOf(tickId, outcome, { plan, nonce, exchangeResponse: response, error: failure });
}

async function recordFailure(
  store: TickStore,
  tickId: string,
  error: unknown,
  inputs: RebalanceInputs | undefined,
  plan: RebalancePlan | undefined,
): Promise<RebalancerTickResult> {
  const failure = asError(error);
  let recordError: Error | null = null;
  if (!(error instanceof TickStoreError)) {
    try {
      await store.recordFailure(tickId, failure, { inputs, plan });
    } catch (cause) {
      recordError = asError(cause);
    }
  }
  return resultOf(tickId, "failed", {
    plan: plan ?? null,
    error: recordError === null ? failure : new AggregateError([failure, recordError], failure.message),
  });
}

function resultOf(
  tickId: string,
  outcome: TickOutcome,
  details: Partial<Omit<RebalancerTickResult, "tickId" | "outcome">> = {},
): RebalancerTickResult {
  return {
    tickId,
    outcome,
    plan: details.plan ?? null,
    nonce: details.nonce ?? null,
    exchangeResponse: details.exchangeResponse ?? null,
    error: details.error ?? null,
  };
}

function logTick(
  deps: RebalancerDeps,
  logger: Logger,
  result: RebalancerTickResult,
  nowMs: number,
  started: number,
  blockingTickId?: string,
): void {
  const failed = FAILED_OUTCOMES.has(result.outcome);
  const plan = result.plan;
  const amount: WireDecimal | "0" = result.outcome === "transferred" && plan !== null ? plan.amountUsdc : "0";
  const line = {
    outcome: result.outcome,
    action: plan?.action ?? null,
    amountUsdc: plan?.amountUsdc ?? null,
    toPerp: plan?.toPerp ?? null,
    reason: plan?.reason ?? null,
    note: plan?.note ?? null,
    perpUsdc: plan?.perpUsdc ?? null,
    spotUsdc: plan?.spotUsdc ?? null,
    targetPerpUsdc: plan?.target?.perpUsdc ?? null,
    targetSpotUsdc: plan?.target?.spotUsdc ?? null,
    budget: plan?.budget ?? null,
    nonce: result.nonce,
    exchangeResponse: result.exchangeResponse,
    ...(blockingTickId === undefined ? {} : { blockingTickId }),
    durationMs: Math.round((performance.now() - started) * 100) / 100,
    ...embeddedMetricFields(nowMs, deps.network, {
      failed,
      transferred: result.outcome === "transferred",
      transferredUsdc: amount,
    }),
  };
  if (failed) logger.error({ ...line, err: result.error }, "rebalancer tick");
  else if (result.outcome === "skipped") logger.warn(line, "rebalancer tick");
  else logger.info(line, "rebalancer tick");
}
