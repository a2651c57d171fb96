/**
 * Replay rate: plays a recorded capture instead of the model's market data.
 *
 * Capture format (JSONL): one WebSocket frame per line, optionally preceded by a receive timestamp and a
 * space, as in the hftbacktest capture (`1736682893953732482 {"channel":"l2Book",…}`). Timestamps may be
 * ns, µs or ms (told apart by magnitude); a line without one is paced by its `data.time`, else sent with
 * the previous line. Acks, pongs, post answers and errors in the capture are skipped, as are user-feed
 * frames (a capture's fills belong to someone else's account).
 *
 * Frames are routed by channel and coin: `l2Book` to both standard and fast subscribers (cut to 5 levels
 * for the latter), `bbo`, `trades` (by the first trade's coin), `activeAssetCtx`/`activeSpotAssetCtx`. The
 * last frame of each topic is kept so a new subscription starts with it, as it would from the model.
 *
 * Pacing: `speed` 1 plays at the recorded pace, 2 twice as fast, 0 as fast as the event loop allows (in
 * batches). `loop` restarts at the end. `step(n)` plays the next n frames at once, for tests.
 */
import { readFileSync } from "node:fs";

import type { FeedHub } from "./feed-hub.js";
import { bookData, dataFrame } from "./frames.js";
import type { MarketDriver } from "./market-driver.js";
import { FAST_BOOK_LEVELS, topicOf, type FeedSubscription } from "./subscriptions.js";
import type { TimerSet } from "./timer-set.js";
import type { L2BookView } from "../core/index.js";

export interface ReplayOptions {
  readonly speed: number;
  readonly loop: boolean;
}

/** One playable line: where it goes and when (ms on the capture's clock, if known). */
export interface ReplayFrame {
  readonly atMs: number | undefined;
  readonly deliveries: readonly {
    readonly topic: string;
    readonly channel: string;
    readonly frame: string;
  }[];
}

/** A capture that cannot be read or parsed; `line` is 1-based, absent when the file itself failed. */
export class ReplayFormatError extends Error {
  override readonly name = "ReplayFormatError";
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    reason: string,
  ) {
    super(`${file}${line === undefined ? "" : `:${line}`}: ${reason}`);
  }
}

const SKIPPED_CHANNELS = new Set(["subscriptionResponse", "pong", "post", "error"]);
const USER_CHANNELS = new Set([
  "orderUpdates",
  "userFills",
  "user",
  "userFundings",
  "userNonFundingLedgerUpdates",
]);
const TIMESTAMPED_LINE = /^(\d+)\s+(\{.*\})\s*$/;
const BATCH_FRAMES = 256;

function toMs(timestamp: number): number {
  if (timestamp > 1e17) return timestamp / 1e6;
  if (timestamp > 1e14) return timestamp / 1e3;
  return timestamp;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function coinOf(channel: string, data: unknown): string | undefined {
  const source = channel === "trades" && Array.isArray(data) ? (data[0] as unknown) : data;
  return isRecord(source) && typeof source["coin"] === "string" ? source["coin"] : undefined;
}

function deliveriesOf(channel: string, data: unknown, text: string): ReplayFrame["deliveries"] {
  const coin = coinOf(channel, data);
  if (coin === undefined) return [];
  switch (channel) {
    case "l2Book": {
      const fast = dataFrame("l2Book", bookData(data as L2BookView, FAST_BOOK_LEVELS, true));
      return [
        { topic: topicOf({ type: "l2Book", coin, fast: false }), channel, frame: text },
        { topic: topicOf({ type: "l2Book", coin, fast: true }), channel, frame: fast },
      ];
    }
    case "bbo":
    case "trades":
      return [{ topic: topicOf({ type: channel, coin }), channel, frame: text }];
    case "activeAssetCtx":
    case "activeSpotAssetCtx":
      return [{ topic: topicOf({ type: "activeAssetCtx", coin }), channel, frame: text }];
    default:
      return [];
  }
}

/** Parses a capture; throws `ReplayFormatError` naming the first bad line. */
export function parseCapture(file: string, text: string): ReplayFrame[] {
  const frames: ReplayFrame[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "") return;
    const stamped = TIMESTAMPED_LINE.exec(line);
    const json = stamped?.[2] ?? line;
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw new ReplayFormatError(file, index + 1, `not JSON: ${(error as Error).message}`);
    }
    if (!isRecord(parsed) || typeof parsed["channel"] !== "string") {
      throw new ReplayFormatError(file, index + 1, "expected a frame with a string `channel`");
    }
    const channel = parsed["channel"];
    if (SKIPPED_CHANNELS.has(channel) || USER_CHANNELS.has(channel)) return;
    const data = parsed["data"];
    const dataTime = isRecord(data) && typeof data["time"] === "number" ? data["time"] : undefined;
    const atMs = stamped?.[1] === undefined ? dataTime : toMs(Number(stamped[1]));
    const deliveries = deliveriesOf(channel, data, json);
    if (deliveries.length > 0) frames.push({ atMs, deliveries });
  });
  return frames;
}

export function loadCapture(file: string): ReplayFrame[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ReplayFormatError(file, undefined, `cannot read: ${(error as Error).message}`);
  }
  return parseCapture(file, text);
}

export class ReplayFeed implements MarketDriver {
  private readonly latest = new Map<string, string>();
  private next = 0;
  private playing = false;
  private stopped = false;
  /** Bumped on pause/resume, so a timer scheduled before a pause cannot start a second playback chain. */
  private epoch = 0;
  /** Wall time and capture time of the frame playback was (re)anchored at. */
  private anchor: { wallMs: number; captureMs: number } | undefined;
  played = 0;

  constructor(
    private readonly frames: readonly ReplayFrame[],
    private readonly hub: FeedHub,
    private readonly timers: TimerSet,
    private readonly options: ReplayOptions,
  ) {}

  get running(): boolean {
    return this.playing;
  }

  get finished(): boolean {
    return this.next >= this.frames.length && !this.options.loop;
  }

  resume(): void {
    if (this.playing || this.stopped) return;
    this.playing = true;
    this.epoch++;
    this.anchor = undefined;
    this.schedule();
  }

  pause(): void {
    this.playing = false;
    this.epoch++;
  }

  step(count: number): void {
    for (let i = 0; i < count && this.play(); i++);
  }

  stop(): void {
    this.playing = false;
    this.stopped = true;
  }

  initialFrames(feed: FeedSubscription): string[] {
    const frame = this.latest.get(topicOf(feed));
    return frame === undefined ? [] : [frame];
  }

  /** Plays the next frame; false at the end of a capture that does not loop. */
  private play(): boolean {
    if (this.next >= this.frames.length) {
      if (!this.options.loop || this.frames.length === 0) return false;
      this.next = 0;
      this.anchor = undefined;
    }
    const frame = this.frames[this.next++] as ReplayFrame;
    for (const delivery of frame.deliveries) {
      this.latest.set(delivery.topic, delivery.frame);
      this.hub.publish(delivery.topic, delivery.channel, delivery.frame);
    }
    this.played++;
    return true;
  }

  /** Wall ms until the next frame is due (0 = now). */
  private waitMs(): number {
    const frame = this.frames[this.next];
    if (this.options.speed <= 0 || frame?.atMs === undefined) return 0;
    const now = performance.now();
    if (this.anchor === undefined) {
      this.anchor = { wallMs: now, captureMs: frame.atMs };
      return 0;
    }
    return Math.max(0, this.anchor.wallMs + (frame.atMs - this.anchor.captureMs) / this.options.speed - now);
  }

  private schedule(): void {
    if (!this.playing) return;
    if (this.finished) {
      this.playing = false;
      return;
    }
    const wait = this.next >= this.frames.length ? 0 : this.waitMs();
    const epoch = this.epoch;
    if (wait > 0) this.timers.after(wait, () => this.drainDue(epoch));
    else this.timers.immediate(() => this.drainDue(epoch));
  }

  /** Plays every frame that is due (at most a batch), then schedules the rest. */
  private drainDue(epoch: number): void {
    if (!this.playing || epoch !== this.epoch) return;
    for (let n = 0; n < BATCH_FRAMES; n++) {
      if (!this.play()) break;
      if (this.next < this.frames.length && this.waitMs() > 0) break;
    }
    this.schedule();
  }
}
