/**
 * The staleness and skew breaker of one market: trading on its edge is blocked while any reason holds.
 *
 * Reasons (a bit set, so evaluation allocates nothing):
 * - `stale`: a leg's last applied frame arrived more than `staleAfterMs` ago by the LOCAL clock. An open
 *   socket proves nothing (a stalled feed sends no frames), so this is evaluated on a timer as well as on
 *   every frame. Also when `maxExchangeAgeMs` is set and a leg's exchange time (`data.time`) is older than
 *   that by the local WALL clock: a feed that keeps delivering the same old snapshot (a stuck node, a stalled
 *   book stream — PROTOCOL pitfall 1) looks fresh by receive time alone. A local clock ahead of the
 *   exchange's by more than the limit blocks trading too, and says so (`stale`): failing closed;
 * - `skew`: the two legs' exchange times differ by more than `maxLegSkewMs` (a basis across two moments);
 * - `crossed`: a leg's best bid ≥ best ask (an inconsistent view);
 * - `resyncing`: disconnected, or reconnected but a leg has not yet received its first frame since. Books
 *   carry no sequence numbers and every frame is a full snapshot (PROTOCOL §2.3), so the first frame per leg
 *   after a reconnect is authoritative and that is all resynchronisation needs.
 *
 * It clears by itself once fresh data returns. Times are monotonic ms (`performance.now()` clock), the
 * clock `LegBook.receivedAtMs` uses.
 */

export const BREAKER_STALE = 1;
export const BREAKER_SKEW = 2;
export const BREAKER_CROSSED = 4;
export const BREAKER_RESYNCING = 8;

export type BreakerReason = "stale" | "skew" | "crossed" | "resyncing";

/** Reasons in bit order (bit i = `1 << i`). */
export const BREAKER_REASONS: readonly BreakerReason[] = ["stale", "skew", "crossed", "resyncing"];

export interface BreakerLimits {
  readonly staleAfterMs: number;
  readonly maxLegSkewMs: number;
  /** Exchange time vs the local wall clock (epoch ms); unchecked when absent. */
  readonly maxExchangeAgeMs?: number;
}

/** What the breaker reads from a leg; a `LegBook` is one. */
export interface BreakerLeg {
  readonly receivedAtMs: number;
  readonly exchangeTimeMs: number;
  readonly crossed: boolean;
  readonly sequence: number;
}

/** The names of the reasons set in `reasons`. Allocates: for status and logs, not the frame path. */
export function breakerReasonNames(reasons: number): BreakerReason[] {
  return BREAKER_REASONS.filter((_, bit) => (reasons & (1 << bit)) !== 0);
}

/**
 * Pure: the reasons that hold for two legs at `nowMs`, given whether each leg has resynchronised since the
 * last (re)connect. A leg that never received a frame counts as resyncing, not stale. `nowMs` is monotonic
 * (`receivedAtMs`'s clock), `wallNowMs` epoch ms (the exchange times' clock).
 */
export function breakerReasons(
  perp: BreakerLeg,
  spot: BreakerLeg,
  perpSynced: boolean,
  spotSynced: boolean,
  nowMs: number,
  limits: BreakerLimits,
  wallNowMs: number = Number.NaN,
): number {
  let reasons = 0;
  if (!perpSynced || !spotSynced || Number.isNaN(perp.receivedAtMs) || Number.isNaN(spot.receivedAtMs)) {
    reasons |= BREAKER_RESYNCING;
  }
  // NaN compares false: a leg without frames is covered by `resyncing` above.
  if (nowMs - perp.receivedAtMs > limits.staleAfterMs || nowMs - spot.receivedAtMs > limits.staleAfterMs) {
    reasons |= BREAKER_STALE;
  }
  const maxAge = limits.maxExchangeAgeMs;
  if (
    maxAge !== undefined &&
    (wallNowMs - perp.exchangeTimeMs > maxAge || wallNowMs - spot.exchangeTimeMs > maxAge)
  ) {
    reasons |= BREAKER_STALE;
  }
  if (Math.abs(perp.exchangeTimeMs - spot.exchangeTimeMs) > limits.maxLegSkewMs) reasons |= BREAKER_SKEW;
  if (perp.crossed || spot.crossed) reasons |= BREAKER_CROSSED;
  return reasons;
}

/** The breaker state of one market, with trip counters per reason. */
export class MarketBreaker {
  /** Current reasons (0 = closed: trading allowed). Starts resyncing: nothing received yet. */
  reasons = BREAKER_RESYNCING;
  /** Times each reason went from clear to set, indexed like `BREAKER_REASONS`. */
  readonly trips = new Float64Array(BREAKER_REASONS.length);
  /** Monotonic ms since which the breaker has been open without a break (first evaluation at the
   * earliest); NaN while closed. */
  openSinceMs = Number.NaN;

  private connected = false;
  /** Leg sequences at the last (re)connect; a leg is synced once its sequence moved past it. */
  private perpSyncFrom = Number.NaN;
  private spotSyncFrom = Number.NaN;

  constructor(
    private readonly perp: BreakerLeg,
    private readonly spot: BreakerLeg,
    private readonly limits: BreakerLimits,
    /** Epoch ms, for `maxExchangeAgeMs`. */
    private readonly wallClock: () => number = Date.now,
  ) {}

  get open(): boolean {
    return this.reasons !== 0;
  }

  /** The feed socket closed: block until both legs have a frame from a new connection. */
  disconnected(): void {
    this.connected = false;
  }

  /** A new connection is subscribed: wait for each leg's first frame on it. */
  connectedAt(): void {
    this.connected = true;
    this.perpSyncFrom = this.perp.sequence;
    this.spotSyncFrom = this.spot.sequence;
  }

  /** Re-evaluates at `nowMs`; returns the reasons. Call on every applied frame and on a timer. */
  evaluate(nowMs: number): number {
    const connected = this.connected;
    const reasons = breakerReasons(
      this.perp,
      this.spot,
      connected && this.perp.sequence > this.perpSyncFrom,
      connected && this.spot.sequence > this.spotSyncFrom,
      nowMs,
      this.limits,
      this.limits.maxExchangeAgeMs === undefined ? Number.NaN : this.wallClock(),
    );
    const newlySet = reasons & ~this.reasons;
    if (newlySet !== 0) {
      for (let bit = 0; bit < BREAKER_REASONS.length; bit++) {
        if ((newlySet & (1 << bit)) !== 0) this.trips[bit]! += 1;
      }
    }
    this.reasons = reasons;
    if (reasons === 0) this.openSinceMs = Number.NaN;
    else if (this.openSinceMs !== this.openSinceMs) this.openSinceMs = nowMs;
    return reasons;
  }
}
