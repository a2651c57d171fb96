/**
 * What `OrderChannel.postAction` puts on the order socket: exactly the text
 * `{"method":"post","id":<id>,"request":{"type":"action","payload":<payloadJson>}}` it always wrote, now
 * composed straight into the connection's frame buffer — for a real signed two-leg request and for random
 * payloads (any Unicode), with consecutive ids, as a `ws` server reads it.
 */

import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";

import { createSigner } from "../../hotpath/exchange/signing/index.js";
import { asWireDecimal, toCloid } from "../../hotpath/exchange/wire/brands.js";
import type { Intent } from "../../hotpath/execution/intent.js";
import { OrderChannel } from "../../hotpath/execution/orderChannel.js";
import { signLegs } from "../../hotpath/execution/signedActions.js";
import { createLogger } from "../../hotpath/observability/logger.js";

async function until(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function post(id: number, payloadJson: string): string {
  return `{"method":"post","id":${id},"request":{"type":"action","payload":${payloadJson}}}`;
}

describe("OrderChannel.postAction", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function channel(): Promise<{ channel: OrderChannel; heard: string[] }> {
    const server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await new Promise((resolve) => server.once("listening", resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const heard: string[] = [];
    server.on("connection", (socket) =>
      socket.on("message", (data: Buffer) => heard.push(data.toString("utf8"))),
    );
    const port = (server.address() as { port: number }).port;
    let opened = false;
    const orders = new OrderChannel(
      {
        url: `ws://127.0.0.1:${port}/ws`,
        user: undefined,
        postTimeoutMs: 60_000,
        reconnectBackoffMinMs: 100,
        reconnectBackoffMaxMs: 1_000,
        logger: createLogger({ service: "order-channel-test", level: "silent" }),
      },
      {
        opened: () => (opened = true),
        response: () => {},
        timedOut: () => {},
        lost: () => {},
        accountMessage: () => {},
      },
    );
    orders.start();
    cleanups.push(() => orders.stop());
    await until("open", () => opened);
    return { channel: orders, heard };
  }

  it("writes a signed two-leg request as the post text", async () => {
    const { channel: orders, heard } = await channel();
    const signer = createSigner(`0x${"11".repeat(32)}`);
    const leg = (market: "perp" | "spot", asset: number, side: "buy" | "sell", cloid: string) => ({
      market,
      asset,
      side,
      limitPx: asWireDecimal(side === "sell" ? "40.301" : "39.699"),
      size: asWireDecimal("1.23"),
      cloid: toCloid(cloid),
      reduceOnly: false,
      tif: "Ioc" as const,
      nonce: 1764743000123,
      expiresAfter: 1764743005123,
    });
    const intent = {
      legs: [
        leg("perp", 159, "sell", "0x1234567890abcdef0000000000000001"),
        leg("spot", 10107, "buy", "0x1234567890abcdef0000000000000002"),
      ],
    } as unknown as Intent;
    const signed = signLegs(intent, [0, 1], signer, "mainnet");
    expect(signed.payloadJson).toBe(JSON.stringify(signed.request));
    const first = orders.postAction(signed.payloadJson);
    const second = orders.postAction(signed.payloadJson);
    expect(second).toBe(first + 1);
    await until("both posts", () => heard.length === 2);
    expect(heard).toEqual([post(first, signed.payloadJson), post(second, signed.payloadJson)]);
  });

  it("writes any payload as the post text", async () => {
    const { channel: orders, heard } = await channel();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.json(), fc.string({ unit: "binary", maxLength: 2_000 })),
        async (payload) => {
          const before = heard.length;
          const id = orders.postAction(payload);
          await until("the post", () => heard.length === before + 1);
          expect(heard[before]).toBe(post(id, payload));
        },
      ),
      { numRuns: 150 },
    );
  });
});
