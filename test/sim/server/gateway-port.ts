/**
 * How the transport reaches the exchange gateway (`../gateway/`: request decoding, signatures, nonces) and
 * its admin surface (funding, agents, order-level faults). By default the simulator builds the real
 * gateway over its core; tests may plug in any `SimGateway` (a stub has no admin, and then funding goes to
 * the core directly and order-level faults to the core's hooks).
 */
import type { ExchangeCore } from "../core/index.js";
import { createSimGateway, type GatewayReply, type SimAdmin, type SimGateway } from "../gateway/index.js";

export type { GatewayReply, SimAdmin, SimGateway };

export interface GatewayBundle {
  readonly gateway: SimGateway;
  readonly admin?: SimAdmin;
}

export interface GatewayContext {
  readonly core: ExchangeCore;
  readonly seed: number;
}

export type GatewayFactory = (context: GatewayContext) => GatewayBundle;

export const realGateway: GatewayFactory = ({ core }) => createSimGateway({ core });

export class GatewayAdminUnsupportedError extends Error {
  override readonly name = "GatewayAdminUnsupportedError";
  constructor(readonly operation: string) {
    super(`the simulator's gateway has no admin surface for ${operation}`);
  }
}

/** The exchange-side faults the fault script drives (markets by asset id). */
export interface ExchangeFaultPort {
  rejectNextOrders(count: number, error: string, asset?: number): void;
  forcePartialFills(asset: number, count: number, fraction: number): void;
  setCrossedBook(asset: number, crossed: boolean): void;
  setStaleBooks(stale: boolean): void;
  setClockSkew(ms: number): void;
  /** Every exchange-side fault off. */
  clear(): void;
}

/** The gateway admin's fault controls, or the core's own hooks for a gateway without an admin. */
export function exchangeFaultsOf(core: ExchangeCore, admin: SimAdmin | undefined): ExchangeFaultPort {
  if (admin !== undefined) return admin.faults;
  const hooks = core.faults;
  return {
    rejectNextOrders: (count, error, asset) => hooks.rejectNextOrders(count, error, asset),
    forcePartialFills: (asset, count, fraction) => hooks.forcePartialFills(asset, count, fraction),
    setCrossedBook: (asset, crossed) => hooks.setCrossedBook(asset, crossed),
    setStaleBooks: (stale) => hooks.setModelFrozen(stale),
    setClockSkew: (ms) => hooks.setClockSkew(ms),
    clear: () => hooks.clear(),
  };
}
