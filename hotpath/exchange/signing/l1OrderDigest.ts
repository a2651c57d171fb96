/**
 * The EIP-712 digest of an `order` action (l1.ts's three hashes), computed inside the WebAssembly
 * Keccak's memory so that nothing is copied or allocated between the action and the signature:
 *
 *   order preimage  msgpack(action) ‖ nonce ‖ vault marker ‖ [expiry]  →  keccak → written at agent[64]
 *   agent preimage  typeHash ‖ keccak(source) ‖ connectionId            →  keccak → written at eip712[34]
 *   eip712 preimage 19 01 ‖ domainSeparator ‖ structHash                →  keccak → digest
 *
 * The msgpack comes from the specialised writer (`orderActionMsgpack.ts`) straight into that memory; the
 * two fixed-length preimages are laid out and padded once, per network for the agent one. Used by
 * `signL1Action` only; an action of another shape (or no WebAssembly) takes l1.ts's generic path.
 */

import type { Network } from "../wire/actions.js";
import { KECCAK_RATE_BYTES, KECCAK_WASM_FREE_FROM, keccakWasm, padKeccakInput } from "./keccakWasm.js";
import {
  NOT_SPECIALISED,
  ORDER_ACTION_MSGPACK_MAX_BYTES,
  writeOrderActionMsgpack,
} from "./orderActionMsgpack.js";

/** nonce (8) + vault marker and address (21) + expiry marker and value (9). */
const PREIMAGE_TAIL_MAX_BYTES = 38;

// Memory layout (one 64 KiB page): fixed preimages, the digest, then the order preimage with room for
// its padding.
const AGENT_MAINNET = KECCAK_WASM_FREE_FROM;
const AGENT_TESTNET = AGENT_MAINNET + KECCAK_RATE_BYTES;
const EIP712 = AGENT_TESTNET + KECCAK_RATE_BYTES;
const DIGEST = EIP712 + KECCAK_RATE_BYTES;
const ORDER = DIGEST + 32;
const ORDER_CAPACITY = ORDER_ACTION_MSGPACK_MAX_BYTES + PREIMAGE_TAIL_MAX_BYTES + KECCAK_RATE_BYTES;

const AGENT_STRUCT_LENGTH = 96;
const CONNECTION_ID_OFFSET = 64;
const EIP712_LENGTH = 66;
const STRUCT_HASH_OFFSET = 34;

const TWO_POW_32 = 0x1_0000_0000;

export type OrderActionDigest = (
  action: object,
  nonce: number,
  vault: Uint8Array | undefined,
  expiresAfter: number | undefined,
  network: Network,
) => Uint8Array | undefined;

/**
 * A digest function for `order` actions, or `undefined` without WebAssembly. `agentPrefixes`: the first
 * 64 bytes of the Agent struct preimage per network (type hash ‖ keccak(source)).
 *
 * The function takes validated inputs (l1.ts checks nonce, expiry and vault) and returns the digest as a
 * view that the next call overwrites — sign it before signing anything else — or `undefined` when the
 * action is not the shape the specialised writer handles.
 */
export function createOrderActionDigest(
  domainSeparator: Uint8Array,
  agentPrefixes: Readonly<Record<Network, Uint8Array>>,
): OrderActionDigest | undefined {
  if (keccakWasm === undefined) return undefined;
  const { memory, hashBlocks } = keccakWasm;
  memory.set(agentPrefixes.mainnet, AGENT_MAINNET);
  padKeccakInput(memory, AGENT_MAINNET, AGENT_STRUCT_LENGTH);
  memory.set(agentPrefixes.testnet, AGENT_TESTNET);
  padKeccakInput(memory, AGENT_TESTNET, AGENT_STRUCT_LENGTH);
  memory[EIP712] = 0x19;
  memory[EIP712 + 1] = 0x01;
  memory.set(domainSeparator, EIP712 + 2);
  padKeccakInput(memory, EIP712, EIP712_LENGTH);
  const order = memory.subarray(ORDER, ORDER + ORDER_CAPACITY);
  const digest = memory.subarray(DIGEST, DIGEST + 32);

  return (action, nonce, vault, expiresAfter, network) => {
    // Anything but the two networks (an untyped caller) is left to the generic path, which rejects it.
    const agent = network === "mainnet" ? AGENT_MAINNET : network === "testnet" ? AGENT_TESTNET : -1;
    if (agent < 0) return undefined;
    let p = writeOrderActionMsgpack(action, order);
    if (p === NOT_SPECIALISED) return undefined;
    p = writeU64(order, p, nonce);
    if (vault === undefined) {
      order[p++] = 0x00;
    } else {
      order[p++] = 0x01;
      for (let i = 0; i < 20; i++) order[p++] = vault[i]!;
    }
    if (expiresAfter !== undefined) {
      order[p++] = 0x00;
      p = writeU64(order, p, expiresAfter);
    }
    hashBlocks(ORDER, padKeccakInput(order, 0, p), agent + CONNECTION_ID_OFFSET);
    hashBlocks(agent, 1, EIP712 + STRUCT_HASH_OFFSET);
    hashBlocks(EIP712, 1, DIGEST);
    return digest;
  };
}

/** Big-endian u64 of a validated non-negative safe integer. */
function writeU64(out: Uint8Array, start: number, value: number): number {
  const high = Math.floor(value / TWO_POW_32);
  const low = value >>> 0;
  out[start] = high >>> 24;
  out[start + 1] = high >>> 16;
  out[start + 2] = high >>> 8;
  out[start + 3] = high;
  out[start + 4] = low >>> 24;
  out[start + 5] = low >>> 16;
  out[start + 6] = low >>> 8;
  out[start + 7] = low;
  return start + 8;
}
