/**
 * L1 action signing (PROTOCOL.md §6.1): order, cancel, scheduleCancel, … are signed as a "phantom agent"
 * whose `connectionId` is the keccak of the msgpack-encoded action plus nonce, vault and expiry.
 *
 *   connectionId = keccak256(msgpack(action) ‖ u64be(nonce) ‖ (00 | 01 ‖ vault[20]) ‖ [00 ‖ u64be(expiresAfter)])
 *   structHash   = keccak256(keccak("Agent(string source,bytes32 connectionId)") ‖ keccak(source) ‖ connectionId)
 *   digest       = keccak256(19 01 ‖ domainSeparator("Exchange", "1", 1337) ‖ structHash)
 *
 * with `source` = "a" on mainnet, "b" on testnet. Everything but the connectionId is constant, so the
 * domain separator, type hash and source hashes are precomputed at module load into reusable preimage
 * buffers; per order the work is one msgpack encode into a reused buffer, three keccaks and one ECDSA
 * signature.
 *
 * `signL1Action` computes the digest of the executor's `order` actions on a fast path (`l1OrderDigest.ts`:
 * a specialised, byte-identical msgpack writer and a WebAssembly keccak chaining the three hashes without
 * copies or allocations); any other shape takes the generic path. Every other entry point (`l1ActionHash`,
 * `l1ActionDigest`, recovery — what the simulator verifies requests with) stays generic (`MsgpackWriter`,
 * keccak.ts), so the simulator remains an independent check of the fast path.
 *
 * The action must already be in canonical key order (build it with `wire/actions.ts`); this module hashes
 * whatever order it is given, which is also what the simulator needs to verify a client's bytes.
 */

import type { Address } from "../wire/brands.js";
import type { L1Action, Network } from "../wire/actions.js";
import { domainSeparator, keccakUtf8, TypedDataDigester } from "./eip712.js";
import { HexDecodeError, hexIntoBytes } from "./hex.js";
import { keccak256 } from "./keccak.js";
import { type MsgpackValue, MsgpackWriter } from "./msgpack.js";
import { createOrderActionDigest } from "./l1OrderDigest.js";
import { recoverSigner, type Secp256k1BackendName, type Signer } from "./secp256k1.js";
import type { ReceivedSignature, Signature } from "./signature.js";

/**
 * An L1 action we have no builder for (e.g. `modify`, or the SDK vectors' `dummy`), or one decoded from a
 * client's JSON in the simulator. Hashed exactly as given.
 */
export type RawL1Action = { readonly type: string; readonly [key: string]: MsgpackValue | undefined };

export type L1ActionInput = L1Action | RawL1Action;

/** A nonce, expiry or vault that cannot be put in the preimage. */
export class L1HashInputError extends Error {
  override readonly name = "L1HashInputError";
  constructor(
    readonly field: "nonce" | "expiresAfter" | "vaultAddress",
    readonly value: unknown,
    reason: string,
  ) {
    super(`L1 action ${field} = ${String(value)}: ${reason}`);
  }
}

const preimageWriter = new MsgpackWriter();
const vaultScratch = new Uint8Array(20);

function checkU64(field: "nonce" | "expiresAfter", value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new L1HashInputError(field, value, "must be a non-negative safe integer (milliseconds)");
  }
}

/** Validates the non-action inputs; a vault address is decoded into `vaultScratch`. */
function checkPreimageInputs(nonce: number, vaultAddress?: Address, expiresAfter?: number): void {
  checkU64("nonce", nonce);
  if (expiresAfter !== undefined) checkU64("expiresAfter", expiresAfter);
  if (vaultAddress !== undefined) {
    if (vaultAddress.length !== 42) {
      throw new L1HashInputError("vaultAddress", vaultAddress, "expected 0x + 40 hex digits");
    }
    try {
      hexIntoBytes(vaultAddress, vaultScratch, 0, 20, "vaultAddress");
    } catch (e) {
      if (e instanceof HexDecodeError) throw new L1HashInputError("vaultAddress", vaultAddress, e.message);
      throw e;
    }
  }
}

/**
 * The connectionId (32 bytes) of an L1 action: keccak256 of msgpack(action), the nonce, the vault marker
 * and the optional expiry. `vaultAddress` present means "acting for this sub-account/vault".
 */
export function l1ActionHash(
  action: L1ActionInput,
  nonce: number,
  vaultAddress?: Address,
  expiresAfter?: number,
): Uint8Array {
  checkPreimageInputs(nonce, vaultAddress, expiresAfter);
  return genericConnectionId(action, nonce, vaultAddress !== undefined, expiresAfter);
}

/** `l1ActionHash` after validation, with the generic msgpack writer (the vault is in `vaultScratch`). */
function genericConnectionId(
  action: L1ActionInput,
  nonce: number,
  hasVault: boolean,
  expiresAfter: number | undefined,
): Uint8Array {
  const w = preimageWriter;
  w.reset();
  w.writeValue(action);
  w.writeU64(nonce);
  if (hasVault) {
    w.writeByte(0x01);
    w.writeBytes(vaultScratch);
  } else {
    w.writeByte(0x00);
  }
  if (expiresAfter !== undefined) {
    w.writeByte(0x00);
    w.writeU64(expiresAfter);
  }
  const hash = keccak256(w.view());
  w.reset();
  return hash;
}

// ---------------------------------------------------------------------------------------------------------
// EIP-712 Agent digest

/** Domain `{name:"Exchange", version:"1", chainId:1337, verifyingContract:0x0}`, whatever the network. */
export const EXCHANGE_DOMAIN_SEPARATOR: Uint8Array = domainSeparator("Exchange", "1", 1337n);

const AGENT_TYPE_HASH = keccakUtf8("Agent(string source,bytes32 connectionId)");

/** `typeHash ‖ keccak(source) ‖ <connectionId>`: the first 64 bytes are fixed per network. */
function agentStructPreimage(source: "a" | "b"): Uint8Array {
  const preimage = new Uint8Array(96);
  preimage.set(AGENT_TYPE_HASH, 0);
  preimage.set(keccakUtf8(source), 32);
  return preimage;
}

const agentPreimageByNetwork: Readonly<Record<Network, Uint8Array>> = {
  mainnet: agentStructPreimage("a"),
  testnet: agentStructPreimage("b"),
};

const exchangeDigester = new TypedDataDigester(EXCHANGE_DOMAIN_SEPARATOR);

/** The fast path for `order` actions; `undefined` without WebAssembly. */
const orderActionDigest = createOrderActionDigest(EXCHANGE_DOMAIN_SEPARATOR, {
  mainnet: agentPreimageByNetwork.mainnet.subarray(0, 64),
  testnet: agentPreimageByNetwork.testnet.subarray(0, 64),
});

/** The EIP-712 digest that is signed for an L1 action with this connectionId. */
export function agentDigest(connectionId: Uint8Array, network: Network): Uint8Array {
  if (connectionId.length !== 32)
    throw new RangeError(`connectionId must be 32 bytes, got ${connectionId.length}`);
  const preimage = agentPreimageByNetwork[network];
  preimage.set(connectionId, 64);
  return exchangeDigester.digest(keccak256(preimage));
}

// ---------------------------------------------------------------------------------------------------------
// Sign / recover

export type L1SigningParams = {
  readonly action: L1ActionInput;
  readonly nonce: number;
  readonly network: Network;
  readonly vaultAddress?: Address | undefined;
  readonly expiresAfter?: number | undefined;
};

/** The digest an L1 request's signature covers. */
export function l1ActionDigest(params: L1SigningParams): Uint8Array {
  return agentDigest(
    l1ActionHash(params.action, params.nonce, params.vaultAddress, params.expiresAfter),
    params.network,
  );
}

/**
 * Signs an L1 action. The executor's `order` actions take the fast path (`l1OrderDigest.ts`, the same
 * digest; see the module comment); everything else, or any action it declines, the generic one.
 */
export function signL1Action(params: L1SigningParams & { readonly signer: Signer }): Signature {
  const { action, nonce, vaultAddress, expiresAfter, network } = params;
  checkPreimageInputs(nonce, vaultAddress, expiresAfter);
  const vault = vaultAddress === undefined ? undefined : vaultScratch;
  // The fast path's digest is a view it overwrites on its next call: signed right here, never kept.
  const digest =
    (action.type === "order" && orderActionDigest !== undefined
      ? orderActionDigest(action, nonce, vault, expiresAfter, network)
      : undefined) ??
    agentDigest(genericConnectionId(action, nonce, vault !== undefined, expiresAfter), network);
  return params.signer.signDigest(digest);
}

/**
 * The address that signed an L1 request (the agent or the master). A request with any field changed
 * recovers a different address rather than failing, so compare the result with the expected signer.
 */
export function recoverL1ActionSigner(
  params: L1SigningParams & {
    readonly signature: ReceivedSignature;
    readonly backend?: Secp256k1BackendName | undefined;
  },
): Address {
  return recoverSigner(l1ActionDigest(params), params.signature, params.backend);
}
