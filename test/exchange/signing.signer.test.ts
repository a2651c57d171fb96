/**
 * The `Signer` and recovery: key redaction, key validation, backend agreement (sign and recover), the
 * malformed-signature paths the simulator will hit, and the two keccak backends against each other.
 */

import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesToHex } from "../../hotpath/exchange/signing/hex.js";
import { keccak256, nativeKeccak256, nobleKeccak256 } from "../../hotpath/exchange/signing/keccak.js";
import {
  availableSecp256k1Backends,
  createSigner,
  DigestLengthError,
  InvalidPrivateKeyError,
  recoverSigner,
  SignatureRecoveryError,
  SignerWipedError,
} from "../../hotpath/exchange/signing/secp256k1.js";
import type { Signature } from "../../hotpath/exchange/signing/signature.js";
import { PY_ADDRESS, PY_KEY } from "./signing/vectors.js";
import { privateKeyArb } from "./signing/arbitraries.js";

const backends = availableSecp256k1Backends();
const digestArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe("Signer key hygiene", () => {
  const signer = createSigner(PY_KEY);
  const keyDigits = PY_KEY.slice(2);

  it("never shows the private key in toString, JSON or util.inspect", () => {
    for (const text of [
      String(signer),
      JSON.stringify(signer),
      JSON.stringify({ nested: { signer } }),
      inspect(signer),
      inspect({ signer }, { depth: 10, showHidden: true }),
      Object.keys(signer).join(","),
    ]) {
      expect(text).not.toContain(keyDigits);
      expect(text.toLowerCase()).not.toContain(keyDigits.slice(0, 16));
    }
    expect(String(signer)).toContain(PY_ADDRESS);
    expect(JSON.parse(JSON.stringify(signer))).toEqual({
      address: PY_ADDRESS,
      backend: signer.backend,
      privateKey: "[redacted]",
    });
  });

  it("rejects bad keys without echoing them", () => {
    const secretLooking = "0x" + "ab".repeat(31); // 31 bytes
    for (const bad of [
      secretLooking,
      "0x" + "00".repeat(32),
      "0x" + "ff".repeat(32),
      "1234",
      "0x" + "zz".repeat(32),
    ]) {
      let error: unknown;
      try {
        createSigner(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidPrivateKeyError);
      expect((error as Error).message).not.toContain("abababab");
    }
    expect(() => createSigner(new Uint8Array(31))).toThrow(InvalidPrivateKeyError);
  });

  it("copies the key bytes and can wipe them", () => {
    const keyBytes = Uint8Array.from(Buffer.from(PY_KEY.slice(2), "hex"));
    const own = createSigner(keyBytes);
    keyBytes.fill(0);
    expect(own.signDigest(new Uint8Array(32).fill(1))).toEqual(signer.signDigest(new Uint8Array(32).fill(1)));
    own.wipe();
    expect(() => own.signDigest(new Uint8Array(32).fill(1))).toThrow(SignerWipedError);
  });

  it("accepts uppercase hex keys", () => {
    expect(createSigner(PY_KEY.toUpperCase().replace("0X", "0x")).address).toBe(PY_ADDRESS);
  });
});

describe("sign and recover", () => {
  it("backends agree on signatures and recover each other's signer", () => {
    fc.assert(
      fc.property(privateKeyArb, digestArb, (key, digest) => {
        const signatures = backends.map((backend) => createSigner(key, { backend }).signDigest(digest));
        for (const signature of signatures) {
          expect(signature).toEqual(signatures[0]);
          expect(signature.r).toMatch(/^0x[0-9a-f]{64}$/);
          expect(signature.s).toMatch(/^0x[0-9a-f]{64}$/);
          expect(BigInt(signature.s)).toBeLessThanOrEqual(SECP256K1_N / 2n); // low-s
          for (const backend of backends) {
            expect(recoverSigner(digest, signature, backend)).toBe(createSigner(key).address);
          }
        }
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it("a different digest recovers a different address", () => {
    const signer = createSigner(PY_KEY);
    const digest = new Uint8Array(32).fill(7);
    const signature = signer.signDigest(digest);
    const other = new Uint8Array(32).fill(8);
    for (const backend of backends) expect(recoverSigner(other, signature, backend)).not.toBe(signer.address);
  });

  it("backends agree on high-s signatures (accepted, as ecrecover does)", () => {
    const signer = createSigner(PY_KEY);
    const digest = new Uint8Array(32).fill(3);
    const low = signer.signDigest(digest);
    const highS = SECP256K1_N - BigInt(low.s);
    const high = {
      r: low.r,
      s: "0x" + highS.toString(16).padStart(64, "0"),
      v: low.v === 27 ? 28 : 27,
    };
    for (const backend of backends) expect(recoverSigner(digest, high, backend)).toBe(signer.address);
  });

  it("throws SignatureRecoveryError on malformed or impossible signatures, with every backend", () => {
    const digest = new Uint8Array(32).fill(9);
    const good = createSigner(PY_KEY).signDigest(digest);
    const bad: { r: string; s: string; v: number }[] = [
      { ...good, v: 29 },
      { ...good, v: 0 },
      { ...good, r: "0x" },
      { ...good, r: "0x" + "1".repeat(65) },
      { ...good, s: "0xgg" },
      { ...good, s: "1234" },
      { ...good, r: "0x" + "0".repeat(64) },
      { ...good, s: "0x" + "0".repeat(64) },
      { ...good, r: "0x" + SECP256K1_N.toString(16) },
      { ...good, s: "0x" + "f".repeat(64) },
    ];
    for (const backend of backends) {
      for (const signature of bad) {
        expect(() => recoverSigner(digest, signature, backend), JSON.stringify(signature)).toThrow(
          SignatureRecoveryError,
        );
      }
    }
  });

  it("refuses digests that are not 32 bytes", () => {
    const signer = createSigner(PY_KEY);
    expect(() => signer.signDigest(new Uint8Array(31))).toThrow(DigestLengthError);
    const signature: Signature = signer.signDigest(new Uint8Array(32));
    expect(() => recoverSigner(new Uint8Array(33), signature)).toThrow(DigestLengthError);
  });
});

describe("keccak backends", () => {
  it("native and noble agree on random inputs (and the default is one of them)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat({ max: 8 }), (bytes, offset) => {
        const view = bytes.subarray(Math.min(offset, bytes.length));
        const expected = bytesToHex(nobleKeccak256(view));
        if (nativeKeccak256 !== undefined) expect(bytesToHex(nativeKeccak256(view))).toBe(expected);
        expect(bytesToHex(keccak256(view))).toBe(expected);
      }),
      { seed: 99, numRuns: 1000 },
    );
  });

  it("is Ethereum keccak, not SHA3", () => {
    expect(bytesToHex(keccak256(new Uint8Array(0)))).toBe(
      "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
    );
  });
});
