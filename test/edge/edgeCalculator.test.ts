/** The per-market calculator and the emitted record: ids, immutability, recomputation, every input. */

import { describe, expect, it } from "vitest";

import { EdgeCalculator } from "../../hotpath/edge/edgeCalculator.js";
import type { EdgeParams } from "../../hotpath/edge/edgeParams.js";
import { EdgeIdSequence } from "../../hotpath/edge/edgeRecord.js";
import { NO_RISK_CAP } from "../../hotpath/edge/riskCap.js";
import { bboMessage, hypeBooks, l2BookMessage } from "../book/bookMessages.js";

const PARAMS: EdgeParams = {
  clipQty: 200,
  fees: { perpTaker: 45_000, perpMaker: 15_000, spotTaker: 70_000, spotMaker: 40_000 },
  fundingRatePerHour: 0.0000125,
  holdingHours: 8,
  oraclePx: Number.NaN,
  riskCap: { ...NO_RISK_CAP, maxQty: 500 },
};

function calculator(ids = new EdgeIdSequence()): EdgeCalculator {
  const books = hypeBooks();
  books.applyMessage(
    l2BookMessage(
      "HYPE",
      10,
      [
        ["40.12", "1.5"],
        ["40.1", "3"],
      ],
      [["40.13", "2"]],
    ),
    100,
  );
  books.applyMessage(
    l2BookMessage(
      "@107",
      11,
      [["40", "1.5"]],
      [
        ["40.01", "0.5"],
        ["40.02", "5"],
      ],
    ),
    101,
  );
  return new EdgeCalculator(books, PARAMS, ids);
}

describe("EdgeCalculator", () => {
  it("computes both directions into reused scratches", () => {
    const calc = calculator();
    const perpRich = calc.perpRich;
    calc.update();
    expect(calc.perpRich).toBe(perpRich);
    expect(calc.perpRich.status).toBe("ok");
    expect(calc.spotRich.status).toBe("ok");
    expect(calc.perpRich.grossBps).toBeGreaterThan(0);
  });

  it("emits frozen records with strictly increasing ids shared across markets", () => {
    const ids = new EdgeIdSequence();
    const first = calculator(ids);
    const second = calculator(ids);
    const records = [first.emit("perpRich", 1), second.emit("spotRich", 2), first.emit("spotRich", 3)];
    expect(records.map((record) => record.id)).toEqual([1, 2, 3]);
    for (const record of records) {
      expect(Object.isFrozen(record)).toBe(true);
      expect(Object.isFrozen(record.inputs)).toBe(true);
      expect(Object.isFrozen(record.perp)).toBe(true);
    }
  });

  it("records the result, the sizes as exact decimals and every input", () => {
    const record = calculator().emit("perpRich", 55);
    expect(record).toMatchObject({
      coin: "HYPE",
      direction: "perpRich",
      status: "ok",
      recordedAtMs: 55,
      clipLimit: "clip",
      perp: { coin: "HYPE", side: "sell", lots: 199, size: "1.99", notional: "79.829" },
      spot: { coin: "@107", side: "buy", lots: 200, size: "2", notional: "80.035" },
      hedgedSize: "1.99",
      spotDust: "0.0086",
    });
    expect(record.inputs).toMatchObject({
      clipSize: "2",
      fees: { perpTaker: "0.00045", perpMaker: "0.00015", spotTaker: "0.0007", spotMaker: "0.0004" },
      fundingRatePerHour: 0.0000125,
      holdingHours: 8,
      riskCap: { maxQty: 500 },
      perpBook: {
        coin: "HYPE",
        sequence: 1,
        exchangeTimeMs: 10,
        receivedAtMs: 100,
        bestBid: 40.12,
        bestAsk: 40.13,
      },
      spotBook: {
        coin: "@107",
        sequence: 1,
        exchangeTimeMs: 11,
        receivedAtMs: 101,
        bestBid: 40,
        bestAsk: 40.01,
      },
    });
    expect(record.inputs.oraclePx).toBeNaN();
    expect(record.fundingPx).toBe(40.005);
    expect(record.netBps).toBeCloseTo(
      record.grossBps - record.entryFeeBps - record.exitFeeBps - record.exitCrossingBps + record.fundingBps,
      12,
    );
  });

  it("recomputes when the books or the parameters change, and not otherwise", () => {
    const calc = calculator();
    calc.update();
    const before = calc.perpRich.grossBps;
    calc.perpRich.grossBps = Number.NaN; // would survive a skipped update
    calc.update();
    expect(calc.perpRich.grossBps).toBeNaN();
    calc.books.applyMessage(bboMessage("HYPE", 12, ["40.5", "3"], ["40.6", "1"]), 102);
    calc.update();
    expect(calc.perpRich.grossBps).toBeGreaterThan(before);
    calc.setParams({ ...PARAMS, riskCap: { ...NO_RISK_CAP, maxQty: 0 } });
    calc.update();
    expect(calc.perpRich.status).toBe("noSize");
    expect(calc.emit("perpRich", 0).inputs.perpBook.sequence).toBe(2);
  });
});
