/**
 * secp256k1 ECDSA for Ethereum-style signatures: the `Signer` that holds a private key, and public-key
 * recovery (`recoverSigner`) for verifying requests.
 *
 * Two backends with identical output (RFC 6979 deterministic nonce, low-s, recovery id):
 * - `native`: the `secp256k1` package's N-API binding to bitcoin-core's libsecp256k1 (an optional
 *   dependency with prebuilt linux-x64 / darwin-arm64 / win32-x64 binaries; elsewhere npm compiles it
 *   with node-gyp if a toolchain exists). Measured ≈35 µs per signature here against several hundred µs
 *   for noble (docs/benchmarks.md "Signing"), so it is the default when it loads.
 * - `noble`: `@noble/curves` (pure JS, audited), the fallback everywhere else.
 * We import `secp256k1/bindings` rather than the package root, because the root silently falls back to
 * the slow `elliptic` library when the binding is missing; then a known-answer test must reproduce a
 * noble-computed signature before the native backend is accepted. `HLB_NATIVE_CRYPTO=off` forces
 * noble.
 *
 * Key hygiene: the private key lives in an ES private field of `Signer`, and `toString`, `toJSON` and
 * `util.inspect` are overridden to show only the address, so logging a signer cannot leak it. Errors about
 * a bad key never echo the key.
 */

import { createRequire } from "node:module";
import { inspect } from "node:util";
import { secp256k1 as nobleSecp256k1 } from "@noble/curves/secp256k1.js";
import type { Address } from "../wire/brands.js";
import { bytesToHex, HexDecodeError, hexToBytesExact } from "./hex.js";
import { keccak256 } from "./keccak.js";
import { NATIVE_CRYPTO_DISABLED_REASON, nativeCryptoDisabled } from "./nativeCrypto.js";
import { PresignaturePool } from "./presignatures.js";
import {
  type ReceivedSignature,
  type Signature,
  SignatureFormatError,
  signatureFromCompact,
  signatureToCompact,
} from "./signature.js";

export type Secp256k1BackendName = "native" | "noble";

/** What the signer and recovery need from an implementation. All digests are 32 bytes, used as-is. */
export interface Secp256k1Backend {
  readonly name: Secp256k1BackendName;
  /** RFC 6979 + low-s. Writes `r‖s` into `out` (64 bytes) and returns the recovery id. */
  sign(digest: Uint8Array, privateKey: Uint8Array, out: Uint8Array): number;
  /** Uncompressed public key (65 bytes, `04‖x‖y`). Throws if the signature does not recover. */
  recoverPublicKey(digest: Uint8Array, rs: Uint8Array, recoveryId: number): Uint8Array;
  /** Uncompressed public key (65 bytes). */
  publicKey(privateKey: Uint8Array): Uint8Array;
}

// ---------------------------------------------------------------------------------------------------------
// Backends

const nobleBackend: Secp256k1Backend = {
  name: "noble",
  sign(digest, privateKey, out) {
    // `recovered` = recovery byte ‖ r ‖ s.
    const recovered = nobleSecp256k1.sign(digest, privateKey, {
      prehash: false,
      lowS: true,
      format: "recovered",
    });
    out.set(recovered.subarray(1, 65));
    return recovered[0] as number;
  },
  recoverPublicKey(digest, rs, recoveryId) {
    return nobleSecp256k1.Signature.fromBytes(rs, "compact")
      .addRecoveryBit(recoveryId)
      .recoverPublicKey(digest)
      .toBytes(false);
  },
  publicKey(privateKey) {
    return nobleSecp256k1.getPublicKey(privateKey, false);
  },
};

/** The subset of the `secp256k1` package's API (v4/v5) that we call. */
interface NativeSecp256k1Module {
  ecdsaSign(
    msg32: Uint8Array,
    seckey: Uint8Array,
    options: object,
    output: Uint8Array,
  ): { signature: Uint8Array; recid: number };
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: false): Uint8Array;
  publicKeyCreate(seckey: Uint8Array, compressed: false): Uint8Array;
}

// Known answer computed with @noble/curves: key = the Python SDK's public test key (0x0123456789 0123…,
// 64 digits; built, not written out, so that no key-shaped literal sits in production code),
// digest = keccak256("hlbasis secp256k1 self-test").
const SELF_TEST_KEY = `0x${"0123456789".repeat(7).slice(0, 64)}`;
const SELF_TEST_DIGEST = "0x2a49ff576c35f5c9f34f2ab671abea62332fe7252a72055cc826d1afb2f35383";
const SELF_TEST_RS =
  "0x7a3782866fab8edb080b55a2843387e512318914c3458fcb1c3125fe11a41e47" +
  "57bb3617144f826482e59773d83296f9ad0af1b4278549a6c457d3fdc1c1f8c1";
const SELF_TEST_RECOVERY_ID = 0;

const NO_OPTIONS = Object.freeze({});

function loadNativeBackend(): { backend: Secp256k1Backend } | { error: string } {
  if (nativeCryptoDisabled) return { error: NATIVE_CRYPTO_DISABLED_REASON };
  let addon: NativeSecp256k1Module;
  try {
    addon = createRequire(import.meta.url)("secp256k1/bindings") as NativeSecp256k1Module;
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
  const backend: Secp256k1Backend = {
    name: "native",
    sign(digest, privateKey, out) {
      return addon.ecdsaSign(digest, privateKey, NO_OPTIONS, out).recid;
    },
    recoverPublicKey(digest, rs, recoveryId) {
      return addon.ecdsaRecover(rs, recoveryId, digest, false);
    },
    publicKey(privateKey) {
      return addon.publicKeyCreate(privateKey, false);
    },
  };
  try {
    const rs = new Uint8Array(64);
    const recoveryId = backend.sign(
      hexToBytesExact(SELF_TEST_DIGEST, 32, "self-test digest"),
      hexToBytesExact(SELF_TEST_KEY, 32, "self-test key"),
      rs,
    );
    if (bytesToHex(rs) !== SELF_TEST_RS || recoveryId !== SELF_TEST_RECOVERY_ID) {
      return { error: "native secp256k1 self-test produced a different signature than @noble/curves" };
    }
  } catch (e) {
    return { error: `native secp256k1 self-test threw: ${e instanceof Error ? e.message : String(e)}` };
  }
  return { backend };
}

const native = loadNativeBackend();

/** Why the native backend is unavailable, for start-up logs; `undefined` when it loaded. */
export const secp256k1NativeLoadError: string | undefined = "error" in native ? native.error : undefined;

const backends: Readonly<Record<Secp256k1BackendName, Secp256k1Backend | undefined>> = {
  native: "backend" in native ? native.backend : undefined,
  noble: nobleBackend,
};

/** The backend used when none is requested: native if it loaded, else noble. */
export const defaultSecp256k1Backend: Secp256k1BackendName =
  backends.native === undefined ? "noble" : "native";

export function availableSecp256k1Backends(): readonly Secp256k1BackendName[] {
  return backends.native === undefined ? ["noble"] : ["native", "noble"];
}

export class Secp256k1BackendUnavailableError extends Error {
  override readonly name = "Secp256k1BackendUnavailableError";
  constructor(readonly backend: Secp256k1BackendName) {
    super(`secp256k1 backend "${backend}" is not available: ${secp256k1NativeLoadError ?? "unknown reason"}`);
  }
}

export function getSecp256k1Backend(name: Secp256k1BackendName = defaultSecp256k1Backend): Secp256k1Backend {
  const backend = backends[name];
  if (backend === undefined) throw new Secp256k1BackendUnavailableError(name);
  return backend;
}

// ---------------------------------------------------------------------------------------------------------
// Addresses

/** Ethereum address of an uncompressed public key: last 20 bytes of keccak256(x‖y). */
export function addressOfPublicKey(uncompressed: Uint8Array): Address {
  if (uncompressed.length !== 65 || uncompressed[0] !== 0x04) {
    throw new Error("expected a 65-byte uncompressed public key (04‖x‖y)");
  }
  return bytesToHex(keccak256(uncompressed.subarray(1)), 12, 32) as string as Address;
}

// ---------------------------------------------------------------------------------------------------------
// Signer

export class InvalidPrivateKeyError extends Error {
  override readonly name = "InvalidPrivateKeyError";
  constructor(reason: string) {
    // Never include the key itself.
    super(`invalid secp256k1 private key: ${reason}`);
  }
}

export class DigestLengthError extends Error {
  override readonly name = "DigestLengthError";
  constructor(readonly actualLength: number) {
    super(`a digest must be 32 bytes, got ${actualLength}`);
  }
}

export class SignerWipedError extends Error {
  override readonly name = "SignerWipedError";
  constructor(readonly address: Address) {
    super(`the key of signer ${address} was wiped; create a new signer`);
  }
}

const REDACTED = "[redacted]";

/**
 * Holds one private key and signs 32-byte digests with it. Create one per key at start-up with
 * `createSigner`; it derives and caches the address.
 */
export class Signer {
  /** Lowercase address of the key. */
  readonly address: Address;
  readonly backend: Secp256k1BackendName;
  readonly #privateKey: Uint8Array;
  readonly #impl: Secp256k1Backend;
  /** Scratch for `r‖s`; signing is synchronous so one buffer per signer suffices. */
  readonly #rs = new Uint8Array(64);
  #wiped = false;
  #presignatures: PresignaturePool | undefined;

  /** Use `createSigner`. `privateKey` is copied. */
  constructor(privateKey: Uint8Array, backend: Secp256k1Backend) {
    if (privateKey.length !== 32)
      throw new InvalidPrivateKeyError(`expected 32 bytes, got ${privateKey.length}`);
    if (!nobleSecp256k1.utils.isValidSecretKey(privateKey)) {
      throw new InvalidPrivateKeyError("not in the range 1 … n-1 of the curve order");
    }
    this.#privateKey = Uint8Array.from(privateKey);
    this.#impl = backend;
    this.backend = backend.name;
    this.address = addressOfPublicKey(backend.publicKey(this.#privateKey));
  }

  /**
   * Signs `digest` as-is (no extra hashing): low-s, `v = 27 + recoveryId`; with a prepared nonce when
   * presignatures are enabled and one is ready (`presignatures.ts`), else RFC 6979 (deterministic).
   */
  signDigest(digest: Uint8Array): Signature {
    if (digest.length !== 32) throw new DigestLengthError(digest.length);
    if (this.#wiped) throw new SignerWipedError(this.address);
    const presigned = this.#presignatures?.sign(digest);
    if (presigned !== undefined) return presigned;
    const recoveryId = this.#impl.sign(digest, this.#privateKey, this.#rs);
    return signatureFromCompact(this.#rs, recoveryId);
  }

  /**
   * From now on signs with nonces prepared ahead (the order path's signer: see `presignatures.ts` for what
   * that trades). Returns the pool, filled; keep it topped up with `keepPresignaturesReady`.
   */
  enablePresignatures(capacity = 32): PresignaturePool {
    if (this.#wiped) throw new SignerWipedError(this.address);
    if (this.#presignatures === undefined) {
      const impl = this.#impl;
      this.#presignatures = new PresignaturePool(this.#privateKey, (k) => impl.publicKey(k), capacity);
      this.#presignatures.fill();
    }
    return this.#presignatures;
  }

  /** Overwrites the key bytes in memory (e.g. at shutdown); `signDigest` throws afterwards. */
  wipe(): void {
    this.#privateKey.fill(0);
    this.#presignatures?.clear();
    this.#wiped = true;
  }

  toString(): string {
    return `Signer(${this.address}, ${this.backend}, privateKey ${REDACTED})`;
  }

  toJSON(): { address: Address; backend: Secp256k1BackendName; privateKey: string } {
    return { address: this.address, backend: this.backend, privateKey: REDACTED };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * `privateKey`: `0x` + 64 hex digits, or 32 bytes. `backend` defaults to `defaultSecp256k1Backend`; asking
 * for `native` when it did not load throws `Secp256k1BackendUnavailableError`.
 */
export function createSigner(
  privateKey: string | Uint8Array,
  options: { readonly backend?: Secp256k1BackendName | undefined } = {},
): Signer {
  let keyBytes: Uint8Array;
  if (typeof privateKey === "string") {
    try {
      keyBytes = hexToBytesExact(privateKey, 32, "private key");
    } catch (e) {
      if (e instanceof HexDecodeError) throw new InvalidPrivateKeyError(e.message);
      throw e;
    }
  } else {
    keyBytes = privateKey;
  }
  const signer = new Signer(keyBytes, getSecp256k1Backend(options.backend));
  if (typeof privateKey === "string") keyBytes.fill(0);
  return signer;
}

// ---------------------------------------------------------------------------------------------------------
// Recovery

/** The signature is malformed or does not correspond to any public key for this digest. */
export class SignatureRecoveryError extends Error {
  override readonly name = "SignatureRecoveryError";
  constructor(
    reason: string,
    readonly signature: ReceivedSignature,
  ) {
    super(
      `cannot recover signer from signature r=${signature.r} s=${signature.s} v=${signature.v}: ${reason}`,
    );
  }
}

const recoverScratch = new Uint8Array(64);

/**
 * The address whose key produced `signature` over `digest`. A wrong digest does not throw: it recovers
 * some other address, so callers compare the result with the expected signer.
 */
export function recoverSigner(
  digest: Uint8Array,
  signature: ReceivedSignature,
  backendName: Secp256k1BackendName = defaultSecp256k1Backend,
): Address {
  if (digest.length !== 32) throw new DigestLengthError(digest.length);
  let recoveryId: number;
  try {
    recoveryId = signatureToCompact(signature, recoverScratch);
  } catch (e) {
    if (e instanceof SignatureFormatError) throw new SignatureRecoveryError(e.message, signature);
    throw e;
  }
  let publicKey: Uint8Array;
  try {
    publicKey = getSecp256k1Backend(backendName).recoverPublicKey(digest, recoverScratch, recoveryId);
  } catch (e) {
    throw new SignatureRecoveryError(e instanceof Error ? e.message : String(e), signature);
  }
  return addressOfPublicKey(publicKey);
}
