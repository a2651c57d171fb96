/**
 * The bot's expected inventory: a baseline (the account as it was last reconciled) advanced by every fill
 * and funding payment since, in exact decimals. Pure: no I/O, no clock.
 *
 * What a fill changes (PROTOCOL §9.2):
 * - perp fill: the signed perp position by ± size; USDC by `closedPnl − fee` (realised PnL and the fee
 *   move the perp collateral; the open size's PnL is unrealised and stays out of the count);
 * - spot buy: base + size, quote − px × size, and the fee out of the fee token — the received base token
 *   (HYPE on `@107`), so the base balance grows by `size − fee`;
 * - spot sell: base − size, quote + px × size − fee (fee in USDC).
 * Funding moves USDC by `delta.usdc` (received +, paid −).
 *
 * USDC is counted as one pool: every USDC the account owns except unrealised PnL — spot USDC plus the perp
 * collateral on a standard account, spot USDC alone on a unified one (where it is the collateral). Moves
 * between spot and perp (`usdClassTransfer`) therefore change nothing here, which is what lets the
 * rebalancer work while the pool stays exactly explained.
 *
 * Deduplication: a fill is applied once per `tid`, a funding payment once per (time, coin) — the exchange
 * sends the same zero hash for every funding entry. Events before `fillsSinceMs` / `fundingSinceMs` are
 * part of the baseline's levels and are never applied again; those at or after it are remembered by id.
 */

import {
  add,
  type Decimal,
  formatDecimal,
  mul,
  neg,
  parseDecimal,
  sub,
} from "../../exchange/decimal/decimal.js";
import type { BasisMarket } from "../../exchange/registry/market.js";
import { MarketRegistry } from "../../exchange/registry/registry.js";
import type { WireDecimal } from "../../exchange/wire/brands.js";
import type { UserFill, UserFundingEntry } from "../../exchange/wire/info.js";

/** The collateral and quote token of the main perp dex and of every pair the bot trades. */
export const USDC = "USDC";

const ZERO = parseDecimal("0");

/** The serialisable form of an inventory (what a checkpoint stores). */
export interface InventoryBaseline {
  /** Token balances by token name: `USDC` (the pool, see the module header) and each base token. */
  readonly tokens: Readonly<Record<string, WireDecimal>>;
  /** Signed perp positions by perp coin. */
  readonly perp: Readonly<Record<string, WireDecimal>>;
  /** Fills before this exchange time are in the levels above. */
  readonly fillsSinceMs: number;
  /** Fills at or after `fillsSinceMs` already in the levels, by trade id. */
  readonly fillTids: readonly number[];
  /** Funding before this exchange time is in the levels above. */
  readonly fundingSinceMs: number;
  /** Funding at or after `fundingSinceMs` already in the levels, as `fundingKey` gives them. */
  readonly fundingKeys: readonly string[];
}

/** What applying one fill did. */
export type FillEffect =
  /** Counted: on the perp or the spot leg of a configured market. */
  | { readonly kind: "applied"; readonly coin: string; readonly leg: "perp" | "spot" }
  /** Already counted (same `tid`), or older than the baseline. */
  | { readonly kind: "duplicate" }
  /** On a market the bot does not trade: not counted (the reconciler reports it). */
  | { readonly kind: "unknownMarket" };

/** One configured coin's expected holdings. */
export interface CoinHoldings {
  readonly coin: string;
  /** Signed perp position, base units (short < 0). */
  readonly perp: Decimal;
  /** The spot base token's balance (total, hold included). */
  readonly spotBase: Decimal;
}

export function fundingKey(entry: UserFundingEntry): string {
  return `${entry.time}:${entry.delta.coin}`;
}

export class Inventory {
  readonly markets: readonly BasisMarket[];
  readonly #registry: MarketRegistry;
  readonly #tokens: Map<string, Decimal>;
  readonly #perp: Map<string, Decimal>;
  /** Applied fills at or after `#fillsSinceMs`: tid → exchange time. */
  readonly #fillTids: Map<number, number>;
  readonly #fundingKeys: Map<string, number>;
  #fillsSinceMs: number;
  #fundingSinceMs: number;
  #version = 0;

  private constructor(
    markets: readonly BasisMarket[],
    baseline: InventoryBaseline,
    registry?: MarketRegistry,
  ) {
    this.markets = markets;
    this.#registry = registry ?? new MarketRegistry(markets);
    this.#tokens = decimalMap(baseline.tokens);
    this.#perp = decimalMap(baseline.perp);
    this.#fillsSinceMs = baseline.fillsSinceMs;
    this.#fundingSinceMs = baseline.fundingSinceMs;
    // The exact times of baseline ids are not kept; `fillsSinceMs` is a safe stand-in for pruning.
    this.#fillTids = new Map(baseline.fillTids.map((tid) => [tid, baseline.fillsSinceMs]));
    this.#fundingKeys = new Map(baseline.fundingKeys.map((key) => [key, baseline.fundingSinceMs]));
  }

  /** An inventory at `baseline`, for `markets`. Tokens and perps the baseline does not name start at 0. */
  static fromBaseline(markets: readonly BasisMarket[], baseline: InventoryBaseline): Inventory {
    return new Inventory(markets, baseline);
  }

  /** Increments on every change: a reader can tell whether anything was applied between two looks. */
  get version(): number {
    return this.#version;
  }

  get fillsSinceMs(): number {
    return this.#fillsSinceMs;
  }

  get fundingSinceMs(): number {
    return this.#fundingSinceMs;
  }

  /** The USDC pool (see the module header). */
  get usdc(): Decimal {
    return this.token(USDC);
  }

  token(name: string): Decimal {
    return this.#tokens.get(name) ?? ZERO;
  }

  perpPosition(perpCoin: string): Decimal {
    return this.#perp.get(perpCoin) ?? ZERO;
  }

  holdings(market: BasisMarket): CoinHoldings {
    return {
      coin: market.coin,
      perp: this.perpPosition(market.perp.coin),
      spotBase: this.token(market.spot.base.name),
    };
  }

  /** True when the fill with this trade id is counted (or older than the baseline). */
  hasFill(fill: Pick<UserFill, "tid" | "time">): boolean {
    return fill.time < this.#fillsSinceMs || this.#fillTids.has(fill.tid);
  }

  hasFunding(entry: UserFundingEntry): boolean {
    return entry.time < this.#fundingSinceMs || this.#fundingKeys.has(fundingKey(entry));
  }

  applyFill(fill: UserFill): FillEffect {
    if (this.hasFill(fill)) return { kind: "duplicate" };
    const leg = this.#registry.legByWireCoin(fill.coin);
    if (leg === undefined) return { kind: "unknownMarket" };
    const size = parseDecimal(fill.sz);
    const buy = fill.side === "B";
    if (leg.leg === "perp") {
      this.#adjust(this.#perp, leg.market.perp.coin, buy ? size : neg(size));
      this.#adjust(this.#tokens, USDC, parseDecimal(fill.closedPnl));
    } else {
      const quote = mul(parseDecimal(fill.px), size);
      this.#adjust(this.#tokens, leg.market.spot.base.name, buy ? size : neg(size));
      this.#adjust(this.#tokens, leg.market.spot.quote.name, buy ? neg(quote) : quote);
    }
    this.#adjust(this.#tokens, fill.feeToken, neg(parseDecimal(fill.fee)));
    this.#fillTids.set(fill.tid, fill.time);
    this.#version += 1;
    return { kind: "applied", coin: leg.market.coin, leg: leg.leg };
  }

  /** Applies a funding payment once; false when it was already counted. */
  applyFunding(entry: UserFundingEntry): boolean {
    if (this.hasFunding(entry)) return false;
    this.#adjust(this.#tokens, USDC, parseDecimal(entry.delta.usdc));
    this.#fundingKeys.set(fundingKey(entry), entry.time);
    this.#version += 1;
    return true;
  }

  /** An independent copy (same markets): what the reconciler changes instead of the caller's inventory. */
  clone(): Inventory {
    const copy = new Inventory(this.markets, this.toBaseline(), this.#registry);
    for (const [tid, time] of this.#fillTids) copy.#fillTids.set(tid, time);
    for (const [key, time] of this.#fundingKeys) copy.#fundingKeys.set(key, time);
    return copy;
  }

  /**
   * Forgets the ids of events before `beforeMs` (their effect stays in the levels) and moves the windows
   * there: events older than `beforeMs` are then treated as counted. Keeps the id sets small in a
   * long-running process; call it only with a time every older event is known to have arrived by.
   */
  prune(beforeMs: number): void {
    if (beforeMs > this.#fillsSinceMs) {
      for (const [tid, time] of this.#fillTids) if (time < beforeMs) this.#fillTids.delete(tid);
      this.#fillsSinceMs = beforeMs;
    }
    if (beforeMs > this.#fundingSinceMs) {
      for (const [key, time] of this.#fundingKeys) if (time < beforeMs) this.#fundingKeys.delete(key);
      this.#fundingSinceMs = beforeMs;
    }
  }

  /**
   * Moves each window up to the newest event it remembers, forgetting the older ids: right after a
   * reconciliation against a consistent snapshot every event up to then has arrived, so nothing older can
   * still come.
   */
  compact(): void {
    const newestFill = this.newestFillTimeMs();
    if (newestFill !== null && newestFill > this.#fillsSinceMs) {
      for (const [tid, time] of this.#fillTids) if (time < newestFill) this.#fillTids.delete(tid);
      this.#fillsSinceMs = newestFill;
    }
    const newestFunding = this.newestFundingTimeMs();
    if (newestFunding !== null && newestFunding > this.#fundingSinceMs) {
      for (const [key, time] of this.#fundingKeys) if (time < newestFunding) this.#fundingKeys.delete(key);
      this.#fundingSinceMs = newestFunding;
    }
  }

  /** True when `wireCoin` (`"HYPE"`, `"@107"`) is a leg of a configured market. */
  tradesCoin(wireCoin: string): boolean {
    return this.#registry.legByWireCoin(wireCoin) !== undefined;
  }

  /** The newest exchange time of any counted fill, or null when none is remembered by id. */
  newestFillTimeMs(): number | null {
    let newest: number | null = null;
    for (const time of this.#fillTids.values()) if (newest === null || time > newest) newest = time;
    return newest;
  }

  newestFundingTimeMs(): number | null {
    let newest: number | null = null;
    for (const time of this.#fundingKeys.values()) if (newest === null || time > newest) newest = time;
    return newest;
  }

  toBaseline(): InventoryBaseline {
    return {
      tokens: wireRecord(this.#tokens),
      perp: wireRecord(this.#perp),
      fillsSinceMs: this.#fillsSinceMs,
      fillTids: [...this.#fillTids.keys()].sort((a, b) => a - b),
      fundingSinceMs: this.#fundingSinceMs,
      fundingKeys: [...this.#fundingKeys.keys()].sort(),
    };
  }

  #adjust(map: Map<string, Decimal>, key: string, delta: Decimal): void {
    map.set(key, add(map.get(key) ?? ZERO, delta));
  }
}

/**
 * The inventory after `fills` and `funding` on top of `baseline` (each deduplicated), and the fills it
 * could not place on a configured market.
 */
export function inventoryFromEvents(
  markets: readonly BasisMarket[],
  baseline: InventoryBaseline,
  fills: readonly UserFill[],
  funding: readonly UserFundingEntry[] = [],
): { readonly inventory: Inventory; readonly unknownMarketFills: readonly UserFill[] } {
  const inventory = Inventory.fromBaseline(markets, baseline);
  const unknownMarketFills: UserFill[] = [];
  for (const fill of fills) {
    if (inventory.applyFill(fill).kind === "unknownMarket") unknownMarketFills.push(fill);
  }
  for (const entry of funding) inventory.applyFunding(entry);
  return { inventory, unknownMarketFills };
}

/** An empty baseline: nothing held, windows opening at `sinceMs`. */
export function emptyBaseline(sinceMs: number): InventoryBaseline {
  return {
    tokens: {},
    perp: {},
    fillsSinceMs: sinceMs,
    fillTids: [],
    fundingSinceMs: sinceMs,
    fundingKeys: [],
  };
}

/** `a − b`, canonical: the difference a mismatch reports. */
export function difference(a: Decimal, b: Decimal): WireDecimal {
  return formatDecimal(sub(a, b));
}

function decimalMap(record: Readonly<Record<string, WireDecimal>>): Map<string, Decimal> {
  return new Map(Object.entries(record).map(([key, value]) => [key, parseDecimal(value)]));
}

function wireRecord(map: ReadonlyMap<string, Decimal>): Record<string, WireDecimal> {
  const record: Record<string, WireDecimal> = {};
  for (const key of [...map.keys()].sort()) record[key] = formatDecimal(map.get(key) as Decimal);
  return record;
}
