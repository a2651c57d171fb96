/** Trading decisions: open, close, unwind or skip, with side-aware limit prices and risk limits. Pure. */

export { fundingAgainst, heldTooLong, sizeClose } from "./closeRules.js";
export { decide, type DecisionContext, type DecisionEdge, type MarketBooksView } from "./decide.js";
export {
  CLOSE_REASONS,
  DECISION_SKIP_REASONS,
  PERSISTED_SKIP_REASON,
  SKIP,
  UNWIND_REASONS,
  type CloseDecision,
  type CloseReason,
  type Decision,
  type DecisionSkipReason,
  type OpenDecision,
  type OrderLeg,
  type SkipDecision,
  type UnwindDecision,
  type UnwindReason,
} from "./decision.js";
export { LimitPriceError, StrategyConfigError } from "./errors.js";
export {
  BUDGET_MARGIN,
  budgetSlack,
  fillableLots,
  LimitScratch,
  limitNetBps,
  measureDepth,
  placeBuy,
  placeLimits,
  placeSell,
  roundPriceUnits,
  setConvergenceBudget,
  setForcedExit,
  setOpenBudget,
  type BudgetEdge,
} from "./limitPrices.js";
export {
  balanceBlock,
  fillPlan,
  minNotionalBlock,
  OrderPlan,
  orderLeg,
  positionNotionalBlock,
  type BalancesView,
  type OrderBlock,
} from "./orderPlan.js";
export { FLAT, hedgedQtyOf, MarketPosition, type PositionView } from "./position.js";
export * from "./risk/index.js";
export {
  legSide,
  richLeg,
  sellingLeg,
  takenSide,
  type LegAction,
  type LegMarket,
  type OrderSide,
} from "./sides.js";
export {
  compileStrategy,
  DEFAULT_STRATEGY_CONFIG,
  type MarketStrategy,
  type StrategyConfig,
} from "./strategyConfig.js";
