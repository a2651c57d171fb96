/**
 * A warning that may repeat at frame rate (malformed frames, unexpected channels): the first occurrence is
 * logged at once, later ones at most once per interval with the number suppressed in between, so a flood
 * of bad frames costs a counter bump, not a log line each.
 */

import type { Logger } from "../observability/logger.js";

export class ThrottledWarning {
  private lastLoggedAtMs = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly message: string,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** `details` is built only when a line is actually written. */
  warn(details: () => Record<string, unknown>): void {
    const nowMs = this.now();
    if (nowMs - this.lastLoggedAtMs < this.intervalMs) {
      this.suppressed += 1;
      return;
    }
    this.logger.warn({ ...details(), suppressed: this.suppressed }, this.message);
    this.lastLoggedAtMs = nowMs;
    this.suppressed = 0;
  }
}
