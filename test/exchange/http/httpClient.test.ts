import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExchangeHttpClient, ExchangeHttpError } from "../../../hotpath/exchange/http/httpClient.js";
import { noopAction } from "../../../hotpath/exchange/wire/actions.js";
import { startSimulator, type Simulator } from "../../sim/server/index.js";

describe("ExchangeHttpClient against the simulator", () => {
  let sim: Simulator;
  let client: ExchangeHttpClient;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 3 });
    client = new ExchangeHttpClient({ infoUrl: sim.info, exchangeUrl: sim.exchange });
  });
  afterAll(async () => {
    await sim.stop();
  });

  it("returns typed /info bodies", async () => {
    const meta = await client.info({ type: "meta" });
    expect(meta.universe[159]?.name).toBe("HYPE");
  });

  it("turns a non-200 answer into a typed error naming the request, endpoint and status", async () => {
    const failure = await client.info({ type: "notAType" } as unknown as { type: "meta" }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ExchangeHttpError);
    expect(failure).toMatchObject({ kind: "status", status: 422, requestType: "notAType" });
    expect((failure as Error).message).toContain("Failed to deserialize");
  });

  it("returns an action-level rejection as the decoded response, not as an HTTP failure", async () => {
    const response = await client.exchange({
      action: noopAction(),
      nonce: Date.now(),
      signature: { r: `0x${"11".repeat(32)}`, s: `0x${"22".repeat(32)}`, v: 27 },
    } as Parameters<ExchangeHttpClient["exchange"]>[0]);
    expect(response.status).toBe("err");
  });
});

describe("ExchangeHttpClient failures", () => {
  let slow: Server;
  let url: string;
  beforeAll(async () => {
    slow = createServer((request, response) => {
      if (request.url === "/garbage") response.end("not json");
      // otherwise never answer: the client must time out
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    const address = slow.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(async () => {
    slow.closeAllConnections();
    await new Promise((resolve) => slow.close(resolve));
  });

  it("times out instead of hanging", async () => {
    const client = new ExchangeHttpClient({
      infoUrl: `${url}/info`,
      exchangeUrl: `${url}/exchange`,
      timeoutMs: 200,
    });
    await expect(client.info({ type: "meta" })).rejects.toMatchObject({ kind: "timeout" });
  });

  it("reports a body that is not JSON", async () => {
    const client = new ExchangeHttpClient({ infoUrl: `${url}/garbage`, exchangeUrl: `${url}/garbage` });
    await expect(client.info({ type: "meta" })).rejects.toMatchObject({
      kind: "not_json",
      bodyExcerpt: "not json",
    });
  });

  it("reports a refused connection as a network failure", async () => {
    const client = new ExchangeHttpClient({
      infoUrl: "http://127.0.0.1:1/info",
      exchangeUrl: "http://127.0.0.1:1/x",
    });
    await expect(client.info({ type: "meta" })).rejects.toMatchObject({ kind: "network" });
  });
});
