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

const TIFS: ReadonlySet<string> = new Set<Tif>(["Gtc", "Ioc", "Alo"]);

export function toIntentId(value: string): IntentId {
  if (!isIntentId(value)) {
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
  if (typeof intent.intentId !== "string" || !isIntentId(intent.intentId)) {
    return ["intentId", "is not <bootId>:<sequence>"];
  }
  if (!INTENT_ACTIONS.includes(intent.action))
    return ["action", `is not one of ${INTENT_ACTIONS.join(", ")}`];
  if (intent.action === "hedge" || intent.action === "unwind") {
    if (intent.parentIntentId === null || !isIntentId(intent.parentIntentId)) {
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
  if (!isCloid(leg.cloid)) return ["cloid", `${leg.cloid} is not 0x + 32 lower-case hex digits`];
  if (typeof leg.reduceOnly !== "boolean") return ["reduceOnly", "is not a boolean"];
  if (!TIFS.has(leg.tif)) return ["tif", `${leg.tif} is not Gtc, Ioc or Alo`];
  if (!isEpochMs(leg.nonce)) return ["nonce", "is not a positive whole number"];
  if (!isEpochMs(leg.expiresAfter)) return ["expiresAfter", "is not a positive whole number of ms"];
  return null;
}

function isEpochMs(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}

// The id, decimal and cloid checks below read char codes instead of testing regexes: they run for every
// intent on the order path, where (with each intent's strings new, as there) `validateIntent` measured
// about 30% cheaper this way. They accept exactly what these regexes did (the journal fast-path tests
// compare both on random and adversarial input):
//   intent id  /^[0-9A-Za-z-]{1,64}:[1-9][0-9]{0,15}$/
//   decimal    /^(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?$/, and not "0"
//   cloid      /^0x[0-9a-f]{32}$/ (`CANONICAL_CLOID_RE`, wire/brands.ts)
// A non-string is converted as `RegExp.prototype.test` converts it (a template literal: `ToString`, which
// throws for a symbol), so even a caller passing the wrong type gets the same verdict.

const DIGIT_0 = 0x30;
const DIGIT_1 = 0x31;
const DIGIT_9 = 0x39;
const COLON = 0x3a;
const DOT = 0x2e;
const LOWER_X = 0x78;
const BOOT_ID_MAX = 64;
const SEQUENCE_MAX_DIGITS = 16;
const CLOID_LENGTH = 34;

/** Character classes by char code (ASCII only): 1 = a boot id character, 2 = also a lower-case hex digit. */
const BOOT_ID_CHAR = 1;
const CLOID_HEX = 2;
const CHAR_CLASS = new Uint8Array(128);
for (const char of "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") {
  CHAR_CLASS[char.charCodeAt(0)] = BOOT_ID_CHAR;
}
for (const char of "0123456789abcdef") CHAR_CLASS[char.charCodeAt(0)] = BOOT_ID_CHAR | CLOID_HEX;

function isDigit(code: number): boolean {
  return code >= DIGIT_0 && code <= DIGIT_9;
}

function inClass(code: number, charClass: number): boolean {
  return code < 128 && ((CHAR_CLASS[code] as number) & charClass) !== 0;
}

/** `<bootId>:<sequence>`: 1–64 of `[0-9A-Za-z-]`, a colon, 1–16 digits without a leading zero. */
function isIntentId(value: unknown): boolean {
  const text = typeof value === "string" ? value : `${value as string}`;
  const length = text.length;
  let colon = 0;
  while (colon < length) {
    const code = text.charCodeAt(colon);
    if (code === COLON) break;
    if (!inClass(code, BOOT_ID_CHAR)) return false;
    colon += 1;
  }
  if (colon === 0 || colon > BOOT_ID_MAX || colon === length) return false;
  const digits = length - colon - 1;
  if (digits === 0 || digits > SEQUENCE_MAX_DIGITS) return false;
  const first = text.charCodeAt(colon + 1);
  if (first < DIGIT_1 || first > DIGIT_9) return false;
  for (let index = colon + 2; index < length; index++) if (!isDigit(text.charCodeAt(index))) return false;
  return true;
}

/** `0x` + 32 lower-case hex digits. */
function isCloid(value: unknown): boolean {
  const text = typeof value === "string" ? value : `${value as string}`;
  if (text.length !== CLOID_LENGTH || text.charCodeAt(0) !== DIGIT_0 || text.charCodeAt(1) !== LOWER_X) {
    return false;
  }
  for (let index = 2; index < CLOID_LENGTH; index++) {
    if (!inClass(text.charCodeAt(index), CLOID_HEX)) return false;
  }
  return true;
}

/** A canonical decimal above zero: no sign, no leading or trailing zeros, not `0`. */
function isPositiveDecimal(value: string): boolean {
  if (typeof value !== "string") return false;
  const length = value.length;
  if (length === 0) return false;
  const first = value.charCodeAt(0);
  let index = 1;
  if (first >= DIGIT_1 && first <= DIGIT_9) {
    while (index < length && isDigit(value.charCodeAt(index))) index += 1;
  } else if (first !== DIGIT_0) {
    return false;
  }
  // Whole part done: "0" alone is not positive; otherwise only a fraction may follow.
  if (index === length) return !(length === 1 && first === DIGIT_0);
  if (value.charCodeAt(index) !== DOT || index + 1 === length) return false;
  for (index += 1; index < length; index++) if (!isDigit(value.charCodeAt(index))) return false;
  return value.charCodeAt(length - 1) !== DIGIT_0;
}
