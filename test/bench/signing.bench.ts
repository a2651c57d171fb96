/**
 * Signing benchmark: the cost of signing one two-leg HYPE IOC order action (perp 159 + spot 10107, both
 * with cloids), per crypto backend. Run: `npx tsx test/bench/signing.bench.ts`.
 *
 * Prints one JSON line per backend:
 * - `buildUs`: building the action with `orderAction` (two legs);
 * - `hashUs`: msgpack + connectionId keccak + Agent struct/digest keccaks (`l1ActionDigest`);
 * - `connectionIdUs`: msgpack + the connectionId keccak only (`l1ActionHash`);
 * - `signUs`: ECDSA on a precomputed digest (`Signer.signDigest`);
 * - `totalUs` (mean) and `totalP50Us` / `totalP99Us`: `signL1Action` end to end (hash + sign) with an
 *   RFC 6979 signature; for this action `signL1Action` takes the order fast path (`l1OrderDigest.ts`:
 *   specialised msgpack + WebAssembly keccak), while `hashUs` / `connectionIdUs` are the generic path;
 * - `presignedTotalUs` / `presignedP50Us` / `presignedP99Us`: `signL1Action` as the executor calls it
 *   (presignatures enabled, `expiresAfter` set), i.e. the per-order cost on the hot path once the action
 *   exists; the pool is filled before timing;
 * - `keccak66Us` / `keccak210Us`: one keccak-256 of 66 bytes (the EIP-712 digest preimage) and of 210
 *   bytes (this action's connectionId preimage: 201 bytes of msgpack, the nonce and the vault marker).
 *
 * Backends are picked at module load, so the "noble" row runs in a child process with
 * `HLB_NATIVE_CRYPTO=off` (pure @noble/curves + @noble/hashes, the fallback configuration); the
 * "native" row uses the `secp256k1` and `keccak` addons. Each stage is warmed up before it is timed, and
 * nonces change every iteration so every hash is different.
 */

import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { l1ActionDigest, l1ActionHash, signL1Action } from "../../hotpath/exchange/signing/l1.js";
import { keccak256, keccakBackend } from "../../hotpath/exchange/signing/keccak.js";
import { NATIVE_CRYPTO_ENV } from "../../hotpath/exchange/signing/nativeCrypto.js";
import { createSigner, defaultSecp256k1Backend } from "../../hotpath/exchange/signing/secp256k1.js";
import { orderAction, type OrderAction } from "../../hotpath/exchange/wire/actions.js";
import { asWireDecimal, toCloid } from "../../hotpath/exchange/wire/brands.js";

const CHILD_FLAG = "--child";
const KEY = "0x0123456789012345678901234567890123456789012345678901234567890123";
const BASE_NONCE = 1_700_000_000_000;

function buildTwoLegOrder(i: number): OrderAction {
  const suffix = (i & 0xffff).toString(16).padStart(4, "0");
  return orderAction({
    orders: [
      {
        asset: 159,
        isBuy: false,
        price: asWireDecimal("40.118"),
        size: asWireDecimal("12.34"),
        reduceOnly: false,
        orderType: { limit: { tif: "Ioc" } },
        cloid: toCloid(`0x0000000000000000000000000001${suffix}`),
      },
      {
        asset: 10107,
        isBuy: true,
        price: asWireDecimal("40.123"),
        size: asWireDecimal("12.34"),
        reduceOnly: false,
        orderType: { limit: { tif: "Ioc" } },
        cloid: toCloid(`0x0000000000000000000000000002${suffix}`),
      },
    ],
    grouping: "na",
  });
}

/** Mean µs per call of `fn(i)` over `iterations`, after `warmup` untimed calls. */
function meanMicros(warmup: number, iterations: number, fn: (i: number) => unknown): number {
  let sink: unknown;
  for (let i = 0; i < warmup; i++) sink = fn(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink = fn(i);
  const elapsed = process.hrtime.bigint() - start;
  if (sink === Symbol.for("never")) console.log(sink); // keep the results alive
  return Number(elapsed) / iterations / 1000;
}

function percentileMicros(sortedNanos: Float64Array, p: number): number {
  const index = Math.min(sortedNanos.length - 1, Math.floor((p / 100) * sortedNanos.length));
  return (sortedNanos[index] ?? Number.NaN) / 1000;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function measure(): Record<string, unknown> {
  const backend = defaultSecp256k1Backend;
  const signer = createSigner(KEY, { backend });
  const slow = backend === "noble";
  const signIterations = slow ? 2_000 : 20_000;
  const signWarmup = slow ? 300 : 2_000;
  const hashIterations = 50_000;

  const actions = Array.from({ length: 1024 }, (_, i) => buildTwoLegOrder(i));
  const pick = (i: number): OrderAction => actions[i & 1023] as OrderAction;
  const digest = l1ActionDigest({ action: pick(0), nonce: BASE_NONCE, network: "mainnet" });

  const input = new Uint8Array(210).fill(0x5a);
  const keccak66Us = meanMicros(10_000, hashIterations, (i) => {
    input[0] = i & 0xff;
    return keccak256(input.subarray(0, 66));
  });
  const keccak210Us = meanMicros(10_000, hashIterations, (i) => {
    input[0] = i & 0xff;
    return keccak256(input);
  });
  const buildUs = meanMicros(10_000, hashIterations, buildTwoLegOrder);
  const connectionIdUs = meanMicros(5_000, hashIterations, (i) => l1ActionHash(pick(i), BASE_NONCE + i));
  const hashUs = meanMicros(5_000, hashIterations, (i) =>
    l1ActionDigest({ action: pick(i), nonce: BASE_NONCE + i, network: "mainnet" }),
  );
  const signUs = meanMicros(signWarmup, signIterations, () => signer.signDigest(digest));
  const totalUs = meanMicros(signWarmup, signIterations, (i) =>
    signL1Action({ signer, action: pick(i), nonce: BASE_NONCE + i, network: "mainnet" }),
  );

  const perCall = new Float64Array(signIterations);
  for (let i = 0; i < signIterations; i++) {
    const start = process.hrtime.bigint();
    signL1Action({ signer, action: pick(i), nonce: BASE_NONCE + 2 * signIterations + i, network: "mainnet" });
    perCall[i] = Number(process.hrtime.bigint() - start);
  }
  perCall.sort();

  // The executor's configuration: nonces prepared ahead, so the signature is a few big-integer steps.
  const presignIterations = slow ? 300 : 5_000;
  const presignWarmup = slow ? 50 : 1_000;
  const presigner = createSigner(KEY, { backend });
  presigner.enablePresignatures(presignWarmup + 2 * presignIterations);
  const presignedCall = (i: number): unknown =>
    signL1Action({
      signer: presigner,
      action: pick(i),
      nonce: BASE_NONCE + i,
      network: "mainnet",
      expiresAfter: BASE_NONCE + 60_000,
    });
  const presignedTotalUs = meanMicros(presignWarmup, presignIterations, presignedCall);
  const presignedPerCall = new Float64Array(presignIterations);
  for (let i = 0; i < presignIterations; i++) {
    const start = process.hrtime.bigint();
    presignedCall(presignIterations + i);
    presignedPerCall[i] = Number(process.hrtime.bigint() - start);
  }
  presignedPerCall.sort();

  return {
    bench: "signing",
    action: "order, 2 legs (159 sell + 10107 buy), IOC, cloids",
    backend,
    keccak: keccakBackend,
    buildUs: round(buildUs),
    connectionIdUs: round(connectionIdUs),
    hashUs: round(hashUs),
    signUs: round(signUs),
    totalUs: round(totalUs),
    totalP50Us: round(percentileMicros(perCall, 50)),
    totalP99Us: round(percentileMicros(perCall, 99)),
    presignedTotalUs: round(presignedTotalUs),
    presignedP50Us: round(percentileMicros(presignedPerCall, 50)),
    presignedP99Us: round(percentileMicros(presignedPerCall, 99)),
    keccak66Us: round(keccak66Us),
    keccak210Us: round(keccak210Us),
    signIterations,
    hashIterations,
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
  };
}

function main(): void {
  console.log(JSON.stringify(measure()));
  if (process.argv.includes(CHILD_FLAG) || defaultSecp256k1Backend === "noble") return;
  // The fallback configuration, in a fresh process whose modules load without the native addons.
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), CHILD_FLAG],
    {
      env: { ...process.env, [NATIVE_CRYPTO_ENV]: "off" },
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  if (child.status !== 0) {
    throw new Error(`noble benchmark child exited with ${child.status ?? child.signal ?? "?"}`);
  }
}

main();
