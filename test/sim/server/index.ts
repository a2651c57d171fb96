/**
 * The simulator server's public surface: `startSimulator` and what its options and result are made of.
 * Tests in this repository and the offline demo import from here; the CLI is `../cli.ts`.
 */
export { AccountSpecError, type AgentSpec, type FundSpec } from "./accounts.js";
export { FaultController, type ActiveFaults } from "./fault-controller.js";
export { FaultSpecError, parseFaultScript, type FaultSpec } from "./fault-spec.js";
export type { GatewayBundle, GatewayContext, GatewayFactory } from "./gateway-port.js";
export type { ClockMode, MarketDriver } from "./market-driver.js";
export {
  DEFAULT_CADENCE,
  DEFAULT_IDLE_TIMEOUT_MS,
  SimulatorOptionsError,
  type SimCadence,
  type SimRate,
  type SimulatorOptions,
} from "./options.js";
export { ReplayFormatError, parseCapture } from "./replay-feed.js";
export { SimulatorStartError, startSimulator, type Simulator, type SimulatorStatus } from "./simulator.js";
export type { StressOptions } from "./stress-feed.js";
