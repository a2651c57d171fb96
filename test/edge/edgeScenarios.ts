/**
 * Random edge scenarios for the property tests: two uncrossed books around a common price with a random
 * basis (so either direction can be profitable), a clip, fee rates, funding and risk limits — and the same
 * scenario set up both for the code under test (`MarketBooks` + `EdgeParams`) and for the reference
 * (`edgeReference.ts`).
 */

import fc from "fast-check";

import { MarketBooks } from "../../hotpath/book/marketBooks.js";
import { fromScaledBigInt, parseDecimal } from "../../hotpath/exchange/decimal/decimal.js";
import { computeEdge } from "../../hotpath/edge/computeEdge.js";
import type { EdgeDirection } from "../../hotpath/edge/direction.js";
import { clipQtyOf, type EdgeParams } from "../../hotpath/edge/edgeParams.js";
import { EdgeScratch } from "../../hotpath/edge/edgeScratch.js";
import { riskCapFromDecimals } from "../../hotpath/edge/riskCap.js";
import { l2BookMessage, type LevelText } from "../book/bookMessages.js";
import { decimalText } from "../feed/frameArbitraries.js";
import { refLevels, type RefLeg, type RefParams } from "./edgeReference.js";

export interface BookText {
  readonly bids: LevelText[];
  readonly asks: LevelText[];
}

export interface EdgeScenario {
  readonly perpSzDecimals: number;
  readonly spotSzDecimals: number;
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
  readonly oraclePx: string | null;
  readonly maxQty: string | null;
  readonly notionalHeadroomUsdc: string | null;
  readonly spotQuoteAvailableUsdc: string | null;
  readonly spotBaseAvailable: string | null;
}

/** Prices are on a 0.001 grid, valid on both legs. */
export const PRICE_DECIMALS = 3;

/** One side from `start` (price ticks), stepping away from the touch. */
function sideArb(sizeDecimals: number, direction: -1 | 1): fc.Arbitrary<(start: number) => LevelText[]> {
  return fc
    .array(fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 5_000 })), {
      minLength: 1,
      maxLength: 20,
    })
    .map((levels) => (start: number) => {
      const out: LevelText[] = [];
      let price = start;
      for (const [step, lots] of levels) {
        if (price <= 0) break;
        out.push([decimalText(price, PRICE_DECIMALS, 0), decimalText(lots, sizeDecimals, 0)]);
        price += direction * step;
      }
      return out;
    });
}

function bookArb(sizeDecimals: number): fc.Arbitrary<(center: number) => BookText> {
  return fc
    .tuple(
      fc.integer({ min: 1, max: 20 }),
      fc.integer({ min: 0, max: 20 }),
      sideArb(sizeDecimals, -1),
      sideArb(sizeDecimals, 1),
    )
    .map(([below, above, bids, asks]) => (center: number) => ({
      bids: bids(center - below),
      asks: asks(center + above + 1),
    }));
}

const maybe = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arbitrary });

export function scenarioArb(perpSzDecimals = 2, spotSzDecimals = 2): fc.Arbitrary<EdgeScenario> {
  const coarse = Math.min(perpSzDecimals, spotSzDecimals);
  const fine = Math.max(perpSzDecimals, spotSzDecimals);
  const microUsdc = fc.integer({ min: 0, max: 5_000_000_000 }).map((units) => decimalText(units, 6, 0));
  return fc
    .record({
      perpSzDecimals: fc.constant(perpSzDecimals),
      spotSzDecimals: fc.constant(spotSzDecimals),
      center: fc.integer({ min: 5_000, max: 200_000 }),
      basis: fc.integer({ min: -400, max: 400 }),
      perpBook: bookArb(perpSzDecimals),
      spotBook: bookArb(spotSzDecimals),
      clip: fc.integer({ min: 1, max: 3_000 }).map((lots) => decimalText(lots, coarse, 0)),
      perpTaker: fc.integer({ min: 0, max: 100_000 }),
      spotTaker: fc.integer({ min: 0, max: 150_000 }),
      fundingPerHour: fc.integer({ min: -5_000, max: 5_000 }),
      holdingHours: fc.integer({ min: 0, max: 72 }),
      oraclePx: maybe(
        fc.integer({ min: 5_000, max: 200_000 }).map((ticks) => decimalText(ticks, PRICE_DECIMALS, 0)),
      ),
      maxQty: maybe(fc.integer({ min: 0, max: 300_000 }).map((units) => decimalText(units, fine, 0))),
      notionalHeadroomUsdc: maybe(microUsdc),
      spotQuoteAvailableUsdc: maybe(microUsdc),
      spotBaseAvailable: maybe(
        fc.integer({ min: 0, max: 300_000 }).map((units) => decimalText(units, fine, 0)),
      ),
    })
    .map(({ center, basis, perpBook, spotBook, ...rest }) => ({
      ...rest,
      perp: perpBook(Math.max(100, center + basis)),
      spot: spotBook(center),
    }));
}

/** The books and parameters for the code under test. */
export function fastSetup(scenario: EdgeScenario): { books: MarketBooks; params: EdgeParams } {
  const books = new MarketBooks({
    coin: "HYPE",
    perpCoin: "HYPE",
    spotCoin: "@107",
    perpSzDecimals: scenario.perpSzDecimals,
    spotSzDecimals: scenario.spotSzDecimals,
  });
  const applied = [
    books.applyMessage(l2BookMessage("HYPE", 1, scenario.perp.bids, scenario.perp.asks), 1),
    books.applyMessage(l2BookMessage("@107", 1, scenario.spot.bids, scenario.spot.asks), 1),
  ];
  if (applied.some((result) => result !== "applied"))
    throw new Error(`scenario books rejected: ${applied.join()}`);
  const params: EdgeParams = {
    clipQty: clipQtyOf(scenario.clip, books.scales),
    fees: { perpTaker: scenario.perpTaker, perpMaker: 0, spotTaker: scenario.spotTaker, spotMaker: 0 },
    fundingRatePerHour: scenario.fundingPerHour / 1e8,
    holdingHours: scenario.holdingHours,
    oraclePx: scenario.oraclePx === null ? Number.NaN : Number(scenario.oraclePx),
    riskCap: riskCapFromDecimals(
      {
        maxClip: scenario.maxQty,
        notionalHeadroomUsdc: scenario.notionalHeadroomUsdc,
        spotQuoteAvailableUsdc: scenario.spotQuoteAvailableUsdc,
        spotBaseAvailable: scenario.spotBaseAvailable,
      },
      books.scales,
    ),
  };
  return { books, params };
}

/** The same scenario for the reference implementation. */
export function referenceSetup(scenario: EdgeScenario): { perp: RefLeg; spot: RefLeg; params: RefParams } {
  const decimalOrNull = (text: string | null) => (text === null ? null : parseDecimal(text));
  return {
    perp: { bids: refLevels(scenario.perp.bids), asks: refLevels(scenario.perp.asks) },
    spot: { bids: refLevels(scenario.spot.bids), asks: refLevels(scenario.spot.asks) },
    params: {
      perpSzDecimals: scenario.perpSzDecimals,
      spotSzDecimals: scenario.spotSzDecimals,
      clip: parseDecimal(scenario.clip),
      perpTakerRate: fromScaledBigInt(BigInt(scenario.perpTaker), 8),
      spotTakerRate: fromScaledBigInt(BigInt(scenario.spotTaker), 8),
      fundingRatePerHour: fromScaledBigInt(BigInt(scenario.fundingPerHour), 8),
      holdingHours: fromScaledBigInt(BigInt(scenario.holdingHours), 0),
      oraclePx: decimalOrNull(scenario.oraclePx),
      maxQty: decimalOrNull(scenario.maxQty),
      notionalHeadroomUsdc: decimalOrNull(scenario.notionalHeadroomUsdc),
      spotQuoteAvailableUsdc: decimalOrNull(scenario.spotQuoteAvailableUsdc),
      spotBaseAvailable: decimalOrNull(scenario.spotBaseAvailable),
    },
  };
}

/** Runs the code under test on a scenario (optionally with changed parameters). */
export function fastEdge(
  scenario: EdgeScenario,
  direction: EdgeDirection,
  change: (params: EdgeParams) => EdgeParams = (params) => params,
): { scratch: EdgeScratch; books: MarketBooks; params: EdgeParams } {
  const { books, params } = fastSetup(scenario);
  const changed = change(params);
  const scratch = new EdgeScratch(direction);
  computeEdge(books.perp, books.spot, books.scales, changed, direction, scratch);
  return { scratch, books, params: changed };
}
