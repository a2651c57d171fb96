/**
 * Reconciliation in the trading process: once at start-up, before the executor exists (so before the first
 * order can), and then on a timer while it trades.
 *
 * Start-up (`reconcileBeforeTrading`): the account mode to check against (`reconcile/accountMode.ts`), then
 * `reconcileAtStartup` — probe what the journal left unknown, read the account, journal the fills that came
 * while the process was down, compare — against the checkpoint kept next to the journal. A difference the
 * bot cannot explain throws `ReconciliationError` (exit 3); what it returns seeds the executor's balances.
 *
 * While trading (`AccountWatch`): `PeriodicReconciler` against the last reconciled inventory, carried
 * forward poll to poll (the executor keeps positions and PnL, not an `Inventory`; every fill in a poll's
 * window must still belong to a journaled order, so carrying the baseline forward loses no check). A
 * mismatch — or polls that cannot run for too long — halts new risk on the executor and says why; the
 * operator's `resume` lifts it, and the next failing poll halts again.
 */

import { liquidationDistanceOf } from "../strategy/risk/liquidationDistance.js";
import type { ExchangeHttpClient } from "../exchange/http/httpClient.js";
import {
  type Decimal,
  formatDecimal,
  parseDecimal,
  roundToDecimals,
  sub,
} from "../exchange/decimal/decimal.js";
import type { BasisMarket } from "../exchange/registry/index.js";
import type { Address, Cloid } from "../exchange/wire/brands.js";
import type { StartingBalances } from "../execution/executorOptions.js";
import type { Intent } from "../execution/intent.js";
import type { IntentJournal, JournalRecovery } from "../execution/journal/index.js";
import { startupAccountMode } from "../execution/reconcile/accountMode.js";
import { type AccountMode, spotBalanceOf } from "../execution/reconcile/accountSnapshot.js";
import { CheckpointStore } from "../execution/reconcile/checkpoint.js";
import type { Inventory } from "../execution/reconcile/inventory.js";
import { isJournaledOrder, journaledOrders } from "../execution/reconcile/journaledOrders.js";
import type { Mismatch } from "../execution/reconcile/mismatch.js";
import { PeriodicReconciler, type PollOutcome } from "../execution/reconcile/periodicReconciler.js";
import { reconcileAtStartup, type StartupReconciliation } from "../execution/reconcile/startupReconciler.js";
import type { Logger } from "../observability/logger.js";

/** Default period of the reconciliation while trading: one poll weighs ≈ 125 of 1200/min (PROTOCOL §11). */
export const DEFAULT_RECONCILE_INTERVAL_MS = 30_000;

export interface ReconciledStart {
  readonly reconciliation: StartupReconciliation;
  readonly accountMode: AccountMode;
  readonly checkpoints: CheckpointStore;
  /** What the executor starts from: the account's balances as just reconciled. */
  readonly balances: StartingBalances;
  /** Spot base token available per coin (total − hold), base units. */
  readonly spotBase: Readonly<Record<string, string>>;
}

export interface StartupReconciliationOptions {
  readonly http: ExchangeHttpClient;
  readonly account: Address;
  readonly markets: readonly BasisMarket[];
  readonly journal: IntentJournal;
  readonly recovery: JournalRecovery;
  /** Where `inventory-checkpoint.json` lives (the journal's directory: one per agent key). */
  readonly checkpointDir: string;
  readonly logger: Logger;
}

/**
 * Throws `ReconciliationError` (mismatches: refuse to start, exit 3), `CheckpointError`, `AccountReadError`.
 */
export async function reconcileBeforeTrading(
  options: StartupReconciliationOptions,
): Promise<ReconciledStart> {
  const { http, account, markets } = options;
  const checkpoints = new CheckpointStore(options.checkpointDir);
  const accountMode = await startupAccountMode(http, account, checkpoints);
  const reconciliation = await reconcileAtStartup({
    http,
    address: account,
    markets,
    accountMode,
    journal: options.journal,
    recovery: options.recovery,
    checkpoints,
    logger: options.logger,
  });
  const snapshot = reconciliation.snapshot;
  const available = (tokenIndex: number): Decimal => {
    const balance = spotBalanceOf(snapshot, tokenIndex);
    if (balance === undefined) return parseDecimal("0");
    return sub(parseDecimal(balance.total), parseDecimal(balance.hold));
  };
  const spotBase: Record<string, string> = {};
  for (const market of markets) {
    // What can be sold, on the lot grid: a spot buy's fee in the base token leaves the balance off it.
    const base = roundToDecimals(available(market.spot.base.index), market.spot.szDecimals, "down");
    spotBase[market.coin] = formatDecimal(base);
  }
  return {
    reconciliation,
    accountMode,
    checkpoints,
    balances: {
      spotUsdc: formatDecimal(available(markets[0]?.spot.quote.index ?? 0)),
      perpWithdrawable: snapshot.perp.withdrawable,
    },
    spotBase,
  };
}

/**
 * What the periodic reconciliation drives on the executor: a failing poll halts new risk (closes and unwinds
 * continue); every successful one reports each market's perp liquidation distance (`% of the mark`, +∞ with no
 * position), which the risk checks need while a perp is held.
 */
export interface HaltTarget {
  halt(reason: string): void;
  setLiquidationDistance(coin: string, pct: number, perpSize: string): void;
}

export interface AccountWatchOptions {
  readonly http: ExchangeHttpClient;
  readonly account: Address;
  readonly markets: readonly BasisMarket[];
  readonly start: ReconciledStart;
  readonly journal: IntentJournal;
  readonly target: HaltTarget;
  readonly intervalMs: number;
  readonly logger: Logger;
}

/** How long an intent's cloids are remembered after its `expiresAfter`, past the poll that covered them. */
const CLOSED_ORDER_MARGIN_MS = 60_000;

/** The periodic reconciliation of a trading process (see the module header). */
export class AccountWatch {
  readonly #reconciler: PeriodicReconciler;
  readonly #logger: Logger;
  readonly #target: HaltTarget;
  readonly #markets: readonly BasisMarket[];
  /** Cloids of the intents this process sent, by `expiresAfter`: their fills stay ours once they close. */
  readonly #sentCloids = new Map<Cloid, number>();
  readonly #journaledBefore: (cloid: Cloid | null, oid: number) => boolean;
  #inventory: Inventory;

  constructor(options: AccountWatchOptions) {
    const { start, journal } = options;
    this.#logger = options.logger;
    this.#target = options.target;
    this.#markets = options.markets;
    this.#inventory = start.reconciliation.inventory;
    // Orders the journal named at start-up (closed intents included) and any this process sends since.
    this.#journaledBefore = isJournaledOrder(journaledOrders(journal.dir));
    const isClosedOrder = (cloid: Cloid | null, oid: number): boolean =>
      (cloid !== null && this.#sentCloids.has(cloid)) || this.#journaledBefore(cloid, oid);
    this.#reconciler = new PeriodicReconciler({
      http: options.http,
      address: options.account,
      markets: options.markets,
      accountMode: start.accountMode,
      intervalMs: options.intervalMs,
      window: start.reconciliation.window,
      expected: () => ({ inventory: this.#inventory, openIntents: journal.openIntents(), isClosedOrder }),
      onMismatch: (report) => this.#halt(report.mismatches),
      onPoll: (outcome) => this.#polled(outcome),
      checkpoints: start.checkpoints,
    });
  }

  get stats(): PeriodicReconciler["stats"] {
    return this.#reconciler.stats;
  }

  /** Every intent the executor sent (roots and follow-ups). */
  recordIntent(intent: Intent): void {
    for (const leg of intent.legs) this.#sentCloids.set(leg.cloid, leg.expiresAfter);
  }

  start(): void {
    this.#reconciler.start();
  }

  /** One poll now (tests, an operator's "reconcile now"). */
  runOnce(): Promise<PollOutcome> {
    return this.#reconciler.runOnce();
  }

  stop(): Promise<void> {
    return this.#reconciler.stop();
  }

  #polled(outcome: PollOutcome): void {
    switch (outcome.kind) {
      case "ok": {
        this.#inventory = outcome.inventory;
        for (const market of this.#markets) {
          const { pct, perpSize } = liquidationDistanceOf(outcome.perpPositions, market.perp.coin);
          this.#target.setLiquidationDistance(market.coin, pct, perpSize);
        }
        // Fills of orders that expired well before this poll were in its window: nothing of theirs can come.
        const before = Date.now() - CLOSED_ORDER_MARGIN_MS;
        for (const [cloid, expiresAfter] of this.#sentCloids) {
          if (expiresAfter < before) this.#sentCloids.delete(cloid);
        }
        this.#logger.debug({ uncountedFills: outcome.uncountedFills }, "account reconciled");
        return;
      }
      case "failed":
        this.#logger.warn({ err: outcome.error }, "periodic reconciliation could not read the account");
        return;
      case "busy":
        this.#logger.debug({ reason: outcome.reason }, "periodic reconciliation skipped");
        return;
      case "mismatch":
        return; // halted in onMismatch
    }
  }

  #halt(mismatches: readonly Mismatch[]): void {
    const reason =
      `reconciliation: ${mismatches.length} unexplained difference${mismatches.length === 1 ? "" : "s"}: ` +
      mismatches.map((mismatch) => mismatch.message).join("; ");
    this.#logger.error(
      { mismatches: mismatches.map((mismatch) => mismatch.message) },
      "periodic reconciliation failed: new risk halted",
    );
    this.#target.halt(reason);
  }
}
