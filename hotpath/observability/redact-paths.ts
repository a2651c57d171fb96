/**
 * Name-based redaction: fields whose NAME says they hold secret material are censored whatever their value,
 * so this layer also covers secrets nobody registered with the scrubber.
 *
 * Two mechanisms, because pino's redaction is priced per path: a wildcard path such as `*.privateKey` costs
 * about 0.6 µs per log call (130 paths cost ~150 µs a line), a top-level one almost nothing.
 * 1. pino `redact` paths: every name at the top level, the core names one level down (`*.privateKey`) and
 *    the usual header locations. They censor values of any type, objects included.
 * 2. `maskSecretFieldsInLine` on the finished JSON line: any `"<secret name>":"<string>"` at any depth,
 *    names matched case-insensitively, for about a microsecond a line. A raw `"` in a JSON line is always
 *    structural (quotes inside strings are escaped), so the pattern cannot match inside a value.
 * Numbers, booleans and null are left alone: no secret here is a number, while e.g. a spot balance's
 * `"token": 150` (a token index) is worth seeing.
 */

import { REDACTED, maskUrlCredentials } from "./redact.js";

/** Field names whose value is secret. */
export const SECRET_FIELD_NAMES: readonly string[] = [
  "privateKey",
  "private_key",
  "agentKey",
  "masterKey",
  "secretKey",
  "signingKey",
  "apiKey",
  "api_key",
  "secret",
  "secrets",
  "password",
  "passphrase",
  "mnemonic",
  "token",
  "bearerToken",
  "controlToken",
  "accessToken",
  "refreshToken",
  "sessionToken",
  "authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
];

/** Fields that hold a URL which may embed a password: only the password part is censored. */
export const URL_FIELD_NAMES: readonly string[] = ["databaseUrl", "connectionString"];

/** Names also redacted one level down by pino (each wildcard path costs ~0.6 µs a line). */
const NESTED_PATH_NAMES: readonly string[] = [
  "privateKey",
  "agentKey",
  "masterKey",
  "secret",
  "password",
  "token",
  "controlToken",
  "authorization",
  "databaseUrl",
];

function pathSegment(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : `["${name}"]`;
}

function join(prefix: string, name: string): string {
  const segment = pathSegment(name);
  return segment.startsWith("[") ? `${prefix}${segment}` : `${prefix}.${segment}`;
}

/** Every redact path handed to pino. */
export const REDACT_PATHS: readonly string[] = [
  ...[...SECRET_FIELD_NAMES, ...URL_FIELD_NAMES].map(pathSegment),
  ...NESTED_PATH_NAMES.map((name) => join("*", name)),
  ...["authorization", "cookie", "set-cookie", "x-api-key"].flatMap((name) => [
    join("headers", name),
    join("req.headers", name),
  ]),
];

const URL_FIELDS = new Set(URL_FIELD_NAMES);

/** pino censor: URL fields keep everything but the password; other strings and objects are replaced whole. */
export function censorRedactedField(value: unknown, path: readonly string[]): unknown {
  if (value === null || typeof value === "number" || typeof value === "boolean") return value;
  const field = path[path.length - 1];
  if (field !== undefined && URL_FIELDS.has(field)) {
    return typeof value === "string" ? maskUrlCredentials(value) : value;
  }
  return REDACTED;
}

const SECRET_FIELD_IN_LINE = new RegExp(
  `"(${SECRET_FIELD_NAMES.map((name) => name.replace(/[-]/g, "\\-")).join("|")})":"(?:[^"\\\\]|\\\\.)*"`,
  "gi",
);

/** Censors string values of secret-named fields at any depth of a serialized JSON line, and URL passwords. */
export function maskSecretFieldsInLine(line: string): string {
  return maskUrlCredentials(line.replace(SECRET_FIELD_IN_LINE, `"$1":"${REDACTED}"`));
}
