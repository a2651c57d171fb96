/**
 * Nonce allocator for one signer (PROTOCOL §7): `next()` returns `max(nowMs, last + 1)` — NK's rule — so
 * nonces are unique and strictly increasing, track the clock, and two legs in the same millisecond get
 * consecutive values. `next()` is synchronous, allocation-free and does no I/O in the steady state: it sits
 * between a decision and the signature.
 *
 * Surviving restarts (the exchange refuses a reused nonce, and after a crash we cannot know which of the
 * last nonces reached it): a durable high-water mark H on disk promises that no issued nonce exceeds H.
 * - Lease: when the mark is extended it is set to `frontier + leaseMs`, frontier = max(now, last). Nonces
 *   up to H are then issued with no I/O at all.
 * - Extension: with `backgroundRenewal` a timer extends the lease whenever less than half of it remains, so
 *   the fsync happens off the order path; `next()` itself writes only if the lease is exhausted (timer
 *   starved or disk failing). With `"inline-only"` `next()` extends it when half is used.
 * - Boot: start from `last = H` (every earlier nonce ≤ H), then lease ahead. A graceful `close()` writes the
 *   exact last nonce, so a clean restart does not jump; after a crash the first nonce may run up to
 *   `leaseMs` ahead of the clock, a lead that shrinks in real time and is far inside the exchange's
 *   `T + 1 day` bound. Restart after the clock moved backwards: still above H, hence above every nonce
 *   issued before.
 * - Cost: one atomic write (two fsyncs, ~1–10 ms) per `leaseMs / 2` of time. Default lease 10 minutes:
 *   about one write every 5 minutes.
 *
 * Clock safety: the exchange accepts nonces in (T − 2 days, T + 1 day) of its block time T. `next()` throws
 * `NonceClockError` rather than issue a nonce more than `maxLeadMs` ahead of the local clock (it never
 * wraps or clamps), and `checkClock(exchangeTimeMs)` — call it at start-up and whenever an exchange
 * timestamp is at hand — throws when the local clock is off by more than `maxClockSkewMs` or the next nonce
 * would fall outside the window less `windowMarginMs`.
 */

import { mkdirSync } from "node:fs";

import {
  NonceAllocatorClosedError,
  type NonceClockDetails,
  NonceClockError,
  type NonceClockProblem,
  NoncePersistenceError,
} from "./errors.js";
import { highWaterFilePath, readHighWater, writeHighWaterSync } from "./high-water-file.js";
import { SignerLock, signerLockPath } from "./signer-lock.js";
import type { Address } from "../wire/brands.js";

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** The exchange's acceptance window relative to its block time T (PROTOCOL §7). */
export const EXCHANGE_NONCE_WINDOW = { behindMs: 2 * DAY_MS, aheadMs: DAY_MS } as const;

export const NONCE_DEFAULTS = {
  leaseMs: 10 * MINUTE_MS,
  /** Room for a burst of restarts and clock corrections, still 18 h inside the exchange's +1 day bound. */
  maxLeadMs: 6 * HOUR_MS,
  /** The feed's staleness logic needs a good clock long before nonces would; 30 s means NTP is broken. */
  maxClockSkewMs: 30 * 1000,
  windowMarginMs: HOUR_MS,
} as const;

export interface BackgroundRenewal {
  /** Receives a failed renewal (typically `NoncePersistenceError`); `next()` keeps working until the lease runs out. */
  readonly onError: (error: unknown) => void;
  /** How often the timer checks the lease; default `leaseMs / 8`. */
  readonly intervalMs?: number;
}

export interface NonceAllocatorOptions {
  readonly signer: Address;
  /** Directory for `<signer>.nonce.json` and its lock (config `persistence.nonceDir`). */
  readonly dir: string;
  /**
   * `{ onError }`: a timer (unref'd) extends the lease off the order path — use this in the trading
   * process. `"inline-only"`: no timer; `next()` pays the write when half the lease is used.
   */
  readonly backgroundRenewal: BackgroundRenewal | "inline-only";
  /** Milliseconds since the epoch; default `Date.now`. Injected in tests. */
  readonly nowMs?: () => number;
  readonly leaseMs?: number;
  readonly maxLeadMs?: number;
  readonly maxClockSkewMs?: number;
  readonly windowMarginMs?: number;
}

export class NonceAllocator {
  readonly signer: Address;
  /** The file holding the high-water mark. */
  readonly file: string;

  readonly #nowMs: () => number;
  readonly #leaseMs: number;
  readonly #maxLeadMs: number;
  readonly #maxClockSkewMs: number;
  readonly #windowMarginMs: number;
  readonly #lock: SignerLock;
  readonly #backgroundRenewal: boolean;
  readonly #timer: NodeJS.Timeout | null;

  /** Highest nonce issued (or, after boot, the persisted mark: nothing above it was issued). */
  #last: number;
  /** Durable high-water mark: no nonce above it may be issued. */
  #durable: number;
  /** `next()` extends the lease when a nonce exceeds this. */
  #inlineRenewAt: number;
  #closed = false;

  /** Opens the signer's state (taking its lock), and leases ahead so the first `next()` does no I/O. */
  static open(options: NonceAllocatorOptions): NonceAllocator {
    try {
      mkdirSync(options.dir, { recursive: true });
    } catch (error) {
      throw new NoncePersistenceError(options.signer, options.dir, "creating the nonce directory", {
        cause: error,
      });
    }
    const lock = SignerLock.acquire(options.signer, signerLockPath(options.dir, options.signer));
    try {
      return new NonceAllocator(options, lock);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  private constructor(options: NonceAllocatorOptions, lock: SignerLock) {
    this.signer = options.signer;
    this.file = highWaterFilePath(options.dir, options.signer);
    this.#nowMs = options.nowMs ?? Date.now;
    this.#leaseMs = positiveInteger("leaseMs", options.leaseMs ?? NONCE_DEFAULTS.leaseMs);
    this.#maxLeadMs = positiveInteger("maxLeadMs", options.maxLeadMs ?? NONCE_DEFAULTS.maxLeadMs);
    this.#maxClockSkewMs = positiveInteger(
      "maxClockSkewMs",
      options.maxClockSkewMs ?? NONCE_DEFAULTS.maxClockSkewMs,
    );
    this.#windowMarginMs = positiveInteger(
      "windowMarginMs",
      options.windowMarginMs ?? NONCE_DEFAULTS.windowMarginMs,
    );
    if (this.#leaseMs >= this.#maxLeadMs) {
      throw new RangeError(`leaseMs (${this.#leaseMs}) must be below maxLeadMs (${this.#maxLeadMs})`);
    }
    this.#lock = lock;

    const persisted = readHighWater(this.file, this.signer);
    this.#last = persisted ?? 0;
    this.#durable = this.#last;
    const now = this.#nowMs();
    const frontier = Math.max(now, this.#last + 1);
    if (!Number.isSafeInteger(now) || now <= 0) this.#throwClockError("clock", now, frontier, 0);
    if (frontier - now > this.#maxLeadMs) this.#throwClockError("lead", now, frontier, this.#maxLeadMs);

    this.#backgroundRenewal = options.backgroundRenewal !== "inline-only";
    this.#inlineRenewAt = 0;
    this.#extendLease(frontier);

    if (options.backgroundRenewal === "inline-only") {
      this.#timer = null;
    } else {
      const { onError } = options.backgroundRenewal;
      const intervalMs = positiveInteger(
        "intervalMs",
        options.backgroundRenewal.intervalMs ?? this.#leaseMs / 8,
      );
      this.#timer = setInterval(() => {
        try {
          this.renewLeaseIfLow();
        } catch (error) {
          onError(error);
        }
      }, intervalMs);
      this.#timer.unref();
    }
  }

  /** The next nonce: strictly greater than every nonce this signer was ever given here, near the clock. */
  next(): number {
    if (this.#closed) throw new NonceAllocatorClosedError(this.signer);
    const now = this.#nowMs();
    const candidate = now > this.#last ? now : this.#last + 1;
    if (!Number.isSafeInteger(now)) this.#throwClockError("clock", now, candidate, 0);
    if (candidate - now > this.#maxLeadMs) this.#throwClockError("lead", now, candidate, this.#maxLeadMs);
    if (candidate > this.#inlineRenewAt) this.#extendLease(candidate);
    this.#last = candidate;
    return candidate;
  }

  /**
   * Checks the local clock against the exchange's (a block time or a response timestamp, in ms). Throws
   * `NonceClockError` when they differ by more than `maxClockSkewMs`, or when the next nonce would fall
   * outside (T − 2 days, T + 1 day) less `windowMarginMs` on either side.
   */
  checkClock(exchangeTimeMs: number): void {
    const now = this.#nowMs();
    const nextNonce = Math.max(now, this.#last + 1);
    if (!Number.isSafeInteger(now) || now <= 0) this.#throwClockError("clock", now, nextNonce, 0);
    if (!Number.isSafeInteger(exchangeTimeMs) || exchangeTimeMs <= 0) {
      throw new RangeError(`exchangeTimeMs must be a positive whole number of ms, got ${exchangeTimeMs}`);
    }
    if (Math.abs(now - exchangeTimeMs) > this.#maxClockSkewMs) {
      this.#throwClockError("skew", now, nextNonce, this.#maxClockSkewMs, exchangeTimeMs);
    }
    const opensAt = exchangeTimeMs - EXCHANGE_NONCE_WINDOW.behindMs + this.#windowMarginMs;
    const closesAt = exchangeTimeMs + EXCHANGE_NONCE_WINDOW.aheadMs - this.#windowMarginMs;
    if (nextNonce <= opensAt || nextNonce >= closesAt) {
      this.#throwClockError("window", now, nextNonce, this.#windowMarginMs, exchangeTimeMs);
    }
  }

  /** Extends the lease if less than half remains. The background timer calls it; owners may too. */
  renewLeaseIfLow(): void {
    if (this.#closed) return;
    const frontier = Math.max(this.#nowMs(), this.#last);
    if (this.#durable - frontier < this.#leaseMs / 2) this.#extendLease(frontier);
  }

  /** Highest nonce issued so far (after boot and before any `next()`: the persisted mark). */
  get lastIssued(): number {
    return this.#last;
  }

  /** The durable mark on disk: every nonce issued so far, and every one issued until it moves, is ≤ it. */
  get persistedHighWater(): number {
    return this.#durable;
  }

  /** Records the exact last nonce (so a clean restart does not jump ahead), stops the timer, frees the lock. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    try {
      writeHighWaterSync(this.file, this.signer, this.#last);
      this.#durable = this.#last;
    } finally {
      this.#lock.release();
    }
  }

  #extendLease(frontier: number): void {
    const target = frontier + this.#leaseMs;
    writeHighWaterSync(this.file, this.signer, target);
    this.#durable = target;
    this.#inlineRenewAt = this.#backgroundRenewal ? target : target - this.#leaseMs / 2;
  }

  #throwClockError(
    problem: NonceClockProblem,
    localMs: number,
    nonce: number,
    limitMs: number,
    exchangeMs: number | null = null,
  ): never {
    const details: NonceClockDetails = { signer: this.signer, localMs, exchangeMs, nonce, limitMs };
    throw new NonceClockError(problem, details);
  }
}

function positiveInteger(name: string, value: number): number {
  const rounded = Math.floor(value);
  if (!Number.isSafeInteger(rounded) || rounded <= 0) {
    throw new RangeError(`${name} must be a positive number of milliseconds, got ${value}`);
  }
  return rounded;
}
