/**
 * Every signing vector of PROTOCOL.md §6.6 byte for byte, for each secp256k1 backend that loads here, plus
 * the msgpack byte layout of §6.2 and the same vectors rebuilt with our action builders.
 */

import { describe, expect, it } from "vitest";
import { asWireDecimal, toAddress, toCloid, type Address } from "../../hotpath/exchange/wire/brands.js";
import {
  cancelByCloidAction,
  orderAction,
  scheduleCancelAction,
  usdClassTransferAction,
  usdSendAction,
  type UserSignedAction,
} from "../../hotpath/exchange/wire/actions.js";
import { bytesToHex } from "../../hotpath/exchange/signing/hex.js";
import { l1ActionHash, recoverL1ActionSigner, signL1Action } from "../../hotpath/exchange/signing/l1.js";
import { encodeMsgpack } from "../../hotpath/exchange/signing/msgpack.js";
import {
  availableSecp256k1Backends,
  createSigner,
  defaultSecp256k1Backend,
  secp256k1NativeLoadError,
} from "../../hotpath/exchange/signing/secp256k1.js";
import {
  recoverUserSignedActionSigner,
  signUserSignedAction,
  userSignedTypeString,
  USER_SIGNED_TYPES,
} from "../../hotpath/exchange/signing/userSigned.js";
import { keccakBackend, keccakNativeLoadError } from "../../hotpath/exchange/signing/keccak.js";
import {
  L1_VECTORS,
  NK_ORDER,
  padSignature,
  PY_ADDRESS,
  PY_KEY,
  USER_SIGNED_VECTORS,
  type L1Vector,
} from "./signing/vectors.js";

const hex = (bytes: Uint8Array): string => bytesToHex(bytes);

describe("backends available on this machine", () => {
  it("reports which backends are in use", () => {
    // Not an assertion on the platform: the native ones are optional. Printed so a CI log shows it.
    console.info(
      `secp256k1: default ${defaultSecp256k1Backend}, available ${availableSecp256k1Backends().join(", ")}` +
        (secp256k1NativeLoadError === undefined ? "" : ` (native: ${secp256k1NativeLoadError})`) +
        `; keccak: ${keccakBackend}` +
        (keccakNativeLoadError === undefined ? "" : ` (native: ${keccakNativeLoadError})`),
    );
    expect(availableSecp256k1Backends()).toContain("noble");
  });
});

describe("msgpack byte layout (§6.2)", () => {
  it("encodes the NK order vector exactly as the worked layout", () => {
    const expected =
      "83a474797065a56f72646572a66f72646572739186a16100a162c3a170a53330303030" +
      "a173a3302e31a172c2a17481a56c696d697481a3746966a3477463" +
      "a867726f7570696e67a26e61";
    expect(Buffer.from(encodeMsgpack(NK_ORDER)).toString("hex")).toBe(expected);
  });

  it("uses the documented integer and string forms", () => {
    expect(Buffer.from(encodeMsgpack(10107)).toString("hex")).toBe("cd277b");
    expect(Buffer.from(encodeMsgpack(100000000000)).toString("hex")).toBe("cf000000174876e800");
    expect(
      Buffer.from(encodeMsgpack("0x000000000000000000000000000000aa")).subarray(0, 2).toString("hex"),
    ).toBe("d922");
    expect(Buffer.from(encodeMsgpack({ a: 1, c: undefined })).toString("hex")).toBe("81a16101");
  });

  it("refuses floats", () => {
    expect(() => encodeMsgpack(1.5)).toThrow(/non-integer number/);
  });
});

const vaultOf = (vector: L1Vector): Address | undefined =>
  vector.vaultAddress === undefined ? undefined : toAddress(vector.vaultAddress);

describe.each(L1_VECTORS.filter((v) => v.connectionId !== undefined))("L1 connectionId: $name", (vector) => {
  it("matches", () => {
    expect(hex(l1ActionHash(vector.action, vector.nonce, vaultOf(vector), vector.expiresAfter))).toBe(
      vector.connectionId,
    );
  });
});

describe.each(availableSecp256k1Backends())("vectors with the %s backend", (backend) => {
  describe.each(L1_VECTORS.filter((v) => v.signature !== undefined))("L1: $name", (vector) => {
    it("signature, and recovery of the signer", () => {
      const signer = createSigner(vector.key, { backend });
      const params = {
        action: vector.action,
        nonce: vector.nonce,
        network: vector.network,
        vaultAddress: vaultOf(vector),
        expiresAfter: vector.expiresAfter,
      };
      const signature = signL1Action({ ...params, signer });
      expect(signature).toEqual(padSignature(vector.signature!));
      expect(recoverL1ActionSigner({ ...params, signature, backend })).toBe(signer.address);
      // Python's unpadded form recovers the same signer.
      expect(recoverL1ActionSigner({ ...params, signature: vector.signature!, backend })).toBe(
        signer.address,
      );
    });
  });

  describe.each(USER_SIGNED_VECTORS)("user-signed: $name", (vector) => {
    it("signature, and recovery of the signer", () => {
      const signer = createSigner(vector.key, { backend });
      const action = vector.action as unknown as UserSignedAction;
      const signature = signUserSignedAction({ signer, action });
      expect(signature).toEqual(padSignature(vector.signature));
      expect(recoverUserSignedActionSigner({ action, signature, backend })).toBe(signer.address);
    });
  });

  it("derives the documented address of the Python test key", () => {
    expect(createSigner(PY_KEY, { backend }).address).toBe(PY_ADDRESS);
  });
});

describe("builders reproduce the vectors' bytes", () => {
  const byName = (name: string) => {
    const vector = L1_VECTORS.find((v) => v.name === name);
    if (vector === undefined) throw new Error(`no vector ${name}`);
    return vector;
  };
  const cloid = toCloid("0x000000000000000000000000000000aa");

  it("HYPE spot IOC buy", () => {
    const vector = byName("HYPE spot IOC buy with cloid");
    const action = orderAction({
      orders: [
        {
          asset: 10107,
          isBuy: true,
          price: asWireDecimal("40.123"),
          size: asWireDecimal("0.5"),
          reduceOnly: false,
          orderType: { limit: { tif: "Ioc" } },
          cloid,
        },
      ],
    });
    expect(encodeMsgpack(action)).toEqual(encodeMsgpack(vector.action));
    expect(hex(l1ActionHash(action, vector.nonce))).toBe(vector.connectionId);
  });

  it("HYPE perp ALO sell (no cloid: the key is omitted, not undefined)", () => {
    const vector = byName("HYPE perp ALO sell");
    const action = orderAction({
      orders: [
        {
          asset: 159,
          isBuy: false,
          price: asWireDecimal("40.12"),
          size: asWireDecimal("0.5"),
          reduceOnly: false,
          orderType: { limit: { tif: "Alo" } },
          cloid: undefined,
        },
      ],
      grouping: "na",
    });
    expect(Object.keys(action.orders[0]!)).toEqual(["a", "b", "p", "s", "r", "t"]);
    expect(hex(l1ActionHash(action, vector.nonce))).toBe(vector.connectionId);
  });

  it("cancelByCloid and scheduleCancel", () => {
    expect(hex(l1ActionHash(cancelByCloidAction([{ asset: 10107, cloid }]), 1700000000000))).toBe(
      byName("HYPE cancelByCloid").connectionId,
    );
    expect(hex(l1ActionHash(scheduleCancelAction(1700000060000), 1700000000000))).toBe(
      byName("HYPE scheduleCancel").connectionId,
    );
    const signer = createSigner(PY_KEY);
    expect(signL1Action({ signer, action: scheduleCancelAction(), nonce: 0, network: "mainnet" })).toEqual(
      padSignature(byName("PY scheduleCancel without time").signature!),
    );
  });

  it("user-signed: usdClassTransfer and usdSend", () => {
    const signer = createSigner(PY_KEY);
    const transfer = usdClassTransferAction({
      network: "mainnet",
      amount: "100",
      toPerp: true,
      nonce: 1700000000000,
    });
    expect(transfer).toEqual(USER_SIGNED_VECTORS[2]!.action);
    expect(signUserSignedAction({ signer, action: transfer })).toEqual(
      padSignature(USER_SIGNED_VECTORS[2]!.signature),
    );
    const send = usdSendAction({
      network: "testnet",
      destination: toAddress("0x5e9ee1089755c3435139848e47e6635505d5a13a"),
      amount: "1",
      time: 1687816341423,
    });
    expect(signUserSignedAction({ signer, action: send })).toEqual(
      padSignature(USER_SIGNED_VECTORS[0]!.signature),
    );
  });

  it("spells the EIP-712 type strings of §6.3", () => {
    expect(userSignedTypeString(USER_SIGNED_TYPES.usdClassTransfer)).toBe(
      "HyperliquidTransaction:UsdClassTransfer(string hyperliquidChain,string amount,bool toPerp,uint64 nonce)",
    );
    expect(userSignedTypeString(USER_SIGNED_TYPES.approveAgent)).toBe(
      "HyperliquidTransaction:ApproveAgent(string hyperliquidChain,address agentAddress,string agentName,uint64 nonce)",
    );
    expect(userSignedTypeString(USER_SIGNED_TYPES.withdraw3)).toBe(
      "HyperliquidTransaction:Withdraw(string hyperliquidChain,string destination,string amount,uint64 time)",
    );
  });
});
