/**
 * The order signing fast path (brief H1) against the generic path it replaces for `order` actions:
 * - the WebAssembly Keccak-256 (`keccakWasm.ts`) against @noble/hashes for 0..600-byte inputs;
 * - the specialised order msgpack writer (`orderActionMsgpack.ts`) byte for byte against
 *   `MsgpackWriter.writeValue`, on the executor's shape (where it must specialise) and on everything else
 *   (where it must either bail out or still match);
 * - `signL1Action` (fast digest in WebAssembly memory) against signing `l1ActionDigest` (generic), with a
 *   deterministic RFC 6979 signer;
 * - presigned ECDSA on digests at the edges of the curve order (the conditional subtractions).
 */

import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { bytesToHex, hexToBytesExact } from "../../hotpath/exchange/signing/hex.js";
import {
  KECCAK_RATE_BYTES,
  KECCAK_WASM_FREE_FROM,
  keccakWasm,
  keccakWasmLoadError,
  padKeccakInput,
} from "../../hotpath/exchange/signing/keccakWasm.js";
import { l1ActionDigest, signL1Action } from "../../hotpath/exchange/signing/l1.js";
import { MsgpackWriter, type MsgpackValue } from "../../hotpath/exchange/signing/msgpack.js";
import {
  NOT_SPECIALISED,
  ORDER_ACTION_MSGPACK_MAX_BYTES,
  writeOrderActionMsgpack,
} from "../../hotpath/exchange/signing/orderActionMsgpack.js";
import {
  availableSecp256k1Backends,
  createSigner,
  recoverSigner,
} from "../../hotpath/exchange/signing/secp256k1.js";
import { orderAction, type OrderSpec, type Tif } from "../../hotpath/exchange/wire/actions.js";
import { asWireDecimal, toCloid, type WireDecimal } from "../../hotpath/exchange/wire/brands.js";
import {
  addressArb,
  assetArb,
  cloidArb,
  decimalArb,
  l1ActionArb,
  msArb,
  networkArb,
  orderActionArb,
  privateKeyArb,
} from "./signing/arbitraries.js";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

// ---------------------------------------------------------------------------------------------------------

describe("keccakWasm", () => {
  const wasm = keccakWasm!;
  // Well past what l1OrderDigest.ts lays out from KECCAK_WASM_FREE_FROM (≈17 KiB), inside the 64 KiB page.
  const OUT = KECCAK_WASM_FREE_FROM + 40_000;
  const INPUT = OUT + 64;

  function wasmKeccak(input: Uint8Array): string {
    wasm.memory.set(input, INPUT);
    wasm.hashBlocks(INPUT, padKeccakInput(wasm.memory, INPUT, input.length), OUT);
    return hex(wasm.memory.subarray(OUT, OUT + 32));
  }

  it("loads and passes its self-test here", () => {
    expect(keccakWasmLoadError).toBeUndefined();
    expect(keccakWasm).toBeDefined();
  });

  it("known answers", () => {
    expect(wasmKeccak(new Uint8Array(0))).toBe(
      "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
    );
    expect(wasmKeccak(new TextEncoder().encode("abc"))).toBe(
      "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
    );
    // Every length around the block boundaries (padding byte alone in its block, 0x81, …).
    for (let length = 0; length <= 3 * KECCAK_RATE_BYTES + 1; length++) {
      const input = Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 0xff);
      expect(wasmKeccak(input), `length ${length}`).toBe(hex(keccak_256(input)));
    }
  });

  it("equals @noble/hashes keccak_256 on random inputs of 0..600 bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), (input) => {
        expect(wasmKeccak(input)).toBe(hex(keccak_256(input)));
      }),
      { seed: 20261203, numRuns: 2000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------

const generic = new MsgpackWriter();
const fastOut = new Uint8Array(ORDER_ACTION_MSGPACK_MAX_BYTES);

function genericHex(value: unknown): string {
  generic.reset();
  generic.writeValue(value as MsgpackValue);
  return hex(generic.view());
}

/** The fast writer's bytes, or `undefined` when it declines the value. */
function fastHex(value: object): string | undefined {
  const length = writeOrderActionMsgpack(value, fastOut);
  return length === NOT_SPECIALISED ? undefined : hex(fastOut.subarray(0, length));
}

/** u32 assets including every msgpack width boundary. */
const u32AssetArb = fc.oneof(
  assetArb,
  fc.constantFrom(0, 127, 128, 255, 256, 0xffff, 0x1_0000, 0xffff_ffff),
  fc.nat({ max: 0xffff_ffff }),
);

/** ASCII strings of 0..255 bytes: around the fixstr / str8 boundary too. */
const asciiArb = fc.oneof(
  fc.string({ unit: fc.constantFrom(..."0123456789.abcdefxyz"), maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 255 }),
);

/** The executor's shape: limit orders, any tif, with or without cloid, no builder, 1–4 orders. */
const executorOrderSpecArb: fc.Arbitrary<OrderSpec> = fc.record({
  asset: u32AssetArb,
  isBuy: fc.boolean(),
  // Any ASCII up to 255 bytes (the writer does not care what a decimal looks like).
  price: fc.oneof(
    decimalArb,
    asciiArb.map((text) => text as WireDecimal),
  ),
  size: decimalArb,
  reduceOnly: fc.boolean(),
  orderType: fc.constantFrom<Tif>("Gtc", "Ioc", "Alo").map((tif) => ({ limit: { tif } })),
  cloid: fc.option(cloidArb, { nil: undefined }),
});

const executorActionArb = fc
  .record({
    orders: fc.array(executorOrderSpecArb, { minLength: 1, maxLength: 4 }),
    grouping: fc.option(fc.constantFrom("na", "normalTpsl", "positionTpsl" as const), { nil: undefined }),
  })
  .map((params) => orderAction(params));

describe("writeOrderActionMsgpack", () => {
  it("fixed examples: the bench's two-leg order and msgpack width boundaries", () => {
    const twoLegs = orderAction({
      orders: [
        {
          asset: 159,
          isBuy: false,
          price: asWireDecimal("40.118"),
          size: asWireDecimal("12.34"),
          reduceOnly: false,
          orderType: { limit: { tif: "Ioc" } },
          cloid: toCloid("0x00000000000000000000000000010001"),
        },
        {
          asset: 10107,
          isBuy: true,
          price: asWireDecimal("40.123"),
          size: asWireDecimal("12.34"),
          reduceOnly: true,
          orderType: { limit: { tif: "Gtc" } },
        },
      ],
    });
    // Independent of both writers: hand-checked layout (fixmap 3, "type" "order", "orders" fixarray 2, …).
    expect(fastHex(twoLegs)).toBe(
      "83a474797065a56f72646572a66f72646572739287a161cc9fa162c2a170a634302e313138a173a531322e3334a172c2a174" +
        "81a56c696d697481a3746966a3496f63a163d922" +
        "3078" +
        "30".repeat(27) +
        "3130303031" +
        "86a161cd277ba162c3a170a634302e313233a173a531322e3334a172c3a17481a56c696d697481a3746966a3477463" +
        "a867726f7570696e67a26e61",
    );
    expect(fastHex(twoLegs)).toBe(genericHex(twoLegs));
    for (const asset of [0, 127, 128, 255, 256, 0xffff, 0x1_0000, 0xffff_ffff]) {
      for (const price of ["1", "1".repeat(31), "1".repeat(32), "1".repeat(255)]) {
        const action = orderAction({
          orders: [
            {
              asset,
              isBuy: true,
              price: asWireDecimal(price),
              size: asWireDecimal("0.1"),
              reduceOnly: false,
              orderType: { limit: { tif: "Alo" } },
            },
          ],
        });
        expect(fastHex(action), `asset ${asset}, price length ${price.length}`).toBe(genericHex(action));
      }
    }
  });

  it("specialises the executor's order actions, byte-identical to the generic writer", () => {
    fc.assert(
      fc.property(executorActionArb, (action) => {
        expect(fastHex(action)).toBe(genericHex(action));
      }),
      { seed: 20261204, numRuns: 3000 },
    );
  });

  it("declines or matches on every other order action (triggers, builders)", () => {
    fc.assert(
      fc.property(orderActionArb, (action) => {
        const fast = fastHex(action);
        if (fast !== undefined) expect(fast).toBe(genericHex(action));
      }),
      { seed: 20261205, numRuns: 1000 },
    );
  });

  it("declines shapes the generic writer would encode differently", () => {
    const order = { a: 1, b: true, p: "1", s: "2", r: false, t: { limit: { tif: "Ioc" } } };
    const declined: object[] = [
      { type: "order", orders: [order] }, // no grouping
      { orders: [order], type: "order", grouping: "na" }, // keys out of order
      { type: "order", orders: [order], grouping: "na", builder: { b: "0x00", f: 1 } },
      { type: "cancel", orders: [order], grouping: "na" },
      { type: "order", orders: [{ ...order, c: undefined }], grouping: "na" }, // generic skips it
      { type: "order", orders: [{ b: true, a: 1, p: "1", s: "2", r: false, t: order.t }], grouping: "na" },
      { type: "order", orders: [{ ...order, x: 1 }], grouping: "na" },
      { type: "order", orders: [{ ...order, a: -1 }], grouping: "na" },
      { type: "order", orders: [{ ...order, a: 2 ** 32 }], grouping: "na" },
      { type: "order", orders: [{ ...order, a: 1.5 }], grouping: "na" },
      { type: "order", orders: [{ ...order, a: 1n }], grouping: "na" },
      { type: "order", orders: [{ ...order, b: 1 }], grouping: "na" },
      { type: "order", orders: [{ ...order, p: "é" }], grouping: "na" },
      { type: "order", orders: [{ ...order, p: "1".repeat(256) }], grouping: "na" },
      { type: "order", orders: [{ ...order, t: { limit: { tif: "Ioc", x: 1 } } }], grouping: "na" },
      {
        type: "order",
        orders: [{ ...order, t: { trigger: { isMarket: true, triggerPx: "1", tpsl: "tp" } } }],
        grouping: "na",
      },
      { type: "order", orders: [Object.assign(Object.create(null) as object, order)], grouping: "na" },
      { type: "order", orders: Array.from({ length: 16 }, () => order), grouping: "na" },
      { type: "order", orders: [order], grouping: 1 },
    ];
    for (const action of declined)
      expect(
        fastHex(action),
        JSON.stringify(action, (_, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)),
      ).toBeUndefined();
    // …and the largest shape it accepts fits the documented bound.
    const big = {
      ...order,
      p: "1".repeat(255),
      s: "2".repeat(255),
      t: { limit: { tif: "3".repeat(255) } },
      a: 2 ** 32 - 1,
      c: "4".repeat(255),
    };
    const largest = {
      type: "order",
      orders: Array.from({ length: 15 }, () => big),
      grouping: "5".repeat(255),
    };
    expect(fastHex(largest)).toBe(genericHex(largest));
  });
});

// ---------------------------------------------------------------------------------------------------------

describe("signL1Action's fast digest", () => {
  it("signs exactly what l1ActionDigest (generic) gives, for order and other actions", () => {
    const backend = availableSecp256k1Backends()[0]!;
    fc.assert(
      fc.property(
        fc.record({
          key: privateKeyArb,
          action: fc.oneof(executorActionArb, l1ActionArb),
          nonce: msArb,
          network: networkArb,
          vaultAddress: fc.option(addressArb, { nil: undefined }),
          expiresAfter: fc.option(msArb, { nil: undefined }),
        }),
        ({ key, ...params }) => {
          const signer = createSigner(key, { backend }); // RFC 6979: deterministic
          const expected = signer.signDigest(l1ActionDigest(params));
          expect(signL1Action({ ...params, signer })).toEqual(expected);
          // Twice in a row: the reused digest buffer is not stale.
          expect(signL1Action({ ...params, signer })).toEqual(expected);
        },
      ),
      { seed: 20261206, numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------

describe("presigned ECDSA at the edges of the curve order", () => {
  const N = secp256k1.Point.CURVE().n;
  const word = (value: bigint): Uint8Array =>
    hexToBytesExact(`0x${value.toString(16).padStart(64, "0")}`, 32, "d");
  const edgeDigests = [0n, 1n, N - 1n, N, N + 1n, 2n ** 256n - 1n, 2n ** 255n].map(word);

  it.each(availableSecp256k1Backends())("verifies and recovers (%s)", (backend) => {
    const key = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    const signer = createSigner(key, { backend });
    const publicKey = secp256k1.getPublicKey(hexToBytesExact(key, 32, "key"), false);
    const pool = signer.enablePresignatures(4);
    for (let round = 0; round < 30; round++) {
      for (const digest of edgeDigests) {
        while (pool.size < 2) pool.refillOne();
        const used = pool.used;
        const signature = signer.signDigest(digest);
        expect(pool.used).toBe(used + 1);
        expect(recoverSigner(digest, signature, backend)).toBe(signer.address);
        const compact = hexToBytesExact(`0x${signature.r.slice(2)}${signature.s.slice(2)}`, 64, "sig");
        expect(secp256k1.verify(compact, digest, publicKey, { prehash: false, lowS: true })).toBe(true);
      }
    }
    // Digests at different places in one buffer (the reader caches its view per buffer and offset).
    const shared = new Uint8Array(96);
    for (let offset = 0; offset <= 64; offset += 32) {
      shared.set(edgeDigests[(offset / 32 + 3) % edgeDigests.length]!, offset);
      while (pool.size < 2) pool.refillOne();
      const digest = shared.subarray(offset, offset + 32);
      const signature = signer.signDigest(digest);
      expect(recoverSigner(Uint8Array.from(digest), signature, backend)).toBe(signer.address);
    }
    expect(bytesToHex(edgeDigests[3]!)).toBe(`0x${N.toString(16)}`);
  });
});
