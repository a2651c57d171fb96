/**
 * The control token at start-up: `secretSources.controlToken` (default `{ env: "HLB_CONTROL_TOKEN" }`)
 * resolved into a `Secret`, or null when the variable is simply not set — then the control API is disabled
 * (every control route answers 503 saying how to enable it), never open.
 *
 * Anything else that goes wrong is an error that stops start-up: a token from Secrets Manager that cannot be
 * read, one that is too short or contains spaces. A process whose operator meant to configure control must
 * not come up without it.
 */

import type { SecretSource } from "../config/field-schemas.js";
import { resolveSecret, type ResolveSecretOptions } from "../config/resolve-secret.js";
import type { Secret } from "../config/secret.js";
import { BearerToken } from "./bearerToken.js";

export async function resolveControlToken(
  source: SecretSource,
  options: ResolveSecretOptions = {},
): Promise<Secret | null> {
  if ("env" in source) {
    const value = (options.env ?? process.env)[source.env];
    if (value === undefined || value.trim() === "") return null;
  }
  const token = await resolveSecret(source, options);
  new BearerToken(token); // throws ControlTokenUnusableError now rather than when the host starts
  return token;
}
