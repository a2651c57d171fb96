/**
 * Public surface of the signing core: import from here rather than from the individual modules.
 *
 * - `l1.ts`: L1 actions (order, cancel, …) → connectionId → EIP-712 `Agent` digest → signature.
 * - `userSigned.ts`: user-signed actions (usdClassTransfer, approveAgent, …) → EIP-712 digest → signature.
 * - `secp256k1.ts`: the `Signer` (holds the key, native or noble backend) and signer recovery.
 * - `presignatures.ts`: ECDSA nonces prepared ahead, so the order path's signature is a few big-integer steps.
 * - `msgpack.ts`, `keccak.ts`, `eip712.ts`, `hex.ts`, `signature.ts`: the building blocks.
 */

export {
  agentDigest,
  EXCHANGE_DOMAIN_SEPARATOR,
  l1ActionDigest,
  l1ActionHash,
  L1HashInputError,
  recoverL1ActionSigner,
  signL1Action,
  type L1ActionInput,
  type L1SigningParams,
  type RawL1Action,
} from "./l1.js";
export {
  parseSignatureChainId,
  recoverUserSignedActionSigner,
  signUserSignedAction,
  USER_SIGNED_TYPES,
  userSignedActionDigest,
  userSignedStructHash,
  UserSignedActionError,
  userSignedTypeString,
  type Eip712Field,
  type Eip712FieldType,
  type UserSignedType,
} from "./userSigned.js";
export {
  addressOfPublicKey,
  availableSecp256k1Backends,
  createSigner,
  defaultSecp256k1Backend,
  DigestLengthError,
  getSecp256k1Backend,
  InvalidPrivateKeyError,
  recoverSigner,
  secp256k1NativeLoadError,
  Secp256k1BackendUnavailableError,
  SignatureRecoveryError,
  Signer,
  SignerWipedError,
  type Secp256k1Backend,
  type Secp256k1BackendName,
} from "./secp256k1.js";
export { keccak256, keccakBackend, keccakNativeLoadError, type KeccakBackendName } from "./keccak.js";
export { encodeMsgpack, MsgpackEncodeError, MsgpackWriter, type MsgpackValue } from "./msgpack.js";
export { SignatureFormatError, type ReceivedSignature, type Signature } from "./signature.js";
export { bytesToHex } from "./hex.js";
export { keepPresignaturesReady, PresignaturePool } from "./presignatures.js";
export { NATIVE_CRYPTO_ENV, nativeCryptoDisabled } from "./nativeCrypto.js";
