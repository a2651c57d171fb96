/**
 * Periodic reconciliation while trading: every `intervalMs` the account is read again and compared with
 * the executor's live view (its inventory and open intents, through an injected function). A difference the
 * bot cannot explain goes to `onMismatch`, which halts new risk.
 *
 * Off the hot path by construction: it runs on an unref'd timer, awaits its HTTP reads, and touches the
 * executor only through `expected()` (two synchronous reads per poll) and the callbacks, which get a small
 * result. Polls never overlap (each schedules the next when it ends).
 *
 * A poll compares only at a quiet moment: when an order is in flight (its fills may land between the reads)
 * or the executor counted an event while the account was being read (its view moved under the snapshot), the
 * poll is skipped as `busy`. Skips and read failures are normal one at a time; `maxConsecutiveMisses` of them
 * in a row are flagged as a `notReconciled` mismatch, because a check that never runs protects nothing.
 *
 * The event window starts where the last successful poll (or the start-up reconciliation) left it, so each
 * poll reads only the fills and funding since; every fill in it must belong to a journaled order — an open
 * intent's, or one `isClosedOrder` recognises (an intent closed since).
 */

import type { AssetPosition } from "../../exchange/wire/info.js";
import type { ExchangeHttpClient } from "../../exchange/http/httpClient.js";
import type { BasisMarket } from "../../exchange/registry/market.js";
import type { Address, Cloid } from "../../exchange/wire/brands.js";
import { type IntentState, isFinal } from "../intentState.js";
import { type AccountMode, readAccountSnapshot } from "./accountSnapshot.js";
import { CHECKPOINT_FORMAT, type CheckpointStore } from "./checkpoint.js";
import type { Inventory } from "./inventory.js";
import { type Mismatch, notReconciledMismatch } from "./mismatch.js";
import { reconcile, type Tolerances } from "./reconcile.js";
import { type ReconciledWindow, windowAfter } from "./startupReconciler.js";

/** The executor's live view, as the reconciler reads it. */
export interface BotView {
  /** The inventory the executor maintains (every fill and funding payment it was told about applied). */
  readonly inventory: Inventory;
  /** Root intents not yet closed (`IntentJournal.openIntents()`). */
  readonly openIntents: readonly IntentState[];
  /** True for an order of an intent closed since the window opened: its fills are still ours. */
  readonly isClosedOrder?: (cloid: Cloid | null, oid: number) => boolean;
}

export type PollOutcome =
  | {
      readonly kind: "ok";
      readonly exchangeTimeMs: number;
      /** The perp positions as the exchange reported them (liquidation prices, marks). */
      readonly perpPositions: readonly AssetPosition[];
      /** Fills the executor had not counted yet at the snapshot (normally 0: the feed is faster). */
      readonly uncountedFills: number;
      /**
       * The reconciled inventory (the view's, with those fills applied): the baseline this poll checkpointed.
       * A caller without an inventory of its own carries this forward as the next `expected()`.
       */
      readonly inventory: Inventory;
    }
  | { readonly kind: "mismatch"; readonly mismatches: readonly Mismatch[]; readonly exchangeTimeMs: number }
  | { readonly kind: "busy"; readonly reason: string }
  | { readonly kind: "failed"; readonly error: unknown };

/** What `onMismatch` receives: small, and all it needs to halt and say why. */
export interface MismatchReport {
  readonly mismatches: readonly Mismatch[];
  /** Exchange time of the snapshot; null when the reconciler could not read the account at all. */
  readonly exchangeTimeMs: number | null;
}

export interface PeriodicReconcilerOptions {
  readonly http: ExchangeHttpClient;
  readonly address: Address;
  readonly markets: readonly BasisMarket[];
  readonly accountMode: AccountMode;
  readonly tolerances?: Partial<Tolerances>;
  readonly intervalMs: number;
  /** Where the first poll's window starts (`StartupReconciliation.window`). */
  readonly window: ReconciledWindow;
  readonly expected: () => BotView;
  /** Halts new risk. Called on every failing poll (the callee may ignore repeats). */
  readonly onMismatch: (report: MismatchReport) => void;
  /** Every poll's outcome, for logs and metrics. */
  readonly onPoll?: (outcome: PollOutcome) => void;
  /** Written after each successful poll, so a restart starts from the latest reconciled baseline. */
  readonly checkpoints?: CheckpointStore;
  /** Busy or failed polls in a row before that itself is a mismatch; default 5. */
  readonly maxConsecutiveMisses?: number;
  readonly nowMs?: () => number;
}

const DEFAULT_MAX_CONSECUTIVE_MISSES = 5;

export class PeriodicReconciler {
  readonly #options: PeriodicReconcilerOptions;
  #window: ReconciledWindow;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<PollOutcome> | undefined;
  #stopped = true;
  #misses = 0;
  #lastMissReason = "";
  readonly stats = { polls: 0, ok: 0, mismatches: 0, busy: 0, failed: 0 };

  constructor(options: PeriodicReconcilerOptions) {
    if (!(Number.isFinite(options.intervalMs) && options.intervalMs > 0)) {
      throw new RangeError(`intervalMs must be a positive number of ms, got ${options.intervalMs}`);
    }
    this.#options = options;
    this.#window = options.window;
  }

  /** Polls every `intervalMs` until `stop()`. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule();
  }

  /** Stops the timer and waits for a poll in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** One poll now (tests, or an operator's "reconcile now"); waits for one in progress instead. */
  runOnce(): Promise<PollOutcome> {
    this.#running ??= this.#poll().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.runOnce().finally(() => this.#schedule());
    }, this.#options.intervalMs);
    this.#timer.unref();
  }

  async #poll(): Promise<PollOutcome> {
    const outcome = await this.#compare().catch((error: unknown): PollOutcome => ({ kind: "failed", error }));
    this.stats.polls += 1;
    this.stats[outcome.kind === "mismatch" ? "mismatches" : outcome.kind] += 1;
    if (outcome.kind === "busy" || outcome.kind === "failed") {
      this.#misses += 1;
      this.#lastMissReason =
        outcome.kind === "busy"
          ? outcome.reason
          : `reading the account failed: ${outcome.error instanceof Error ? outcome.error.message : String(outcome.error)}`;
      const limit = this.#options.maxConsecutiveMisses ?? DEFAULT_MAX_CONSECUTIVE_MISSES;
      if (this.#misses >= limit) {
        this.#options.onMismatch({
          mismatches: [notReconciledMismatch(this.#misses, this.#lastMissReason)],
          exchangeTimeMs: null,
        });
      }
    } else {
      this.#misses = 0;
      if (outcome.kind === "mismatch") {
        this.#options.onMismatch({ mismatches: outcome.mismatches, exchangeTimeMs: outcome.exchangeTimeMs });
      }
    }
    this.#options.onPoll?.(outcome);
    return outcome;
  }

  async #compare(): Promise<PollOutcome> {
    const options = this.#options;
    const before = options.expected();
    const inFlight = inFlightOrder(before.openIntents);
    if (inFlight !== null) return { kind: "busy", reason: `order ${inFlight} is in flight` };
    const version = before.inventory.version;
    const snapshot = await readAccountSnapshot(options.http, {
      address: options.address,
      fillsSinceMs: this.#window.fillsSinceMs,
      fundingSinceMs: this.#window.fundingSinceMs,
    });
    const after = options.expected();
    if (after.inventory !== before.inventory || after.inventory.version !== version) {
      return { kind: "busy", reason: "the executor counted fills or funding while the account was read" };
    }
    const lateFlight = inFlightOrder(after.openIntents);
    if (lateFlight !== null) return { kind: "busy", reason: `order ${lateFlight} went out during the read` };
    const result = reconcile(snapshot, { openIntents: after.openIntents }, after.inventory, options.markets, {
      accountMode: options.accountMode,
      ...(options.tolerances === undefined ? {} : { tolerances: options.tolerances }),
      unknownOutcomes: "ignore",
      ...(after.isClosedOrder === undefined ? {} : { isClosedOrder: after.isClosedOrder }),
      attributedTids: this.#window.attributedTids,
    });
    if (!result.ok) {
      return { kind: "mismatch", mismatches: result.mismatches, exchangeTimeMs: snapshot.exchangeTimeMs };
    }
    const inventory = result.inventory;
    inventory.compact();
    const baseline = inventory.toBaseline();
    this.#window = windowAfter(baseline);
    options.checkpoints?.write({
      format: CHECKPOINT_FORMAT,
      address: options.address,
      accountMode: options.accountMode,
      savedAtMs: (options.nowMs ?? Date.now)(),
      exchangeTimeMs: snapshot.exchangeTimeMs,
      baseline,
    });
    return {
      kind: "ok",
      exchangeTimeMs: snapshot.exchangeTimeMs,
      perpPositions: snapshot.perp.assetPositions,
      uncountedFills: result.explained.fills.length,
      inventory,
    };
  }
}

/** The cloid of an order whose outcome is not final yet, or null when nothing is in flight. */
function inFlightOrder(intents: readonly IntentState[]): Cloid | null {
  for (const intent of intents) {
    for (const order of intent.orders) if (!isFinal(order)) return order.cloid;
  }
  return null;
}
