/**
 * Presigned ECDSA (`hotpath/exchange/signing/presignatures.ts`): signatures made with nonces prepared ahead
 * must be ordinary valid low-s signatures that recover to the signer on both backends and verify with
 * @noble/curves, must never reuse a nonce, and must fall back to RFC 6979 when the pool is empty. An order
 * signed this way must be accepted by the exchange's signer recovery (the simulator's) — the same check the
 * exchange makes.
 */

import { randomBytes } from "node:crypto";

import { secp256k1 } from "@noble/curves/secp256k1.js";
import { describe, expect, it } from "vitest";

import {
  availableSecp256k1Backends,
  createSigner,
  keepPresignaturesReady,
  recoverSigner,
  type Signature,
} from "../../hotpath/exchange/signing/index.js";
import { hexToBytesExact } from "../../hotpath/exchange/signing/hex.js";

const HALF_ORDER = secp256k1.Point.CURVE().n >> 1n;

function compact(signature: Signature): Uint8Array {
  return hexToBytesExact(`0x${signature.r.slice(2)}${signature.s.slice(2)}`, 64, "signature");
}

describe.each(availableSecp256k1Backends())("presignatures (%s backend)", (backend) => {
  it("sign valid low-s signatures that recover to the signer, each with its own nonce", () => {
    const key = `0x${randomBytes(32).toString("hex")}`;
    const signer = createSigner(key, { backend });
    const publicKey = secp256k1.getPublicKey(hexToBytesExact(key, 32, "key"), false);
    const pool = signer.enablePresignatures(8);
    expect(pool.size).toBe(8);
    const rs = new Set<string>();
    const runs = backend === "native" ? 400 : 60;
    for (let i = 0; i < runs; i++) {
      while (pool.size < 2) pool.refillOne();
      const digest = randomBytes(32);
      const signature = signer.signDigest(digest);
      expect(BigInt(signature.s) <= HALF_ORDER).toBe(true);
      expect(signature.r).toMatch(/^0x[0-9a-f]{64}$/);
      expect(signature.s).toMatch(/^0x[0-9a-f]{64}$/);
      for (const recovery of availableSecp256k1Backends()) {
        expect(recoverSigner(digest, signature, recovery)).toBe(signer.address);
      }
      expect(secp256k1.verify(compact(signature), digest, publicKey, { prehash: false, lowS: true })).toBe(
        true,
      );
      rs.add(signature.r);
    }
    expect(rs.size).toBe(runs);
    expect(pool.used).toBe(runs);
  });

  it("falls back to RFC 6979 when the pool is empty, and drops the pool on wipe", () => {
    const key = `0x${randomBytes(32).toString("hex")}`;
    const signer = createSigner(key, { backend });
    const reference = createSigner(key, { backend });
    const pool = signer.enablePresignatures(2);
    const digest = randomBytes(32);
    const first = signer.signDigest(digest);
    const second = signer.signDigest(digest);
    // Random nonces: the same digest twice gives two different valid signatures.
    expect(first.r).not.toBe(second.r);
    expect(first).not.toEqual(reference.signDigest(digest));
    expect(pool.size).toBe(0);
    // Empty pool: the deterministic signature, byte for byte.
    expect(signer.signDigest(digest)).toEqual(reference.signDigest(digest));
    pool.fill();
    expect(pool.size).toBe(2);
    signer.wipe();
    expect(pool.size).toBe(0);
    expect(() => signer.signDigest(digest)).toThrow(/wiped/);
  });
});

describe("keepPresignaturesReady", () => {
  it("tops the pool up in the background and stops", async () => {
    const signer = createSigner(`0x${randomBytes(32).toString("hex")}`);
    const pool = signer.enablePresignatures(4);
    for (let i = 0; i < 4; i++) signer.signDigest(randomBytes(32));
    expect(pool.size).toBe(0);
    const keeper = keepPresignaturesReady(pool, 1);
    try {
      const deadline = Date.now() + 10_000;
      while (pool.size < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(pool.size).toBe(4);
    } finally {
      keeper.stop();
    }
  });
});
