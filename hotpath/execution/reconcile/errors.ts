/**
 * The ways reconciliation stops, each with what a person needs to act: which request or file, and why.
 */

import type { Mismatch } from "./mismatch.js";

export type AccountReadFailure =
  /** The request failed (network, timeout, HTTP status, not JSON): the cause is the `ExchangeHttpError`. */
  | "http"
  /** The body does not have the shape reconciliation relies on: the cause is the `WireDecodeError`. */
  | "decode"
  /** Fills or funding kept arriving while the account was read, on every attempt. */
  | "unstable"
  /** More fills or funding entries since the start time than the page limit allows to read. */
  | "tooManyEvents";

/** The account's state could not be read consistently: nothing can be concluded, so nothing is trusted. */
export class AccountReadError extends Error {
  override readonly name = "AccountReadError";
  constructor(
    readonly kind: AccountReadFailure,
    /** The info request type concerned (`clearinghouseState`, `userFillsByTime`, …). */
    readonly request: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`reading the account (${request}) failed: ${kind}: ${detail}`, options);
  }
}

/**
 * Start-up reconciliation found differences it cannot explain. The process must not take risk: in live mode
 * it exits non-zero with this message, which lists every mismatch.
 */
export class ReconciliationError extends Error {
  override readonly name = "ReconciliationError";
  /** The exit code a process that refuses to start for this reason uses. */
  static readonly EXIT_CODE = 3;
  constructor(readonly mismatches: readonly Mismatch[]) {
    super(
      `reconciliation failed with ${mismatches.length} unexplained difference${mismatches.length === 1 ? "" : "s"} ` +
        `between the exchange and the journal/fills; refusing to take risk:\n` +
        mismatches.map((mismatch) => `  - ${mismatch.message}`).join("\n"),
    );
  }
}

export type CheckpointFailure = "read" | "write" | "corrupt" | "otherAccount";

/** The inventory checkpoint could not be read or written, or belongs to another account. */
export class CheckpointError extends Error {
  override readonly name = "CheckpointError";
  constructor(
    readonly kind: CheckpointFailure,
    readonly file: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`inventory checkpoint ${file}: ${kind}: ${detail}`, options);
  }
}
