/**
 * Shared fixtures for the gateway's tests: keys, a simulator (quiet core + gateway), and a client that
 * builds and signs requests with the project's own builders and signing (`wire/actions.ts`, `signing/`),
 * as the bot will, so every test exercises real signature recovery.
 */
import {
  createSigner,
  signL1Action,
  signUserSignedAction,
  type L1ActionInput,
  type Signer,
} from "../../../hotpath/exchange/signing/index.js";
import {
  approveAgentAction,
  orderAction,
  usdClassTransferAction,
  type Network,
  type Tif,
  type UserSignedAction,
} from "../../../hotpath/exchange/wire/actions.js";
import { asWireDecimal, type Address, type Cloid } from "../../../hotpath/exchange/wire/brands.js";
import type { OrderPlacementStatus } from "../../../hotpath/exchange/wire/exchange.js";
import type { L2Book } from "../../../hotpath/exchange/wire/info.js";
import { ExchangeCore, type ExchangeCoreOptions } from "../core/index.js";
import { START } from "../core/testkit.js";
import type { GatewayReply, SimGateway } from "./contract.js";
import { createSimGateway, type SimGatewayHandle, type SimGatewayOptions } from "./index.js";

export { START };

export const MASTER = createSigner("0x0123456789012345678901234567890123456789012345678901234567890123");
export const AGENT = createSigner("0x822e9959e022b78423eb653a62ea0020cd283e71a2a8133a6ff2aeffaf373cff");
export const STRANGER = createSigner(`0x${"5a".repeat(32)}`);

export const PERP = 159;
export const SPOT = 10_107;

export interface Sim extends SimGatewayHandle {
  readonly core: ExchangeCore;
}

/** A core without the model's own market flow (books change only through the test), and its gateway. */
export function newSim(
  coreOptions: ExchangeCoreOptions = {},
  gatewayOptions: Omit<SimGatewayOptions, "core"> = {},
): Sim {
  const core = new ExchangeCore({ seed: 42, startTimeMs: START, takerFlow: false, ...coreOptions });
  return { core, ...createSimGateway({ core, ...gatewayOptions }) };
}

/** A simulator whose MASTER holds 1000 USDC on spot and 1000 USDC of perp collateral. */
export function fundedSim(gatewayOptions: Omit<SimGatewayOptions, "core"> = {}): Sim {
  const sim = newSim({}, gatewayOptions);
  sim.admin.fund(MASTER.address, { USDC: "1000" });
  sim.admin.fund(MASTER.address, { USDC: "1000" }, { toPerp: true });
  return sim;
}

export interface L1Options {
  readonly nonce?: number;
  readonly vaultAddress?: Address;
  readonly expiresAfter?: number;
  readonly network?: Network;
}

/** Signs and sends requests as one key; nonces count up from the exchange's time at creation. */
export class TestClient {
  private lastNonce: number;

  constructor(
    readonly gateway: SimGateway,
    readonly signer: Signer,
    startNonce: number,
  ) {
    this.lastNonce = startNonce;
  }

  get address(): Address {
    return this.signer.address;
  }

  nextNonce(): number {
    return ++this.lastNonce;
  }

  /** The `/exchange` body of an L1 action signed by this client. */
  l1Body(action: L1ActionInput, options: L1Options = {}): Record<string, unknown> {
    const nonce = options.nonce ?? this.nextNonce();
    const signature = signL1Action({
      signer: this.signer,
      action,
      nonce,
      network: options.network ?? "mainnet",
      vaultAddress: options.vaultAddress,
      expiresAfter: options.expiresAfter,
    });
    const body: Record<string, unknown> = {
      action,
      nonce,
      signature,
      vaultAddress: options.vaultAddress ?? null,
    };
    if (options.expiresAfter !== undefined) body["expiresAfter"] = options.expiresAfter;
    return body;
  }

  l1(action: L1ActionInput, options: L1Options = {}): GatewayReply {
    return this.gateway.exchange(this.l1Body(action, options));
  }

  userSignedBody(action: UserSignedAction): Record<string, unknown> {
    return {
      action,
      nonce: nonceOf(action),
      signature: signUserSignedAction({ signer: this.signer, action }),
    };
  }

  userSigned(action: UserSignedAction): GatewayReply {
    return this.gateway.exchange(this.userSignedBody(action));
  }

  /** One limit order; returns the whole reply. */
  order(spec: OrderArgs, options: L1Options = {}): GatewayReply {
    return this.l1(orderOf(spec), options);
  }

  /** One limit order; returns its status, asserting the action itself was accepted. */
  placeOne(spec: OrderArgs): OrderPlacementStatus {
    return orderStatuses(this.order(spec))[0] ?? fail("no status");
  }

  usdClassTransfer(amount: string, toPerp: boolean): GatewayReply {
    return this.userSigned(
      usdClassTransferAction({ network: "mainnet", amount, toPerp, nonce: this.nextNonce() }),
    );
  }

  approveAgent(agent: Address, agentName?: string): GatewayReply {
    return this.userSigned(
      approveAgentAction({ network: "mainnet", agentAddress: agent, agentName, nonce: this.nextNonce() }),
    );
  }
}

export function clientFor(sim: Sim, signer: Signer): TestClient {
  return new TestClient(sim.gateway, signer, sim.core.exchangeTime());
}

export interface OrderArgs {
  readonly asset: number;
  readonly isBuy: boolean;
  readonly px: string;
  readonly sz: string;
  readonly tif: Tif;
  readonly reduceOnly?: boolean;
  readonly cloid?: Cloid;
}

export function orderOf(spec: OrderArgs): L1ActionInput {
  return orderAction({
    orders: [
      {
        asset: spec.asset,
        isBuy: spec.isBuy,
        price: asWireDecimal(spec.px),
        size: asWireDecimal(spec.sz),
        reduceOnly: spec.reduceOnly ?? false,
        orderType: { limit: { tif: spec.tif } },
        cloid: spec.cloid,
      },
    ],
  });
}

function nonceOf(action: UserSignedAction): number {
  return "nonce" in action ? action.nonce : action.time;
}

function fail(message: string): never {
  throw new Error(message);
}

/** The body of a 200 reply, asserting the status. */
export function okBody(reply: GatewayReply): unknown {
  if (reply.status !== 200) throw new Error(`expected HTTP 200, got ${reply.status}: ${String(reply.body)}`);
  return reply.body;
}

/** `statuses` of an accepted `order` action. */
export function orderStatuses(reply: GatewayReply): OrderPlacementStatus[] {
  const body = okBody(reply) as {
    status: string;
    response: { type: string; data?: { statuses: OrderPlacementStatus[] } };
  };
  if (body.status !== "ok" || body.response.type !== "order" || body.response.data === undefined) {
    throw new Error(`expected an order response, got ${JSON.stringify(body)}`);
  }
  return body.response.data.statuses;
}

/** The refusal text of `{"status":"err","response":…}`. */
export function refusal(reply: GatewayReply): string {
  const body = okBody(reply) as { status: string; response: unknown };
  if (body.status !== "err") throw new Error(`expected a refusal, got ${JSON.stringify(body)}`);
  return String(body.response);
}

export function info(sim: Sim, body: Record<string, unknown>): unknown {
  return okBody(sim.gateway.info(body));
}

/** Best bid and ask of `coin` as wire strings, read through the info endpoint. */
export function touchOf(sim: Sim, coin: string): { bid: string; ask: string } {
  const book = info(sim, { type: "l2Book", coin }) as L2Book;
  const bid = book.levels[0][0]?.px;
  const ask = book.levels[1][0]?.px;
  if (bid === undefined || ask === undefined) throw new Error(`no two-sided book for ${coin}`);
  return { bid, ask };
}
