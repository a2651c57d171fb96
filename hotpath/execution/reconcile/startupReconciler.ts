/**
 * Start-up reconciliation: before the process takes any risk, bring the journal up to date with the
 * exchange and prove that the account holds exactly what the bot can explain — or refuse to start and say
 * why.
 *
 * 1. Probe, never resend: every order the journal left unknown (and, in reserve-ahead mode, every reserved
 *    cloid no record explains) is asked for by cloid. The answers go into the journal as `probed` events.
 *    "Not found" settles an order only after its `expiresAfter` (plus the tolerated clock skew): until then
 *    it may still be on its way, so the reconciler waits for the expiry — at most `maxProbeWaitMs` — and
 *    asks again. A possibly-sent cloid not found after its expiry is released; one that is found has no
 *    intent record to explain it and is a mismatch.
 * 2. Snapshot the account (consistent: see `accountSnapshot.ts`) with every fill and funding payment since
 *    the baseline — the checkpoint of the last successful reconciliation — or, with no checkpoint, since the
 *    last journaled fill.
 * 3. Fills of journaled orders that the journal has not recorded (they arrived while the process was down)
 *    are appended to it: the executor resumes with complete intents.
 * 4. `reconcile` against the expected inventory: the checkpoint plus the events since; with no checkpoint
 *    (first start) the exchange's balances are adopted as the baseline — the perp position must still be
 *    explained by the journal, and every fill since the last journaled one attributed. A fill is ours when
 *    an order of the journal's retained segments names it (`journaledOrders.ts`): positions closed since
 *    the checkpoint are no longer open intents, but their orders are still on record.
 * 5. Success: a new checkpoint, and the positions and balances to seed the executor with. Failure: a
 *    `ReconciliationError` listing every mismatch; a live process exits non-zero with its message.
 */

import type { ExchangeHttpClient } from "../../exchange/http/httpClient.js";
import { formatDecimal, parseDecimal } from "../../exchange/decimal/decimal.js";
import type { BasisMarket } from "../../exchange/registry/market.js";
import type { Address, Cloid, WireDecimal } from "../../exchange/wire/brands.js";
import type { UserFill } from "../../exchange/wire/info.js";
import type { Logger } from "../../observability/logger.js";
import { type IntentState, type OrderEvent, type OrderState, probedEvent } from "../intentState.js";
import { JournalRecordRefusedError } from "../journal/errors.js";
import type { JournalRecovery, PossiblySentCloid } from "../journal/recovery.js";
import {
  type AccountMode,
  type AccountSnapshot,
  perpPositionOf,
  readAccountSnapshot,
  spotBalanceOf,
  usdcPoolOf,
} from "./accountSnapshot.js";
import { CHECKPOINT_FORMAT, type CheckpointStore, type InventoryCheckpoint } from "./checkpoint.js";
import { ReconciliationError } from "./errors.js";
import { fundingKey, Inventory, type InventoryBaseline, USDC } from "./inventory.js";
import {
  journalContradiction,
  type Mismatch,
  noBaselineMismatch,
  possiblySentMismatch,
  unknownOutcomeMismatch,
} from "./mismatch.js";
import { isJournaledOrder, journaledOrders } from "./journaledOrders.js";
import { describeProbe, probeUnknownOrders } from "./probe.js";
import {
  type ExplainedEvents,
  reconcile,
  type ReconciledBalances,
  type ReconciledPosition,
  type Tolerances,
} from "./reconcile.js";

/** What start-up needs of the journal (an open `IntentJournal` has all of it). */
export interface StartupJournal {
  appendOrderEvent(cloid: Cloid, event: OrderEvent): IntentState;
  releaseCloids(cloids: readonly Cloid[], reason: string): void;
  openIntents(): IntentState[];
}

export interface StartupReconcilerOptions {
  readonly http: ExchangeHttpClient;
  /** The master or sub-account address (never the agent's). */
  readonly address: Address;
  readonly markets: readonly BasisMarket[];
  readonly accountMode: AccountMode;
  readonly journal: StartupJournal;
  /** What `IntentJournal.open` returned. */
  readonly recovery: JournalRecovery;
  readonly checkpoints: CheckpointStore;
  /**
   * No checkpoint yet: `"adopt"` (default) takes the exchange's spot and USDC balances as the baseline (the
   * perp position and the fills since the last journaled fill are still checked); `"refuse"` fails.
   */
  readonly missingCheckpoint?: "adopt" | "refuse";
  readonly tolerances?: Partial<Tolerances>;
  /** How far the local clock may be ahead of the exchange's; "not found" counts only this long after expiry. Default 2 s. */
  readonly clockSkewMs?: number;
  /** Longest wait for an unknown order's expiry before asking again; default 30 s. */
  readonly maxProbeWaitMs?: number;
  readonly nowMs?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly logger?: Logger;
}

export interface ProbeReport {
  readonly cloid: Cloid;
  readonly source: "unknownOrder" | "possiblySent";
  /** What the exchange answered, last time it was asked. */
  readonly answer: string;
  readonly outcome: "settled" | "released" | "unsettled" | "found" | "refused";
  /** The order's status after the answer (unknown orders only). */
  readonly status: OrderState["status"] | null;
}

export interface StartupReconciliation {
  readonly positions: readonly ReconciledPosition[];
  readonly balances: ReconciledBalances;
  /** The reconciled inventory: the executor's starting point. */
  readonly inventory: Inventory;
  readonly baseline: "checkpoint" | "adopted";
  readonly probes: readonly ProbeReport[];
  readonly explained: ExplainedEvents;
  /** Fills appended to the journal (they arrived while the process was down). */
  readonly journaledFills: number;
  readonly checkpoint: InventoryCheckpoint;
  /** The periodic reconciler's starting window and the fills already attributed in it. */
  readonly window: ReconciledWindow;
  readonly snapshot: AccountSnapshot;
}

/** Where the next reconciliation's event window starts, and the fills at its edge already checked. */
export interface ReconciledWindow {
  readonly fillsSinceMs: number;
  readonly fundingSinceMs: number;
  readonly attributedTids: ReadonlySet<number>;
}

const DEFAULT_CLOCK_SKEW_MS = 2_000;
const DEFAULT_MAX_PROBE_WAIT_MS = 30_000;

/** Runs the start-up reconciliation. Throws `ReconciliationError`, `AccountReadError`, `CheckpointError`. */
export async function reconcileAtStartup(options: StartupReconcilerOptions): Promise<StartupReconciliation> {
  const nowMs = options.nowMs ?? Date.now;
  const skewMs = options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  const { journal, recovery, markets, address, logger } = options;
  const mismatches: Mismatch[] = [];

  const probes = await settleByProbing(options, mismatches);
  const checkpoint = options.checkpoints.read(address);
  if (checkpoint === null && options.missingCheckpoint === "refuse") {
    mismatches.push(noBaselineMismatch(options.checkpoints.file));
  }

  const window = windowStart(checkpoint, recovery, journal.openIntents(), nowMs(), skewMs);
  const snapshot = await readAccountSnapshot(options.http, { address, ...window });
  const journaledFills = journalLateFills(journal, snapshot.fills, mismatches);
  const openIntents = journal.openIntents();

  const expected =
    checkpoint === null
      ? Inventory.fromBaseline(markets, adoptedBaseline(snapshot, markets, options.accountMode, window))
      : Inventory.fromBaseline(markets, checkpoint.baseline);
  const result = reconcile(snapshot, { openIntents }, expected, markets, {
    accountMode: options.accountMode,
    ...(options.tolerances === undefined ? {} : { tolerances: options.tolerances }),
    // Reported below with what the probes found.
    unknownOutcomes: "ignore",
    isClosedOrder: isJournaledOrder(journaledOrders(recovery.dir)),
    attributedTids: new Set(checkpoint?.baseline.fillTids ?? []),
  });
  const probeAnswers = new Map(probes.map((report) => [report.cloid, report.answer]));
  for (const intent of openIntents) {
    for (const order of intent.orders) {
      if (order.status !== "unknown") continue;
      const answer = probeAnswers.get(order.cloid);
      mismatches.push(
        unknownOutcomeMismatch(
          order,
          answer === undefined
            ? `never probed (${order.reason})`
            : `the exchange answers "${answer}" and it expires at ${order.expiresAfter}`,
        ),
      );
    }
  }
  if (!result.ok) mismatches.push(...result.mismatches);
  if (!result.ok || mismatches.length > 0) {
    logger?.error(
      { mismatches: mismatches.map((mismatch) => mismatch.message) },
      "start-up reconciliation failed",
    );
    throw new ReconciliationError(mismatches);
  }

  const inventory = result.inventory;
  inventory.compact();
  const saved: InventoryCheckpoint = {
    format: CHECKPOINT_FORMAT,
    address,
    accountMode: options.accountMode,
    savedAtMs: nowMs(),
    exchangeTimeMs: snapshot.exchangeTimeMs,
    baseline: inventory.toBaseline(),
  };
  options.checkpoints.write(saved);
  logger?.info(
    {
      baseline: checkpoint === null ? "adopted" : "checkpoint",
      probes: probes.length,
      explainedFills: result.explained.fills.length,
      explainedFunding: result.explained.funding,
      journaledFills,
      positions: result.positions.map(({ coin, perp, spot, direction }) => ({ coin, perp, spot, direction })),
      usdc: result.balances.usdc,
    },
    "start-up reconciliation ok",
  );
  return {
    positions: result.positions,
    balances: result.balances,
    inventory,
    baseline: checkpoint === null ? "adopted" : "checkpoint",
    probes,
    explained: result.explained,
    journaledFills,
    checkpoint: saved,
    window: windowAfter(saved.baseline),
    snapshot,
  };
}

/** The window a reconciled baseline leaves for the next reconciliation. */
export function windowAfter(baseline: InventoryBaseline): ReconciledWindow {
  return {
    fillsSinceMs: baseline.fillsSinceMs,
    fundingSinceMs: baseline.fundingSinceMs,
    attributedTids: new Set(baseline.fillTids),
  };
}

// ---------------------------------------------------------------------------------------------------------
// 1. Probing

async function settleByProbing(
  options: StartupReconcilerOptions,
  mismatches: Mismatch[],
): Promise<ProbeReport[]> {
  const nowMs = options.nowMs ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const skewMs = options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  const deadline = nowMs() + (options.maxProbeWaitMs ?? DEFAULT_MAX_PROBE_WAIT_MS);
  const { journal, recovery } = options;
  const reports = new Map<Cloid, ProbeReport>();
  let orders: Cloid[] = recovery.unknownOrders.map((order) => order.cloid);
  let reserved: PossiblySentCloid[] = [...recovery.possiblySent];

  while (orders.length + reserved.length > 0) {
    const answers = await probeUnknownOrders(
      options.http,
      options.address,
      [...orders, ...reserved.map((entry) => entry.cloid)],
      { nowMs },
    );
    const waitingOrders: Cloid[] = [];
    const waitingReserved: PossiblySentCloid[] = [];
    const release: Cloid[] = [];
    let wakeAtMs = Number.POSITIVE_INFINITY;
    for (const [index, answer] of answers.entries()) {
      const description = describeProbe(answer.response);
      // Compare expiries with a time the exchange has surely passed.
      const atMs = answer.answeredAtMs - skewMs;
      if (index < orders.length) {
        let state: IntentState;
        try {
          state = journal.appendOrderEvent(answer.cloid, probedEvent(answer.response, atMs));
        } catch (error) {
          if (!(error instanceof JournalRecordRefusedError)) throw error;
          mismatches.push(journalContradiction(answer.cloid, error.message));
          reports.set(answer.cloid, report(answer.cloid, "unknownOrder", description, "refused", null));
          continue;
        }
        const order = state.orders.find((candidate) => candidate.cloid === answer.cloid) as OrderState;
        if (order.status === "unknown") {
          waitingOrders.push(answer.cloid);
          wakeAtMs = Math.min(wakeAtMs, order.expiresAfter + skewMs + 1);
        }
        const outcome = order.status === "unknown" ? "unsettled" : "settled";
        reports.set(answer.cloid, report(answer.cloid, "unknownOrder", description, outcome, order.status));
        continue;
      }
      const entry = reserved[index - orders.length] as PossiblySentCloid;
      if (answer.response.status === "order") {
        mismatches.push(
          possiblySentMismatch(
            answer.cloid,
            description,
            `was reserved by an earlier run and is on the exchange (${description}) with no intent record: ` +
              `resolve it by hand (cancel it, account for its fills) before starting`,
          ),
        );
        reports.set(answer.cloid, report(answer.cloid, "possiblySent", description, "found", null));
      } else if (atMs > entry.expiresBeforeMs) {
        release.push(answer.cloid);
        reports.set(answer.cloid, report(answer.cloid, "possiblySent", description, "released", null));
      } else {
        waitingReserved.push(entry);
        wakeAtMs = Math.min(wakeAtMs, entry.expiresBeforeMs + skewMs + 1);
        reports.set(answer.cloid, report(answer.cloid, "possiblySent", description, "unsettled", null));
      }
    }
    if (release.length > 0) {
      journal.releaseCloids(release, "not found by cloid after its expiry (start-up reconciliation)");
    }
    orders = waitingOrders;
    reserved = waitingReserved;
    if (orders.length + reserved.length === 0) break;
    if (wakeAtMs > deadline) {
      // Unknown orders are reported with the final scan; reserved cloids here.
      for (const entry of reserved) {
        mismatches.push(
          possiblySentMismatch(
            entry.cloid,
            null,
            `is not found on the exchange, but an order under it could still execute until ` +
              `${entry.expiresBeforeMs}, beyond the probe wait: start again after that time`,
          ),
        );
      }
      break;
    }
    await sleep(Math.max(0, wakeAtMs - nowMs()));
  }
  return [...reports.values()];
}

function report(
  cloid: Cloid,
  source: ProbeReport["source"],
  answer: string,
  outcome: ProbeReport["outcome"],
  status: ProbeReport["status"],
): ProbeReport {
  return { cloid, source, answer, outcome, status };
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------------------
// 2–4. Window, late fills, adopted baseline

/**
 * Events since the checkpoint's window; with none, since the last journaled fill or the first open
 * intent (whichever is earlier), or just now on a journal with neither.
 */
function windowStart(
  checkpoint: InventoryCheckpoint | null,
  recovery: JournalRecovery,
  openIntents: readonly IntentState[],
  nowMs: number,
  skewMs: number,
): { fillsSinceMs: number; fundingSinceMs: number } {
  if (checkpoint !== null) {
    return {
      fillsSinceMs: checkpoint.baseline.fillsSinceMs,
      fundingSinceMs: checkpoint.baseline.fundingSinceMs,
    };
  }
  // Local times (intent creation, now) are moved back by the skew: the exchange's clock may be behind.
  let since = nowMs - skewMs;
  for (const intent of openIntents) since = Math.min(since, intent.intent.createdAtMs - skewMs);
  if (recovery.lastFillTimeMs !== null) since = Math.min(since, recovery.lastFillTimeMs);
  return { fillsSinceMs: since, fundingSinceMs: since };
}

/** Appends the fills of journaled orders that the journal lacks; returns how many. */
function journalLateFills(
  journal: StartupJournal,
  fills: readonly UserFill[],
  mismatches: Mismatch[],
): number {
  const byCloid = new Map<Cloid, OrderState>();
  const byOid = new Map<number, OrderState>();
  for (const intent of journal.openIntents()) {
    for (const order of intent.orders) {
      byCloid.set(order.cloid, order);
      if (order.oid !== null) byOid.set(order.oid, order);
    }
  }
  let appended = 0;
  for (const fill of fills) {
    const cloid = fill.cloid ?? null;
    const order = (cloid === null ? undefined : byCloid.get(cloid)) ?? byOid.get(fill.oid);
    if (order === undefined || order.fills.tids.includes(fill.tid)) continue;
    try {
      journal.appendOrderEvent(order.cloid, {
        type: "fill",
        tid: fill.tid,
        oid: fill.oid,
        px: fill.px,
        size: fill.sz,
        fee: fill.fee,
        feeToken: fill.feeToken,
        timeMs: fill.time,
      });
      appended += 1;
    } catch (error) {
      if (!(error instanceof JournalRecordRefusedError)) throw error;
      mismatches.push(journalContradiction(order.cloid, `fill tid ${fill.tid}: ${error.message}`));
    }
  }
  return appended;
}

/**
 * The exchange's own balances as the baseline (first start): spot base tokens and the USDC pool as they
 * are, the perp positions of the configured coins, every event in the window counted.
 */
function adoptedBaseline(
  snapshot: AccountSnapshot,
  markets: readonly BasisMarket[],
  mode: AccountMode,
  window: { fillsSinceMs: number; fundingSinceMs: number },
): InventoryBaseline {
  const tokens: Record<string, WireDecimal> = {
    [USDC]: formatDecimal(usdcPoolOf(snapshot, snapshot.accountMode ?? mode).total),
  };
  const perp: Record<string, WireDecimal> = {};
  for (const market of markets) {
    const balance = spotBalanceOf(snapshot, market.spot.base.index);
    tokens[market.spot.base.name] = formatDecimal(parseDecimal(balance?.total ?? "0"));
    perp[market.perp.coin] = formatDecimal(perpPositionOf(snapshot, market.perp.coin));
  }
  return {
    tokens,
    perp,
    fillsSinceMs: window.fillsSinceMs,
    fillTids: snapshot.fills.map((fill) => fill.tid),
    fundingSinceMs: window.fundingSinceMs,
    fundingKeys: snapshot.funding.map(fundingKey),
  };
}
