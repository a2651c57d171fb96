/**
 * Public surface of the simulator core (no I/O): the façade, its request/response and event types, and
 * the building blocks a server layer or a test may need directly.
 */
export {
  ExchangeCore,
  type CancelByCloidRequest,
  type CancelRequest,
  type ExchangeCoreOptions,
  type OrderRequest,
} from "./exchangeCore.js";
export type { CoreEvent, CoreListener } from "./events.js";
export { FaultInjector } from "./faults.js";
export { FX_DECIMALS, FX_ONE, FixedPointError, formatFx, parseFx } from "./fixed.js";
export {
  isValidPrice,
  isValidSize,
  lotSize,
  perpGrid,
  snapPrice,
  snapSizeDown,
  spotGrid,
  type GridSpec,
} from "./grid.js";
export {
  BASE_FEE_RATES,
  Ledger,
  MODEL_ADDRESS,
  type Abstraction,
  type FeeRates,
  type MarkSource,
} from "./ledger.js";
export {
  MarketModel,
  type BasisOptions,
  type CoinModelOptions,
  type CoinSnapshot,
  type LadderOptions,
  type MarketModelOptions,
} from "./marketModel.js";
export {
  FIXTURE_RAW_UNIVERSE,
  FIXTURE_UNIVERSE,
  UniverseDecodeError,
  decodeUniverse,
  type RawUniverse,
} from "./fixtureUniverse.js";
export {
  HYPE_PAIR,
  HYPE_TOKEN,
  MarketTable,
  USDC_TOKEN,
  coinPairOf,
  coinPairsFromUniverse,
  type CoinPair,
  type Market,
  type PerpMarket,
  type SpotMarket,
  type TokenSpec,
} from "./markets.js";
export { Rng } from "./rng.js";
export type { TakerFlowOptions } from "./takerFlow.js";
export type * from "./views.js";
