/**
 * From verdict to bytes: the intent a verdict becomes (leg order, cloids, nonces for one or two actions,
 * `expiresAfter`, reduce-only), the signed actions (the signature covers `expiresAfter` and recovers to the
 * agent), and the dispatch — over the socket when it is open, over HTTP (against the real simulator) only
 * when it is not, never both; an HTTP failure is an unknown outcome, not a resend.
 */

import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

import { afterEach, describe, expect, it } from "vitest";

import { loadMarkets } from "../../hotpath/app/marketSetup.js";
import { parseDecimal } from "../../hotpath/exchange/decimal/decimal.js";
import { roundPrice } from "../../hotpath/exchange/decimal/grid.js";
import { ExchangeHttpClient } from "../../hotpath/exchange/http/httpClient.js";
import { createSigner, recoverL1ActionSigner } from "../../hotpath/exchange/signing/index.js";
import type { BasisMarket } from "../../hotpath/exchange/registry/market.js";
import type { Intent } from "../../hotpath/execution/intent.js";
import { rootIntent, type RootVerdict } from "../../hotpath/execution/intentBuilder.js";
import { OrderDispatch, type DispatchOutcome } from "../../hotpath/execution/orderDispatch.js";
import { actionGroups, signLegs } from "../../hotpath/execution/signedActions.js";
import type { OrderLeg } from "../../hotpath/strategy/decision.js";
import { startSimulator, type Simulator } from "../sim/server/index.js";
import { d } from "./intentState.fixtures.js";
import { SequentialIds } from "./sequentialIds.js";

const MARKET = {
  coin: "HYPE",
  perp: { kind: "perp", coin: "HYPE", assetId: 159, szDecimals: 2, maxLeverage: 10 },
  spot: { kind: "spot", wsCoin: "@107", assetId: 10107, pairIndex: 107, szDecimals: 2 },
} as unknown as BasisMarket;

const PERP_GRID = { market: "perp", szDecimals: 2 } as const;

function orderLeg(
  market: "perp" | "spot",
  side: "buy" | "sell",
  limitPx: string,
  reduceOnly = false,
): OrderLeg {
  return { market, side, limitPx: d(limitPx), size: d("0.5"), lots: 50, limitPxUnits: 0, reduceOnly };
}

const CLOSE: RootVerdict = {
  kind: "close",
  reason: "converged",
  direction: "perpRich",
  perp: orderLeg("perp", "buy", "40.01", true),
  spot: orderLeg("spot", "sell", "39.99"),
  expiresAfter: 1_767_225_603_000,
};

function build(actionsPerIntent: "one" | "two"): Intent {
  let nonce = 1_767_225_600_000;
  return rootIntent({
    ids: new SequentialIds(),
    nonces: { next: () => nonce++ },
    bootId: "boot",
    verdict: CLOSE,
    market: MARKET,
    positionId: "boot:1",
    edgeId: null,
    createdAtMs: 1_767_225_600_000,
    actionsPerIntent,
  });
}

describe("intents and signed actions", () => {
  it("a close: perp first, reduce-only on the perp exit, one nonce and expiresAfter for one action", () => {
    const intent = build("one");
    expect(intent).toMatchObject({
      action: "close",
      positionId: "boot:1",
      parentIntentId: null,
      edgeId: null,
    });
    expect(intent.legs.map((leg) => [leg.market, leg.asset, leg.side, leg.reduceOnly, leg.tif])).toEqual([
      ["perp", 159, "buy", true, "Ioc"],
      ["spot", 10107, "sell", false, "Ioc"],
    ]);
    expect(new Set(intent.legs.map((leg) => leg.nonce)).size).toBe(1);
    expect(intent.legs.every((leg) => leg.expiresAfter === CLOSE.expiresAfter)).toBe(true);
    expect(actionGroups(intent)).toEqual([[0, 1]]);
  });

  it("two actions: a nonce per leg, one signed action each", () => {
    const intent = build("two");
    expect(intent.legs[1]!.nonce).toBe(intent.legs[0]!.nonce + 1);
    expect(actionGroups(intent)).toEqual([[0], [1]]);
  });

  it("the signature covers expiresAfter and recovers to the agent", () => {
    const agent = createSigner(`0x${randomBytes(32).toString("hex")}`);
    const intent = build("one");
    const signed = signLegs(intent, [0, 1], agent, "mainnet");
    const { action, nonce, signature, expiresAfter } = signed.request;
    expect(JSON.parse(signed.payloadJson)).toEqual(JSON.parse(JSON.stringify(signed.request)));
    expect(action).toMatchObject({
      type: "order",
      grouping: "na",
      orders: [
        {
          a: 159,
          b: true,
          p: "40.01",
          s: "0.5",
          r: true,
          t: { limit: { tif: "Ioc" } },
          c: intent.legs[0]!.cloid,
        },
        {
          a: 10107,
          b: false,
          p: "39.99",
          s: "0.5",
          r: false,
          t: { limit: { tif: "Ioc" } },
          c: intent.legs[1]!.cloid,
        },
      ],
    });
    const params = { action: action as never, nonce, network: "mainnet" as const, signature };
    expect(recoverL1ActionSigner({ ...params, expiresAfter })).toBe(agent.address);
    expect(recoverL1ActionSigner(params)).not.toBe(agent.address);
  });
});

describe("dispatch", () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it("uses HTTP only when the socket is down, never both; an HTTP failure is unknown, not resent", async () => {
    const master = createSigner(`0x${randomBytes(32).toString("hex")}`);
    const agent = createSigner(`0x${randomBytes(32).toString("hex")}`);
    sim = await startSimulator({
      seed: 1,
      clock: "manual",
      fund: [
        { address: master.address, USDC: "1000" },
        { address: master.address, USDC: "1000", toPerp: true },
      ],
      agents: [{ master: master.address, agent: agent.address }],
    });
    const http = new ExchangeHttpClient({ infoUrl: sim.info, exchangeUrl: sim.exchange });
    const [market] = await loadMarkets(http, ["HYPE"]);
    const ask = sim.core.l2Book(market!.perp.coin)!.levels[1][0]!.px;
    let nonce = sim.core.exchangeTime();
    const intent = rootIntent({
      ids: new SequentialIds(),
      nonces: { next: () => nonce++ },
      bootId: "boot",
      verdict: {
        kind: "open",
        direction: "spotRich",
        perp: orderLeg(
          "perp",
          "buy",
          roundPrice(parseDecimal((Number(ask) * 1.01).toFixed(3)), PERP_GRID, "down"),
        ),
        spot: orderLeg("spot", "sell", "1"),
        expiresAfter: sim.core.exchangeTime() + 60_000,
        edgeNetBps: 20,
        limitNetBps: 15,
      },
      market: market!,
      positionId: null,
      edgeId: 1,
      createdAtMs: sim.core.exchangeTime(),
      actionsPerIntent: "two",
    });
    const outcomes: { context: string; outcome: DispatchOutcome; route: string }[] = [];
    let socketOpen = false;
    const written: string[] = [];
    const channel = {
      postAction: (payload: string): number => {
        if (!socketOpen) return -1;
        written.push(payload);
        return written.length;
      },
    };
    const dispatch = new OrderDispatch<string>(channel, http, (ticket, outcome) =>
      outcomes.push({ context: ticket.context, outcome, route: ticket.route }),
    );
    const [perpAction, spotAction] = actionGroups(intent).map((legs) =>
      signLegs(intent, legs, agent, "mainnet"),
    );

    // Socket down: the perp leg goes over HTTP, and only there.
    expect(dispatch.send(perpAction!, "perp")).toBe("http");
    expect(written).toEqual([]);
    while (outcomes.length < 1) await sleep(5);
    expect(outcomes[0]).toMatchObject({ context: "perp", route: "http", outcome: { kind: "answered" } });
    const answer = outcomes[0]!.outcome;
    expect(answer.kind === "answered" && answer.response.status === "ok").toBe(true);
    expect(sim.core.orderStatus(master.address, intent.legs[0]!.cloid)).toMatchObject({ status: "order" });

    // Socket up: the spot leg is written to it and nothing goes over HTTP.
    socketOpen = true;
    expect(dispatch.send(spotAction!, "spot")).toBe("ws");
    expect(written).toEqual([spotAction!.payloadJson]);
    expect(dispatch.postsInFlight).toBe(1);
    expect(dispatch.httpFallbacks).toBe(1);
    dispatch.lost([1]);
    expect(outcomes[1]).toMatchObject({
      context: "spot",
      route: "ws",
      outcome: { kind: "unknown", reason: "lostResponse" },
    });
    dispatch.timedOut(1); // a second ending for the same post is ignored
    expect(outcomes).toHaveLength(2);

    // An HTTP failure (429: not executed) is an unknown outcome; nothing is sent again.
    socketOpen = false;
    sim.faults.http429({ count: 1 }, ["exchange"]);
    const retry = rootIntent({
      ids: new SequentialIds(),
      nonces: { next: () => nonce++ },
      bootId: "boot",
      verdict: CLOSE,
      market: market!,
      positionId: "boot:1",
      edgeId: null,
      createdAtMs: sim.core.exchangeTime(),
      actionsPerIntent: "one",
    });
    dispatch.send(signLegs(retry, [0, 1], agent, "mainnet"), "throttled");
    while (outcomes.length < 3) await sleep(5);
    expect(outcomes[2]).toMatchObject({ context: "throttled", route: "http", outcome: { kind: "unknown" } });
    expect(dispatch.httpFallbacks).toBe(2);
    http.close();
  });
});
