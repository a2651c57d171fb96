/**
 * The hot path process's exit statuses, from what stopped start-up. Supervisors (systemd, ECS) and people
 * read them: 2 and 3 will not go away by restarting, 1 may.
 *
 * | status | meaning |
 * | --- | --- |
 * | 0 | stopped by SIGTERM/SIGINT, cleanly |
 * | 1 | an unexpected failure, or the exchange unreachable at start-up (restarting may help) |
 * | 2 | refused: the configuration (`loadConfigOrExit`), a secret that cannot be used, live without the agent key, a signing key that is not an agent of the account (a master key) |
 * | 3 | start-up reconciliation failed: the account holds something the journal and fills do not explain, or the checkpoint is damaged |
 */

import { SecretUnavailableError } from "../config/index.js";
import { ControlTokenUnusableError } from "../control/bearerToken.js";
import { InvalidPrivateKeyError } from "../exchange/signing/index.js";
import { CheckpointError, ReconciliationError } from "../execution/reconcile/errors.js";
import { SigningKeyRefusedError } from "./agentKeyCheck.js";
import { MissingEndpointsError } from "./hotpath.js";
import { StartupRefusedError } from "./tradingSetup.js";

export const EXIT_FAILED = 1;
export const EXIT_REFUSED = 2;
export const EXIT_NOT_RECONCILED = ReconciliationError.EXIT_CODE;

export function exitStatusOf(error: unknown): number {
  if (error instanceof ReconciliationError || error instanceof CheckpointError) return EXIT_NOT_RECONCILED;
  if (
    error instanceof SigningKeyRefusedError ||
    error instanceof StartupRefusedError ||
    error instanceof MissingEndpointsError ||
    error instanceof SecretUnavailableError ||
    error instanceof InvalidPrivateKeyError ||
    error instanceof ControlTokenUnusableError
  ) {
    return EXIT_REFUSED;
  }
  return EXIT_FAILED;
}
