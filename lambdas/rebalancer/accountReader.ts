/**
 * Reads what the plan needs from the exchange, for the master address (an agent's address reads as an
 * empty account, PROTOCOL §10.2): the account mode (`userAbstraction`), the perp account
 * (`clearinghouseState`: account value, margin used, withdrawable, positions) and every spot balance
 * (`spotClearinghouseState`: USDC, HYPE, … with holds). The three requests go out together (weight 20 + 2
 * + 2 of the IP's 1200 per minute). Any failure or unexpected shape is an `AccountReadError`; an unknown
 * account mode is an `UnknownAccountModeError` — no decision is made on a partial or misunderstood view.
 */

import type { Address } from "../../hotpath/exchange/wire/brands.js";
import { decodePerpAccount, decodeSpotBalances, decodeUserAbstraction } from "./accountDecoders.js";
import type { DecodeResult } from "../../hotpath/exchange/wire/decode-common.js";
import { AccountReadError, UnknownAccountModeError } from "./errors.js";
import type { RebalancerExchange } from "./masterKey.js";
import { isAccountMode, type RebalanceInputs } from "./plan.js";

export async function readAccount(exchange: RebalancerExchange, user: Address): Promise<RebalanceInputs> {
  const ask = async <T>(
    type: "userAbstraction" | "clearinghouseState" | "spotClearinghouseState",
    decode: (value: unknown) => DecodeResult<T>,
  ): Promise<T> => {
    let answer: unknown;
    try {
      answer = await exchange.info({ type, user });
    } catch (error) {
      throw new AccountReadError(type, user, error instanceof Error ? error.message : String(error), {
        cause: error,
      });
    }
    const decoded = decode(answer);
    if (!decoded.ok) throw new AccountReadError(type, user, decoded.error.message, { cause: decoded.error });
    return decoded.value;
  };
  const [mode, perp, spot] = await Promise.all([
    ask("userAbstraction", decodeUserAbstraction),
    ask("clearinghouseState", decodePerpAccount),
    ask("spotClearinghouseState", decodeSpotBalances),
  ]);
  if (!isAccountMode(mode)) throw new UnknownAccountModeError(user, mode);
  return { accountMode: mode, perp, spot };
}
