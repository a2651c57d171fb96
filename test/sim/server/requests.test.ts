/**
 * Requests over both channels, against the real gateway and a stub: `POST /info` and `POST /exchange`
 * (status, body, content type), WS `post` for info and actions (response shapes of PROTOCOL §2.11), error
 * texts for non-200 replies, and the in-flight limit.
 */
import { describe, expect, it } from "vitest";

import { decodeWsMessage } from "../../../hotpath/exchange/wire/decode-ws.js";
import { MASTER, TestClient, orderOf } from "../gateway/testkit.js";
import type { GatewayReply } from "./gateway-port.js";
import { postJson, useSimulators } from "./testkit.js";

const { start, connect } = useSimulators();

describe("HTTP", () => {
  it("answers /info with the gateway's JSON", async () => {
    const sim = await start();
    const reply = await postJson(sim.info, { type: "l2Book", coin: "HYPE" });
    expect(reply.status).toBe(200);
    expect(reply.type).toBe("application/json");
    expect(JSON.parse(reply.text)).toEqual(sim.core.l2Book("HYPE"));
  });

  it("answers /exchange with the action's result", async () => {
    const sim = await start({ fund: [{ address: MASTER.address, USDC: "1000", toPerp: true }] });
    const client = new TestClient(sim.gateway, MASTER, sim.core.exchangeTime());
    const bid = sim.core.l2Book("HYPE", 1)?.levels[0][0]?.px ?? "0";
    const lowBid = (Number(bid) - 1).toFixed(3);
    const reply = await postJson(
      sim.exchange,
      client.l1Body(orderOf({ asset: 159, isBuy: true, px: lowBid, sz: "1", tif: "Gtc" })),
    );
    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.text) as { status: string; response: { data: { statuses: object[] } } };
    expect(body.status).toBe("ok");
    expect(body.response.data.statuses[0]).toHaveProperty("resting");
  });

  it("passes error statuses through as text, refuses bodies that are not JSON, and 404s other paths", async () => {
    const sim = await start();
    const unknown = await postJson(sim.info, { type: "noSuchRequest" });
    expect(unknown.status).toBe(422);
    const notJson = await postJson(sim.info, "{oops");
    expect(notJson.status).toBe(400);
    expect(notJson.text).toMatch(/^Failed to parse the request body as JSON/);
    expect(notJson.type).toMatch(/^text\/plain/);
    const missing = await postJson(sim.info.replace("/info", "/nope"), {});
    expect(missing.status).toBe(404);
  });
});

describe("WS post", () => {
  it("wraps an info answer as {type:info, payload:{type, data}}", async () => {
    const sim = await start();
    const ws = await connect(sim);
    ws.send({ method: "post", id: 41, request: { type: "info", payload: { type: "l2Book", coin: "HYPE" } } });
    const frame = await ws.channel("post");
    expect(frame.data).toEqual({
      id: 41,
      response: { type: "info", payload: { type: "l2Book", data: sim.core.l2Book("HYPE") } },
    });
    expect(decodeWsMessage(ws.raw.at(-1) ?? "").ok).toBe(true);
  });

  it("wraps an action answer as {type:action, payload:<the /exchange body>}", async () => {
    const sim = await start({ fund: [{ address: MASTER.address, USDC: "1000", toPerp: true }] });
    const ws = await connect(sim);
    const client = new TestClient(sim.gateway, MASTER, sim.core.exchangeTime());
    const bid = sim.core.l2Book("HYPE", 1)?.levels[0][0]?.px ?? "0";
    const payload = client.l1Body(
      orderOf({ asset: 159, isBuy: true, px: (Number(bid) - 1).toFixed(3), sz: "1", tif: "Gtc" }),
    );
    ws.send({ method: "post", id: 42, request: { type: "action", payload } });
    const frame = await ws.channel("post");
    const response = (frame.data as { id: number; response: { type: string; payload: { status: string } } })
      .response;
    expect((frame.data as { id: number }).id).toBe(42);
    expect(response.type).toBe("action");
    expect(response.payload.status).toBe("ok");
    const result = decodeWsMessage(ws.raw.at(-1) ?? "");
    expect(result.ok).toBe(true);
  });

  it("answers a non-200 reply with {type:error, payload:<status text>}", async () => {
    const sim = await start();
    const ws = await connect(sim);
    ws.send({ method: "post", id: 43, request: { type: "info", payload: { type: "noSuchRequest" } } });
    const frame = await ws.channel("post");
    expect(frame.data).toEqual({
      id: 43,
      response: {
        type: "error",
        payload: "422 Unprocessable Entity: Failed to deserialize the JSON body into the target type",
      },
    });
  });

  it("turns a throwing gateway into a 500 error answer without hurting the connection", async () => {
    const errors: unknown[] = [];
    const stub = {
      info: (): GatewayReply => {
        throw new Error("boom");
      },
      exchange: (body: unknown): GatewayReply => ({
        status: 200,
        body: { status: "ok", response: { type: "default", echo: body } },
      }),
    };
    const sim = await start({ gateway: () => ({ gateway: stub }), onError: (error) => errors.push(error) });
    const ws = await connect(sim);
    ws.send({ method: "post", id: 1, request: { type: "info", payload: { type: "meta" } } });
    expect((await ws.channel("post")).data).toEqual({
      id: 1,
      response: { type: "error", payload: "500 Internal Server Error: boom" },
    });
    ws.send({ method: "post", id: 2, request: { type: "action", payload: { action: { type: "noop" } } } });
    expect((await ws.channel("post")).data).toEqual({
      id: 2,
      response: {
        type: "action",
        payload: { status: "ok", response: { type: "default", echo: { action: { type: "noop" } } } },
      },
    });
    expect(errors).toHaveLength(1);
    const http = await postJson(sim.info, { type: "meta" });
    expect(http.status).toBe(500);
  });

  it("refuses more than 100 answers in flight with the exchange's text", async () => {
    const sim = await start();
    const ws = await connect(sim);
    sim.faults.delayPosts(60_000);
    for (let id = 1; id <= 101; id++)
      ws.send({ method: "post", id, request: { type: "info", payload: { type: "allMids" } } });
    expect((await ws.channel("error")).data).toBe("too many pending post requests id=101");
  });
});
