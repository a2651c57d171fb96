/**
 * Faults that live in front of the core, for tests and the demo: throttling (HTTP 429 on the next N
 * requests, as the exchange answers an IP over its weight budget) and refusing the next N actions as a
 * whole with a given text (after their nonce is spent, as a real refusal would). Order-level faults —
 * injected order errors, partial fills, crossed or stale books, clock skew — are the core's
 * (`core.faults`); the admin surface exposes both.
 */

/** Which requests a throttle applies to. */
export type ThrottleScope = "info" | "exchange" | "all";

export class GatewayFaults {
  private throttles: { remaining: number; scope: ThrottleScope }[] = [];
  private actionRejections: { remaining: number; error: string }[] = [];

  /** The next `count` requests in `scope` are answered with HTTP 429. */
  throttleNextRequests(count: number, scope: ThrottleScope = "all"): void {
    if (count > 0) this.throttles.push({ remaining: count, scope });
  }

  /** The next `count` admitted actions are refused with `{"status":"err","response":error}`. */
  rejectNextActions(count: number, error: string): void {
    if (count > 0) this.actionRejections.push({ remaining: count, error });
  }

  /** Consumes one throttle matching a request on `endpoint`; true when the request must get a 429. */
  takeThrottle(endpoint: "info" | "exchange"): boolean {
    const index = this.throttles.findIndex((entry) => entry.scope === "all" || entry.scope === endpoint);
    const entry = this.throttles[index];
    if (entry === undefined) return false;
    if (--entry.remaining <= 0) this.throttles.splice(index, 1);
    return true;
  }

  /** Consumes one injected action refusal, if any. */
  takeActionRejection(): string | undefined {
    const entry = this.actionRejections[0];
    if (entry === undefined) return undefined;
    if (--entry.remaining <= 0) this.actionRejections.shift();
    return entry.error;
  }

  clear(): void {
    this.throttles = [];
    this.actionRejections = [];
  }
}
