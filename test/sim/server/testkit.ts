/**
 * Shared fixtures for the simulator server's tests: a simulator with test-friendly defaults (fixed start
 * time, a manual or fast clock) and a `ws` client that queues every frame it receives and waits for the one
 * a test expects.
 */
import { once } from "node:events";
import { fileURLToPath } from "node:url";

import { afterEach } from "vitest";
import WebSocket from "ws";

import { START } from "../core/testkit.js";
import { startSimulator, type Simulator } from "./simulator.js";
import type { SimulatorOptions } from "./options.js";

export { START };

/** The recorded exchange payloads, next to the repository (`../shared/hyperliquid/fixtures`). */
export const FIXTURES = fileURLToPath(new URL("../../../../shared/hyperliquid/fixtures", import.meta.url));

/** Frames as parsed JSON; `channel` is always there on this server's frames. */
export interface Frame {
  readonly channel: string;
  readonly data?: unknown;
  readonly [key: string]: unknown;
}

/** A simulator on a fixed start time, fast cadences, and errors turned into test failures. */
export async function testSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const errors: unknown[] = [];
  const sim = await startSimulator({
    seed: 7,
    startTimeMs: START,
    clock: "manual",
    cadence: { fastBookMs: 140, bookMs: 700, assetCtxMs: 140 },
    onError: (error) => errors.push(error),
    ...options,
  });
  return {
    ...sim,
    stop: async () => {
      await sim.stop();
      if (errors.length > 0) throw new AggregateError(errors, "the simulator reported errors");
    },
  };
}

/**
 * Simulators and probes for one test file, torn down after each test: call once at the top of the file,
 * then `start(options)` and `connect(sim)` inside tests.
 */
export function useSimulators(): {
  start: (options?: SimulatorOptions) => Promise<Simulator>;
  connect: (sim: Simulator) => Promise<WsProbe>;
} {
  const running: Simulator[] = [];
  const probes: WsProbe[] = [];
  afterEach(async () => {
    for (const probe of probes.splice(0)) probe.close();
    for (const sim of running.splice(0)) await sim.stop();
  });
  return {
    start: async (options) => {
      const sim = await testSimulator(options);
      running.push(sim);
      return sim;
    },
    connect: async (sim) => {
      const probe = await WsProbe.connect(sim.ws);
      probes.push(probe);
      return probe;
    },
  };
}

export class WsProbe {
  readonly frames: Frame[] = [];
  readonly raw: string[] = [];
  private waiters: (() => void)[] = [];
  private closeInfo: { code: number; reason: string } | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data: Buffer) => {
      const text = data.toString("utf8");
      this.raw.push(text);
      this.frames.push(JSON.parse(text) as Frame);
      this.wake();
    });
    socket.on("close", (code: number, reason: Buffer) => {
      this.closeInfo = { code, reason: reason.toString() };
      this.wake();
    });
  }

  static async connect(url: string): Promise<WsProbe> {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    const probe = new WsProbe(socket);
    await once(socket, "open");
    return probe;
  }

  get closed(): { code: number; reason: string } | undefined {
    return this.closeInfo;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  subscribe(subscription: Record<string, unknown>): void {
    this.send({ method: "subscribe", subscription });
  }

  unsubscribe(subscription: Record<string, unknown>): void {
    this.send({ method: "unsubscribe", subscription });
  }

  /** Resolves with the first frame (from `from` on) that `match` accepts, and removes it from the queue. */
  async next(match: (frame: Frame) => boolean, timeoutMs = 3000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex(match);
      if (index >= 0) return this.frames.splice(index, 1)[0] as Frame;
      if (this.closeInfo !== undefined)
        throw new Error(`socket closed (${this.closeInfo.code}) while waiting`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; got ${this.describe()}`);
      await this.wait(left);
    }
  }

  channel(name: string, timeoutMs?: number): Promise<Frame> {
    return this.next((frame) => frame.channel === name, timeoutMs);
  }

  /** Waits until the socket is closed; returns the close code. */
  async whenClosed(timeoutMs = 3000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeInfo === undefined) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`socket still open after ${timeoutMs} ms`);
      await this.wait(left);
    }
    return this.closeInfo;
  }

  /** Lets the event loop run so frames in flight arrive, then returns what is queued. */
  async settle(ms = 50): Promise<Frame[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.frames;
  }

  drain(): Frame[] {
    return this.frames.splice(0);
  }

  close(): void {
    this.socket.terminate();
  }

  private describe(): string {
    return this.frames.map((frame) => frame.channel).join(", ") || "nothing";
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      this.waiters.push(done);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

/** A round trip on the socket, so everything the server sent before it has arrived. */
export async function roundTrip(probe: WsProbe): Promise<void> {
  probe.send({ method: "ping" });
  await probe.channel("pong");
}

export async function postJson(
  url: string,
  body: unknown,
): Promise<{ status: number; text: string; type: string | null }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text(), type: response.headers.get("content-type") };
}

/** The user and its data, shaped for frames that carry levels. */
export interface Level {
  readonly px: string;
  readonly sz: string;
  readonly n: number;
}
