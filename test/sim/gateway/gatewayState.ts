/**
 * The state the gateway keeps beside the core: who may sign for whom (agents), which nonces each signer
 * has spent, gateway-level faults, per-user request counts, and the network it verifies signatures for.
 * Accounts themselves are the core's: an address is an account once the ledger knows it (funded).
 */
import type { Address } from "../../../hotpath/exchange/wire/brands.js";
import type { Network } from "../../../hotpath/exchange/wire/actions.js";
import { MODEL_ADDRESS, type ExchangeCore } from "../core/index.js";
import type { AgentRegistry } from "./agents.js";
import type { GatewayFaults } from "./gatewayFaults.js";
import type { NonceBook } from "./nonces.js";
import type { L1ActionHashing } from "./signerRecovery.js";
import type { UniverseView } from "./universeView.js";

export interface GatewayState {
  readonly core: ExchangeCore;
  readonly universe: UniverseView;
  readonly agents: AgentRegistry;
  readonly nonces: NonceBook;
  readonly faults: GatewayFaults;
  /** Actions counted against each user's address budget (`userRateLimit.nRequestsUsed`). */
  readonly requestsUsed: Map<Address, number>;
  readonly network: Network;
  readonly l1ActionHashing: L1ActionHashing;
}

/** Whether `address` is an account (the ledger knows it); the model's house account is not a user. */
export function isAccount(core: ExchangeCore, address: Address): boolean {
  return address !== MODEL_ADDRESS && core.ledger.hasAccount(address);
}
