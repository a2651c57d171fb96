/**
 * Building blocks shared by the boundary decoders: zod schemas for the branded wire primitives, the result
 * type, and the error that names the offending field.
 *
 * The decoders are the correctness reference (off the hot path): they validate what we rely on, drop fields
 * we do not model, and never throw. A decoded value is the parsed JSON minus unknown fields, with addresses,
 * cloids and hex lower-cased by the brand validators.
 */

import { z } from "zod";

import { asWireDecimal, toAddress, toCloid, toHex } from "./brands.js";
import type { Address, Cloid, Hex, WireDecimal } from "./brands.js";

/** `{ ok: true, value }` or `{ ok: false, error }`; decoders return this instead of throwing. */
export type DecodeResult<T, E = WireDecodeError> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/** A response body that does not have the shape we rely on. */
export class WireDecodeError extends Error {
  override readonly name = "WireDecodeError";
  constructor(
    /** What was being decoded, e.g. `"meta"`, `"spotMeta"`, `"exchange response"`. */
    readonly subject: string,
    /** Path of the first offending field, e.g. `universe[3].szDecimals`; `""` for the value itself. */
    readonly field: string,
    /** What is wrong with it. */
    readonly reason: string,
  ) {
    super(`${subject}: ${field === "" ? "value" : field}: ${reason}`);
  }
}

/** A string schema whose output is the brand `convert` produces; a failed conversion is a field issue. */
function branded<T>(convert: (value: string) => T, expected: string): z.ZodType<T> {
  return z.string().transform((value, ctx) => {
    try {
      return convert(value);
    } catch {
      ctx.addIssue({ code: "custom", message: `expected ${expected}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
  });
}

export const wireDecimalSchema: z.ZodType<WireDecimal> = branded(asWireDecimal, "a decimal string");
export const addressSchema: z.ZodType<Address> = branded(toAddress, "a 20-byte hex address");
export const cloidSchema: z.ZodType<Cloid> = branded(toCloid, "a 16-byte hex cloid");
export const hexSchema: z.ZodType<Hex> = branded(toHex, "0x-prefixed hex bytes");

/** Ids, times and counts: JSON numbers that are safe integers (oids and tids reach ~1e15). */
export const uintSchema = z.int().nonnegative();

/** `universe[3].name`, `data.levels[0][1].px`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** The first issue, as field path and reason; zod reports issues in document order. */
export function firstIssue(error: z.ZodError): { field: string; reason: string } {
  const issue = error.issues[0];
  if (issue === undefined) return { field: "", reason: "invalid" };
  return { field: formatIssuePath(issue.path), reason: issue.message };
}

/** Validates `value` against `schema`, reporting failure as a `WireDecodeError` about `subject`. */
export function decodeWith<T>(schema: z.ZodType<T>, subject: string, value: unknown): DecodeResult<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const { field, reason } = firstIssue(parsed.error);
  return { ok: false, error: new WireDecodeError(subject, field, reason) };
}
