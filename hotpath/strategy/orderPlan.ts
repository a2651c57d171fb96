/**
 * The two orders of a verdict while it is being decided, in integers (lots and price units per leg), and
 * the checks that need the limit prices: the position notional limit, the exchange's minimum order value, and
 * the balances. Checks read the plan and return a skip reason or null, allocating nothing; only
 * `orderLeg` (once the verdict is certain) builds the signed form, with the price string from grid.ts.
 */

import { POWERS_OF_TEN, type LegScales } from "../book/scales.js";
import type { EdgeDirection } from "../edge/direction.js";
import { FEE_RATE_SCALE, type FeeRates } from "../edge/feeRates.js";
import { MICRO_USDC_DECIMALS } from "../edge/riskCap.js";
import { fromScaledBigInt } from "../exchange/decimal/decimal.js";
import { roundPrice, type GridSpec } from "../exchange/decimal/grid.js";
import { fromScaledNumber, toScaledNumber } from "../exchange/decimal/scaled.js";
import type { OrderLeg } from "./decision.js";
import { LimitPriceError } from "./errors.js";
import type { LimitScratch } from "./limitPrices.js";
import type { PositionView } from "./position.js";
import { legSide, sellingLeg, type LegAction, type LegMarket } from "./sides.js";
import type { MarketStrategy } from "./strategyConfig.js";

/** Balances an order may use. */
export interface BalancesView {
  /** USDC on the spot account a spot buy may spend, micro-USDC (a buy's fee is paid in the base token). */
  readonly spotUsdcMicro: number;
  /** Base token on the spot account a spot sell may sell, quantity units. */
  readonly spotBaseQty: number;
  /** Perp account USDC withdrawable (free margin), micro-USDC. */
  readonly perpWithdrawableMicro: number;
}

export type OrderBlock =
  | "maxPositionNotional"
  | "belowMinNotional"
  | "insufficientSpotQuote"
  | "insufficientSpotBase"
  | "insufficientPerpMargin";

/** Numeric fields start as doubles (NaN) for the reason given in `book/legBook.ts`. */
export class OrderPlan {
  direction: EdgeDirection = "perpRich";
  action: LegAction = "enter";
  /** 0 = no order on the leg (an unwind of a one-sided position). */
  perpLots = Number.NaN;
  spotLots = Number.NaN;
  perpRawUnits = Number.NaN;
  spotRawUnits = Number.NaN;
  perpLimitUnits = Number.NaN;
  spotLimitUnits = Number.NaN;
}

/** Copies the placed sell/buy limits of `limits` onto the perp and spot legs of `plan`. */
export function fillPlan(
  plan: OrderPlan,
  limits: LimitScratch,
  direction: EdgeDirection,
  action: LegAction,
): void {
  const perpSells = sellingLeg(direction, action) === "perp";
  plan.direction = direction;
  plan.action = action;
  plan.perpLots = perpSells ? limits.sellLots : limits.buyLots;
  plan.spotLots = perpSells ? limits.buyLots : limits.sellLots;
  plan.perpRawUnits = perpSells ? limits.sellRawUnits : limits.buyRawUnits;
  plan.spotRawUnits = perpSells ? limits.buyRawUnits : limits.sellRawUnits;
  plan.perpLimitUnits = perpSells ? limits.sellLimitUnits : limits.buyLimitUnits;
  plan.spotLimitUnits = perpSells ? limits.buyLimitUnits : limits.sellLimitUnits;
}

/** Notional units of a leg (`10^-notionalDecimals` USDC) per micro-USDC. */
function perMicroUsdc(scales: LegScales): number {
  return POWERS_OF_TEN[scales.notionalDecimals - MICRO_USDC_DECIMALS]!;
}

/**
 * The position notional limit on each leg after an entry: `(held + order lots) × limit price units`, exact
 * integers in the leg's notional units. `position` is the position being added to, or null from flat.
 */
export function positionNotionalBlock(
  plan: OrderPlan,
  position: PositionView | null,
  strategy: MarketStrategy,
): OrderBlock | null {
  const { perp, spot } = strategy.scales;
  const limit = strategy.limits.maxPositionNotionalMicroUsdc;
  const heldPerp = position === null ? 0 : position.perpLots;
  const heldSpot = position === null ? 0 : position.spotLots;
  if ((heldPerp + plan.perpLots) * plan.perpLimitUnits > limit * perMicroUsdc(perp))
    return "maxPositionNotional";
  if ((heldSpot + plan.spotLots) * plan.spotLimitUnits > limit * perMicroUsdc(spot))
    return "maxPositionNotional";
  return null;
}

/** Every leg with an order is worth at least the minimum at its limit price. */
export function minNotionalBlock(plan: OrderPlan, strategy: MarketStrategy): OrderBlock | null {
  const { perp, spot } = strategy.scales;
  const minimum = strategy.minOrderNotionalMicroUsdc;
  if (plan.perpLots > 0 && plan.perpLots * plan.perpLimitUnits < minimum * perMicroUsdc(perp)) {
    return "belowMinNotional";
  }
  if (plan.spotLots > 0 && plan.spotLots * plan.spotLimitUnits < minimum * perMicroUsdc(spot)) {
    return "belowMinNotional";
  }
  return null;
}

/**
 * Balances for the plan at its limit prices: a spot buy needs its notional in spot USDC, a spot sell its
 * size in base; a perp entry needs `notional / leverage` plus its taker fee of withdrawable (a reduce-only
 * perp exit needs none).
 */
export function balanceBlock(
  plan: OrderPlan,
  balances: BalancesView,
  fees: FeeRates,
  strategy: MarketStrategy,
): OrderBlock | null {
  const scales = strategy.scales;
  if (plan.spotLots > 0) {
    if (legSide(plan.direction, plan.action, "spot") === "buy") {
      if (plan.spotLots * plan.spotLimitUnits > balances.spotUsdcMicro * perMicroUsdc(scales.spot)) {
        return "insufficientSpotQuote";
      }
    } else if (plan.spotLots * scales.spotLotQty > balances.spotBaseQty) {
      return "insufficientSpotBase";
    }
  }
  if (plan.perpLots > 0 && plan.action === "enter") {
    const notionalMicro = (plan.perpLots * plan.perpLimitUnits) / perMicroUsdc(scales.perp);
    const required =
      notionalMicro / strategy.perpLeverage + (notionalMicro * fees.perpTaker) / FEE_RATE_SCALE;
    if (!(required <= balances.perpWithdrawableMicro)) return "insufficientPerpMargin";
  }
  return null;
}

/**
 * The signed form of one leg of `plan`. The price string is grid.ts's side-aware rounding of the raw units
 * (a sell rounds up, a buy down), checked against the allocation-free rounding the decision was made with.
 * Allocates; call only for a verdict.
 */
export function orderLeg(plan: OrderPlan, market: LegMarket, strategy: MarketStrategy): OrderLeg {
  const perp = market === "perp";
  const scales = perp ? strategy.scales.perp : strategy.scales.spot;
  const grid: GridSpec = perp ? strategy.perpGrid : strategy.spotGrid;
  const side = legSide(plan.direction, plan.action, market);
  const lots = perp ? plan.perpLots : plan.spotLots;
  const rawUnits = perp ? plan.perpRawUnits : plan.spotRawUnits;
  const limitUnits = perp ? plan.perpLimitUnits : plan.spotLimitUnits;
  const limitPx = roundPrice(
    fromScaledBigInt(BigInt(rawUnits), scales.priceDecimals),
    grid,
    side === "sell" ? "up" : "down",
  );
  if (toScaledNumber(limitPx, scales.priceDecimals) !== limitUnits) {
    throw new LimitPriceError(market, rawUnits, limitUnits, limitPx);
  }
  return Object.freeze({
    market,
    side,
    limitPx,
    size: fromScaledNumber(lots, scales.sizeDecimals),
    lots,
    limitPxUnits: limitUnits,
    reduceOnly: perp && plan.action === "exit",
  });
}
