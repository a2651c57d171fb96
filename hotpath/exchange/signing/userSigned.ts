/**
 * User-signed actions (PROTOCOL.md §6.3): transfers, withdrawals and agent approval, signed by the master
 * key as plain EIP-712 structs, not msgpack-hashed.
 *
 *   domain     = {name:"HyperliquidSignTransaction", version:"1", chainId:<signatureChainId>, verifyingContract:0x0}
 *   typeString = "HyperliquidTransaction:<Name>(<type> <field>,…)"   (fields in the table's order)
 *   structHash = keccak256(keccak(typeString) ‖ enc(field₁) ‖ … ‖ enc(fieldₙ))
 *   digest     = keccak256(19 01 ‖ domain ‖ structHash)
 *
 * `type` and `signatureChainId` are not struct fields; `signatureChainId` only picks the domain's chain id
 * (the Python SDK uses 0x66eee on both networks; `hyperliquidChain` is what separates mainnet and testnet).
 *
 * Design: one table maps each action `type` to its primary type and ordered fields; type hashes are
 * precomputed at load and domain digesters are cached per chain id. Field values are checked at hashing
 * time (the simulator hashes client input), and errors name the action and field.
 */

import type { Address } from "../wire/brands.js";
import type { SignatureChainId, UserSignedAction } from "../wire/actions.js";
import { domainSeparator, keccakUtf8, TypedDataDigester, writeUintWord } from "./eip712.js";
import { HexDecodeError, hexIntoBytes } from "./hex.js";
import { keccak256 } from "./keccak.js";
import { recoverSigner, type Secp256k1BackendName, type Signer } from "./secp256k1.js";
import type { ReceivedSignature, Signature } from "./signature.js";

export type Eip712FieldType = "string" | "bool" | "uint64" | "address";

export type Eip712Field = { readonly name: string; readonly type: Eip712FieldType };

export type UserSignedType = {
  /** `HyperliquidTransaction:<Name>`. */
  readonly primaryType: string;
  readonly fields: readonly Eip712Field[];
};

function f(name: string, type: Eip712FieldType): Eip712Field {
  return { name, type };
}

/** Field order from the Python SDK's `signing.py` (the struct hash depends on it). */
export const USER_SIGNED_TYPES: Readonly<Record<UserSignedAction["type"], UserSignedType>> = {
  usdClassTransfer: {
    primaryType: "HyperliquidTransaction:UsdClassTransfer",
    fields: [
      f("hyperliquidChain", "string"),
      f("amount", "string"),
      f("toPerp", "bool"),
      f("nonce", "uint64"),
    ],
  },
  approveAgent: {
    primaryType: "HyperliquidTransaction:ApproveAgent",
    fields: [
      f("hyperliquidChain", "string"),
      f("agentAddress", "address"),
      f("agentName", "string"),
      f("nonce", "uint64"),
    ],
  },
  usdSend: {
    primaryType: "HyperliquidTransaction:UsdSend",
    fields: [
      f("hyperliquidChain", "string"),
      f("destination", "string"),
      f("amount", "string"),
      f("time", "uint64"),
    ],
  },
  spotSend: {
    primaryType: "HyperliquidTransaction:SpotSend",
    fields: [
      f("hyperliquidChain", "string"),
      f("destination", "string"),
      f("token", "string"),
      f("amount", "string"),
      f("time", "uint64"),
    ],
  },
  withdraw3: {
    primaryType: "HyperliquidTransaction:Withdraw",
    fields: [
      f("hyperliquidChain", "string"),
      f("destination", "string"),
      f("amount", "string"),
      f("time", "uint64"),
    ],
  },
};

/** `HyperliquidTransaction:UsdClassTransfer(string hyperliquidChain,string amount,bool toPerp,uint64 nonce)`. */
export function userSignedTypeString(type: UserSignedType): string {
  return `${type.primaryType}(${type.fields.map((field) => `${field.type} ${field.name}`).join(",")})`;
}

const typeHashes = new Map<string, Uint8Array>(
  Object.entries(USER_SIGNED_TYPES).map(([actionType, type]) => [
    actionType,
    keccakUtf8(userSignedTypeString(type)),
  ]),
);

// ---------------------------------------------------------------------------------------------------------
// Errors

export class UserSignedActionError extends Error {
  override readonly name = "UserSignedActionError";
  constructor(
    readonly actionType: string,
    readonly field: string,
    reason: string,
  ) {
    super(`user-signed action ${actionType}: ${field}: ${reason}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Domain

const SIGNATURE_CHAIN_ID_RE = /^0x[0-9a-fA-F]{1,64}$/;

/** `"0x66eee"` → 421614n. */
export function parseSignatureChainId(value: string, actionType = "(any)"): bigint {
  if (!SIGNATURE_CHAIN_ID_RE.test(value)) {
    throw new UserSignedActionError(
      actionType,
      "signatureChainId",
      `expected 0x + 1–64 hex digits, got ${JSON.stringify(value)}`,
    );
  }
  return BigInt(value);
}

const digesterByChainId = new Map<string, TypedDataDigester>();

function digesterFor(signatureChainId: SignatureChainId, actionType: string): TypedDataDigester {
  let digester = digesterByChainId.get(signatureChainId);
  if (digester === undefined) {
    const chainId = parseSignatureChainId(signatureChainId, actionType);
    digester = new TypedDataDigester(domainSeparator("HyperliquidSignTransaction", "1", chainId));
    // Clients choose the chain id; bound the cache so a hostile stream of ids cannot grow it forever.
    if (digesterByChainId.size >= 64) digesterByChainId.clear();
    digesterByChainId.set(signatureChainId, digester);
  }
  return digester;
}

// ---------------------------------------------------------------------------------------------------------
// Struct hash

const U64_MAX = 0xffff_ffff_ffff_ffffn;

function encodeField(
  actionType: string,
  field: Eip712Field,
  value: unknown,
  out: Uint8Array,
  offset: number,
): void {
  switch (field.type) {
    case "string":
      if (typeof value !== "string")
        throw new UserSignedActionError(actionType, field.name, "expected a string");
      out.set(keccakUtf8(value), offset);
      return;
    case "bool":
      if (typeof value !== "boolean")
        throw new UserSignedActionError(actionType, field.name, "expected a boolean");
      out.fill(0, offset, offset + 32);
      out[offset + 31] = value ? 1 : 0;
      return;
    case "uint64": {
      let big: bigint;
      if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) big = BigInt(value);
      else if (typeof value === "bigint" && value >= 0n && value <= U64_MAX) big = value;
      else throw new UserSignedActionError(actionType, field.name, `expected a uint64, got ${String(value)}`);
      writeUintWord(out, offset, big);
      return;
    }
    case "address":
      if (typeof value !== "string" || value.length !== 42) {
        throw new UserSignedActionError(actionType, field.name, "expected 0x + 40 hex digits");
      }
      try {
        // 12 zero bytes, then the 20 address bytes.
        hexIntoBytes(value, out, offset, 32, field.name);
      } catch (e) {
        if (e instanceof HexDecodeError) throw new UserSignedActionError(actionType, field.name, e.message);
        throw e;
      }
      return;
  }
}

function typeOf(action: UserSignedAction): { type: UserSignedType; typeHash: Uint8Array } {
  const actionType: unknown = action.type;
  const typeHash = typeof actionType === "string" ? typeHashes.get(actionType) : undefined;
  if (typeHash === undefined) {
    throw new UserSignedActionError(String(actionType), "type", "not a user-signed action type we can hash");
  }
  return { type: USER_SIGNED_TYPES[action.type], typeHash };
}

/** EIP-712 struct hash of the action's fields (32 bytes). */
export function userSignedStructHash(action: UserSignedAction): Uint8Array {
  const { type, typeHash } = typeOf(action);
  const fields = action as unknown as Readonly<Record<string, unknown>>;
  const words = new Uint8Array(32 * (1 + type.fields.length));
  words.set(typeHash, 0);
  type.fields.forEach((field, i) => {
    let value = fields[field.name];
    // An unnamed agent is sent without `agentName` but signed with "" (Python SDK and NK agree).
    if (value === undefined && action.type === "approveAgent" && field.name === "agentName") value = "";
    encodeField(action.type, field, value, words, 32 * (i + 1));
  });
  return keccak256(words);
}

/** The digest a user-signed request's signature covers. */
export function userSignedActionDigest(action: UserSignedAction): Uint8Array {
  const signatureChainId: unknown = action.signatureChainId;
  if (typeof signatureChainId !== "string") {
    throw new UserSignedActionError(action.type, "signatureChainId", "expected a hex string");
  }
  return digesterFor(signatureChainId as SignatureChainId, action.type).digest(userSignedStructHash(action));
}

// ---------------------------------------------------------------------------------------------------------
// Sign / recover

/** Signs with the master key. The request's `nonce` must equal the action's `nonce`/`time`. */
export function signUserSignedAction(params: {
  readonly signer: Signer;
  readonly action: UserSignedAction;
}): Signature {
  return params.signer.signDigest(userSignedActionDigest(params.action));
}

export function recoverUserSignedActionSigner(params: {
  readonly action: UserSignedAction;
  readonly signature: ReceivedSignature;
  readonly backend?: Secp256k1BackendName | undefined;
}): Address {
  return recoverSigner(userSignedActionDigest(params.action), params.signature, params.backend);
}
