/**
 * `userRole` (PROTOCOL §10.2): what the exchange says an address is — an account (`"user"`), an approved
 * API wallet (`"agent"`, with the account it signs for), a sub-account, a vault, or nothing (`"missing"`).
 *
 * Both halves of the key discipline rest on this one answer: the hot path signs orders only with an agent of
 * the account it trades for (a master key in a long-running, network-facing process could move funds), and
 * the rebalancer transfers only with the account's own key (an agent cannot sign `usdClassTransfer`). One
 * decoder for both, so the two checks can never read the answer differently.
 *
 * `userRole` weighs 60 of the 1200 per minute an IP may spend (PROTOCOL §11): ask once per start, not per
 * order.
 */

import { z } from "zod";

import type { ExchangeHttpClient } from "../http/httpClient.js";
import type { Address } from "../wire/brands.js";
import { addressSchema, decodeWith, type DecodeResult } from "../wire/decode-common.js";
import type { UserRole } from "../wire/info.js";

const userRoleSchema: z.ZodType<UserRole> = z.union([
  z.object({ role: z.literal("agent"), data: z.object({ user: addressSchema }) }),
  z.object({ role: z.literal("subAccount"), data: z.object({ master: addressSchema }) }),
  z.object({ role: z.enum(["missing", "user", "vault"]) }),
]);

export function decodeUserRole(value: unknown): DecodeResult<UserRole> {
  return decodeWith(userRoleSchema, "userRole", value);
}

/** The role could not be read (request failed, or an answer we do not understand): nothing is concluded. */
export class UserRoleReadError extends Error {
  override readonly name = "UserRoleReadError";
  constructor(
    readonly address: Address,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`reading userRole of ${address} failed: ${detail}`, options);
  }
}

/** Asks the exchange what `address` is. Throws `UserRoleReadError`. */
export async function readUserRole(
  http: Pick<ExchangeHttpClient, "info">,
  address: Address,
): Promise<UserRole> {
  let answer: unknown;
  try {
    answer = await http.info({ type: "userRole", user: address });
  } catch (error) {
    throw new UserRoleReadError(address, error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
  const decoded = decodeUserRole(answer);
  if (!decoded.ok) throw new UserRoleReadError(address, decoded.error.message, { cause: decoded.error });
  return decoded.value;
}

/** The role in words, for error messages: `an API wallet (agent) of 0x…`, `an account (its master key)`, … */
export function describeUserRole(role: UserRole): string {
  switch (role.role) {
    case "agent":
      return `an API wallet (agent) of ${role.data.user}`;
    case "user":
      return "an account: the key is that account's master key";
    case "subAccount":
      return `a sub-account of ${role.data.master}`;
    case "vault":
      return "a vault";
    case "missing":
      return "unknown to the exchange (never funded, never approved as an agent, or the wrong key)";
  }
}
