/**
 * Acceptance 5 and 8 with the real process: `node --import tsx hotpath/main.ts`, mode `live` against the
 * simulator (network mainnet, endpoints pointed at it), is killed with SIGKILL the instant its first order
 * reaches the exchange — before the exchange has executed it, so the process never sees an answer or a fill
 * and its journal holds an intent sent without an outcome. A second process over the same directories must
 * then reconcile from journal and exchange before doing anything else:
 *
 * - no duplicate order: the simulator's log has every cloid once (the killed intent was probed, not resent);
 * - exposure resolved: the killed intent ends hedged, unwound or closed, and at the end the account
 *   reconciles exactly against the journal with every open position's legs offsetting (within one lot);
 * - every fill recorded once: the journal's fill records are the account's fills, each trade id once.
 *
 * While the second process runs, control calls without the right bearer token are answered 401 over its
 * real socket and change nothing (the state read before and after is equal).
 */

import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { loadMarkets } from "../../hotpath/app/marketSetup.js";
import type { Cloid } from "../../hotpath/exchange/wire/brands.js";
import type { UserFill } from "../../hotpath/exchange/wire/info.js";
import type { IntentId } from "../../hotpath/execution/intent.js";
import {
  decodeLine,
  IntentJournal,
  listSegments,
  recoverJournal,
  segmentPath,
} from "../../hotpath/execution/journal/index.js";
import { CheckpointStore } from "../../hotpath/execution/reconcile/checkpoint.js";
import { reconcileAtStartup } from "../../hotpath/execution/reconcile/startupReconciler.js";
import { HYPE_PAIR } from "../sim/core/markets.js";
import type { FaultSpec } from "../sim/server/index.js";
import { HotpathProcess } from "../app/hotpathProcess.js";
import { startTradingSim, type TradingSim } from "../app/tradingSim.js";

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SPOT_LOT = 0.01;

interface JournalFacts {
  readonly intents: Map<
    IntentId,
    { readonly cloids: readonly Cloid[]; readonly positionId: string; readonly parent: IntentId | null }
  >;
  readonly fillTids: number[];
  readonly closedPositions: Set<string>;
}

/** Every record of every segment, read after the process is gone. */
function readJournal(dir: string): JournalFacts {
  const intents: JournalFacts["intents"] = new Map();
  const fillTids: number[] = [];
  const closedPositions = new Set<string>();
  for (const segment of listSegments(dir)) {
    const lines = readFileSync(segmentPath(dir, segment), "utf8").split("\n");
    lines.pop();
    for (const line of lines) {
      const record = decodeLine(line);
      if (record.t === "intent") {
        const { intent } = record;
        intents.set(intent.intentId, {
          cloids: intent.legs.map((leg) => leg.cloid),
          positionId: intent.positionId,
          parent: intent.parentIntentId,
        });
      } else if (record.t === "order" && record.event.type === "fill") {
        fillTids.push(record.event.tid);
      } else if (record.t === "closed") {
        closedPositions.add(record.positionId);
      }
    }
  }
  return { intents, fillTids, closedPositions };
}

/** One sample of `/metrics`, by its full series name (`name{label="…"}`). */
async function metric(hostUrl: string, series: string): Promise<number> {
  const text = await (await fetch(`${hostUrl}/metrics`)).text();
  const line = text.split("\n").find((entry) => entry.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

interface Scenario {
  /** Faults the simulator applies from the start (the first order is the one killed). */
  readonly faults: readonly FaultSpec[];
}

interface Outcome {
  /** The killed root's status at the end (`closed` when its position was closed). */
  readonly killedStatus: string;
  /** Follow-ups (hedges, unwinds) of the killed root, all sent by the second process. */
  readonly followUps: number;
}

async function killMidIntentAndRestart(scenario: Scenario): Promise<Outcome> {
  const victim: { process?: HotpathProcess } = {};
  let killedCloids: readonly Cloid[] = [];
  const trading: TradingSim = await startTradingSim({
    seed: 41,
    faults: scenario.faults,
    // The first order the exchange receives: the process dies before the exchange even executes it.
    onOrder: (cloids) => {
      if (killedCloids.length > 0 || victim.process === undefined) return;
      killedCloids = cloids;
      victim.process.signal("SIGKILL");
    },
  });
  cleanups.push(() => trading.stop());
  const dir = mkdtempSync(join(tmpdir(), "hlb-kill-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const token = randomBytes(24).toString("hex");
  const env = {
    HLB_MODE: "live",
    HLB_LIVE_CONFIRM: "I_UNDERSTAND",
    HLB_NETWORK: "mainnet",
    ...trading.endpointsEnv,
    HLB_ACCOUNT_ADDRESS: trading.master.address,
    HLB_AGENT_PRIVATE_KEY: trading.agentKey,
    HLB_CONTROL_TOKEN: token,
    HLB_HOST_PORT: "0",
    HLB_JOURNAL_DIR: join(dir, "journal"),
    HLB_NONCE_DIR: join(dir, "nonces"),
    HLB_SPOOL_DIR: join(dir, "spool"),
  };
  const journalDir = join(dir, "journal", trading.agent.address.toLowerCase());

  // 1. The first process trades until its first order reaches the exchange, and dies there (its last log
  //    lines may die with it, so only the exit and the journal are read).
  const first = HotpathProcess.spawn(env);
  victim.process = first;
  cleanups.push(() => first.stop());
  const firstExit = await Promise.race([
    first.exited,
    new Promise<null>((resolve) => setTimeout(() => resolve(null), 120_000)),
  ]);
  if (firstExit === null) throw new Error(`the first process never sent an order:\n${first.stderr}`);
  expect(firstExit).toEqual({ code: null, signal: "SIGKILL" });
  expect(killedCloids.length).toBeGreaterThan(0);
  const afterKill = recoverJournal(journalDir);
  expect(afterKill.openIntents).toHaveLength(1);
  expect(afterKill.unknownOrders.map((order) => order.cloid).sort()).toEqual([...killedCloids].sort());

  // 2. The restart reconciles before anything else: the killed orders probed, their fills journaled.
  const second = HotpathProcess.spawn(env);
  cleanups.push(() => second.stop());
  const { line: started, hostUrl } = await second.started();
  const fillsOfKilled = (
    (await trading.http.info({ type: "userFills", user: trading.master.address })) as UserFill[]
  ).filter((fill) => typeof fill.cloid === "string" && killedCloids.includes(fill.cloid));
  expect(started["trading"]).toMatchObject({
    baseline: "checkpoint",
    probes: killedCloids.length,
    journaledFills: fillsOfKilled.length,
  });

  // 3. Acceptance 8: unauthorized control calls over the real socket are refused and change nothing.
  const authorized = { authorization: `Bearer ${token}` };
  const readState = async (): Promise<unknown> => {
    const response = await fetch(`${hostUrl}/control`, { headers: authorized });
    expect(response.status).toBe(200);
    return response.json();
  };
  const before = await readState();
  expect(before).toMatchObject({ paused: false, killed: false });
  const refused: [string, string, Record<string, string>][] = [
    ["GET", "/control", {}],
    ["POST", "/control/pause", {}],
    ["POST", "/control/kill", { authorization: `Bearer ${"f".repeat(48)}` }],
    ["POST", "/control/settings", { authorization: `Basic ${token}` }],
  ];
  for (const [method, path, headers] of refused) {
    const response = await fetch(`${hostUrl}${path}`, {
      method,
      headers,
      ...(method === "POST"
        ? { body: JSON.stringify({ reason: "intruder", flatten: true, clipSize: "3" }) }
        : {}),
    });
    expect(response.status, `${method} ${path}`).toBe(401);
  }
  expect(await readState()).toEqual(before);

  // 4. Quiesce (authorized): no new risk, follow-ups still run; then a clean stop.
  const pause = await fetch(`${hostUrl}/control/pause`, {
    method: "POST",
    headers: authorized,
    body: JSON.stringify({ reason: "test: quiesce before the final checks" }),
  });
  expect(pause.status).toBe(200);
  // Quiet: nothing in flight and the legs offsetting, three polls in a row.
  let quietPolls = 0;
  const deadline = Date.now() + 60_000;
  while (quietPolls < 3) {
    if (Date.now() > deadline) throw new Error("the process never went quiet after the pause");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const inFlight = await metric(hostUrl, "hlbasis_posts_in_flight");
    const exposure = await metric(hostUrl, 'hlbasis_residual_exposure_base{coin="HYPE"}');
    quietPolls = inFlight === 0 && Math.abs(exposure) < SPOT_LOT ? quietPolls + 1 : 0;
  }
  expect(
    second.logs.filter((line) => line.message === "periodic reconciliation failed: new risk halted"),
  ).toEqual([]);
  expect(await second.stop()).toEqual({ code: 0, signal: null });

  // No duplicate order: every cloid reached the exchange once, the killed ones included.
  expect(new Set(trading.receivedCloids).size).toBe(trading.receivedCloids.length);
  for (const cloid of killedCloids)
    expect(trading.receivedCloids.filter((seen) => seen === cloid)).toHaveLength(1);

  // Every fill recorded once: the journal's fill records are exactly the account's fills.
  const facts = readJournal(journalDir);
  const exchangeFills = (await trading.http.info({
    type: "userFills",
    user: trading.master.address,
  })) as UserFill[];
  expect(exchangeFills.length).toBeGreaterThan(0);
  expect(new Set(facts.fillTids).size).toBe(facts.fillTids.length);
  expect([...facts.fillTids].sort((a, b) => a - b)).toEqual(
    exchangeFills.map((fill) => fill.tid).sort((a, b) => a - b),
  );

  // Exposure resolved: the killed intent ended (its position hedged or closed), and the account reconciles.
  const killedIntent = [...facts.intents.entries()].find(([, intent]) =>
    intent.cloids.includes(killedCloids[0]!),
  );
  expect(killedIntent).toBeDefined();
  const [killedId, { positionId }] = killedIntent!;
  const { journal, recovery } = IntentJournal.open({
    dir: journalDir,
    bootId: randomUUID(),
    maintenance: "manual",
  });
  cleanups.push(() => journal.close());
  expect(recovery.unknownOrders).toEqual([]);
  const killedState = recovery.openIntents.find((state) => state.intent.intentId === killedId);
  if (killedState === undefined) expect(facts.closedPositions.has(positionId)).toBe(true);
  else expect(["hedged", "unwound"]).toContain(killedState.status);
  for (const state of recovery.openIntents) expect(["hedged", "unwound"]).toContain(state.status);
  const markets = await loadMarkets(trading.http, ["HYPE"]);
  const final = await reconcileAtStartup({
    http: trading.http,
    address: trading.master.address,
    markets,
    accountMode: "standard",
    journal,
    recovery,
    checkpoints: new CheckpointStore(journalDir),
  });
  for (const position of final.positions) {
    expect(Math.abs(Number(position.perp) + Number(position.spot))).toBeLessThan(SPOT_LOT);
  }
  const followUps = [...facts.intents.values()].filter((intent) => intent.parent === killedId).length;
  return { killedStatus: killedState?.status ?? "closed", followUps };
}

describe("kill -9 of the real process mid-intent, then restart", () => {
  it("both legs filled while it was dead: reconciles from journal and exchange, no duplicate order, every fill once; unauthorized control is refused", async () => {
    const outcome = await killMidIntentAndRestart({ faults: [] });
    expect(["hedged", "closed"]).toContain(outcome.killedStatus);
  }, 240_000);

  it("only the perp leg filled while it was dead: the restart hedges or unwinds it, nothing sent twice", async () => {
    const outcome = await killMidIntentAndRestart({
      faults: [
        {
          type: "rejectOrders",
          count: 1,
          error: "Order could not immediately match against any resting orders.",
          asset: HYPE_PAIR.spot.asset,
        },
      ],
    });
    expect(["hedged", "unwound", "closed"]).toContain(outcome.killedStatus);
    // The killed root could only be resolved by a follow-up the second process sent.
    expect(outcome.followUps).toBeGreaterThan(0);
  }, 240_000);
});
