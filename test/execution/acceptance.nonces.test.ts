/**
 * Acceptance 9 of issue 5: a nonce collision is impossible.
 * - 10,000 intents built and signed exactly as the executor does (`rootIntent` → `signLegs`), both legs as
 *   their own signed actions, all in one frozen millisecond: the 20,000 nonces are unique and strictly
 *   increasing for the signer, and every signature recovers to it. A sample of the actions, spread over
 *   the whole range and sent in order, is accepted by the simulator's nonce rules (which refuse a reused
 *   nonce, as the control shows).
 * - One signer cannot have two allocators: a second one in this process, or in another process, fails at
 *   once with `NonceSignerBusyError`, naming the holder.
 */

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { afterEach, describe, expect, it } from "vitest";

import { loadMarkets } from "../../hotpath/app/marketSetup.js";
import { ExchangeHttpClient } from "../../hotpath/exchange/http/httpClient.js";
import { NonceAllocator, NonceSignerBusyError } from "../../hotpath/exchange/nonce/index.js";
import { createSigner, recoverL1ActionSigner } from "../../hotpath/exchange/signing/index.js";
import { rootIntent } from "../../hotpath/execution/intentBuilder.js";
import { actionGroups, signLegs, type SignedAction } from "../../hotpath/execution/signedActions.js";
import type { OrderLeg } from "../../hotpath/strategy/decision.js";
import { startSimulator } from "../sim/server/index.js";
import { d } from "./intentState.fixtures.js";
import { SequentialIds } from "./sequentialIds.js";

const INTENTS = 10_000;
/** Every 50th action (400 of 20,000), in order: the first, the last and everything between. */
const SAMPLE_EVERY = 50;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "hlb-acceptance-nonces-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A leg priced where nothing trades (IOC refused, no balance moves): only its nonce matters. */
function leg(market: "perp" | "spot", side: "buy" | "sell", limitPx: string): OrderLeg {
  return { market, side, limitPx: d(limitPx), size: d("1"), lots: 100, limitPxUnits: 0, reduceOnly: false };
}

describe("acceptance 9: nonces", () => {
  it("10,000 two-leg intents in one frozen millisecond: unique, strictly increasing, accepted by the simulator", async () => {
    const master = createSigner(`0x${randomBytes(32).toString("hex")}`);
    const agent = createSigner(`0x${randomBytes(32).toString("hex")}`);
    const sim = await startSimulator({
      seed: 9,
      clock: "manual",
      fund: [
        { address: master.address, USDC: "1000" },
        { address: master.address, USDC: "1000", toPerp: true },
      ],
      agents: [{ master: master.address, agent: agent.address }],
    });
    cleanups.push(() => sim.stop());
    const http = new ExchangeHttpClient({ infoUrl: sim.info, exchangeUrl: sim.exchange });
    cleanups.push(() => http.close());
    const [market] = await loadMarkets(http, ["HYPE"]);

    // The clock never moves: every nonce is issued in the same millisecond.
    const frozenMs = sim.core.exchangeTime();
    const nonces = NonceAllocator.open({
      signer: agent.address,
      dir: tempDir(),
      nowMs: () => frozenMs,
      backgroundRenewal: "inline-only",
    });
    cleanups.push(() => nonces.close());
    const ids = new SequentialIds();
    const actions: SignedAction[] = [];
    for (let index = 0; index < INTENTS; index++) {
      const intent = rootIntent({
        ids,
        nonces,
        bootId: "boot",
        verdict: {
          kind: "open",
          direction: "perpRich",
          // Far from a ≈ 40 market on both legs: the exchange accepts the action, the IOCs find nothing.
          perp: leg("perp", "sell", "80"),
          spot: leg("spot", "buy", "20"),
          expiresAfter: frozenMs + 60_000,
          edgeNetBps: 50,
          limitNetBps: 20,
        },
        market: market!,
        positionId: null,
        edgeId: index,
        createdAtMs: frozenMs,
        actionsPerIntent: "two",
      });
      for (const group of actionGroups(intent)) actions.push(signLegs(intent, group, agent, "mainnet"));
    }

    // Uniqueness and order on all 20,000.
    const issued = actions.map((action) => action.request.nonce);
    expect(issued).toHaveLength(2 * INTENTS);
    expect(new Set(issued).size).toBe(issued.length);
    for (let index = 1; index < issued.length; index++) {
      if (!(issued[index]! > issued[index - 1]!)) {
        throw new Error(
          `nonce ${index} (${issued[index]}) is not above nonce ${index - 1} (${issued[index - 1]})`,
        );
      }
    }
    expect(issued[0]).toBe(frozenMs);
    expect(issued.at(-1)).toBe(frozenMs + 2 * INTENTS - 1);

    // The sample: each signature recovers to the agent, and the simulator accepts each action.
    const sample = actions.filter((_, index) => index % SAMPLE_EVERY === 0 || index === actions.length - 1);
    for (const action of sample) {
      const { action: wire, nonce, signature, expiresAfter } = action.request;
      expect(
        recoverL1ActionSigner({ action: wire as never, nonce, signature, expiresAfter, network: "mainnet" }),
      ).toBe(agent.address);
      const response = await http.exchange(action.request);
      if (response.status !== "ok") throw new Error(`nonce ${nonce} refused: ${response.response}`);
      expect(response.response.type).toBe("order");
    }
    // The control: the same nonce twice is refused, so acceptance above means something.
    const again = await http.exchange(sample[0]!.request);
    expect(again).toEqual({
      status: "err",
      response: `Invalid nonce: duplicate nonce ${sample[0]!.request.nonce}`,
    });
  }, 120_000);

  it("one signer, one allocator: a second one, here or in another process, fails at once naming the holder", () => {
    const dir = tempDir();
    const signer = createSigner(`0x${randomBytes(32).toString("hex")}`).address;
    const first = NonceAllocator.open({ signer, dir, backgroundRenewal: "inline-only" });
    cleanups.push(() => first.close());
    const issued = first.next();

    let inProcess: unknown;
    try {
      NonceAllocator.open({ signer, dir, backgroundRenewal: "inline-only" });
    } catch (error) {
      inProcess = error;
    }
    expect(inProcess).toBeInstanceOf(NonceSignerBusyError);
    expect((inProcess as Error).message).toContain("another allocator in this process");

    // A second trading process with the same agent key.
    const repo = fileURLToPath(new URL("../../", import.meta.url));
    const nonceModule = pathToFileURL(join(repo, "hotpath/exchange/nonce/index.ts")).href;
    const script = join(dir, "second-process.ts");
    writeFileSync(
      script,
      [
        `import { NonceAllocator } from ${JSON.stringify(nonceModule)};`,
        `try {`,
        `  const allocator = NonceAllocator.open({ signer: ${JSON.stringify(signer)}, dir: ${JSON.stringify(dir)},`,
        `    backgroundRenewal: "inline-only" });`,
        `  console.log("issued " + allocator.next());`,
        `} catch (error) {`,
        `  console.error(error.name + ": " + error.message);`,
        `  process.exitCode = 3;`,
        `}`,
      ].join("\n"),
    );
    const child = spawnSync(process.execPath, ["--import", "tsx", script], {
      cwd: repo,
      env: { PATH: process.env["PATH"] ?? "" },
      encoding: "utf8",
    });
    expect(child.stdout).toBe("");
    expect(child.status).toBe(3);
    expect(child.stderr).toContain("NonceSignerBusyError");
    expect(child.stderr).toContain(`process ${process.pid}`);
    expect(child.stderr).toContain(signer);

    // The holder is unaffected and keeps issuing above what it issued.
    expect(first.next()).toBeGreaterThan(issued);
  });
});
