/**
 * Proof that the key the hot path signs orders with is an agent (API wallet) of the account it trades for,
 * before anything is signed: the mirror image of the rebalancer's master-key check
 * (`lambdas/rebalancer/masterKey.ts`).
 *
 * Why: an agent can place and cancel orders but cannot withdraw or transfer (PROTOCOL §10); the account's
 * master key can do both. The trading process is long-running, network-facing and holds its key in memory,
 * so a master key there is a key that could move funds — refused, naming the address, before any order
 * exists. An agent of another account is refused too: its orders would land on an account the bot does not
 * reconcile.
 *
 * Only `{"role":"agent","data":{"user":<configured account>}}` is accepted.
 */

import { describeUserRole, readUserRole } from "../exchange/role/userRole.js";
import type { ExchangeHttpClient } from "../exchange/http/httpClient.js";
import type { Address } from "../exchange/wire/brands.js";

/** The signing key is not an agent of the configured account: the process must not start. */
export class SigningKeyRefusedError extends Error {
  override readonly name = "SigningKeyRefusedError";
  /** Exit status of a process that refuses to start for this reason (a configuration error). */
  static readonly EXIT_CODE = 2;
  constructor(
    /** The address the key signs as. */
    readonly keyAddress: Address,
    /** `userRole` of that address; `"otherAccount"` for an agent of a different account. */
    readonly role: string,
    /** The account the process is configured to trade for. */
    readonly account: Address,
    message: string,
  ) {
    super(message);
  }
}

export interface AgentKeyCheck {
  readonly http: Pick<ExchangeHttpClient, "info">;
  readonly keyAddress: Address;
  readonly account: Address;
  /** Where the key came from, safe to print (`env HLB_AGENT_PRIVATE_KEY`). */
  readonly keySource: string;
}

/** Resolves when the key is an agent of `account`; throws `SigningKeyRefusedError` or `UserRoleReadError`. */
export async function checkAgentKey(check: AgentKeyCheck): Promise<void> {
  const { keyAddress, account, keySource } = check;
  const role = await readUserRole(check.http, keyAddress);
  if (role.role === "agent" && role.data.user === account) return;
  if (role.role === "agent") {
    throw new SigningKeyRefusedError(
      keyAddress,
      "otherAccount",
      account,
      `the signing key (${keySource}) is an agent of ${role.data.user}, not of the configured account ` +
        `${account}; approve an agent for ${account} or fix HLB_ACCOUNT_ADDRESS. No order was sent.`,
    );
  }
  const danger =
    role.role === "user"
      ? ": a master key can withdraw and transfer funds and must never sign orders in the hot path"
      : "";
  throw new SigningKeyRefusedError(
    keyAddress,
    role.role,
    account,
    `the signing key (${keySource}) signs as ${keyAddress}, which the exchange reports as ` +
      `${describeUserRole(role)}${danger}. The hot path signs only with an API wallet (agent) approved by ` +
      `${account} (PROTOCOL §10). No order was sent.`,
  );
}
