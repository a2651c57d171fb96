/**
 * Nonce admission per signer (PROTOCOL §7): the signer is the key that signed — the agent's address when
 * an API wallet signs, the account's own otherwise. In this order (a third-party testnet capture,
 * riftresearch hypercore-simulator notes, observed that seen nonces answer "duplicate" even below the
 * 100-highest floor, and that window errors name the bound):
 * 1. the nonce must lie strictly inside (T − 2 days, T + 1 day), T the exchange's time → `too low/high`;
 * 2. it must never have been used → `duplicate nonce`;
 * 3. once 100 are held, it must exceed the smallest of the 100 highest → `too low`.
 * An admitted nonce is spent whatever the action's outcome.
 */
import type { Address } from "../../../hotpath/exchange/wire/brands.js";
import { actionRefusals } from "./errors.js";

const DAY_MS = 86_400_000;
export const NONCE_WINDOW_PAST_MS = 2 * DAY_MS;
export const NONCE_WINDOW_FUTURE_MS = DAY_MS;
export const NONCES_KEPT = 100;
/** Used nonces that have left the window fail step 1 anyway; they are forgotten once this many are held. */
const FIRST_PRUNE_AT = 4 * NONCES_KEPT;

class SignerNonces {
  /** Every admitted nonce still inside the window. */
  private readonly used = new Set<number>();
  /** The highest admitted nonces, ascending, at most `NONCES_KEPT`. */
  private readonly highest: number[] = [];
  /** Grows with the set, so pruning stays amortised O(1) when every nonce is still inside the window. */
  private pruneAt = FIRST_PRUNE_AT;

  /** Admits `nonce` at exchange time `nowMs`; returns the refusal text, or `undefined` when admitted. */
  admit(nonce: number, nowMs: number): string | undefined {
    const minimum = nowMs - NONCE_WINDOW_PAST_MS + 1;
    const maximum = nowMs + NONCE_WINDOW_FUTURE_MS - 1;
    if (nonce < minimum) return actionRefusals.nonceTooLow(nonce, minimum);
    if (nonce > maximum) return actionRefusals.nonceTooHigh(nonce, maximum);
    if (this.used.has(nonce)) return actionRefusals.duplicateNonce(nonce);
    const floor = this.highest[0];
    if (this.highest.length >= NONCES_KEPT && floor !== undefined && nonce <= floor) {
      return actionRefusals.nonceTooLow(nonce, floor + 1);
    }
    this.record(nonce, minimum);
    return undefined;
  }

  private record(nonce: number, minimum: number): void {
    this.used.add(nonce);
    let at = this.highest.length;
    while (at > 0 && (this.highest[at - 1] ?? 0) > nonce) at--;
    this.highest.splice(at, 0, nonce);
    if (this.highest.length > NONCES_KEPT) this.highest.shift();
    if (this.used.size > this.pruneAt) {
      for (const used of this.used) if (used < minimum) this.used.delete(used);
      this.pruneAt = Math.max(FIRST_PRUNE_AT, 2 * this.used.size);
    }
  }
}

export class NonceBook {
  private readonly bySigner = new Map<Address, SignerNonces>();

  admit(signer: Address, nonce: number, nowMs: number): string | undefined {
    let nonces = this.bySigner.get(signer);
    if (nonces === undefined) {
      nonces = new SignerNonces();
      this.bySigner.set(signer, nonces);
    }
    return nonces.admit(nonce, nowMs);
  }

  /** Drops a deregistered agent's nonce state (the exchange may prune it, PROTOCOL §10.2). */
  forget(signer: Address): void {
    this.bySigner.delete(signer);
  }
}
