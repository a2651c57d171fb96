/**
 * The pieces of EIP-712 typed-data hashing that both Hyperliquid signing schemes use.
 *
 * Only what we need, written out instead of a generic typed-data library: every domain has the same shape
 * (`EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)` with a zero
 * verifying contract), and every struct is flat (strings, bools, uint64, addresses, bytes32). Domain
 * separators are constants, computed once per chain id and cached.
 */

import { keccak256 } from "./keccak.js";

const utf8 = new TextEncoder();

export function keccakUtf8(text: string): Uint8Array {
  return keccak256(utf8.encode(text));
}

const DOMAIN_TYPE_HASH = keccakUtf8(
  "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)",
);

/** Writes `value` as a big-endian 32-byte word at `offset` (uint64/uint256 fields). */
export function writeUintWord(out: Uint8Array, offset: number, value: bigint): void {
  let rest = value;
  for (let i = offset + 31; i >= offset; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  if (rest !== 0n) throw new RangeError(`${value} does not fit in 256 bits`);
}

/** `keccak256(typeHash ‖ keccak(name) ‖ keccak(version) ‖ chainId ‖ address(0))`. */
export function domainSeparator(name: string, version: string, chainId: bigint): Uint8Array {
  const words = new Uint8Array(5 * 32);
  words.set(DOMAIN_TYPE_HASH, 0);
  words.set(keccakUtf8(name), 32);
  words.set(keccakUtf8(version), 64);
  writeUintWord(words, 96, chainId);
  // verifyingContract = 0x0…0: the last word stays zero.
  return keccak256(words);
}

/**
 * A reusable `0x19 0x01 ‖ domainSeparator ‖ structHash` buffer for one domain: the prefix is written once,
 * each digest only copies the 32-byte struct hash in. Not reentrant, which is fine: hashing is synchronous.
 */
export class TypedDataDigester {
  private readonly preimage = new Uint8Array(66);

  constructor(domain: Uint8Array) {
    this.preimage[0] = 0x19;
    this.preimage[1] = 0x01;
    this.preimage.set(domain, 2);
  }

  digest(structHash: Uint8Array): Uint8Array {
    this.preimage.set(structHash, 34);
    return keccak256(this.preimage);
  }
}
