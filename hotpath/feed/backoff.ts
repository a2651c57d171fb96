/**
 * Reconnect delays: exponential in the number of consecutive failed attempts, capped, with "equal jitter"
 * (half the step fixed, half random) so that many clients dropped by the same server event do not all
 * reconnect in the same millisecond, while a single client still gets a usefully short first retry.
 */

export interface BackoffLimits {
  readonly minMs: number;
  readonly maxMs: number;
}

export class ReconnectBackoff {
  private attempts = 0;

  constructor(
    private readonly limits: BackoffLimits,
    /** Uniform in [0, 1); injectable so tests are deterministic. */
    private readonly random: () => number = Math.random,
  ) {
    if (!(limits.minMs > 0 && limits.maxMs >= limits.minMs)) {
      throw new RangeError(`backoff needs 0 < minMs ≤ maxMs, got ${limits.minMs}..${limits.maxMs}`);
    }
  }

  /** Consecutive attempts since the last `reset`. */
  get attempt(): number {
    return this.attempts;
  }

  /** The delay before the next attempt, in [step/2, step) with step = min(max, min·2^attempt). */
  next(): number {
    const step = Math.min(this.limits.maxMs, this.limits.minMs * 2 ** Math.min(this.attempts, 30));
    this.attempts += 1;
    return Math.floor(step / 2 + (this.random() * step) / 2);
  }

  /** After a connection proved healthy: the next failure starts from the minimum again. */
  reset(): void {
    this.attempts = 0;
  }
}
