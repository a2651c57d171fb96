/**
 * The non-model rates: `stress` (pre-framed books as fast as the socket drains, time strictly increasing
 * across loops of the pre-generated stream, bounded buffering when the client stops reading) and `replay`
 * (a recorded capture played on the market channels, stepped frame by frame).
 */
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { decodeWsMessage } from "../../../hotpath/exchange/wire/decode-ws.js";
import { parseCapture, ReplayFormatError } from "./replay-feed.js";
import { FIXTURES, roundTrip, testSimulator, useSimulators, type Level } from "./testkit.js";

const CAPTURE = `${FIXTURES}/hftbacktest-capture/hype_ws_capture_2025-01-12.txt`;

const { start, connect } = useSimulators();

describe("stress rate", () => {
  it("streams valid 20-level books with strictly increasing time across loops of the stream", async () => {
    const sim = await start({ rate: "stress", stress: { frames: 8 } });
    const ws = await connect(sim);
    ws.subscribe({ type: "l2Book", coin: "HYPE" });
    await ws.channel("subscriptionResponse");
    const deadline = Date.now() + 3000;
    while (ws.raw.length < 200 && Date.now() < deadline) await ws.settle(10);
    ws.close();
    const books = ws.raw.slice(1, 200);
    expect(books.length).toBe(199);
    let lastTime = 0;
    for (const text of books) {
      const result = decodeWsMessage(text);
      if (!result.ok || result.message.channel !== "l2Book")
        throw new Error(`bad frame ${text.slice(0, 80)}`);
      const { time, levels } = result.message.data;
      expect(time).toBeGreaterThan(lastTime);
      lastTime = time;
      expect(levels[0].length).toBe(20);
      expect(Number(levels[0][0]?.px)).toBeLessThan(Number(levels[1][0]?.px));
    }
  });

  it("stops sending while the client does not read, and resumes when it does", async () => {
    const sim = await start({ rate: "stress", stress: { highWaterBytes: 64 * 1024 } });
    const ws = await connect(sim);
    ws.subscribe({ type: "l2Book", coin: "HYPE", fast: true });
    await ws.channel("l2Book");
    ws.socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const status = (): number => sim.status().streamedFrames ?? 0;
    const stalledAt = status();
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Bounded: nothing more is queued once the kernel buffers and the high-water mark are full.
    expect(status()).toBe(stalledAt);
    ws.socket.resume();
    const deadline = Date.now() + 3000;
    while (status() === stalledAt && Date.now() < deadline) await ws.settle(20);
    expect(status()).toBeGreaterThan(stalledAt);
    await roundTrip(ws);
  });

  it("keeps serving pings and posts next to the stream", async () => {
    const sim = await start({ rate: "stress" });
    const ws = await connect(sim);
    ws.subscribe({ type: "l2Book", coin: "HYPE" });
    await ws.channel("l2Book");
    await roundTrip(ws);
    ws.send({ method: "post", id: 5, request: { type: "info", payload: { type: "allMids" } } });
    await ws.channel("post");
  });
});

describe("replay rate", () => {
  it("plays the recorded frames verbatim on the market channels, frame by frame", async () => {
    const sim = await start({ rate: "replay", replayFile: CAPTURE });
    const ws = await connect(sim);
    ws.subscribe({ type: "l2Book", coin: "HYPE" });
    ws.subscribe({ type: "l2Book", coin: "HYPE", fast: true });
    ws.subscribe({ type: "trades", coin: "HYPE" });
    await roundTrip(ws);
    // Nothing played yet, so no initial snapshots: only the acks.
    expect(ws.drain().map((frame) => frame.channel)).toEqual([
      "subscriptionResponse",
      "subscriptionResponse",
      "subscriptionResponse",
    ]);

    sim.market.step(2); // the capture: trades, (ack: skipped), l2Book
    await roundTrip(ws);
    const lines = (await import("node:fs")).readFileSync(CAPTURE, "utf8").split("\n");
    const recordedTrades = lines[0]?.slice(lines[0].indexOf(" ") + 1);
    const recordedBook = lines[2]?.slice(lines[2].indexOf(" ") + 1);
    expect(ws.raw).toContain(recordedTrades);
    expect(ws.raw).toContain(recordedBook);
    const books = ws.frames.filter((frame) => frame.channel === "l2Book");
    expect(books).toHaveLength(2);
    const depths = books
      .map((frame) => (frame.data as { levels: [Level[], Level[]] }).levels[0].length)
      .sort();
    expect(depths).toEqual([20, 5]);

    // A late subscriber starts from the last replayed frame.
    const late = await connect(sim);
    late.subscribe({ type: "l2Book", coin: "HYPE" });
    await late.channel("subscriptionResponse");
    expect((await late.channel("l2Book")).data).toEqual(
      (JSON.parse(recordedBook ?? "") as { data: unknown }).data,
    );
  });

  it("plays on its own at the recorded pace when running", async () => {
    const sim = await start({
      rate: "replay",
      replayFile: CAPTURE,
      clock: "timer",
      paused: true,
      replay: { speed: 0 },
    });
    const ws = await connect(sim);
    ws.subscribe({ type: "l2Book", coin: "HYPE" });
    await ws.channel("subscriptionResponse");
    sim.market.resume();
    await ws.channel("l2Book");
  });

  it("parses timestamps in ns, µs and ms, untimed lines, and names bad lines", () => {
    const book = '{"channel":"l2Book","data":{"coin":"HYPE","time":5,"levels":[[],[]]}}';
    const frames = parseCapture(
      "x.jsonl",
      [`1736682893953732482 ${book}`, `1736682893953733 ${book}`, `1736682893954 ${book}`, book, ""].join(
        "\n",
      ),
    );
    expect(frames.map((frame) => Math.floor(frame.atMs ?? -1))).toEqual([
      1736682893953, 1736682893953, 1736682893954, 5,
    ]);
    expect(() => parseCapture("x.jsonl", `${book}\n{oops`)).toThrow(ReplayFormatError);
    expect(() => parseCapture("x.jsonl", `${book}\n{oops`)).toThrow(/x\.jsonl:2/);
  });

  it("loads a JSONL capture from disk and refuses a replay rate without a file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-replay-"));
    const file = join(dir, "capture.jsonl");
    writeFileSync(file, '{"channel":"bbo","data":{"coin":"HYPE","time":1,"bbo":[null,null]}}\n');
    const sim = await start({ rate: "replay", replayFile: file });
    const ws = await connect(sim);
    ws.subscribe({ type: "bbo", coin: "HYPE" });
    await roundTrip(ws);
    sim.market.step(1);
    expect((await ws.channel("bbo")).data).toEqual({ coin: "HYPE", time: 1, bbo: [null, null] });
    await expect(testSimulator({ rate: "replay" })).rejects.toThrow(/replayFile/);
  });
});
