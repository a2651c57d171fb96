/**
 * The paper account: spot balances per token, perp collateral and positions, in exact decimals, moved by
 * paper fills the way the exchange books them (PROTOCOL §9.2, the simulator's ledger):
 * - a spot buy pays the quote notional and receives the base size less its fee, which is taken in the
 *   base token; a spot sell pays the base size and receives the notional less a USDC fee;
 * - a perp fill moves the position (cost basis kept exactly, so realised PnL has no rounding drift) and
 *   books realised PnL less the USDC fee into the collateral.
 *
 * Fee rounding: up (in the venue's favour), USDC fees to 6 decimals as the exchange's recorded fills show
 * them (`"0.304521"`), base-token fees to the token's `weiDecimals` (HYPE: 8, `"0.00031499"`).
 *
 * What it checks before an order (the exchange's refusals the bot can meet): spot balance for the full
 * order at its limit, reduce-only capacity, and perp margin — an approximation: collateral less the initial
 * margin of the open positions at their entry prices (`basis / leverage`), unrealised PnL ignored.
 */

import {
  abs,
  add,
  type Decimal,
  divide,
  formatDecimal,
  gt,
  isZero,
  lt,
  mul,
  neg,
  parseDecimal,
  roundToDecimals,
  sign,
  sub,
} from "../exchange/decimal/decimal.js";
import type { WireDecimal } from "../exchange/wire/brands.js";

export const USDC_FEE_DECIMALS = 6;

const ZERO = parseDecimal("0");

export interface PaperAccountStart {
  /** USDC on the spot account. */
  readonly spotUsdc: string;
  /** USDC collateral of the perp account. */
  readonly perpUsdc: string;
  /** Spot tokens other than USDC, by token name. */
  readonly spotTokens: Readonly<Record<string, string>>;
  /** The perp leverage the account is set to (margin per order = notional / leverage). */
  readonly perpLeverage: number;
}

/** A spot market as the account needs it. */
export interface PaperSpotPair {
  readonly base: string;
  readonly quote: string;
  /** Decimals of the base token's smallest unit (fees in the base token are rounded to it). */
  readonly baseWeiDecimals: number;
}

/** What one fill did to the account, in the fields of the exchange's fill report. */
export interface FillAccounting {
  readonly fee: WireDecimal;
  readonly feeToken: string;
  readonly dir: string;
  /** Spot: the base balance before; perp: the signed position before. */
  readonly startPosition: WireDecimal;
  readonly closedPnl: WireDecimal;
}

interface PerpPosition {
  /** Signed size: positive long. */
  szi: Decimal;
  /** Cost of the open size at entry (≥ 0). */
  basis: Decimal;
}

export class PaperAccount {
  private readonly spot = new Map<string, Decimal>();
  /** USDC cost of each spot token holding (for the `closedPnl` of a sell). */
  private readonly spotCost = new Map<string, Decimal>();
  private perpCollateral: Decimal;
  private readonly positions = new Map<string, PerpPosition>();
  private readonly leverage: Decimal;

  constructor(start: PaperAccountStart) {
    this.spot.set("USDC", parseDecimal(start.spotUsdc));
    for (const [token, amount] of Object.entries(start.spotTokens))
      this.spot.set(token, parseDecimal(amount));
    this.perpCollateral = parseDecimal(start.perpUsdc);
    if (!(Number.isInteger(start.perpLeverage) && start.perpLeverage >= 1)) {
      throw new RangeError(`perp leverage must be a positive integer, got ${start.perpLeverage}`);
    }
    this.leverage = parseDecimal(String(start.perpLeverage));
  }

  spotBalance(token: string): Decimal {
    return this.spot.get(token) ?? ZERO;
  }

  /** Signed perp position of `coin`. */
  perpPosition(coin: string): Decimal {
    return this.positions.get(coin)?.szi ?? ZERO;
  }

  get collateral(): Decimal {
    return this.perpCollateral;
  }

  /** How much of an order on `coin` reduces the position (the rest would increase it). */
  reducible(coin: string, isBuy: boolean): Decimal {
    const szi = this.perpPosition(coin);
    return (isBuy ? sign(szi) < 0 : sign(szi) > 0) ? abs(szi) : ZERO;
  }

  /** Collateral not committed as initial margin of the open positions (at their entry cost). */
  freeMargin(): Decimal {
    let used = ZERO;
    for (const position of this.positions.values()) used = add(used, position.basis);
    return sub(this.perpCollateral, divide(used, this.leverage, 8, "up"));
  }

  /** Initial margin an increase of `size` at `px` needs. */
  marginFor(px: Decimal, size: Decimal): Decimal {
    return divide(mul(px, size), this.leverage, 8, "up");
  }

  /** Books a spot fill (taker) at `px` for `sz` with the fee rate `rate` (a fraction, e.g. 0.0007). */
  settleSpot(pair: PaperSpotPair, isBuy: boolean, px: Decimal, sz: Decimal, rate: Decimal): FillAccounting {
    const notional = mul(px, sz);
    const startPosition = this.spotBalance(pair.base);
    if (isBuy) {
      const fee = roundToDecimals(mul(sz, rate), pair.baseWeiDecimals, "up");
      this.spot.set(pair.quote, sub(this.spotBalance(pair.quote), notional));
      this.spot.set(pair.base, add(startPosition, sub(sz, fee)));
      this.spotCost.set(pair.base, add(this.spotCost.get(pair.base) ?? ZERO, notional));
      return accounting(fee, pair.base, "Buy", startPosition, ZERO);
    }
    const cost = this.spotCost.get(pair.base) ?? ZERO;
    const released =
      sign(startPosition) <= 0
        ? ZERO
        : !lt(sz, startPosition)
          ? cost
          : divide(mul(cost, sz), startPosition, 8, "halfEven");
    const fee = roundToDecimals(mul(notional, rate), USDC_FEE_DECIMALS, "up");
    this.spot.set(pair.base, sub(startPosition, sz));
    this.spotCost.set(pair.base, sub(cost, released));
    this.spot.set(pair.quote, add(this.spotBalance(pair.quote), sub(notional, fee)));
    return accounting(fee, pair.quote, "Sell", startPosition, sub(notional, released));
  }

  /** Books a perp fill (taker) on `coin`. */
  settlePerp(coin: string, isBuy: boolean, px: Decimal, sz: Decimal, rate: Decimal): FillAccounting {
    const notional = mul(px, sz);
    const fee = roundToDecimals(mul(notional, rate), USDC_FEE_DECIMALS, "up");
    let position = this.positions.get(coin);
    if (position === undefined) {
      position = { szi: ZERO, basis: ZERO };
      this.positions.set(coin, position);
    }
    const startPosition = position.szi;
    let closedPnl = ZERO;
    let dir: string;
    if (isZero(startPosition) || sign(startPosition) > 0 === isBuy) {
      position.basis = add(position.basis, notional);
      position.szi = add(position.szi, isBuy ? sz : neg(sz));
      dir = isBuy ? "Open Long" : "Open Short";
    } else {
      const open = abs(startPosition);
      const closesAll = !lt(sz, open);
      const closing = closesAll ? open : sz;
      const released = closesAll ? position.basis : divide(mul(position.basis, closing), open, 8, "halfEven");
      const closingValue = mul(px, closing);
      closedPnl = sign(startPosition) > 0 ? sub(closingValue, released) : sub(released, closingValue);
      position.basis = sub(position.basis, released);
      position.szi = add(position.szi, isBuy ? closing : neg(closing));
      const flipped = sub(sz, closing);
      if (gt(flipped, ZERO)) {
        position.basis = mul(px, flipped);
        position.szi = isBuy ? flipped : neg(flipped);
        dir = isBuy ? "Short > Long" : "Long > Short";
      } else {
        dir = isBuy ? "Close Short" : "Close Long";
      }
    }
    if (isZero(position.szi)) this.positions.delete(coin);
    this.perpCollateral = add(this.perpCollateral, sub(closedPnl, fee));
    return accounting(fee, "USDC", dir, startPosition, closedPnl);
  }

  /** Funding paid into (positive) or out of the perp collateral. */
  applyFunding(usdc: Decimal): void {
    this.perpCollateral = add(this.perpCollateral, usdc);
  }

  /** Every balance as decimal strings: spot tokens, perp collateral, positions. */
  snapshot(): {
    readonly spot: Record<string, WireDecimal>;
    readonly perpCollateral: WireDecimal;
    readonly positions: Record<string, WireDecimal>;
  } {
    return {
      spot: Object.fromEntries([...this.spot].map(([token, amount]) => [token, formatDecimal(amount)])),
      perpCollateral: formatDecimal(this.perpCollateral),
      positions: Object.fromEntries(
        [...this.positions].map(([coin, position]) => [coin, formatDecimal(position.szi)]),
      ),
    };
  }
}

function accounting(
  fee: Decimal,
  feeToken: string,
  dir: string,
  startPosition: Decimal,
  closedPnl: Decimal,
): FillAccounting {
  return {
    fee: formatDecimal(fee),
    feeToken,
    dir,
    startPosition: formatDecimal(startPosition),
    closedPnl: formatDecimal(closedPnl),
  };
}
