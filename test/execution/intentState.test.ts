/**
 * The intent/order state machine, case by case: the happy path, a rejected leg completed by a hedge or
 * unwound, partial fills, lost responses resolved by probes (never by a resend), idempotent fills, and the
 * transitions it must refuse.
 */

import { describe, expect, it } from "vitest";

import type { Intent } from "../../hotpath/execution/intent.js";
import {
  classifyOrderStatus,
  fillsComplete,
  filledSize,
  hasUnknownOutcome,
  IllegalTransition,
  initialIntentState,
  type IntentEvent,
  type IntentState,
  isIllegal,
  netFilled,
  type OrderEvent,
  type OrderState,
  probedEvent,
  transition,
  transitionOrder,
  unknownOrders,
} from "../../hotpath/execution/intentState.js";
import type { OrderStatusResponse } from "../../hotpath/exchange/wire/info.js";
import {
  cloid,
  d,
  fill,
  filled,
  followUpIntent,
  leg,
  LIFETIME_MS,
  openIntent,
  sent,
  SPOT_ASSET,
  T0,
} from "./intentState.fixtures.js";

/** Applies events, failing the test on an illegal one. */
function apply(state: IntentState, ...events: IntentEvent[]): IntentState {
  let current = state;
  for (const event of events) {
    const next = transition(current, event);
    if (isIllegal(next)) throw new Error(next.message);
    current = next;
  }
  return current;
}

function on(intent: Intent, legIndex: number, event: OrderEvent): IntentEvent {
  const target = intent.legs[legIndex];
  if (target === undefined) throw new Error(`no leg ${legIndex}`);
  return { type: "order", cloid: target.cloid, event };
}

function orderOf(state: IntentState, index: number): OrderState {
  const order = state.orders[index];
  if (order === undefined) throw new Error(`no order ${index}`);
  return order;
}

const PERP_OID = 1000;
const SPOT_OID = 2000;

describe("root intent", () => {
  it("intended → sent → hedged when both IOC legs fill, with fills, fees and net quantities exact", () => {
    const intent = openIntent(1);
    let state = initialIntentState(intent);
    expect(state.status).toBe("intended");
    state = apply(state, on(intent, 0, sent()), on(intent, 1, sent()));
    expect(state.status).toBe("sent");
    state = apply(
      state,
      on(intent, 0, filled("0.49", { oid: PERP_OID, avgPx: "24.5" })),
      on(intent, 1, filled("0.5", { oid: SPOT_OID, avgPx: "24.55" })),
    );
    expect(state.status).toBe("hedged");
    expect(fillsComplete(state)).toBe(false); // the fills themselves have not arrived yet
    state = apply(
      state,
      on(intent, 0, fill(11, "0.29", { oid: PERP_OID, px: "24.51", fee: "0.0031" })),
      on(intent, 0, fill(12, "0.2", { oid: PERP_OID, px: "24.49", fee: "0.0022" })),
      on(intent, 1, fill(21, "0.5", { oid: SPOT_OID, px: "24.55", fee: "0.00035", feeToken: "HYPE" })),
    );
    expect(state.status).toBe("hedged");
    expect(fillsComplete(state)).toBe(true);
    const perp = orderOf(state, 0);
    expect(perp.fills.executedSize).toBe("0.49");
    expect(perp.fills.executedNotional).toBe("12.0059"); // 0.29 × 24.51 + 0.2 × 24.49, exact
    expect(perp.fills.fees).toEqual([{ token: "USDC", amount: "0.0053" }]);
    expect(orderOf(state, 1).fills.fees).toEqual([{ token: "HYPE", amount: "0.00035" }]);
    expect(netFilled(state)).toEqual({ perp: "-0.49", spot: "0.5" });
    state = apply(state, { type: "closed", atMs: T0 + 60_000 });
    expect(state).toMatchObject({ status: "closed", outcome: "hedged", closedAtMs: T0 + 60_000 });
  });

  it("counts the same trade id once, returning the very same state", () => {
    const intent = openIntent(1);
    const state = apply(initialIntentState(intent), on(intent, 0, sent()), on(intent, 0, fill(7, "0.2")));
    const again = transition(state, on(intent, 0, fill(7, "0.2")));
    expect(again).toBe(state);
    expect(filledSize(orderOf(state, 0))).toBe("0.2");
  });

  it("takes cumulative reports as maxima: an older, smaller report changes nothing", () => {
    const intent = openIntent(1);
    let state = apply(
      initialIntentState(intent),
      on(intent, 0, sent()),
      on(intent, 0, { type: "resting", oid: PERP_OID }),
      on(intent, 0, { type: "partiallyFilled", oid: PERP_OID, totalSize: d("0.3") }),
    );
    expect(orderOf(state, 0)).toMatchObject({ status: "partial", live: true });
    const stale = transition(
      state,
      on(intent, 0, { type: "partiallyFilled", oid: PERP_OID, totalSize: d("0.1") }),
    );
    expect(stale).toBe(state);
    state = apply(state, on(intent, 0, fill(1, "0.1", { oid: PERP_OID })));
    expect(filledSize(orderOf(state, 0))).toBe("0.3"); // the report still bounds it from below
  });

  it("reads the exchange's non-canonical decimals exactly ('0.490' is the whole of 0.49)", () => {
    const intent = openIntent(1);
    const state = apply(
      initialIntentState(intent),
      on(intent, 0, sent()),
      on(intent, 0, { type: "partiallyFilled", oid: PERP_OID, totalSize: d("0.200") }),
      on(intent, 0, filled("0.490", { oid: PERP_OID, avgPx: "24.50" })),
    );
    expect(orderOf(state, 0)).toMatchObject({ status: "filled" });
    expect(orderOf(state, 0).fills).toMatchObject({
      reportedSize: "0.49",
      finalSize: "0.49",
      reportedAvgPx: "24.5",
    });
    expect(transition(state, on(intent, 0, filled("0.49", { oid: PERP_OID })))).toBe(state);
  });

  it("refuses a fill that would take the order above its size", () => {
    const intent = openIntent(1);
    const state = apply(initialIntentState(intent), on(intent, 0, sent()), on(intent, 0, fill(1, "0.4")));
    const over = transition(state, on(intent, 0, fill(2, "0.1")));
    expect(over).toBeInstanceOf(IllegalTransition);
    expect((over as IllegalTransition).message).toMatch(/0\.5, above the order's 0\.49/);
    expect((over as IllegalTransition).cloid).toBe(intent.legs[0]?.cloid);
  });

  it("refuses fills beyond the final size the exchange reported", () => {
    const intent = openIntent(1);
    const state = apply(initialIntentState(intent), on(intent, 0, sent()), on(intent, 0, filled("0.3")));
    expect(orderOf(state, 0)).toMatchObject({ status: "partial", live: false });
    const ok = apply(state, on(intent, 0, fill(1, "0.3")));
    expect(orderOf(ok, 0).fills.executedSize).toBe("0.3");
    expect(transition(ok, on(intent, 0, fill(2, "0.01")))).toBeInstanceOf(IllegalTransition);
    expect(transition(state, on(intent, 0, filled("0.2")))).toBeInstanceOf(IllegalTransition);
  });

  it("is rejected when neither leg fills; a rejected order is terminal", () => {
    const intent = openIntent(1);
    const error = "Order could not immediately match against any resting orders. asset=159";
    const state = apply(
      initialIntentState(intent),
      on(intent, 0, sent()),
      on(intent, 1, sent()),
      on(intent, 0, { type: "rejected", error }),
      on(intent, 1, { type: "cancelled", totalSize: d("0"), reason: "iocCancelRejected" }),
    );
    expect(state.status).toBe("rejected");
    expect(orderOf(state, 0)).toMatchObject({ status: "rejected", reason: "exchange", error });
    expect(orderOf(state, 1)).toMatchObject({
      status: "rejected",
      reason: "cancelled",
      error: "iocCancelRejected",
    });
    const rejected = orderOf(state, 0);
    expect(transitionOrder(rejected, fill(1, "0.1"))).toBeInstanceOf(IllegalTransition);
    expect(transitionOrder(rejected, { type: "resting", oid: 1 })).toBeInstanceOf(IllegalTransition);
    expect(transitionOrder(rejected, sent())).toBeInstanceOf(IllegalTransition);
    expect(transitionOrder(rejected, { type: "rejected", error: "again" })).toBe(rejected);
    expect(transitionOrder(rejected, { type: "outcomeUnknown", reason: "timeout", atMs: T0 })).toBe(rejected);
    expect(apply(state, { type: "closed", atMs: T0 + 1 })).toMatchObject({
      status: "closed",
      outcome: "rejected",
    });
  });

  it("never resends: sent is legal only once, and not out of unknown", () => {
    const intent = openIntent(1);
    const state = apply(initialIntentState(intent), on(intent, 0, sent()));
    const twice = transition(state, on(intent, 0, sent()));
    expect(twice).toBeInstanceOf(IllegalTransition);
    expect((twice as IllegalTransition).reason).toMatch(/probe, never resend/);
    const lost = apply(state, on(intent, 0, { type: "outcomeUnknown", reason: "timeout", atMs: T0 + 500 }));
    expect(transition(lost, on(intent, 0, sent()))).toBeInstanceOf(IllegalTransition);
  });

  it("records that nothing left when the send failed before any byte went out", () => {
    const intent = openIntent(1);
    const state = apply(
      initialIntentState(intent),
      on(intent, 0, { type: "notSent", reason: "socket closed before write" }),
      on(intent, 1, { type: "notSent", reason: "socket closed before write" }),
    );
    expect(state.status).toBe("rejected");
    expect(orderOf(state, 0)).toMatchObject({ status: "rejected", reason: "notSent" });
    const sentState = apply(initialIntentState(intent), on(intent, 0, sent()));
    expect(transition(sentState, on(intent, 0, { type: "notSent", reason: "x" }))).toBeInstanceOf(
      IllegalTransition,
    );
  });

  it("refuses an oid that contradicts the one already known", () => {
    const intent = openIntent(1);
    const state = apply(
      initialIntentState(intent),
      on(intent, 0, sent()),
      on(intent, 0, { type: "acked", oid: 5 }),
    );
    expect(transition(state, on(intent, 0, fill(1, "0.1", { oid: 6 })))).toBeInstanceOf(IllegalTransition);
    expect(orderOf(apply(state, on(intent, 0, fill(1, "0.1", { oid: 5 }))), 0).status).toBe("partial");
  });

  it("is acked while a resting leg is live, sent while any leg awaits its response", () => {
    const intent = { ...openIntent(1), legs: openIntent(1).legs.map((l) => ({ ...l, tif: "Gtc" as const })) };
    let state = apply(initialIntentState(intent), on(intent, 0, sent()), on(intent, 1, sent()));
    state = apply(state, on(intent, 0, { type: "resting", oid: PERP_OID }));
    expect(state.status).toBe("sent");
    state = apply(state, on(intent, 1, { type: "resting", oid: SPOT_OID }));
    expect(state.status).toBe("acked");
    expect(orderOf(state, 1)).toMatchObject({ status: "acked", resting: true, oid: SPOT_OID });
  });
});

describe("one leg filled, the other not", () => {
  it("needs a hedge, and is hedged when the hedge fills by the cumulative quantity", () => {
    const root = openIntent(1);
    let state = apply(
      initialIntentState(root),
      on(root, 0, sent()),
      on(root, 1, sent()),
      on(root, 0, filled("0.49", { oid: PERP_OID })),
      on(root, 1, { type: "rejected", error: "Insufficient spot balance asset=10107" }),
    );
    expect(state).toMatchObject({ status: "needsHedge", followUpInFlight: false });
    expect(netFilled(state)).toEqual({ perp: "-0.49", spot: "0" });

    const hedge = followUpIntent(root, 2, "hedge", [
      leg({
        cloid: cloid(901),
        market: "spot",
        asset: SPOT_ASSET,
        side: "buy",
        limitPx: d("24.7"),
        size: d("0.5"),
      }),
    ]);
    state = apply(state, { type: "followUp", intent: hedge });
    expect(state).toMatchObject({ status: "needsHedge", followUpInFlight: true });
    expect(state.orders).toHaveLength(3);
    state = apply(state, on(hedge, 0, sent()), on(hedge, 0, filled("0.5", { oid: 3000 })));
    expect(state.status).toBe("hedged");
    expect(netFilled(state)).toEqual({ perp: "-0.49", spot: "0.5" });
  });

  it("is unwound when the hedge fails and the filled leg is bought back", () => {
    const root = openIntent(1);
    let state = apply(
      initialIntentState(root),
      on(root, 0, sent()),
      on(root, 1, sent()),
      on(root, 0, filled("0.49", { oid: PERP_OID })),
      on(root, 1, { type: "rejected", error: "Order could not immediately match" }),
    );
    const hedge = followUpIntent(root, 2, "hedge", [
      leg({ cloid: cloid(901), market: "spot", asset: SPOT_ASSET, side: "buy", size: d("0.5") }),
    ]);
    state = apply(
      state,
      { type: "followUp", intent: hedge },
      on(hedge, 0, sent()),
      on(hedge, 0, { type: "rejected", error: "Order could not immediately match" }),
    );
    expect(state).toMatchObject({ status: "needsHedge", followUpInFlight: false });
    const unwind = followUpIntent(root, 3, "unwind", [
      leg({ cloid: cloid(902), side: "buy", size: d("0.49"), reduceOnly: true }),
    ]);
    state = apply(state, { type: "followUp", intent: unwind }, on(unwind, 0, sent()));
    expect(transition(state, { type: "closed", atMs: T0 })).toBeInstanceOf(IllegalTransition);
    state = apply(state, on(unwind, 0, filled("0.49", { oid: 4000 })));
    expect(state.status).toBe("unwound");
    expect(netFilled(state)).toEqual({ perp: "0", spot: "0" });
    expect(apply(state, { type: "closed", atMs: T0 + 1 })).toMatchObject({
      status: "closed",
      outcome: "unwound",
    });
  });

  it("needs a hedge after a partial fill, sized by the cumulative filled quantity", () => {
    const root = openIntent(1);
    const state = apply(
      initialIntentState(root),
      on(root, 0, sent()),
      on(root, 1, sent()),
      on(root, 0, filled("0.49", { oid: PERP_OID })),
      on(root, 1, filled("0.2", { oid: SPOT_OID })),
      on(root, 1, fill(1, "0.12", { oid: SPOT_OID })),
      on(root, 1, fill(2, "0.08", { oid: SPOT_OID })),
    );
    expect(state.status).toBe("needsHedge");
    expect(orderOf(state, 1)).toMatchObject({ status: "partial", live: false });
    expect(netFilled(state)).toEqual({ perp: "-0.49", spot: "0.2" });
    // A second hedge only after the first has finished; the residual can be accepted explicitly.
    const hedge = followUpIntent(root, 2, "hedge", [
      leg({ cloid: cloid(901), market: "spot", asset: SPOT_ASSET, side: "buy", size: d("0.3") }),
    ]);
    const inFlight = apply(state, { type: "followUp", intent: hedge }, on(hedge, 0, sent()));
    const second = followUpIntent(root, 3, "hedge", [
      leg({ cloid: cloid(902), market: "spot", side: "buy" }),
    ]);
    expect(transition(inFlight, { type: "followUp", intent: second })).toBeInstanceOf(IllegalTransition);
    const partly = apply(inFlight, on(hedge, 0, filled("0.29", { oid: 5000 })));
    expect(partly.status).toBe("needsHedge");
    expect(netFilled(partly)).toEqual({ perp: "-0.49", spot: "0.49" });
    const accepted = apply(partly, { type: "residualAccepted", reason: "0.01 spot below one perp lot" });
    expect(accepted).toMatchObject({ status: "hedged", residualAccepted: "0.01 spot below one perp lot" });
  });

  it("refuses follow-ups that do not belong: on a hedged root, to another root, or reusing a cloid", () => {
    const root = openIntent(1);
    const hedged = apply(
      initialIntentState(root),
      on(root, 0, sent()),
      on(root, 1, sent()),
      on(root, 0, filled("0.49")),
      on(root, 1, filled("0.5")),
    );
    const hedge = followUpIntent(root, 2, "hedge", [leg({ cloid: cloid(901) })]);
    expect(transition(hedged, { type: "followUp", intent: hedge })).toBeInstanceOf(IllegalTransition);

    const needs = apply(
      initialIntentState(root),
      on(root, 0, sent()),
      on(root, 1, sent()),
      on(root, 0, filled("0.49")),
      on(root, 1, { type: "rejected", error: "x" }),
    );
    const foreign = { ...hedge, parentIntentId: openIntent(9).intentId };
    expect(transition(needs, { type: "followUp", intent: foreign })).toBeInstanceOf(IllegalTransition);
    const reused = followUpIntent(root, 2, "hedge", [leg({ cloid: root.legs[1]?.cloid ?? cloid(0) })]);
    expect(transition(needs, { type: "followUp", intent: reused })).toBeInstanceOf(IllegalTransition);
    expect(transition(needs, { type: "closed", atMs: T0 })).toBeInstanceOf(IllegalTransition);
  });
});

describe("unknown outcomes: probe, never resend", () => {
  const root = openIntent(1);
  const timedOut = apply(
    initialIntentState(root),
    on(root, 0, sent()),
    on(root, 1, sent()),
    on(root, 0, { type: "outcomeUnknown", reason: "timeout", atMs: T0 + 1000 }),
    on(root, 1, { type: "outcomeUnknown", reason: "lostResponse", atMs: T0 + 1000 }),
  );

  it("blocks new risk while any order's outcome is unknown", () => {
    expect(timedOut.status).toBe("sent");
    expect(hasUnknownOutcome(timedOut)).toBe(true);
    expect(unknownOrders(timedOut).map((order) => order.cloid)).toEqual(root.legs.map((l) => l.cloid));
    expect(hasUnknownOutcome(initialIntentState(root))).toBe(false);
  });

  it("stays unknown through fills until the exchange says how the order ended", () => {
    const state = apply(timedOut, on(root, 0, fill(1, "0.2", { oid: PERP_OID })));
    expect(orderOf(state, 0)).toMatchObject({ status: "unknown", reason: "timeout" });
    expect(filledSize(orderOf(state, 0))).toBe("0.2");
    expect(hasUnknownOutcome(state)).toBe(true);
  });

  it("resolves by probe: found filled, found cancelled after a partial fill", () => {
    const found = (oid: number, status: string, origSz: string, sz: string): OrderEvent =>
      probedEvent(
        {
          status: "order",
          order: {
            order: { oid, origSz: d(origSz), sz: d(sz) } as never,
            status,
            statusTimestamp: T0 + 2,
          },
        },
        T0 + 2000,
      );
    const state = apply(
      timedOut,
      on(root, 0, found(PERP_OID, "filled", "0.49", "0.0")),
      on(root, 1, found(SPOT_OID, "canceled", "0.5", "0.3")),
    );
    expect(orderOf(state, 0)).toMatchObject({ status: "filled", oid: PERP_OID });
    expect(orderOf(state, 1)).toMatchObject({ status: "partial", live: false, oid: SPOT_OID });
    expect(filledSize(orderOf(state, 1))).toBe("0.2");
    expect(hasUnknownOutcome(state)).toBe(false);
    expect(state.status).toBe("needsHedge");
  });

  it("treats 'not found' as conclusive only after the order expired", () => {
    const missing = (atMs: number): OrderEvent => probedEvent({ status: "unknownOid" }, atMs);
    const early = transition(timedOut, on(root, 0, missing(T0 + LIFETIME_MS)));
    expect(early).toBe(timedOut); // may still be on its way
    const state = apply(
      timedOut,
      on(root, 0, missing(T0 + LIFETIME_MS + 1)),
      on(root, 1, missing(T0 + LIFETIME_MS + 1)),
    );
    expect(orderOf(state, 0)).toMatchObject({ status: "rejected", reason: "notFound" });
    expect(state.status).toBe("rejected");
    expect(hasUnknownOutcome(state)).toBe(false);
  });

  it("refuses a probe that contradicts what is known", () => {
    const withFill = apply(timedOut, on(root, 0, fill(1, "0.2", { oid: PERP_OID })));
    const missing = probedEvent({ status: "unknownOid" }, T0 + LIFETIME_MS + 1);
    expect(transition(withFill, on(root, 0, missing))).toBeInstanceOf(IllegalTransition);
    const otherSize = probedEvent(
      {
        status: "order",
        order: { order: { oid: 9, origSz: d("7"), sz: d("7") } as never, status: "open", statusTimestamp: 1 },
      },
      T0,
    );
    expect(transition(timedOut, on(root, 0, otherSize))).toBeInstanceOf(IllegalTransition);
    const strange = probedEvent(
      {
        status: "order",
        order: {
          order: { oid: 9, origSz: d("0.49"), sz: d("0.49") } as never,
          status: "somethingNew",
          statusTimestamp: 1,
        },
      },
      T0,
    );
    const refused = transition(timedOut, on(root, 0, strange));
    expect(refused).toBeInstanceOf(IllegalTransition);
    expect((refused as IllegalTransition).message).toMatch(/somethingNew/);
  });

  it("ignores a late timeout once the outcome is known, and marks intended orders unknown only on restart", () => {
    const done = apply(initialIntentState(root), on(root, 0, sent()), on(root, 0, filled("0.49")));
    expect(transition(done, on(root, 0, { type: "outcomeUnknown", reason: "timeout", atMs: T0 }))).toBe(done);
    const fresh = initialIntentState(root);
    expect(
      transition(fresh, on(root, 0, { type: "outcomeUnknown", reason: "timeout", atMs: T0 })),
    ).toBeInstanceOf(IllegalTransition);
    const restarted = apply(fresh, on(root, 0, { type: "outcomeUnknown", reason: "restart", atMs: T0 }));
    expect(orderOf(restarted, 0)).toMatchObject({ status: "unknown", reason: "restart" });
  });
});

describe("probedEvent / classifyOrderStatus", () => {
  it("maps the exchange's open-ended statuses", () => {
    expect(classifyOrderStatus("open")).toBe("live");
    expect(classifyOrderStatus("triggered")).toBe("live");
    expect(classifyOrderStatus("filled")).toBe("filled");
    expect(classifyOrderStatus("canceled")).toBe("cancelled");
    expect(classifyOrderStatus("marginCanceled")).toBe("cancelled");
    expect(classifyOrderStatus("scheduledCancel")).toBe("cancelled");
    expect(classifyOrderStatus("iocCancelRejected")).toBe("rejected");
    expect(classifyOrderStatus("perpMarginRejected")).toBe("rejected");
    expect(classifyOrderStatus("brandNew")).toBe("unrecognised");
  });

  it("computes the cumulative size from origSz and the remaining sz, exactly", () => {
    const response: OrderStatusResponse = {
      status: "order",
      order: {
        order: { oid: 77, origSz: d("0.50"), sz: d("0.17") } as never,
        status: "open",
        statusTimestamp: T0,
      },
    };
    expect(probedEvent(response, T0 + 5)).toEqual({
      type: "probed",
      atMs: T0 + 5,
      result: { found: true, oid: 77, status: "open", outcome: "live", origSize: "0.5", totalSize: "0.33" },
    });
  });
});
