/**
 * The edge sink end to end, against fauxqs through the real SQS client: edges pushed by the frame
 * pipeline's sink arrive exactly once and decode; refused entries are retried or dropped (counted); an SQS
 * outage goes through the spool and drains in order; a full spool drops (counted, logged once per
 * interval); a restarted sink drains an old spool; `close()` leaves nothing only in RAM.
 */

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { EdgeIdSequence } from "../../hotpath/edge/edgeRecord.js";
import { PrometheusWriter } from "../../hotpath/metrics/prometheus.js";
import { SQS_LIMITS, decodeEdgeBatch } from "../../hotpath/persistence/edgeBatchCodec.js";
import { EdgeFlusher } from "../../hotpath/persistence/edgeFlusher.js";
import { EdgeRing } from "../../hotpath/persistence/edgeRing.js";
import {
  startEdgeSink,
  type EdgeSinkHandle,
  type EdgeSinkOptions,
} from "../../hotpath/persistence/edgeSink.js";
import { renderEdgeSinkMetrics } from "../../hotpath/persistence/edgeSinkMetrics.js";
import { EdgeSpool } from "../../hotpath/persistence/edgeSpool.js";
import { SqsEdgeSender } from "../../hotpath/persistence/edgeSqsSender.js";
import {
  FAST_TUNING,
  capturedLogger,
  eventually,
  queuedIds,
  receiveAll,
  startTestQueue,
  temporaryDir,
  testMarket,
  type CapturedLogger,
  type TestMarket,
  type TestQueue,
} from "./edgeSinkSupport.js";

/** Strictly increasing: in order, and no id twice. */
function expectStrictlyIncreasing(ids: readonly number[]): void {
  for (let i = 1; i < ids.length; i++) {
    if (!(ids[i]! > ids[i - 1]!)) throw new Error(`ids out of order at ${i}: ${ids[i - 1]} then ${ids[i]}`);
  }
}

/** Every edge that left the ring is accounted for: sent, still spooled, or dropped with a reason. */
function expectConservation(sink: { ring: EdgeRing; flusher: EdgeFlusher }): void {
  const { counters } = sink.flusher;
  const dropped = Object.values(counters.dropped).reduce((a, b) => a + b, 0);
  expect(sink.ring.size).toBe(0);
  expect(sink.flusher.edgesInFlight).toBe(0);
  expect(counters.sent + sink.flusher.spoolStats.edges + dropped).toBe(sink.ring.pushed);
}

describe("edge sink against SQS (fauxqs)", () => {
  let queue: TestQueue;
  let spoolDir: { path: string; remove(): Promise<void> };
  let log: CapturedLogger;
  const open: EdgeSinkHandle[] = [];

  beforeEach(async () => {
    queue = await startTestQueue();
    spoolDir = await temporaryDir();
    log = capturedLogger();
  });

  afterEach(async () => {
    for (const sink of open.splice(0)) await sink.close();
    await queue.close();
    await spoolDir.remove();
  });

  async function sink(
    overrides: Partial<EdgeSinkOptions> = {},
    bootId?: string,
  ): Promise<{ handle: EdgeSinkHandle; market: TestMarket }> {
    const ids = new EdgeIdSequence();
    const handle = await startEdgeSink(
      { ...queue.sender, ...FAST_TUNING, spoolDir: spoolDir.path, ...overrides },
      { ids, logger: log.logger, ...(bootId === undefined ? {} : { bootId }) },
    );
    open.push(handle);
    return { handle, market: testMarket(ids, () => handle.ring) };
  }

  it("delivers every pushed edge exactly once, decodable, with its outcome", async () => {
    const { handle, market } = await sink();
    for (let round = 0; round < 5; round++) {
      market.frames(400);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await handle.close();

    const batches = await receiveAll(queue);
    const edges = batches.flatMap((batch) => batch.edges);
    expect(batches.every((batch) => batch.bootId === handle.bootId)).toBe(true);
    expect(edges.map((edge) => edge.edgeId).sort((a, b) => a - b)).toEqual(market.pushedIds);
    const traded = edges.filter((edge) => edge.outcome.kind === "traded");
    expect(traded).toHaveLength(market.traded.size);
    for (const edge of traded) {
      const expected = market.traded.get(edge.edgeId)!;
      expect(edge.outcome).toEqual({ kind: "traded", intentId: expected.intentId });
      expect(edge.perpSize).toBe(expected.perpSize);
    }
    const { counters } = handle.flusher;
    expect(counters.sent).toBe(4_000);
    expect(counters.spooled).toBe(0);
    expect(counters.sqsRequests).toBe(counters.messagesSent); // no retries needed
    expect(counters.messagesSent).toBe(batches.length);
    expectConservation(handle);
  });

  it("sends once a message's worth is waiting, without waiting for the interval", async () => {
    const { handle, market } = await sink({ flushIntervalMs: 600_000 });
    market.frames(Math.ceil(handle.flusher.targetEdges / 2) + 10);
    await eventually("a full message in the queue", () => queue.bodies().length > 0);
    expect(handle.ring.size).toBeLessThan(handle.flusher.targetEdges);
  });

  it("sends a few edges once the oldest is old enough", async () => {
    const { market } = await sink();
    market.frames(5);
    await eventually("the ten edges in the queue", () => queuedIds(queue).length === 10);
    expect(queuedIds(queue)).toEqual(market.pushedIds);
  });

  it("retries entries SQS refuses on its side, each edge landing once", async () => {
    const ids = new EdgeIdSequence();
    const ring = new EdgeRing(ids, 4_096);
    const spool = await EdgeSpool.open({ dir: spoolDir.path, maxBytes: 1 << 24, logger: log.logger });
    const sender = new SqsEdgeSender(queue.faultySender);
    // Small messages, so that one request carries several entries and only some of them fail.
    const flusher = new EdgeFlusher({
      ...FAST_TUNING,
      ring,
      sender,
      spool,
      logger: log.logger,
      bootId: "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d",
      limits: { ...SQS_LIMITS, maxMessageBytes: 2_000 },
      maxInFlight: 1, // messages wait while a request is out: the next request carries several
    });
    const market = testMarket(ids, () => ring);
    flusher.start();
    queue.faults.failNextEntries(3, false);
    market.frames(150);
    await flusher.close();
    sender.destroy();

    expect(queue.faults.refused).toBe(3);
    expect(flusher.counters.sqsEntryErrors).toBe(3);
    expect(flusher.counters.sqsRequests).toBeLessThan(flusher.counters.messagesSent); // several per request
    const ids_ = queuedIds(queue).sort((a, b) => a - b);
    expect(ids_).toEqual(market.pushedIds);
    expect(flusher.counters.dropped.rejected).toBe(0);
    expectConservation({ ring, flusher });
  });

  it("drops entries SQS refuses as the sender's fault: counted, logged, the rest delivered", async () => {
    const { handle, market } = await sink({ ...queue.faultySender });
    queue.faults.failNextEntries(1, true);
    market.frames(20);
    await handle.close();
    const { counters } = handle.flusher;
    expect(counters.dropped.rejected).toBeGreaterThan(0);
    expect(counters.dropped.rejected + queuedIds(queue).length).toBe(40);
    expect(counters.spooled).toBe(0);
    expect(log.messages("SQS refused edge messages as the sender's fault; edges dropped")).toHaveLength(1);
    expect(log.messages("edges dropped")[0]).toMatchObject({
      byReason: { rejected: counters.dropped.rejected },
    });
    expectConservation(handle);
  });

  it("SQS down: spools, then drains in order when SQS returns, before newer edges; none lost or doubled", async () => {
    const { handle, market } = await sink();
    await queue.proxy.down();
    market.frames(300);
    await eventually("edges spooled", () => handle.flusher.counters.spooled === 600);
    market.frames(300); // newer edges go behind them
    await eventually("more edges spooled", () => handle.flusher.counters.spooled === 1_200);
    expect(queue.bodies()).toEqual([]);
    expect(handle.flusher.spooling).toBe(true);
    expect(
      log.messages("SQS did not acknowledge within the flush interval; spooling edge messages until it does"),
    ).toHaveLength(1);

    await queue.proxy.up();
    await eventually("spool drained", () => !handle.flusher.spooling);
    market.frames(100); // straight to SQS again
    await handle.close();

    const ids = queuedIds(queue); // in the order SQS accepted the messages
    expectStrictlyIncreasing(ids);
    expect(ids).toEqual(market.pushedIds);
    const { counters } = handle.flusher;
    expect(counters.drainedFromSpool).toBe(1_200);
    expect(counters.sent).toBe(1_400);
    expect(counters.sqsRequestErrors).toBeGreaterThan(0);
    expect(log.messages("edge spool drained; sending directly")).toHaveLength(1);
    expectConservation(handle);
  });

  it("spool full: drops the overflow, counts it, logs it at most once per interval", async () => {
    const { handle, market } = await sink({ spoolMaxBytes: 4_000, logIntervalMs: 600_000 });
    await queue.proxy.down();
    for (let round = 0; round < 10; round++) {
      market.frames(20);
      await eventually(
        "the round spooled or dropped",
        () => handle.ring.size === 0 && handle.flusher.edgesInFlight === 0,
      );
    }
    const { counters } = handle.flusher;
    expect(counters.dropped.spoolFull).toBeGreaterThan(0);
    expect(counters.spooled).toBeGreaterThan(0);
    expect(counters.spooled + counters.dropped.spoolFull).toBe(400);
    expect(handle.flusher.spoolStats.bytes).toBeLessThanOrEqual(4_000);
    await eventually("drop logged", () => log.messages("edges dropped").length > 0);
    await new Promise((resolve) => setTimeout(resolve, 100)); // more ticks: no second line
    expect(log.messages("edges dropped")).toHaveLength(1);

    const text = new PrometheusWriter();
    renderEdgeSinkMetrics(text, handle.flusher);
    expect(text.text()).toContain(
      `hlbasis_edge_sink_dropped_total{reason="spoolFull"} ${counters.dropped.spoolFull}`,
    );
    expect(text.text()).toContain("hlbasis_edge_sink_spooling 1");

    await queue.proxy.up();
    await handle.close();
    expect(queuedIds(queue)).toHaveLength(counters.spooled);
    expectConservation(handle);
  });

  it("a restarted sink drains what the previous run spooled, before its own edges", async () => {
    const first = await sink({ closeDrainMs: 0 }, "11111111-2222-4333-8444-555555555555");
    await queue.proxy.down();
    first.market.frames(200);
    await first.handle.close();
    expect(first.handle.flusher.spoolStats.edges).toBe(400);
    await queue.proxy.up();

    // The drainer backs off up to 5 s after the outage it saw at start-up; give close() room to wait for it
    // (it returns as soon as the spool is empty) so a loaded machine does not leave the run's edges spooled.
    const second = await sink({ closeDrainMs: 15_000 }, "66666666-7777-4888-9999-aaaaaaaaaaaa");
    second.market.frames(50);
    // SQS is back: the spool must empty by itself (slowly on a loaded machine), before close() is asked to.
    await eventually(
      "the spool drained",
      () => second.handle.flusher.spoolStats.messages === 0 && !second.handle.flusher.spooling,
      60_000,
    );
    await second.handle.close();

    // In the order SQS accepted them: the old run's edges, then the new run's (spooled behind them).
    const batches = queue.bodies().map((body) => decodeEdgeBatch(body));
    const boots = batches.map((batch) => batch.bootId);
    expect(boots.lastIndexOf(first.handle.bootId)).toBeLessThan(boots.indexOf(second.handle.bootId));
    const byBoot = (boot: string): number[] =>
      batches
        .filter((batch) => batch.bootId === boot)
        .flatMap((batch) => batch.edges.map((edge) => edge.edgeId));
    expect(byBoot(first.handle.bootId)).toEqual(first.market.pushedIds);
    expect(byBoot(second.handle.bootId)).toEqual(second.market.pushedIds);
    expect(second.handle.flusher.counters.drainedFromSpool).toBeGreaterThanOrEqual(400);
    expect(log.messages("edge spool holds messages from an earlier run; draining them first")).toHaveLength(
      1,
    );
    const reopened = await EdgeSpool.open({ dir: spoolDir.path, maxBytes: 1 << 20, logger: log.logger });
    expect(reopened.isEmpty).toBe(true);
    await reopened.close();
  }, 90_000);

  it("close() with SQS down leaves every edge on disk, none only in RAM", async () => {
    const { handle, market } = await sink({ closeDrainMs: 0 });
    await queue.proxy.down();
    market.frames(500); // still in the ring when close() starts
    await handle.close();
    expectConservation(handle);
    expect(handle.flusher.spoolStats.edges).toBe(1_000);
    const reopened = await EdgeSpool.open({ dir: spoolDir.path, maxBytes: 1 << 24, logger: log.logger });
    expect(reopened.edgeCount).toBe(1_000);
    await reopened.close();
  });

  it("close() with SQS up sends the ring's last edges", async () => {
    const { handle, market } = await sink({ flushIntervalMs: 600_000 });
    market.frames(100);
    expect(handle.ring.size).toBe(200);
    await handle.close();
    expect(queuedIds(queue).sort((a, b) => a - b)).toEqual(market.pushedIds);
    expectConservation(handle);
    const line = log.messages("edge flusher closed")[0];
    expect(line).toMatchObject({ pushed: 200, sent: 200, dropped: 0, leftInRing: 0, spooledEdgesLeft: 0 });
  });
});
