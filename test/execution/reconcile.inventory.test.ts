import { describe, expect, it } from "vitest";

import { formatDecimal } from "../../hotpath/exchange/decimal/decimal.js";
import {
  emptyBaseline,
  Inventory,
  inventoryFromEvents,
} from "../../hotpath/execution/reconcile/inventory.js";
import { d, T0 } from "./intentState.fixtures.js";
import { baseline, exchangeFill, funding, HYPE, MARKETS } from "./reconcile.fixtures.js";

const text = (inventory: Inventory) => ({
  usdc: formatDecimal(inventory.usdc),
  hype: formatDecimal(inventory.token("HYPE")),
  perp: formatDecimal(inventory.perpPosition("HYPE")),
});

describe("Inventory: what fills do to the expected holdings", () => {
  it("a perp sell makes the position short and moves USDC by closedPnl − fee", () => {
    const inventory = Inventory.fromBaseline(MARKETS, baseline("1000", "0"));
    inventory.applyFill(
      exchangeFill(1, { coin: "HYPE", side: "A", sz: d("0.49"), px: d("40"), fee: d("0.00882") }),
    );
    inventory.applyFill(
      exchangeFill(2, {
        coin: "HYPE",
        side: "B",
        sz: d("0.2"),
        px: d("39"),
        fee: d("0.00351"),
        closedPnl: d("0.2"),
      }),
    );
    expect(text(inventory)).toEqual({ usdc: "1000.18767", hype: "0", perp: "-0.29" });
  });

  it("a spot buy pays its fee in HYPE: the base balance grows by size − fee, USDC falls by px × size", () => {
    const inventory = Inventory.fromBaseline(MARKETS, baseline("1000", "2"));
    const effect = inventory.applyFill(
      exchangeFill(1, { coin: "@107", side: "B", sz: d("0.5"), px: d("34.895"), fee: d("0.00031499") }),
    );
    expect(effect).toEqual({ kind: "applied", coin: "HYPE", leg: "spot" });
    // PROTOCOL §9.2's recorded fill: 0.5 − 0.00031499 = 0.49968501 HYPE credited.
    expect(text(inventory)).toEqual({ usdc: "982.5525", hype: "2.49968501", perp: "0" });
  });

  it("a spot sell takes the size out of the base balance and its USDC fee out of the proceeds", () => {
    const inventory = Inventory.fromBaseline(MARKETS, baseline("0", "44"));
    inventory.applyFill(
      exchangeFill(1, {
        coin: "@107",
        side: "A",
        sz: d("43.84"),
        px: d("18.62041381"),
        fee: d("0.304521"),
        feeToken: "USDC",
      }),
    );
    // 43.84 × 18.62041381 = 816.3189414304, less the 0.304521 fee.
    expect(text(inventory)).toEqual({ usdc: "816.0144204304", hype: "0.16", perp: "0" });
  });

  it("counts a duplicated trade id once, and nothing older than the baseline's window", () => {
    const buy = exchangeFill(7, { coin: "@107", side: "B", sz: d("1"), px: d("40"), fee: d("0.0007") });
    const { inventory } = inventoryFromEvents(MARKETS, baseline("100", "0"), [buy, buy, { ...buy }]);
    expect(text(inventory)).toEqual({ usdc: "60", hype: "0.9993", perp: "0" });
    expect(inventory.applyFill(buy)).toEqual({ kind: "duplicate" });
    const old = exchangeFill(8, { coin: "HYPE", side: "A", sz: d("1"), px: d("40"), time: T0 - 1 });
    expect(inventory.applyFill(old)).toEqual({ kind: "duplicate" });
    expect(text(inventory).perp).toBe("0");
  });

  it("applies each funding payment once per (time, coin), received positive", () => {
    const inventory = Inventory.fromBaseline(MARKETS, baseline("100", "0"));
    const versionBefore = inventory.version;
    expect(inventory.applyFunding(funding(T0 + 3_600_000, "0.0245"))).toBe(true);
    expect(inventory.applyFunding(funding(T0 + 3_600_000, "0.0245"))).toBe(false);
    expect(inventory.applyFunding(funding(T0 + 7_200_000, "-0.01"))).toBe(true);
    expect(text(inventory).usdc).toBe("100.0145");
    expect(inventory.version).toBe(versionBefore + 2);
  });

  it("does not count a fill on a market it does not trade, and says so", () => {
    const { inventory, unknownMarketFills } = inventoryFromEvents(MARKETS, baseline("100", "0"), [
      exchangeFill(1, { coin: "BTC", side: "B", sz: d("0.001"), px: d("60000"), fee: d("0.027") }),
    ]);
    expect(unknownMarketFills.map((fill) => fill.tid)).toEqual([1]);
    expect(text(inventory)).toEqual({ usdc: "100", hype: "0", perp: "0" });
    expect(inventory.tradesCoin("@107")).toBe(true);
    expect(inventory.tradesCoin("BTC")).toBe(false);
  });

  it("round-trips through its baseline, and compact() keeps only the ids at the window's new edge", () => {
    const inventory = Inventory.fromBaseline(MARKETS, emptyBaseline(T0));
    inventory.applyFill(exchangeFill(1, { coin: "HYPE", side: "A", sz: d("1"), px: d("40"), time: T0 + 5 }));
    inventory.applyFill(exchangeFill(2, { coin: "HYPE", side: "A", sz: d("1"), px: d("40"), time: T0 + 9 }));
    inventory.applyFill(exchangeFill(3, { coin: "@107", side: "B", sz: d("2"), px: d("40"), time: T0 + 9 }));
    inventory.applyFunding(funding(T0 + 7, "0.5"));
    const copy = Inventory.fromBaseline(MARKETS, inventory.toBaseline());
    expect(text(copy)).toEqual(text(inventory));
    expect(copy.hasFill({ tid: 1, time: T0 + 5 })).toBe(true);

    inventory.compact();
    const compacted = inventory.toBaseline();
    expect(compacted.fillsSinceMs).toBe(T0 + 9);
    expect(compacted.fillTids).toEqual([2, 3]);
    expect(compacted.fundingSinceMs).toBe(T0 + 7);
    // Forgotten ids are older than the window: still counted.
    expect(inventory.hasFill({ tid: 1, time: T0 + 5 })).toBe(true);
    expect(text(inventory)).toEqual(text(copy));
  });

  it("clone() is independent of the original", () => {
    const inventory = Inventory.fromBaseline(MARKETS, baseline("100", "1"));
    const copy = inventory.clone();
    copy.applyFill(exchangeFill(1, { coin: "@107", side: "A", sz: d("1"), px: d("40") }));
    expect(text(inventory).hype).toBe("1");
    expect(text(copy).hype).toBe("0");
    expect(inventory.holdings(HYPE)).toMatchObject({ coin: "HYPE" });
  });
});
