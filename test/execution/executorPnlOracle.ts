/**
 * An independent PnL of the simulator's own records: its fills and funding ledger for an account, in
 * `decimal.js` (not the hot path's decimal module), first in first out per leg. What the executor's trade
 * ledger must equal to the last digit.
 */

import decimalJsModule from "decimal.js";
import type { Decimal as DecimalJsClass } from "decimal.js";

// decimal.js's default import is the class at run time, typed as the CommonJS module (see test/exchange/decimal/oracles.ts).
const DecimalJs = decimalJsModule as unknown as typeof DecimalJsClass;

/** decimal.js with far more precision than any amount here: add, subtract and multiply are exact. */
export const Decimal = DecimalJs.clone({ precision: 1000, toExpNeg: -9e15, toExpPos: 9e15 });
export type Decimal = InstanceType<typeof Decimal>;

export interface OracleFill {
  readonly coin: string;
  readonly px: string;
  readonly sz: string;
  /** `B` buy, `A` sell. */
  readonly side: string;
  readonly fee: string;
  readonly feeToken: string;
  readonly tid: number;
}

export interface OraclePnl {
  readonly realizedPerpUsdc: string;
  readonly realizedSpotUsdc: string;
  readonly fees: { readonly perp: Record<string, string>; readonly spot: Record<string, string> };
  readonly fundingUsdc: string;
  readonly netUsdc: string;
  readonly perpQty: string;
  readonly spotQty: string;
  readonly spotNetQty: string;
  readonly spotOpenCostUsdc: string;
}

/** `1.50` → `1.5`, `-0` → `0`: the hot path's canonical form. */
export function canonical(value: Decimal): string {
  if (value.isZero()) return "0";
  const text = value.toFixed();
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

class Fifo {
  private readonly lots: { qty: Decimal; px: Decimal }[] = [];
  realized = new Decimal(0);

  /** `qty` signed (buy +). */
  apply(qty: Decimal, px: Decimal): void {
    let rest = qty;
    while (!rest.isZero() && this.lots.length > 0 && this.lots[0]!.qty.isPositive() !== rest.isPositive()) {
      const lot = this.lots[0]!;
      const matched = Decimal.min(lot.qty.abs(), rest.abs());
      const gain = lot.qty.isPositive() ? px.minus(lot.px) : lot.px.minus(px);
      this.realized = this.realized.plus(matched.times(gain));
      const towardZero = lot.qty.isPositive() ? matched.negated() : matched;
      lot.qty = lot.qty.plus(towardZero);
      rest = rest.minus(towardZero);
      if (lot.qty.isZero()) this.lots.shift();
    }
    if (!rest.isZero()) this.lots.push({ qty: rest, px });
  }

  get qty(): Decimal {
    return this.lots.reduce((sum, lot) => sum.plus(lot.qty), new Decimal(0));
  }

  get openCost(): Decimal {
    return this.lots.reduce((sum, lot) => sum.plus(lot.qty.times(lot.px)), new Decimal(0));
  }
}

export function oraclePnl(
  fills: readonly OracleFill[],
  fundingUsdc: readonly string[],
  legs: { readonly perpCoin: string; readonly spotCoin: string },
): OraclePnl {
  const perp = new Fifo();
  const spot = new Fifo();
  const fees = { perp: new Map<string, Decimal>(), spot: new Map<string, Decimal>() };
  let spotNet = new Decimal(0);
  for (const fill of [...fills].sort((a, b) => a.tid - b.tid)) {
    const qty = fill.side === "B" ? new Decimal(fill.sz) : new Decimal(fill.sz).negated();
    const px = new Decimal(fill.px);
    const fee = new Decimal(fill.fee);
    const isPerp = fill.coin === legs.perpCoin;
    if (!isPerp && fill.coin !== legs.spotCoin) continue;
    (isPerp ? perp : spot).apply(qty, px);
    const legFees = isPerp ? fees.perp : fees.spot;
    legFees.set(fill.feeToken, (legFees.get(fill.feeToken) ?? new Decimal(0)).plus(fee));
    if (!isPerp) spotNet = spotNet.plus(qty).minus(fill.feeToken === "USDC" ? 0 : fee);
  }
  const funding = fundingUsdc.reduce((sum, amount) => sum.plus(amount), new Decimal(0));
  const usdcFees = (fees.perp.get("USDC") ?? new Decimal(0)).plus(fees.spot.get("USDC") ?? new Decimal(0));
  const record = (map: Map<string, Decimal>): Record<string, string> =>
    Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, canonical(v)]));
  return {
    realizedPerpUsdc: canonical(perp.realized),
    realizedSpotUsdc: canonical(spot.realized),
    fees: { perp: record(fees.perp), spot: record(fees.spot) },
    fundingUsdc: canonical(funding),
    netUsdc: canonical(perp.realized.plus(spot.realized).minus(usdcFees).plus(funding)),
    perpQty: canonical(perp.qty),
    spotQty: canonical(spot.qty),
    spotNetQty: canonical(spotNet),
    spotOpenCostUsdc: canonical(spot.openCost),
  };
}
