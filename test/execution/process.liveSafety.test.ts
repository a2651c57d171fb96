/**
 * Live mode is an explicit opt-in, and the real process refuses to start — before any order — when it must
 * not trade: `node --import tsx hotpath/main.ts` in mode `live` (network mainnet, signing for mainnet) with
 * the mainnet endpoints pointed at a simulator, exactly as an operator would run it against the exchange.
 *
 * - `live` without `HLB_LIVE_CONFIRM=I_UNDERSTAND`: exit 2, nothing asked of the exchange.
 * - `live` without an agent key: exit 2.
 * - `live` with the account's master key as the signing key: `userRole` says `"user"`, exit 2, the message
 *   names the address, no journal, no `/exchange` request.
 * - `live` with an agent key but an account that holds something the journal cannot explain (a resting
 *   order placed behind its back): start-up reconciliation fails, exit 3, the mismatch on stderr, no order.
 */

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { HotpathProcess } from "../app/hotpathProcess.js";
import { QUIET_BASIS, startTradingSim, type TradingSim } from "../app/tradingSim.js";

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(): Promise<{ trading: TradingSim; dir: string; env: Record<string, string> }> {
  const trading = await startTradingSim({ seed: 31, basis: QUIET_BASIS });
  cleanups.push(() => trading.stop());
  const dir = mkdtempSync(join(tmpdir(), "hlb-live-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const env = {
    HLB_MODE: "live",
    HLB_LIVE_CONFIRM: "I_UNDERSTAND",
    HLB_NETWORK: "mainnet",
    ...trading.endpointsEnv,
    HLB_ACCOUNT_ADDRESS: trading.master.address,
    HLB_HOST_PORT: "0",
    HLB_JOURNAL_DIR: join(dir, "journal"),
    HLB_NONCE_DIR: join(dir, "nonces"),
    HLB_SPOOL_DIR: join(dir, "spool"),
  };
  return { trading, dir, env };
}

async function run(env: Record<string, string>): Promise<HotpathProcess> {
  const child = HotpathProcess.spawn(env);
  cleanups.push(() => child.stop());
  const exit = await Promise.race([
    child.exited,
    new Promise<null>((resolve) => setTimeout(() => resolve(null), 90_000)),
  ]);
  if (exit === null) throw new Error(`the process did not exit:\n${child.stderr}`);
  return child;
}

describe("live mode safety (the real process against the simulator)", () => {
  it("refuses live without HLB_LIVE_CONFIRM, and live without an agent key (exit 2)", async () => {
    const { trading, env } = await setUp();
    const { HLB_LIVE_CONFIRM: _confirm, ...unconfirmed } = env;
    const noConfirm = await run({ ...unconfirmed, HLB_AGENT_PRIVATE_KEY: trading.agentKey });
    expect(await noConfirm.exited).toEqual({ code: 2, signal: null });
    expect(noConfirm.stderr).toContain("HLB_LIVE_CONFIRM=I_UNDERSTAND");

    const noKey = await run(env);
    expect(await noKey.exited).toEqual({ code: 2, signal: null });
    expect(noKey.stderr).toContain("mode live needs the agent key");
    expect(trading.exchangeRequests()).toBe(0);
  }, 120_000);

  it("refuses a master key as the signing key: exit 2, the address named, nothing journaled or sent", async () => {
    const { trading, dir, env } = await setUp();
    const child = await run({ ...env, HLB_AGENT_PRIVATE_KEY: trading.masterKey });
    expect(await child.exited).toEqual({ code: 2, signal: null });
    expect(child.stderr).toContain(trading.master.address);
    expect(child.stderr).toContain("master key");
    const fatal = child.logs.find((line) => line.level === "FATAL");
    expect(fatal?.["err"]).toMatchObject({
      type: "SigningKeyRefusedError",
      keyAddress: trading.master.address,
    });
    expect(trading.exchangeRequests()).toBe(0);
    expect(existsSync(join(dir, "journal", trading.master.address.toLowerCase()))).toBe(false);
  }, 120_000);

  it("refuses to start when start-up reconciliation fails: exit 3, every mismatch said, no order", async () => {
    const { trading, env } = await setUp();
    const placed = await trading.placeRestingOrder();
    expect(placed.status).toBe("ok");
    const before = trading.exchangeRequests();
    const child = await run({ ...env, HLB_AGENT_PRIVATE_KEY: trading.agentKey });
    expect(await child.exited).toEqual({ code: 3, signal: null });
    expect(child.stderr).toContain("reconciliation failed with 1 unexplained difference");
    expect(child.stderr).toContain("resting");
    const fatal = child.logs.find((line) => line.level === "FATAL");
    expect(fatal?.["mismatches"]).toEqual([expect.objectContaining({ kind: "restingOrder" })]);
    expect(trading.exchangeRequests()).toBe(before);
  }, 120_000);
});
