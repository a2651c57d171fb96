/**
 * The pure planner: worked examples, and properties over random accounts and policies checked against an
 * independent decimal.js oracle — USDC only, never below the positions' need, never more than the exchange
 * lets move, amounts on the cent grid, and no flapping (the state a transfer leaves is not moved back).
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { asWireDecimal, type WireDecimal } from "../../hotpath/exchange/wire/brands.js";
import {
  type RebalanceInputs,
  type RebalancePolicy,
  RebalancePolicyError,
  plan,
} from "../../lambdas/rebalancer/plan.js";
import { Big as Decimal, PROPERTY_RUNS } from "../exchange/decimal/oracles.js";

const d = (text: string): WireDecimal => asWireDecimal(text);

const POLICY: RebalancePolicy = {
  marginRatio: d("0.5"),
  clipNotionalUsdc: d("100"),
  clipsAhead: 2,
  bandUsdc: d("50"),
  minTransferUsdc: d("10"),
};

function account(
  perp: { accountValue: string; withdrawable?: string; totalMarginUsed?: string; positions?: string[] },
  spot: { usdc: string; usdcHold?: string; hype?: string },
  accountMode: RebalanceInputs["accountMode"] = "disabled",
): RebalanceInputs {
  const positions = (perp.positions ?? []).map((value) => ({
    coin: "HYPE",
    szi: d(`-${new Decimal(value).div(40).toFixed()}`),
    positionValue: d(value),
    marginUsed: d(new Decimal(value).div(10).toFixed()),
  }));
  const ntl = (perp.positions ?? []).reduce((sum, value) => sum.plus(value), new Decimal(0));
  return {
    accountMode,
    perp: {
      accountValue: d(perp.accountValue),
      totalMarginUsed: d(perp.totalMarginUsed ?? ntl.div(10).toFixed()),
      totalNtlPos: d(ntl.toFixed()),
      withdrawable: d(perp.withdrawable ?? perp.accountValue),
      positions,
    },
    spot: [
      { coin: "USDC", total: d(spot.usdc), hold: d(spot.usdcHold ?? "0") },
      { coin: "HYPE", total: d(spot.hype ?? "0"), hold: d("0") },
    ],
  };
}

describe("plan: worked examples", () => {
  it("all on spot: moves the perp share to perp, on the cent grid, rounded down", () => {
    const result = plan(account({ accountValue: "0" }, { usdc: "5000" }), POLICY);
    expect(result).toMatchObject({
      action: "transfer",
      toPerp: true,
      amountUsdc: "1666.66",
      reason: "restorePerp",
      target: {
        perpUsdc: "1666.6651",
        spotUsdc: "3333.3349",
        positionsNeedUsdc: "0",
        perpNeedUsdc: "100",
        spotNeedUsdc: "200",
      },
      bands: { perpLowUsdc: "1616.6651", perpHighUsdc: "1716.6651" },
    });
  });

  it("inside the band: nothing", () => {
    const result = plan(account({ accountValue: "1700" }, { usdc: "3300" }), POLICY);
    expect(result).toMatchObject({ action: "none", amountUsdc: "0", toPerp: null, reason: "withinBands" });
  });

  it("too much on perp: the excess goes to spot, capped by withdrawable", () => {
    const free = plan(account({ accountValue: "5000" }, { usdc: "0" }), POLICY);
    expect(free).toMatchObject({ action: "transfer", toPerp: false, amountUsdc: "3333.33" });
    const capped = plan(account({ accountValue: "5000", withdrawable: "1000.005" }, { usdc: "0" }), POLICY);
    expect(capped).toMatchObject({ action: "transfer", toPerp: false, amountUsdc: "1000" });
  });

  it("open positions: their need at the margin ratio (or the exchange's margin used, if higher) stays", () => {
    // 3000 of shorts at 0.5 → 1500 needed, perp need 1600, spot need 200; the rest of the 2000 (200)
    // splits 1 : 2 → perp target 1666.6666; 2000 is above its band, the excess goes to spot.
    const short = plan(account({ accountValue: "2000", positions: ["3000"] }, { usdc: "0" }), POLICY);
    expect(short.target).toMatchObject({ positionsNeedUsdc: "1500", perpUsdc: "1666.6666" });
    expect(short).toMatchObject({ action: "transfer", toPerp: false, amountUsdc: "333.33" });

    const marginHeavy = plan(
      account({ accountValue: "2000", positions: ["3000"], totalMarginUsed: "1900" }, { usdc: "0" }),
      POLICY,
    );
    expect(marginHeavy.target?.positionsNeedUsdc).toBe("1900");
  });

  it("an under-collateralised hedge is topped up whatever the band", () => {
    const wide = { ...POLICY, bandUsdc: d("100000") };
    const result = plan(account({ accountValue: "1000", positions: ["3000"] }, { usdc: "2000" }), wide);
    expect(result).toMatchObject({ action: "transfer", toPerp: true, reason: "restorePerp" });
    expect(result.bands?.perpLowUsdc).toBe("1500");
    expect(new Decimal(result.amountUsdc).gte(500)).toBe(true);
  });

  it("capital below even the positions' need: every free spot USDC goes to perp", () => {
    const result = plan(
      account({ accountValue: "1000", positions: ["4000"] }, { usdc: "300", usdcHold: "100" }),
      POLICY,
    );
    expect(result).toMatchObject({ action: "transfer", toPerp: true, amountUsdc: "200" });
    expect(result.target).toMatchObject({ perpUsdc: "1200", spotUsdc: "0" });
  });

  it("below the minimum transfer: nothing", () => {
    const result = plan(account({ accountValue: "0" }, { usdc: "25" }), { ...POLICY, bandUsdc: d("1") });
    expect(result).toMatchObject({ action: "none", reason: "belowMinimumTransfer" });
  });

  it("unified and portfolio-margin accounts: no transfer, the budget instead", () => {
    for (const mode of ["unifiedAccount", "portfolioMargin"] as const) {
      const result = plan(
        account({ accountValue: "0", positions: ["1000"] }, { usdc: "5000", usdcHold: "200" }, mode),
        POLICY,
      );
      expect(result).toMatchObject({
        action: "none",
        reason: "sharedCollateral",
        target: null,
        bands: null,
        budget: { collateralUsdc: "5000", heldUsdc: "200", freeUsdc: "4800", positionsNeedUsdc: "500" },
      });
    }
  });

  it("refuses a nonsensical policy", () => {
    const inputs = account({ accountValue: "0" }, { usdc: "100" });
    expect(() => plan(inputs, { ...POLICY, marginRatio: d("0") })).toThrow(RebalancePolicyError);
    expect(() => plan(inputs, { ...POLICY, minTransferUsdc: d("0") })).toThrow(RebalancePolicyError);
    expect(() => plan(inputs, { ...POLICY, restToPerpShare: d("1.5") })).toThrow(RebalancePolicyError);
    expect(() => plan(inputs, { ...POLICY, clipsAhead: -1 })).toThrow(RebalancePolicyError);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Properties

const cents = (max: number) => fc.integer({ min: 0, max }).map((n) => new Decimal(n).div(100).toFixed());

const scenario = fc
  .record({
    accountValue: cents(2_000_000),
    withdrawableShare: fc.integer({ min: 0, max: 100 }),
    positions: fc.array(cents(3_000_000), { maxLength: 3 }),
    spotUsdc: cents(2_000_000),
    holdShare: fc.integer({ min: 0, max: 100 }),
    hype: cents(100_000),
    marginRatio: fc.integer({ min: 5, max: 200 }).map((n) => new Decimal(n).div(100).toFixed()),
    clipNotional: cents(100_000),
    clipsAhead: fc.integer({ min: 0, max: 5 }),
    restShare: fc.option(fc.integer({ min: 0, max: 100 }).map((n) => new Decimal(n).div(100).toFixed())),
    band: cents(50_000),
    minTransfer: fc.integer({ min: 1, max: 5_000 }).map((n) => new Decimal(n).div(100).toFixed()),
  })
  .map((s) => {
    const inputs = account(
      {
        accountValue: s.accountValue,
        withdrawable: new Decimal(s.accountValue)
          .mul(s.withdrawableShare)
          .div(100)
          .toDecimalPlaces(6, Decimal.ROUND_DOWN)
          .toFixed(),
        positions: s.positions,
      },
      {
        usdc: s.spotUsdc,
        usdcHold: new Decimal(s.spotUsdc)
          .mul(s.holdShare)
          .div(100)
          .toDecimalPlaces(2, Decimal.ROUND_DOWN)
          .toFixed(),
        hype: s.hype,
      },
    );
    const policy: RebalancePolicy = {
      marginRatio: d(s.marginRatio),
      clipNotionalUsdc: d(s.clipNotional),
      clipsAhead: s.clipsAhead,
      restToPerpShare: s.restShare === null ? undefined : d(s.restShare),
      bandUsdc: d(s.band),
      minTransferUsdc: d(s.minTransfer),
    };
    return { inputs, policy };
  });

/** The oracle: what the open positions need, from decimal.js. */
function positionsNeed(inputs: RebalanceInputs, policy: RebalancePolicy): Decimal {
  const notional = inputs.perp.positions.reduce(
    (sum, p) => sum.plus(new Decimal(p.positionValue).abs()),
    new Decimal(0),
  );
  return Decimal.max(notional.mul(policy.marginRatio), inputs.perp.totalMarginUsed);
}

function spotFree(inputs: RebalanceInputs): Decimal {
  const usdc = inputs.spot.find((b) => b.coin === "USDC")!;
  return Decimal.max(new Decimal(usdc.total).minus(usdc.hold), 0);
}

/** The account after the plan's transfer, as the exchange would book it. */
function applied(inputs: RebalanceInputs, amount: string, toPerp: boolean): RebalanceInputs {
  const signed = toPerp ? new Decimal(amount) : new Decimal(amount).neg();
  const usdc = inputs.spot.find((b) => b.coin === "USDC")!;
  const need = inputs.perp.totalMarginUsed;
  const accountValue = new Decimal(inputs.perp.accountValue).plus(signed);
  return {
    ...inputs,
    perp: {
      ...inputs.perp,
      accountValue: d(accountValue.toFixed()),
      withdrawable: d(Decimal.max(accountValue.minus(need), 0).toFixed()),
    },
    spot: inputs.spot.map((b) =>
      b === usdc ? { ...b, total: d(new Decimal(b.total).minus(signed).toFixed()) } : b,
    ),
  };
}

describe("plan: properties", () => {
  it("moves USDC only within what may move, never below the positions' need, on the cent grid", () => {
    fc.assert(
      fc.property(scenario, ({ inputs, policy }) => {
        const result = plan(inputs, policy);
        const amount = new Decimal(result.amountUsdc);
        expect(amount.decimalPlaces()).toBeLessThanOrEqual(2);
        if (result.action === "none") {
          expect(amount.isZero()).toBe(true);
          return;
        }
        expect(amount.gte(policy.minTransferUsdc)).toBe(true);
        if (result.toPerp === true) {
          expect(amount.lte(spotFree(inputs))).toBe(true);
        } else {
          expect(amount.lte(inputs.perp.withdrawable)).toBe(true);
          const left = new Decimal(inputs.perp.accountValue).minus(amount);
          expect(left.gte(positionsNeed(inputs, policy))).toBe(true);
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it("never flaps: the account a transfer leaves is never moved back the other way", () => {
    fc.assert(
      fc.property(scenario, ({ inputs, policy }) => {
        const first = plan(inputs, policy);
        if (first.action !== "transfer" || first.toPerp === null) return;
        const second = plan(applied(inputs, first.amountUsdc, first.toPerp), policy);
        if (second.action === "transfer") expect(second.toPerp).toBe(first.toPerp);
      }),
      PROPERTY_RUNS,
    );
  });

  it("HYPE does not count: the plan is the same whatever HYPE the account holds", () => {
    fc.assert(
      fc.property(scenario, cents(1_000_000), ({ inputs, policy }, hype) => {
        const other = {
          ...inputs,
          spot: inputs.spot.map((b) => (b.coin === "HYPE" ? { ...b, total: d(hype), hold: d(hype) } : b)),
        };
        expect(plan(other, policy)).toEqual(plan(inputs, policy));
      }),
      { ...PROPERTY_RUNS, numRuns: 500 },
    );
  });
});
