import { describe, expect, it } from "vitest";

import type { Cloid } from "../../hotpath/exchange/wire/brands.js";
import type { UserFill } from "../../hotpath/exchange/wire/info.js";
import type { IntentState } from "../../hotpath/execution/intentState.js";
import { Inventory } from "../../hotpath/execution/reconcile/inventory.js";
import type { Mismatch } from "../../hotpath/execution/reconcile/mismatch.js";
import { reconcile, type ReconcileOptions } from "../../hotpath/execution/reconcile/reconcile.js";
import { seedMarketPosition } from "../../hotpath/execution/reconcile/seedPosition.js";
import { cloid, d, fill, filled, openIntent, sent, T0 } from "./intentState.fixtures.js";
import {
  baseline,
  exchangeFill,
  funding,
  HYPE,
  intentState,
  MARKETS,
  restingOrder,
  snapshot,
  type SnapshotSpec,
} from "./reconcile.fixtures.js";

// One perp-rich open: sell 0.49 perp @ 40 (fee 0.00882 USDC), buy 0.5 spot @ 40.01 (fee 0.00035 HYPE).
const PERP_CLOID = cloid(10);
const SPOT_CLOID = cloid(11);
const PERP_FILL = exchangeFill(1, {
  coin: "HYPE",
  side: "A",
  sz: d("0.49"),
  px: d("40"),
  fee: d("0.00882"),
  oid: 1000,
  cloid: PERP_CLOID,
  time: T0 + 10,
});
const SPOT_FILL = exchangeFill(2, {
  coin: "@107",
  side: "B",
  sz: d("0.5"),
  px: d("40.01"),
  fee: d("0.00035"),
  oid: 1001,
  cloid: SPOT_CLOID,
  time: T0 + 10,
});

function openPosition(options: { withFills?: boolean } = {}): IntentState {
  const withFills = options.withFills ?? true;
  return intentState(openIntent(1), [
    [PERP_CLOID, sent()],
    [SPOT_CLOID, sent()],
    ...(withFills
      ? ([
          [PERP_CLOID, fill(1, "0.49", { px: "40", fee: "0.00882", oid: 1000 })],
          [SPOT_CLOID, fill(2, "0.5", { px: "40.01", fee: "0.00035", feeToken: "HYPE", oid: 1001 })],
        ] as const)
      : []),
    [PERP_CLOID, filled("0.49", { avgPx: "40", oid: 1000 })],
    [SPOT_CLOID, filled("0.5", { avgPx: "40.01", oid: 1001 })],
  ]);
}

/** The exchange after the open, from a baseline of 10 000 USDC (half spot, half perp) and 2 HYPE. */
function afterOpen(spec: SnapshotSpec = {}) {
  return snapshot({
    perp: { HYPE: { szi: "-0.49", upnl: "-0.05", sinceOpen: "-0.0012" } },
    spotUsdc: "4979.995", // 5000 − 0.5 × 40.01
    perpCollateral: "4999.99118", // 5000 − 0.00882
    spotHype: "2.49965", // 2 + 0.5 − 0.00035
    fills: [PERP_FILL, SPOT_FILL],
    ...spec,
  });
}

const STANDARD: ReconcileOptions = { accountMode: "standard" };

function kinds(mismatches: readonly Mismatch[]): string[] {
  return mismatches.map((mismatch) => mismatch.kind);
}

function mismatchesOf(result: ReturnType<typeof reconcile>): readonly Mismatch[] {
  if (result.ok) throw new Error("expected mismatches, the reconciliation passed");
  return result.mismatches;
}

describe("reconcile: explained", () => {
  it("passes when the journal and the fills since the baseline explain the account exactly", () => {
    const expected = Inventory.fromBaseline(MARKETS, baseline("10000", "2"));
    const result = reconcile(afterOpen(), { openIntents: [openPosition()] }, expected, MARKETS, STANDARD);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.positions).toEqual([
      {
        coin: "HYPE",
        perp: "-0.49",
        spot: "0.49965",
        direction: "perpRich",
        intents: [openIntent(1).intentId],
        openedAtMs: T0 + 10,
        entryPerpPx: "40",
        entrySpotPx: "40.01",
        fundingSinceOpen: "0.0012",
        liquidationPx: "80",
      },
    ]);
    expect(result.balances).toMatchObject({
      accountMode: "standard",
      usdc: "9979.98618",
      usdcSpot: "4979.995",
      usdcPerpCollateral: "4999.99118",
      tokens: [{ coin: "HYPE", token: "HYPE", total: "2.49965", hold: "0" }],
    });
    // The fills arrived after the baseline: applied, not flagged; the caller's inventory is untouched.
    expect(result.explained.fills.map((one) => one.tid)).toEqual([1, 2]);
    expect(expected.version).toBe(0);
    expect(result.inventory.hasFill(PERP_FILL)).toBe(true);
  });

  it("applies fills that arrived while the process was down to orders the journal knows only as filled", () => {
    const expected = Inventory.fromBaseline(MARKETS, baseline("10000", "2"));
    const journal = { openIntents: [openPosition({ withFills: false })] };
    const result = reconcile(afterOpen(), journal, expected, MARKETS, STANDARD);
    expect(result.ok).toBe(true);
    // The spot net of the HYPE fee comes from the exchange's fill, which the journal lacks.
    if (result.ok) expect(result.positions[0]?.spot).toBe("0.49965");
  });

  it("counts a fill the expected inventory already has (or lists twice) once", () => {
    const expected = Inventory.fromBaseline(MARKETS, baseline("10000", "2"));
    expected.applyFill(PERP_FILL);
    const twice = afterOpen({ fills: [PERP_FILL, SPOT_FILL, SPOT_FILL, PERP_FILL] });
    const result = reconcile(twice, { openIntents: [openPosition()] }, expected, MARKETS, STANDARD);
    expect(result.ok).toBe(true);
    expect(result.explained.fills.map((one) => one.tid)).toEqual([2]);
  });

  it("explains USDC with funding received since the baseline", () => {
    const expected = Inventory.fromBaseline(MARKETS, baseline("10000", "2"));
    const paid = afterOpen({ perpCollateral: "5000.01568", funding: [funding(T0 + 3_600_000, "0.0245")] });
    const result = reconcile(paid, { openIntents: [openPosition()] }, expected, MARKETS, STANDARD);
    expect(result).toMatchObject({ ok: true, explained: { funding: 1 } });
    const unexplained = afterOpen({ perpCollateral: "5000.01568" });
    const failed = mismatchesOf(
      reconcile(unexplained, { openIntents: [openPosition()] }, expected, MARKETS, STANDARD),
    );
    expect(kinds(failed)).toEqual(["usdcBalance"]);
    expect(failed[0]?.message).toContain("difference 0.0245");
  });

  it("treats spot USDC and perp collateral as one pool on a standard account: a transfer between them is explained", () => {
    const expected = Inventory.fromBaseline(MARKETS, baseline("10000", "2"));
    const moved = afterOpen({ spotUsdc: "4879.995", perpCollateral: "5099.99118" });
    expect(reconcile(moved, { openIntents: [openPosition()] }, expected, MARKETS, STANDARD).ok).toBe(true);
  });

  it("checks USDC as one pool on a unified account: spot USDC only, the perp state shows the same money", () => {
    const expected = Inventory.fromBaseline(MARKETS, baseline("10000", "2"));
    // Unified: spot USDC is the collateral (fees and PnL land there); the perp summary repeats it.
    const unified = afterOpen({ mode: "unified", spotUsdc: "9979.98618", perpCollateral: "9979.98618" });
    const journal = { openIntents: [openPosition()] };
    expect(reconcile(unified, journal, expected, MARKETS, { accountMode: "unified" }).ok).toBe(true);
    // Read as a standard account, the same state would count the money twice.
    const asStandard = afterOpen({ spotUsdc: "9979.98618", perpCollateral: "9979.98618" });
    const failed = mismatchesOf(reconcile(asStandard, journal, expected, MARKETS, STANDARD));
    expect(kinds(failed)).toEqual(["usdcBalance"]);
    expect(failed[0]?.message).toContain("spot 9979.98618 + perp collateral 9979.98618, standard account");
  });

  it("accepts a USDC difference within the tolerance, and no size difference at all", () => {
    const expected = Inventory.fromBaseline(MARKETS, baseline("10000", "2"));
    const off = afterOpen({ perpCollateral: "4999.991181" });
    const journal = { openIntents: [openPosition()] };
    expect(
      reconcile(off, journal, expected, MARKETS, { ...STANDARD, tolerances: { usdc: d("0.000001") } }).ok,
    ).toBe(true);
    expect(reconcile(off, journal, expected, MARKETS, STANDARD).ok).toBe(false);
  });

  it("seeds the decision's MarketPosition from the reconciled position", () => {
    const expected = Inventory.fromBaseline(MARKETS, baseline("10000", "2"));
    const result = reconcile(afterOpen(), { openIntents: [openPosition()] }, expected, MARKETS, STANDARD);
    if (!result.ok) throw new Error(result.mismatches.map((mismatch) => mismatch.message).join("; "));
    const position = seedMarketPosition(result.positions[0] as never, HYPE);
    expect({ ...position }).toMatchObject({
      direction: "perpRich",
      perpLots: 49,
      spotLots: 49, // 0.49965 HYPE truncated to the 0.01 lot
      openedAtMs: T0 + 10,
      entryPerpPx: 40,
      entrySpotPx: 40.01,
      fundingMicroUsdc: 1200,
    });
  });
});

describe("reconcile: fails closed with a typed reason", () => {
  it("flags a resting order that is not in the journal", () => {
    const expected = Inventory.fromBaseline(MARKETS, baseline("10000", "2"));
    const foreign = restingOrder(777, "0x000000000000000000000000000000ff" as Cloid);
    const result = reconcile(
      afterOpen({ openOrders: [foreign] }),
      { openIntents: [openPosition()] },
      expected,
      MARKETS,
      STANDARD,
    );
    const mismatches = mismatchesOf(result);
    expect(mismatches).toEqual([
      expect.objectContaining({ kind: "restingOrder", oid: 777, intentId: null, coin: "HYPE" }),
    ]);
    expect(mismatches[0]?.message).toBe(
      "resting order oid 777 (cloid 0x000000000000000000000000000000ff) buy 1 of 1 HYPE @ 30 is not in the journal",
    );
  });

  it("flags our own order resting on the book: the bot sends only IOC orders", () => {
    const expected = Inventory.fromBaseline(MARKETS, baseline("10000", "2"));
    const ours = restingOrder(1000, PERP_CLOID, { side: "A", sz: d("0.1"), origSz: d("0.49") });
    const mismatches = mismatchesOf(
      reconcile(
        afterOpen({ openOrders: [ours] }),
        { openIntents: [openPosition()] },
        expected,
        MARKETS,
        STANDARD,
      ),
    );
    expect(mismatches[0]).toMatchObject({ kind: "restingOrder", intentId: openIntent(1).intentId });
    expect(mismatches[0]?.message).toContain("the bot sends only IOC orders");
  });

  it("flags a perp position the journal cannot explain, and one the fills cannot explain", () => {
    // The baseline says short 2 and the journal's open intents explain short 2; the exchange is short 2.5.
    const expected = Inventory.fromBaseline(MARKETS, baseline("10000", "0", "-2"));
    const intents = [
      intentState(openIntent(1, { positionId: "pos-1" }), [
        [PERP_CLOID, sent()],
        [SPOT_CLOID, sent()],
        [PERP_CLOID, filled("0.49", { oid: 1000 })],
        [SPOT_CLOID, filled("0.5", { oid: 1001 })],
      ]),
    ];
    // 0.49 from the open intent; the other 1.51 was … never journaled: the journal explains -0.49 only.
    const state = snapshot({
      perp: { HYPE: { szi: "-2.5" } },
      spotUsdc: "5000",
      perpCollateral: "5000",
    });
    const mismatches = mismatchesOf(reconcile(state, { openIntents: intents }, expected, MARKETS, STANDARD));
    const perp = mismatches.filter((mismatch) => mismatch.kind === "perpPosition");
    expect(perp.map((mismatch) => mismatch.message)).toEqual([
      "perp HYPE position on the exchange -2.5, the reconciled baseline and the fills since explain -2 (difference -0.5)",
      "perp HYPE position on the exchange -2.5, the journal's open intents explain -0.49 (difference -2.01)",
    ]);
  });

  it("flags a fill no journaled order explains (another cloid), and still counts it for the balances", () => {
    const expected = Inventory.fromBaseline(MARKETS, baseline("10000", "2"));
    const manual = exchangeFill(3, {
      coin: "@107",
      side: "B",
      sz: d("1"),
      px: d("40"),
      fee: d("0.0007"),
      oid: 4242,
      cloid: "0x000000000000000000000000000000ee" as Cloid,
      time: T0 + 20,
    });
    const state = afterOpen({
      fills: [PERP_FILL, SPOT_FILL, manual],
      spotUsdc: "4939.995",
      spotHype: "3.49895",
    });
    const mismatches = mismatchesOf(
      reconcile(state, { openIntents: [openPosition()] }, expected, MARKETS, STANDARD),
    );
    expect(kinds(mismatches)).toEqual(["foreignFill"]);
    expect(mismatches[0]?.message).toBe(
      "fill tid 3 (@107 buy 1 @ 40, oid 4242, cloid 0x000000000000000000000000000000ee, time " +
        `${T0 + 20}) is not from any journaled order`,
    );
  });

  it("accepts fills of orders closed since (isClosedOrder), and skips fills a reconciliation already attributed", () => {
    const expected = Inventory.fromBaseline(MARKETS, baseline("10000", "2"));
    // No open intent explains these fills (the position was closed since the baseline).
    const state = afterOpen();
    const bare = { openIntents: [] as IntentState[] };
    const strict = mismatchesOf(reconcile(state, bare, expected, MARKETS, STANDARD));
    expect(kinds(strict)).toEqual(["foreignFill", "foreignFill", "perpPosition"]);
    const attributed = mismatchesOf(
      reconcile(state, bare, expected, MARKETS, { ...STANDARD, attributedTids: new Set([1, 2]) }),
    );
    expect(kinds(attributed)).toEqual(["perpPosition"]);
    const byCloid = mismatchesOf(
      reconcile(state, bare, expected, MARKETS, {
        ...STANDARD,
        isClosedOrder: (cloid) => cloid === PERP_CLOID || cloid === SPOT_CLOID,
      }),
    );
    expect(kinds(byCloid)).toEqual(["perpPosition"]);
  });

  it("flags a spot balance change no fill explains (a transfer), exactly", () => {
    const expected = Inventory.fromBaseline(MARKETS, baseline("10000", "2"));
    const mismatches = mismatchesOf(
      reconcile(
        afterOpen({ spotHype: "2.49964" }),
        { openIntents: [openPosition()] },
        expected,
        MARKETS,
        STANDARD,
      ),
    );
    expect(kinds(mismatches)).toEqual(["spotBalance"]);
    expect(mismatches[0]?.message).toContain(
      "spot HYPE balance on the exchange 2.49964, the reconciled baseline and the fills since explain 2.49965 (difference -0.00001)",
    );
  });

  it("flags an order whose outcome is still unknown, unless the caller handles those itself", () => {
    const expected = Inventory.fromBaseline(MARKETS, baseline("10000", "2"));
    const unknown = intentState(openIntent(1), [
      [PERP_CLOID, sent()],
      [SPOT_CLOID, sent()],
      [PERP_CLOID, { type: "outcomeUnknown", reason: "timeout", atMs: T0 + 5 }],
      [SPOT_CLOID, { type: "rejected", error: "Order could not immediately match" }],
    ]);
    const state = snapshot({ spotUsdc: "5000", perpCollateral: "5000", spotHype: "2" });
    const mismatches = mismatchesOf(
      reconcile(state, { openIntents: [unknown] }, expected, MARKETS, STANDARD),
    );
    expect(kinds(mismatches)).toEqual(["unknownOutcome"]);
    expect(mismatches[0]?.message).toContain(`order outcome unknown for cloid ${PERP_CLOID}`);
    const ignored = reconcile(state, { openIntents: [unknown] }, expected, MARKETS, {
      ...STANDARD,
      unknownOutcomes: "ignore",
    });
    expect(ignored.ok).toBe(true);
  });

  it("flags the wrong account mode, a position on a coin the bot does not trade and a fill there", () => {
    const expected = Inventory.fromBaseline(MARKETS, baseline("10000", "2"));
    const btc: UserFill = exchangeFill(9, { coin: "BTC", side: "B", sz: d("0.001"), px: d("60000") });
    const state = afterOpen({
      abstraction: "portfolioMargin",
      perp: { HYPE: { szi: "-0.49", upnl: "-0.05" }, BTC: { szi: "0.001" } },
      fills: [PERP_FILL, SPOT_FILL, btc],
    });
    const mismatches = mismatchesOf(
      reconcile(state, { openIntents: [openPosition()] }, expected, MARKETS, STANDARD),
    );
    expect(kinds(mismatches)).toEqual(["accountMode", "foreignFill", "foreignPosition"]);
    expect(mismatches[1]).toMatchObject({ unknownMarket: true });
    expect(mismatches.map((mismatch) => mismatch.message).join("\n")).toContain(
      'account mode on the exchange is "portfolioMargin", configured standard',
    );
  });
});
