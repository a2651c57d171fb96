/**
 * What moves the simulated market: the block clock (the model) or a replayed capture. Both answer to the
 * same controls, so tests and the admin surface can pause, resume and single-step either.
 *
 * The block clock steps the core by exactly `blockMs` of simulated time per block, so the stream depends on
 * the number of blocks only, never on timer jitter. On a timer it stays locked to the wall clock: each tick
 * runs the blocks that are due since the clock was (re)started, catching up after a late tick, and gives
 * up a backlog larger than `MAX_CATCH_UP_BLOCKS` (after a debugger pause, say) rather than bursting.
 */
import type { ExchangeCore } from "../core/index.js";
import type { TimerSet } from "./timer-set.js";

export interface MarketDriver {
  /** Whether the driver advances on its own (false while paused, or when stepped by hand only). */
  readonly running: boolean;
  pause(): void;
  resume(): void;
  /** Advances by `count` units (blocks, or replayed frames) right now, running or not. */
  step(count: number): void;
  stop(): void;
}

export type ClockMode = "timer" | "manual";

const MAX_CATCH_UP_BLOCKS = 20;

export class BlockClock implements MarketDriver {
  private cancelTimer: (() => void) | undefined;
  private anchorMs = 0;
  private blocksSinceAnchor = 0;
  private stopped = false;

  constructor(
    private readonly core: ExchangeCore,
    private readonly blockMs: number,
    private readonly timers: TimerSet,
    private readonly onBlock: () => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  get running(): boolean {
    return this.cancelTimer !== undefined;
  }

  resume(): void {
    if (this.stopped || this.cancelTimer !== undefined) return;
    this.anchorMs = performance.now();
    this.blocksSinceAnchor = 0;
    this.cancelTimer = this.timers.every(this.blockMs, () => this.tick());
  }

  pause(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  step(count: number): void {
    for (let i = 0; i < count && !this.stopped; i++) this.block();
  }

  stop(): void {
    this.pause();
    this.stopped = true;
  }

  private tick(): void {
    const due = Math.floor((performance.now() - this.anchorMs) / this.blockMs) - this.blocksSinceAnchor;
    if (due > MAX_CATCH_UP_BLOCKS) {
      this.anchorMs = performance.now();
      this.blocksSinceAnchor = 0;
      return;
    }
    for (let i = 0; i < due && this.cancelTimer !== undefined; i++) {
      this.blocksSinceAnchor++;
      this.block();
    }
  }

  private block(): void {
    try {
      this.core.step(this.blockMs);
      this.onBlock();
    } catch (error) {
      this.onError(error);
    }
  }
}
