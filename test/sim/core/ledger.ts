/**
 * Account ledger: spot balances, perp collateral and positions, fees, funding and spot↔perp transfers.
 *
 * Money is exact (bigint scaled 1e8, see `fixed.ts`). Rounding, always in the exchange's favour:
 * - Fees: notional × rate (USDC) or size × rate (base token, spot buys) rounded **up** to 8 decimals;
 *   a rebate (negative rate) therefore rounds toward zero. Fees go to a per-token fee pool.
 * - Funding: each position is credited −szi × oracle × rate rounded **down** (toward −∞), so payers pay
 *   the rounded-up amount and receivers get the rounded-down one; the residue goes to a funding pool.
 * - Notionals (px × sz) are exact for grid-valid prices and sizes (≤ 8 decimals in total).
 * Spot `entryNtl` is the USDC cost of the holding (funded tokens start at 0); a spot sell's `closedPnl` is
 * its proceeds minus the cost released, before the fee.
 *
 * The model's liquidity trades against one house account (`MODEL_ADDRESS`): it pays no fees, has no
 * limits and may go negative, so every trade has two sides in the ledger and value is conserved:
 * Σ balances (incl. house) + fee pools + funding pool = Σ funded, per token. Perp value is kept as
 * cash plus an exact cost basis per position (entryPx is derived from it), so realised and unrealised PnL
 * add up without rounding drift.
 *
 * Margin (cross only): margin used per position = position value at mark / leverage (default the asset's
 * max leverage); maintenance = position value / (2 × max leverage); accountValue = collateral + unrealised
 * PnL; withdrawable = accountValue − max(margin used, 10 % of total position value) (PROTOCOL §4.3),
 * floored at 0. Resting perp orders reserve their notional / leverage for new orders, not for withdrawals.
 * Liquidation price (approximation, no liquidation engine): the mark at which accountValue would fall to the
 * maintenance requirement if only this position's price moved; `undefined` when that price is ≤ 0.
 *
 * Account modes (PROTOCOL §10.1): standard (`"disabled"`) keeps spot USDC and perp collateral apart and
 * moves them with `usdClassTransfer`; `"unifiedAccount"` uses spot USDC as the perp collateral (one pool;
 * transfers are a successful no-op) and reserves perp margin out of spot USDC for spot orders.
 */
import type { Address } from "../../../hotpath/exchange/wire/brands.js";
import { actionErrors } from "./errors.js";
import { FX_ONE, absFx, divFx, divRound, maxFx, mulFx, parseFx } from "./fixed.js";
import {
  USDC_TOKEN,
  type Market,
  type MarketTable,
  type PerpMarket,
  type SpotMarket,
  type TokenSpec,
} from "./markets.js";

/** The counterparty of every trade against the model's liquidity. */
export const MODEL_ADDRESS = "0x0000000000000000000000000000000000000000" as Address;

export type Abstraction = "disabled" | "unifiedAccount";

/** Fee rates as scaled decimals (0.00045 = 0.045 %). Negative = rebate. */
export interface FeeRates {
  readonly perpCross: bigint;
  readonly perpAdd: bigint;
  readonly spotCross: bigint;
  readonly spotAdd: bigint;
}

/** Base tier (< $5 M 14-day volume), PROTOCOL §9.1. */
export const BASE_FEE_RATES: FeeRates = {
  perpCross: parseFx("0.00045"),
  perpAdd: parseFx("0.00015"),
  spotCross: parseFx("0.0007"),
  spotAdd: parseFx("0.0004"),
};

export interface SpotBalance {
  total: bigint;
  /** Reserved by resting spot orders (and, in unified mode, shown with the perp margin on top). */
  hold: bigint;
  /** Cost basis in USDC of the current holding. */
  entryNtl: bigint;
}

/** Funding paid (positive) or received (negative) by a position. */
export interface CumFunding {
  allTime: bigint;
  sinceOpen: bigint;
  sinceChange: bigint;
}

export interface PerpPosition {
  /** Signed size: negative = short. */
  szi: bigint;
  /** Exact cost of the open size (|szi| × average entry). */
  basis: bigint;
  readonly cumFunding: CumFunding;
}

export type Liquidity = "taker" | "maker" | "house";

/** What a fill did to one account, for the fill record. */
export interface FillAccounting {
  readonly fee: bigint;
  readonly feeToken: string;
  readonly dir: string;
  readonly startPosition: bigint;
  readonly closedPnl: bigint;
}

export interface MarkSource {
  markPx(asset: number): bigint;
}

export interface PositionSummary {
  readonly market: PerpMarket;
  readonly szi: bigint;
  readonly entryPx: bigint;
  readonly positionValue: bigint;
  readonly unrealizedPnl: bigint;
  readonly returnOnEquity: bigint;
  readonly liquidationPx: bigint | undefined;
  readonly marginUsed: bigint;
  readonly leverage: number;
  readonly cumFunding: Readonly<CumFunding>;
}

export interface PerpSummary {
  readonly accountValue: bigint;
  readonly totalNtlPos: bigint;
  readonly totalRawUsd: bigint;
  readonly totalMarginUsed: bigint;
  readonly crossMaintenanceMarginUsed: bigint;
  readonly withdrawable: bigint;
  readonly positions: readonly PositionSummary[];
}

/** One funding payment, shaped like the `userEvents` funding variant (PROTOCOL §2.8). */
export interface FundingEvent {
  readonly user: Address;
  readonly time: number;
  readonly coin: string;
  /** Credited to the account: negative = paid. */
  readonly usdc: bigint;
  readonly szi: bigint;
  readonly fundingRate: bigint;
}

export interface ConservationLine {
  readonly token: string;
  /** Everything ever credited by `fund`. */
  readonly funded: bigint;
  /** Σ of all accounts (house included); for USDC: spot + perp collateral + unrealised PnL. */
  readonly accounts: bigint;
  readonly fees: bigint;
  readonly fundingPool: bigint;
  /** funded − accounts − fees − fundingPool: must be exactly 0. */
  readonly residual: bigint;
}

interface Account {
  readonly address: Address;
  readonly isHouse: boolean;
  abstraction: Abstraction;
  readonly spot: Map<number, SpotBalance>;
  /** Perp collateral in standard mode (unused in unified mode). */
  perpCash: bigint;
  readonly positions: Map<number, PerpPosition>;
  readonly leverage: Map<number, number>;
  fees: FeeRates;
  /** Cumulative traded notional (USDC). */
  volume: bigint;
}

export interface LedgerOptions {
  readonly defaultFees?: FeeRates;
  readonly defaultAbstraction?: Abstraction;
}

const MIN_WITHDRAW_MARGIN_FRACTION = parseFx("0.1");

export class Ledger {
  private readonly accounts = new Map<Address, Account>();
  private readonly funded = new Map<number, bigint>();
  private readonly feePool = new Map<number, bigint>();
  private fundingPool = 0n;
  private readonly defaultFees: FeeRates;
  private readonly defaultAbstraction: Abstraction;

  constructor(
    private readonly markets: MarketTable,
    options: LedgerOptions = {},
  ) {
    this.defaultFees = options.defaultFees ?? BASE_FEE_RATES;
    this.defaultAbstraction = options.defaultAbstraction ?? "disabled";
  }

  /** Credits tokens at start-up, by token name (`{USDC: "1000", HYPE: "5"}`); USDC to spot unless `toPerp`. */
  fund(
    user: Address,
    amounts: Readonly<Record<string, string | bigint>>,
    options: { toPerp?: boolean } = {},
  ): void {
    const account = this.account(user);
    for (const [name, raw] of Object.entries(amounts)) {
      const token = this.markets.token(name);
      if (token === undefined) throw new Error(`unknown token ${name}`);
      const amount = typeof raw === "bigint" ? raw : parseFx(raw);
      if (amount < 0n) throw new Error(`cannot fund a negative amount of ${name}`);
      this.funded.set(token.index, (this.funded.get(token.index) ?? 0n) + amount);
      if (token.index === USDC_TOKEN.index && options.toPerp === true && account.abstraction === "disabled") {
        account.perpCash += amount;
      } else {
        this.balance(account, token.index).total += amount;
      }
    }
  }

  hasAccount(user: Address): boolean {
    return this.accounts.has(user);
  }

  addresses(): Address[] {
    return [...this.accounts.keys()].filter((address) => address !== MODEL_ADDRESS);
  }

  userAbstraction(user: Address): Abstraction {
    return this.accounts.get(user)?.abstraction ?? this.defaultAbstraction;
  }

  /**
   * Switches the account mode. To unified: perp collateral joins spot USDC. Back to standard: only without
   * positions (everything stays in spot). Returns an error string or `undefined`.
   */
  setAbstraction(user: Address, mode: Abstraction, hasOpenOrders: boolean): string | undefined {
    const account = this.account(user);
    if (account.abstraction === mode) return undefined;
    if (hasOpenOrders || this.hasPositions(account)) return actionErrors.abstractionWithPositions;
    if (mode === "unifiedAccount") {
      this.balance(account, USDC_TOKEN.index).total += account.perpCash;
      account.perpCash = 0n;
    }
    account.abstraction = mode;
    return undefined;
  }

  feesOf(user: Address): FeeRates {
    return this.accounts.get(user)?.fees ?? this.defaultFees;
  }

  setFees(user: Address, rates: Partial<FeeRates>): void {
    const account = this.account(user);
    account.fees = { ...account.fees, ...rates };
  }

  volumeOf(user: Address): bigint {
    return this.accounts.get(user)?.volume ?? 0n;
  }

  leverageOf(user: Address, market: PerpMarket): number {
    return this.accounts.get(user)?.leverage.get(market.asset) ?? market.maxLeverage;
  }

  /** Cross leverage for one asset; refused when it is not an integer in [1, max] or margin would not suffice. */
  setLeverage(user: Address, market: PerpMarket, leverage: number, marks: MarkSource): string | undefined {
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > market.maxLeverage) {
      return actionErrors.invalidLeverage;
    }
    const account = this.account(user);
    const previous = account.leverage.get(market.asset);
    account.leverage.set(market.asset, leverage);
    const summary = this.perpSummary(user, marks);
    if (summary.accountValue < summary.totalMarginUsed) {
      if (previous === undefined) account.leverage.delete(market.asset);
      else account.leverage.set(market.asset, previous);
      return actionErrors.insufficientMarginForLeverage;
    }
    return undefined;
  }

  /** A copy of one token balance (zeros when absent). */
  spotBalance(user: Address, tokenIndex: number): SpotBalance {
    const balance = this.accounts.get(user)?.spot.get(tokenIndex);
    return balance === undefined ? { total: 0n, hold: 0n, entryNtl: 0n } : { ...balance };
  }

  /** Token indexes the account has a balance entry for. */
  spotTokens(user: Address): number[] {
    return [...(this.accounts.get(user)?.spot.keys() ?? [])].sort((a, b) => a - b);
  }

  position(user: Address, asset: number): Readonly<PerpPosition> | undefined {
    const position = this.accounts.get(user)?.positions.get(asset);
    return position === undefined || position.szi === 0n ? undefined : position;
  }

  /** Signed position size (0 when flat). */
  szi(user: Address, asset: number): bigint {
    return this.accounts.get(user)?.positions.get(asset)?.szi ?? 0n;
  }

  /** Perp collateral: `perpCash` in standard mode, spot USDC in unified mode. */
  collateral(user: Address): bigint {
    const account = this.accounts.get(user);
    if (account === undefined) return 0n;
    return account.abstraction === "unifiedAccount"
      ? (account.spot.get(USDC_TOKEN.index)?.total ?? 0n)
      : account.perpCash;
  }

  /**
   * Spot amount free for new orders and transfers: total − hold; for USDC in unified mode also minus the
   * perp margin (positions and resting perp orders) and any unrealised loss.
   */
  availableSpot(user: Address, tokenIndex: number, marks: MarkSource, perpOrderMargin: bigint): bigint {
    const account = this.accounts.get(user);
    if (account === undefined) return 0n;
    const balance = account.spot.get(tokenIndex);
    let available = (balance?.total ?? 0n) - (balance?.hold ?? 0n);
    if (tokenIndex === USDC_TOKEN.index && account.abstraction === "unifiedAccount") {
      const summary = this.perpSummary(user, marks);
      const upnl = summary.accountValue - this.collateral(user);
      available -= summary.totalMarginUsed + perpOrderMargin;
      if (upnl < 0n) available += upnl;
    }
    return available;
  }

  /** Extra hold a spot order needs: quote at the limit price for a buy, base for a sell. */
  spotOrderReserve(
    market: SpotMarket,
    isBuy: boolean,
    px: bigint,
    sz: bigint,
  ): { token: TokenSpec; amount: bigint } {
    return isBuy
      ? { token: market.quote, amount: mulFx(px, sz, "ceil") }
      : { token: market.base, amount: sz };
  }

  hold(user: Address, tokenIndex: number, amount: bigint): void {
    this.balance(this.account(user), tokenIndex).hold += amount;
  }

  release(user: Address, tokenIndex: number, amount: bigint): void {
    const balance = this.balance(this.account(user), tokenIndex);
    if (amount > balance.hold) throw new Error(`releasing ${amount} of hold ${balance.hold}`);
    balance.hold -= amount;
  }

  /** How much an order on this side may reduce the position (0 = it would only increase it). */
  reducibleSize(user: Address, market: PerpMarket, isBuy: boolean): bigint {
    const szi = this.szi(user, market.asset);
    if (isBuy ? szi >= 0n : szi <= 0n) return 0n;
    return absFx(szi);
  }

  /** The part of an order that would increase the absolute position. */
  increasingSize(user: Address, market: PerpMarket, isBuy: boolean, sz: bigint): bigint {
    const reducible = this.reducibleSize(user, market, isBuy);
    return sz > reducible ? sz - reducible : 0n;
  }

  /** Initial margin an order (or resting order) needs: increasing size × px / leverage, rounded up. */
  orderMargin(user: Address, market: PerpMarket, px: bigint, increasingSz: bigint): bigint {
    return divRound(px * increasingSz, FX_ONE * BigInt(this.leverageOf(user, market)), "ceil");
  }

  /** Free margin for a new perp order: accountValue − margin used − resting orders' margin (− spot holds). */
  freeMargin(user: Address, marks: MarkSource, perpOrderMargin: bigint): bigint {
    const summary = this.perpSummary(user, marks);
    let free = summary.accountValue - summary.totalMarginUsed - perpOrderMargin;
    const account = this.accounts.get(user);
    if (account?.abstraction === "unifiedAccount") free -= account.spot.get(USDC_TOKEN.index)?.hold ?? 0n;
    return free;
  }

  /** Books one side of a trade (the house side with `liquidity: "house"`: no fee). */
  settle(
    user: Address,
    market: Market,
    isBuy: boolean,
    px: bigint,
    sz: bigint,
    liquidity: Liquidity,
  ): FillAccounting {
    const account = this.account(user);
    const notional = mulFx(px, sz, "halfEven");
    account.volume += notional;
    return market.kind === "spot"
      ? this.settleSpot(account, market, isBuy, notional, sz, liquidity)
      : this.settlePerp(account, market, isBuy, px, sz, liquidity);
  }

  /**
   * Hourly funding for one perp: positive rate → longs pay shorts; payment = szi × oracle × rate.
   * Returns one event per user position (the house's payments are booked but not reported).
   */
  applyFunding(asset: number, oraclePx: bigint, rate: bigint, time: number): FundingEvent[] {
    const market = this.markets.marketOrThrow(asset);
    if (market.kind !== "perp") throw new Error(`asset ${asset} is not a perp`);
    const events: FundingEvent[] = [];
    let credited = 0n;
    for (const account of this.accounts.values()) {
      const position = account.positions.get(market.asset);
      if (position === undefined || position.szi === 0n) continue;
      const usdc = divRound(-position.szi * oraclePx * rate, FX_ONE * FX_ONE, "floor");
      this.addCollateral(account, usdc);
      position.cumFunding.allTime -= usdc;
      position.cumFunding.sinceOpen -= usdc;
      position.cumFunding.sinceChange -= usdc;
      credited += usdc;
      if (!account.isHouse) {
        events.push({
          user: account.address,
          time,
          coin: market.coin,
          usdc,
          szi: position.szi,
          fundingRate: rate,
        });
      }
    }
    this.fundingPool -= credited;
    return events;
  }

  /**
   * Moves USDC between spot and perp (standard mode). In: up to the free spot USDC. Out: up to
   * `withdrawable`. Unified mode: one pool, success without effect. Returns an error string or `undefined`.
   */
  usdClassTransfer(user: Address, amount: bigint, toPerp: boolean, marks: MarkSource): string | undefined {
    if (amount <= 0n) return actionErrors.invalidAmount;
    const account = this.account(user);
    if (account.abstraction === "unifiedAccount") return undefined;
    const usdc = this.balance(account, USDC_TOKEN.index);
    if (toPerp) {
      if (usdc.total - usdc.hold < amount) return actionErrors.insufficientTransferBalance;
      usdc.total -= amount;
      account.perpCash += amount;
    } else {
      if (this.perpSummary(user, marks).withdrawable < amount)
        return actionErrors.insufficientTransferBalance;
      account.perpCash -= amount;
      usdc.total += amount;
    }
    return undefined;
  }

  perpSummary(user: Address, marks: MarkSource): PerpSummary {
    const account = this.accounts.get(user);
    const collateral = this.collateral(user);
    if (account === undefined) {
      return {
        accountValue: 0n,
        totalNtlPos: 0n,
        totalRawUsd: 0n,
        totalMarginUsed: 0n,
        crossMaintenanceMarginUsed: 0n,
        withdrawable: 0n,
        positions: [],
      };
    }
    interface Draft {
      market: PerpMarket;
      position: PerpPosition;
      mark: bigint;
      value: bigint;
      upnl: bigint;
      margin: bigint;
      maintenance: bigint;
      leverage: number;
    }
    const drafts: Draft[] = [];
    for (const [asset, position] of account.positions) {
      if (position.szi === 0n) continue;
      const market = this.markets.marketOrThrow(asset);
      if (market.kind !== "perp") continue;
      const mark = marks.markPx(asset);
      const value = mulFx(absFx(position.szi), mark, "halfEven");
      const upnl = position.szi > 0n ? value - position.basis : position.basis - value;
      const leverage = this.leverageOf(user, market);
      drafts.push({
        market,
        position,
        mark,
        value,
        upnl,
        leverage,
        margin: divRound(value, BigInt(leverage), "ceil"),
        maintenance: divRound(value, BigInt(2 * market.maxLeverage), "ceil"),
      });
    }
    let accountValue = collateral;
    let totalNtlPos = 0n;
    let signedNtl = 0n;
    let totalMarginUsed = 0n;
    let maintenance = 0n;
    for (const draft of drafts) {
      accountValue += draft.upnl;
      totalNtlPos += draft.value;
      signedNtl += draft.position.szi > 0n ? draft.value : -draft.value;
      totalMarginUsed += draft.margin;
      maintenance += draft.maintenance;
    }
    const positions = drafts.map((draft): PositionSummary => {
      const size = absFx(draft.position.szi);
      return {
        market: draft.market,
        szi: draft.position.szi,
        entryPx: divFx(draft.position.basis, size, "halfEven"),
        positionValue: draft.value,
        unrealizedPnl: draft.upnl,
        returnOnEquity:
          draft.position.basis === 0n
            ? 0n
            : divRound(draft.upnl * BigInt(draft.leverage) * FX_ONE, draft.position.basis, "halfEven"),
        liquidationPx: liquidationPrice(draft, accountValue, maintenance - draft.maintenance),
        marginUsed: draft.margin,
        leverage: draft.leverage,
        cumFunding: { ...draft.position.cumFunding },
      };
    });
    const required = maxFx(totalMarginUsed, mulFx(totalNtlPos, MIN_WITHDRAW_MARGIN_FRACTION, "ceil"));
    return {
      accountValue,
      totalNtlPos,
      totalRawUsd: accountValue - signedNtl,
      totalMarginUsed,
      crossMaintenanceMarginUsed: maintenance,
      withdrawable: maxFx(0n, accountValue - required),
      positions,
    };
  }

  /** Per-token value conservation (see the module header); every `residual` must be 0. */
  conservation(marks: MarkSource): ConservationLine[] {
    const lines: ConservationLine[] = [];
    for (const token of this.markets.tokens()) {
      let accounts = 0n;
      for (const account of this.accounts.values()) {
        accounts += account.spot.get(token.index)?.total ?? 0n;
        if (token.index === USDC_TOKEN.index) {
          accounts += this.perpSummary(account.address, marks).accountValue;
          if (account.abstraction === "unifiedAccount") accounts -= this.collateral(account.address);
        }
      }
      const funded = this.funded.get(token.index) ?? 0n;
      const fees = this.feePool.get(token.index) ?? 0n;
      const fundingPool = token.index === USDC_TOKEN.index ? this.fundingPool : 0n;
      lines.push({
        token: token.name,
        funded,
        accounts,
        fees,
        fundingPool,
        residual: funded - accounts - fees - fundingPool,
      });
    }
    return lines;
  }

  /** Σ signed positions over all accounts (house included) for an asset: always 0. */
  netPosition(asset: number): bigint {
    let net = 0n;
    for (const account of this.accounts.values()) net += account.positions.get(asset)?.szi ?? 0n;
    return net;
  }

  feesCollected(tokenIndex: number): bigint {
    return this.feePool.get(tokenIndex) ?? 0n;
  }

  fundingResidue(): bigint {
    return this.fundingPool;
  }

  private settleSpot(
    account: Account,
    market: SpotMarket,
    isBuy: boolean,
    notional: bigint,
    sz: bigint,
    liquidity: Liquidity,
  ): FillAccounting {
    const base = this.balance(account, market.base.index);
    const quote = this.balance(account, market.quote.index);
    const rate = this.rate(account, liquidity, market);
    const startPosition = base.total;
    if (isBuy) {
      // A spot buy pays its fee in the received base token (PROTOCOL §9.2).
      const fee = mulFx(sz, rate, "ceil");
      quote.total -= notional;
      base.total += sz - fee;
      base.entryNtl += notional;
      this.collect(market.base.index, fee);
      return { fee, feeToken: market.base.name, dir: "Buy", startPosition, closedPnl: 0n };
    }
    const released =
      base.total <= 0n
        ? 0n
        : sz >= base.total
          ? base.entryNtl
          : divRound(base.entryNtl * sz, base.total, "halfEven");
    const fee = mulFx(notional, rate, "ceil");
    base.total -= sz;
    base.entryNtl -= released;
    quote.total += notional - fee;
    this.collect(market.quote.index, fee);
    return { fee, feeToken: market.quote.name, dir: "Sell", startPosition, closedPnl: notional - released };
  }

  private settlePerp(
    account: Account,
    market: PerpMarket,
    isBuy: boolean,
    px: bigint,
    sz: bigint,
    liquidity: Liquidity,
  ): FillAccounting {
    const notional = mulFx(px, sz, "halfEven");
    const position = this.positionOf(account, market.asset);
    const startPosition = position.szi;
    const signed = isBuy ? sz : -sz;
    const fee = mulFx(notional, this.rate(account, liquidity, market), "ceil");
    let closedPnl = 0n;
    let dir: string;
    const opening = startPosition === 0n || startPosition > 0n === isBuy;
    if (opening) {
      if (startPosition === 0n) position.cumFunding.sinceOpen = 0n;
      position.basis += notional;
      position.szi += signed;
      dir = isBuy ? "Open Long" : "Open Short";
    } else {
      const open = absFx(startPosition);
      const closing = sz < open ? sz : open;
      const released =
        closing === open ? position.basis : divRound(position.basis * closing, open, "halfEven");
      const exactClosing = mulFx(px, closing, "halfEven");
      closedPnl = startPosition > 0n ? exactClosing - released : released - exactClosing;
      position.basis -= released;
      position.szi += isBuy ? closing : -closing;
      const flipped = sz - closing;
      if (flipped > 0n) {
        position.basis = notional - exactClosing;
        position.szi = isBuy ? flipped : -flipped;
        position.cumFunding.sinceOpen = 0n;
        dir = isBuy ? "Short > Long" : "Long > Short";
      } else {
        dir = isBuy ? "Close Short" : "Close Long";
      }
    }
    position.cumFunding.sinceChange = 0n;
    this.addCollateral(account, closedPnl - fee);
    this.collect(USDC_TOKEN.index, fee);
    return { fee, feeToken: USDC_TOKEN.name, dir, startPosition, closedPnl };
  }

  private rate(account: Account, liquidity: Liquidity, market: Market): bigint {
    if (liquidity === "house") return 0n;
    const fees = account.fees;
    if (market.kind === "spot") return liquidity === "taker" ? fees.spotCross : fees.spotAdd;
    return liquidity === "taker" ? fees.perpCross : fees.perpAdd;
  }

  private collect(tokenIndex: number, fee: bigint): void {
    this.feePool.set(tokenIndex, (this.feePool.get(tokenIndex) ?? 0n) + fee);
  }

  private addCollateral(account: Account, delta: bigint): void {
    if (account.abstraction === "unifiedAccount") this.balance(account, USDC_TOKEN.index).total += delta;
    else account.perpCash += delta;
  }

  private hasPositions(account: Account): boolean {
    for (const position of account.positions.values()) if (position.szi !== 0n) return true;
    return false;
  }

  private positionOf(account: Account, asset: number): PerpPosition {
    let position = account.positions.get(asset);
    if (position === undefined) {
      position = { szi: 0n, basis: 0n, cumFunding: { allTime: 0n, sinceOpen: 0n, sinceChange: 0n } };
      account.positions.set(asset, position);
    }
    return position;
  }

  private balance(account: Account, tokenIndex: number): SpotBalance {
    let balance = account.spot.get(tokenIndex);
    if (balance === undefined) {
      balance = { total: 0n, hold: 0n, entryNtl: 0n };
      account.spot.set(tokenIndex, balance);
    }
    return balance;
  }

  private account(user: Address): Account {
    let account = this.accounts.get(user);
    if (account === undefined) {
      const isHouse = user === MODEL_ADDRESS;
      account = {
        address: user,
        isHouse,
        abstraction: isHouse ? "disabled" : this.defaultAbstraction,
        spot: new Map(),
        perpCash: 0n,
        positions: new Map(),
        leverage: new Map(),
        fees: this.defaultFees,
        volume: 0n,
      };
      this.accounts.set(user, account);
    }
    return account;
  }
}

/**
 * Cross-margin liquidation price of one position, others held at their marks:
 * accountValue + szi × (P − mark) = otherMaintenance + |szi| × P / (2 × maxLeverage).
 */
function liquidationPrice(
  draft: { market: PerpMarket; position: PerpPosition; mark: bigint },
  accountValue: bigint,
  otherMaintenance: bigint,
): bigint | undefined {
  const szi = draft.position.szi;
  const twiceLev = BigInt(2 * draft.market.maxLeverage);
  // P = (otherMaintenance − accountValue + szi·mark) · 2L / (2L·szi − |szi|), all at scale 1e8.
  const numerator = (otherMaintenance - accountValue) * FX_ONE + szi * draft.mark;
  const denominator = twiceLev * szi - absFx(szi);
  const px = divRound(numerator * twiceLev, denominator, "halfEven");
  return px > 0n ? px : undefined;
}
