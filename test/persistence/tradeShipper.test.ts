import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { PrometheusWriter } from "../../hotpath/metrics/prometheus.js";
import { EdgeSpool } from "../../hotpath/persistence/edgeSpool.js";
import {
  type TradeEvent,
  decodeTradeEvent,
  deduplicationIdOf,
  messageGroupIdOf,
} from "../../hotpath/persistence/tradeEventCodec.js";
import {
  SqsTradeSender,
  TradeShipper,
  type TradeShipperTuning,
  renderTradeShipperMetrics,
  startTradeShipper,
} from "../../hotpath/persistence/tradeShipper.js";
import { startTcpProxy, type TcpProxy } from "../lambdas/tcpProxy.js";
import { LOCAL_SQS_CREDENTIALS, startLocalSqs, type LocalSqs } from "../local/sqsEmulator.js";
import { waitFor } from "../local/waitFor.js";
import { capturedLogger, type CapturedLogger } from "./edgeSinkSupport.js";
import { startSqsFaultProxy, type SqsFaultProxy } from "./edgeSinkSqsFaults.js";
import {
  controlChangeOf,
  fillOf,
  fundingOf,
  intentAt,
  orderAt,
  rootIntent,
  transferOf,
} from "./tradeEventFixtures.js";

const FAST: TradeShipperTuning = {
  maxHoldMs: 600,
  tickMs: 20,
  retryBackoff: { minMs: 10, maxMs: 40 },
  drainBackoff: { minMs: 30, maxMs: 150 },
  requestTimeoutMs: 500,
  closeDrainMs: 3_000,
};

/** A stream like the executor's: per intent, the intent, its orders' progress and fills; plus other groups. */
function tradeStream(intents: number): TradeEvent[] {
  const events: TradeEvent[] = [];
  for (let n = 1; n <= intents; n++) {
    const root = rootIntent(n, {}, n % 2 === 0 ? "PURR" : "HYPE");
    events.push(
      intentAt(root, "intended"),
      intentAt(root, "sent"),
      orderAt(root, 0, "acked", 1000 + 2 * n),
      fillOf(root, 0, 10 * n, 1000 + 2 * n, "30.1", "1.5"),
      orderAt(root, 0, "filled", 1000 + 2 * n),
      intentAt(root, "hedged"),
    );
    if (n % 3 === 0) events.push(transferOf(n, null), controlChangeOf(n), fundingOf(n));
  }
  return events;
}

describe("trade shipper", () => {
  let sqs: LocalSqs;
  let client: SQSClient;
  let proxy: TcpProxy;
  let faults: SqsFaultProxy | undefined;
  let spoolDir: string;
  let log: CapturedLogger;
  const senders: SqsTradeSender[] = [];
  const shippers: TradeShipper[] = [];

  beforeEach(async () => {
    sqs = await startLocalSqs();
    client = sqs.createClient();
    proxy = await startTcpProxy("127.0.0.1", Number(new URL(sqs.endpoint).port));
    spoolDir = await mkdtemp(join(tmpdir(), "hlb-trade-spool-"));
    log = capturedLogger();
  });

  afterEach(async () => {
    for (const shipper of shippers.splice(0)) await shipper.close();
    for (const sender of senders.splice(0)) sender.destroy();
    await faults?.close();
    faults = undefined;
    await proxy.close();
    await sqs.stop();
    await rm(spoolDir, { recursive: true, force: true });
  });

  const sender = (endpoint = `http://127.0.0.1:${proxy.port}`): SqsTradeSender => {
    const made = new SqsTradeSender({
      queueUrl: sqs.queues.trades.url,
      region: sqs.region,
      endpoint,
      credentials: LOCAL_SQS_CREDENTIALS,
      connectTimeoutMs: 200,
    });
    senders.push(made);
    return made;
  };

  const shipper = async (
    tuning: TradeShipperTuning = {},
    endpoint?: string,
    start = true,
  ): Promise<TradeShipper> => {
    const spool = await EdgeSpool.open({ dir: spoolDir, maxBytes: 16 * 1024 * 1024, logger: log.logger });
    const made = new TradeShipper({
      ...FAST,
      ...tuning,
      sender: sender(endpoint),
      spool,
      logger: log.logger,
    });
    shippers.push(made);
    if (start) made.start();
    return made;
  };

  /** Every message in the queue, in the order SQS hands them out, with their FIFO attributes. */
  const receiveAll = async (
    expected: number,
  ): Promise<{ body: string; groupId: string; deduplicationId: string }[]> => {
    const received: { body: string; groupId: string; deduplicationId: string }[] = [];
    await waitFor(`${expected} messages in trades.fifo`, async () => {
      const output = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: sqs.queues.trades.url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ["All"],
        }),
      );
      for (const message of output.Messages ?? []) {
        received.push({
          body: message.Body ?? "",
          groupId: message.Attributes?.MessageGroupId ?? "",
          deduplicationId: message.Attributes?.MessageDeduplicationId ?? "",
        });
        await client.send(
          new DeleteMessageCommand({ QueueUrl: sqs.queues.trades.url, ReceiptHandle: message.ReceiptHandle }),
        );
      }
      return received.length >= expected;
    });
    return received;
  };

  /** The events of each group, in order. */
  const byGroup = (events: readonly TradeEvent[]): Map<string, TradeEvent[]> => {
    const groups = new Map<string, TradeEvent[]>();
    for (const event of events) {
      const group = messageGroupIdOf(event);
      groups.set(group, [...(groups.get(group) ?? []), event]);
    }
    return groups;
  };

  const expectDeliveredInOrder = async (events: readonly TradeEvent[]): Promise<void> => {
    const received = await receiveAll(events.length);
    expect(received).toHaveLength(events.length);
    for (const message of received) {
      const event = decodeTradeEvent(message.body);
      expect(message.groupId).toBe(messageGroupIdOf(event));
      expect(message.deduplicationId).toBe(deduplicationIdOf(event));
    }
    expect(byGroup(received.map((message) => decodeTradeEvent(message.body)))).toEqual(byGroup(events));
  };

  it("ships events with their group and deduplication ids, in order within every group", async () => {
    const shipping = await shipper();
    const events = tradeStream(8);
    for (const event of events) expect(shipping.ship(event)).toBe(true);
    await waitFor("all sent", () => shipping.counters.sent === events.length);
    await expectDeliveredInOrder(events);
    expect(shipping.counters.spooled).toBe(0);
    // Batched: ≤ 10 entries a request, so a few requests, not one per event.
    expect(shipping.counters.sqsRequests).toBeLessThanOrEqual(Math.ceil(events.length / 10) + 8);
  });

  it("lands an event shipped twice once (SQS deduplicates by the natural id)", async () => {
    const shipping = await shipper();
    const root = rootIntent(1);
    const events = [intentAt(root, "sent"), fillOf(root, 0, 7, 1, "30", "1.5")];
    for (const event of [...events, ...events]) shipping.ship(event);
    await waitFor("all sent", () => shipping.counters.sent === 4);
    await expectDeliveredInOrder(events);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const depth = await sqs.depth(sqs.queues.trades);
    expect(depth.visible + depth.inFlight).toBe(0);
  });

  it("spools while SQS is down and drains in order when it is back: nothing lost", async () => {
    const shipping = await shipper();
    const events = tradeStream(10);
    const [before, during] = [events.slice(0, 20), events.slice(20)];
    for (const event of before.slice(0, 6)) shipping.ship(event);
    await waitFor("first events sent", () => shipping.counters.sent === 6);

    await proxy.down();
    for (const event of before.slice(6)) shipping.ship(event);
    await waitFor("spooling", () => shipping.spooling);
    for (const event of during) shipping.ship(event);
    await waitFor("everything spooled", () => shipping.counters.spooled === events.length - 6);
    expect(shipping.queued).toBe(0);
    expect((await readdir(spoolDir)).some((name) => name.endsWith(".spool"))).toBe(true);
    expect(log.messages("SQS did not take trade messages in time; spooling them until it does")).toHaveLength(
      1,
    );

    await proxy.up();
    await waitFor("drained", () => !shipping.spooling && shipping.counters.sent === events.length, {
      timeoutMs: 20_000,
    });
    expect(shipping.counters.drainedFromSpool).toBe(events.length - 6);
    expect(shipping.counters.droppedTotal).toBe(0);
    await expectDeliveredInOrder(events);
  });

  it("retries entries SQS refuses as retryable, and drops (counts) those refused as its fault", async () => {
    faults = await startSqsFaultProxy(sqs.endpoint);
    const shipping = await shipper({}, faults.endpoint, false);
    const events = tradeStream(2);
    faults.failNextEntries(3, false, "InternalError");
    for (const event of events) shipping.ship(event);
    shipping.start();
    await waitFor("all sent", () => shipping.counters.sent === events.length);
    expect(faults.refused).toBe(3);
    // The refused entries were resent after later ones of their batch: the order may differ, the set not.
    const received = await receiveAll(events.length);
    expect(received.map((message) => message.deduplicationId).sort()).toEqual(
      events.map(deduplicationIdOf).sort(),
    );

    faults.failNextEntries(1, true, "InvalidParameterValue");
    shipping.ship(controlChangeOf(99));
    await waitFor("rejected", () => shipping.counters.dropped.rejected === 1);
    expect(shipping.counters.sent).toBe(events.length);
  });

  it("close() sends what is queued; with SQS down it spools it, and the next process drains it", async () => {
    const first = await shipper();
    const events = tradeStream(3);
    for (const event of events.slice(0, 5)) first.ship(event);
    await first.close();
    expect(first.counters.sent).toBe(5);
    expect(first.ship(events[5]!)).toBe(false);
    expect(first.counters.dropped.closed).toBe(1);

    await proxy.down();
    const second = await shipper({ closeDrainMs: 200 });
    for (const event of events.slice(5)) second.ship(event);
    await second.close();
    expect(second.counters.sent).toBe(0);
    expect(second.counters.spooled).toBe(events.length - 5);
    expect(log.messages("trade shipper closed").at(-1)).toMatchObject({ spooledLeft: events.length - 5 });

    await proxy.up();
    const third = await shipper();
    await waitFor("drained by the next process", () => third.counters.drainedFromSpool === events.length - 5);
    expect(log.messages("trade spool holds messages from an earlier run; draining them first")).toHaveLength(
      1,
    );
    await expectDeliveredInOrder(events);
  });

  it("drops (and counts) the newest event when the queue is full, and an event that cannot be encoded", async () => {
    const shipping = await shipper({ capacity: 4, logIntervalMs: 0 }, undefined, false);
    const events = tradeStream(1);
    const accepted = events.map((event) => shipping.ship(event));
    expect(accepted).toEqual([true, true, true, true, false, false]);
    expect(shipping.counters.dropped.queueFull).toBe(2);
    shipping.ship({ ...fundingOf(1), usdc: "1e-3" } as TradeEvent); // queue full: dropped as such
    shipping.start();
    await waitFor("sent", () => shipping.counters.sent === 4);
    const bad = { ...fundingOf(2), usdc: "NaN" } as TradeEvent;
    shipping.ship(bad);
    shipping.ship(fundingOf(3));
    await waitFor("sent after the bad one", () => shipping.counters.sent === 5);
    expect(shipping.counters.dropped.unencodable).toBe(1);
    expect(log.messages("trade event cannot be encoded; dropped")[0]).toMatchObject({
      level: "ERROR",
      kind: "funding",
    });
    const dropLog = await waitFor("drops logged", () =>
      log.messages("trade events dropped").find((line) => line["droppedTotal"] === 4),
    );
    expect(dropLog).toMatchObject({ level: "WARN", byReason: { queueFull: 3, unencodable: 1 } });

    const metrics = new PrometheusWriter();
    renderTradeShipperMetrics(metrics, shipping);
    const text = metrics.text();
    expect(text).toContain('hlbasis_trade_shipper_dropped_total{reason="queueFull"} 3');
    expect(text).toContain("hlbasis_trade_shipper_sent_total 5");
  });

  it("startTradeShipper wires the spool and the SQS client from configuration", async () => {
    const started = await startTradeShipper(
      {
        ...FAST,
        queueUrl: sqs.queues.trades.url,
        region: sqs.region,
        endpoint: sqs.endpoint,
        credentials: LOCAL_SQS_CREDENTIALS,
        spoolDir: join(spoolDir, "trades"),
      },
      { logger: log.logger },
    );
    const events = tradeStream(1);
    for (const event of events) started.shipper.ship(event);
    await started.close();
    expect(started.shipper.counters.sent).toBe(events.length);
    await expectDeliveredInOrder(events);
  });
});
