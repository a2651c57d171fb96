/**
 * Byte ↔ hex conversion for signatures, digests and addresses.
 *
 * Kept separate from `wire/brands.ts` (which validates strings) because these run per signature: a
 * 256-entry lookup table for encoding and a char-code decoder, no regex and no intermediate strings.
 * Encoding always yields lowercase, which is what the exchange expects for every hex field.
 */

import type { Hex } from "../wire/brands.js";

const BYTE_TO_HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** `0x` + two lowercase digits per byte of `bytes[start, end)`. */
export function bytesToHex(bytes: Uint8Array, start = 0, end = bytes.length): Hex {
  let out = "0x";
  for (let i = start; i < end; i++) out += BYTE_TO_HEX[bytes[i] as number] as string;
  return out as Hex;
}

export class HexDecodeError extends Error {
  override readonly name = "HexDecodeError";
  constructor(
    readonly what: string,
    reason: string,
  ) {
    super(`${what}: ${reason}`);
  }
}

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/**
 * Writes the hex digits of `hex` (with `0x`) into `out` at `offset`, right-aligned in `byteLength` bytes
 * (left-padded with zeros: the Python SDK emits signatures' `r`/`s` without leading zeros). `what` names
 * the value in errors; the value itself is never echoed (it may be a secret key).
 */
export function hexIntoBytes(
  hex: string,
  out: Uint8Array,
  offset: number,
  byteLength: number,
  what: string,
): void {
  if (hex.length < 3 || hex.charCodeAt(0) !== 48 || (hex.charCodeAt(1) | 0x20) !== 120) {
    throw new HexDecodeError(what, "expected 0x followed by hex digits");
  }
  const digits = hex.length - 2;
  if (digits > byteLength * 2) throw new HexDecodeError(what, `more than ${byteLength} bytes`);
  out.fill(0, offset, offset + byteLength);
  // Walk from the last digit backwards so an odd digit count pads on the left.
  let byteIndex = offset + byteLength - 1;
  for (let i = hex.length - 1; i >= 2; i -= 2) {
    const lo = nibble(hex.charCodeAt(i));
    const hi = i - 1 >= 2 ? nibble(hex.charCodeAt(i - 1)) : 0;
    if (lo < 0 || hi < 0) throw new HexDecodeError(what, "not a hex digit");
    out[byteIndex--] = (hi << 4) | lo;
  }
}

/** Exactly `byteLength` bytes from `0x` + `2 × byteLength` hex digits (no padding accepted). */
export function hexToBytesExact(hex: string, byteLength: number, what: string): Uint8Array {
  if (hex.length !== 2 + byteLength * 2)
    throw new HexDecodeError(what, `expected 0x + ${byteLength * 2} hex digits`);
  const out = new Uint8Array(byteLength);
  hexIntoBytes(hex, out, 0, byteLength, what);
  return out;
}
