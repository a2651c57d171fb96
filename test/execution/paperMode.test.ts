/**
 * Mode `paper` end to end: the whole process (`startHotpath` with `HLB_MODE=paper`, no key, no account)
 * reads the simulator's public feed — the simulator standing in for mainnet's public data — and trades a
 * rich basis on the paper venue: the open and the convergence close go through the same executor, journal
 * and ledger as live, the position and the PnL are recorded, and the PnL equals an independent decimal.js
 * computation from the paper venue's own fills, and the paper account's balances moved by exactly that
 * much. Not one request reaches the simulator's `/exchange` (its gateway counts every one, HTTP or WS post).
 */

import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { afterEach, describe, expect, it } from "vitest";

import { startHotpath, type Hotpath } from "../../hotpath/app/hotpath.js";
import { loadConfig } from "../../hotpath/config/index.js";
import type { IntentId } from "../../hotpath/execution/intent.js";
import { loadUws } from "../../hotpath/host/uws.js";
import { createLogger, type LogLevelName } from "../../hotpath/observability/logger.js";
import { HYPE_PAIR } from "../sim/core/markets.js";
import { realGateway } from "../sim/server/gateway-port.js";
import { startSimulator, type Simulator } from "../sim/server/index.js";
import { PERP_RICH_SHOCKS } from "./executorHarness.js";
import { canonical, Decimal, oraclePnl } from "./executorPnlOracle.js";

const STARTING_USDC = "10000";
const STARTING_BASE = "20";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Steps the market block by block (letting the frames reach the process after each) until `done()`.
 * The executor keeps the wall clock, as against mainnet; the market only moves faster.
 */
async function drive(sim: Simulator, what: string, done: () => boolean, maxBlocks: number): Promise<void> {
  for (let block = 0; block < maxBlocks; block++) {
    if (done()) return;
    sim.market.step(1);
    await sleep(2);
  }
  if (!done()) throw new Error(`stepped ${maxBlocks} blocks waiting for ${what}`);
}

/**
 * The simulator on its manual clock (a block of 70 ms per step, books every block), counting every
 * `/exchange` request its gateway receives. Perp-rich shocks that revert: an open, then a close.
 */
async function publicMarket(): Promise<{ sim: Simulator; exchangeRequests: () => number }> {
  let exchangeRequests = 0;
  const sim = await startSimulator({
    port: 0,
    seed: 4,
    clock: "manual",
    idleTimeoutMs: 0,
    cadence: { blockMs: 70, fastBookMs: 70, bookMs: 5_000, assetCtxMs: 1_000 },
    core: { coins: [{ pair: HYPE_PAIR, basis: PERP_RICH_SHOCKS }], takerFlow: false },
    gateway: (context) => {
      const bundle = realGateway(context);
      return {
        ...(bundle.admin === undefined ? {} : { admin: bundle.admin }),
        gateway: {
          info: (body) => bundle.gateway.info(body),
          exchange: (body) => {
            exchangeRequests += 1;
            return bundle.gateway.exchange(body);
          },
        },
      };
    },
  });
  cleanups.push(() => sim.stop());
  return { sim, exchangeRequests: () => exchangeRequests };
}

async function paperProcess(sim: Simulator, dir: string): Promise<Hotpath> {
  const config = loadConfig({
    argv: [],
    env: {
      HLB_MODE: "paper",
      // Paper needs a real network's settings; the endpoints point at the simulator's public API.
      HLB_NETWORK: "testnet",
      HLB_INFO_URL: sim.info,
      HLB_EXCHANGE_URL: sim.exchange,
      HLB_WS_URL: sim.ws,
      HLB_HOST_PORT: "0",
      HLB_JOURNAL_DIR: join(dir, "journal"),
      HLB_NONCE_DIR: join(dir, "nonces"),
      HLB_SPOOL_DIR: join(dir, "spool"),
      HLB_PAPER_STARTING_USDC: STARTING_USDC,
      HLB_PAPER_STARTING_BASE: STARTING_BASE,
      HLB_RISK_COOL_DOWN_AFTER_TRADE_MS: "500",
    },
  });
  const level = (process.env["HLB_TEST_LOG"] ?? "silent") as LogLevelName;
  const hotpath = await startHotpath({
    config,
    logger: createLogger({ service: "paper-test", level }),
    uws: loadUws(),
  });
  cleanups.push(() => hotpath.stop());
  return hotpath;
}

describe("mode paper against the simulator's public feed", () => {
  it("paper-trades a rich basis open to close: position and PnL recorded, nothing sent to /exchange", async () => {
    const { sim, exchangeRequests } = await publicMarket();
    const dir = mkdtempSync(join(tmpdir(), "hlb-paper-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const hotpath = await paperProcess(sim, dir);
    expect(hotpath.trading).toBeUndefined();
    const paper = hotpath.paper!;
    expect(paper).toBeDefined();
    const executor = paper.executor;
    const market = executor.marketState("HYPE")!;

    await drive(
      sim,
      "a paper position",
      () => market.position.direction !== null && !market.risk.intentInFlight,
      5_000,
    );
    expect(market.position.direction).toBe("perpRich");
    expect(market.position.perpLots).toBeGreaterThan(0);
    const openId = market.positionId!;
    // A position's id is the id of the root intent that opened it.
    expect(paper.journal.state(openId as IntentId)?.status).toBe("hedged");
    // The paper account holds the position the executor's ledger says it holds.
    expect(paper.account.snapshot().positions["HYPE"]).toBe(executor.pnl().markets[0]!.perpQty);

    await drive(
      sim,
      "the position to close",
      () => market.positionId !== openId && !market.risk.intentInFlight,
      5_000,
    );
    const pnl = executor.pnl();
    const closed = pnl.positions.find((position) => position.positionId === openId)!;
    expect(closed.closedAtMs).not.toBeNull();
    expect(executor.stats.illegalEvents).toBe(0);

    // The ledger's PnL, against an independent computation from the venue's own fills (no funding in paper).
    const fills = paper.venue.allFills;
    expect(fills.length).toBeGreaterThanOrEqual(4);
    expect(pnl.total.fills).toBe(fills.length);
    const oracle = oraclePnl(fills, [], { perpCoin: "HYPE", spotCoin: hotpath.markets[0]!.spot.wsCoin });
    expect(pnl.total).toMatchObject({
      realizedPerpUsdc: oracle.realizedPerpUsdc,
      realizedSpotUsdc: oracle.realizedSpotUsdc,
      fees: oracle.fees,
      netUsdc: oracle.netUsdc,
    });
    // And the paper account moved by exactly that much: every USDC, and the base token.
    const holdings = pnl.markets[0]!;
    const account = paper.account.snapshot();
    const usdc = new Decimal(account.spot["USDC"]!).plus(account.perpCollateral);
    expect(canonical(usdc.minus(STARTING_USDC))).toBe(
      canonical(new Decimal(pnl.total.netUsdc).minus(holdings.spotOpenCostUsdc)),
    );
    expect(canonical(new Decimal(account.spot["HYPE"]!).minus(STARTING_BASE))).toBe(holdings.spotNetQty);

    // Not one order, cancel or anything else reached the exchange; the simulator knows no fill of ours.
    expect(exchangeRequests()).toBe(0);
    expect(sim.core.userFills(paper.address)).toEqual([]);
    expect(paper.venue.stats.refusedActions).toBe(0);
    expect(paper.venue.stats.badFrames).toBe(0);

    // The run's journal and nonce files are gone after a clean stop; the configured directories are untouched.
    await hotpath.stop();
    expect(readdirSync(join(dir, "journal", "paper"))).toEqual([]);
  }, 150_000);
});
