/**
 * The Hyperliquid wire layer: branded primitives, the typed messages of `/info`, `/exchange` and the
 * WebSocket, the typed actions, and the boundary decoders (the correctness reference for inbound data).
 */

export * from "./brands.js";
export * from "./info.js";
export * from "./exchange.js";
export * from "./ws.js";
export * from "./actions.js";

export { WireDecodeError, type DecodeResult } from "./decode-common.js";
export {
  decodeMeta,
  decodeMetaAndAssetCtxs,
  decodeSpotMeta,
  decodeSpotMetaAndAssetCtxs,
} from "./decode-info.js";
export { decodeExchangeResponse } from "./decode-exchange.js";
export {
  WsDecodeError,
  decodeWsMessage,
  postIdOfWsError,
  type WsDecodeErrorCode,
  type WsDecodeResult,
} from "./decode-ws.js";
