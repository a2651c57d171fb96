/**
 * The `{r, s, v}` signature as the exchange receives it, and its conversion to and from raw bytes.
 *
 * We always emit `r`/`s` as `0x` + 64 lowercase digits (NK's request schema requires length 66) and `v` as
 * the number 27 or 28. When parsing (the simulator verifying requests) we also accept the Python SDK's
 * unpadded `r`/`s` (it drops leading zeros), because the exchange evidently accepts them (PROTOCOL.md §6.4).
 */

import type { Hex } from "../wire/brands.js";
import { bytesToHex, HexDecodeError, hexIntoBytes } from "./hex.js";

export type Signature = { readonly r: Hex; readonly s: Hex; readonly v: 27 | 28 };

/** A signature as received from a client: not yet validated, `r`/`s` possibly unpadded. */
export type ReceivedSignature = { readonly r: string; readonly s: string; readonly v: number };

export class SignatureFormatError extends Error {
  override readonly name = "SignatureFormatError";
  constructor(
    readonly field: "r" | "s" | "v" | "recoveryId",
    reason: string,
  ) {
    super(`bad signature ${field}: ${reason}`);
  }
}

/** Builds the wire signature from `r‖s` (64 bytes) and a recovery id. */
export function signatureFromCompact(rs: Uint8Array, recoveryId: number): Signature {
  // Recovery ids 2/3 (R.x ≥ n, probability ≈ 2^-128) have no Ethereum `v`.
  if (recoveryId !== 0 && recoveryId !== 1) {
    throw new SignatureFormatError("recoveryId", `${recoveryId} cannot be expressed as v = 27 | 28`);
  }
  return { r: bytesToHex(rs, 0, 32), s: bytesToHex(rs, 32, 64), v: recoveryId === 0 ? 27 : 28 };
}

/** Writes `r‖s` into `out` (64 bytes) and returns the recovery id (0 | 1). */
export function signatureToCompact(signature: ReceivedSignature, out: Uint8Array): 0 | 1 {
  try {
    hexIntoBytes(signature.r, out, 0, 32, "r");
  } catch (e) {
    if (e instanceof HexDecodeError) throw new SignatureFormatError("r", e.message);
    throw e;
  }
  try {
    hexIntoBytes(signature.s, out, 32, 32, "s");
  } catch (e) {
    if (e instanceof HexDecodeError) throw new SignatureFormatError("s", e.message);
    throw e;
  }
  const v = signature.v;
  if (v === 27) return 0;
  if (v === 28) return 1;
  throw new SignatureFormatError("v", `expected 27 or 28, got ${String(v)}`);
}
