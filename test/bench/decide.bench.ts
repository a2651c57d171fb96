/**
 * Decision benchmark: ns per `decide` call on 20-level HYPE-like books, on the per-frame skip paths and on
 * trade verdicts. Run: `npx tsx test/bench/decide.bench.ts` (or `npm run bench -- decide`).
 *
 * Prints one JSON line per measurement:
 * - `skipBelowThreshold`: flat market, edge below the open threshold — the verdict of almost every frame;
 * - `skipHeldNotConverged`: a position held, the close rules checked (two walks of the close sides and the
 *   convergence budget), no rule fires, edge below the threshold;
 * - `skipCoolDown`: edge above the threshold, held back by the trade cool-down (throttle path);
 * - `skipInsufficientBalance`: edge above the threshold, limits placed, refused by the spot USDC balance —
 *   the longest skip path (walks, budget, grid rounding, order checks);
 * - `openVerdict`: an open verdict (limit prices, order legs with grid.ts price strings, frozen objects);
 * - `closeVerdict`: a convergence close verdict.
 * Each has `meanNs` (mean over `iterations` after a warm-up), `p50Ns` / `p99Ns` from individually timed calls
 * (the timer adds ≈ 50 ns), and `gcs`: garbage collections during the timed mean loop — 0 over a million
 * calls means the path allocated nothing the collector had to reclaim.
 */

import { cpus } from "node:os";
import { PerformanceObserver } from "node:perf_hooks";

import { MarketBooks } from "../../hotpath/book/marketBooks.js";
import { EdgeCalculator } from "../../hotpath/edge/edgeCalculator.js";
import type { EdgeParams } from "../../hotpath/edge/edgeParams.js";
import { EdgeIdSequence } from "../../hotpath/edge/edgeRecord.js";
import { feeRatesFromBps } from "../../hotpath/edge/feeRates.js";
import { NO_RISK_CAP } from "../../hotpath/edge/riskCap.js";
import { asWireDecimal } from "../../hotpath/exchange/wire/brands.js";
import type { L2Level } from "../../hotpath/exchange/wire/info.js";
import { decide, type DecisionContext } from "../../hotpath/strategy/decide.js";
import type { BalancesView } from "../../hotpath/strategy/orderPlan.js";
import { FLAT, MarketPosition, type PositionView } from "../../hotpath/strategy/position.js";
import { utcDayOf } from "../../hotpath/strategy/risk/dailyLoss.js";
import { AccountRiskState, MarketRiskState } from "../../hotpath/strategy/risk/riskState.js";
import { compileStrategy, DEFAULT_STRATEGY_CONFIG } from "../../hotpath/strategy/strategyConfig.js";

/** 20 levels from `touch` in 0.001 steps (`step` −1 for bids), 2–6 HYPE each. */
function levels(touch: number, step: 1 | -1): L2Level[] {
  return Array.from({ length: 20 }, (_, i) => ({
    px: asWireDecimal(((touch + step * i) / 1000).toFixed(3)),
    sz: asWireDecimal(String(2 + (i % 5))),
    n: 1 + (i % 3),
  }));
}

function booksAt(perpBid: number, spotBid: number): MarketBooks {
  const books = new MarketBooks({
    coin: "HYPE",
    perpCoin: "HYPE",
    spotCoin: "@107",
    perpSzDecimals: 2,
    spotSzDecimals: 2,
  });
  for (const [coin, bid] of [
    ["HYPE", perpBid],
    ["@107", spotBid],
  ] as const) {
    const result = books.applyMessage(
      {
        channel: "l2Book",
        data: { coin, time: 1, levels: [levels(bid, -1), levels(bid + 10, 1)] },
      },
      1,
    );
    if (result !== "applied") throw new Error(`book not applied: ${result}`);
  }
  return books;
}

const params: EdgeParams = {
  clipQty: 500, // 5 HYPE: walks two levels per leg
  fees: feeRatesFromBps({ perpTaker: "4.5", perpMaker: "1.5", spotTaker: "7", spotMaker: "4" }),
  fundingRatePerHour: 0.0000125,
  holdingHours: 8,
  oraclePx: Number.NaN,
  riskCap: NO_RISK_CAP,
};

const nowMs = Date.UTC(2026, 10, 24, 12);
const RICH: BalancesView = { spotUsdcMicro: 1e12, spotBaseQty: 1e12, perpWithdrawableMicro: 1e12 };

interface Scenario {
  readonly calculator: EdgeCalculator;
  readonly context: DecisionContext & {
    position: PositionView;
    balances: BalancesView;
    readonly market: MarketRiskState;
  };
}

/** Perp bid `perpBid` / spot bid `spotBid` (in 0.001 USDC), otherwise a fresh flat account. */
function scenario(perpBid: number, spotBid: number): Scenario {
  const books = booksAt(perpBid, spotBid);
  const calculator = new EdgeCalculator(books, params, new EdgeIdSequence());
  calculator.update();
  const account = new AccountRiskState(60);
  account.dailyPnlUtcDay = utcDayOf(nowMs);
  return {
    calculator,
    context: {
      nowMs,
      books,
      params,
      breakerReasons: 0,
      position: FLAT,
      market: new MarketRiskState(),
      account,
      balances: RICH,
    },
  };
}

const strategy = compileStrategy(
  {
    ...DEFAULT_STRATEGY_CONFIG,
    limits: { ...DEFAULT_STRATEGY_CONFIG.limits, maxPositionNotionalUsdc: "100000" },
  },
  booksAt(40_000, 40_000).scales,
);

const flat = scenario(40_050, 40_000); // ≈ 10 bps gross: below the threshold
const wide = scenario(40_300, 40_000); // ≈ 72 bps gross: worth opening
const held = scenario(40_050, 40_000);
const heldPosition = new MarketPosition();
heldPosition.direction = "perpRich";
heldPosition.perpLots = 500;
heldPosition.spotLots = 500;
heldPosition.openedAtMs = nowMs - 60_000;
held.context.position = heldPosition;
const coolDown = scenario(40_300, 40_000);
coolDown.context.market.lastTradeAtMs = nowMs;
const poor = scenario(40_300, 40_000);
poor.context.balances = { ...RICH, spotUsdcMicro: 100_000_000 };
const converged = scenario(40_000, 40_005); // exit basis ≈ 1.7 bps: converged
converged.context.position = heldPosition;

function run(s: Scenario): string {
  return decide(s.calculator.perpRich, s.context, strategy).kind;
}

function reason(s: Scenario): string {
  const decision = decide(s.calculator.perpRich, s.context, strategy);
  return decision.kind === "skip" ? decision.reason : decision.kind;
}

const expected: [string, Scenario, string][] = [
  ["skipBelowThreshold", flat, "belowThreshold"],
  ["skipHeldNotConverged", held, "belowThreshold"],
  ["skipCoolDown", coolDown, "coolDownAfterTrade"],
  ["skipInsufficientBalance", poor, "insufficientSpotQuote"],
  ["openVerdict", wide, "open"],
  ["closeVerdict", converged, "close"],
];
for (const [name, s, want] of expected) {
  const got = reason(s);
  if (got !== want) throw new Error(`${name}: expected ${want}, got ${got}`);
}

let gcCount = 0;
const gcObserver = new PerformanceObserver((list) => {
  gcCount += list.getEntries().length;
});
gcObserver.observe({ entryTypes: ["gc"] });

let sink: unknown;

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 50));
}

async function measure(iterations: number, samples: number, fn: () => string) {
  for (let i = 0; i < Math.min(iterations, 50_000); i++) sink = fn();
  await settle();
  const gcBefore = gcCount;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink = fn();
  const elapsed = Number(process.hrtime.bigint() - start);
  await settle();
  const gcs = gcCount - gcBefore;
  const times = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const t0 = process.hrtime.bigint();
    sink = fn();
    times[i] = Number(process.hrtime.bigint() - t0);
  }
  times.sort();
  return {
    meanNs: round(elapsed / iterations),
    p50Ns: times[Math.floor(samples * 0.5)]!,
    p99Ns: times[Math.floor(samples * 0.99)]!,
    gcs,
  };
}

const machine = { node: process.version, cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length };
for (const [measurement, s] of expected) {
  const iterations = measurement.endsWith("Verdict") ? 200_000 : 1_000_000;
  const result = await measure(iterations, 50_000, () => run(s));
  process.stdout.write(
    `${JSON.stringify({ bench: "decide", measurement, iterations, ...result, ...machine })}\n`,
  );
}
gcObserver.disconnect();
if (sink === Symbol.for("never")) console.log(sink);
