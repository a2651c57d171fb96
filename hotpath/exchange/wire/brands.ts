/**
 * Branded primitive types for values that cross the wire.
 *
 * Brands make the compiler refuse to mix a raw `string` with a validated wire value: a price can only
 * become a `WireDecimal` through the decimal module's parser/formatter, an address only through
 * `toAddress`. The brand costs nothing at run time (it is erased).
 */

declare const wireDecimalBrand: unique symbol;
declare const addressBrand: unique symbol;
declare const cloidBrand: unique symbol;
declare const hexBrand: unique symbol;

/** A decimal as the exchange writes it: plain digits, optional `-`, optional fraction, no exponent. */
export type WireDecimal = string & { readonly [wireDecimalBrand]: true };

/** A lower-case 20-byte hex address, `0x` + 40 hex digits. */
export type Address = `0x${string}` & { readonly [addressBrand]: true };

/** A client order id: `0x` + 32 lower-case hex digits (128 bits). */
export type Cloid = `0x${string}` & { readonly [cloidBrand]: true };

/** Lower-case hex bytes with `0x` prefix. */
export type Hex = `0x${string}` & { readonly [hexBrand]: true };

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const CLOID_RE = /^0x[0-9a-fA-F]{32}$/;
/** A cloid as we send, journal and ship it: `toCloid`'s output, lower case only. */
export const CANONICAL_CLOID_RE = /^0x[0-9a-f]{32}$/;
const HEX_RE = /^0x(?:[0-9a-fA-F]{2})*$/;
const WIRE_DECIMAL_RE = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;

export class WireFormatError extends Error {
  override readonly name = "WireFormatError";
  constructor(
    readonly kind: "address" | "cloid" | "hex" | "decimal",
    readonly value: unknown,
  ) {
    super(`not a valid ${kind}: ${JSON.stringify(value)}`);
  }
}

/** Validates and lower-cases an address (the exchange decodes addresses as bytes; mixed case breaks signatures). */
export function toAddress(value: string): Address {
  if (!ADDRESS_RE.test(value)) throw new WireFormatError("address", value);
  return value.toLowerCase() as Address;
}

export function toCloid(value: string): Cloid {
  if (!CLOID_RE.test(value)) throw new WireFormatError("cloid", value);
  return value.toLowerCase() as Cloid;
}

export function toHex(value: string): Hex {
  if (!HEX_RE.test(value)) throw new WireFormatError("hex", value);
  return value.toLowerCase() as Hex;
}

/**
 * Accepts a decimal string as the exchange sends it (it may carry trailing zeros such as `"35.0"`).
 * Use the decimal module's `formatDecimal` to produce the canonical form we send.
 */
export function asWireDecimal(value: string): WireDecimal {
  if (!WIRE_DECIMAL_RE.test(value)) throw new WireFormatError("decimal", value);
  return value as WireDecimal;
}
