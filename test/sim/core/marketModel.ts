/**
 * Stochastic market model: per coin, a spot book and a perp book whose mids are correlated through a basis.
 *
 * - Spot mid: geometric random walk with an annualised volatility.
 * - Basis (perp mid / spot mid − 1, in bps): Ornstein–Uhlenbeck around a mean, plus Poisson shocks of
 *   random sign. Shocks are sized (by default 2 × the fee-adjusted threshold) so that each one produces an
 *   excursion beyond ±threshold, in either direction, at `excursionsPerHour`; the OU diffusion alone is kept
 *   well inside the threshold, so that rate is the excursion frequency the bot sees.
 * - Each `step(dtMs)` integrates the processes in sub-steps of at most `maxSubstepMs` and then draws fresh
 *   ladders for both legs (25 levels a side by default, of which the exchange publishes 20): full snapshots, prices snapped to the exchange grid (bids down, asks up),
 *   sizes truncated to the lot, `n` order counts, never crossed.
 * - Oracle = spot mid snapped to the perp grid (HYPE's oracle is HL's own spot, PROTOCOL §9.4).
 * - Mark = median(oracle + 150 s EMA of (perp mid − oracle), perp mid, median(best bid, best ask, last
 *   trade)) — the external-perp input of the real formula is replaced by the perp mid.
 * - Funding (PROTOCOL §9.3): the premium is integrated over the funding interval from the mids and the
 *   impact half-width of the latest ladder (impact notional 6 000 USDC); hourly rate =
 *   (P + clamp(I − P, ±0.0005)) / 8, capped at ±4 %/h, rounded to 8 decimals.
 *
 * Floats are used inside the processes only; every value that leaves the model is a scaled bigint on the
 * grid. The model is deterministic given the seed and the sequence of calls, and user trading never feeds
 * back into the books (only the last perp trade price enters the mark).
 */
import { divRound, fxFromNumber, fxToNumber } from "./fixed.js";
import { lotSize, nextPriceDown, nextPriceUp, snapPrice, snapSizeDown, type GridSpec } from "./grid.js";
import type { CoinPair } from "./markets.js";
import { Rng } from "./rng.js";

export interface BookLevel {
  readonly px: bigint;
  readonly sz: bigint;
  readonly n: number;
}

export interface LegBook {
  readonly coin: string;
  /** Best first (descending). */
  readonly bids: readonly BookLevel[];
  /** Best first (ascending). */
  readonly asks: readonly BookLevel[];
}

export interface BasisOptions {
  /** Long-run basis. */
  readonly meanBps: number;
  /** Half-life of the mean reversion. */
  readonly halfLifeSec: number;
  /** Stationary standard deviation of the OU diffusion (without shocks). */
  readonly diffusionStdBps: number;
  /** The fee-adjusted threshold the excursions are designed around. */
  readonly thresholdBps: number;
  /** Poisson rate of shocks, i.e. of excursions beyond ±threshold. */
  readonly excursionsPerHour: number;
  /** Mean absolute shock size; defaults to 2 × threshold. Actual shocks are 0.75–1.25 × this. */
  readonly shockSizeBps: number | undefined;
  /** Probability that a shock pushes the perp above spot (positive basis). */
  readonly shockUpProbability: number;
}

export interface LadderOptions {
  /**
   * Levels drawn per side. A few more than the 20 the exchange publishes, so that liquidity consumed
   * between steps is backfilled from deeper levels instead of shortening the published book.
   */
  readonly levels: number;
  /** Distance of each touch from the mid (at least one tick is always kept between bid and ask). */
  readonly halfSpreadBps: number;
  /** Mean size at the touch, in base units. */
  readonly touchSize: number;
  /** Mean size grows by this fraction per level away from the touch. */
  readonly sizeGrowthPerLevel: number;
  /** Log-normal dispersion of level sizes. */
  readonly sizeDispersion: number;
  /** Typical single-order size, to derive `n`. */
  readonly meanOrderSize: number;
  /** Chance of skipping a tick between consecutive levels (repeatable). */
  readonly gapProbability: number;
}

export interface CoinModelOptions {
  readonly pair: CoinPair;
  readonly startPx: number;
  readonly volatilityAnnual: number;
  readonly basis: Partial<BasisOptions>;
  readonly spotBook: Partial<LadderOptions>;
  readonly perpBook: Partial<LadderOptions>;
  /** USDC notional for the impact prices of the funding premium (6 000 for HYPE). */
  readonly impactNotionalUsd: number;
  /** Hourly interest component of funding (0.00125 %/h). */
  readonly interestRateHourly: number;
}

export interface MarketModelOptions {
  readonly seed: number;
  readonly startTimeMs: number;
  readonly coins: readonly (Partial<CoinModelOptions> & { readonly pair: CoinPair })[];
  /** Longest integration step; `step(dt)` is split into sub-steps no longer than this. */
  readonly maxSubstepMs?: number;
}

/** Everything the model publishes for one coin after a step. */
export interface CoinSnapshot {
  readonly name: string;
  readonly time: number;
  readonly spot: LegBook;
  readonly perp: LegBook;
  readonly oraclePx: bigint;
  readonly markPx: bigint;
  /** Predicted hourly funding rate from the premium integrated so far in this interval. */
  readonly fundingRate: bigint;
  /** Instantaneous premium from the current perp ladder's impact prices. */
  readonly premium: bigint;
  readonly impactPxs: readonly [bigint, bigint];
  /** The float state, for tests and statistics. */
  readonly basisBps: number;
  readonly spotMid: number;
  readonly perpMid: number;
}

export const DEFAULT_BASIS: BasisOptions = {
  meanBps: 0,
  halfLifeSec: 45,
  diffusionStdBps: 4,
  thresholdBps: 25,
  excursionsPerHour: 6,
  shockSizeBps: undefined,
  shockUpProbability: 0.5,
};

export const DEFAULT_SPOT_LADDER: LadderOptions = {
  levels: 25,
  halfSpreadBps: 1.0,
  touchSize: 40,
  sizeGrowthPerLevel: 0.25,
  sizeDispersion: 0.6,
  meanOrderSize: 25,
  gapProbability: 0.25,
};

export const DEFAULT_PERP_LADDER: LadderOptions = {
  levels: 25,
  halfSpreadBps: 0.6,
  touchSize: 80,
  sizeGrowthPerLevel: 0.3,
  sizeDispersion: 0.6,
  meanOrderSize: 40,
  gapProbability: 0.2,
};

const MS_PER_YEAR = 365 * 24 * 3600 * 1000;
const MARK_EMA_SEC = 150;
const FUNDING_CLAMP_8H = 0.0005;
const FUNDING_CAP_HOURLY = 0.04;
const MAX_GAP_TICKS = 4;

function median3(a: number, b: number, c: number): number {
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

/** Draws one side of a ladder starting at `touch` and walking away from the mid. */
function drawSide(
  rng: Rng,
  touch: bigint,
  grid: GridSpec,
  ladder: LadderOptions,
  isBid: boolean,
): BookLevel[] {
  const levels: BookLevel[] = [];
  const lot = lotSize(grid);
  let px: bigint | undefined = touch;
  for (let i = 0; i < ladder.levels && px !== undefined; i++) {
    const dispersion = ladder.sizeDispersion;
    const mean = ladder.touchSize * (1 + ladder.sizeGrowthPerLevel * i);
    const size = mean * Math.exp(dispersion * rng.normal() - (dispersion * dispersion) / 2);
    let sz = snapSizeDown(fxFromNumber(size), grid);
    if (sz < lot) sz = lot;
    const n = Math.max(1, Math.round((size / ladder.meanOrderSize) * (0.5 + rng.next())));
    levels.push({ px, sz, n });
    let gaps = 0;
    while (gaps < MAX_GAP_TICKS && rng.next() < ladder.gapProbability) gaps++;
    for (let step = 0; step <= gaps && px !== undefined; step++) {
      px = isBid ? nextPriceDown(px, grid) : nextPriceUp(px, grid);
    }
  }
  return levels;
}

/** Volume-weighted price of trading `notional` USDC into `levels` (the deepest price if they run out). */
function impactPrice(levels: readonly BookLevel[], notional: number): number | undefined {
  let remaining = notional;
  let cost = 0;
  let base = 0;
  for (const level of levels) {
    const px = fxToNumber(level.px);
    const levelNtl = px * fxToNumber(level.sz);
    const take = Math.min(remaining, levelNtl);
    cost += take;
    base += take / px;
    remaining -= take;
    if (remaining <= 0) break;
  }
  return base > 0 ? cost / base : undefined;
}

function premiumOf(impactBid: number, impactAsk: number, oracle: number): number {
  return (Math.max(impactBid - oracle, 0) - Math.max(oracle - impactAsk, 0)) / oracle;
}

class CoinModel {
  private readonly basis: BasisOptions;
  private readonly spotLadder: LadderOptions;
  private readonly perpLadder: LadderOptions;
  private readonly volatilityAnnual: number;
  private readonly impactNotionalUsd: number;
  private readonly interestRateHourly: number;
  private readonly reversionPerSec: number;
  private readonly shockSizeBps: number;

  private spotMid: number;
  private basisBps: number;
  private markDiffEma = 0;
  private premiumIntegral = 0;
  private premiumWeightMs = 0;
  /** Relative distance of the perp impact prices from the perp mid, from the latest ladder. */
  private impactHalfWidth = 0;
  private lastPerpTradePx: number | undefined;
  snapshot!: CoinSnapshot;

  constructor(
    readonly pair: CoinPair,
    options: Partial<CoinModelOptions>,
    private readonly processRng: Rng,
    private readonly bookRng: Rng,
  ) {
    this.basis = { ...DEFAULT_BASIS, ...options.basis };
    this.spotLadder = { ...DEFAULT_SPOT_LADDER, ...options.spotBook };
    this.perpLadder = { ...DEFAULT_PERP_LADDER, ...options.perpBook };
    this.volatilityAnnual = options.volatilityAnnual ?? 0.8;
    this.impactNotionalUsd = options.impactNotionalUsd ?? 6000;
    this.interestRateHourly = options.interestRateHourly ?? 0.0000125;
    this.reversionPerSec = Math.LN2 / this.basis.halfLifeSec;
    this.shockSizeBps = this.basis.shockSizeBps ?? 2 * this.basis.thresholdBps;
    this.spotMid = options.startPx ?? 40;
    this.basisBps = this.basis.meanBps;
  }

  advance(dtMs: number): void {
    const dtSec = dtMs / 1000;
    const variance = (this.volatilityAnnual * this.volatilityAnnual * dtMs) / MS_PER_YEAR;
    this.spotMid *= Math.exp(Math.sqrt(variance) * this.processRng.normal() - variance / 2);

    // Exact OU transition, then the Poisson shocks of this interval.
    const decay = Math.exp(-this.reversionPerSec * dtSec);
    const noise = this.basis.diffusionStdBps * Math.sqrt(1 - decay * decay);
    this.basisBps = this.basis.meanBps + (this.basisBps - this.basis.meanBps) * decay;
    this.basisBps += noise * this.processRng.normal();
    const shocks = this.processRng.poisson((this.basis.excursionsPerHour * dtSec) / 3600);
    for (let i = 0; i < shocks; i++) {
      const up = this.processRng.next() < this.basis.shockUpProbability;
      const size = this.shockSizeBps * (0.75 + 0.5 * this.processRng.next());
      this.basisBps += up ? size : -size;
    }

    const perpMid = this.perpMid();
    const oracle = this.spotMid;
    const alpha = 1 - Math.exp(-dtSec / MARK_EMA_SEC);
    this.markDiffEma += alpha * (perpMid - oracle - this.markDiffEma);
    const premium = premiumOf(
      perpMid * (1 - this.impactHalfWidth),
      perpMid * (1 + this.impactHalfWidth),
      oracle,
    );
    this.premiumIntegral += premium * dtMs;
    this.premiumWeightMs += dtMs;
  }

  notePerpTrade(px: bigint): void {
    this.lastPerpTradePx = fxToNumber(px);
  }

  /** Returns the hourly rate for the interval that just ended and starts a new one. */
  takeFundingRate(): bigint {
    const rate = this.fundingRateFrom(this.averagePremium());
    this.premiumIntegral = 0;
    this.premiumWeightMs = 0;
    return rate;
  }

  publish(time: number): void {
    const spot = this.drawLadder(this.pair.spot.coin, this.spotMid, this.pair.spot.grid, this.spotLadder);
    const perpMid = this.perpMid();
    const perp = this.drawLadder(this.pair.perp.coin, perpMid, this.pair.perp.grid, this.perpLadder);
    const perpGrid = this.pair.perp.grid;
    const oraclePx = snapPrice(fxFromNumber(this.spotMid), perpGrid, "nearest");
    const oracle = fxToNumber(oraclePx);
    const impactBid = impactPrice(perp.bids, this.impactNotionalUsd) ?? perpMid;
    const impactAsk = impactPrice(perp.asks, this.impactNotionalUsd) ?? perpMid;
    this.impactHalfWidth = Math.max(0, (impactAsk - impactBid) / 2 / perpMid);
    const bestBid = perp.bids[0] !== undefined ? fxToNumber(perp.bids[0].px) : perpMid;
    const bestAsk = perp.asks[0] !== undefined ? fxToNumber(perp.asks[0].px) : perpMid;
    const mark = median3(
      oracle + this.markDiffEma,
      perpMid,
      median3(bestBid, bestAsk, this.lastPerpTradePx ?? perpMid),
    );
    this.snapshot = {
      name: this.pair.name,
      time,
      spot,
      perp,
      oraclePx,
      markPx: snapPrice(fxFromNumber(mark), perpGrid, "nearest"),
      fundingRate: this.fundingRateFrom(this.averagePremium()),
      premium: fxFromNumber(premiumOf(impactBid, impactAsk, oracle)),
      impactPxs: [
        snapPrice(fxFromNumber(impactBid), perpGrid, "down"),
        snapPrice(fxFromNumber(impactAsk), perpGrid, "up"),
      ],
      basisBps: this.basisBps,
      spotMid: this.spotMid,
      perpMid,
    };
  }

  private perpMid(): number {
    return this.spotMid * (1 + this.basisBps / 10_000);
  }

  private averagePremium(): number {
    if (this.premiumWeightMs > 0) return this.premiumIntegral / this.premiumWeightMs;
    const perpMid = this.perpMid();
    return premiumOf(
      perpMid * (1 - this.impactHalfWidth),
      perpMid * (1 + this.impactHalfWidth),
      this.spotMid,
    );
  }

  private fundingRateFrom(premium: number): bigint {
    const interest8h = this.interestRateHourly * 8;
    const clamp = Math.min(FUNDING_CLAMP_8H, Math.max(-FUNDING_CLAMP_8H, interest8h - premium));
    const hourly = (premium + clamp) / 8;
    return fxFromNumber(Math.min(FUNDING_CAP_HOURLY, Math.max(-FUNDING_CAP_HOURLY, hourly)));
  }

  private drawLadder(coin: string, mid: number, grid: GridSpec, ladder: LadderOptions): LegBook {
    const half = ladder.halfSpreadBps / 10_000;
    const bidTouch = snapPrice(fxFromNumber(mid * (1 - half)), grid, "down");
    let askTouch = snapPrice(fxFromNumber(mid * (1 + half)), grid, "up");
    if (askTouch <= bidTouch) askTouch = nextPriceUp(bidTouch, grid);
    return {
      coin,
      bids: drawSide(this.bookRng, bidTouch, grid, ladder, true),
      asks: drawSide(this.bookRng, askTouch, grid, ladder, false),
    };
  }
}

/** The market model for all configured coins; `step` advances time and republishes every book. */
export class MarketModel {
  private readonly coinModels: CoinModel[] = [];
  private readonly byName = new Map<string, CoinModel>();
  private readonly maxSubstepMs: number;
  private nowMs: number;

  constructor(options: MarketModelOptions) {
    const root = new Rng(options.seed);
    this.maxSubstepMs = options.maxSubstepMs ?? 1000;
    this.nowMs = options.startTimeMs;
    for (const coinOptions of options.coins) {
      // Separate streams: the ladders' randomness never shifts the price path.
      const model = new CoinModel(coinOptions.pair, coinOptions, root.fork(), root.fork());
      model.publish(this.nowMs);
      this.coinModels.push(model);
      this.byName.set(coinOptions.pair.name, model);
    }
  }

  get time(): number {
    return this.nowMs;
  }

  step(dtMs: number): void {
    if (!(dtMs >= 0) || !Number.isFinite(dtMs)) throw new RangeError(`bad step ${dtMs}`);
    let left = dtMs;
    while (left > 0) {
      const sub = Math.min(left, this.maxSubstepMs);
      for (const model of this.coinModels) model.advance(sub);
      left -= sub;
    }
    this.nowMs += dtMs;
    for (const model of this.coinModels) model.publish(this.nowMs);
  }

  snapshot(name: string): CoinSnapshot {
    return this.modelOf(name).snapshot;
  }

  snapshots(): CoinSnapshot[] {
    return this.coinModels.map((model) => model.snapshot);
  }

  /** Hourly funding rate for the interval that just ended; resets the premium accumulator. */
  takeFundingRate(name: string): bigint {
    return this.modelOf(name).takeFundingRate();
  }

  /** The last perp trade price enters the mark (median of bid, ask, last trade). */
  notePerpTrade(name: string, px: bigint): void {
    this.modelOf(name).notePerpTrade(px);
  }

  private modelOf(name: string): CoinModel {
    const model = this.byName.get(name);
    if (model === undefined) throw new Error(`no model for coin ${name}`);
    return model;
  }
}

/** Mid of two scaled prices, exact at scale 1e8 whenever the prices have at most 7 decimals. */
export function midOf(bid: bigint, ask: bigint): bigint {
  return divRound(bid + ask, 2n, "halfEven");
}

/** True when a published book is crossed or locked (must never happen outside the crossed-book fault). */
export function isCrossed(book: LegBook): boolean {
  const bid = book.bids[0];
  const ask = book.asks[0];
  return bid !== undefined && ask !== undefined && bid.px >= ask.px;
}
