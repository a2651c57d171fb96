/**
 * Keccak-256 (Ethereum's, not NIST SHA3-256), with a native backend when available.
 *
 * Measured on our 2-core machine (see docs/benchmarks.md "Signing"): the `keccak` package's native sponge
 * takes ≈2–3 µs for a 66–150-byte input against ≈5–9 µs for `@noble/hashes`, and every order signature
 * hashes three times. So we load the native sponge when we can and fall back to noble otherwise (no
 * prebuilt binary for the platform, a bundler that dropped the optional dependency, a runtime without
 * N-API).
 *
 * We drive the addon's sponge object directly (initialize / absorb / absorbLastFewBits / squeeze), the
 * same four calls the package's own stream wrapper makes, because the wrapper allocates a stream object
 * per hash. This relies on the package's internal layout, so the native path is accepted only after a
 * known-answer self-test at load; any failure means noble. `HLB_NATIVE_CRYPTO=off` forces noble.
 */

import { createRequire } from "node:module";
import { dirname } from "node:path";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { NATIVE_CRYPTO_DISABLED_REASON, nativeCryptoDisabled } from "./nativeCrypto.js";

export type KeccakBackendName = "native" | "noble";
export type Keccak256 = (data: Uint8Array) => Uint8Array;

/** Minimal view of the `keccak` package's N-API sponge (`KeccakWidth1600_Sponge*`). */
interface NativeKeccakSponge {
  initialize(rate: number, capacity: number): void;
  absorb(data: Uint8Array): void;
  absorbLastFewBits(bits: number): void;
  squeeze(length: number): Uint8Array;
}

// Keccak-256: rate 1088 bits, capacity 512, domain-separation suffix 0x01 (SHA3 would be 0x06).
const RATE = 1088;
const CAPACITY = 512;
const KECCAK_SUFFIX = 0x01;

/** keccak256("") — the self-test the native sponge must pass before we use it. */
const EMPTY_DIGEST = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470";

export const nobleKeccak256: Keccak256 = (data) => keccak_256(data);

function loadNativeKeccak(): { hash: Keccak256 } | { error: string } {
  if (nativeCryptoDisabled) return { error: NATIVE_CRYPTO_DISABLED_REASON };
  try {
    const requireHere = createRequire(import.meta.url);
    const keccakPackageJson = requireHere.resolve("keccak/package.json");
    const requireFromKeccak = createRequire(keccakPackageJson);
    const nodeGypBuild = requireFromKeccak("node-gyp-build") as (dir: string) => unknown;
    const Sponge = nodeGypBuild(dirname(keccakPackageJson)) as new () => NativeKeccakSponge;
    if (typeof Sponge !== "function") return { error: "keccak addon did not export a constructor" };
    const sponge = new Sponge();
    const hash: Keccak256 = (data) => {
      sponge.initialize(RATE, CAPACITY);
      sponge.absorb(data);
      sponge.absorbLastFewBits(KECCAK_SUFFIX);
      return sponge.squeeze(32);
    };
    const check = Buffer.from(hash(new Uint8Array(0))).toString("hex");
    if (check !== EMPTY_DIGEST) return { error: `native keccak self-test failed (got ${check})` };
    return { hash };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

const native = loadNativeKeccak();

/** The native sponge, or `undefined` when it could not be loaded (see `keccakNativeLoadError`). */
export const nativeKeccak256: Keccak256 | undefined = "hash" in native ? native.hash : undefined;

/** Why the native keccak is not in use, for start-up logs; `undefined` when it is. */
export const keccakNativeLoadError: string | undefined = "error" in native ? native.error : undefined;

export const keccakBackend: KeccakBackendName = nativeKeccak256 === undefined ? "noble" : "native";

/** Keccak-256 of `data` with the fastest available backend. Returns a fresh 32-byte array. */
export const keccak256: Keccak256 = nativeKeccak256 ?? nobleKeccak256;
