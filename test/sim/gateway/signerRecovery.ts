/**
 * Who signed an `/exchange` request: the address recovered from its signature over the digest the client
 * must have signed (PROTOCOL §6). There is no "invalid signature" on this exchange — a signature over other
 * bytes recovers some other address, which then fails the account lookup; only a signature from which no
 * key can be recovered at all is refused as such.
 *
 * L1 actions are hashed in one of two ways:
 * - `"asSent"`: the action object exactly as the client sent it (JSON.parse keeps key order), so a client
 *   is accepted iff it sent the bytes it signed;
 * - `"canonical"` (default, the stricter and reportedly the exchange's behaviour): the decoded action rebuilt by the project's builders (`wire/actions.ts`: canonical key
 *   order, unknown order fields dropped, decimals without trailing zeros, lower-case cloids). A third-party
 *   testnet capture (riftresearch hypercore-simulator notes) reports that the exchange does this, so that a
 *   client which signed a non-canonical form is refused even though it sent what it signed.
 * User-signed actions are EIP-712 structs over named fields, so key order never matters for them.
 */
import { formatDecimal, parseDecimal } from "../../../hotpath/exchange/decimal/decimal.js";
import {
  L1HashInputError,
  MsgpackEncodeError,
  recoverL1ActionSigner,
  recoverUserSignedActionSigner,
  SignatureRecoveryError,
  UserSignedActionError,
  type L1ActionInput,
} from "../../../hotpath/exchange/signing/index.js";
import type { Address, WireDecimal } from "../../../hotpath/exchange/wire/brands.js";
import {
  cancelAction,
  cancelByCloidAction,
  noopAction,
  orderAction,
  scheduleCancelAction,
  updateLeverageAction,
  type Network,
  type OrderSpec,
  type OrderTypeSpec,
  type Tif,
} from "../../../hotpath/exchange/wire/actions.js";
import type {
  ExchangeRequestDecoded,
  ExecutableActionDecoded,
  L1ActionDecoded,
  OrderDecoded,
} from "./actionRequests.js";

export type L1ActionHashing = "asSent" | "canonical";

/** The signer's address, or `undefined` when no key can be recovered from the signature. */
export function recoverRequestSigner(
  request: ExchangeRequestDecoded<ExecutableActionDecoded>,
  network: Network,
  hashing: L1ActionHashing,
): Address | undefined {
  try {
    switch (request.action.family) {
      case "l1":
        return recoverL1ActionSigner({
          action: hashing === "asSent" ? request.action.sent : canonicalL1Action(request.action.action),
          nonce: request.nonce,
          network,
          vaultAddress: request.vaultAddress,
          expiresAfter: request.expiresAfter,
          signature: request.signature,
        });
      case "userSigned":
        return recoverUserSignedActionSigner({ action: request.action.action, signature: request.signature });
    }
  } catch (error) {
    // Bytes that cannot be hashed (an extension field holding a float) or a signature that is not a curve
    // point: either way no signer.
    if (
      error instanceof SignatureRecoveryError ||
      error instanceof MsgpackEncodeError ||
      error instanceof L1HashInputError ||
      error instanceof UserSignedActionError
    ) {
      return undefined;
    }
    throw error;
  }
}

function canonicalDecimal(text: WireDecimal): WireDecimal {
  return formatDecimal(parseDecimal(text));
}

function canonicalOrder(order: OrderDecoded): OrderSpec {
  const type = order.orderType;
  const orderType: OrderTypeSpec =
    type.kind === "limit"
      ? // `FrontendMarket` is a tif the builders' type does not list; it is hashed as the string it is.
        { limit: { tif: type.tif as Tif } }
      : {
          trigger: { isMarket: type.isMarket, triggerPx: canonicalDecimal(type.triggerPx), tpsl: type.tpsl },
        };
  return {
    asset: order.asset,
    isBuy: order.isBuy,
    price: canonicalDecimal(order.price),
    size: canonicalDecimal(order.size),
    reduceOnly: order.reduceOnly,
    orderType,
    cloid: order.cloid,
  };
}

/** The decoded action in canonical form. Callers refuse empty batches and priority-fee groupings first. */
export function canonicalL1Action(action: L1ActionDecoded): L1ActionInput {
  switch (action.type) {
    case "order":
      if (action.grouping === "priorityFee")
        throw new RangeError("priority-fee grouping has no canonical form here");
      return orderAction({
        orders: action.orders.map(canonicalOrder),
        grouping: action.grouping,
        builder: action.builder,
      });
    case "cancel":
      return cancelAction(action.cancels);
    case "cancelByCloid":
      return cancelByCloidAction(action.cancels);
    case "scheduleCancel":
      return scheduleCancelAction(action.time);
    case "updateLeverage":
      return updateLeverageAction(action);
    case "noop":
      return noopAction();
  }
}
