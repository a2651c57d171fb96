/**
 * Typed failures of nonce allocation. Each carries the signer and the numbers a person needs to decide
 * whether the clock, the disk or a second process is at fault.
 */

import type { Address } from "../wire/brands.js";

const DAY_MS = 24 * 60 * 60 * 1000;

export type NonceClockProblem =
  /** The next nonce would run further ahead of the local clock than allowed. */
  | "lead"
  /** The local clock disagrees with the exchange's by more than allowed. */
  | "skew"
  /** The next nonce falls outside the exchange's acceptance window (minus the safety margin). */
  | "window"
  /** The clock function returned something that is not a positive integer of milliseconds. */
  | "clock";

export interface NonceClockDetails {
  readonly signer: Address;
  readonly localMs: number;
  /** The exchange's time the check compared against; null for checks made without it. */
  readonly exchangeMs: number | null;
  /** The nonce that would have been issued next. */
  readonly nonce: number;
  /** The limit that was exceeded, in milliseconds. */
  readonly limitMs: number;
}

export class NonceClockError extends Error {
  override readonly name = "NonceClockError";

  constructor(
    readonly problem: NonceClockProblem,
    readonly details: NonceClockDetails,
  ) {
    super(describeClockProblem(problem, details));
  }
}

function describeClockProblem(problem: NonceClockProblem, d: NonceClockDetails): string {
  switch (problem) {
    case "lead":
      return (
        `nonce ${d.nonce} for ${d.signer} would be ${d.nonce - d.localMs} ms ahead of the local clock ` +
        `(${d.localMs}), more than the allowed ${d.limitMs} ms. The clock went backwards, or the process ` +
        `restarted many times within one lease; the exchange refuses nonces more than 1 day ahead of its time. ` +
        `Fix the clock, wait for it to catch up, or switch to a fresh agent key.`
      );
    case "skew": {
      const skew = d.localMs - (d.exchangeMs ?? d.localMs);
      const direction = skew > 0 ? "ahead of" : "behind";
      return (
        `local clock (${d.localMs}) is ${Math.abs(skew)} ms ${direction} the exchange (${d.exchangeMs}), ` +
        `more than the allowed ${d.limitMs} ms; fix time synchronisation (NTP/chrony) before trading`
      );
    }
    case "window":
      return (
        `next nonce ${d.nonce} for ${d.signer} is outside the exchange's acceptance window ` +
        `(T - 2 days, T + 1 day) for T = ${d.exchangeMs}, less a safety margin of ${d.limitMs} ms ` +
        `(window opens ${(d.exchangeMs ?? 0) - 2 * DAY_MS}, closes ${(d.exchangeMs ?? 0) + DAY_MS})`
      );
    case "clock":
      return `the clock returned ${d.localMs}, not a positive whole number of milliseconds (signer ${d.signer})`;
  }
}

/** Reading or writing the persisted high-water mark failed; no nonce beyond the durable mark was issued. */
export class NoncePersistenceError extends Error {
  override readonly name = "NoncePersistenceError";

  constructor(
    readonly signer: Address,
    readonly file: string,
    readonly operation: string,
    options?: { cause: unknown },
  ) {
    const cause = options?.cause;
    const detail = cause instanceof Error ? `: ${cause.message}` : "";
    super(`nonce state for ${signer}: ${operation} failed (${file})${detail}`, options);
  }
}

/** The persisted state exists but cannot be trusted; starting from zero could reuse nonces. */
export class NonceStateCorruptError extends Error {
  override readonly name = "NonceStateCorruptError";

  constructor(
    readonly signer: Address,
    readonly file: string,
    readonly reason: string,
  ) {
    super(
      `nonce state for ${signer} in ${file} is unusable: ${reason}. Do not delete it blindly: a fresh start ` +
        `may reuse nonces. Use a fresh agent key, or rewrite the file with a highWater above every nonce ` +
        `this signer has used (e.g. the current time in ms plus one day).`,
    );
  }
}

/** Another allocator (in this process or another live process) already issues nonces for this signer. */
export class NonceSignerBusyError extends Error {
  override readonly name = "NonceSignerBusyError";

  constructor(
    readonly signer: Address,
    readonly lockFile: string,
    readonly holderPid: number | null,
  ) {
    const holder =
      holderPid === null
        ? "another allocator in this process"
        : `process ${holderPid} (if no hlbasis process has that pid, delete ${lockFile})`;
    super(
      `nonces for ${signer} are already being issued by ${holder}; one signer must have exactly one ` +
        `allocator, or concurrent nonces collide (PROTOCOL §7)`,
    );
  }
}

export class NonceAllocatorClosedError extends Error {
  override readonly name = "NonceAllocatorClosedError";

  constructor(readonly signer: Address) {
    super(`the nonce allocator for ${signer} is closed`);
  }
}
