/**
 * fast-check generators of signable requests (L1 actions built with our builders, user-signed transfers)
 * for the oracle test against `@nktkas/hyperliquid`. Values stay inside what the exchange accepts:
 * canonical decimal strings, lowercase hex, non-negative safe integers.
 */

import fc from "fast-check";
import {
  approveAgentAction,
  cancelAction,
  cancelByCloidAction,
  noopAction,
  orderAction,
  scheduleCancelAction,
  updateLeverageAction,
  usdClassTransferAction,
  usdSendAction,
  withdrawAction,
  spotSendAction,
  type Grouping,
  type L1Action,
  type Network,
  type SignatureChainId,
  type OrderSpec,
  type OrderTypeSpec,
  type Tif,
  type UserSignedAction,
} from "../../../hotpath/exchange/wire/actions.js";
import {
  asWireDecimal,
  toAddress,
  toCloid,
  type Address,
  type WireDecimal,
} from "../../../hotpath/exchange/wire/brands.js";

const hexDigits = (length: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: length, maxLength: length });

export const addressArb: fc.Arbitrary<Address> = hexDigits(40).map((h) => toAddress(`0x${h}`));
export const cloidArb = hexDigits(32).map((h) => toCloid(`0x${h}`));

/** Canonical decimal: no leading zeros, no trailing fractional zeros, up to 8 decimals. */
export const decimalArb: fc.Arbitrary<WireDecimal> = fc
  .tuple(
    fc.oneof(fc.nat({ max: 100 }), fc.nat({ max: 200_000 }), fc.constant(0)),
    fc.string({ unit: fc.constantFrom(..."0123456789"), maxLength: 8 }),
  )
  .map(([int, frac]) => {
    const trimmed = frac.replace(/0+$/, "");
    return asWireDecimal(trimmed === "" ? String(int) : `${int}.${trimmed}`);
  });

/** HYPE perp / spot ids, other perps and spot pairs. */
export const assetArb = fc.oneof(
  fc.constantFrom(159, 10107, 0, 4),
  fc.nat({ max: 300 }),
  fc.integer({ min: 10000, max: 10400 }),
);

/** Millisecond timestamps like the exchange's, plus the rest of the safe-integer range. */
export const msArb = fc.oneof(
  fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }),
  fc.nat({ max: 0xffff_ffff }),
  fc.maxSafeNat(),
);

const tifArb = fc.constantFrom<Tif>("Gtc", "Ioc", "Alo");

const orderTypeArb: fc.Arbitrary<OrderTypeSpec> = fc.oneof(
  { weight: 4, arbitrary: tifArb.map((tif) => ({ limit: { tif } })) },
  {
    weight: 1,
    arbitrary: fc
      .record({
        isMarket: fc.boolean(),
        triggerPx: decimalArb,
        tpsl: fc.constantFrom<"tp" | "sl">("tp", "sl"),
      })
      .map((trigger) => ({ trigger })),
  },
);

const orderSpecArb: fc.Arbitrary<OrderSpec> = fc.record({
  asset: assetArb,
  isBuy: fc.boolean(),
  price: decimalArb,
  size: decimalArb,
  reduceOnly: fc.boolean(),
  orderType: orderTypeArb,
  cloid: fc.option(cloidArb, { nil: undefined }),
});

export const orderActionArb: fc.Arbitrary<L1Action> = fc
  .record({
    orders: fc.array(orderSpecArb, { minLength: 1, maxLength: 3 }),
    grouping: fc.constantFrom<Grouping>("na", "normalTpsl", "positionTpsl"),
    builder: fc.option(fc.record({ address: addressArb, feeTenthsBps: fc.nat({ max: 1000 }) }), {
      nil: undefined,
    }),
  })
  .map((params) => orderAction(params));

const oidArb = fc.oneof(fc.nat({ max: 2 ** 40 }), fc.maxSafeNat());

export const l1ActionArb: fc.Arbitrary<L1Action> = fc.oneof(
  { weight: 6, arbitrary: orderActionArb },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.record({ asset: assetArb, oid: oidArb }), { minLength: 1, maxLength: 3 })
      .map((cancels) => cancelAction(cancels)),
  },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.record({ asset: assetArb, cloid: cloidArb }), { minLength: 1, maxLength: 3 })
      .map((cancels) => cancelByCloidAction(cancels)),
  },
  { weight: 1, arbitrary: fc.option(msArb, { nil: undefined }).map((time) => scheduleCancelAction(time)) },
  {
    weight: 1,
    arbitrary: fc
      .record({ asset: assetArb, isCross: fc.boolean(), leverage: fc.integer({ min: 1, max: 50 }) })
      .map((params) => updateLeverageAction(params)),
  },
  { weight: 1, arbitrary: fc.constant(noopAction()) },
);

export const networkArb = fc.constantFrom<Network>("mainnet", "testnet");

/** `signatureChainId`: the Python SDK's, the docs', or any other chain. */
const signatureChainIdArb = fc.oneof(
  fc.constantFrom<SignatureChainId>("0x66eee", "0xa4b1", "0x1"),
  fc.integer({ min: 1, max: 2 ** 40 }).map((n): SignatureChainId => `0x${n.toString(16)}`),
);

const amountArb = fc.oneof(
  decimalArb.map(String),
  fc.tuple(decimalArb, addressArb).map(([amount, sub]) => `${amount} subaccount:${sub}`),
);

export const usdClassTransferArb: fc.Arbitrary<UserSignedAction> = fc
  .record({
    network: networkArb,
    signatureChainId: signatureChainIdArb,
    amount: amountArb,
    toPerp: fc.boolean(),
    nonce: msArb,
  })
  .map((params) => usdClassTransferAction(params));

export const userSignedActionArb: fc.Arbitrary<UserSignedAction> = fc.oneof(
  { weight: 4, arbitrary: usdClassTransferArb },
  {
    weight: 1,
    arbitrary: fc
      .record({
        network: networkArb,
        signatureChainId: signatureChainIdArb,
        agentAddress: addressArb,
        agentName: fc.option(fc.string({ maxLength: 16 }), { nil: undefined }),
        nonce: msArb,
      })
      .map((params) => approveAgentAction(params)),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        network: networkArb,
        signatureChainId: signatureChainIdArb,
        destination: addressArb,
        amount: decimalArb.map(String),
        time: msArb,
      })
      .map((params) => usdSendAction(params)),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        network: networkArb,
        signatureChainId: signatureChainIdArb,
        destination: addressArb,
        token: fc.constantFrom(
          "HYPE:0x0d01dc56dcaaca66ad901c959b4011ec",
          "USDC:0x6d1e7cde53ba9467b783cb7c530ce054",
        ),
        amount: decimalArb.map(String),
        time: msArb,
      })
      .map((params) => spotSendAction(params)),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        network: networkArb,
        signatureChainId: signatureChainIdArb,
        destination: addressArb,
        amount: decimalArb.map(String),
        time: msArb,
      })
      .map((params) => withdrawAction(params)),
  },
);

/** A valid secp256k1 private key as hex (any 32 bytes below the group order, non-zero). */
export const privateKeyArb = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .filter((bytes) => bytes.some((b) => b !== 0) && bytes[0] !== 0xff)
  .map((bytes): `0x${string}` => `0x${Buffer.from(bytes).toString("hex")}`);
