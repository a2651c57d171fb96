/**
 * Proof that the configured key is the account's own (master) key, before anything is signed with it.
 *
 * How: `userRole` for the key's address (PROTOCOL §10.2). The exchange answers `{"role":"agent","data":
 * {"user":<master>}}` for an approved API wallet, `"user"` for an account, `"subAccount"`, `"vault"` or
 * `"missing"` otherwise. Only `"user"` may sign `usdClassTransfer` for itself. Without this check an agent
 * key fails only at the exchange, with the misleading `Must deposit before performing actions` (the
 * recovered signer has no account of its own) — and, worse, its address's balances read as empty, so a
 * mis-keyed rebalancer would silently do nothing forever. `extraAgents` was not used: it lists only a
 * master's *named* agents and must be asked of the master, which is the address we are trying to verify.
 *
 * `userRole` weighs 60 of the IP's 1200 per minute (PROTOCOL §11), so a `"user"` verdict is cached for
 * `recheckMs` (default one hour) per execution environment; a failure is never cached. The answer is decoded
 * by `hotpath/exchange/role/userRole.ts`, which the hot path's mirror-image check (agent keys only) shares.
 */

import type { ExchangeHttpClient } from "../../hotpath/exchange/http/httpClient.js";
import type { Signer } from "../../hotpath/exchange/signing/index.js";
import { decodeUserRole } from "../../hotpath/exchange/role/userRole.js";
import type { Address } from "../../hotpath/exchange/wire/brands.js";
import { AccountReadError, AgentKeyError, MasterKeyError } from "./errors.js";

/** The two calls the rebalancer makes; `ExchangeHttpClient` satisfies it. */
export type RebalancerExchange = Pick<ExchangeHttpClient, "info" | "exchange">;

export const DEFAULT_ROLE_RECHECK_MS = 60 * 60 * 1000;

declare const verifiedBrand: unique symbol;

/**
 * A key the exchange confirmed as the account's own. The transfer sender takes only this, so no code path
 * can sign a transfer with a key that was not checked.
 */
export interface VerifiedMasterKey {
  readonly signer: Signer;
  readonly [verifiedBrand]: true;
}

export interface MasterKeyCheck {
  readonly exchange: RebalancerExchange;
  readonly signer: Signer;
  /** Where the key came from, safe to print (e.g. `AWS secret arn:…`), for the error message. */
  readonly keySource: string;
  /** When configured, the key must be this account's. */
  readonly accountAddress?: Address | undefined;
}

/** Throws `AgentKeyError`, `MasterKeyError` or `AccountReadError`; resolves when the key may transfer. */
export async function checkMasterKey(check: MasterKeyCheck): Promise<VerifiedMasterKey> {
  const address = check.signer.address;
  if (check.accountAddress !== undefined && check.accountAddress !== address) {
    throw new MasterKeyError(
      address,
      "otherAccount",
      `the rebalancer's master key (${check.keySource}) signs as ${address}, not as the configured ` +
        `account ${check.accountAddress}; nothing was sent`,
    );
  }
  let answer: unknown;
  try {
    answer = await check.exchange.info({ type: "userRole", user: address });
  } catch (error) {
    throw new AccountReadError("userRole", address, describe(error), { cause: error });
  }
  const decoded = decodeUserRole(answer);
  if (!decoded.ok) throw new AccountReadError("userRole", address, decoded.error.message);
  const role = decoded.value;
  switch (role.role) {
    case "user":
      return { signer: check.signer } as VerifiedMasterKey;
    case "agent":
      throw new AgentKeyError(address, role.data.user, check.keySource);
    case "subAccount":
      throw new MasterKeyError(
        address,
        role.role,
        `the rebalancer's master key (${check.keySource}) is for ${address}, a sub-account of ` +
          `${role.data.master}; sub-account transfers are signed by the master with a "subaccount:" ` +
          `amount, which the rebalancer does not do; nothing was sent`,
      );
    case "vault":
    case "missing":
      throw new MasterKeyError(
        address,
        role.role,
        `the rebalancer's master key (${check.keySource}) signs as ${address}, which the exchange reports ` +
          `as ${role.role === "vault" ? "a vault" : "no account (never funded, or the wrong key)"}; ` +
          `nothing was sent`,
      );
  }
}

/** Caches a successful check for `recheckMs`; one per execution environment (or `npm start` process). */
export class MasterKeyVerifier {
  #verified:
    { readonly key: VerifiedMasterKey; readonly atMs: number; readonly check: MasterKeyCheck } | undefined;

  constructor(readonly recheckMs: number = DEFAULT_ROLE_RECHECK_MS) {}

  /** A recent verdict for the same key and account is reused; otherwise the exchange is asked. */
  async verify(check: MasterKeyCheck, nowMs: number): Promise<VerifiedMasterKey> {
    const cached = this.#verified;
    if (
      cached !== undefined &&
      cached.check.signer === check.signer &&
      cached.check.accountAddress === check.accountAddress &&
      nowMs - cached.atMs < this.recheckMs
    ) {
      return cached.key;
    }
    this.#verified = undefined;
    const key = await checkMasterKey(check);
    this.#verified = { key, atMs: nowMs, check };
    return key;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
