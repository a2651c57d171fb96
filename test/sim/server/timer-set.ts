/**
 * Every timer the simulator starts, in one place, so `stop()` can cancel them all and leave nothing
 * behind that keeps the process alive or fires into a closed server.
 */
export class TimerSet {
  private readonly timeouts = new Set<NodeJS.Timeout>();
  private readonly intervals = new Set<NodeJS.Timeout>();
  private readonly immediates = new Set<NodeJS.Immediate>();
  private stopped = false;

  after(ms: number, run: () => void): void {
    if (this.stopped) return;
    const handle = setTimeout(() => {
      this.timeouts.delete(handle);
      run();
    }, ms);
    this.timeouts.add(handle);
  }

  /** Returns a function that cancels this interval alone. */
  every(ms: number, run: () => void): () => void {
    if (this.stopped) return () => undefined;
    const handle = setInterval(run, ms);
    this.intervals.add(handle);
    return () => {
      clearInterval(handle);
      this.intervals.delete(handle);
    };
  }

  immediate(run: () => void): void {
    if (this.stopped) return;
    const handle = setImmediate(() => {
      this.immediates.delete(handle);
      run();
    });
    this.immediates.add(handle);
  }

  /** Cancels everything and refuses new timers. */
  stop(): void {
    this.stopped = true;
    for (const handle of this.timeouts) clearTimeout(handle);
    for (const handle of this.intervals) clearInterval(handle);
    for (const handle of this.immediates) clearImmediate(handle);
    this.timeouts.clear();
    this.intervals.clear();
    this.immediates.clear();
  }
}
