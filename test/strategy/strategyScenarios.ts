/**
 * Random decision scenarios for the property tests: two uncrossed books whose every price is valid on the
 * exchange grid (5 significant figures inside one decade, so the depth prices a limit starts from are real
 * exchange prices), a random basis so that either direction can be worth trading, a clip, fees, funding and
 * the strategy's thresholds.
 */

import fc from "fast-check";

import type { MarketBooks } from "../../hotpath/book/marketBooks.js";
import type { EdgeParams } from "../../hotpath/edge/edgeParams.js";
import type { LevelText } from "../book/bookMessages.js";
import { decimalText } from "../feed/frameArbitraries.js";
import { booksOf, edgeParams, type BookText } from "./strategyFixtures.js";

export interface StrategyScenario {
  readonly perpSzDecimals: number;
  readonly spotSzDecimals: number;
  /** Decimals of the prices: every price is `ticks / 10^tickDecimals` with 5-digit `ticks`. */
  readonly tickDecimals: number;
  readonly perp: BookText;
  readonly spot: BookText;
  /** Base units, on the coarser lot. */
  readonly clip: string;
  /** 10^-8 units. */
  readonly perpTaker: number;
  readonly spotTaker: number;
  /** 10^-8 per hour. */
  readonly fundingPerHour: number;
  readonly holdingHours: number;
  readonly openThresholdBps: string;
  readonly closeThresholdBps: string;
  readonly maxSlippageBps: string;
}

const MIN_TICKS = 10_000;
const MAX_TICKS = 99_999;

function sideArb(
  sizeDecimals: number,
  step: 1 | -1,
): fc.Arbitrary<(start: number, decimals: number) => LevelText[]> {
  return fc
    .array(fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 4_000 })), {
      minLength: 1,
      maxLength: 20,
    })
    .map((levels) => (start: number, decimals: number) => {
      const out: LevelText[] = [];
      let ticks = start;
      for (const [gap, lots] of levels) {
        if (ticks < MIN_TICKS || ticks > MAX_TICKS) break;
        out.push([decimalText(ticks, decimals, 0), decimalText(lots, sizeDecimals, 0)]);
        ticks += step * gap;
      }
      return out;
    });
}

function bookArb(sizeDecimals: number): fc.Arbitrary<(center: number, decimals: number) => BookText> {
  return fc
    .tuple(
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 0, max: 12 }),
      sideArb(sizeDecimals, -1),
      sideArb(sizeDecimals, 1),
    )
    .map(([below, above, bids, asks]) => (center: number, decimals: number) => ({
      bids: bids(center - below, decimals),
      asks: asks(center + above + 1, decimals),
    }));
}

const bpsText = (min: number, max: number): fc.Arbitrary<string> =>
  fc.integer({ min: min * 4, max: max * 4 }).map((quarters) => String(quarters / 4));

export function scenarioArb(perpSzDecimals = 2, spotSzDecimals = 2): fc.Arbitrary<StrategyScenario> {
  const coarse = Math.min(perpSzDecimals, spotSzDecimals);
  // Price decimals allowed on both legs: (6 perp | 8 spot) − szDecimals.
  const maxTickDecimals = Math.min(6 - perpSzDecimals, 8 - spotSzDecimals, 4);
  return fc
    .record({
      tickDecimals: fc.integer({ min: 2, max: maxTickDecimals }),
      center: fc.integer({ min: 12_000, max: 90_000 }),
      basisBps: fc.integer({ min: -150, max: 150 }),
      perpBook: bookArb(perpSzDecimals),
      spotBook: bookArb(spotSzDecimals),
      clip: fc.integer({ min: 1, max: 2_000 }).map((lots) => decimalText(lots, coarse, 0)),
      perpTaker: fc.integer({ min: 0, max: 10_000 }),
      spotTaker: fc.integer({ min: 0, max: 15_000 }),
      fundingPerHour: fc.integer({ min: -3_000, max: 3_000 }),
      holdingHours: fc.integer({ min: 0, max: 24 }),
      openThresholdBps: bpsText(-5, 40),
      closeGapBps: bpsText(1, 30),
      maxSlippageBps: bpsText(0, 200),
    })
    .map(({ center, basisBps, perpBook, spotBook, tickDecimals, closeGapBps, ...rest }) => ({
      ...rest,
      perpSzDecimals,
      spotSzDecimals,
      tickDecimals,
      closeThresholdBps: String(Number(rest.openThresholdBps) - Number(closeGapBps)),
      perp: perpBook(Math.round(center * (1 + basisBps / 10_000)), tickDecimals),
      spot: spotBook(center, tickDecimals),
    }))
    .filter((scenario) => scenario.perp.bids.length > 0 && scenario.perp.asks.length > 0)
    .filter((scenario) => scenario.spot.bids.length > 0 && scenario.spot.asks.length > 0);
}

export function scenarioBooks(scenario: StrategyScenario): MarketBooks {
  return booksOf(scenario.perp, scenario.spot, {
    coin: "TEST",
    perpCoin: "TEST",
    spotCoin: "@1",
    perpSzDecimals: scenario.perpSzDecimals,
    spotSzDecimals: scenario.spotSzDecimals,
  });
}

export function scenarioParams(scenario: StrategyScenario, books: MarketBooks): EdgeParams {
  return edgeParams(books, {
    clip: scenario.clip,
    fees: { perpTaker: scenario.perpTaker, perpMaker: 0, spotTaker: scenario.spotTaker, spotMaker: 0 },
    fundingRatePerHour: scenario.fundingPerHour / 1e8,
    holdingHours: scenario.holdingHours,
  });
}
