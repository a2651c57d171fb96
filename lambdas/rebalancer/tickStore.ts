/**
 * The tick guard and the decision record, in Postgres (`rebalances`, `transfers`; migrations 0002, 0007).
 *
 * Exactly once per tick: `tickId = floor(epochSeconds / 30)`. A tick first inserts its row (status
 * `claimed`) with `ON CONFLICT (tick_id) DO NOTHING`; only the delivery whose insert succeeded acts, every
 * other delivery of the same tick (schedules deliver at least once, retries reuse the event) sees no row
 * come back and does nothing. The claim commits before anything is read or sent, so a crash can lose a
 * tick (the next one, 30 s later, decides afresh) but never run one twice.
 *
 * Consecutive ticks must not overlap either: a tick whose transfer is still in flight has balances that do
 * not show it yet, and the next tick would move the same money again. The claim therefore takes a
 * transaction-scoped advisory lock and, if another tick is still `claimed`/`sending` and younger than the
 * in-flight window, records itself as `skipped`. A tick that died mid-way blocks at most that window.
 *
 * The transfer's nonce is written (and committed) with status `sending` before the request leaves:
 * `max(now, highest nonce this account used + 1)`, so nonces stay unique across Lambda environments
 * without a local nonce file (the master key signs nothing else here).
 */

import type pg from "pg";

import type { Address } from "../../hotpath/exchange/wire/brands.js";
import type { ExchangeResponse } from "../../hotpath/exchange/wire/exchange.js";
import { TickStoreError } from "./errors.js";
import type { RebalanceInputs, RebalancePlan } from "./plan.js";

export const TICK_PERIOD_SECONDS = 30;

/** The schedule slot a moment belongs to: `floor(epochSeconds / 30)`, as the row key. */
export function tickIdOf(nowMs: number): string {
  return String(Math.floor(nowMs / 1000 / TICK_PERIOD_SECONDS));
}

/** Serialises claims across every rebalancer instance (an arbitrary constant: "hlb-reb" in ASCII). */
const CLAIM_LOCK_KEY = "0x686c622d726562";

export type TickStatus =
  "claimed" | "sending" | "noAction" | "transferred" | "rejected" | "unknown" | "failed" | "skipped";

export type ClaimResult =
  | { readonly kind: "claimed" }
  | { readonly kind: "duplicate" }
  /** Claimed, and recorded as skipped because `blockingTickId` is still running. */
  | { readonly kind: "skipped"; readonly blockingTickId: string };

export interface TickStoreOptions {
  /** How long a `claimed`/`sending` tick blocks the next ones (a tick that died mid-way). */
  readonly inFlightWindowMs: number;
}

export const DEFAULT_IN_FLIGHT_WINDOW_MS = 120_000;

type ActionColumn = "none" | "spotToPerp" | "perpToSpot";

function actionColumn(plan: RebalancePlan): ActionColumn {
  if (plan.action === "none" || plan.toPerp === null) return "none";
  return plan.toPerp ? "spotToPerp" : "perpToSpot";
}

function usdcOnSpot(inputs: RebalanceInputs): string {
  return inputs.spot.find((balance) => balance.coin === "USDC")?.total ?? "0";
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export class TickStore {
  constructor(
    private readonly db: pg.Pool,
    private readonly options: TickStoreOptions = { inFlightWindowMs: DEFAULT_IN_FLIGHT_WINDOW_MS },
  ) {}

  /** Inserts the tick's row, or reports that another delivery already did. */
  async claim(tickId: string, nowMs: number, account: Address): Promise<ClaimResult> {
    let client: pg.PoolClient | undefined;
    try {
      client = await this.db.connect();
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [BigInt(CLAIM_LOCK_KEY).toString()]);
      const inserted = await client.query(
        `INSERT INTO rebalances (tick_id, started_at, action, status, account_address)
         VALUES ($1, to_timestamp($2::double precision / 1000), 'none', 'claimed', $3)
         ON CONFLICT (tick_id) DO NOTHING
         RETURNING tick_id`,
        [tickId, nowMs, account],
      );
      if (inserted.rowCount === 0) {
        await client.query("COMMIT");
        return { kind: "duplicate" };
      }
      const running = await client.query<{ tick_id: string }>(
        `SELECT tick_id FROM rebalances
         WHERE status IN ('claimed', 'sending') AND tick_id <> $1
           AND started_at > to_timestamp($2::double precision / 1000)
         ORDER BY started_at DESC LIMIT 1`,
        [tickId, nowMs - this.options.inFlightWindowMs],
      );
      const blocking = running.rows[0]?.tick_id;
      if (blocking !== undefined) {
        await client.query(
          `UPDATE rebalances SET status = 'skipped', reason = 'previousTickInFlight', finished_at = now(),
             error = $2
           WHERE tick_id = $1`,
          [tickId, `tick ${blocking} is still running; its transfer may not show in the balances yet`],
        );
      }
      await client.query("COMMIT");
      return blocking === undefined ? { kind: "claimed" } : { kind: "skipped", blockingTickId: blocking };
    } catch (error) {
      await client?.query("ROLLBACK").catch(() => undefined);
      throw new TickStoreError(tickId, "claim", { cause: error });
    } finally {
      client?.release();
    }
  }

  /** A decision that sends nothing (no action, or a shared-collateral account): the tick is finished. */
  async recordNoAction(tickId: string, inputs: RebalanceInputs, plan: RebalancePlan): Promise<void> {
    await this.#update(tickId, "record decision", "noAction", inputs, plan, {});
  }

  /** Records the decision and commits the nonce before the transfer is sent; returns that nonce. */
  async beginTransfer(
    tickId: string,
    inputs: RebalanceInputs,
    plan: RebalancePlan,
    account: Address,
    nowMs: number,
  ): Promise<number> {
    try {
      const result = await this.db.query<{ transfer_nonce: string }>(
        `UPDATE rebalances SET
           status = 'sending', account_mode = $2, inputs = $3, plan = $4, spot_usdc = $5, perp_usdc = $6,
           action = $7, amount_usdc = $8, reason = $9, target_perp_usdc = $10, target_spot_usdc = $11,
           transfer_nonce = GREATEST($12::bigint,
             COALESCE((SELECT max(transfer_nonce) FROM rebalances WHERE account_address = $13), 0) + 1)
         WHERE tick_id = $1 AND status = 'claimed'
         RETURNING transfer_nonce`,
        [...this.#decisionParams(tickId, inputs, plan), nowMs, account],
      );
      const nonce = result.rows[0]?.transfer_nonce;
      if (nonce === undefined) throw new Error("the tick's row is not in status claimed");
      return Number(nonce);
    } catch (error) {
      throw new TickStoreError(tickId, "record nonce before sending", { cause: error });
    }
  }

  /** The transfer's result; an accepted one also becomes a `transfers` row, in the same transaction. */
  async finishTransfer(
    tickId: string,
    result: {
      readonly status: "transferred" | "rejected" | "unknown";
      readonly response: ExchangeResponse | null;
      readonly error: string | null;
      readonly transfer?: {
        readonly id: string;
        readonly toPerp: boolean;
        readonly amountUsdc: string;
        readonly atMs: number;
      };
    },
  ): Promise<void> {
    let client: pg.PoolClient | undefined;
    try {
      client = await this.db.connect();
      await client.query("BEGIN");
      await client.query(
        `UPDATE rebalances SET status = $2, exchange_response = $3, error = $4, finished_at = now()
         WHERE tick_id = $1`,
        [
          tickId,
          result.status,
          result.response === null ? null : JSON.stringify(result.response),
          result.error,
        ],
      );
      const transfer = result.transfer;
      if (transfer !== undefined) {
        await client.query(
          `INSERT INTO transfers (transfer_id, kind, token, amount, tick_id, status, transferred_at)
           VALUES ($1, $2, 'USDC', $3, $4, 'accepted', to_timestamp($5::double precision / 1000))
           ON CONFLICT (transfer_id) DO NOTHING`,
          [
            transfer.id,
            transfer.toPerp ? "spotToPerp" : "perpToSpot",
            transfer.amountUsdc,
            tickId,
            transfer.atMs,
          ],
        );
      }
      await client.query("COMMIT");
    } catch (error) {
      await client?.query("ROLLBACK").catch(() => undefined);
      throw new TickStoreError(tickId, `record transfer result (${result.status})`, { cause: error });
    } finally {
      client?.release();
    }
  }

  /** A tick that failed before sending; whatever was learnt (inputs, plan) is kept. */
  async recordFailure(
    tickId: string,
    error: unknown,
    known: { readonly inputs?: RebalanceInputs | undefined; readonly plan?: RebalancePlan | undefined },
  ): Promise<void> {
    const failure = { error: describe(error), reason: error instanceof Error ? error.name : "Error" };
    if (known.inputs !== undefined && known.plan !== undefined) {
      await this.#update(tickId, "record failure", "failed", known.inputs, known.plan, failure);
      return;
    }
    try {
      await this.db.query(
        `UPDATE rebalances SET status = 'failed', error = $2, reason = $3, finished_at = now(),
           inputs = $4, account_mode = $5
         WHERE tick_id = $1 AND status = 'claimed'`,
        [
          tickId,
          failure.error,
          failure.reason,
          known.inputs === undefined ? null : JSON.stringify(known.inputs),
          known.inputs?.accountMode ?? null,
        ],
      );
    } catch (cause) {
      throw new TickStoreError(tickId, "record failure", { cause });
    }
  }

  #decisionParams(tickId: string, inputs: RebalanceInputs, plan: RebalancePlan): unknown[] {
    return [
      tickId,
      inputs.accountMode,
      JSON.stringify(inputs),
      JSON.stringify(plan),
      usdcOnSpot(inputs),
      inputs.perp.accountValue,
      actionColumn(plan),
      plan.amountUsdc,
      plan.reason,
      plan.target?.perpUsdc ?? null,
      plan.target?.spotUsdc ?? null,
    ];
  }

  async #update(
    tickId: string,
    step: string,
    status: TickStatus,
    inputs: RebalanceInputs,
    plan: RebalancePlan,
    failure: { readonly error?: string; readonly reason?: string },
  ): Promise<void> {
    try {
      await this.db.query(
        `UPDATE rebalances SET
           status = $12, account_mode = $2, inputs = $3, plan = $4, spot_usdc = $5, perp_usdc = $6,
           action = $7, amount_usdc = $8, reason = COALESCE($14, $9), target_perp_usdc = $10,
           target_spot_usdc = $11, error = $13, finished_at = now()
         WHERE tick_id = $1 AND status = 'claimed'`,
        [
          ...this.#decisionParams(tickId, inputs, plan),
          status,
          failure.error ?? null,
          failure.reason ?? null,
        ],
      );
    } catch (error) {
      throw new TickStoreError(tickId, step, { cause: error });
    }
  }
}
