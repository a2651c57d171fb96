/**
 * Acceptance 6 of issue 5, end to end against the simulator (feed client → books → breaker → executor):
 * a stale or skewed feed gives no new intents, and trading resumes once both legs are fresh again.
 * - The whole feed stalls while its socket stays open (pongs still come back, no reconnect): the market
 *   turns rich unseen, the breaker goes stale on the local clock, and on resume the first frame — one leg
 *   new, the other still old — is skipped `stale`; the open comes only once both legs are fresh.
 * - One leg's frames stop (its exchange time falls behind the other's: a skewed basis): every frame of the
 *   live leg is decided on and skipped `stale` (breaker `skew`) while the basis is rich; on resume, the open.
 * The breaker's own unit tests are `test/feed/breaker.test.ts`; this proves the executor honours it.
 */

import { setTimeout as sleep } from "node:timers/promises";

import { afterEach, describe, expect, it } from "vitest";

import { BREAKER_RESYNCING, BREAKER_SKEW, BREAKER_STALE } from "../../hotpath/feed/breaker.js";
import { SKIP } from "../../hotpath/strategy/decision.js";
import { PERP_RICH_SHOCKS, startHarness, type Harness } from "./executorHarness.js";

/** The harness's breaker settings (`executorHarness.ts`): stale after 5 s, legs of one block only. */
const HARNESS_STALE_AFTER_MS = 5_000;
/** Rich enough that the strategy opens (net edge above the 15 bps threshold after fees). */
const RICH_BPS = 45;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function basisBps(h: Harness): number {
  return h.sim.core.modelState("HYPE").basisBps;
}

/** Steps blocks without waiting for the process to catch up (it cannot: frames are stalled). */
async function stepUnseenUntilRich(h: Harness, maxBlocks: number, pauseMs = 0): Promise<void> {
  for (let block = 0; block < maxBlocks; block++) {
    if (basisBps(h) > RICH_BPS) return;
    h.sim.market.step(1);
    if (pauseMs > 0) await sleep(pauseMs);
  }
  throw new Error(`the basis did not turn rich within ${maxBlocks} blocks`);
}

describe("acceptance 6: a stale or skewed feed stops new intents; fresh books resume them", () => {
  it("a stalled feed with an open socket: stale, nothing sent; on resume the stale leg is skipped, then the open", async () => {
    const h = (harness = await startHarness({ seed: 4, basis: PERP_RICH_SHOCKS }));
    await h.step(3);
    expect(h.feed.breaker.reasons).toBe(0);
    const perpBefore = h.feed.books.perp.sequence;

    h.sim.faults.stallFeed();
    await stepUnseenUntilRich(h, 3_000);
    await sleep(HARNESS_STALE_AFTER_MS + 300);
    expect(h.feed.breaker.reasons & BREAKER_STALE).toBe(BREAKER_STALE);
    // The socket stayed open: no reconnect ever made the breaker resync, and no frame arrived.
    expect(h.feed.breaker.trips[Math.log2(BREAKER_RESYNCING)]).toBe(0);
    expect(h.feed.books.perp.sequence).toBe(perpBefore);
    expect(h.executor.stats.rootIntents).toBe(0);
    expect(h.receivedCloids).toEqual([]);

    const seen = h.outcomes.length;
    h.sim.faults.resumeFeed();
    await h.stepUntil("an open after the resume", () => h.executor.stats.rootIntents >= 1, 50);
    const after = h.outcomes.slice(seen);
    const firstTrade = after.findIndex((entry) => entry.outcome.kind === "traded");
    expect(firstTrade).toBeGreaterThan(0);
    // The first frame after the stall refreshed one leg only: the other was still stale.
    expect(after[0]!.outcome).toBe(SKIP.stale);
    expect(after.slice(0, firstTrade).every((entry) => entry.outcome === SKIP.stale)).toBe(true);
    expect(h.traded[0]!.intent.action).toBe("open");
    expect(h.feed.breaker.reasons).toBe(0);
  }, 60_000);

  it("one leg's feed stops (skewed legs): every decision is skipped stale while rich; on resume, the open", async () => {
    const h = (harness = await startHarness({ seed: 4, basis: PERP_RICH_SHOCKS }));
    await h.step(3);
    const spot = h.market.spot.wsCoin;
    h.sim.faults.stallFeed({ channels: [`l2Book:${spot}:fast`, `bbo:${spot}`] });

    const seen = h.outcomes.length;
    const perpBefore = h.feed.books.perp.sequence;
    await stepUnseenUntilRich(h, 3_000, 2);
    // A few more blocks of a rich basis, the perp leg still arriving and decided on.
    for (let block = 0; block < 20; block++) {
      h.sim.market.step(1);
      await sleep(3);
    }
    expect(basisBps(h)).toBeGreaterThan(RICH_BPS);
    expect(h.feed.books.perp.sequence).toBeGreaterThan(perpBefore);
    expect(h.feed.books.perp.exchangeTimeMs).toBeGreaterThan(h.feed.books.spot.exchangeTimeMs);
    expect(h.feed.breaker.reasons & BREAKER_SKEW).toBe(BREAKER_SKEW);
    const during = h.outcomes.slice(seen).map((entry) => entry.outcome);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((outcome) => outcome === SKIP.stale)).toBe(true);
    expect(h.executor.stats.rootIntents).toBe(0);
    expect(h.receivedCloids).toEqual([]);

    h.sim.faults.resumeFeed();
    await h.stepUntil("an open after the resume", () => h.executor.stats.rootIntents >= 1, 50);
    expect(h.traded[0]!.intent.action).toBe("open");
    expect(h.feed.breaker.reasons).toBe(0);
  }, 60_000);
});
