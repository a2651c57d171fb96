/**
 * Which account mode a start-up reconciliation checks against (where the USDC pool is read, PROTOCOL
 * §10.1): the mode of the last successful reconciliation when there is one — so that a mode switched behind
 * the bot's back is a mismatch, not silently adopted — else, on a first start, the mode the exchange reports
 * now, as long as the reconciler understands it.
 */

import type { ExchangeHttpClient } from "../../exchange/http/httpClient.js";
import type { Address } from "../../exchange/wire/brands.js";
import { type AccountMode, accountModeOf, readAbstraction } from "./accountSnapshot.js";
import type { CheckpointStore } from "./checkpoint.js";
import { ReconciliationError } from "./errors.js";
import { unsupportedAccountModeMismatch } from "./mismatch.js";

/** Throws `ReconciliationError` (a mode the reconciler cannot read), `AccountReadError`, `CheckpointError`. */
export async function startupAccountMode(
  http: ExchangeHttpClient,
  address: Address,
  checkpoints: CheckpointStore,
): Promise<AccountMode> {
  const checkpoint = checkpoints.read(address);
  if (checkpoint !== null) return checkpoint.accountMode;
  const abstraction = await readAbstraction(http, address);
  const mode = accountModeOf(abstraction);
  if (mode === null) throw new ReconciliationError([unsupportedAccountModeMismatch(abstraction)]);
  return mode;
}
