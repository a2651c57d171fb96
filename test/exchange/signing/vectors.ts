/**
 * Published and derived signing vectors from PROTOCOL.md §6.6, as data, so the vector test can run them
 * for every secp256k1 backend. The Python SDK prints `r`/`s` without leading zeros; `padSignature`
 * normalises them before comparing with our always-padded output.
 */

import type { Network } from "../../../hotpath/exchange/wire/actions.js";
import type { RawL1Action } from "../../../hotpath/exchange/signing/l1.js";
import type { Signature } from "../../../hotpath/exchange/signing/signature.js";

export const PY_KEY = "0x0123456789012345678901234567890123456789012345678901234567890123";
export const PY_ADDRESS = "0x14791697260e4c9a71f18484c9f997b308e59325";
export const NK_KEY = "0x822e9959e022b78423eb653a62ea0020cd283e71a2a8133a6ff2aeffaf373cff";

export type ExpectedSignature = { readonly r: string; readonly s: string; readonly v: 27 | 28 };

export function padSignature(sig: ExpectedSignature): Signature {
  const pad = (h: string): string => "0x" + h.slice(2).padStart(64, "0");
  return { r: pad(sig.r), s: pad(sig.s), v: sig.v } as Signature;
}

export type L1Vector = {
  readonly name: string;
  readonly key: string;
  readonly action: RawL1Action;
  readonly nonce: number;
  readonly network: Network;
  readonly vaultAddress?: string;
  readonly expiresAfter?: number;
  readonly connectionId?: string;
  readonly signature?: ExpectedSignature;
};

const PY_DUMMY = { type: "dummy", num: 100000000000 };
const PY_ORDER = {
  type: "order",
  orders: [{ a: 1, b: true, p: "100", s: "100", r: false, t: { limit: { tif: "Gtc" } } }],
  grouping: "na",
};
const PY_ORDER_CLOID = {
  type: "order",
  orders: [
    {
      a: 1,
      b: true,
      p: "100",
      s: "100",
      r: false,
      t: { limit: { tif: "Gtc" } },
      c: "0x00000000000000000000000000000001",
    },
  ],
  grouping: "na",
};
export const NK_ORDER = {
  type: "order",
  orders: [{ a: 0, b: true, p: "30000", s: "0.1", r: false, t: { limit: { tif: "Gtc" } } }],
  grouping: "na",
};

/** §6.6.1 (Python SDK), §6.6.2 (NK) and §6.6.3 (HYPE, derived). */
export const L1_VECTORS: readonly L1Vector[] = [
  // §6.6.1
  {
    name: "PY phantom agent",
    key: PY_KEY,
    action: {
      type: "order",
      orders: [{ a: 4, b: true, p: "1670.1", s: "0.0147", r: false, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    },
    nonce: 1677777606040,
    network: "mainnet",
    connectionId: "0x0fcbeda5ae3c4950a548021552a4fea2226858c4453571bf3f24ba017eac2908",
  },
  {
    name: "PY L1 dummy mainnet",
    key: PY_KEY,
    action: PY_DUMMY,
    nonce: 0,
    network: "mainnet",
    signature: {
      r: "0x53749d5b30552aeb2fca34b530185976545bb22d0b3ce6f62e31be961a59298",
      s: "0x755c40ba9bf05223521753995abb2f73ab3229be8ec921f350cb447e384d8ed8",
      v: 27,
    },
  },
  {
    name: "PY L1 dummy testnet",
    key: PY_KEY,
    action: PY_DUMMY,
    nonce: 0,
    network: "testnet",
    signature: {
      r: "0x542af61ef1f429707e3c76c5293c80d01f74ef853e34b76efffcb57e574f9510",
      s: "0x17b8b32f086e8cdede991f1e2c529f5dd5297cbe8128500e00cbaf766204a613",
      v: 28,
    },
  },
  {
    name: "PY order mainnet",
    key: PY_KEY,
    action: PY_ORDER,
    nonce: 0,
    network: "mainnet",
    signature: {
      r: "0xd65369825a9df5d80099e513cce430311d7d26ddf477f5b3a33d2806b100d78e",
      s: "0x2b54116ff64054968aa237c20ca9ff68000f977c93289157748a3162b6ea940e",
      v: 28,
    },
  },
  {
    name: "PY order testnet",
    key: PY_KEY,
    action: PY_ORDER,
    nonce: 0,
    network: "testnet",
    signature: {
      r: "0x82b2ba28e76b3d761093aaded1b1cdad4960b3af30212b343fb2e6cdfa4e3d54",
      s: "0x6b53878fc99d26047f4d7e8c90eb98955a109f44209163f52d8dc4278cbbd9f5",
      v: 27,
    },
  },
  {
    name: "PY order + cloid mainnet",
    key: PY_KEY,
    action: PY_ORDER_CLOID,
    nonce: 0,
    network: "mainnet",
    signature: {
      r: "0x41ae18e8239a56cacbc5dad94d45d0b747e5da11ad564077fcac71277a946e3",
      s: "0x3c61f667e747404fe7eea8f90ab0e76cc12ce60270438b2058324681a00116da",
      v: 27,
    },
  },
  {
    name: "PY order + cloid testnet",
    key: PY_KEY,
    action: PY_ORDER_CLOID,
    nonce: 0,
    network: "testnet",
    signature: {
      r: "0xeba0664bed2676fc4e5a743bf89e5c7501aa6d870bdb9446e122c9466c5cd16d",
      s: "0x7f3e74825c9114bc59086f1eebea2928c190fdfbfde144827cb02b85bbe90988",
      v: 28,
    },
  },
  {
    name: "PY dummy + vault mainnet",
    key: PY_KEY,
    action: PY_DUMMY,
    nonce: 0,
    network: "mainnet",
    vaultAddress: "0x1719884eb866cb12b2287399b15f7db5e7d775ea",
    signature: {
      r: "0x3c548db75e479f8012acf3000ca3a6b05606bc2ec0c29c50c515066a326239",
      s: "0x4d402be7396ce74fbba3795769cda45aec00dc3125a984f2a9f23177b190da2c",
      v: 28,
    },
  },
  {
    name: "PY scheduleCancel without time",
    key: PY_KEY,
    action: { type: "scheduleCancel" },
    nonce: 0,
    network: "mainnet",
    signature: {
      r: "0x6cdfb286702f5917e76cd9b3b8bf678fcc49aec194c02a73e6d4f16891195df9",
      s: "0x6557ac307fa05d25b8d61f21fb8a938e703b3d9bf575f6717ba21ec61261b2a0",
      v: 27,
    },
  },
  {
    name: "PY scheduleCancel with time",
    key: PY_KEY,
    action: { type: "scheduleCancel", time: 123456789 },
    nonce: 0,
    network: "mainnet",
    signature: {
      r: "0x609cb20c737945d070716dcc696ba030e9976fcf5edad87afa7d877493109d55",
      s: "0x16c685d63b5c7a04512d73f183b3d7a00da5406ff1f8aad33f8ae2163bab758b",
      v: 28,
    },
  },
  // §6.6.2
  {
    name: "NK hash",
    key: NK_KEY,
    action: NK_ORDER,
    nonce: 1234567890,
    network: "mainnet",
    connectionId: "0x25367e0dba84351148288c2233cd6130ed6cec5967ded0c0b7334f36f957cc90",
  },
  {
    name: "NK hash + vault",
    key: NK_KEY,
    action: NK_ORDER,
    nonce: 1234567890,
    network: "mainnet",
    vaultAddress: "0x1234567890123456789012345678901234567890",
    connectionId: "0x214e2ea3270981b6fd18174216691e69f56872663139d396b10ded319cb4bb1e",
  },
  {
    name: "NK hash + expiresAfter",
    key: NK_KEY,
    action: NK_ORDER,
    nonce: 1234567890,
    network: "mainnet",
    expiresAfter: 1234567890,
    connectionId: "0xc30b002ba3775e4c31c43c1dfd3291dfc85c6ae06c6b9f393991de86cad5fac7",
  },
  {
    name: "NK hash + vault + expiresAfter",
    key: NK_KEY,
    action: NK_ORDER,
    nonce: 1234567890,
    network: "mainnet",
    vaultAddress: "0x1234567890123456789012345678901234567890",
    expiresAfter: 1234567890,
    connectionId: "0x2d62412aa0fc57441b5189841d81554a6a9680bf07204e1454983a9ca44f0744",
  },
  {
    name: "NK sig mainnet",
    key: NK_KEY,
    action: NK_ORDER,
    nonce: 1234567890,
    network: "mainnet",
    signature: {
      r: "0x61078d8ffa3cb591de045438a1ae2ed299b271891d1943a33901e7cfb3a31ed8",
      s: "0x0e91df4f9841641d3322dad8d932874b74d7e082cdb5b533f804964a6963aef9",
      v: 28,
    },
  },
  {
    name: "NK sig testnet",
    key: NK_KEY,
    action: NK_ORDER,
    nonce: 1234567890,
    network: "testnet",
    signature: {
      r: "0x6b0283a894d87b996ad0182b86251cc80d27d61ef307449a2ed249a508ded1f7",
      s: "0x6f884e79f4a0a10af62db831af6f8e03b3f11d899eb49b352f836746ee9226da",
      v: 27,
    },
  },
  // §6.6.3 (derived, not published upstream)
  {
    name: "HYPE spot IOC buy with cloid",
    key: PY_KEY,
    action: {
      type: "order",
      orders: [
        {
          a: 10107,
          b: true,
          p: "40.123",
          s: "0.5",
          r: false,
          t: { limit: { tif: "Ioc" } },
          c: "0x000000000000000000000000000000aa",
        },
      ],
      grouping: "na",
    },
    nonce: 1700000000000,
    network: "mainnet",
    connectionId: "0x751cc18176cb4ce7ebc79fc44e0ed7a9b19a2b7c8220b4308cdee277bf5047a7",
    signature: {
      r: "0xd0aa85afef02882e07d28d1180944817e165df6efa3a7ee69fc633061528f419",
      s: "0x14ea133a90c4f318cfc1790af4c6fe2caf3c15e4e2398f3f06a859e8cbc42316",
      v: 27,
    },
  },
  {
    name: "HYPE perp ALO sell",
    key: PY_KEY,
    action: {
      type: "order",
      orders: [{ a: 159, b: false, p: "40.12", s: "0.5", r: false, t: { limit: { tif: "Alo" } } }],
      grouping: "na",
    },
    nonce: 1700000000000,
    network: "mainnet",
    connectionId: "0x05265cf8bc5d4f6c9c588aae810c241fef33bdf0c282f6dfe1dcade46d05b4cd",
    signature: {
      r: "0x5f962dde87a3ac00a6346303cf8fbc9f2b15270dce797d3f07e5ae4a9ad6ce1b",
      s: "0x04d2a9d0c410ae40ce9bb49c92ec636e3dffd64f0f7bbd4e084f5abe733024a9",
      v: 27,
    },
  },
  {
    name: "HYPE cancelByCloid",
    key: PY_KEY,
    action: {
      type: "cancelByCloid",
      cancels: [{ asset: 10107, cloid: "0x000000000000000000000000000000aa" }],
    },
    nonce: 1700000000000,
    network: "mainnet",
    connectionId: "0x75f77c5a8c4d5b0ed1a5ca0b3f76b57147f8edff559d87f1694d5a3bfc830865",
    signature: {
      r: "0xd8d2676207bf60c1d57f0ef328e47c701bd44711b555112cf3e9d56b65d4dbb7",
      s: "0x4358bbf4af279c94f0b641310c4bf59767f0da50f7f7ae11d9defb6c5409a3b8",
      v: 28,
    },
  },
  {
    name: "HYPE scheduleCancel",
    key: PY_KEY,
    action: { type: "scheduleCancel", time: 1700000060000 },
    nonce: 1700000000000,
    network: "mainnet",
    connectionId: "0x543d84c42876132614aca907b0dbd95399b942229d79e0f1c5eb81f1592e2ddf",
    signature: {
      r: "0x63f82e27ce8ba37e7374cd5991215dd814a032644ed03d0480b7a6902bd0194c",
      s: "0x17e5777edf89919c48c2999d1c591ca7fb228cf4b8341705a4a585d1c269a990",
      v: 27,
    },
  },
];

export type UserSignedVector = {
  readonly name: string;
  readonly key: string;
  /** As JSON (the vector's field values); the test builds it with our builders too. */
  readonly action: Readonly<Record<string, unknown>>;
  readonly signature: ExpectedSignature;
};

export const USER_SIGNED_VECTORS: readonly UserSignedVector[] = [
  {
    name: "PY usdSend testnet",
    key: PY_KEY,
    action: {
      type: "usdSend",
      signatureChainId: "0x66eee",
      hyperliquidChain: "Testnet",
      destination: "0x5e9ee1089755c3435139848e47e6635505d5a13a",
      amount: "1",
      time: 1687816341423,
    },
    signature: {
      r: "0x637b37dd731507cdd24f46532ca8ba6eec616952c56218baeff04144e4a77073",
      s: "0x11a6a24900e6e314136d2592e2f8d502cd89b7c15b198e1bee043c9589f9fad7",
      v: 27,
    },
  },
  {
    name: "NK usdSend mainnet",
    key: NK_KEY,
    action: {
      type: "usdSend",
      signatureChainId: "0x66eee",
      hyperliquidChain: "Mainnet",
      destination: "0x1234567890123456789012345678901234567890",
      amount: "1000",
      time: 1234567890,
    },
    signature: {
      r: "0xf777c38efe7c24cc71209526ae608f4e384d0586edf578f0e97b4b9f7c7adcc6",
      s: "0x104a4a97c48ae77bf5bd777bdd45fe72d8f5ff29116b5ff64fd8cfe4ea610786",
      v: 28,
    },
  },
  {
    name: "HYPE usdClassTransfer mainnet",
    key: PY_KEY,
    action: {
      type: "usdClassTransfer",
      signatureChainId: "0x66eee",
      hyperliquidChain: "Mainnet",
      amount: "100",
      toPerp: true,
      nonce: 1700000000000,
    },
    signature: {
      r: "0x7d4bbb160f8209a72e4aa1cc1c7637a1a50f4658ae8b291844d1b7cde01279e8",
      s: "0x4c01dff48e38278a522e4e5d02c2c3817a5c913e60ea982cadf74750d29bf478",
      v: 28,
    },
  },
];
