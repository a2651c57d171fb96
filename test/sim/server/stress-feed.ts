/**
 * Stress rate: `l2Book` frames streamed to each subscriber as fast as its socket drains, so the simulator
 * is never the bottleneck of a feed benchmark.
 *
 * At start-up a private core (same seed and markets as the live one) is stepped `frames` blocks and every
 * snapshot is serialised once, both at 20 levels and at 5 (`fast`), into a Buffer. Streaming then costs a
 * send per frame: no model step, no JSON. The stream loops; to keep `time` strictly increasing across
 * loops, each frame's 13 time digits are rewritten in place before it is sent (uWS copies on `send`, so the
 * shared buffer can be reused at once; the pure-JS fallback keeps a reference, so it gets a copy).
 *
 * Backpressure: a connection's pump sends in corked batches while uWS holds less than `highWaterBytes`
 * for it, then waits for `drain` (polling instead if the build has no drain event). A batch that ends without
 * backpressure yields to the event loop (`setImmediate`) before the next, so other sockets, posts and
 * timers keep being served. Nothing is ever buffered beyond the high-water mark plus one frame.
 */
import type { ExchangeCore } from "../core/index.js";
import type { Connection } from "./connection.js";
import { bookData, dataFrame } from "./frames.js";
import { FAST_BOOK_LEVELS, STANDARD_BOOK_LEVELS, topicOf } from "./subscriptions.js";
import type { TimerSet } from "./timer-set.js";
import type { TransportFaults } from "./transport-faults.js";

export interface StressOptions {
  /** Snapshots pre-generated per coin (the stream loops over them). */
  readonly frames: number;
  /** Stop sending to a socket while uWS buffers more than this for it. */
  readonly highWaterBytes: number;
  /** Frames per corked batch before yielding to the event loop. */
  readonly batchFrames: number;
}

export const DEFAULT_STRESS_OPTIONS: StressOptions = {
  frames: 1024,
  highWaterBytes: 512 * 1024,
  batchFrames: 512,
};

const TIME_DIGITS = 13;
const TIME_KEY = '"time":';
const NO_DRAIN_POLL_MS = 1;
const STALL_POLL_MS = 20;

/** One coin's pre-framed snapshots at one depth. */
class FrameLoop {
  constructor(
    readonly frames: readonly Buffer[],
    private readonly timeOffsets: readonly number[],
    private readonly times: readonly number[],
    /** Simulated time one pass covers; added to every time on each further pass. */
    private readonly spanMs: number,
  ) {}

  get length(): number {
    return this.frames.length;
  }

  /** Frame `index` of pass `pass`, its time rewritten; `copy` for senders that keep a reference. */
  frame(index: number, pass: number, copy: boolean): Buffer {
    const source = this.frames[index] as Buffer;
    const frame = copy ? Buffer.from(source) : source;
    writeDigits(frame, this.timeOffsets[index] as number, (this.times[index] as number) + pass * this.spanMs);
    return frame;
  }
}

function writeDigits(target: Buffer, offset: number, value: number): void {
  let rest = value;
  for (let i = TIME_DIGITS - 1; i >= 0; i--) {
    target[offset + i] = 48 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
}

function preframe(text: string, time: number): { frame: Buffer; offset: number } {
  const frame = Buffer.from(text, "utf8");
  const offset = frame.indexOf(TIME_KEY) + TIME_KEY.length;
  if (
    String(time).length !== TIME_DIGITS ||
    frame.toString("latin1", offset, offset + TIME_DIGITS) !== String(time)
  ) {
    throw new Error(`stress frames need a ${TIME_DIGITS}-digit time at a known place, got ${time}`);
  }
  return { frame, offset };
}

/** Steps `core` (a private instance) `blocks` times and pre-frames every book it publishes, per topic. */
export function preframeBooks(core: ExchangeCore, blocks: number, blockMs: number): Map<string, FrameLoop> {
  const collected = new Map<string, { frames: Buffer[]; offsets: number[]; times: number[] }>();
  const add = (topic: string, text: string, time: number): void => {
    let entry = collected.get(topic);
    if (entry === undefined) {
      entry = { frames: [], offsets: [], times: [] };
      collected.set(topic, entry);
    }
    const { frame, offset } = preframe(text, time);
    entry.frames.push(frame);
    entry.offsets.push(offset);
    entry.times.push(time);
  };
  const unsubscribe = core.subscribe((event) => {
    if (event.type !== "l2Book") return;
    const view = event.data;
    for (const fast of [false, true]) {
      const levels = fast ? FAST_BOOK_LEVELS : STANDARD_BOOK_LEVELS;
      add(
        topicOf({ type: "l2Book", coin: view.coin, fast }),
        dataFrame("l2Book", bookData(view, levels, fast)),
        view.time,
      );
    }
  });
  try {
    for (let i = 0; i < blocks; i++) core.step(blockMs);
  } finally {
    unsubscribe();
  }
  const loops = new Map<string, FrameLoop>();
  for (const [topic, entry] of collected) {
    const first = entry.times[0] ?? 0;
    const last = entry.times.at(-1) ?? first;
    loops.set(topic, new FrameLoop(entry.frames, entry.offsets, entry.times, last - first + blockMs));
  }
  return loops;
}

/** What the uWS build does on `send` (see `hotpath/host/uws.ts`). */
export interface SendTraits {
  /** `send` copies its argument (native uWS), so a shared buffer may be rewritten right after. */
  readonly copies: boolean;
  readonly drainEvent: boolean;
}

interface Cursor {
  readonly topic: string;
  readonly loop: FrameLoop;
  index: number;
  pass: number;
}

/** Streams a connection's l2Book subscriptions round-robin, paced by its socket. */
class Pump {
  private readonly cursors: Cursor[] = [];
  private turn = 0;
  private scheduled = false;
  private waitingForDrain = false;
  sent = 0;

  constructor(
    private readonly connection: Connection,
    private readonly options: StressOptions,
    private readonly timers: TimerSet,
    private readonly faults: TransportFaults,
    private readonly sends: SendTraits,
  ) {}

  get idle(): boolean {
    return this.cursors.length === 0;
  }

  add(topic: string, loop: FrameLoop): void {
    this.cursors.push({ topic, loop, index: 0, pass: 0 });
    this.schedule();
  }

  remove(topic: string): void {
    const at = this.cursors.findIndex((cursor) => cursor.topic === topic);
    if (at >= 0) this.cursors.splice(at, 1);
  }

  onDrain(): void {
    if (!this.waitingForDrain) return;
    this.waitingForDrain = false;
    this.run();
  }

  private schedule(delayMs = 0): void {
    if (this.scheduled || this.waitingForDrain) return;
    this.scheduled = true;
    const run = (): void => {
      this.scheduled = false;
      this.run();
    };
    if (delayMs > 0) this.timers.after(delayMs, run);
    else this.timers.immediate(run);
  }

  private run(): void {
    if (this.cursors.length === 0 || !this.connection.isOpen) return;
    if (this.faults.isStalled("l2Book")) {
      this.schedule(STALL_POLL_MS);
      return;
    }
    let blocked = false;
    this.connection.cork(() => {
      for (let n = 0; n < this.options.batchFrames; n++) {
        if (this.connection.bufferedAmount() > this.options.highWaterBytes) {
          blocked = true;
          return;
        }
        const status = this.connection.sendRaw(this.nextFrame());
        this.sent++;
        if (status !== 1) {
          blocked = true;
          return;
        }
      }
    });
    if (!blocked) this.schedule();
    else if (this.sends.drainEvent) this.waitingForDrain = true;
    else this.schedule(NO_DRAIN_POLL_MS);
  }

  private nextFrame(): Buffer {
    const cursor = this.cursors[this.turn++ % this.cursors.length] as Cursor;
    const frame = cursor.loop.frame(cursor.index, cursor.pass, !this.sends.copies);
    if (++cursor.index === cursor.loop.length) {
      cursor.index = 0;
      cursor.pass++;
    }
    return frame;
  }
}

export class StressFeed {
  private readonly pumps = new Map<Connection, Pump>();

  constructor(
    private readonly loops: ReadonlyMap<string, FrameLoop>,
    private readonly options: StressOptions,
    private readonly timers: TimerSet,
    private readonly faults: TransportFaults,
    private readonly sends: SendTraits,
  ) {}

  /** Starts streaming `topic` (an l2Book topic) to `connection`; false if there is no stream for it. */
  start(connection: Connection, topic: string): boolean {
    const loop = this.loops.get(topic);
    if (loop === undefined) return false;
    let pump = this.pumps.get(connection);
    if (pump === undefined) {
      pump = new Pump(connection, this.options, this.timers, this.faults, this.sends);
      this.pumps.set(connection, pump);
    }
    pump.add(topic, loop);
    return true;
  }

  stopTopic(connection: Connection, topic: string): void {
    const pump = this.pumps.get(connection);
    if (pump === undefined) return;
    pump.remove(topic);
    if (pump.idle) this.pumps.delete(connection);
  }

  onDrain(connection: Connection): void {
    this.pumps.get(connection)?.onDrain();
  }

  onClose(connection: Connection): void {
    this.pumps.delete(connection);
  }

  /** Frames sent so far across all connections still open. */
  framesSent(): number {
    let total = 0;
    for (const pump of this.pumps.values()) total += pump.sent;
    return total;
  }
}
