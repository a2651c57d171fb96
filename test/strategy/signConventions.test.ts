/**
 * The sign conventions, as a table through the real decision: perp rich → sell perp + buy spot, spot rich →
 * sell spot + buy perp, for open, close and unwind, with the limit on the right side of the book and the
 * perp exit reduce-only. Any reversed direction fails a row.
 */

import { describe, expect, it } from "vitest";

import type { EdgeDirection } from "../../hotpath/edge/direction.js";
import { decide } from "../../hotpath/strategy/decide.js";
import type { Decision, OrderLeg } from "../../hotpath/strategy/decision.js";
import { legSide, richLeg, sellingLeg } from "../../hotpath/strategy/sides.js";
import {
  booksOf,
  contextOf,
  edgeOf,
  edgeParams,
  positionOf,
  strategyOf,
  type BookText,
} from "./strategyFixtures.js";

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
/** Both legs the same: the basis has converged (2.5 bps across the spreads). */
const EVEN: BookText = {
  bids: [["40.1", "10"]],
  asks: [["40.11", "10"]],
};

type Action = "open" | "close" | "unwind";

/** The decision `action` of `direction` on books where that action is due. */
function decisionFor(direction: EdgeDirection, action: Action): Decision {
  const perpRich = direction === "perpRich";
  const books = action === "close" ? booksOf(EVEN, EVEN) : perpRich ? booksOf(HIGH, LOW) : booksOf(LOW, HIGH);
  const params = edgeParams(books);
  const context = contextOf(books, params);
  if (action !== "open") context.position = positionOf(direction, 100, 100);
  if (action === "unwind") context.market.liquidationDistancePct = 5;
  return decide(edgeOf(books, params, direction), context, strategyOf(books));
}

function legs(decision: Decision): { perp: OrderLeg; spot: OrderLeg } {
  if (decision.kind === "skip") throw new Error(`skipped: ${decision.reason}`);
  if (decision.perp === null || decision.spot === null) throw new Error("a leg is missing");
  return { perp: decision.perp, spot: decision.spot };
}

const TABLE: readonly [EdgeDirection, Action, "buy" | "sell", "buy" | "sell"][] = [
  ["perpRich", "open", "sell", "buy"],
  ["spotRich", "open", "buy", "sell"],
  ["perpRich", "close", "buy", "sell"],
  ["spotRich", "close", "sell", "buy"],
  ["perpRich", "unwind", "buy", "sell"],
  ["spotRich", "unwind", "sell", "buy"],
];

describe("sign conventions", () => {
  it.each(TABLE)("%s %s: perp %s, spot %s", (direction, action, perpSide, spotSide) => {
    const decision = decisionFor(direction, action);
    expect(decision.kind).toBe(action);
    if (decision.kind === "skip") return;
    expect(decision.direction).toBe(direction);
    const { perp, spot } = legs(decision);
    expect([perp.market, perp.side, spot.market, spot.side]).toEqual(["perp", perpSide, "spot", spotSide]);
    expect(perp.reduceOnly).toBe(action !== "open");
    expect(spot.reduceOnly).toBe(false);
  });

  it.each(TABLE)(
    "%s %s: a sell limit is at most the best bid, a buy limit at least the best ask",
    (direction, action) => {
      const decision = decisionFor(direction, action);
      const { perp, spot } = legs(decision);
      const books =
        action === "close"
          ? booksOf(EVEN, EVEN)
          : direction === "perpRich"
            ? booksOf(HIGH, LOW)
            : booksOf(LOW, HIGH);
      for (const [leg, book] of [
        [perp, books.perp],
        [spot, books.spot],
      ] as const) {
        if (leg.side === "sell") expect(leg.limitPxUnits).toBeLessThanOrEqual(book.bids.prices[0]!);
        else expect(leg.limitPxUnits).toBeGreaterThanOrEqual(book.asks.prices[0]!);
      }
    },
  );

  it("the rule table: the rich leg sells on entry and buys on exit", () => {
    expect(richLeg("perpRich")).toBe("perp");
    expect(richLeg("spotRich")).toBe("spot");
    const rows = (["perpRich", "spotRich"] as const).flatMap((direction) =>
      (["enter", "exit"] as const).map((action) => [
        direction,
        action,
        legSide(direction, action, "perp"),
        legSide(direction, action, "spot"),
        sellingLeg(direction, action),
      ]),
    );
    expect(rows).toEqual([
      ["perpRich", "enter", "sell", "buy", "perp"],
      ["perpRich", "exit", "buy", "sell", "spot"],
      ["spotRich", "enter", "buy", "sell", "spot"],
      ["spotRich", "exit", "sell", "buy", "perp"],
    ]);
  });

  it("the wrong direction on perp-rich books is below threshold, never a reversed trade", () => {
    const books = booksOf(HIGH, LOW);
    const params = edgeParams(books);
    expect(
      decide(edgeOf(books, params, "spotRich"), contextOf(books, params), strategyOf(books)),
    ).toMatchObject({
      kind: "skip",
      reason: "belowThreshold",
    });
    const spotRichBooks = booksOf(LOW, HIGH);
    const spotParams = edgeParams(spotRichBooks);
    expect(
      decide(
        edgeOf(spotRichBooks, spotParams, "perpRich"),
        contextOf(spotRichBooks, spotParams),
        strategyOf(spotRichBooks),
      ),
    ).toMatchObject({ kind: "skip", reason: "belowThreshold" });
  });
});
