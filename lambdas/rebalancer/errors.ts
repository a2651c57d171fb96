/**
 * The rebalancer's typed failures. Each names what was being done, with which address, and what a person
 * should check; none carries key material (the logger scrubs it anyway).
 */

import type { Address } from "../../hotpath/exchange/wire/brands.js";
import type { ExchangeErrResponse } from "../../hotpath/exchange/wire/exchange.js";

/**
 * The key configured as the master key cannot sign `usdClassTransfer` for the account. Raised from the
 * exchange's own answer to `userRole` for the key's address, before anything is signed or sent.
 */
export class MasterKeyError extends Error {
  override readonly name: string = "MasterKeyError";
  constructor(
    /** The address the configured key signs as. */
    readonly keyAddress: Address,
    /** `userRole` for that address, or `"otherAccount"` when it is not the configured account. */
    readonly role: string,
    message: string,
  ) {
    super(message);
  }
}

/** The configured "master" key is an agent (API wallet): it can trade but never transfer (PROTOCOL §10.2). */
export class AgentKeyError extends MasterKeyError {
  override readonly name = "AgentKeyError";
  constructor(
    keyAddress: Address,
    /** The account the agent signs for; its own key is the one the rebalancer needs. */
    readonly masterAddress: Address,
    keySource: string,
  ) {
    super(
      keyAddress,
      "agent",
      `the rebalancer's master key (${keySource}) is an agent key: ${keyAddress} is an API wallet of ` +
        `${masterAddress}, and agents cannot sign usdClassTransfer. Configure the master key of ` +
        `${masterAddress} (a separate secret from the hot path's agent key); nothing was sent.`,
    );
  }
}

/** An `/info` answer needed for the decision failed or did not have the shape we rely on. */
export class AccountReadError extends Error {
  override readonly name = "AccountReadError";
  constructor(
    readonly requestType: string,
    readonly account: Address,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`reading ${requestType} for ${account} failed: ${reason}`, options);
  }
}

/** `userAbstraction` answered a mode we do not know; we do not move money in a mode we do not understand. */
export class UnknownAccountModeError extends Error {
  override readonly name = "UnknownAccountModeError";
  constructor(
    readonly account: Address,
    readonly mode: string,
  ) {
    super(
      `account ${account} is in account mode ${JSON.stringify(mode)}, which the rebalancer does not know ` +
        `(known: disabled, default, dexAbstraction, unifiedAccount, portfolioMargin); no transfer`,
    );
  }
}

/**
 * The transfer request got no usable answer (network, timeout, HTTP status, unparsable body): the exchange
 * may or may not have executed it. Never retried within the tick; the next tick reads the balances afresh.
 */
export class TransferOutcomeUnknownError extends Error {
  override readonly name = "TransferOutcomeUnknownError";
  constructor(
    readonly nonce: number,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`usdClassTransfer with nonce ${nonce}: outcome unknown (${reason}); not retried`, options);
  }
}

/** The exchange refused the transfer (`{"status":"err"}`, or HTTP 4xx); nothing moved. */
export class TransferRejectedError extends Error {
  override readonly name = "TransferRejectedError";
  constructor(
    readonly nonce: number,
    readonly exchangeMessage: string,
    /** `classifyExchangeError` code when the message is known; `http<status>` for an HTTP refusal. */
    readonly code: string | undefined,
    /** The exchange's `{"status":"err"}` body; null when the refusal was an HTTP status. */
    readonly exchangeResponse: ExchangeErrResponse | null,
  ) {
    super(`usdClassTransfer with nonce ${nonce} rejected by the exchange: ${exchangeMessage}`);
  }
}

/** Postgres refused or could not take a tick's record. */
export class TickStoreError extends Error {
  override readonly name = "TickStoreError";
  constructor(
    readonly tickId: string,
    readonly step: string,
    options?: { cause?: unknown },
  ) {
    const cause = options?.cause;
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`rebalances tick ${tickId}: ${step} failed: ${detail}`, options);
  }
}
