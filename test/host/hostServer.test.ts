/**
 * The hot path wired end to end (`startHotpath`) against the simulator, over real sockets: `/health`,
 * `/ready` flipping 503 → 200 (and back on a stall), `/metrics` as parseable Prometheus text with the
 * counters, `/stream` delivering edge batches and status, and a client that never reads being dropped
 * without slowing the feed.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";

import { startHotpath, type Hotpath } from "../../hotpath/app/hotpath.js";
import { loadConfig } from "../../hotpath/config/index.js";
import { loadUws } from "../../hotpath/host/uws.js";
import { createLogger } from "../../hotpath/observability/logger.js";
import { startSimulator, type Simulator } from "../sim/server/index.js";

async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const start = performance.now();
  while (!(await condition())) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Prometheus text → sample name with labels → value; throws on a line that is not a sample or comment. */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const seenFamilies = new Set<string>();
  let current = "";
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const type = /^# TYPE (\S+) (counter|gauge|summary|histogram|untyped)$/.exec(line);
    if (type !== null) {
      if (seenFamilies.has(type[1]!)) throw new Error(`family ${type[1]} declared twice`);
      seenFamilies.add(type[1]!);
      current = type[1]!;
      continue;
    }
    if (line.startsWith("# HELP ")) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (sample === null) throw new Error(`not a sample: ${line}`);
    if (!sample[1]!.startsWith(current)) throw new Error(`${sample[1]} outside its family ${current}`);
    samples.set(`${sample[1]}${sample[2] ?? ""}`, Number(sample[3]));
  }
  return samples;
}

describe("hot path host", () => {
  let sim: Simulator;
  let hotpath: Hotpath;
  let base: string;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 3, paused: true });
    const config = loadConfig({
      env: {
        HLB_INFO_URL: sim.info,
        HLB_EXCHANGE_URL: sim.exchange,
        HLB_WS_URL: sim.ws,
        HLB_HOST_PORT: "0",
        HLB_FEED_STALE_AFTER_MS: "400",
      },
      argv: [],
    });
    hotpath = await startHotpath({
      config,
      logger: createLogger({ service: "test", level: "silent" }),
      uws: loadUws(),
      breakerCheckMs: 20,
      streamIntervalMs: 50,
    });
    base = `http://127.0.0.1:${hotpath.host.port}`;
  });

  afterAll(async () => {
    await hotpath?.stop();
    await sim?.stop();
  });

  it("serves /health, and /ready flips from 503 to 200 once both legs are fresh", async () => {
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", uwsBuild: loadUws().build });

    // The market is paused: the subscription snapshots arrive, then nothing, so the legs go stale.
    await until("not ready", async () => (await fetch(`${base}/ready`)).status === 503);
    const notReady = (await (await fetch(`${base}/ready`)).json()) as {
      ready: boolean;
      markets: { coin: string; breakerOpen: boolean; reasons: string[] }[];
    };
    expect(notReady.ready).toBe(false);
    expect(notReady.markets[0]).toMatchObject({ coin: "HYPE", breakerOpen: true });
    expect(notReady.markets[0]!.reasons).toContain("stale");

    sim.market.resume();
    await until("ready", async () => (await fetch(`${base}/ready`)).status === 200);
    const ready = (await (await fetch(`${base}/ready`)).json()) as { ready: boolean; connection: string };
    expect(ready).toMatchObject({ ready: true, connection: "open" });
  });

  it("serves /metrics as Prometheus text with the feed counters, breaker state and latency", async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const samples = parsePrometheus(await response.text());
    expect(samples.get('hlbasis_feed_frames_total{channel="l2Book"}')).toBeGreaterThan(0);
    expect(samples.get('hlbasis_feed_scanner_total{outcome="handled"}')).toBeGreaterThan(0);
    expect(samples.get("hlbasis_feed_parse_errors_total")).toBe(0);
    expect(samples.get("hlbasis_feed_reconnects_total")).toBe(0);
    expect(samples.get('hlbasis_breaker_trips_total{coin="HYPE",reason="stale"}')).toBeGreaterThanOrEqual(1);
    expect(samples.get('hlbasis_breaker_open{coin="HYPE"}')).toBe(0);
    expect(samples.get('hlbasis_edges_total{direction="perpRich"}')).toBeGreaterThan(0);
    expect(samples.get('hlbasis_book_age_seconds{coin="HYPE",leg="spot",wire_coin="@107"}')).toBeLessThan(1);
    expect(samples.get("hlbasis_receive_to_edge_microseconds_count")).toBeGreaterThan(0);
    expect(samples.has('hlbasis_receive_to_edge_microseconds{quantile="0.99"}')).toBe(true);
  });

  it("answers 404 for anything else, and exposes no state-changing route", async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/ready`, { method: "POST" })).status).toBe(404);
  });

  it("streams edge batches and status on /stream", async () => {
    const client = new WebSocket(`ws://127.0.0.1:${hotpath.host.port}/stream`);
    const messages: { type: string; edges?: { coin: string; direction: string; id: number }[] }[] = [];
    client.on("message", (data: Buffer) =>
      messages.push(JSON.parse(data.toString()) as (typeof messages)[number]),
    );
    await until(
      "an edge batch and a status",
      () => messages.some((m) => m.type === "edges") && messages.some((m) => m.type === "status"),
    );
    expect(messages[0]!.type).toBe("status");
    const batch = messages.find((m) => m.type === "edges")!;
    expect(batch.edges!.map((edge) => edge.direction)).toEqual(["perpRich", "spotRich"]);
    expect(batch.edges![0]!.coin).toBe("HYPE");
    client.close();
  });

  it("drops a stream client that never reads, without slowing the feed", async () => {
    // A reader that stops reading: pause its socket so the kernel buffers fill and uWS backpressure grows.
    const slow = new WebSocket(`ws://127.0.0.1:${hotpath.host.port}/stream`);
    await new Promise((resolve) => slow.once("open", resolve));
    (slow as unknown as { _socket: { pause(): void } })._socket.pause();
    await until("the slow client registered", () => hotpath.host.streamClients >= 1);
    const before = hotpath.metrics.frames.bbo + hotpath.metrics.frames.l2Book;
    // Publish far more than maxBackpressure + socket buffers to every stream subscriber.
    const big = JSON.stringify({ type: "edges", edges: [], pad: "x".repeat(64 * 1024) });
    for (let i = 0; i < 200 && hotpath.host.streamClients > 0; i++) {
      hotpath.host.publish("edges", big);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await until("the slow client dropped", () => hotpath.host.streamClients === 0, 5000);
    await until(
      "the feed still flowing",
      () => hotpath.metrics.frames.bbo + hotpath.metrics.frames.l2Book > before + 5,
    );
    expect(hotpath.status().ready).toBe(true);
    slow.terminate();
  });
});
