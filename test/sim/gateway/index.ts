/**
 * The simulator's exchange gateway: `createSimGateway` wires an `ExchangeCore` to the `SimGateway` contract
 * the transport calls for `POST /info`, `POST /exchange` and WS `post` (see `contract.ts`), and returns the
 * admin surface tests and the CLI use to fund accounts, register agents and inject faults.
 *
 * The universe served (`meta`/`spotMeta`) must be the one the core's markets were resolved from; it
 * defaults to the synthetic fixture, which is also where the core's default HYPE market comes from.
 */
import type { Network } from "../../../hotpath/exchange/wire/actions.js";
import { FIXTURE_RAW_UNIVERSE, type ExchangeCore, type RawUniverse } from "../core/index.js";
import { createAdmin, type SimAdmin } from "./admin.js";
import { AgentRegistry } from "./agents.js";
import type { SimGateway } from "./contract.js";
import { handleExchangeRequest } from "./exchangeEndpoint.js";
import { GatewayFaults } from "./gatewayFaults.js";
import type { GatewayState } from "./gatewayState.js";
import { handleInfoRequest } from "./infoEndpoint.js";
import { NonceBook } from "./nonces.js";
import type { L1ActionHashing } from "./signerRecovery.js";
import { UniverseView } from "./universeView.js";

export type { GatewayReply, SimGateway } from "./contract.js";
export type { AccountMode, FeeRateOverrides, MarketRef, SimAdmin, SimFaultControls } from "./admin.js";
export type { ThrottleScope } from "./gatewayFaults.js";
export type { L1ActionHashing } from "./signerRecovery.js";
export { DESERIALIZE_FAILURE } from "./replies.js";
export { actionRefusals } from "./errors.js";
export { UniverseMismatchError } from "./universeView.js";

/** L1 signature source: `"a"` = mainnet, `"b"` = testnet (PROTOCOL §6.1). */
export type SignatureSource = "a" | "b";

export interface SimGatewayOptions {
  readonly core: ExchangeCore;
  /**
   * The network whose signatures are accepted: L1 source `"a"` and `hyperliquidChain: "Mainnet"` (default),
   * or `"b"` and `"Testnet"`.
   */
  readonly signatureSource?: SignatureSource;
  /** `meta` and `spotMeta` to serve; default the synthetic fixture the core's default market comes from. */
  readonly universe?: RawUniverse;
  /** How L1 actions are hashed for recovery; see `signerRecovery.ts`. Default `"canonical"`, as the exchange. */
  readonly l1ActionHashing?: L1ActionHashing;
}

export interface SimGatewayHandle {
  readonly gateway: SimGateway;
  readonly admin: SimAdmin;
}

/** Throws `UniverseMismatchError` when the core's markets are not the universe's. */
export function createSimGateway(options: SimGatewayOptions): SimGatewayHandle {
  const network: Network = (options.signatureSource ?? "a") === "a" ? "mainnet" : "testnet";
  const state: GatewayState = {
    core: options.core,
    universe: new UniverseView(options.universe ?? FIXTURE_RAW_UNIVERSE, options.core),
    agents: new AgentRegistry(),
    nonces: new NonceBook(),
    faults: new GatewayFaults(),
    requestsUsed: new Map(),
    network,
    l1ActionHashing: options.l1ActionHashing ?? "canonical",
  };
  const gateway: SimGateway = {
    info: (body) => handleInfoRequest(state, body),
    exchange: (body) => handleExchangeRequest(state, body),
  };
  return { gateway, admin: createAdmin(state) };
}
