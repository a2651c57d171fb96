/**
 * Turns a `SecretSource` from the configuration into a `Secret`, at start-up (never on the hot path).
 *
 * - `{ env: "VAR" }` reads the variable; unset or empty is an error.
 * - `{ awsSecretArn, jsonKey? }` calls AWS Secrets Manager in the ARN's region with the default credential
 *   chain. The SDK is imported lazily, so a process that only uses env sources never loads it.
 *
 * Every resolved value is registered with the log scrubber before it is returned, so it cannot reach a log
 * line even through an error message. Errors name the source, never the value (nor parser messages that
 * would quote it).
 */

import type { Environment } from "./env-vars.js";
import type { SecretSource } from "./field-schemas.js";
import { Secret } from "./secret.js";
import {
  MIN_SCRUBBABLE_SECRET_LENGTH,
  type SecretScrubber,
  processSecretScrubber,
} from "../observability/redact.js";

export class SecretUnavailableError extends Error {
  override readonly name = "SecretUnavailableError";

  constructor(
    readonly source: SecretSource,
    readonly reason: string,
    options?: { cause: unknown },
  ) {
    super(`secret from ${describeSecretSource(source)} is unavailable: ${reason}`, options);
  }
}

/** Reads the secret string stored under an ARN. */
export type AwsSecretFetcher = (arn: string) => Promise<string>;

export interface ResolveSecretOptions {
  /** Default `process.env`. */
  readonly env?: Environment;
  /** Default: AWS Secrets Manager through `@aws-sdk/client-secrets-manager`. */
  readonly fetchAwsSecret?: AwsSecretFetcher;
  /** Default: the process-wide scrubber every logger uses. */
  readonly scrubber?: SecretScrubber;
}

/** `env HLB_AGENT_PRIVATE_KEY` or `AWS secret arn:…#field`: what a person needs to find the secret. */
export function describeSecretSource(source: SecretSource): string {
  if ("env" in source) return `env ${source.env}`;
  return `AWS secret ${source.awsSecretArn}${source.jsonKey === undefined ? "" : `#${source.jsonKey}`}`;
}

/** Any secret string (bearer token, password); surrounding whitespace is trimmed. */
export async function resolveSecret(
  source: SecretSource,
  options: ResolveSecretOptions = {},
): Promise<Secret> {
  const value = (await readSecretValue(source, options)).trim();
  return registered(source, value, options);
}

const PRIVATE_KEY = /^(?:0x)?([0-9a-fA-F]{64})$/;

/** A secp256k1 private key, normalised to `0x` + 64 lower-case hex digits. */
export async function resolvePrivateKey(
  source: SecretSource,
  options: ResolveSecretOptions = {},
): Promise<Secret> {
  const value = (await readSecretValue(source, options)).trim();
  const hex = PRIVATE_KEY.exec(value)?.[1];
  if (hex === undefined) {
    throw new SecretUnavailableError(
      source,
      'not a private key ("0x" + 64 hex digits expected; value not shown)',
    );
  }
  return registered(source, `0x${hex.toLowerCase()}`, options);
}

function registered(source: SecretSource, value: string, options: ResolveSecretOptions): Secret {
  if (value.length < MIN_SCRUBBABLE_SECRET_LENGTH) {
    throw new SecretUnavailableError(
      source,
      `too short (${value.length} characters; at least ${MIN_SCRUBBABLE_SECRET_LENGTH} expected)`,
    );
  }
  (options.scrubber ?? processSecretScrubber).register(value);
  return new Secret(value, describeSecretSource(source));
}

async function readSecretValue(source: SecretSource, options: ResolveSecretOptions): Promise<string> {
  if ("env" in source) {
    const value = (options.env ?? process.env)[source.env];
    if (value === undefined || value.trim() === "") {
      throw new SecretUnavailableError(source, "the variable is not set or empty");
    }
    return value;
  }
  const fetchAwsSecret = options.fetchAwsSecret ?? fetchFromSecretsManager;
  let secretString: string;
  try {
    secretString = await fetchAwsSecret(source.awsSecretArn);
  } catch (error) {
    if (error instanceof SecretUnavailableError) throw error;
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new SecretUnavailableError(source, `Secrets Manager request failed (${detail})`, { cause: error });
  }
  return source.jsonKey === undefined ? secretString : pickJsonField(source, source.jsonKey, secretString);
}

function pickJsonField(source: SecretSource, jsonKey: string, secretString: string): string {
  let document: unknown;
  try {
    document = JSON.parse(secretString);
  } catch {
    // The SyntaxError quotes the secret text, so it is neither shown nor chained as the cause.
    throw new SecretUnavailableError(source, "the secret is not a JSON object (parse error not shown)");
  }
  const field =
    typeof document === "object" && document !== null && !Array.isArray(document)
      ? (document as Record<string, unknown>)[jsonKey]
      : undefined;
  if (typeof field !== "string") {
    throw new SecretUnavailableError(source, `the secret JSON has no string field "${jsonKey}"`);
  }
  return field;
}

async function fetchFromSecretsManager(arn: string): Promise<string> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
  // arn:aws:secretsmanager:<region>:<account>:secret:<name>; the secret lives in the ARN's region.
  const region = arn.split(":")[3];
  const client = new SecretsManagerClient(region === undefined || region === "" ? {} : { region });
  try {
    const response = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (response.SecretString !== undefined) return response.SecretString;
    if (response.SecretBinary !== undefined) return Buffer.from(response.SecretBinary).toString("utf8");
    throw new SecretUnavailableError(
      { awsSecretArn: arn },
      "the secret has neither SecretString nor SecretBinary",
    );
  } finally {
    client.destroy();
  }
}
