/**
 * The rebalancer's test bench: the simulator over its real HTTP wire (manual clock, so prices and account
 * values hold still), a tap on its gateway that records every `/exchange` body it receives (the real
 * gateway still answers), migrated Postgres, captured log lines, and helpers to read the account back.
 */

import { randomBytes } from "node:crypto";

import type pg from "pg";

import { ExchangeHttpClient } from "../../hotpath/exchange/http/httpClient.js";
import { createSigner, signL1Action, type Signer } from "../../hotpath/exchange/signing/index.js";
import { orderAction } from "../../hotpath/exchange/wire/actions.js";
import { asWireDecimal } from "../../hotpath/exchange/wire/brands.js";
import { createLogger, type Logger } from "../../hotpath/observability/logger.js";
import { decodePerpAccount, decodeSpotBalances } from "../../lambdas/rebalancer/accountDecoders.js";
import type { RebalancePolicy } from "../../lambdas/rebalancer/plan.js";
import type { RebalancerDeps } from "../../lambdas/rebalancer/rebalancerTick.js";
import { createSimGateway } from "../sim/gateway/index.js";
import { startSimulator, type Simulator } from "../sim/server/index.js";

export type LogLine = Record<string, unknown>;

/** A round policy the expected amounts in the tests are worked out from. */
export const TEST_POLICY: RebalancePolicy = {
  marginRatio: asWireDecimal("0.5"),
  clipNotionalUsdc: asWireDecimal("100"),
  clipsAhead: 2,
  bandUsdc: asWireDecimal("50"),
  minTransferUsdc: asWireDecimal("10"),
};

export interface Bench {
  readonly sim: Simulator;
  readonly http: ExchangeHttpClient;
  readonly master: Signer;
  /** Every `/exchange` body the simulator received, in order. */
  readonly exchangeBodies: { action: { type: string } }[];
  /** Every `/info` body, in order. */
  readonly infoBodies: { type: string }[];
  readonly lines: LogLine[];
  readonly logger: Logger;
  deps(overrides?: Partial<RebalancerDeps>): RebalancerDeps;
  perp(): Promise<{ accountValue: string; withdrawable: string; positionValue: string }>;
  spot(coin: string): Promise<{ total: string; hold: string }>;
  /** Opens a perp short of `size` with an IOC sell signed by the master (an L1 order, not a transfer). */
  openShort(size: string): Promise<void>;
  tickLines(): LogLine[];
  stop(): Promise<void>;
}

export async function startBench(
  /** Null when the test drives a module that opens its own pool (PGlite serves one session only). */
  db: pg.Pool | null,
  fund: { spotUsdc: string; perpUsdc: string; hype?: string },
): Promise<Bench> {
  const master = createSigner(`0x${randomBytes(32).toString("hex")}`);
  const exchangeBodies: { action: { type: string } }[] = [];
  const infoBodies: { type: string }[] = [];
  const sim = await startSimulator({
    seed: 7,
    clock: "manual",
    gateway: ({ core }) => {
      const real = createSimGateway({ core });
      return {
        admin: real.admin,
        gateway: {
          info: (body) => {
            infoBodies.push(body as { type: string });
            return real.gateway.info(body);
          },
          exchange: (body) => {
            exchangeBodies.push(body as { action: { type: string } });
            return real.gateway.exchange(body);
          },
        },
      };
    },
  });
  const funding = [
    { address: master.address, USDC: fund.spotUsdc, ...(fund.hype === undefined ? {} : { HYPE: fund.hype }) },
    { address: master.address, USDC: fund.perpUsdc, toPerp: true },
  ];
  sim.fund(funding);
  const http = new ExchangeHttpClient({ infoUrl: sim.info, exchangeUrl: sim.exchange });
  const lines: LogLine[] = [];
  const logger = createLogger({
    service: "rebalancer",
    level: "info",
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  });

  return {
    sim,
    http,
    master,
    exchangeBodies,
    infoBodies,
    lines,
    logger,
    deps: (overrides = {}) => ({
      db: db ?? failNoPool(),
      exchange: http,
      masterKey: master,
      masterKeySource: "test key",
      network: "mainnet",
      policy: TEST_POLICY,
      logger,
      ...overrides,
    }),
    async perp() {
      const decoded = decodePerpAccount(
        await http.info({ type: "clearinghouseState", user: master.address }),
      );
      if (!decoded.ok) throw decoded.error;
      const positionValue = decoded.value.positions[0]?.positionValue ?? "0";
      return {
        accountValue: decoded.value.accountValue,
        withdrawable: decoded.value.withdrawable,
        positionValue,
      };
    },
    async spot(coin) {
      const decoded = decodeSpotBalances(
        await http.info({ type: "spotClearinghouseState", user: master.address }),
      );
      if (!decoded.ok) throw decoded.error;
      const balance = decoded.value.find((entry) => entry.coin === coin);
      return { total: balance?.total ?? "0", hold: balance?.hold ?? "0" };
    },
    async openShort(size) {
      const book = await http.info({ type: "l2Book", coin: "HYPE" });
      const bid = book?.levels[0][0]?.px;
      if (bid === undefined) throw new Error("no bid on HYPE");
      // An integer price 5 % under the bid always fits the tick grid and crosses the book.
      const price = asWireDecimal(String(Math.floor(Number(bid) * 0.95)));
      const nonce = Date.now();
      const action = orderAction({
        orders: [
          {
            asset: 159,
            isBuy: false,
            price,
            size: asWireDecimal(size),
            reduceOnly: false,
            orderType: { limit: { tif: "Ioc" } },
          },
        ],
      });
      const signature = signL1Action({ signer: master, action, nonce, network: "mainnet" });
      const reply = await http.exchange({ action, nonce, signature, vaultAddress: null });
      if (reply.status !== "ok" || JSON.stringify(reply).includes('"error"')) {
        throw new Error(`opening the short failed: ${JSON.stringify(reply)}`);
      }
    },
    tickLines: () => lines.filter((line) => line["message"] === "rebalancer tick"),
    async stop() {
      http.close();
      await sim.stop();
    },
  };
}

function failNoPool(): never {
  throw new Error("this bench was started without a Postgres pool");
}
