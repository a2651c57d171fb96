/**
 * Properties of the limit prices, checked in exact decimal arithmetic against random grid-valid books:
 * - an open's rounded limits meet the minimum net edge when both legs fill entirely at them;
 * - every sign: a sell limit is at most the deepest bid the clip needs (so it fills the clip) and at least
 *   the band below it; a buy limit the mirror image; both on the exchange grid;
 * - the limits use the budget: one valid price worse on both legs breaks it (or the band);
 * - a refused open (`limitBudget`) could not have met the budget at the depth prices;
 * - swapping the books and the direction swaps both sides and nothing else;
 * - a convergence close's limits keep the basis at most the close threshold;
 * - the allocation-free grid rounding equals grid.ts's `roundPrice`.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { powerOfTen, type LegScales } from "../../hotpath/book/scales.js";
import type { EdgeScratch } from "../../hotpath/edge/edgeScratch.js";
import {
  add,
  fromScaledBigInt,
  gte,
  lt,
  mul,
  parseDecimal,
  sign,
  sub,
  type Decimal,
} from "../../hotpath/exchange/decimal/decimal.js";
import { isValidPrice, roundPrice, type GridSpec } from "../../hotpath/exchange/decimal/grid.js";
import { fromScaledNumber, toScaledNumber } from "../../hotpath/exchange/decimal/scaled.js";
import { decide } from "../../hotpath/strategy/decide.js";
import type { OpenDecision, OrderLeg } from "../../hotpath/strategy/decision.js";
import { roundPriceUnits } from "../../hotpath/strategy/limitPrices.js";
import { legScales } from "../../hotpath/book/scales.js";
import type { LevelText } from "../book/bookMessages.js";
import {
  contextOf,
  edgeOf,
  exactDecimal,
  positionOf,
  strategyOf,
  type BookText,
} from "./strategyFixtures.js";
import { scenarioArb, scenarioBooks, scenarioParams, type StrategyScenario } from "./strategyScenarios.js";

const RUNS = { seed: 20_261_202, numRuns: 1_500 } as const;
const BPS = parseDecimal("0.0001");
const ONE = parseDecimal("1");

function decimalOf(units: number, decimals: number): Decimal {
  return fromScaledBigInt(BigInt(units), decimals);
}

/** The deepest level of `levels` a fill of `lots` needs, as a decimal price. */
function depthPrice(levels: readonly LevelText[], lots: number, sizeDecimals: number): Decimal {
  let remaining = lots;
  for (const [px, sz] of levels) {
    remaining -= toScaledNumber(sz, sizeDecimals);
    if (remaining <= 0) return parseDecimal(px);
  }
  throw new Error(`book too thin for ${lots} lots`);
}

interface Legs {
  readonly sell: OrderLeg;
  readonly buy: OrderLeg;
  readonly sellBook: BookText;
  readonly buyBook: BookText;
  readonly sellSz: number;
  readonly buySz: number;
  readonly sellGrid: GridSpec;
  readonly buyGrid: GridSpec;
}

function legsOf(perp: OrderLeg, spot: OrderLeg, scenario: StrategyScenario): Legs {
  const perpSells = perp.side === "sell";
  const perpGrid: GridSpec = { market: "perp", szDecimals: scenario.perpSzDecimals };
  const spotGrid: GridSpec = { market: "spot", szDecimals: scenario.spotSzDecimals };
  return {
    sell: perpSells ? perp : spot,
    buy: perpSells ? spot : perp,
    sellBook: perpSells ? scenario.perp : scenario.spot,
    buyBook: perpSells ? scenario.spot : scenario.perp,
    sellSz: perpSells ? scenario.perpSzDecimals : scenario.spotSzDecimals,
    buySz: perpSells ? scenario.spotSzDecimals : scenario.perpSzDecimals,
    sellGrid: perpSells ? perpGrid : spotGrid,
    buyGrid: perpSells ? spotGrid : perpGrid,
  };
}

/**
 * `H·Ps − H·Pb − f_sell·H·Ps − f_buy·Qb·Pb − C − m·H·Pb`, exactly: ≥ 0 iff a full fill at (Ps, Pb) meets the
 * threshold m. C, the edge's exit cost less funding, is the edge's own estimate (a double) taken as given.
 */
function openSurplus(
  sellPx: Decimal,
  buyPx: Decimal,
  decision: OpenDecision,
  edge: EdgeScratch,
  scenario: StrategyScenario,
  qtyDecimals: number,
): Decimal {
  const perpSells = decision.direction === "perpRich";
  const hedged = decimalOf(edge.hedgedQty, qtyDecimals);
  const buyQty = parseDecimal(perpSells ? decision.spot.size : decision.perp.size);
  const sellRate = decimalOf(perpSells ? scenario.perpTaker : scenario.spotTaker, 8);
  const buyRate = decimalOf(perpSells ? scenario.spotTaker : scenario.perpTaker, 8);
  const minNet = mul(exactDecimal(Number(scenario.openThresholdBps)), BPS);
  const buyVwap = perpSells ? edge.spotVwap : edge.perpVwap;
  const carry = exactDecimal(
    ((edge.exitFeeBps + edge.exitCrossingBps - edge.fundingBps) *
      (edge.hedgedQty / powerOfTen(qtyDecimals)) *
      buyVwap) /
      10_000,
  );
  let surplus = sub(mul(hedged, sellPx), mul(hedged, buyPx));
  surplus = sub(surplus, mul(mul(sellRate, hedged), sellPx));
  surplus = sub(surplus, mul(mul(buyRate, buyQty), buyPx));
  surplus = sub(surplus, carry);
  return sub(surplus, mul(mul(minNet, hedged), buyPx));
}

/** The next valid price worse for the order: below a sell limit, above a buy limit. */
function worse(leg: OrderLeg, grid: GridSpec): Decimal {
  const scales: LegScales = legScales(grid.market, grid.szDecimals);
  const px = parseDecimal(leg.limitPx);
  const unit = fromScaledBigInt(1n, scales.priceDecimals);
  return leg.side === "sell"
    ? parseDecimal(roundPrice(sub(px, unit), grid, "down"))
    : parseDecimal(roundPrice(add(px, unit), grid, "up"));
}

function runOpen(scenario: StrategyScenario, direction: "perpRich" | "spotRich") {
  const books = scenarioBooks(scenario);
  const params = scenarioParams(scenario, books);
  const edge = edgeOf(books, params, direction);
  const strategy = strategyOf(books, {
    openThresholdBps: scenario.openThresholdBps,
    closeThresholdBps: scenario.closeThresholdBps,
    maxSlippageBps: scenario.maxSlippageBps,
  });
  const decision = decide(edge, contextOf(books, params), strategy);
  return { books, edge, decision };
}

describe("open limit prices", () => {
  it("meet the minimum net edge at a full fill, fill the clip, stay in the band and on the grid", () => {
    const outcomes = { open: 0, limitBudget: 0, other: 0 };
    fc.assert(
      fc.property(
        scenarioArb(),
        fc.constantFrom("perpRich" as const, "spotRich" as const),
        (scenario, direction) => {
          const { books, edge, decision } = runOpen(scenario, direction);
          if (decision.kind !== "open") {
            outcomes[
              decision.kind === "skip" && decision.reason === "limitBudget" ? "limitBudget" : "other"
            ] += 1;
            return;
          }
          outcomes.open += 1;
          expect(decision.direction).toBe(direction);
          const legs = legsOf(decision.perp, decision.spot, scenario);
          const sellPx = parseDecimal(legs.sell.limitPx);
          const buyPx = parseDecimal(legs.buy.limitPx);
          const qtyDecimals = books.scales.qtyDecimals;

          // The minimum net edge, exactly.
          expect(
            sign(openSurplus(sellPx, buyPx, decision, edge, scenario, qtyDecimals)),
          ).toBeGreaterThanOrEqual(0);
          expect(decision.limitNetBps).toBeGreaterThanOrEqual(Number(scenario.openThresholdBps) - 1e-9);
          expect(decision.limitNetBps).toBeLessThanOrEqual(decision.edgeNetBps + 1e-9);

          // Sizes are the edge's.
          expect(decision.perp.lots).toBe(edge.perpLots);
          expect(decision.spot.lots).toBe(edge.spotLots);

          // Signs: the sell limit reaches down to the deepest bid the clip needs, the buy limit up to the
          // deepest ask; each within the band of that price.
          const band = mul(exactDecimal(Number(scenario.maxSlippageBps)), BPS);
          const sellDepth = depthPrice(legs.sellBook.bids, legs.sell.lots, legs.sellSz);
          const buyDepth = depthPrice(legs.buyBook.asks, legs.buy.lots, legs.buySz);
          expect(gte(sellDepth, sellPx)).toBe(true);
          expect(gte(buyPx, buyDepth)).toBe(true);
          expect(gte(sellPx, mul(sellDepth, sub(ONE, band)))).toBe(true);
          expect(gte(mul(buyDepth, add(ONE, band)), buyPx)).toBe(true);
          expect(gte(parseDecimal(legs.sellBook.bids[0]![0]), sellPx)).toBe(true);
          expect(gte(buyPx, parseDecimal(legs.buyBook.asks[0]![0]))).toBe(true);

          // On the grid, and the units agree with the string.
          expect(isValidPrice(sellPx, legs.sellGrid)).toBe(true);
          expect(isValidPrice(buyPx, legs.buyGrid)).toBe(true);

          // The budget is used: one valid price worse on both legs breaks it, unless the band stops a leg.
          const sellWorse = worse(legs.sell, legs.sellGrid);
          const buyWorse = worse(legs.buy, legs.buyGrid);
          const bandBinds =
            lt(sellWorse, mul(sellDepth, sub(ONE, band))) || lt(mul(buyDepth, add(ONE, band)), buyWorse);
          if (!bandBinds) {
            expect(sign(openSurplus(sellWorse, buyWorse, decision, edge, scenario, qtyDecimals))).toBe(-1);
          }
        },
      ),
      RUNS,
    );
    // Not vacuous: many scenarios trade, and the budget refusal is exercised.
    expect(outcomes.open).toBeGreaterThan(RUNS.numRuns / 10);
    expect(outcomes.limitBudget).toBeGreaterThan(0);
  });

  it("refuse (limitBudget) only when a full fill at the depth prices misses the minimum net edge", () => {
    let refused = 0;
    fc.assert(
      fc.property(
        scenarioArb(),
        fc.constantFrom("perpRich" as const, "spotRich" as const),
        (scenario, direction) => {
          const { books, edge, decision } = runOpen(scenario, direction);
          if (decision.kind !== "skip" || decision.reason !== "limitBudget") return;
          refused += 1;
          expect(edge.netBps).toBeGreaterThanOrEqual(Number(scenario.openThresholdBps));
          const perpSells = direction === "perpRich";
          const sellLots = perpSells ? edge.perpLots : edge.spotLots;
          const buyLots = perpSells ? edge.spotLots : edge.perpLots;
          const sellDepth = depthPrice(
            (perpSells ? scenario.perp : scenario.spot).bids,
            sellLots,
            perpSells ? scenario.perpSzDecimals : scenario.spotSzDecimals,
          );
          const buyDepth = depthPrice(
            (perpSells ? scenario.spot : scenario.perp).asks,
            buyLots,
            perpSells ? scenario.spotSzDecimals : scenario.perpSzDecimals,
          );
          // A stand-in open with the edge's sizes, to evaluate the budget at the depth prices.
          const sizes = {
            direction,
            perp: { size: fromScaledNumber(edge.perpLots, scenario.perpSzDecimals) },
            spot: { size: fromScaledNumber(edge.spotLots, scenario.spotSzDecimals) },
          } as unknown as OpenDecision;
          const surplus = openSurplus(sellDepth, buyDepth, sizes, edge, scenario, books.scales.qtyDecimals);
          // Below the margin the code keeps from the boundary (1e-9 of the amounts, far under a cent here).
          expect(lt(surplus, parseDecimal("0.000001"))).toBe(true);
        },
      ),
      RUNS,
    );
    expect(refused).toBeGreaterThan(0);
  });

  it("swapping the books and the direction swaps both sides and keeps the prices", () => {
    let compared = 0;
    fc.assert(
      fc.property(scenarioArb(), (raw) => {
        // No fees (a spot buy's fee in the base token would size the two hedges differently) and no
        // funding (received in one direction, paid in the other): then the two trades are mirror images.
        const scenario = { ...raw, perpTaker: 0, spotTaker: 0, fundingPerHour: 0 };
        const swapped = { ...scenario, perp: scenario.spot, spot: scenario.perp };
        const { decision } = runOpen(scenario, "perpRich");
        const { decision: mirrored } = runOpen(swapped, "spotRich");
        expect(mirrored.kind).toBe(decision.kind);
        if (decision.kind !== "open" || mirrored.kind !== "open") return;
        compared += 1;
        expect([decision.perp.side, decision.spot.side]).toEqual(["sell", "buy"]);
        expect([mirrored.perp.side, mirrored.spot.side]).toEqual(["buy", "sell"]);
        expect([mirrored.spot.limitPx, mirrored.spot.size]).toEqual([
          decision.perp.limitPx,
          decision.perp.size,
        ]);
        expect([mirrored.perp.limitPx, mirrored.perp.size]).toEqual([
          decision.spot.limitPx,
          decision.spot.size,
        ]);
      }),
      RUNS,
    );
    expect(compared).toBeGreaterThan(RUNS.numRuns / 10);
  });
});

describe("convergence close limit prices", () => {
  it("keep the basis at the close prices at most the close threshold, and fill the close", () => {
    let closes = 0;
    fc.assert(
      fc.property(
        scenarioArb(),
        fc.constantFrom("perpRich" as const, "spotRich" as const),
        fc.integer({ min: 1, max: 2_000 }),
        (scenario, direction, heldLots) => {
          const books = scenarioBooks(scenario);
          const params = scenarioParams(scenario, books);
          const context = contextOf(books, { ...params, fundingRatePerHour: 0 });
          context.position = positionOf(direction, heldLots, heldLots);
          const strategy = strategyOf(books, {
            openThresholdBps: scenario.openThresholdBps,
            closeThresholdBps: scenario.closeThresholdBps,
            maxSlippageBps: scenario.maxSlippageBps,
          });
          const decision = decide(edgeOf(books, params, direction), context, strategy);
          if (decision.kind !== "close") return;
          closes += 1;
          expect(decision.reason).toBe("converged");
          const legs = legsOf(decision.perp, decision.spot, scenario);
          const sellPx = parseDecimal(legs.sell.limitPx);
          const buyPx = parseDecimal(legs.buy.limitPx);
          // (Pbuy − Psell) / Psell ≤ T  ⇔  (1 + T)·Psell − Pbuy ≥ 0.
          const threshold = mul(exactDecimal(Number(scenario.closeThresholdBps)), BPS);
          expect(sign(sub(mul(add(ONE, threshold), sellPx), buyPx))).toBeGreaterThanOrEqual(0);
          expect(gte(depthPrice(legs.sellBook.bids, legs.sell.lots, legs.sellSz), sellPx)).toBe(true);
          expect(gte(buyPx, depthPrice(legs.buyBook.asks, legs.buy.lots, legs.buySz))).toBe(true);
          expect(isValidPrice(sellPx, legs.sellGrid) && isValidPrice(buyPx, legs.buyGrid)).toBe(true);
          expect(legs.sell.lots).toBeLessThanOrEqual(heldLots);
        },
      ),
      RUNS,
    );
    expect(closes).toBeGreaterThan(RUNS.numRuns / 20);
  });
});

describe("scaled-unit grid rounding", () => {
  it("equals grid.ts's roundPrice on every leg kind, size decimals and direction", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("perp" as const, "spot" as const),
        fc.integer({ min: 0, max: 5 }),
        fc.oneof(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: 2 ** 43 })),
        fc.constantFrom("up" as const, "down" as const),
        (market, szDecimals, units, direction) => {
          const scales = legScales(market, szDecimals);
          const expected = roundPrice(
            decimalOf(units, scales.priceDecimals),
            { market, szDecimals },
            direction,
          );
          const rounded = roundPriceUnits(units, scales, direction);
          expect(decimalOf(rounded, scales.priceDecimals)).toEqual(parseDecimal(expected));
        },
      ),
      { seed: 20_261_202, numRuns: 20_000 },
    );
  });
});
