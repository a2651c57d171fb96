/**
 * The trade ledger's PnL in exact decimals: FIFO realized PnL per leg, fees per leg in their own token (the
 * spot buy's in the base token, netted out of the base held), funding per position, and the same figures
 * as an independent decimal.js FIFO for any sequence of fills (property test).
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { asWireDecimal } from "../../hotpath/exchange/wire/brands.js";
import { TradeLedger, type LedgerFill } from "../../hotpath/execution/tradeLedger.js";
import { oraclePnl } from "./executorPnlOracle.js";

function fill(
  overrides: Partial<LedgerFill> & Pick<LedgerFill, "market" | "side" | "px" | "size">,
): LedgerFill {
  return {
    coin: "HYPE",
    fee: asWireDecimal("0"),
    feeToken: "USDC",
    timeMs: 1,
    positionId: "p1",
    ...overrides,
  };
}

const w = asWireDecimal;

describe("trade ledger", () => {
  it("realizes a perp-rich round trip leg by leg, fees in their own token, funding per position", () => {
    const ledger = new TradeLedger();
    ledger.applyFill(
      fill({ market: "perp", side: "sell", px: w("40.2"), size: w("0.99"), fee: w("0.0179") }),
    );
    ledger.applyFill(
      fill({ market: "spot", side: "buy", px: w("40"), size: w("1"), fee: w("0.0007"), feeToken: "HYPE" }),
    );
    ledger.applyFunding({ coin: "HYPE", usdc: w("0.0042"), timeMs: 2, positionId: "p1" });
    ledger.applyFill(
      fill({ market: "perp", side: "buy", px: w("40.05"), size: w("0.99"), fee: w("0.0178") }),
    );
    ledger.applyFill(
      fill({ market: "spot", side: "sell", px: w("40.04"), size: w("0.99"), fee: w("0.0277") }),
    );
    const { total, positions, markets } = ledger.snapshot();
    expect(total).toEqual({
      realizedPerpUsdc: "0.1485", // 0.99 × (40.2 − 40.05)
      realizedSpotUsdc: "0.0396", // 0.99 × (40.04 − 40)
      realizedUsdc: "0.1881",
      fees: { perp: { USDC: "0.0357" }, spot: { HYPE: "0.0007", USDC: "0.0277" } },
      fundingUsdc: "0.0042",
      netUsdc: "0.1289", // 0.1881 − 0.0634 + 0.0042
      fills: 4,
    });
    expect(positions[0]).toMatchObject({ positionId: "p1", netUsdc: "0.1289", fundingUsdc: "0.0042" });
    // 0.01 bought and not sold (the fee dust), of which 0.0007 went to the fee.
    expect(markets[0]).toEqual({
      coin: "HYPE",
      perpQty: "0",
      spotQty: "0.01",
      spotNetQty: "0.0093",
      perpOpenCostUsdc: "0",
      spotOpenCostUsdc: "0.4",
    });
  });

  it("matches the oldest lots first across partial closes", () => {
    const ledger = new TradeLedger();
    ledger.applyFill(fill({ market: "perp", side: "buy", px: w("10"), size: w("1") }));
    ledger.applyFill(fill({ market: "perp", side: "buy", px: w("12"), size: w("1") }));
    const effect = ledger.applyFill(fill({ market: "perp", side: "sell", px: w("11"), size: w("1.5") }));
    // 1 × (11 − 10) + 0.5 × (11 − 12)
    expect(effect.realizedUsdc).toEqual({ coefficient: 5n, scale: 1 });
    expect(ledger.holdings("HYPE")).toMatchObject({ perpQty: "0.5", perpOpenCostUsdc: "6" });
    expect(ledger.openAveragePx("HYPE", "perp")).toBe(12);
    // Through zero: the rest opens a short at the fill's price.
    ledger.applyFill(fill({ market: "perp", side: "sell", px: w("13"), size: w("1") }));
    expect(ledger.holdings("HYPE")).toMatchObject({ perpQty: "-0.5", perpOpenCostUsdc: "-6.5" });
    expect(ledger.snapshot().total.realizedPerpUsdc).toBe("1");
  });

  it("restores an order's journaled fills as one lot at their average price", () => {
    const ledger = new TradeLedger();
    ledger.applyAggregate({
      coin: "HYPE",
      market: "spot",
      side: "buy",
      size: w("0.5"),
      notional: w("20.01"),
      fees: [{ token: "HYPE", amount: w("0.00035") }],
      timeMs: 5,
      positionId: "p9",
    });
    expect(ledger.holdings("HYPE")).toMatchObject({
      spotQty: "0.5",
      spotNetQty: "0.49965",
      spotOpenCostUsdc: "20.01",
    });
    expect(ledger.positionPnl("p9")).toMatchObject({
      fees: { perp: {}, spot: { HYPE: "0.00035" } },
      openedAtMs: 5,
    });
  });

  it("equals an independent decimal.js FIFO for any sequence of fills", () => {
    const fillArb = fc.record({
      perp: fc.boolean(),
      buy: fc.boolean(),
      pxCents: fc.integer({ min: 3_000, max: 5_000 }),
      lots: fc.integer({ min: 1, max: 300 }),
      feeMicro: fc.integer({ min: -50, max: 5_000 }),
    });
    fc.assert(
      fc.property(
        fc.array(fillArb, { maxLength: 40 }),
        fc.array(fc.integer({ min: -99_999, max: 99_999 }), { maxLength: 5 }),
        (fills, fundings) => {
          const ledger = new TradeLedger();
          const wire = fills.map((f, tid) => ({
            coin: f.perp ? "HYPE" : "@107",
            px: (f.pxCents / 100).toFixed(2),
            sz: (f.lots / 100).toFixed(2),
            side: f.buy ? "B" : "A",
            fee: (f.feeMicro / 1e6).toFixed(6),
            feeToken: !f.perp && f.buy ? "HYPE" : "USDC",
            tid,
          }));
          for (const f of wire) {
            ledger.applyFill(
              fill({
                market: f.coin === "HYPE" ? "perp" : "spot",
                side: f.side === "B" ? "buy" : "sell",
                px: w(f.px),
                size: w(f.sz),
                fee: w(f.fee),
                feeToken: f.feeToken,
              }),
            );
          }
          const funding = fundings.map((micro) => (micro / 1e6).toFixed(6));
          for (const usdc of funding)
            ledger.applyFunding({ coin: "HYPE", usdc: w(usdc), timeMs: 1, positionId: "p1" });
          const oracle = oraclePnl(wire, funding, { perpCoin: "HYPE", spotCoin: "@107" });
          const { total, markets } = ledger.snapshot();
          expect(total).toMatchObject({
            realizedPerpUsdc: oracle.realizedPerpUsdc,
            realizedSpotUsdc: oracle.realizedSpotUsdc,
            fees: oracle.fees,
            fundingUsdc: oracle.fundingUsdc,
            netUsdc: oracle.netUsdc,
          });
          if (wire.length > 0) {
            expect(markets[0]).toMatchObject({
              perpQty: oracle.perpQty,
              spotQty: oracle.spotQty,
              spotNetQty: oracle.spotNetQty,
              spotOpenCostUsdc: oracle.spotOpenCostUsdc,
            });
          }
        },
      ),
      { seed: 20_261_202, numRuns: 300 },
    );
  });
});
