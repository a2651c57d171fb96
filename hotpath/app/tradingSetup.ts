/**
 * Whether this process trades, and with what, from the configuration and its secret sources — resolved
 * once at start-up, before anything connects.
 *
 * - `sim` and `live` trade on the exchange when the agent key's source yields a key; `paper` never uses a
 *   real key (its orders go to the paper venue `startHotpath` starts).
 * - The key is optional in `sim` (no key: the process observes — edges are recorded as skipped, reason
 *   `paused`) and required in `live`: a live process that cannot trade is a misconfiguration, refused.
 * - Trading needs the account the agent trades for (`accountAddress`; the configuration already requires it
 *   in `live`).
 * - Orders are signed for mainnet in `sim` (the simulator verifies mainnet signatures, PROTOCOL §6), for the
 *   configured network otherwise.
 *
 * A key source that is configured but fails (unset variable aside: a Secrets Manager error, not a key) is
 * an error in every mode: an operator who meant to trade must not get a process that silently observes.
 */

import type { Config } from "../config/index.js";
import { describeSecretSource, resolvePrivateKey, type ResolveSecretOptions } from "../config/index.js";
import { createSigner } from "../exchange/signing/index.js";
import type { TradingOptions } from "./trading.js";

/** The configuration asks for something this process refuses to do (exit status 2). */
export class StartupRefusedError extends Error {
  override readonly name = "StartupRefusedError";
  static readonly EXIT_CODE = 2;
}

export type TradingSetup =
  | { readonly kind: "trading"; readonly options: TradingOptions }
  | { readonly kind: "observing"; readonly reason: string };

/** Throws `StartupRefusedError`, `SecretUnavailableError`, `InvalidPrivateKeyError`. */
export async function tradingSetupOf(
  config: Config,
  secretOptions: ResolveSecretOptions = {},
): Promise<TradingSetup> {
  if (config.mode === "paper") {
    return { kind: "observing", reason: "paper mode: orders go to the paper venue, no key is used" };
  }
  const source = config.secretSources.agentKey;
  const env = secretOptions.env ?? process.env;
  if ("env" in source && (env[source.env] ?? "").trim() === "") {
    if (config.mode === "live") {
      throw new StartupRefusedError(
        `mode live needs the agent key that signs orders: set ${source.env} (or HLB_AGENT_KEY_SECRET_ARN) ` +
          `to an API wallet approved by the account; nothing was started`,
      );
    }
    return { kind: "observing", reason: `no agent key (${source.env} is not set)` };
  }
  const account = config.accountAddress;
  if (account === null) {
    throw new StartupRefusedError(
      `an agent key is configured (${describeSecretSource(source)}) but not the account it trades for: set ` +
        `HLB_ACCOUNT_ADDRESS to the master (or sub-account) address that approved the agent`,
    );
  }
  const key = await resolvePrivateKey(source, secretOptions);
  return {
    kind: "trading",
    options: {
      signer: createSigner(key.reveal()),
      account,
      network: config.network === "sim" ? "mainnet" : config.network,
      keySource: key.description,
    },
  };
}
