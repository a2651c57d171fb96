/**
 * Properties of the state machine under arbitrary event sequences (fast-check): the filled quantity never
 * exceeds the order's size and never goes down, a fill applied twice changes nothing, fills are counted once
 * per trade id, every reachable state is one of the documented ones, rejected is terminal, and an intent's
 * derived status agrees with its orders.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { compare, parseDecimal } from "../../hotpath/exchange/decimal/decimal.js";
import type { Intent } from "../../hotpath/execution/intent.js";
import {
  filledSize,
  hasUnknownOutcome,
  INTENT_STATUSES,
  type IntentEvent,
  type IntentState,
  initialIntentState,
  intendedOrders,
  isFinal,
  isIllegal,
  ORDER_STATUSES,
  type OrderEvent,
  type OrderState,
  transition,
  transitionOrder,
} from "../../hotpath/execution/intentState.js";
import {
  cloid,
  d,
  followUpIntent,
  leg,
  LIFETIME_MS,
  openIntent,
  SPOT_ASSET,
  T0,
} from "./intentState.fixtures.js";

const SIZES = ["0.01", "0.1", "0.2", "0.25", "0.29", "0.49", "0.5"] as const;
const OIDS = [1000, 1001] as const;

const sizeArb = fc.constantFrom(...SIZES);
const totalArb = fc.constantFrom("0", ...SIZES);

function orderEventArb(orderSize: string): fc.Arbitrary<OrderEvent> {
  return fc.oneof(
    fc.constant<OrderEvent>({ type: "sent", atMs: T0 + 1 }),
    fc.constant<OrderEvent>({ type: "notSent", reason: "write failed" }),
    fc.record({ type: fc.constantFrom("acked" as const, "resting" as const), oid: fc.constantFrom(...OIDS) }),
    fc.record({
      type: fc.constant("fill" as const),
      tid: fc.integer({ min: 1, max: 6 }),
      oid: fc.constantFrom(...OIDS),
      px: fc.constantFrom(d("24.5"), d("24.51")),
      size: sizeArb.map(d),
      fee: fc.constantFrom(d("0.001"), d("-0.0002")),
      feeToken: fc.constantFrom("USDC", "HYPE"),
      timeMs: fc.integer({ min: T0, max: T0 + 100 }),
    }),
    fc.record({
      type: fc.constant("filled" as const),
      oid: fc.constantFrom(...OIDS),
      totalSize: fc.constantFrom(orderSize, ...SIZES).map(d),
      avgPx: fc.constant(d("24.5")),
    }),
    fc.record({
      type: fc.constant("partiallyFilled" as const),
      oid: fc.constantFrom(...OIDS),
      totalSize: sizeArb.map(d),
    }),
    fc.constant<OrderEvent>({ type: "rejected", error: "Order could not immediately match" }),
    fc.record({
      type: fc.constant("cancelled" as const),
      totalSize: totalArb.map(d),
      reason: fc.constant("canceled"),
    }),
    fc.record({
      type: fc.constant("outcomeUnknown" as const),
      reason: fc.constantFrom("timeout" as const, "lostResponse" as const, "restart" as const),
      atMs: fc.constant(T0 + 1000),
    }),
    fc.record({
      type: fc.constant("probed" as const),
      atMs: fc.constantFrom(T0 + 1, T0 + LIFETIME_MS + 1),
      result: fc.oneof(
        fc.constant({ found: false as const }),
        fc
          .record({
            found: fc.constant(true as const),
            oid: fc.constantFrom(...OIDS),
            status: fc.constantFrom("open", "filled", "canceled", "iocCancelRejected", "novel"),
            origSize: fc.constantFrom(d(orderSize), d("7")),
            totalSize: totalArb.map(d),
          })
          .map((found) => ({ ...found, outcome: outcomeOf(found.status) })),
      ),
    }),
  );
}

function outcomeOf(status: string): "live" | "filled" | "cancelled" | "rejected" | "unrecognised" {
  if (status === "open") return "live";
  if (status === "filled") return "filled";
  if (status === "canceled") return "cancelled";
  if (status === "iocCancelRejected") return "rejected";
  return "unrecognised";
}

function lte(a: string, b: string): boolean {
  return compare(parseDecimal(a), parseDecimal(b)) <= 0;
}

function anOrder(size: string): OrderState {
  const intent = openIntent(1);
  const perp = intent.legs[0];
  if (perp === undefined) throw new Error("no leg");
  const [order] = intendedOrders({ ...intent, legs: [{ ...perp, size: d(size) }, ...intent.legs.slice(1)] });
  if (order === undefined) throw new Error("no order");
  return order;
}

const orderSizeArb = fc.constantFrom("0.49", "0.5", "1");
const scenarioArb = orderSizeArb.chain((size) =>
  fc.record({ size: fc.constant(size), events: fc.array(orderEventArb(size), { maxLength: 40 }) }),
);

describe("order state machine properties", () => {
  it("filled never exceeds the size nor decreases; fills count once per tid; states stay documented; rejected is terminal", () => {
    fc.assert(
      fc.property(scenarioArb, ({ size, events }) => {
        let order = anOrder(size);
        const appliedFillSizes = new Map<number, string>();
        for (const event of events) {
          const next = transitionOrder(order, event);
          if (isIllegal(next)) continue;
          expect(ORDER_STATUSES).toContain(next.status);
          if (order.status === "rejected") expect(next).toBe(order);
          expect(lte(next.fills.executedSize, size)).toBe(true);
          expect(lte(filledSize(next), size)).toBe(true);
          expect(lte(filledSize(order), filledSize(next))).toBe(true);
          if (isFinal(order)) expect(isFinal(next)).toBe(true);
          if (event.type === "fill" && !appliedFillSizes.has(event.tid) && next !== order) {
            appliedFillSizes.set(event.tid, event.size);
          }
          order = next;
        }
        expect(new Set(order.fills.tids).size).toBe(order.fills.tids.length);
        expect([...order.fills.tids].sort()).toEqual([...appliedFillSizes.keys()].sort());
        const sum = [...appliedFillSizes.values()].reduce((total, s) => total + Number(s) * 100, 0);
        expect(Math.round(Number(order.fills.executedSize) * 100)).toBe(Math.round(sum));
      }),
      { numRuns: 3000 },
    );
  });

  it("applying the same fill twice changes nothing", () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 7, max: 9 }), sizeArb, ({ size, events }, tid, fillSize) => {
        let order = anOrder(size);
        for (const event of events) {
          const next = transitionOrder(order, event);
          if (!isIllegal(next)) order = next;
        }
        const fillEvent: OrderEvent = {
          type: "fill",
          tid,
          oid: order.oid ?? 1000,
          px: d("24.5"),
          size: d(fillSize),
          fee: d("0.001"),
          feeToken: "USDC",
          timeMs: T0,
        };
        const once = transitionOrder(order, fillEvent);
        if (isIllegal(once)) return;
        expect(transitionOrder(once, fillEvent)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });
});

/** An intent-level scenario: order events on a root (two legs), follow-ups, accepted residuals, closes. */
type Step =
  | { readonly kind: "order"; readonly target: number; readonly event: OrderEvent }
  | { readonly kind: "followUp"; readonly action: "hedge" | "unwind"; readonly market: "perp" | "spot" }
  | { readonly kind: "residual" }
  | { readonly kind: "closed" };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("order" as const),
      target: fc.integer({ min: 0, max: 5 }),
      event: orderEventArb("0.5"),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("followUp" as const),
      action: fc.constantFrom("hedge" as const, "unwind" as const),
      market: fc.constantFrom("perp" as const, "spot" as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: "residual" }) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: "closed" }) },
);

describe("intent state machine properties", () => {
  it("reaches only documented states; the status agrees with the orders; closed absorbs", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 60 }), (steps) => {
        const root: Intent = openIntent(1);
        let state: IntentState = initialIntentState(root);
        let sequence = 1;
        for (const step of steps) {
          let event: IntentEvent;
          if (step.kind === "order") {
            const order = state.orders[step.target % state.orders.length];
            if (order === undefined) continue;
            event = { type: "order", cloid: order.cloid, event: step.event };
          } else if (step.kind === "followUp") {
            sequence += 1;
            const followUp = followUpIntent(root, sequence, step.action, [
              leg({
                cloid: cloid(1000 + sequence),
                market: step.market,
                asset: step.market === "spot" ? SPOT_ASSET : 159,
                side: "buy",
                size: d("0.5"),
              }),
            ]);
            event = { type: "followUp", intent: followUp };
          } else if (step.kind === "residual") {
            event = { type: "residualAccepted", reason: "below one lot" };
          } else {
            event = { type: "closed", atMs: T0 + 9 };
          }
          const next = transition(state, event);
          if (isIllegal(next)) continue;
          expect(INTENT_STATUSES).toContain(next.status);
          for (const order of next.orders) expect(ORDER_STATUSES).toContain(order.status);
          if (state.status === "closed") expect(next).toBe(state);
          expect(hasUnknownOutcome(next)).toBe(next.orders.some((order) => order.status === "unknown"));
          const settled = next.orders.every(isFinal);
          if (["hedged", "unwound", "rejected"].includes(next.status)) expect(settled).toBe(true);
          if (next.status === "rejected") {
            expect(next.orders.every((order) => filledSize(order) === "0")).toBe(true);
          }
          if (next.status === "needsHedge") expect(next.followUpInFlight).toBe(!settled);
          state = next;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
