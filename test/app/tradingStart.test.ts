/**
 * `startHotpath` with trading, in-process against the simulator: what must hold before the first order can
 * be sent — the signing key is an agent of the configured account (a master key is refused, naming its
 * address), start-up reconciliation passes (a difference it cannot explain refuses the start), and while
 * trading the periodic reconciliation halts new risk on a difference, saying why. Every refusal is checked
 * against the simulator's own log of `/exchange` requests: nothing was sent.
 */

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

import { afterEach, describe, expect, it } from "vitest";

import { SigningKeyRefusedError } from "../../hotpath/app/agentKeyCheck.js";
import { exitStatusOf } from "../../hotpath/app/exitStatus.js";
import { startHotpath, type Hotpath } from "../../hotpath/app/hotpath.js";
import { loadConfig, type Config } from "../../hotpath/config/index.js";
import { createSigner, type Signer } from "../../hotpath/exchange/signing/index.js";
import { ReconciliationError } from "../../hotpath/execution/reconcile/errors.js";
import { loadUws } from "../../hotpath/host/uws.js";
import { createLogger } from "../../hotpath/observability/logger.js";
import { QUIET_BASIS, SPACED_PERP_RICH_SHOCKS, startTradingSim, type TradingSim } from "./tradingSim.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function quietSim(): Promise<TradingSim> {
  const trading = await startTradingSim({ seed: 21, basis: QUIET_BASIS });
  cleanups.push(() => trading.stop());
  return trading;
}

function configFor(trading: TradingSim, dir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    argv: [],
    env: {
      ...env,
      ...trading.endpointsEnv,
      HLB_ACCOUNT_ADDRESS: trading.master.address,
      HLB_HOST_PORT: "0",
      HLB_JOURNAL_DIR: join(dir, "journal"),
      HLB_NONCE_DIR: join(dir, "nonces"),
      HLB_SPOOL_DIR: join(dir, "spool"),
    },
  });
}

function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "hlb-trading-start-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function until(what: string, done: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function start(
  trading: TradingSim,
  dir: string,
  signer: Signer = trading.agent,
  env: Record<string, string> = {},
): Promise<Hotpath> {
  const hotpath = await startHotpath({
    config: configFor(trading, dir, env),
    logger: createLogger({ service: "test", level: "silent" }),
    uws: loadUws(),
    trading: {
      signer,
      account: trading.master.address,
      network: "mainnet",
      keySource: "env TEST_KEY",
      reconcileIntervalMs: 3_600_000,
    },
  });
  cleanups.push(() => hotpath.stop());
  return hotpath;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected the start to be refused");
    },
    (error: unknown) => error,
  );
}

describe("startHotpath with trading", () => {
  it("refuses a master key before anything is journaled or sent, naming its address (exit 2)", async () => {
    const trading = await quietSim();
    const dir = workDir();
    const error = await failure(start(trading, dir, trading.master));
    expect(error).toBeInstanceOf(SigningKeyRefusedError);
    const refused = error as SigningKeyRefusedError;
    expect(refused).toMatchObject({ keyAddress: trading.master.address, role: "user" });
    expect(refused.message).toContain(trading.master.address);
    expect(refused.message).toContain("master key");
    expect(refused.message).toContain("env TEST_KEY");
    expect(exitStatusOf(error)).toBe(2);
    expect(trading.exchangeRequests()).toBe(0);
    expect(existsSync(join(dir, "journal", trading.master.address.toLowerCase()))).toBe(false);
  });

  it("refuses an agent of another account, and a key the exchange does not know", async () => {
    const trading = await quietSim();
    const other = createSigner(`0x${randomBytes(32).toString("hex")}`);
    const othersAgent = createSigner(`0x${randomBytes(32).toString("hex")}`);
    trading.sim.admin!.fund(other.address, { USDC: "100" });
    trading.sim.admin!.registerAgent(other.address, othersAgent.address);
    const wrongAccount = (await failure(start(trading, workDir(), othersAgent))) as SigningKeyRefusedError;
    expect(wrongAccount).toBeInstanceOf(SigningKeyRefusedError);
    expect(wrongAccount.role).toBe("otherAccount");
    expect(wrongAccount.message).toContain(`an agent of ${other.address}`);

    const stranger = createSigner(`0x${randomBytes(32).toString("hex")}`);
    const unknown = (await failure(start(trading, workDir(), stranger))) as SigningKeyRefusedError;
    expect(unknown).toMatchObject({ keyAddress: stranger.address, role: "missing" });
    expect(trading.exchangeRequests()).toBe(0);
  });

  it("reconciles before trading: adopts on a first start, resumes from its checkpoint, refuses a deposit it cannot explain (exit 3)", async () => {
    const trading = await quietSim();
    const dir = workDir();
    const first = await start(trading, dir);
    expect(first.trading?.startup.baseline).toBe("adopted");
    expect(first.trading?.startup.balances).toMatchObject({ usdcSpot: "5000", usdcPerpCollateral: "5000" });
    // The executor starts from the reconciled balances, not from anything configured.
    expect(first.trading?.executor.marketState("HYPE")?.balances.spotBaseQty).toBeGreaterThan(0);
    await first.stop();

    const second = await start(trading, dir);
    expect(second.trading?.startup.baseline).toBe("checkpoint");
    await second.stop();

    trading.sim.admin!.fund(trading.master.address, { USDC: "40" });
    const error = await failure(start(trading, dir));
    expect(error).toBeInstanceOf(ReconciliationError);
    const mismatches = (error as ReconciliationError).mismatches;
    expect(mismatches.map((mismatch) => mismatch.kind)).toEqual(["usdcBalance"]);
    expect(mismatches[0]?.message).toContain("(difference 40)");
    expect(exitStatusOf(error)).toBe(3);
    expect(trading.exchangeRequests()).toBe(0);
  });

  it("halts new risk, saying why, when the periodic reconciliation finds a difference", async () => {
    const trading = await quietSim();
    const hotpath = await start(trading, workDir());
    const executor = hotpath.trading!.executor;
    expect(await hotpath.trading!.watch.runOnce()).toMatchObject({ kind: "ok" });
    expect(executor.state().paused).toBe(false);

    trading.sim.admin!.fund(trading.master.address, { USDC: "40" });
    expect(await hotpath.trading!.watch.runOnce()).toMatchObject({ kind: "mismatch" });
    const state = executor.state();
    expect(state.paused).toBe(true);
    expect(state.pausedReason).toContain("reconciliation: 1 unexplained difference");
    expect(state.pausedReason).toContain("(difference 40)");
    expect(executor.accountRisk.paused).toBe(true);
  });

  it("keeps reconciling while it trades: an open, then its close (intents closed by then), explained; nothing halts", async () => {
    const trading = await startTradingSim({ seed: 22, basis: SPACED_PERP_RICH_SHOCKS });
    cleanups.push(() => trading.stop());
    // Closes at 10 bps: with a shock every ~10 s the basis seldom falls to the default 3 bps in between.
    const hotpath = await start(trading, workDir(), trading.agent, { HLB_CLOSE_THRESHOLD_BPS: "10" });
    const executor = hotpath.trading!.executor;
    const market = () => executor.marketState("HYPE")!;
    const watch = hotpath.trading!.watch;
    /** One poll at a quiet moment (a poll that finds an order in flight is skipped as busy). */
    const poll = async () => {
      for (;;) {
        const outcome = await watch.runOnce();
        if (outcome.kind !== "busy") return outcome;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await until("an open", () => market().positionId !== null && !market().risk.intentInFlight);
    const afterOpen = await poll();
    expect(afterOpen).toMatchObject({ kind: "ok" });
    expect(afterOpen.kind === "ok" && afterOpen.uncountedFills).toBeGreaterThanOrEqual(2);
    // The close's intents are closed in the journal by the next poll: their fills are still recognised
    // (the orders this process sent), and the window starts from the carried-forward inventory.
    await until("the close", () => market().positionId === null && !market().risk.intentInFlight);
    const afterClose = await poll();
    expect(afterClose).toMatchObject({ kind: "ok" });
    expect(afterClose.kind === "ok" && afterClose.uncountedFills).toBeGreaterThanOrEqual(2);
    expect(executor.state()).toMatchObject({ paused: false, pausedReason: null });
    expect(new Set(trading.receivedCloids).size).toBe(trading.receivedCloids.length);
  }, 120_000);
});
