/**
 * Ledger invariants over random action sequences: value is conserved exactly (every fee and funding
 * payment accounted for), positions net to zero against the house, holds match resting orders, users
 * never overdraw, and the published books never cross.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Address } from "../../../hotpath/exchange/wire/brands.js";
import { ExchangeCore, type OrderRequest } from "./exchangeCore.js";
import { formatFx, mulFx } from "./fixed.js";
import { snapPrice } from "./grid.js";
import { HYPE_PAIR, HYPE_TOKEN, USDC_TOKEN } from "./markets.js";
import { ALICE, BOB, CAROL, PERP, PERP_COIN, SPOT, SPOT_COIN, START, fx, touch } from "./testkit.js";

const USERS = [ALICE, BOB, CAROL] as const;

type Action =
  | { kind: "step"; dt: number }
  | {
      kind: "order";
      user: number;
      perp: boolean;
      isBuy: boolean;
      offsetTicks: number;
      lots: number;
      tif: "Gtc" | "Ioc" | "Alo";
      reduceOnly: boolean;
    }
  | { kind: "cancel"; user: number; pick: number }
  | { kind: "transfer"; user: number; cents: number; toPerp: boolean }
  | { kind: "leverage"; user: number; leverage: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("step" as const), dt: fc.integer({ min: 50, max: 90_000 }) }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("order" as const),
      user: fc.integer({ min: 0, max: 2 }),
      perp: fc.boolean(),
      isBuy: fc.boolean(),
      offsetTicks: fc.integer({ min: -40, max: 40 }),
      lots: fc.integer({ min: 1, max: 6000 }),
      tif: fc.constantFrom("Gtc" as const, "Ioc" as const, "Alo" as const),
      reduceOnly: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("cancel" as const),
      user: fc.integer({ min: 0, max: 2 }),
      pick: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("transfer" as const),
      user: fc.integer({ min: 0, max: 2 }),
      cents: fc.integer({ min: 1, max: 2_000_000 }),
      toPerp: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("leverage" as const),
      user: fc.integer({ min: 0, max: 2 }),
      leverage: fc.integer({ min: 1, max: 12 }),
    }),
  },
);

function user(index: number): Address {
  return USERS[index] ?? ALICE;
}

function apply(core: ExchangeCore, action: Action): void {
  switch (action.kind) {
    case "step":
      core.step(action.dt);
      return;
    case "order": {
      const market = action.perp ? HYPE_PAIR.perp : HYPE_PAIR.spot;
      const { bid, ask } = touch(core, market.coin);
      const reference = action.isBuy ? ask : bid;
      const px = snapPrice(reference + BigInt(action.offsetTicks) * fx("0.001"), market.grid, "nearest");
      const request: OrderRequest = {
        asset: market.asset,
        isBuy: action.isBuy,
        px: formatFx(px),
        sz: formatFx(BigInt(action.lots) * 1_000_000n),
        tif: action.tif,
        reduceOnly: action.reduceOnly,
      };
      core.placeOrders(user(action.user), [request], core.now());
      return;
    }
    case "cancel": {
      const orders = core.openOrders(user(action.user));
      const order = orders[action.pick % Math.max(1, orders.length)];
      if (order === undefined) return;
      const asset = order.coin === PERP_COIN ? PERP : SPOT;
      core.cancel(user(action.user), [{ asset, oid: order.oid }], core.now());
      return;
    }
    case "transfer":
      core.usdClassTransfer(user(action.user), formatFx(BigInt(action.cents) * 1_000_000n), action.toPerp);
      return;
    case "leverage":
      core.updateLeverage(user(action.user), PERP, action.leverage);
      return;
  }
}

function checkInvariants(core: ExchangeCore): void {
  const marks = core.markSource();
  for (const line of core.ledger.conservation(marks)) {
    expect({ token: line.token, residual: line.residual }).toEqual({ token: line.token, residual: 0n });
    expect(line.fees >= 0n).toBe(true);
    expect(line.fundingPool >= 0n).toBe(true);
  }
  expect(core.ledger.netPosition(PERP)).toBe(0n);
  for (const address of USERS) {
    const reserved = new Map<number, bigint>([
      [USDC_TOKEN.index, 0n],
      [HYPE_TOKEN.index, 0n],
    ]);
    for (const order of core.openOrders(address)) {
      if (order.coin !== SPOT_COIN) continue;
      const token = order.side === "B" ? USDC_TOKEN.index : HYPE_TOKEN.index;
      const amount = order.side === "B" ? mulFx(fx(order.limitPx), fx(order.sz), "ceil") : fx(order.sz);
      reserved.set(token, (reserved.get(token) ?? 0n) + amount);
    }
    const unified = core.userAbstraction(address) === "unifiedAccount";
    for (const [token, amount] of reserved) {
      const balance = core.ledger.spotBalance(address, token);
      expect(balance.hold).toBe(amount);
      if (!unified || token !== USDC_TOKEN.index) expect(balance.total >= balance.hold).toBe(true);
    }
  }
  for (const coin of [PERP_COIN, SPOT_COIN]) {
    const [bids, asks] = core.l2Book(coin)!.levels;
    if (bids[0] !== undefined && asks[0] !== undefined) expect(fx(bids[0].px) < fx(asks[0].px)).toBe(true);
  }
}

describe("ledger invariants", () => {
  it("conserve value exactly over random order sequences", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.array(actionArb, { minLength: 20, maxLength: 120 }),
        (seed, actions) => {
          const core = new ExchangeCore({ seed, startTimeMs: START, fundingAcceleration: 120 });
          core.fund(ALICE, { USDC: "20000", HYPE: "200" });
          core.fund(ALICE, { USDC: "5000" }, { toPerp: true });
          core.fund(BOB, { USDC: "20000" }, { toPerp: true });
          core.fund(CAROL, { USDC: "30000", HYPE: "50" });
          expect(core.setUserAbstraction(CAROL, "unifiedAccount")).toEqual({ ok: true });
          checkInvariants(core);
          for (const action of actions) {
            apply(core, action);
            checkInvariants(core);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
