/**
 * The rebalancer's decision, as a pure function of what the exchange reported and the policy: where the
 * account's USDC should sit (perp collateral vs spot), and whether one `usdClassTransfer` is worth making.
 * No I/O, no clock: the same inputs always give the same plan, which is what the `rebalances` table records.
 *
 * Standard account (separate spot and perp balances):
 *
 *   positions need  = max(Σ |position value| × marginRatio, totalMarginUsed)     collateral the open
 *                     positions (the hedge's shorts) need at the configured ratio; never moved to spot
 *   perp need       = positions need + clipsAhead × clipNotional × marginRatio   room for the next clips
 *   spot need       = clipsAhead × clipNotional                                  USDC for the next spot buys
 *   capital         = perp account value + free spot USDC (total − hold)
 *   perp target     = perp need + restToPerpShare × (capital − perp need − spot need)   when there is a rest
 *                   = positions need + clip share × (capital − positions need)          when capital is short
 *                   = capital                                                           when even that is short
 *
 * A clip needs both legs, so by default the rest (and a shortfall) is split in the clips' own proportion,
 * marginRatio : 1, so that spare capital buys the same number of extra clips on each leg.
 *
 * Hysteresis: nothing moves while the perp account value stays inside [target − band, target + band]
 * (the spot side moves in lock-step, since a transfer preserves the sum). Outside the band one transfer
 * restores the target itself, so the next one needs a full band of drift: no flapping. The lower edge is
 * never below the positions' need, so an under-collateralised hedge is topped up whatever the band.
 *
 * Safety, whatever the band says:
 * - USDC only. HYPE (and every other spot token) is read and recorded, never counted as capital or sold.
 * - Out of perp at most min(withdrawable, account value − positions need): collateral the open positions
 *   need at the configured ratio never leaves, nor does anything the exchange would refuse to release.
 * - Into perp at most the free spot USDC (resting spot orders' holds stay).
 * - Amounts are rounded down to `transferDecimals`; below `minTransferUsdc` nothing is sent.
 *
 * Unified and portfolio-margin accounts: spot USDC already is the perp collateral, so there is nothing to
 * transfer; the plan reports the budget (collateral, held, free, what the positions need) and stops.
 */

import {
  type Decimal,
  abs,
  add,
  compare,
  divide,
  formatDecimal,
  gt,
  isZero,
  lt,
  mul,
  parseDecimal,
  roundToDecimals,
  sign,
  sub,
} from "../../hotpath/exchange/decimal/decimal.js";
import type { WireDecimal } from "../../hotpath/exchange/wire/brands.js";

/** `userAbstraction` values with one collateral pool (PROTOCOL §10.1): no spot ↔ perp transfer exists. */
export const SHARED_COLLATERAL_MODES = ["unifiedAccount", "portfolioMargin"] as const;
/** Values with separate spot and perp balances: `disabled` is the standard account, the rest legacy. */
export const SEPARATE_COLLATERAL_MODES = ["disabled", "default", "dexAbstraction"] as const;

export type AccountMode =
  (typeof SHARED_COLLATERAL_MODES)[number] | (typeof SEPARATE_COLLATERAL_MODES)[number];

export function isAccountMode(value: string): value is AccountMode {
  return (
    (SHARED_COLLATERAL_MODES as readonly string[]).includes(value) ||
    (SEPARATE_COLLATERAL_MODES as readonly string[]).includes(value)
  );
}

/** One perp position as `clearinghouseState` reports it (the fields the plan uses). */
export interface PerpPositionInput {
  readonly coin: string;
  /** Signed size: negative = short. */
  readonly szi: WireDecimal;
  /** Notional at the mark, unsigned. */
  readonly positionValue: WireDecimal;
  readonly marginUsed: WireDecimal;
}

export interface SpotBalanceInput {
  readonly coin: string;
  readonly total: WireDecimal;
  /** Reserved by resting spot orders (unified: also the perp margin). */
  readonly hold: WireDecimal;
}

/** What the account reader saw; exchange strings as sent, so the record shows exactly that. */
export interface RebalanceInputs {
  readonly accountMode: AccountMode;
  readonly perp: {
    readonly accountValue: WireDecimal;
    readonly totalMarginUsed: WireDecimal;
    readonly totalNtlPos: WireDecimal;
    /** What the exchange lets leave the perp account now. */
    readonly withdrawable: WireDecimal;
    readonly positions: readonly PerpPositionInput[];
  };
  /** Every spot balance (USDC, HYPE, …); only USDC is capital. */
  readonly spot: readonly SpotBalanceInput[];
}

export interface RebalancePolicy {
  /** Collateral kept per unit of open perp notional, e.g. "0.5" (≥ 1 / leverage, or orders are refused). */
  readonly marginRatio: WireDecimal;
  /** USDC notional of one clip (each leg). */
  readonly clipNotionalUsdc: WireDecimal;
  /** How many clips ahead both legs should be able to trade. */
  readonly clipsAhead: number;
  /** Share of the capital beyond both needs that goes to perp; default marginRatio / (1 + marginRatio). */
  readonly restToPerpShare?: WireDecimal | undefined;
  /** Half-width of the no-transfer band around the perp target. */
  readonly bandUsdc: WireDecimal;
  /** Smaller moves are not sent. */
  readonly minTransferUsdc: WireDecimal;
  /** Decimals of a transfer amount (rounded down); default 2. */
  readonly transferDecimals?: number | undefined;
}

export const PLAN_REASONS = {
  restorePerp: "perp collateral below its band: move spot USDC to perp",
  restoreSpot: "perp collateral above its band: move the excess to spot",
  withinBands: "perp collateral inside its band: nothing to do",
  belowMinimumTransfer: "outside the band, but what may move is below the minimum transfer",
  sharedCollateral: "unified or portfolio-margin account: spot USDC is the perp collateral, no transfer",
} as const;

export type PlanReason = keyof typeof PLAN_REASONS;

export interface PlanTarget {
  readonly perpUsdc: WireDecimal;
  readonly spotUsdc: WireDecimal;
  /** What the open positions need at the margin ratio; the floor of the perp side. */
  readonly positionsNeedUsdc: WireDecimal;
  readonly perpNeedUsdc: WireDecimal;
  readonly spotNeedUsdc: WireDecimal;
}

export interface PlanBands {
  readonly perpLowUsdc: WireDecimal;
  readonly perpHighUsdc: WireDecimal;
}

/** Unified / portfolio margin: the one pool and what is spoken for. */
export interface SharedBudget {
  readonly collateralUsdc: WireDecimal;
  readonly heldUsdc: WireDecimal;
  readonly freeUsdc: WireDecimal;
  readonly positionsNeedUsdc: WireDecimal;
}

export interface RebalancePlan {
  readonly action: "none" | "transfer";
  /** Exact USDC amount to send; "0" when the action is none. */
  readonly amountUsdc: WireDecimal;
  /** Direction of the transfer; null when the action is none. */
  readonly toPerp: boolean | null;
  readonly reason: PlanReason;
  /** The reason with the numbers that decided it, for the log and the record. */
  readonly note: string;
  /** Current split as the plan saw it: perp account value and free spot USDC. */
  readonly perpUsdc: WireDecimal;
  readonly spotUsdc: WireDecimal;
  /** Null for shared-collateral accounts. */
  readonly target: PlanTarget | null;
  readonly bands: PlanBands | null;
  /** Only for shared-collateral accounts. */
  readonly budget: SharedBudget | null;
}

export class RebalancePolicyError extends Error {
  override readonly name = "RebalancePolicyError";
}

const ZERO = parseDecimal("0");
const ONE = parseDecimal("1");
/** Perp collateral is kept in micro-USDC on the exchange; targets are computed at that precision. */
const USDC_SCALE = 6;
const DEFAULT_TRANSFER_DECIMALS = 2;

function max(a: Decimal, b: Decimal): Decimal {
  return compare(a, b) >= 0 ? a : b;
}

function min(a: Decimal, b: Decimal): Decimal {
  return compare(a, b) <= 0 ? a : b;
}

function text(value: Decimal): WireDecimal {
  return formatDecimal(value);
}

interface ParsedPolicy {
  readonly marginRatio: Decimal;
  readonly clipNotional: Decimal;
  readonly clipsAhead: Decimal;
  readonly restToPerpShare: Decimal;
  readonly band: Decimal;
  readonly minTransfer: Decimal;
  readonly transferDecimals: number;
}

function parsePolicy(policy: RebalancePolicy): ParsedPolicy {
  const marginRatio = parseDecimal(policy.marginRatio);
  const clipNotional = parseDecimal(policy.clipNotionalUsdc);
  const band = parseDecimal(policy.bandUsdc);
  const minTransfer = parseDecimal(policy.minTransferUsdc);
  const transferDecimals = policy.transferDecimals ?? DEFAULT_TRANSFER_DECIMALS;
  if (sign(marginRatio) <= 0)
    throw new RebalancePolicyError(`marginRatio must be > 0, got ${policy.marginRatio}`);
  if (sign(clipNotional) < 0 || sign(band) < 0 || sign(minTransfer) <= 0) {
    throw new RebalancePolicyError(
      `clipNotionalUsdc and bandUsdc must be ≥ 0 and minTransferUsdc > 0, got ${policy.clipNotionalUsdc}, ` +
        `${policy.bandUsdc}, ${policy.minTransferUsdc}`,
    );
  }
  if (!Number.isSafeInteger(policy.clipsAhead) || policy.clipsAhead < 0) {
    throw new RebalancePolicyError(`clipsAhead must be a non-negative integer, got ${policy.clipsAhead}`);
  }
  if (!Number.isSafeInteger(transferDecimals) || transferDecimals < 0 || transferDecimals > USDC_SCALE) {
    throw new RebalancePolicyError(`transferDecimals must be 0…${USDC_SCALE}, got ${transferDecimals}`);
  }
  const restToPerpShare =
    policy.restToPerpShare === undefined
      ? divide(marginRatio, add(ONE, marginRatio), USDC_SCALE, "down")
      : parseDecimal(policy.restToPerpShare);
  if (lt(restToPerpShare, ZERO) || gt(restToPerpShare, ONE)) {
    throw new RebalancePolicyError(`restToPerpShare must be within 0…1, got ${policy.restToPerpShare}`);
  }
  return {
    marginRatio,
    clipNotional,
    clipsAhead: parseDecimal(String(policy.clipsAhead)),
    restToPerpShare,
    band,
    minTransfer,
    transferDecimals,
  };
}

/** USDC on spot: total and hold of the USDC balance (absent = none). */
function spotUsdcOf(inputs: RebalanceInputs): { total: Decimal; hold: Decimal } {
  const usdc = inputs.spot.find((balance) => balance.coin === "USDC");
  if (usdc === undefined) return { total: ZERO, hold: ZERO };
  return { total: parseDecimal(usdc.total), hold: parseDecimal(usdc.hold) };
}

function positionsNeedOf(inputs: RebalanceInputs, marginRatio: Decimal): Decimal {
  let notional = ZERO;
  for (const position of inputs.perp.positions)
    notional = add(notional, abs(parseDecimal(position.positionValue)));
  const atRatio = roundToDecimals(mul(notional, marginRatio), USDC_SCALE, "up");
  return max(atRatio, parseDecimal(inputs.perp.totalMarginUsed));
}

/** Decides the one transfer (or none) for this tick. Throws `RebalancePolicyError` on a nonsensical policy. */
export function plan(inputs: RebalanceInputs, policy: RebalancePolicy): RebalancePlan {
  const p = parsePolicy(policy);
  const spot = spotUsdcOf(inputs);
  const spotFree = max(sub(spot.total, spot.hold), ZERO);
  const positionsNeed = positionsNeedOf(inputs, p.marginRatio);

  if ((SHARED_COLLATERAL_MODES as readonly string[]).includes(inputs.accountMode)) {
    return {
      action: "none",
      amountUsdc: text(ZERO),
      toPerp: null,
      reason: "sharedCollateral",
      note: `${PLAN_REASONS.sharedCollateral} (mode ${inputs.accountMode}; ${text(spotFree)} USDC free of ${text(spot.total)})`,
      perpUsdc: inputs.perp.accountValue,
      spotUsdc: text(spotFree),
      target: null,
      bands: null,
      budget: {
        collateralUsdc: text(spot.total),
        heldUsdc: text(spot.hold),
        freeUsdc: text(spotFree),
        positionsNeedUsdc: text(positionsNeed),
      },
    };
  }

  const perpNow = parseDecimal(inputs.perp.accountValue);
  const withdrawable = parseDecimal(inputs.perp.withdrawable);
  const clipsNotional = mul(p.clipsAhead, p.clipNotional);
  const perpNeed = add(positionsNeed, mul(clipsNotional, p.marginRatio));
  const spotNeed = clipsNotional;
  const capital = add(max(perpNow, ZERO), spotFree);
  const clipShare = divide(p.marginRatio, add(ONE, p.marginRatio), USDC_SCALE, "down");

  let perpTarget: Decimal;
  if (compare(capital, add(perpNeed, spotNeed)) >= 0) {
    const rest = sub(capital, add(perpNeed, spotNeed));
    perpTarget = add(perpNeed, roundToDecimals(mul(rest, p.restToPerpShare), USDC_SCALE, "down"));
  } else if (compare(capital, positionsNeed) >= 0) {
    const spare = sub(capital, positionsNeed);
    perpTarget = add(positionsNeed, roundToDecimals(mul(spare, clipShare), USDC_SCALE, "down"));
  } else {
    perpTarget = capital;
  }
  const spotTarget = sub(capital, perpTarget);
  const perpLow = min(perpTarget, max(sub(perpTarget, p.band), positionsNeed));
  const perpHigh = add(perpTarget, p.band);

  const target: PlanTarget = {
    perpUsdc: text(perpTarget),
    spotUsdc: text(spotTarget),
    positionsNeedUsdc: text(positionsNeed),
    perpNeedUsdc: text(perpNeed),
    spotNeedUsdc: text(spotNeed),
  };
  const bands: PlanBands = { perpLowUsdc: text(perpLow), perpHighUsdc: text(perpHigh) };
  const base = { perpUsdc: inputs.perp.accountValue, spotUsdc: text(spotFree), target, bands, budget: null };
  const none = (reason: PlanReason, detail: string): RebalancePlan => ({
    ...base,
    action: "none",
    amountUsdc: text(ZERO),
    toPerp: null,
    reason,
    note: `${PLAN_REASONS[reason]} (${detail})`,
  });

  const where = `perp ${text(perpNow)} in [${text(perpLow)}, ${text(perpHigh)}], target ${text(perpTarget)}`;
  let toPerp: boolean;
  let movable: Decimal;
  let limit: string;
  if (lt(perpNow, perpLow)) {
    toPerp = true;
    movable = min(sub(perpTarget, perpNow), spotFree);
    limit = `free spot USDC ${text(spotFree)}`;
  } else if (gt(perpNow, perpHigh)) {
    toPerp = false;
    const aboveNeed = max(sub(perpNow, positionsNeed), ZERO);
    movable = min(min(sub(perpNow, perpTarget), withdrawable), aboveNeed);
    limit = `withdrawable ${text(withdrawable)}, above positions' need ${text(aboveNeed)}`;
  } else {
    return none("withinBands", where);
  }
  const amount = roundToDecimals(max(movable, ZERO), p.transferDecimals, "down");
  if (isZero(amount) || lt(amount, p.minTransfer)) {
    return none(
      "belowMinimumTransfer",
      `${where}; movable ${text(amount)} (${limit}) < ${text(p.minTransfer)}`,
    );
  }
  const reason: PlanReason = toPerp ? "restorePerp" : "restoreSpot";
  return {
    ...base,
    action: "transfer",
    amountUsdc: text(amount),
    toPerp,
    reason,
    note: `${PLAN_REASONS[reason]} (${where}; ${text(amount)} USDC ${toPerp ? "spot → perp" : "perp → spot"}; ${limit})`,
  };
}
