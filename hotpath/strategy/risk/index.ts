/** Risk limits and their pure checks: what may be sent, and why not. */

export { dailyLossReached, MS_PER_DAY, utcDayOf } from "./dailyLoss.js";
export { ORDER_RATE_WINDOW_MS, OrderRateWindow, type OrderRateView } from "./orderRateWindow.js";
export {
  clipBlock,
  liquidationVerdict,
  newRiskHalt,
  ORDERS_PER_INTENT,
  RISK_BLOCKS,
  throttle,
  type LiquidationVerdict,
  type RiskBlock,
} from "./riskChecks.js";
export {
  DEFAULT_RISK_LIMITS,
  marketRiskLimits,
  unitsDown,
  type MarketRiskLimits,
  type RiskLimits,
} from "./riskLimits.js";
export {
  AccountRiskState,
  MarketRiskState,
  type AccountRiskView,
  type Clock,
  type MarketRiskView,
} from "./riskState.js";
