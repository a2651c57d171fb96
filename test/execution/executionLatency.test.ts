/**
 * The per-root-intent breakdown `ExecutionLatency` hands out (logged as `intent latency`, read by the saved
 * Logs Insights query): once per root, when its answer and first fill came or it resolved without them,
 * never for follow-ups, with every stage in µs.
 */

import { describe, expect, it } from "vitest";

import { ExecutionLatency, type RootLatency } from "../../hotpath/execution/executionLatency.js";

const STAMPS = {
  bookExchangeTimeMs: 1_000,
  receivedAtMs: 10,
  sinkAtMs: 10.004,
  decidedAtMs: 10.015,
  journaledAtMs: 10.05,
  signedAtMs: 10.06,
  writtenAtMs: 10.1,
};

function latency(): { meter: ExecutionLatency; lines: RootLatency[] } {
  const lines: RootLatency[] = [];
  // Monotonic 10 ms is epoch 1 002 ms: the frame arrived 2 ms after its exchange time.
  const meter = new ExecutionLatency(
    (ms) => 992 + ms,
    (line) => lines.push(line),
  );
  return { meter, lines };
}

describe("ExecutionLatency root breakdown", () => {
  it("reports a root once, after both its answer and its first fill", () => {
    const { meter, lines } = latency();
    meter.recordSend("root-1", STAMPS, { coin: "HYPE", kind: "open" });
    meter.written("follow-1", 11);
    meter.filled("root-1", 10.9);
    expect(lines).toHaveLength(0);
    meter.answered("root-1", 10.6);
    meter.answered("follow-1", 11.5);
    meter.filled("follow-1", 11.6);
    meter.forget("root-1");
    expect(lines).toEqual([
      {
        intentId: "root-1",
        coin: "HYPE",
        kind: "open",
        status: "filled",
        latencyUs: {
          exchangeToReceive: 2_000,
          receiveToSink: 4,
          sinkToDecided: 11,
          decidedToJournaled: 35,
          journaledToSigned: 10,
          signedToWritten: 40,
          tickToWire: 100,
          writtenToAck: 500,
          writtenToFill: 800,
        },
      },
    ]);
  });

  it("reports what a root reached when it resolves without an answer or a fill", () => {
    const { meter, lines } = latency();
    meter.recordSend(
      "root-2",
      { ...STAMPS, bookExchangeTimeMs: Number.NaN },
      { coin: "HYPE", kind: "close" },
    );
    meter.forget("root-2");
    meter.forget("root-2");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ status: "unanswered", kind: "close" });
    expect(lines[0]!.latencyUs).toMatchObject({
      exchangeToReceive: null,
      writtenToAck: null,
      writtenToFill: null,
    });
  });
});
