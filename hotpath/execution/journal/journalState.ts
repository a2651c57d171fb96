/**
 * What the journal knows, built by applying records one at a time — the same code for the live journal
 * (before and after each append) and for recovery (replaying a segment), so a recovered state is the state
 * the process had when it wrote the last record.
 *
 * Two steps per record: `plan` checks that the record can follow the ones before it and computes the new
 * intent state, changing nothing (throws `StateRejection`); `commit` applies the plan. The live journal
 * plans, writes, then commits, so a record the state machine refuses is never written.
 */

import type { Cloid } from "../../exchange/wire/brands.js";
import { type Intent, type IntentId, IntentValidationError, validateIntent } from "../intent.js";
import {
  type IllegalTransition,
  type IntentState,
  initialIntentState,
  isIllegal,
  transition,
} from "../intentState.js";
import type { BootRecord, JournalRecord, ReleaseRecord, ReserveRecord, SegmentRecord } from "./records.js";
import { ReservationLedger } from "./reservations.js";

/** A record that cannot follow the ones before it. */
export class StateRejection extends Error {
  override readonly name = "StateRejection";
  constructor(
    readonly reason: string,
    readonly transition: IllegalTransition | null = null,
  ) {
    super(reason);
  }
}

/** One root intent with its follow-ups: its state, and its records' JSON (copied into the next snapshot). */
export interface IntentGroup {
  state: IntentState;
  readonly records: string[];
}

/** A plan that leaves an intent group in `state` (its root's state after the commit). */
export type GroupPlan =
  | { readonly kind: "root"; readonly state: IntentState }
  | {
      readonly kind: "group";
      readonly root: IntentId;
      readonly state: IntentState;
      /** A follow-up intent joining the group. */
      readonly added: Intent | null;
      readonly fillTimeMs: number | null;
    };

export type StatePlan =
  | { readonly kind: "meta"; readonly record: SegmentRecord | BootRecord | ReserveRecord | ReleaseRecord }
  | GroupPlan
  | { readonly kind: "close"; readonly roots: readonly IntentId[] };

export class JournalState {
  /** Open root intents, by id, in the order they were created. */
  readonly groups = new Map<IntentId, IntentGroup>();
  /** Every open intent (root or follow-up) → its root. */
  readonly rootOfIntent = new Map<IntentId, IntentId>();
  /** Every order of an open intent → its root. */
  readonly rootOfCloid = new Map<Cloid, IntentId>();
  readonly reservations = new ReservationLedger();
  lastFillTimeMs: number | null = null;
  /** Highest nonce of any intent ever journaled. */
  highestNonce: number | null = null;
  /** Highest nonce ceiling ever reserved (reserve-ahead mode). */
  nonceCeiling: number | null = null;
  /** The boot id and cloid prefix of the last process that wrote (a boot record or a segment header). */
  lastBootId: string | null = null;
  lastCloidPrefix: string | null = null;

  /** `json`: the record's JSON text as written (kept for snapshots). */
  apply(record: JournalRecord, json: string): void {
    this.commit(this.plan(record), json);
  }

  plan(record: JournalRecord): StatePlan {
    switch (record.t) {
      case "segment":
      case "boot":
      case "reserve":
      case "release":
        return { kind: "meta", record };
      case "intent":
        return this.planIntent(record.intent);
      case "order": {
        const root = this.rootOfCloid.get(record.cloid);
        if (root === undefined)
          throw new StateRejection(`no open intent has an order with cloid ${record.cloid}`);
        const group = this.groups.get(root) as IntentGroup;
        const order = group.state.orders.find((candidate) => candidate.cloid === record.cloid);
        if (order?.intentId !== record.intentId) {
          throw new StateRejection(
            `order ${record.cloid} belongs to intent ${order?.intentId}, not ${record.intentId}`,
          );
        }
        const state = this.#transition(group.state, {
          type: "order",
          cloid: record.cloid,
          event: record.event,
        });
        const fillTimeMs = record.event.type === "fill" ? record.event.timeMs : null;
        return { kind: "group", root, state, added: null, fillTimeMs };
      }
      case "residual": {
        const group = this.groups.get(record.intentId);
        if (group === undefined) throw new StateRejection(`no open root intent ${record.intentId}`);
        const state = this.#transition(group.state, { type: "residualAccepted", reason: record.reason });
        return { kind: "group", root: record.intentId, state, added: null, fillTimeMs: null };
      }
      case "closed": {
        const roots: IntentId[] = [];
        for (const [root, group] of this.groups) {
          if (group.state.intent.positionId !== record.positionId) continue;
          this.#transition(group.state, { type: "closed", atMs: record.atMs });
          roots.push(root);
        }
        if (roots.length === 0)
          throw new StateRejection(`no open intent belongs to position ${record.positionId}`);
        return { kind: "close", roots };
      }
    }
  }

  commit(plan: StatePlan, json: string): void {
    switch (plan.kind) {
      case "meta":
        this.#commitMeta(plan.record);
        return;
      case "root": {
        const { intent } = plan.state;
        this.groups.set(intent.intentId, { state: plan.state, records: [json] });
        this.#addIntent(intent, intent.intentId);
        return;
      }
      case "group": {
        const group = this.groups.get(plan.root) as IntentGroup;
        group.state = plan.state;
        group.records.push(json);
        if (plan.added !== null) this.#addIntent(plan.added, plan.root);
        if (plan.fillTimeMs !== null) {
          this.lastFillTimeMs =
            this.lastFillTimeMs === null ? plan.fillTimeMs : Math.max(this.lastFillTimeMs, plan.fillTimeMs);
        }
        return;
      }
      case "close":
        for (const root of plan.roots) {
          const group = this.groups.get(root) as IntentGroup;
          this.groups.delete(root);
          this.rootOfIntent.delete(root);
          for (const followUp of group.state.followUps) this.rootOfIntent.delete(followUp.intentId);
          for (const order of group.state.orders) this.rootOfCloid.delete(order.cloid);
        }
        return;
    }
  }

  /** True while any open order's outcome is unknown, or any reserved cloid may be on the exchange unexplained. */
  hasUnknownOutcome(ownPrefix: string | null): boolean {
    for (const group of this.groups.values()) {
      if (group.state.orders.some((order) => order.status === "unknown")) return true;
    }
    // This boot's own outstanding cloids were never used, hence never sent; earlier boots' may have been.
    const own = ownPrefix === null ? 0 : this.reservations.outstandingCountFor(ownPrefix);
    return this.reservations.outstandingCount > own;
  }

  /**
   * `plan({ t: "intent", intent })`, for the journal's order path (no record object needed); the plan's
   * `state` is the root's state once committed.
   */
  planIntent(intent: Intent): GroupPlan {
    try {
      validateIntent(intent);
    } catch (error) {
      if (error instanceof IntentValidationError) throw new StateRejection(error.message);
      throw error;
    }
    if (this.rootOfIntent.has(intent.intentId))
      throw new StateRejection(`intent ${intent.intentId} is already open`);
    for (const leg of intent.legs) {
      if (this.rootOfCloid.has(leg.cloid)) {
        throw new StateRejection(
          `cloid ${leg.cloid} is already used by open intent ${this.rootOfCloid.get(leg.cloid)}`,
        );
      }
    }
    if (intent.parentIntentId === null) return { kind: "root", state: initialIntentState(intent) };
    const group = this.groups.get(intent.parentIntentId);
    if (group === undefined) {
      throw new StateRejection(
        `${intent.action} ${intent.intentId} names ${intent.parentIntentId}, which is not an open root intent`,
      );
    }
    const state = this.#transition(group.state, { type: "followUp", intent });
    return { kind: "group", root: intent.parentIntentId, state, added: intent, fillTimeMs: null };
  }

  #transition(state: IntentState, event: Parameters<typeof transition>[1]): IntentState {
    const next = transition(state, event);
    if (isIllegal(next)) throw new StateRejection(next.message, next);
    return next;
  }

  #addIntent(intent: Intent, root: IntentId): void {
    this.rootOfIntent.set(intent.intentId, root);
    for (const leg of intent.legs) {
      this.rootOfCloid.set(leg.cloid, root);
      this.reservations.explain(leg.cloid);
      if (this.highestNonce === null || leg.nonce > this.highestNonce) this.highestNonce = leg.nonce;
    }
  }

  #commitMeta(record: SegmentRecord | BootRecord | ReserveRecord | ReleaseRecord): void {
    switch (record.t) {
      case "segment": {
        const { snapshot } = record;
        this.lastBootId = record.bootId;
        this.lastCloidPrefix = record.cloidPrefix;
        this.lastFillTimeMs = maxOf(this.lastFillTimeMs, snapshot.lastFillTimeMs);
        this.highestNonce = maxOf(this.highestNonce, snapshot.highestNonce);
        this.nonceCeiling = maxOf(this.nonceCeiling, snapshot.nonceCeiling);
        for (const range of snapshot.reserved) this.reservations.reserve(range);
        return;
      }
      case "boot":
        this.lastBootId = record.bootId;
        this.lastCloidPrefix = record.cloidPrefix;
        return;
      case "reserve":
        if (record.range !== null) this.reservations.reserve(record.range);
        this.nonceCeiling = maxOf(this.nonceCeiling, record.nonceCeiling);
        return;
      case "release":
        this.reservations.release(record.ranges);
        return;
    }
  }
}

function maxOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}
