/**
 * Schemas for single configuration values. Each one's error message is the human description of what is
 * expected ("a decimal string > 0, e.g. \"0.5\""); `ConfigError` adds the field path and the value it got.
 *
 * Money-like values (sizes, USDC amounts, basis points, percentages) are decimal strings in the exchange's
 * wire form, never JSON numbers: a float cannot hold 0.1 exactly, and a size that drifts by one lot is a
 * rejected or mis-sized order. Bounds are compared exactly on scaled integers.
 */

import { compare, parseDecimal } from "../exchange/decimal/decimal.js";
import { z } from "zod";

import { type WireDecimal, WireFormatError, asWireDecimal, toAddress } from "../exchange/wire/brands.js";

export interface DecimalBounds {
  /** Value must be > this (exclusive). */
  readonly above?: string;
  /** Value must be ≥ this. */
  readonly atLeast?: string;
  /** Value must be < this (exclusive). */
  readonly below?: string;
  /** Value must be ≤ this. */
  readonly atMost?: string;
}

/** A decimal string in wire form satisfying `bounds`. */
export function decimalString(bounds: DecimalBounds, example: string) {
  const expected = describeDecimal(bounds, example);
  return z
    .string({ error: expected })
    .refine((text) => isWireDecimal(text) && withinBounds(text, bounds), { error: expected })
    .transform((text) => text as WireDecimal);
}

/** An integer in [min, max]; `unit` is appended to the description, e.g. " milliseconds". */
export function integerInRange(min: number, max: number, unit = "") {
  const expected = `an integer from ${min} to ${max}${unit}`;
  return z
    .number({ error: expected })
    .int({ error: expected })
    .min(min, { error: expected })
    .max(max, { error: expected });
}

/** An absolute URL whose scheme is one of `schemes`. */
export function urlWithScheme(schemes: readonly string[], example: string) {
  const expected = `a ${schemes.join(" or ")} URL, e.g. "${example}"`;
  return z.url({ protocol: new RegExp(`^(?:${schemes.join("|")})$`), error: expected });
}

export function nonEmptyString(expected: string) {
  return z.string({ error: expected }).min(1, { error: expected });
}

/** A 20-byte hex address, normalised to lower case. */
export const addressField = z
  .string({ error: 'an address, "0x" + 40 hex digits' })
  .refine(isAddress, { error: 'an address, "0x" + 40 hex digits' })
  .transform((text) => toAddress(text));

/** Upper-case by convention; it also keeps a pasted mixed-case token from passing as a variable name. */
const ENV_VAR_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/;
const SECRETS_MANAGER_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

/**
 * Where a secret comes from; never the secret itself.
 * - `{ env: "VAR" }`: the environment variable VAR holds it;
 * - `{ awsSecretArn, jsonKey? }`: AWS Secrets Manager; with `jsonKey` the secret string is a JSON object
 *   and the value is that property.
 */
export type SecretSource =
  { readonly env: string } | { readonly awsSecretArn: string; readonly jsonKey?: string };

export const SECRET_SOURCE_EXPECTED =
  'a secret source: either {"env":"UPPER_CASE_VARIABLE"} or ' +
  '{"awsSecretArn":"arn:aws:secretsmanager:<region>:<account>:secret:<name>","jsonKey"?:"<field>"}';

export const secretSourceField = z.unknown().transform((value, ctx): SecretSource => {
  const source = parseSecretSource(value);
  if (source === null) {
    ctx.addIssue(SECRET_SOURCE_EXPECTED);
    return z.NEVER;
  }
  return source;
});

function parseSecretSource(value: unknown): SecretSource | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const entries = Object.entries(value);
  const record = Object.fromEntries(entries) as Record<string, unknown>;
  if (entries.length === 1 && typeof record["env"] === "string" && ENV_VAR_NAME.test(record["env"])) {
    return { env: record["env"] };
  }
  const arn = record["awsSecretArn"];
  if (typeof arn !== "string" || !SECRETS_MANAGER_ARN.test(arn)) return null;
  const jsonKey = record["jsonKey"];
  if (entries.length === 1) return { awsSecretArn: arn };
  if (entries.length === 2 && typeof jsonKey === "string" && jsonKey.length > 0) {
    return { awsSecretArn: arn, jsonKey };
  }
  return null;
}

/** Exact comparison of two wire decimals: negative, zero or positive like a sort comparator. */
export function compareDecimals(a: string, b: string): number {
  return compare(parseDecimal(a), parseDecimal(b));
}

function withinBounds(decimal: string, bounds: DecimalBounds): boolean {
  if (bounds.above !== undefined && !(compareDecimals(decimal, bounds.above) > 0)) return false;
  if (bounds.atLeast !== undefined && !(compareDecimals(decimal, bounds.atLeast) >= 0)) return false;
  if (bounds.below !== undefined && !(compareDecimals(decimal, bounds.below) < 0)) return false;
  if (bounds.atMost !== undefined && !(compareDecimals(decimal, bounds.atMost) <= 0)) return false;
  return true;
}

function describeDecimal(bounds: DecimalBounds, example: string): string {
  const limits = [
    bounds.above === undefined ? null : `> ${bounds.above}`,
    bounds.atLeast === undefined ? null : `>= ${bounds.atLeast}`,
    bounds.below === undefined ? null : `< ${bounds.below}`,
    bounds.atMost === undefined ? null : `<= ${bounds.atMost}`,
  ].filter((limit) => limit !== null);
  const range = limits.length === 0 ? "" : ` ${limits.join(" and ")}`;
  return `a decimal string${range}, e.g. "${example}" (a string, not a JSON number)`;
}

function isWireDecimal(text: string): boolean {
  try {
    asWireDecimal(text);
    return true;
  } catch (error) {
    if (error instanceof WireFormatError) return false;
    throw error;
  }
}

function isAddress(text: string): boolean {
  try {
    toAddress(text);
    return true;
  } catch (error) {
    if (error instanceof WireFormatError) return false;
    throw error;
  }
}
