/**
 * The exchange's error strings, as the simulator returns them.
 *
 * Order errors carry the ` asset=<a>` suffix the live exchange appends (PROTOCOL §12; recorded for IOC,
 * ALO, min value, margin, reduce-only, spot balance). Strings marked UNVERIFIED have no recorded live
 * example; they follow the docs' wording or, failing that, are our own and documented as such.
 */
import { formatFx } from "./fixed.js";

const suffix = (asset: number): string => ` asset=${asset}`;

export const orderErrors = {
  iocNoMatch: (asset: number) =>
    `Order could not immediately match against any resting orders.${suffix(asset)}`,
  aloWouldCross: (asset: number, bid: bigint | undefined, ask: bigint | undefined) =>
    `Post only order would have immediately matched, bbo was ${bboPart(bid)}@${bboPart(ask)}.${suffix(asset)}`,
  perpMinValue: (asset: number) => `Order must have minimum value of $10.${suffix(asset)}`,
  spotMinValue: (asset: number, quoteToken: string) =>
    `Order must have minimum value of 10 ${quoteToken}.${suffix(asset)}`,
  insufficientMargin: (asset: number) => `Insufficient margin to place order.${suffix(asset)}`,
  reduceOnlyIncrease: (asset: number) => `Reduce only order would increase position.${suffix(asset)}`,
  insufficientSpotBalance: (asset: number) => `Insufficient spot balance${suffix(asset)}`,
  tick: (asset: number) => `Price must be divisible by tick size.${suffix(asset)}`,
  /**
   * No ` asset=` suffix: a third-party testnet capture (riftresearch hypercore-simulator notes) recorded
   * exactly `Order has invalid size.` for a size off the lot.
   */
  invalidSize: (_asset: number) => "Order has invalid size.",
  /** UNVERIFIED suffix; CCXT maps the prefix. */
  zeroSize: (asset: number) => `Order has zero size.${suffix(asset)}`,
  /** Our own wording: the simulator knows no such asset. */
  unknownAsset: (asset: number) => `Unknown asset.${suffix(asset)}`,
} as const;

export const cancelErrors = {
  missingOrder: (asset: number) => `Order was never placed, already canceled, or filled.${suffix(asset)}`,
} as const;

export const actionErrors = {
  /** UNVERIFIED for usdClassTransfer; CCXT maps this prefix for transfers. */
  insufficientTransferBalance: "Insufficient balance for token transfer",
  /** Our own wording. */
  invalidAmount: "Invalid amount.",
  /** Our own wording (the docs say ≥ 5 s ahead, PROTOCOL §5.5). */
  scheduleCancelTooEarly: "Scheduled cancel time must be at least 5 seconds in the future.",
  /** Our own wording (at most 10 triggers per UTC day, PROTOCOL §5.5). */
  scheduleCancelTooManyTriggers: "Too many scheduled cancel triggers today.",
  /** Recorded by CCXT (PROTOCOL §5.5). */
  scheduleCancelVolume: (required: bigint, traded: bigint) =>
    `Cannot set scheduled cancel time until enough volume traded. Required: $${formatFx(required)}. Traded: $${formatFx(traded)}.`,
  /** Our own wording. */
  invalidLeverage: "Invalid leverage value.",
  /** Our own wording. */
  insufficientMarginForLeverage: "Insufficient margin to update leverage.",
  /** Our own wording. */
  abstractionWithPositions: "Cannot change account abstraction with open positions or orders.",
} as const;

function bboPart(px: bigint | undefined): string {
  return px === undefined ? "0" : formatFx(px);
}
