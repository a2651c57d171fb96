/**
 * A simulator to trade against, for the tests of the assembled process (in-process `startHotpath` and the
 * real `hotpath/main.ts` process): a funded master account, an approved agent key, basis shocks that give
 * the strategy something to open, and a log of every order the exchange received (by cloid), kept by
 * wrapping the simulator's real gateway — so a test can prove nothing was sent, or nothing sent twice.
 *
 * The simulator runs on its timer clock (real time): a separate hot-path process uses the wall clock for
 * `expiresAfter`, staleness and probes, like against the exchange.
 */

import { randomBytes } from "node:crypto";

import { createSigner, signL1Action, type Signer } from "../../hotpath/exchange/signing/index.js";
import type { Cloid, WireDecimal } from "../../hotpath/exchange/wire/brands.js";
import { orderAction, toCloid } from "../../hotpath/exchange/wire/index.js";
import { ExchangeHttpClient } from "../../hotpath/exchange/http/httpClient.js";
import type { ExchangeResponse } from "../../hotpath/exchange/wire/exchange.js";
import type { BasisOptions } from "../sim/core/marketModel.js";
import { HYPE_PAIR } from "../sim/core/markets.js";
import { startSimulator, type FaultSpec, type Simulator } from "../sim/server/index.js";
import { realGateway } from "../sim/server/gateway-port.js";

export const START_USDC_SPOT = "5000";
export const START_USDC_PERP = "5000";
export const START_HYPE = "20";

/** Perp-rich shocks (+60 bps) about every 2 s, reverting with a 3 s half-life: opens, then closes. */
export const FREQUENT_PERP_RICH_SHOCKS: Partial<BasisOptions> = {
  meanBps: 0,
  halfLifeSec: 3,
  diffusionStdBps: 0.3,
  excursionsPerHour: 1_800,
  shockSizeBps: 60,
  shockUpProbability: 1,
};

/** Perp-rich shocks about every 10 s, reverting with a 1.5 s half-life: an open, then a close, repeatedly. */
export const SPACED_PERP_RICH_SHOCKS: Partial<BasisOptions> = {
  ...FREQUENT_PERP_RICH_SHOCKS,
  halfLifeSec: 1.5,
  excursionsPerHour: 360,
};

/** A basis that never moves far from 0: nothing to trade. */
export const QUIET_BASIS: Partial<BasisOptions> = {
  meanBps: 0,
  halfLifeSec: 3,
  diffusionStdBps: 0.1,
  excursionsPerHour: 0,
};

export interface TradingSimOptions {
  readonly seed: number;
  readonly basis?: Partial<BasisOptions>;
  /** Faults applied at start (`test/sim/server/fault-spec.ts`). */
  readonly faults?: readonly FaultSpec[];
  /** Called synchronously when an order action arrives, before the exchange executes it. */
  readonly onOrder?: (cloids: readonly Cloid[]) => void;
}

export interface TradingSim {
  readonly sim: Simulator;
  readonly master: Signer;
  readonly agent: Signer;
  /** The private keys, hex: what a spawned process is given in its environment. */
  readonly masterKey: string;
  readonly agentKey: string;
  readonly http: ExchangeHttpClient;
  /** Every cloid of every order action the exchange received, in arrival order. */
  readonly receivedCloids: Cloid[];
  /** Every `/exchange` request (HTTP or WS post), orders or not. */
  readonly exchangeRequests: () => number;
  /** The `HLB_*` variables that point a hot path at this simulator (sim mode). */
  readonly endpointsEnv: Readonly<Record<string, string>>;
  /** A resting GTC spot buy well below the market (≈ 40), placed with the agent key behind the hot path's back. */
  placeRestingOrder(): Promise<ExchangeResponse>;
  stop(): Promise<void>;
}

export async function startTradingSim(options: TradingSimOptions): Promise<TradingSim> {
  const masterKey = `0x${randomBytes(32).toString("hex")}`;
  const agentKey = `0x${randomBytes(32).toString("hex")}`;
  const master = createSigner(masterKey);
  const agent = createSigner(agentKey);
  const receivedCloids: Cloid[] = [];
  let requests = 0;
  const sim = await startSimulator({
    port: 0,
    seed: options.seed,
    idleTimeoutMs: 0,
    core: {
      coins: [{ pair: HYPE_PAIR, basis: options.basis ?? FREQUENT_PERP_RICH_SHOCKS }],
      takerFlow: false,
    },
    fund: [
      { address: master.address, USDC: START_USDC_SPOT, HYPE: START_HYPE },
      { address: master.address, USDC: START_USDC_PERP, toPerp: true },
    ],
    agents: [{ master: master.address, agent: agent.address }],
    faults: options.faults ?? [],
    gateway: (context) => {
      const bundle = realGateway(context);
      return {
        ...(bundle.admin === undefined ? {} : { admin: bundle.admin }),
        gateway: {
          info: (body) => bundle.gateway.info(body),
          exchange: (body) => {
            requests += 1;
            const cloids = cloidsOf(body);
            if (cloids.length > 0) {
              receivedCloids.push(...cloids);
              options.onOrder?.(cloids);
            }
            return bundle.gateway.exchange(body);
          },
        },
      };
    },
  });
  const http = new ExchangeHttpClient({ infoUrl: sim.info, exchangeUrl: sim.exchange, timeoutMs: 5_000 });
  let nonce = 0;
  return {
    sim,
    master,
    agent,
    masterKey,
    agentKey,
    http,
    receivedCloids,
    exchangeRequests: () => requests,
    endpointsEnv: { HLB_INFO_URL: sim.info, HLB_EXCHANGE_URL: sim.exchange, HLB_WS_URL: sim.ws },
    placeRestingOrder: () => {
      nonce = Math.max(Date.now(), nonce + 1);
      const action = orderAction({
        orders: [
          {
            asset: HYPE_PAIR.spot.asset,
            isBuy: true,
            price: "20" as WireDecimal,
            size: "1" as WireDecimal,
            reduceOnly: false,
            orderType: { limit: { tif: "Gtc" } },
            cloid: toCloid(`0x${randomBytes(16).toString("hex")}`),
          },
        ],
      });
      const signature = signL1Action({ signer: agent, action, nonce, network: "mainnet" });
      return http.exchange({ action, nonce, signature });
    },
    stop: async () => {
      http.close();
      await sim.stop();
    },
  };
}

function cloidsOf(body: unknown): Cloid[] {
  const action = (body as { action?: { type?: string; orders?: { c?: Cloid }[] } }).action;
  if (action?.type !== "order" || !Array.isArray(action.orders)) return [];
  return action.orders.flatMap((order) => (order.c === undefined ? [] : [order.c]));
}
