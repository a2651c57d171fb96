/**
 * `TradeEventObserver` (hotpath/execution): which trade events the executor's state changes become, in
 * which order — driven by the real state machine (`intentState.ts` `transition`), every event checked to
 * encode (`tradeMessageOf`) as the shipper will encode it.
 */

import { describe, expect, it } from "vitest";

import type { Cloid, WireDecimal } from "../../hotpath/exchange/wire/brands.js";
import type { UserFill } from "../../hotpath/exchange/wire/info.js";
import type { Intent } from "../../hotpath/execution/intent.js";
import {
  initialIntentState,
  isIllegal,
  transition,
  type IntentState,
  type OrderEvent,
} from "../../hotpath/execution/intentState.js";
import { followUpStatus, TradeEventObserver } from "../../hotpath/execution/tradeEventObserver.js";
import { tradeMessageOf, type TradeEvent } from "../../hotpath/persistence/tradeEventCodec.js";
import { BASE_MS, hedgeIntent, rootIntent } from "./tradeEventFixtures.js";

const NOW = BASE_MS + 1_000;

class CollectingSink {
  readonly events: TradeEvent[] = [];
  ship(event: TradeEvent): boolean {
    tradeMessageOf(event); // throws if the shipper could not encode it
    this.events.push(event);
    return true;
  }
  /** The events since the last call, compactly. */
  take(): string[] {
    return this.events.splice(0).map(summarise);
  }
}

function summarise(event: TradeEvent): string {
  switch (event.kind) {
    case "intent":
      return `intent ${event.intent.action} ${event.status}`;
    case "order":
      return `order ${event.cloid.slice(-3)} ${event.status} ${event.oid ?? "-"}`;
    case "fill":
      return `fill ${event.tid} ${event.market} ${event.side}`;
    default:
      return event.kind;
  }
}

function apply(state: IntentState, cloid: Cloid, event: OrderEvent): IntentState {
  const next = transition(state, { type: "order", cloid, event });
  if (isIllegal(next)) throw new Error(next.message);
  return next;
}

function followUp(state: IntentState, intent: Intent): IntentState {
  const next = transition(state, { type: "followUp", intent });
  if (isIllegal(next)) throw new Error(next.message);
  return next;
}

function userFill(tid: number, oid: number, cloid: Cloid, px: string, sz: string): UserFill {
  return {
    coin: "HYPE",
    px: px as WireDecimal,
    sz: sz as WireDecimal,
    side: "A",
    time: NOW,
    startPosition: "0" as WireDecimal,
    dir: "Open Short",
    closedPnl: "0.0" as WireDecimal,
    hash: "0x00" as UserFill["hash"],
    oid,
    crossed: true,
    fee: "0.0134" as WireDecimal,
    tid,
    feeToken: "USDC",
    cloid,
  };
}

describe("TradeEventObserver", () => {
  it("ships an intent before its orders, every status and oid change once, follow-ups with their own status", () => {
    const sink = new CollectingSink();
    const observer = new TradeEventObserver(sink, () => NOW);
    const root = rootIntent(1);
    const [perp, spot] = root.legs.map((leg) => leg.cloid) as [Cloid, Cloid];

    // Journaled before the bytes leave: nothing is built yet.
    observer.journaled(root, 12.5);
    expect(sink.events).toEqual([]);
    const s0 = initialIntentState(root);
    const s1 = apply(s0, perp, { type: "sent", atMs: NOW });
    observer.changed(s0, s1);
    const first = sink.events[0];
    expect(first).toMatchObject({ kind: "intent", status: "intended", expectedNetBps: 12.5 });
    expect(sink.take()).toEqual(["intent open intended", "order 001 sent -", "intent open sent"]);
    const s2 = apply(s1, spot, { type: "sent", atMs: NOW });
    observer.changed(s1, s2);
    expect(sink.take()).toEqual(["order 002 sent -"]);

    // An order update ends the perp leg (no oid in it); its fill then brings the oid: both are news.
    const s3 = apply(s2, perp, { type: "cancelled", totalSize: "1.5" as WireDecimal, reason: "filled" });
    observer.changed(s2, s3);
    const s4 = apply(s3, perp, {
      type: "fill",
      tid: 5,
      oid: 11,
      px: "30" as WireDecimal,
      size: "1.5" as WireDecimal,
      fee: "0.0134" as WireDecimal,
      feeToken: "USDC",
      timeMs: NOW,
    });
    observer.changed(s3, s4);
    observer.fill(s4, perp, userFill(5, 11, perp, "30", "1.5"));
    observer.fill(s4, perp, userFill(5, 11, perp, "30", "1.5")); // userEvents tells it again
    observer.changed(s4, s4); // nothing changed
    const s5 = apply(s4, spot, { type: "rejected", error: "post only would cross" });
    observer.changed(s4, s5);
    expect(sink.take()).toEqual([
      "order 001 filled -",
      "order 001 filled 11",
      "fill 5 perp sell",
      "order 002 rejected -",
      "intent open needsHedge",
    ]);

    // The hedge: its intent, its order, its own status; the root's once the legs balance.
    const hedge = hedgeIntent(root, 2, 0x101, "1.51");
    const s6 = followUp(s5, hedge);
    observer.journaled(hedge, null);
    const s7 = apply(s6, hedge.legs[0]!.cloid, { type: "sent", atMs: NOW });
    observer.changed(s6, s7);
    expect(followUpStatus(s7, hedge)).toBe("sent");
    const s8 = apply(s7, hedge.legs[0]!.cloid, {
      type: "filled",
      oid: 12,
      totalSize: "1.51" as WireDecimal,
      avgPx: "30.2" as WireDecimal,
    });
    observer.changed(s7, s8);
    expect(sink.take()).toEqual([
      "intent hedge intended",
      "order 101 sent -",
      "intent hedge sent",
      "order 101 filled 12",
      "intent open hedged",
      "intent hedge hedged",
    ]);

    observer.closed([s8], NOW + 5);
    expect(sink.take()).toEqual(["intent open closed", "intent hedge closed"]);
    // After a restart: the open intent, its follow-up, then every order at its status.
    observer.replay(s8);
    expect(sink.take()).toEqual([
      "intent open hedged",
      "intent hedge hedged",
      "order 001 filled 11",
      "order 002 rejected -",
      "order 101 filled 12",
    ]);
  });

  it("ships a fill once per trade id, and again once the id is forgotten (a restart's snapshot)", () => {
    const sink = new CollectingSink();
    const observer = new TradeEventObserver(sink, () => NOW, { rememberedTids: 2 });
    const root = rootIntent(1);
    const state = initialIntentState(root);
    const perp = root.legs[0]!.cloid;
    for (const tid of [1, 2, 1, 2, 3, 1]) observer.fill(state, perp, userFill(tid, 11, perp, "30", "0.5"));
    // 1 and 2 remembered; 3 pushes 1 out, so its repeat is shipped (idempotent downstream).
    expect(sink.take()).toEqual([
      "fill 1 perp sell",
      "fill 2 perp sell",
      "fill 3 perp sell",
      "fill 1 perp sell",
    ]);
  });

  it("derives a follow-up's status from its own orders only", () => {
    const root = rootIntent(1);
    const [perp, spot] = root.legs.map((leg) => leg.cloid) as [Cloid, Cloid];
    let state = apply(initialIntentState(root), perp, { type: "sent", atMs: NOW });
    state = apply(state, spot, { type: "sent", atMs: NOW });
    state = apply(state, perp, {
      type: "filled",
      oid: 1,
      totalSize: "1.5" as WireDecimal,
      avgPx: "30" as WireDecimal,
    });
    state = apply(state, spot, { type: "rejected", error: "no liquidity" });
    const hedge = hedgeIntent(root, 2, 0x101, "1.51");
    state = followUp(state, hedge);
    expect(followUpStatus(state, hedge)).toBe("intended");
    state = apply(state, hedge.legs[0]!.cloid, { type: "sent", atMs: NOW });
    state = apply(state, hedge.legs[0]!.cloid, { type: "rejected", error: "no liquidity" });
    expect(followUpStatus(state, hedge)).toBe("rejected");
    expect(state.status).toBe("needsHedge");
  });
});
