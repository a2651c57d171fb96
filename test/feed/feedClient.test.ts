/**
 * The feed client over real sockets: against the simulator (subscribe, books, edges equal to an
 * independent exact computation on the same frames, reconnect + resubscribe after a drop, the breaker on a
 * stalled-but-open feed) and against a scripted `ws` server (skew, crossed books, malformed frames, the
 * pong watchdog).
 */

import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";

import { hypeBooks } from "../book/bookMessages.js";
import { loadMarkets } from "../../hotpath/app/marketSetup.js";
import { MarketBooks } from "../../hotpath/book/marketBooks.js";
import type { Config } from "../../hotpath/config/index.js";
import { parseDecimal, compare, type Decimal } from "../../hotpath/exchange/decimal/decimal.js";
import { EDGE_DIRECTIONS } from "../../hotpath/edge/direction.js";
import type { EdgeParams } from "../../hotpath/edge/edgeParams.js";
import { EdgeIdSequence } from "../../hotpath/edge/edgeRecord.js";
import { feeRatesFromBps } from "../../hotpath/edge/feeRates.js";
import { NO_RISK_CAP } from "../../hotpath/edge/riskCap.js";
import { ExchangeHttpClient } from "../../hotpath/exchange/http/httpClient.js";
import { decodeWsMessage } from "../../hotpath/exchange/wire/decode-ws.js";
import { breakerReasonNames } from "../../hotpath/feed/breaker.js";
import { FeedClient } from "../../hotpath/feed/feedClient.js";
import { FramePipeline } from "../../hotpath/feed/framePipeline.js";
import { MarketFeed } from "../../hotpath/feed/marketFeed.js";
import { feedSubscriptions } from "../../hotpath/feed/subscriptions.js";
import { FeedMetrics } from "../../hotpath/metrics/feedMetrics.js";
import { createLogger } from "../../hotpath/observability/logger.js";
import { startSimulator, type Simulator } from "../sim/server/index.js";
import { BPS_TOLERANCE, referenceEdge, type RefLevel, type RefParams } from "../edge/edgeReference.js";

const FEE_BPS = { perpTaker: "4.5", perpMaker: "1.5", spotTaker: "7", spotMaker: "4" };

function params(clipQty: number): EdgeParams {
  return {
    clipQty,
    fees: feeRatesFromBps(FEE_BPS),
    fundingRatePerHour: 0,
    holdingHours: 8,
    oraclePx: Number.NaN,
    riskCap: NO_RISK_CAP,
  };
}

const REF_PARAMS: RefParams = {
  perpSzDecimals: 2,
  spotSzDecimals: 2,
  clip: parseDecimal("1"),
  perpTakerRate: parseDecimal("0.00045"),
  spotTakerRate: parseDecimal("0.0007"),
  fundingRatePerHour: parseDecimal("0"),
  holdingHours: parseDecimal("8"),
  oraclePx: null,
  maxQty: null,
  notionalHeadroomUsdc: null,
  spotQuoteAvailableUsdc: null,
  spotBaseAvailable: null,
};

function feedConfig(overrides: Partial<Config["feed"]> = {}): Config["feed"] {
  return {
    staleAfterMs: 2000,
    maxLegSkewMs: 500,
    pingIntervalMs: 10_000,
    pongTimeoutMs: 5_000,
    reconnectBackoffMinMs: 100,
    reconnectBackoffMaxMs: 1000,
    bookScan: "full",
    // Scripted frames carry small made-up exchange times: their age by the wall clock is not under test here.
    maxExchangeAgeMs: Number.MAX_SAFE_INTEGER,
    ...overrides,
  };
}

interface EdgeSample {
  readonly frameIndex: number;
  readonly status: string[];
  readonly netBps: number[];
  readonly grossBps: number[];
}

interface Harness {
  readonly books: MarketBooks;
  readonly market: MarketFeed;
  readonly metrics: FeedMetrics;
  readonly pipeline: FramePipeline;
  readonly client: FeedClient;
  readonly frames: string[];
  readonly edges: EdgeSample[];
  stop(): Promise<void>;
}

function harness(url: string, books: MarketBooks, feed: Config["feed"]): Harness {
  const market = MarketFeed.create(books, params(100), new EdgeIdSequence(), feed);
  const metrics = new FeedMetrics();
  const frames: string[] = [];
  const edges: EdgeSample[] = [];
  const pipeline = new FramePipeline(
    [market],
    metrics,
    (changed) => {
      edges.push({
        frameIndex: frames.length - 1,
        status: EDGE_DIRECTIONS.map((d) => changed.edges.scratch(d).status),
        netBps: EDGE_DIRECTIONS.map((d) => changed.edges.scratch(d).netBps),
        grossBps: EDGE_DIRECTIONS.map((d) => changed.edges.scratch(d).grossBps),
      });
    },
    createLogger({ service: "test", level: "silent" }),
  );
  const handle = pipeline.handleRange.bind(pipeline);
  pipeline.handleRange = (bytes, start, end, receivedAtMs) => {
    frames.push(bytes.toString("utf8", start, end));
    handle(bytes, start, end, receivedAtMs);
  };
  const client = new FeedClient({
    url,
    subscriptions: feedSubscriptions([books]),
    feed,
    pipeline,
    metrics,
    logger: createLogger({ service: "test", level: "silent" }),
  });
  const timer = setInterval(() => pipeline.evaluateBreakers(), 20);
  client.start();
  return {
    books,
    market,
    metrics,
    pipeline,
    client,
    frames,
    edges,
    stop: async () => {
      clearInterval(timer);
      await client.stop();
    },
  };
}

async function until(what: string, condition: () => boolean, timeoutMs = 5000): Promise<number> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now() - start;
}

/** An independent book per leg: snapshot + touch overlay on exact decimals (PROTOCOL §2.3–2.4). */
class ReferenceLeg {
  private snapshot: { bids: RefLevel[]; asks: RefLevel[]; time: number } | undefined;
  private touch: { bid: RefLevel | null; ask: RefLevel | null; time: number } | undefined;

  l2Book(bids: RefLevel[], asks: RefLevel[], time: number): void {
    if (this.snapshot !== undefined && time < this.snapshot.time) return;
    this.snapshot = { bids, asks, time };
  }

  bbo(bid: RefLevel | null, ask: RefLevel | null, time: number): void {
    if (this.touch !== undefined && time < this.touch.time) return;
    this.touch = { bid, ask, time };
  }

  view(): { bids: RefLevel[]; asks: RefLevel[] } {
    const snap = this.snapshot ?? { bids: [], asks: [], time: Number.NEGATIVE_INFINITY };
    const touch = this.touch;
    if (touch === undefined || touch.time < snap.time) return { bids: snap.bids, asks: snap.asks };
    const side = (top: RefLevel | null, levels: RefLevel[], bid: boolean): RefLevel[] =>
      top === null
        ? []
        : [top, ...levels.filter((l) => (bid ? compare(l.px, top.px) < 0 : compare(l.px, top.px) > 0))];
    return { bids: side(touch.bid, snap.bids, true), asks: side(touch.ask, snap.asks, false) };
  }
}

function refLevel(level: { px: string; sz: string }): RefLevel {
  const px: Decimal = parseDecimal(level.px);
  return { px, sz: parseDecimal(level.sz) };
}

describe("FeedClient against the simulator", () => {
  let sim: Simulator | undefined;
  let feed: Harness | undefined;

  afterEach(async () => {
    await feed?.stop();
    await sim?.stop();
    feed = undefined;
    sim = undefined;
  });

  async function connect(overrides: Partial<Config["feed"]> = {}): Promise<Harness> {
    sim = await startSimulator({ port: 0, seed: 7 });
    const http = new ExchangeHttpClient({ infoUrl: sim.info, exchangeUrl: sim.exchange });
    const [market] = await loadMarkets(http, ["HYPE"]);
    feed = harness(sim.ws, MarketBooks.forMarket(market!), feedConfig(overrides));
    return feed;
  }

  it("subscribes both legs, keeps books and computes edges equal to an exact reference on the same frames", async () => {
    const h = await connect();
    await until("both legs and 40 edges", () => h.edges.length >= 40 && !h.market.breaker.open);
    expect(h.metrics.frames.subscriptionResponse).toBe(4);
    expect(h.metrics.frames.l2Book).toBeGreaterThan(0);
    expect(h.metrics.frames.bbo).toBeGreaterThan(0);
    expect(h.metrics.scannerHandled).toBe(h.metrics.frames.l2Book + h.metrics.frames.bbo);
    expect(h.metrics.parseErrors).toBe(0);
    expect(h.books.perp.sequence).toBeGreaterThan(0);
    expect(h.books.spot.sequence).toBeGreaterThan(0);
    expect(h.metrics.receiveToEdgeUs.count).toBe(h.edges.length);

    // Replay the received frames through the full decoder into independent reference books.
    const legs = new Map([
      [h.books.perp.coin, new ReferenceLeg()],
      [h.books.spot.coin, new ReferenceLeg()],
    ]);
    const edgesByFrame = new Map(h.edges.map((edge) => [edge.frameIndex, edge]));
    let compared = 0;
    h.frames.slice(0, h.edges.at(-1)!.frameIndex + 1).forEach((text, index) => {
      const decoded = decodeWsMessage(text);
      expect(decoded.ok).toBe(true);
      if (!decoded.ok) return;
      const message = decoded.message;
      if (message.channel === "l2Book") {
        const [bids, asks] = message.data.levels;
        legs.get(message.data.coin)!.l2Book(bids.map(refLevel), asks.map(refLevel), message.data.time);
      } else if (message.channel === "bbo") {
        const [bid, ask] = message.data.bbo;
        legs
          .get(message.data.coin)!
          .bbo(bid === null ? null : refLevel(bid), ask === null ? null : refLevel(ask), message.data.time);
      } else {
        return;
      }
      const edge = edgesByFrame.get(index);
      expect(edge, `an edge after book frame ${index}`).toBeDefined();
      EDGE_DIRECTIONS.forEach((direction, d) => {
        const expected = referenceEdge(
          legs.get(h.books.perp.coin)!.view(),
          legs.get(h.books.spot.coin)!.view(),
          REF_PARAMS,
          direction,
        );
        expect(edge!.status[d]).toBe(expected.status);
        if (expected.status !== "ok") return;
        expect(Math.abs(edge!.netBps[d]! - expected.netBps)).toBeLessThan(BPS_TOLERANCE);
        expect(Math.abs(edge!.grossBps[d]! - expected.grossBps)).toBeLessThan(BPS_TOLERANCE);
        compared += 1;
      });
    });
    expect(compared).toBeGreaterThan(40);
  });

  it("reconnects within 2 s after a dropped socket, resubscribes, and resyncs the breaker", async () => {
    const h = await connect();
    await until("ready", () => !h.market.breaker.open && h.client.state === "open");
    const perpBefore = h.books.perp.sequence;
    const spotBefore = h.books.spot.sequence;
    expect(sim!.faults.dropConnections()).toBe(1);
    await until("the breaker to see the disconnect", () => h.market.breaker.open);
    expect(breakerReasonNames(h.market.breaker.reasons)).toContain("resyncing");
    const elapsed = await until("reconnected", () => h.client.connections === 2 && h.client.state === "open");
    expect(elapsed).toBeLessThan(2000);
    await until("fresh frames on both legs", () => !h.market.breaker.open, 3000);
    expect(h.books.perp.sequence).toBeGreaterThan(perpBefore);
    expect(h.books.spot.sequence).toBeGreaterThan(spotBefore);
    expect(h.metrics.reconnects).toBe(1);
    expect(h.metrics.frames.subscriptionResponse).toBe(8);
  });

  it("trips stale on a stalled-but-open feed and clears when the feed resumes", async () => {
    const h = await connect({ staleAfterMs: 300 });
    await until("ready", () => !h.market.breaker.open);
    sim!.faults.stallFeed({ ms: 1200 });
    await until("stale", () => (h.market.breaker.reasons & 1) !== 0, 2000);
    expect(h.client.state).toBe("open");
    expect(breakerReasonNames(h.market.breaker.reasons)).toEqual(["stale"]);
    await until("fresh again", () => !h.market.breaker.open, 4000);
    expect(h.market.breaker.trips[0]).toBeGreaterThanOrEqual(1);
    expect(h.client.connections).toBe(1);
  });
});

describe("FeedClient against a scripted server", () => {
  let server: WebSocketServer | undefined;
  let feed: Harness | undefined;

  afterEach(async () => {
    await feed?.stop();
    for (const socket of server?.clients ?? []) socket.terminate();
    await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
    feed = undefined;
    server = undefined;
  });

  async function scripted(
    overrides: Partial<Config["feed"]>,
    answerPings = true,
  ): Promise<{ h: Harness; socket: () => WebSocket; connections: () => number }> {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    server = wss;
    await new Promise((resolve) => wss.once("listening", resolve));
    let last: WebSocket | undefined;
    let connections = 0;
    wss.on("connection", (socket) => {
      last = socket;
      connections += 1;
      socket.on("message", (data: Buffer) => {
        if (answerPings && data.toString() === '{"method":"ping"}') socket.send('{"channel":"pong"}');
      });
    });
    const port = (wss.address() as { port: number }).port;
    feed = harness(`ws://127.0.0.1:${port}`, hypeBooks(), feedConfig(overrides));
    const h = feed;
    await until("connected", () => last !== undefined && h.client.state === "open");
    return { h, socket: () => last!, connections: () => connections };
  }

  const book = (coin: string, time: number, bid: string, ask: string): string =>
    `{"channel":"l2Book","data":{"coin":"${coin}","time":${time},"levels":[[{"px":"${bid}","sz":"10","n":1}],[{"px":"${ask}","sz":"10","n":1}]]}}`;

  it("trips on leg skew and on a crossed book, and clears when aligned, uncrossed data returns", async () => {
    const { h, socket } = await scripted({ maxLegSkewMs: 500 });
    socket().send(book("HYPE", 10_000, "40.1", "40.2"));
    socket().send(book("@107", 10_100, "40", "40.05"));
    await until("closed", () => !h.market.breaker.open);
    socket().send(book("@107", 11_000, "40", "40.05"));
    await until("skew", () => breakerReasonNames(h.market.breaker.reasons).includes("skew"));
    socket().send(book("HYPE", 11_000, "40.3", "40.2"));
    await until(
      "crossed, skew cleared",
      () => breakerReasonNames(h.market.breaker.reasons).join() === "crossed",
    );
    expect(h.market.edges.perpRich.status).toBe("crossedBook");
    socket().send(book("HYPE", 11_100, "40.1", "40.2"));
    await until("clear", () => !h.market.breaker.open);
    expect([...h.market.breaker.trips.slice(0, 3)]).toEqual([0, 1, 1]);
  });

  it("counts malformed and unexpected frames without crashing or dropping the connection", async () => {
    const { h, socket } = await scripted({});
    const bad = [
      "not json at all",
      '{"channel":"l2Book","data":{"coin":"HYPE","time":1,"levels":[[{"px":"40.1"',
      '{"channel":"l2Book","data":{"coin":"HYPE","time":2,"levels":[[{"px":"-1","sz":"1","n":1}],[]]}}',
      '{"channel":"someNewChannel","data":{}}',
      "[1,2,3]",
    ];
    for (const frame of bad) socket().send(frame);
    socket().send(Buffer.from([1, 2, 3]), { binary: true });
    socket().send(book("BTC", 5, "1", "2"));
    socket().send('{"channel":"error","data":"Invalid subscription"}');
    socket().send(book("HYPE", 10, "40.1", "40.2"));
    await until("the valid frame after the bad ones", () => h.books.perp.sequence === 1);
    expect(h.metrics.parseErrors).toBe(bad.length + 1);
    expect(h.metrics.unexpectedCoin).toBe(1);
    expect(h.metrics.frames.error).toBe(1);
    expect(h.client.state).toBe("open");
    expect(h.client.connections).toBe(1);
  });

  it("takes the greeting text on open as neither a parse error nor a frame of any channel", async () => {
    const { h, socket } = await scripted({});
    socket().send("Websocket connection established.");
    socket().send(book("HYPE", 10, "40.1", "40.2"));
    await until("the book frame after the greeting", () => h.books.perp.sequence === 1);
    expect(h.metrics.parseErrors).toBe(0);
    expect(h.metrics.scannerFallback).toBe(0);
    const { l2Book, bbo, pong, subscriptionResponse, error, other } = h.metrics.frames;
    expect([l2Book, bbo, pong, subscriptionResponse, error, other]).toEqual([1, 0, 0, 0, 0, 0]);
  });

  it("applies the first snapshot after a reconnect even when it is older, and clears the breaker", async () => {
    const { h, socket, connections } = await scripted({});
    socket().send(book("HYPE", 10_000, "40.1", "40.2"));
    socket().send(book("@107", 10_000, "40", "40.05"));
    await until("closed", () => !h.market.breaker.open);
    socket().terminate();
    await until("the breaker to see the disconnect", () => h.market.breaker.open);
    await until("reconnected", () => connections() === 2 && h.client.state === "open", 3000);
    expect(breakerReasonNames(h.market.breaker.reasons)).toEqual(["resyncing"]);
    // The new connection's node is 4 s behind: its snapshots are still the authoritative ones.
    socket().send(book("HYPE", 6_000, "39.1", "39.2"));
    socket().send(book("@107", 6_000, "39", "39.05"));
    await until("closed again", () => !h.market.breaker.open);
    expect(h.metrics.staleFrames).toBe(0);
    expect(h.books.perp).toMatchObject({ exchangeTimeMs: 6_000, sequence: 2 });
    expect(h.books.spot).toMatchObject({ exchangeTimeMs: 6_000, sequence: 2 });
    expect(h.books.perp.bids.bestPrice()).toBe(391_000);
    expect(h.books.spot.asks.bestPrice()).toBe(39_050_000);
    // From then on, staleness is judged against the new connection's frames.
    socket().send(book("HYPE", 5_999, "38", "38.1"));
    await until("the stale frame counted", () => h.metrics.staleFrames === 1);
    expect(h.books.perp.bids.bestPrice()).toBe(391_000);
  });

  it("reconnects when no pong arrives within pongTimeoutMs (half-open socket)", async () => {
    const { h, connections } = await scripted({ pingIntervalMs: 100, pongTimeoutMs: 50 }, false);
    await until("a second connection", () => connections() >= 2 && h.client.state === "open", 3000);
    expect(h.metrics.pongTimeouts).toBeGreaterThanOrEqual(1);
    expect(h.metrics.reconnects).toBeGreaterThanOrEqual(1);
  });

  it("keeps a connection whose pings are answered", async () => {
    const { h } = await scripted({ pingIntervalMs: 50, pongTimeoutMs: 30 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(h.metrics.frames.pong).toBeGreaterThanOrEqual(3);
    expect(h.metrics.pongTimeouts).toBe(0);
    expect(h.client.connections).toBe(1);
  });
});
