/**
 * Intents as the journal records them, built from a verdict (a root: `open`, or `close` for a close or an
 * unwind of a held position) or from a follow-up plan (`hedge` / `unwind` of a root): ids and cloids from
 * the journal, nonces from the signer's allocator, every leg IOC. Legs are in a fixed order, perp first,
 * which is also the order of the orders in the signed action and of the statuses in its answer.
 *
 * One action (the default) gives every leg the same nonce and `expiresAfter`; the two-action configuration
 * gives each leg its own nonce, so each travels in its own signed action.
 */

import type { EdgeDirection } from "../edge/direction.js";
import type { Cloid } from "../exchange/wire/brands.js";
import type { BasisMarket } from "../exchange/registry/market.js";
import type { CloseDecision, OpenDecision, OrderLeg, UnwindDecision } from "../strategy/decision.js";
import type { FollowUpLeg } from "./followUpPlan.js";
import type { Intent, IntentAction, IntentId, IntentLeg } from "./intent.js";

/** Where ids come from (an `IntentJournal` is one). */
export interface IdSource {
  nextIntentId(): IntentId;
  nextCloid(): Cloid;
}

/** Where nonces come from (a `NonceAllocator` is one). */
export interface NonceSource {
  next(): number;
}

export type ActionsPerIntent = "one" | "two";

/** A trade verdict with both legs present (an unwind of a one-legged position has a null leg). */
export type RootVerdict =
  OpenDecision | CloseDecision | (UnwindDecision & { readonly perp: OrderLeg; readonly spot: OrderLeg });

export interface RootIntentInput {
  readonly ids: IdSource;
  readonly nonces: NonceSource;
  readonly bootId: string;
  readonly verdict: RootVerdict;
  readonly market: BasisMarket;
  /** The position this intent opens (new) or belongs to. */
  readonly positionId: string | null;
  readonly edgeId: number | null;
  readonly createdAtMs: number;
  readonly actionsPerIntent: ActionsPerIntent;
}

function assetOf(market: BasisMarket, leg: "perp" | "spot"): number {
  return leg === "perp" ? market.perp.assetId : market.spot.assetId;
}

/** The root intent of a verdict; its position id is the intent's own id when it opens a new position. */
export function rootIntent(input: RootIntentInput): Intent {
  const { ids, nonces, verdict, market, actionsPerIntent } = input;
  const intentId = ids.nextIntentId();
  const perpCloid = ids.nextCloid();
  const spotCloid = ids.nextCloid();
  const perpNonce = nonces.next();
  const spotNonce = actionsPerIntent === "one" ? perpNonce : nonces.next();
  const expiresAfter = verdict.expiresAfter;
  const leg = (order: OrderLeg, cloid: Cloid, nonce: number): IntentLeg => ({
    market: order.market,
    asset: assetOf(market, order.market),
    side: order.side,
    limitPx: order.limitPx,
    size: order.size,
    cloid,
    reduceOnly: order.reduceOnly,
    tif: "Ioc",
    nonce,
    expiresAfter,
  });
  const action: IntentAction = verdict.kind === "open" ? "open" : "close";
  return {
    intentId,
    parentIntentId: null,
    bootId: input.bootId,
    edgeId: input.edgeId,
    positionId: input.positionId ?? intentId,
    coin: market.coin,
    direction: verdict.direction,
    action,
    legs: [leg(verdict.perp, perpCloid, perpNonce), leg(verdict.spot, spotCloid, spotNonce)],
    createdAtMs: input.createdAtMs,
  };
}

export interface FollowUpIntentInput {
  readonly ids: IdSource;
  readonly nonces: NonceSource;
  /** This process's boot id (the follow-up is its decision, whoever made the root). */
  readonly bootId: string;
  readonly root: Intent;
  readonly action: "hedge" | "unwind";
  readonly legs: readonly FollowUpLeg[];
  readonly market: BasisMarket;
  readonly createdAtMs: number;
  readonly expiresAfter: number;
}

/** A hedge or unwind of `root`, all legs in one action. */
export function followUpIntent(input: FollowUpIntentInput): Intent {
  const { ids, root, market } = input;
  const intentId = ids.nextIntentId();
  const nonce = input.nonces.next();
  const ordered = [...input.legs].sort((a, b) => (a.market === b.market ? 0 : a.market === "perp" ? -1 : 1));
  const direction: EdgeDirection = root.direction;
  return {
    intentId,
    parentIntentId: root.intentId,
    bootId: input.bootId,
    edgeId: null,
    positionId: root.positionId,
    coin: root.coin,
    direction,
    action: input.action,
    legs: ordered.map((leg) => ({
      market: leg.market,
      asset: assetOf(market, leg.market),
      side: leg.side,
      limitPx: leg.limitPx,
      size: leg.size,
      cloid: ids.nextCloid(),
      reduceOnly: leg.reduceOnly,
      tif: "Ioc",
      nonce,
      expiresAfter: input.expiresAfter,
    })),
    createdAtMs: input.createdAtMs,
  };
}
