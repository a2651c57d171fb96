/**
 * An intent: one trading decision and the orders it sends, exactly as the write-ahead journal records it
 * before any byte reaches the exchange (see `journal/`).
 *
 * Four actions:
 * - `open` / `close`: a root intent, both legs of a basis position (perp and spot) sent together.
 * - `hedge` / `unwind`: a follow-up to a root whose legs did not fill alike. `hedge` restores the balance
 *   of the legs (completing the short leg by the cumulative filled quantity, or trimming the long one), so
 *   the position is held; `unwind` flattens what was filled. A follow-up names its root in
 *   `parentIntentId` and carries its own cloids, so every order the bot ever sends is in the journal.
 *
 * Each leg carries the nonce and `expiresAfter` of the signed action that carries it: by default both legs
 * travel in one `order` action and share both; configured as two actions they differ. Recovery relies on
 * `expiresAfter`: an order the exchange does not know after that time can never fill.
 *
 * Ids: an intent id is `<bootId>:<sequence>`, the boot id being the process's random per-start UUID (the one
 * edges are persisted with), so ids are unique across restarts without any coordination.
 */

import type { EdgeDirection } from "../edge/direction.js";
import type { Tif } from "../exchange/wire/actions.js";
import type { Cloid, WireDecimal } from "../exchange/wire/brands.js";

declare const intentIdBrand: unique symbol;

/** `<bootId>:<sequence>`; build with `IntentIdSequence` or check with `toIntentId`. */
export type IntentId = string & { readonly [intentIdBrand]: true };

export type IntentAction = "open" | "close" | "hedge" | "unwind";
export const INTENT_ACTIONS: readonly IntentAction[] = ["open", "close", "hedge", "unwind"];

export type LegMarket = "perp" | "spot";
export type OrderSide = "buy" | "sell";

/** One order of an intent, as it will be signed (`orderWire`) and sent. */
export interface IntentLeg {
  readonly market: LegMarket;
  /** Exchange asset id: the perp index, or 10000 + the spot pair index. */
  readonly asset: number;
  readonly side: OrderSide;
  /** Limit price, canonical (as signed). */
  readonly limitPx: WireDecimal;
  /** Size in base units, canonical (as signed). */
  readonly size: WireDecimal;
  readonly cloid: Cloid;
  readonly reduceOnly: boolean;
  readonly tif: Tif;
  /** Nonce of the signed action that carries this leg. */
  readonly nonce: number;
  /** The action's `expiresAfter`, exchange milliseconds: a delayed order dies instead of filling late. */
  readonly expiresAfter: number;
}

export interface Intent {
  readonly intentId: IntentId;
  /** The root this follow-up completes or unwinds; null for `open` and `close`. */
  readonly parentIntentId: IntentId | null;
  /** Boot id (UUID) of the process that made the decision; with `edgeId` it names the edge. */
  readonly bootId: string;
  /** The edge that caused the decision (per-process id, see `EdgeIdSequence`); null when none did (a close on max holding time, a kill-switch flatten). */
  readonly edgeId: number | null;
  /** Groups an open, its close and their follow-ups. */
  readonly positionId: string;
  /** The configured coin (e.g. `HYPE`). */
  readonly coin: string;
  readonly direction: EdgeDirection;
  readonly action: IntentAction;
  /** `open`/`close`: one perp and one spot leg. Follow-ups: one or more legs. */
  readonly legs: readonly IntentLeg[];
  /** Local wall clock, epoch milliseconds. */
  readonly createdAtMs: number;
}

/** An intent that fails the checks below: a bug in the caller, refused before anything is journaled. */
export class IntentValidationError extends Error {
  override readonly name = "IntentValidationError";
  constructor(
    readonly intentId: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`intent ${intentId}: ${field} ${reason}`);
  }
}

const INTENT_ID_RE = /^[0-9A-Za-z-]{1,64}:[1-9][0-9]{0,15}$/;
const POSITIVE_DECIMAL_RE = /^(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?$/;
const CLOID_RE = /^0x[0-9a-f]{32}$/;
const TIFS: ReadonlySet<string> = new Set<Tif>(["Gtc", "Ioc", "Alo"]);

export function toIntentId(value: string): IntentId {
  if (!INTENT_ID_RE.test(value)) {
    throw new IntentValidationError(value, "intentId", "is not <bootId>:<sequence>");
  }
  return value as IntentId;
}

/** Hands out `<bootId>:1`, `<bootId>:2`, …: unique across restarts because the boot id is. */
export class IntentIdSequence {
  #last = 0;
  constructor(readonly bootId: string) {
    toIntentId(`${bootId}:1`); // checks the boot id's alphabet once
  }
  next(): IntentId {
    this.#last += 1;
    return `${this.bootId}:${this.#last}` as IntentId;
  }
}

/**
 * Checks an intent's shape: ids, leg count per action, canonical positive decimals, lower-case cloids
 * unique within the intent, whole-number assets, nonces and times. Throws `IntentValidationError`.
 * Canonical decimals matter: the journal and the signature must describe the same bytes. It runs on the
 * order path, so it allocates nothing unless it fails.
 */
export function validateIntent(intent: Intent): void {
  const problem = intentProblem(intent) ?? legsProblem(intent);
  if (problem !== null) throw new IntentValidationError(String(intent.intentId), problem[0], problem[1]);
}

type Problem = readonly [field: string, reason: string];

function intentProblem(intent: Intent): Problem | null {
  if (typeof intent.intentId !== "string" || !INTENT_ID_RE.test(intent.intentId)) {
    return ["intentId", "is not <bootId>:<sequence>"];
  }
  if (!INTENT_ACTIONS.includes(intent.action))
    return ["action", `is not one of ${INTENT_ACTIONS.join(", ")}`];
  if (intent.action === "hedge" || intent.action === "unwind") {
    if (intent.parentIntentId === null || !INTENT_ID_RE.test(intent.parentIntentId)) {
      return ["parentIntentId", `must name the root intent of a ${intent.action}`];
    }
  } else if (intent.parentIntentId !== null) {
    return ["parentIntentId", `must be null for an ${intent.action} (only hedge/unwind follow a root)`];
  }
  if (typeof intent.bootId !== "string" || intent.bootId.length === 0) return ["bootId", "is empty"];
  if (intent.edgeId !== null && !(Number.isSafeInteger(intent.edgeId) && intent.edgeId > 0)) {
    return ["edgeId", `${intent.edgeId} is not a positive whole number or null`];
  }
  if (typeof intent.positionId !== "string" || intent.positionId.length === 0)
    return ["positionId", "is empty"];
  if (typeof intent.coin !== "string" || intent.coin.length === 0) return ["coin", "is empty"];
  if (intent.direction !== "perpRich" && intent.direction !== "spotRich") {
    return ["direction", `${String(intent.direction)} is not perpRich or spotRich`];
  }
  if (!isEpochMs(intent.createdAtMs)) return ["createdAtMs", "is not a positive whole number of ms"];
  return null;
}

function legsProblem(intent: Intent): Problem | null {
  const legs = intent.legs;
  const followUp = intent.action === "hedge" || intent.action === "unwind";
  if (followUp ? legs.length === 0 : legs.length !== 2) {
    return ["legs", followUp ? "must not be empty" : `must be one perp and one spot leg, got ${legs.length}`];
  }
  if (!followUp && legs[0]?.market === legs[1]?.market) return ["legs", "must be one perp and one spot leg"];
  for (let index = 0; index < legs.length; index++) {
    const leg = legs[index] as IntentLeg;
    const problem = legProblem(leg);
    if (problem !== null) return [`legs[${index}].${problem[0]}`, problem[1]];
    for (let other = 0; other < index; other++) {
      if ((legs[other] as IntentLeg).cloid === leg.cloid)
        return [`legs[${index}].cloid`, "repeats another leg's cloid"];
    }
  }
  return null;
}

function legProblem(leg: IntentLeg): Problem | null {
  if (leg.market !== "perp" && leg.market !== "spot") return ["market", "is not perp or spot"];
  if (!(Number.isSafeInteger(leg.asset) && leg.asset >= 0)) return ["asset", "is not a whole number"];
  if (leg.side !== "buy" && leg.side !== "sell") return ["side", "is not buy or sell"];
  if (!isPositiveDecimal(leg.limitPx))
    return ["limitPx", `${leg.limitPx} is not a canonical positive decimal`];
  if (!isPositiveDecimal(leg.size)) return ["size", `${leg.size} is not a canonical positive decimal`];
  if (!CLOID_RE.test(leg.cloid)) return ["cloid", `${leg.cloid} is not 0x + 32 lower-case hex digits`];
  if (typeof leg.reduceOnly !== "boolean") return ["reduceOnly", "is not a boolean"];
  if (!TIFS.has(leg.tif)) return ["tif", `${leg.tif} is not Gtc, Ioc or Alo`];
  if (!isEpochMs(leg.nonce)) return ["nonce", "is not a positive whole number"];
  if (!isEpochMs(leg.expiresAfter)) return ["expiresAfter", "is not a positive whole number of ms"];
  return null;
}

function isEpochMs(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}

/** A canonical decimal above zero: no sign, no leading or trailing zeros, not `0`. */
function isPositiveDecimal(value: string): boolean {
  return typeof value === "string" && POSITIVE_DECIMAL_RE.test(value) && value !== "0";
}
