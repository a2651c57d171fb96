/**
 * ECDSA with the per-signature nonce prepared ahead ("presignatures"), so that signing an order on the
 * critical path costs a few big-integer operations instead of a curve multiplication.
 *
 * An ECDSA signature of digest z with key d is (r, s): r = (k·G).x mod n, s = k⁻¹ (z + r·d) mod n. Everything
 * but the last step — the random k, the point k·G (the expensive part: ≈ 40–60 µs native, most of a
 * signature), k⁻¹, r·d — depends only on k and the key, not on the message, so `refill` computes it when the
 * process is idle and `sign` finishes with one addition and one multiplication modulo n (≈ 2 µs measured).
 * The result is a standard low-s ECDSA signature with recovery id: the exchange recovers the signer from it
 * exactly as from an RFC 6979 one (tested against both backends' recovery and @noble's verify).
 *
 * What changes against RFC 6979: k is random rather than derived from the key and message, so signing the
 * same digest twice gives different signatures (still both valid), and k's secrecy rests on the CSPRNG
 * (`crypto.randomFillSync`, rejection-sampled into [1, n−1]) instead of on the key. Each prepared k is used
 * once: `sign` removes it from the pool before using it, and reusing a k would reveal the key. The prepared
 * values live in the process's memory next to the key itself (anyone who can read one can read the other);
 * `clear` drops them. JavaScript big integers cannot be overwritten in place, so clearing drops references
 * only — the same limit applies to every derived value in this process.
 */

import { randomFillSync } from "node:crypto";

import { invert } from "@noble/curves/abstract/modular.js";

import type { Hex } from "../wire/brands.js";
import { bytesToHex } from "./hex.js";
import type { Signature } from "./signature.js";

/** The order of secp256k1's group. */
const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_ORDER = CURVE_ORDER >> 1n;

/** What a pool needs of a secp256k1 backend: k·G as an uncompressed point (`04‖x‖y`). */
export type BasePointMultiply = (scalar: Uint8Array) => Uint8Array;

interface Presignature {
  /** k⁻¹ mod n. */
  readonly kInverse: bigint;
  /** r·d mod n. */
  readonly rTimesKey: bigint;
  /** r as the wire wants it: `0x` + 64 hex digits. */
  readonly rHex: Hex;
  /** Parity of (k·G).y: the recovery id before low-s normalisation. */
  readonly yParity: 0 | 1;
}

function bigIntOfBytes(bytes: Uint8Array): bigint {
  return BigInt(bytesToHex(bytes));
}

/**
 * A 32-byte big-endian integer as four 64-bit reads: ≈0.2 µs against ≈0.7 µs for building a hex string
 * and parsing it (measured), on the signing path. The DataView is kept for the last array seen, because
 * the order path signs digests that always sit at the same place (l1OrderDigest.ts), so a view per
 * signature would be an allocation.
 */
class Uint256Reader {
  private view: DataView | undefined;

  read(bytes: Uint8Array): bigint {
    let view = this.view;
    if (view === undefined || view.buffer !== bytes.buffer || view.byteOffset !== bytes.byteOffset) {
      view = new DataView(bytes.buffer, bytes.byteOffset, 32);
      this.view = view;
    }
    return (
      (view.getBigUint64(0) << 192n) |
      (view.getBigUint64(8) << 128n) |
      (view.getBigUint64(16) << 64n) |
      view.getBigUint64(24)
    );
  }
}

export class PresignaturePool {
  readonly capacity: number;
  private readonly ready: Presignature[] = [];
  readonly #key: bigint;
  readonly #multiply: BasePointMultiply;
  readonly #scratch = new Uint8Array(32);
  readonly #digestReader = new Uint256Reader();
  /** Presignatures handed out by `sign` (each exactly once). */
  used = 0;

  /** `privateKey`: 32 bytes (not kept; the pool keeps the scalar). */
  constructor(privateKey: Uint8Array, multiply: BasePointMultiply, capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) {
      throw new RangeError(`presignature capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.#key = bigIntOfBytes(privateKey);
    this.#multiply = multiply;
  }

  get size(): number {
    return this.ready.length;
  }

  /** Prepares one presignature if the pool is not full (≈ 1 curve multiplication + 1 inversion). */
  refillOne(): boolean {
    if (this.ready.length >= this.capacity) return false;
    const k = this.randomScalar();
    const point = this.#multiply(this.#scratch);
    this.#scratch.fill(0);
    const x = bigIntOfBytes(point.subarray(1, 33));
    // x ≥ n (probability ≈ 2^-128) would need recovery ids 2/3, which Ethereum's v cannot express; r = 0
    // is not a signature. Either way this k is dropped and the next call draws another.
    if (x >= CURVE_ORDER || x === 0n) return true;
    this.ready.push({
      kInverse: invert(k, CURVE_ORDER),
      rTimesKey: (x * this.#key) % CURVE_ORDER,
      rHex: bytesToHex(point, 1, 33),
      yParity: (point[64]! & 1) as 0 | 1,
    });
    return true;
  }

  /** Fills the pool completely (start-up). */
  fill(): void {
    while (this.ready.length < this.capacity) this.refillOne();
  }

  /**
   * Signs `digest` (32 bytes, used as-is, not kept) with a prepared nonce: low-s, `v = 27 + recovery id`.
   * Undefined when the pool is empty (the caller signs the ordinary way).
   */
  sign(digest: Uint8Array): Signature | undefined {
    const prepared = this.ready.pop();
    if (prepared === undefined) return undefined;
    this.used += 1;
    // z < 2^256 < 2n and z mod n + r·d < 2n: one conditional subtraction each instead of a division.
    let z = this.#digestReader.read(digest);
    if (z >= CURVE_ORDER) z -= CURVE_ORDER;
    let sum = z + prepared.rTimesKey;
    if (sum >= CURVE_ORDER) sum -= CURVE_ORDER;
    let s = (prepared.kInverse * sum) % CURVE_ORDER;
    if (s === 0n) return undefined; // probability ≈ 2^-256; the caller signs the ordinary way
    let recoveryId = prepared.yParity;
    if (s > HALF_ORDER) {
      // (r, n − s) is the same signature's low-s form; its R is −R, whose y has the other parity.
      s = CURVE_ORDER - s;
      recoveryId = recoveryId === 0 ? 1 : 0;
    }
    return {
      r: prepared.rHex,
      s: `0x${s.toString(16).padStart(64, "0")}` as Hex,
      v: recoveryId === 0 ? 27 : 28,
    };
  }

  /** Drops every prepared value (see the module comment on what that can and cannot erase). */
  clear(): void {
    this.ready.length = 0;
  }

  /** A uniform scalar in [1, n − 1], in `#scratch` (big-endian) and returned. */
  private randomScalar(): bigint {
    for (;;) {
      randomFillSync(this.#scratch);
      const k = bigIntOfBytes(this.#scratch);
      if (k !== 0n && k < CURVE_ORDER) return k;
    }
  }
}

/**
 * Keeps `pool` topped up off the critical path: one presignature per timer tick (≈ 60–80 µs of work, so a
 * frame that arrives meanwhile waits at most that long, where signing without a pool cost every intent as
 * much), only while the pool is below capacity. The timer does not keep the process alive.
 */
export function keepPresignaturesReady(pool: PresignaturePool, intervalMs = 2): { stop(): void } {
  const timer = setInterval(() => {
    pool.refillOne();
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
