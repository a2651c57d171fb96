/**
 * The bot's own trades in exact decimals: per market, what the fills of its intents hold (perp position,
 * spot base bought or sold, net of the base-token fees spot buys pay), and the PnL they made — per position
 * (open, close and follow-ups share a position id) and in total.
 *
 * PnL, each part in its own currency (nothing is converted at a price that was never traded):
 * - realized price PnL, USDC, per leg, first in first out: a fill that reduces a leg's holding is matched
 *   against the oldest fills that built it, `matched × (sell px − buy px)`; what is not matched stays held
 *   at its cost;
 * - fees per leg and token: perp and spot sells pay USDC, spot buys the base token (HYPE on `@107`);
 * - funding, USDC (received +, paid −), from the exchange's funding events.
 * `netUsdc` = realized − USDC fees + funding. Base-token fees are listed apart; `dailyNetDelta` values them at
 * their fill's price for the daily loss limit only.
 *
 * Postgres applies the same rule (migration `0008_fifo-realized-pnl.sql`: `pnl_total`, `pnl_per_position`,
 * `pnl_per_day`), so its PnL equals this ledger's to the digit: lots are the fills' own sizes (a spot buy's
 * base-token fee does not shrink its lot; those units stay held at their buy price until sold), matched in
 * trade-id order — the order fills reach this ledger.
 *
 * Fills are applied exactly once by the caller (the journal's state machine deduplicates by trade id before
 * a fill reaches this ledger).
 */

import {
  abs,
  add,
  compare,
  type Decimal,
  divide,
  formatDecimal,
  isZero,
  mul,
  neg,
  parseDecimal,
  sign,
  sub,
} from "../exchange/decimal/decimal.js";
import type { WireDecimal } from "../exchange/wire/brands.js";
import type { EdgeDirection } from "../edge/direction.js";
import type { LegMarket, OrderSide } from "./intent.js";

export const USDC_TOKEN = "USDC";
const ZERO = parseDecimal("0");

/** One applied fill of one of the bot's orders. */
export interface LedgerFill {
  readonly coin: string;
  readonly market: LegMarket;
  readonly side: OrderSide;
  readonly px: WireDecimal;
  readonly size: WireDecimal;
  /** Negative for a rebate. */
  readonly fee: WireDecimal;
  readonly feeToken: string;
  readonly timeMs: number;
  /** The position the fill's intent belongs to. */
  readonly positionId: string;
}

/** One order's fills in total (the journal's summary of them). */
export interface LedgerAggregate {
  readonly coin: string;
  readonly market: LegMarket;
  readonly side: OrderSide;
  readonly size: WireDecimal;
  /** Sum of px × size, exact. */
  readonly notional: WireDecimal;
  readonly fees: readonly { readonly token: string; readonly amount: WireDecimal }[];
  readonly timeMs: number;
  readonly positionId: string;
}

export interface LedgerFunding {
  readonly coin: string;
  /** Received +, paid −. */
  readonly usdc: WireDecimal;
  readonly timeMs: number;
  /** The position held when it was paid; null when none was (it still counts in the total). */
  readonly positionId: string | null;
}

/** A PnL breakdown, every amount an exact decimal string. */
export interface PnlFigures {
  readonly realizedPerpUsdc: WireDecimal;
  readonly realizedSpotUsdc: WireDecimal;
  readonly realizedUsdc: WireDecimal;
  /** Fees per leg, by token (negative for rebates). */
  readonly fees: {
    readonly perp: Readonly<Record<string, WireDecimal>>;
    readonly spot: Readonly<Record<string, WireDecimal>>;
  };
  readonly fundingUsdc: WireDecimal;
  /** realized − USDC fees + funding; base-token fees are in `fees.spot`. */
  readonly netUsdc: WireDecimal;
  readonly fills: number;
}

export interface PositionPnl extends PnlFigures {
  readonly positionId: string;
  readonly coin: string;
  readonly direction: EdgeDirection | null;
  readonly openedAtMs: number | null;
  /** Set when the executor closed the position. */
  readonly closedAtMs: number | null;
}

/** What a market's fills hold now (the bot's own trades only). */
export interface MarketHoldings {
  readonly coin: string;
  /** Signed perp position, base units. */
  readonly perpQty: WireDecimal;
  /** Signed spot base from fills, before fees. */
  readonly spotQty: WireDecimal;
  /** Signed spot base net of base-token fees: what the account actually gained or lost. */
  readonly spotNetQty: WireDecimal;
  /** Cost of what is still held on each leg, USDC (signed: a short holds negative cost). */
  readonly perpOpenCostUsdc: WireDecimal;
  readonly spotOpenCostUsdc: WireDecimal;
}

export interface PnlSnapshot {
  readonly total: PnlFigures;
  readonly positions: readonly PositionPnl[];
  readonly markets: readonly MarketHoldings[];
}

/** A FIFO lot: signed quantity (long +, short −) at a price. */
interface Lot {
  qty: Decimal;
  readonly px: Decimal;
}

class Figures {
  realizedPerp = ZERO;
  realizedSpot = ZERO;
  readonly perpFees = new Map<string, Decimal>();
  readonly spotFees = new Map<string, Decimal>();
  funding = ZERO;
  fills = 0;

  addFee(market: LegMarket, token: string, amount: Decimal): void {
    const fees = market === "perp" ? this.perpFees : this.spotFees;
    fees.set(token, add(fees.get(token) ?? ZERO, amount));
  }

  view(): PnlFigures {
    const realized = add(this.realizedPerp, this.realizedSpot);
    const usdcFees = add(this.perpFees.get(USDC_TOKEN) ?? ZERO, this.spotFees.get(USDC_TOKEN) ?? ZERO);
    return {
      realizedPerpUsdc: formatDecimal(this.realizedPerp),
      realizedSpotUsdc: formatDecimal(this.realizedSpot),
      realizedUsdc: formatDecimal(realized),
      fees: { perp: feeRecord(this.perpFees), spot: feeRecord(this.spotFees) },
      fundingUsdc: formatDecimal(this.funding),
      netUsdc: formatDecimal(add(sub(realized, usdcFees), this.funding)),
      fills: this.fills,
    };
  }
}

function feeRecord(fees: Map<string, Decimal>): Record<string, WireDecimal> {
  const record: Record<string, WireDecimal> = {};
  for (const [token, amount] of [...fees].sort(([a], [b]) => a.localeCompare(b))) {
    record[token] = formatDecimal(amount);
  }
  return record;
}

class PositionRecord {
  readonly figures = new Figures();
  direction: EdgeDirection | null = null;
  openedAtMs: number | null = null;
  closedAtMs: number | null = null;
  constructor(
    readonly positionId: string,
    readonly coin: string,
  ) {}
}

class MarketLots {
  readonly perp: Lot[] = [];
  readonly spot: Lot[] = [];
  spotNet = ZERO;
  constructor(readonly coin: string) {}
}

/** What applying one fill changed, for the caller's risk bookkeeping. */
export interface FillEffect {
  /** Realized price PnL of this fill, USDC. */
  readonly realizedUsdc: Decimal;
  /** realized − fee, the fee valued in USDC at the fill's price when paid in the base token. */
  readonly dailyNetDelta: Decimal;
}

/** Closed positions kept for the dashboard; older ones are dropped from `snapshot()` (totals keep them). */
const CLOSED_POSITIONS_KEPT = 200;

export class TradeLedger {
  private readonly total = new Figures();
  private readonly markets = new Map<string, MarketLots>();
  private readonly positions = new Map<string, PositionRecord>();

  applyFill(fill: LedgerFill): FillEffect {
    const px = parseDecimal(fill.px);
    const fee = parseDecimal(fill.fee);
    const realized = this.apply(fill, px, parseDecimal(fill.size), [{ token: fill.feeToken, amount: fee }]);
    const feeUsdc = fill.feeToken === USDC_TOKEN ? fee : mul(fee, px);
    return { realizedUsdc: realized, dailyNetDelta: sub(realized, feeUsdc) };
  }

  /**
   * An order's fills as the journal summarises them (after a restart): one lot at their average price
   * (rounded to 12 decimals — the one place this ledger is not exact), fees per token as summed.
   */
  applyAggregate(aggregate: LedgerAggregate): void {
    const size = parseDecimal(aggregate.size);
    if (isZero(size)) return;
    const px = divide(parseDecimal(aggregate.notional), size, 12, "halfEven");
    const fees = aggregate.fees.map((fee) => ({ token: fee.token, amount: parseDecimal(fee.amount) }));
    this.apply(aggregate, px, size, fees);
  }

  private apply(
    fill: Pick<LedgerFill, "coin" | "market" | "side" | "timeMs" | "positionId">,
    px: Decimal,
    size: Decimal,
    fees: readonly { readonly token: string; readonly amount: Decimal }[],
  ): Decimal {
    const lots = this.marketLots(fill.coin);
    const position = this.position(fill.positionId, fill.coin);
    const qty = fill.side === "buy" ? size : neg(size);
    const realized = matchFifo(fill.market === "perp" ? lots.perp : lots.spot, qty, px);
    if (fill.market === "spot") {
      lots.spotNet = add(lots.spotNet, qty);
      for (const fee of fees) if (fee.token !== USDC_TOKEN) lots.spotNet = sub(lots.spotNet, fee.amount);
    }
    for (const figures of [this.total, position.figures]) {
      if (fill.market === "perp") figures.realizedPerp = add(figures.realizedPerp, realized);
      else figures.realizedSpot = add(figures.realizedSpot, realized);
      for (const fee of fees) figures.addFee(fill.market, fee.token, fee.amount);
      figures.fills += 1;
    }
    if (position.openedAtMs === null) position.openedAtMs = fill.timeMs;
    return realized;
  }

  applyFunding(funding: LedgerFunding): Decimal {
    const amount = parseDecimal(funding.usdc);
    this.total.funding = add(this.total.funding, amount);
    if (funding.positionId !== null) {
      const position = this.position(funding.positionId, funding.coin);
      position.figures.funding = add(position.figures.funding, amount);
    }
    return amount;
  }

  /** Stamps a position's direction (once known) for the snapshot. */
  setDirection(positionId: string, coin: string, direction: EdgeDirection): void {
    this.position(positionId, coin).direction = direction;
  }

  closePosition(positionId: string, atMs: number): void {
    const position = this.positions.get(positionId);
    if (position !== undefined) position.closedAtMs = atMs;
    let closed = 0;
    for (const record of [...this.positions.values()].reverse()) {
      if (record.closedAtMs === null) continue;
      closed += 1;
      if (closed > CLOSED_POSITIONS_KEPT) this.positions.delete(record.positionId);
    }
  }

  holdings(coin: string): MarketHoldings {
    const lots = this.marketLots(coin);
    return {
      coin,
      perpQty: formatDecimal(sumQty(lots.perp)),
      spotQty: formatDecimal(sumQty(lots.spot)),
      spotNetQty: formatDecimal(lots.spotNet),
      perpOpenCostUsdc: formatDecimal(sumCost(lots.perp)),
      spotOpenCostUsdc: formatDecimal(sumCost(lots.spot)),
    };
  }

  /** Average price of what a leg still holds (display only: a double); NaN when it holds nothing. */
  openAveragePx(coin: string, market: LegMarket): number {
    const lots = this.marketLots(coin)[market];
    const qty = sumQty(lots);
    if (isZero(qty)) return Number.NaN;
    return Number(formatDecimal(sumCost(lots))) / Number(formatDecimal(qty));
  }

  positionPnl(positionId: string): PositionPnl | undefined {
    const record = this.positions.get(positionId);
    return record === undefined ? undefined : positionView(record);
  }

  snapshot(): PnlSnapshot {
    return {
      total: this.total.view(),
      positions: [...this.positions.values()].map(positionView),
      markets: [...this.markets.keys()].map((coin) => this.holdings(coin)),
    };
  }

  private marketLots(coin: string): MarketLots {
    let lots = this.markets.get(coin);
    if (lots === undefined) {
      lots = new MarketLots(coin);
      this.markets.set(coin, lots);
    }
    return lots;
  }

  private position(positionId: string, coin: string): PositionRecord {
    let record = this.positions.get(positionId);
    if (record === undefined) {
      record = new PositionRecord(positionId, coin);
      this.positions.set(positionId, record);
    }
    return record;
  }
}

function positionView(record: PositionRecord): PositionPnl {
  return {
    positionId: record.positionId,
    coin: record.coin,
    direction: record.direction,
    openedAtMs: record.openedAtMs,
    closedAtMs: record.closedAtMs,
    ...record.figures.view(),
  };
}

/**
 * Applies a signed quantity at `px` to a leg's FIFO lots: matched against the oldest lots of the other sign
 * (realizing their difference), the rest appended as a new lot. Returns the realized PnL.
 */
function matchFifo(lots: Lot[], qty: Decimal, px: Decimal): Decimal {
  let remaining = qty;
  let realized = ZERO;
  while (!isZero(remaining) && lots.length > 0 && sign(lots[0]!.qty) !== sign(remaining)) {
    const lot = lots[0]!;
    const matched = compare(abs(lot.qty), abs(remaining)) <= 0 ? abs(lot.qty) : abs(remaining);
    // A long lot closed by a sell gains (px − lot px); a short lot closed by a buy gains (lot px − px).
    const gain = sign(lot.qty) > 0 ? sub(px, lot.px) : sub(lot.px, px);
    realized = add(realized, mul(matched, gain));
    const step = sign(lot.qty) > 0 ? neg(matched) : matched;
    lot.qty = add(lot.qty, step);
    remaining = sub(remaining, step);
    if (isZero(lot.qty)) lots.shift();
  }
  if (!isZero(remaining)) lots.push({ qty: remaining, px });
  return realized;
}

function sumQty(lots: readonly Lot[]): Decimal {
  let total = ZERO;
  for (const lot of lots) total = add(total, lot.qty);
  return total;
}

function sumCost(lots: readonly Lot[]): Decimal {
  let total = ZERO;
  for (const lot of lots) total = add(total, mul(lot.qty, lot.px));
  return total;
}
