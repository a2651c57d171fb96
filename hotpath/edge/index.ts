/** Edges: executable basis per direction and clip, net of fees, funding and the exit round trip. */

export { BookWalk, UNCAPPED, walkSide, walkWithTail } from "./bookWalk.js";
export { computeEdge, type BookView } from "./computeEdge.js";
export { EDGE_DIRECTIONS, fundingSign, type EdgeDirection } from "./direction.js";
export { EdgeCalculator } from "./edgeCalculator.js";
export { clipQtyOf, edgeParamsFromConfig, type EdgeMarketInputs, type EdgeParams } from "./edgeParams.js";
export {
  EdgeIdSequence,
  recordEdge,
  type BookStamp,
  type EdgeInputsRecord,
  type EdgeLegRecord,
  type EdgeRecord,
} from "./edgeRecord.js";
export { EdgeScratch, type ClipLimit, type EdgeStatus } from "./edgeScratch.js";
export { EdgeInputError, type EdgeInputErrorKind } from "./errors.js";
export { floorDiv } from "./exactDivision.js";
export {
  FEE_RATE_DECIMALS,
  FEE_RATE_SCALE,
  feeRatesFromBps,
  feeRatesFromUserFees,
  type FeeBps,
  type FeeRates,
} from "./feeRates.js";
export { DUST_EXTRA_DECIMALS, sizePerpHedge, type HedgeSize } from "./hedgeSizing.js";
export {
  MICRO_USDC_DECIMALS,
  NO_RISK_CAP,
  riskCapFromDecimals,
  type EdgeRiskCap,
  type RiskCapDecimals,
} from "./riskCap.js";
