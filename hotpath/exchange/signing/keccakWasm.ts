/**
 * Keccak-256 as a WebAssembly function over its own linear memory, for the order signing path
 * (`l1OrderDigest.ts`).
 *
 * Why: the native `keccak` addon (keccak.ts) has a fast permutation, but each hash crosses N-API four
 * times and `squeeze` allocates a fresh Buffer — ≈1.6–1.9 µs for a one-block input, most of it not
 * hashing — and a pure-JS Keccak-f, which could write into our own buffers, was measured at ≈2.3 µs per
 * permutation. WebAssembly has native 64-bit lanes and rotations, a call from JS costs tens of
 * nanoseconds, and inputs and digests stay in its memory: a caller writes the preimage there, pads it
 * (`padKeccakInput`), and `hashBlocks` writes the 32-byte digest wherever the next preimage wants it, so
 * the three hashes of an order signature chain with no copy and no allocation. Measured here: ≈0.4 µs for
 * a one-block (66/96-byte) input, ≈0.8–0.9 µs for two blocks (217 bytes).
 *
 * The module is assembled here at load from the Keccak-f[1600] definition (FIPS 202 §3.2: θ, ρ+π, χ, ι,
 * unrolled per lane, 24 rounds in a loop) rather than shipped as an opaque binary; it is accepted only
 * after a known-answer self-test against @noble/hashes, and any failure leaves `keccakWasm` undefined
 * (callers then take the generic path). test/exchange/signing.fastpath.test.ts checks it against noble
 * for inputs of 0..600 bytes. `HLB_NATIVE_CRYPTO=off` does not turn it off: that switch is about native
 * addons that may be missing for a platform, and WebAssembly is part of every Node runtime.
 */

import { keccak_256 } from "@noble/hashes/sha3.js";

/** Keccak-256's rate: bytes absorbed per permutation. */
export const KECCAK_RATE_BYTES = 136;

/**
 * Round constants live at the start of the memory; callers use memory from here on. Its one user,
 * `l1OrderDigest.ts`, lays out its preimages from here (≈17 KiB); tests use memory well past that.
 */
export const KECCAK_WASM_FREE_FROM = 256;

/** One page (64 KiB): the round constants, the fixed preimages and a 16 KiB+ order preimage. */
const MEMORY_PAGES = 1;

export interface KeccakWasm {
  /** The module's whole memory (never grows, so this view stays valid). */
  readonly memory: Uint8Array;
  /**
   * Keccak-256 of the padded input at `memory[ptr, ptr + 136·blocks)`, written to `memory[out, out + 32)`
   * (`out` may overlap the input: it is written after the last permutation).
   */
  readonly hashBlocks: (ptr: number, blocks: number, out: number) => void;
}

/**
 * Pads the `length`-byte input at `memory[ptr…]` in place (Keccak's pad10*1 with the 0x01 domain byte)
 * and returns how many rate blocks to hash. The memory must have room up to the next block boundary.
 */
export function padKeccakInput(memory: Uint8Array, ptr: number, length: number): number {
  const blocks = Math.floor(length / KECCAK_RATE_BYTES) + 1;
  const end = ptr + blocks * KECCAK_RATE_BYTES;
  memory.fill(0, ptr + length, end);
  memory[ptr + length] = 0x01;
  memory[end - 1]! |= 0x80;
  return blocks;
}

// ---------------------------------------------------------------------------------------------------------
// The module, assembled

const ROUNDS = 24;

/** ρ rotation offsets by lane index x + 5y, from FIPS 202 §3.2.2 (t-loop). */
function rotationOffsets(): number[] {
  const offsets = new Array<number>(25).fill(0);
  let x = 1;
  let y = 0;
  for (let t = 0; t < 24; t++) {
    offsets[x + 5 * y] = (((t + 1) * (t + 2)) / 2) % 64;
    [x, y] = [y, (2 * x + 3 * y) % 5];
  }
  return offsets;
}

/** ι round constants from the rc(t) LFSR (FIPS 202 §3.2.5). */
function roundConstants(): bigint[] {
  let lfsr = 1;
  const nextBit = (): number => {
    const bit = lfsr & 1;
    lfsr = lfsr & 0x80 ? ((lfsr << 1) ^ 0x71) & 0xff : (lfsr << 1) & 0xff;
    return bit;
  };
  const constants: bigint[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let rc = 0n;
    for (let j = 0; j < 7; j++) if (nextBit()) rc |= 1n << BigInt((1 << j) - 1);
    constants.push(rc);
  }
  return constants;
}

// Opcodes used (WebAssembly core spec §5.4).
const OP = {
  loop: 0x03,
  end: 0x0b,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i64Load: 0x29,
  i64Store: 0x37,
  i32Const: 0x41,
  i64Const: 0x42,
  i32LtU: 0x49,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i64And: 0x83,
  i64Xor: 0x85,
  i64Rotl: 0x89,
} as const;
const VOID_BLOCK = 0x40;
const I32 = 0x7f;
const I64 = 0x7e;

function unsignedLeb(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    const byte = rest & 0x7f;
    rest >>>= 7;
    out.push(rest === 0 ? byte : byte | 0x80);
  } while (rest !== 0);
  return out;
}

function signedLeb(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsignedLeb(content.length), ...content];
}

function vector(items: number[][]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

function name(text: string): number[] {
  return [...unsignedLeb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];
}

/** `hash(ptr: i32, blocks: i32, out: i32)`: the whole sponge, state in 25 i64 locals (zero-initialised). */
function hashFunctionBody(): number[] {
  const PTR = 0;
  const BLOCKS = 1;
  const OUT = 2;
  const RC = 3; // i32: address of this round's constant
  const A = 4; // i64 a[0..24]: the state, lane x + 5y
  const B = A + 25; // i64 b[0..24]: after ρ+π
  const C = B + 25; // i64 c[0..4]: θ column parities
  const D = C + 5; // i64: θ's per-column mask
  const rotations = rotationOffsets();
  const code: number[] = [];
  const get = (local: number): void => void code.push(OP.localGet, ...unsignedLeb(local));
  const set = (local: number): void => void code.push(OP.localSet, ...unsignedLeb(local));
  const i64Const = (value: number): void => void code.push(OP.i64Const, ...signedLeb(value));
  const i32Const = (value: number): void => void code.push(OP.i32Const, ...signedLeb(value));

  code.push(OP.loop, VOID_BLOCK); // per block
  for (let lane = 0; lane < KECCAK_RATE_BYTES / 8; lane++) {
    get(A + lane);
    get(PTR);
    code.push(OP.i64Load, 0, ...unsignedLeb(lane * 8)); // align hint 1 byte: the input is unaligned
    code.push(OP.i64Xor);
    set(A + lane);
  }
  i32Const(0);
  set(RC);
  code.push(OP.loop, VOID_BLOCK); // per round
  // θ
  for (let x = 0; x < 5; x++) {
    get(A + x);
    for (let y = 1; y < 5; y++) {
      get(A + x + 5 * y);
      code.push(OP.i64Xor);
    }
    set(C + x);
  }
  for (let x = 0; x < 5; x++) {
    get(C + ((x + 4) % 5));
    get(C + ((x + 1) % 5));
    i64Const(1);
    code.push(OP.i64Rotl, OP.i64Xor);
    set(D);
    for (let y = 0; y < 5; y++) {
      get(A + x + 5 * y);
      get(D);
      code.push(OP.i64Xor);
      set(A + x + 5 * y);
    }
  }
  // ρ and π: b[y, 2x + 3y] = rotl(a[x, y], r[x, y])
  for (let x = 0; x < 5; x++) {
    for (let y = 0; y < 5; y++) {
      get(A + x + 5 * y);
      const r = rotations[x + 5 * y]!;
      if (r !== 0) {
        i64Const(r);
        code.push(OP.i64Rotl);
      }
      set(B + y + 5 * ((2 * x + 3 * y) % 5));
    }
  }
  // χ: a[x, y] = b[x, y] ^ (~b[x+1, y] & b[x+2, y])
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      get(B + x + 5 * y);
      get(B + ((x + 1) % 5) + 5 * y);
      i64Const(-1);
      code.push(OP.i64Xor);
      get(B + ((x + 2) % 5) + 5 * y);
      code.push(OP.i64And, OP.i64Xor);
      set(A + x + 5 * y);
    }
  }
  // ι: the constants sit at memory[0, 192)
  get(A);
  get(RC);
  code.push(OP.i64Load, 3, 0, OP.i64Xor);
  set(A);
  get(RC);
  i32Const(8);
  code.push(OP.i32Add, OP.localTee, ...unsignedLeb(RC));
  i32Const(ROUNDS * 8);
  code.push(OP.i32LtU, OP.brIf, 0, OP.end); // next round
  get(PTR);
  i32Const(KECCAK_RATE_BYTES);
  code.push(OP.i32Add);
  set(PTR);
  get(BLOCKS);
  i32Const(1);
  code.push(OP.i32Sub, OP.localTee, ...unsignedLeb(BLOCKS), OP.brIf, 0, OP.end); // next block
  // Squeeze: the digest is the first 32 bytes of the state (lanes are little-endian, as in memory).
  for (let lane = 0; lane < 4; lane++) {
    get(OUT);
    get(A + lane);
    code.push(OP.i64Store, 0, ...unsignedLeb(lane * 8));
  }
  code.push(OP.end);
  const locals = vector([
    [1, I32],
    [25 + 25 + 5 + 1, I64],
  ]);
  return [...unsignedLeb(locals.length + code.length), ...locals, ...code];
}

function moduleBytes(): Uint8Array {
  const FUNC_TYPE = 0x60;
  const EXPORT_FUNC = 0x00;
  const EXPORT_MEMORY = 0x02;
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, vector([[FUNC_TYPE, ...vector([[I32], [I32], [I32]]), ...vector([])]])), // types
    ...section(3, vector([[0]])), // functions: hash has type 0
    ...section(5, vector([[0x00, ...unsignedLeb(MEMORY_PAGES)]])), // memory: min pages, no max
    ...section(
      7,
      vector([
        [...name("hash"), EXPORT_FUNC, 0],
        [...name("memory"), EXPORT_MEMORY, 0],
      ]),
    ),
    ...section(10, vector([hashFunctionBody()])), // code
  ]);
}

/** The part of the WebAssembly JS API we use (this project's type libraries do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

function instantiate(): KeccakWasm {
  const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api === undefined) throw new Error("this runtime has no WebAssembly");
  const instance = new api.Instance(new api.Module(moduleBytes()), {});
  const memory = new Uint8Array((instance.exports.memory as { readonly buffer: ArrayBuffer }).buffer);
  const constants = new DataView(memory.buffer);
  roundConstants().forEach((rc, round) => constants.setBigUint64(round * 8, rc, true));
  return {
    memory,
    hashBlocks: instance.exports.hash as (ptr: number, blocks: number, out: number) => void,
  };
}

/** Between the round constants (0..192) and the callers' memory. */
const SELF_TEST_OUT = 192;

/** Hashes 0, 135, 136 and 300 bytes (one to three blocks, both padding edge cases) against noble. */
function selfTest(keccak: KeccakWasm): string | undefined {
  for (const length of [0, 135, 136, 300]) {
    const input = Uint8Array.from({ length }, (_, i) => (i * 131 + 7) & 0xff);
    keccak.memory.set(input, KECCAK_WASM_FREE_FROM);
    const blocks = padKeccakInput(keccak.memory, KECCAK_WASM_FREE_FROM, length);
    keccak.hashBlocks(KECCAK_WASM_FREE_FROM, blocks, SELF_TEST_OUT);
    const ours = keccak.memory.subarray(SELF_TEST_OUT, SELF_TEST_OUT + 32);
    const expected = keccak_256(input);
    if (!ours.every((byte, i) => byte === expected[i])) return `self-test failed for ${length} bytes`;
  }
  return undefined;
}

/**
 * V8 first runs WebAssembly as baseline (Liftoff) code, ≈4 µs per one-block hash here, and compiles the
 * optimised version in the background once a function has run enough (≈50 hashes, measured): without
 * this the first dozen orders would pay that. ≈0.3 ms once at load.
 */
const WARM_UP_HASHES = 100;

function warmUp(keccak: KeccakWasm): void {
  const blocks = padKeccakInput(keccak.memory, KECCAK_WASM_FREE_FROM, 0);
  for (let i = 0; i < WARM_UP_HASHES; i++) {
    keccak.hashBlocks(KECCAK_WASM_FREE_FROM, blocks, SELF_TEST_OUT);
  }
}

function load(): { keccak: KeccakWasm } | { error: string } {
  try {
    const keccak = instantiate();
    const error = selfTest(keccak);
    if (error !== undefined) return { error };
    warmUp(keccak);
    return { keccak };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

const loaded = load();

/** The WebAssembly Keccak-256, or `undefined` when it did not load or failed its self-test. */
export const keccakWasm: KeccakWasm | undefined = "keccak" in loaded ? loaded.keccak : undefined;

/** Why `keccakWasm` is undefined, for start-up logs. */
export const keccakWasmLoadError: string | undefined = "error" in loaded ? loaded.error : undefined;
