/**
 * The switch that turns the native crypto backends off.
 *
 * Backends are chosen once, at module load (the hot path must not branch per call), so this is read from
 * the environment at load rather than from the validated config object, which is built later.
 * `HLB_NATIVE_CRYPTO=off` forces @noble/curves and @noble/hashes: for benchmarking the fallback,
 * or as a kill switch if a native binary is ever suspected of misbehaving.
 */

export const NATIVE_CRYPTO_ENV = "HLB_NATIVE_CRYPTO";

export const nativeCryptoDisabled: boolean = process.env[NATIVE_CRYPTO_ENV] === "off";

export const NATIVE_CRYPTO_DISABLED_REASON = `disabled by ${NATIVE_CRYPTO_ENV}=off`;
