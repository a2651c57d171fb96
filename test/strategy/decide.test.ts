/**
 * `decide` end to end on hand-checked books: the worked open example, the preallocated skips and their
 * persisted reasons, the gates before the threshold, balances and the minimum order value at the limit
 * prices, adding to a held position, and `expiresAfter`.
 */

import { describe, expect, it } from "vitest";

import type { MarketBooks } from "../../hotpath/book/marketBooks.js";
import type { EdgeParams } from "../../hotpath/edge/edgeParams.js";
import type { EdgeScratch } from "../../hotpath/edge/edgeScratch.js";
import { BREAKER_RESYNCING } from "../../hotpath/feed/breaker.js";
import { SKIP_REASONS } from "../../hotpath/persistence/edgeBatchCodec.js";
import { decide } from "../../hotpath/strategy/decide.js";
import {
  DECISION_SKIP_REASONS,
  PERSISTED_SKIP_REASON,
  SKIP,
  type Decision,
} from "../../hotpath/strategy/decision.js";
import type { MarketStrategy } from "../../hotpath/strategy/strategyConfig.js";
import {
  booksOf,
  contextOf,
  edgeOf,
  edgeParams,
  NOW_MS,
  positionOf,
  strategyOf,
  type BookText,
  type TestContext,
} from "./strategyFixtures.js";

/** Perp rich by ≈ 50 bps (see the worked example below). */
const HIGH: BookText = {
  bids: [
    ["40.3", "3"],
    ["40.29", "5"],
  ],
  asks: [
    ["40.31", "3"],
    ["40.32", "5"],
  ],
};
const LOW: BookText = {
  bids: [
    ["40.09", "3"],
    ["40.08", "5"],
  ],
  asks: [
    ["40.1", "3"],
    ["40.11", "5"],
  ],
};

interface Setup {
  readonly books: MarketBooks;
  readonly params: EdgeParams;
  readonly context: TestContext;
  readonly edge: EdgeScratch;
  readonly strategy: MarketStrategy;
}

function perpRichSetup(clip = "1"): Setup {
  const books = booksOf(HIGH, LOW);
  const params = edgeParams(books, { clip });
  const context = contextOf(books, params);
  const edge = edgeOf(books, params, "perpRich");
  return { books, params, context, edge, strategy: strategyOf(books) };
}

describe("worked example: perp rich, 1 HYPE clip, base fees, 15 bps threshold", () => {
  /*
   * Sell 0.99 perp (the hedge of 1 spot bought, whose 7 bps fee is taken in HYPE) at the 40.3 bid, buy 1
   * spot at the 40.1 ask. Budget in USDC: a = 0.99 × (1 − 0.00045) = 0.9895545, b = 0.99 × 1.0015 + 0.0007 ×
   * 1 = 0.992185, k = exit fees + exit crossing − funding = 0.0516711. Slack at the depth prices:
   * 0.9895545 × 40.3 − 0.992185 × 40.1 − 0.0516711 = 0.0407568. Half each: sell 40.3 − 0.0407568 / (2a)
   * = 40.279407 → up to the grid → 40.28; buy 40.1 + 0.0407568 / (2b) = 40.120539 → down → 40.12.
   * At those prices: 0.99 × 0.16 − 0.00045 × 0.99 × 40.28 − 0.0007 × 40.12 − 0.0516711 = 0.060701 USDC,
   * i.e. 15.28 bps of 0.99 × 40.12.
   */
  it("opens with the worst prices that still meet the threshold", () => {
    const { context, edge, strategy } = perpRichSetup();
    const decision = decide(edge, context, strategy);
    expect(decision).toMatchObject({
      kind: "open",
      direction: "perpRich",
      perp: { market: "perp", side: "sell", limitPx: "40.28", size: "0.99", lots: 99, reduceOnly: false },
      spot: { market: "spot", side: "buy", limitPx: "40.12", size: "1", lots: 100, reduceOnly: false },
      expiresAfter: NOW_MS + 3_000,
    });
    if (decision.kind !== "open") return;
    expect(decision.edgeNetBps).toBeCloseTo(25.27, 2);
    expect(decision.limitNetBps).toBeCloseTo(15.28, 2);
    expect(Object.isFrozen(decision) && Object.isFrozen(decision.perp)).toBe(true);
  });

  it("a tighter band caps both limits at that distance from the depth prices", () => {
    const { books, context, edge } = perpRichSetup();
    const decision = decide(edge, context, strategyOf(books, { maxSlippageBps: "2" }));
    // 40.3 × 0.9998 = 40.29194 → up → 40.292; 40.1 × 1.0002 = 40.10802 → down → 40.108.
    expect(decision).toMatchObject({
      kind: "open",
      perp: { limitPx: "40.292" },
      spot: { limitPx: "40.108" },
    });
  });

  it("a threshold the depth prices cannot meet is refused even though the VWAP edge clears it", () => {
    // 5 HYPE walks two levels on each leg: VWAPs 40.296 / 40.104, depth prices 40.29 / 40.11, so the net at
    // the depth prices is ≈ 3 bps below the VWAP net.
    const { books, context, edge } = perpRichSetup("5");
    const threshold = (Math.floor(edge.netBps * 4) / 4 - 1).toFixed(2);
    const strategy = strategyOf(books, { openThresholdBps: threshold });
    expect(edge.netBps).toBeGreaterThan(Number(threshold));
    expect(decide(edge, context, strategy)).toBe(SKIP.limitBudget);
    const lower = strategyOf(books, { openThresholdBps: (Number(threshold) - 3).toFixed(2) });
    expect(decide(edge, context, lower)).toMatchObject({
      kind: "open",
      perp: { lots: 499 },
      spot: { lots: 500 },
    });
  });
});

describe("skips", () => {
  it("are one frozen constant per reason, returned as is", () => {
    const { context, strategy, books, params } = perpRichSetup();
    const edge = edgeOf(books, params, "spotRich");
    const first = decide(edge, context, strategy);
    expect(first).toBe(SKIP.belowThreshold);
    expect(decide(edge, context, strategy)).toBe(first);
    for (const reason of DECISION_SKIP_REASONS) {
      expect(SKIP[reason]).toEqual({ kind: "skip", reason, persisted: PERSISTED_SKIP_REASON[reason] });
      expect(Object.isFrozen(SKIP[reason])).toBe(true);
    }
  });

  it("map onto exactly the persisted skip reasons", () => {
    expect(new Set(Object.values(PERSISTED_SKIP_REASON))).toEqual(new Set(SKIP_REASONS));
  });

  it.each([
    [
      "outcomeUnknown",
      (c: Setup): void => {
        c.context.account.outcomeUnknown = true;
      },
    ],
    [
      "killed",
      (c: Setup): void => {
        c.context.account.killed = true;
      },
    ],
    [
      "orderInFlight",
      (c: Setup): void => {
        c.context.market.intentInFlight = true;
      },
    ],
    [
      "paused",
      (c: Setup): void => {
        c.context.account.paused = true;
      },
    ],
    [
      "stale",
      (c: Setup): void => {
        c.context.breakerReasons = BREAKER_RESYNCING;
      },
    ],
    [
      "oppositePosition",
      (c: Setup): void => {
        c.context.position = positionOf("spotRich", 100, 100);
      },
    ],
    [
      "notComputable",
      (c: Setup): void => {
        c.edge.status = "emptyBook";
      },
    ],
  ] as const)("%s", (reason, change) => {
    const setup = perpRichSetup();
    change(setup);
    expect(decide(setup.edge, setup.context, setup.strategy)).toBe(SKIP[reason]);
  });
});

describe("at the limit prices", () => {
  it("perpRich needs the spot buy's notional in spot USDC", () => {
    const { context, edge, strategy } = perpRichSetup();
    // 1 × 40.12 at the limit: 40.12 USDC is enough, a micro-USDC less is not.
    context.balances = { ...context.balances, spotUsdcMicro: 40_120_000 };
    expect(decide(edge, context, strategy).kind).toBe("open");
    context.balances = { ...context.balances, spotUsdcMicro: 40_119_999 };
    expect(decide(edge, context, strategy)).toBe(SKIP.insufficientSpotQuote);
  });

  it("spotRich needs the base it sells", () => {
    const books = booksOf(LOW, HIGH);
    const params = edgeParams(books);
    const context = contextOf(books, params);
    const edge = edgeOf(books, params, "spotRich");
    context.balances = { ...context.balances, spotBaseQty: 99 };
    expect(decide(edge, context, strategyOf(books))).toBe(SKIP.insufficientSpotBase);
    context.balances = { ...context.balances, spotBaseQty: 100 };
    expect(decide(edge, context, strategyOf(books)).kind).toBe("open");
  });

  it("a perp entry needs notional / leverage plus its fee of withdrawable", () => {
    const { context, edge, strategy } = perpRichSetup();
    // 0.99 × 40.28 = 39.8772 USDC: 13.2924 margin at 3× plus 0.01794474 fee = 13.31034474.
    context.balances = { ...context.balances, perpWithdrawableMicro: 13_310_345 };
    expect(decide(edge, context, strategy).kind).toBe("open");
    context.balances = { ...context.balances, perpWithdrawableMicro: 13_310_344 };
    expect(decide(edge, context, strategy)).toBe(SKIP.insufficientPerpMargin);
  });

  it("every leg is worth the minimum order value", () => {
    const { books, params, context } = perpRichSetup("0.5");
    const edge = edgeOf(books, params, "perpRich");
    // 0.49 perp × 40.28 = 19.74 and 0.5 spot × 40.12 = 20.06 USDC.
    expect(decide(edge, context, strategyOf(books, { minOrderNotionalUsdc: "19.7" })).kind).toBe("open");
    expect(decide(edge, context, strategyOf(books, { minOrderNotionalUsdc: "19.8" }))).toBe(
      SKIP.belowMinNotional,
    );
  });
});

describe("a position already held in the direction", () => {
  function adding(lots: number): Decision {
    const { books, context, edge } = perpRichSetup();
    context.position = positionOf("perpRich", lots, lots);
    return decide(edge, context, strategyOf(books, { limits: { maxPositionNotionalUsdc: "100" } }));
  }

  it("is added to while the basis is wide and the position notional allows", () => {
    // Held 1 + 1 more at 40.12 = 80.24 ≤ 100.
    expect(adding(100)).toMatchObject({ kind: "open", direction: "perpRich" });
    // Held 2 + 1 more at 40.12 = 120.36 > 100.
    expect(adding(200)).toBe(SKIP.maxPositionNotional);
  });

  it("respects the trade cool-down when adding", () => {
    const { context, edge, strategy } = perpRichSetup();
    context.position = positionOf("perpRich", 100, 100);
    context.market.lastTradeAtMs = NOW_MS - 500;
    expect(decide(edge, context, strategy)).toBe(SKIP.coolDownAfterTrade);
  });
});
