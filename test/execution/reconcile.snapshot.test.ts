/**
 * Reading the account against the simulator: paging the event lists, detecting a snapshot torn by events
 * landing between its requests, typed read failures; and the checkpoint file's failure modes.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { add, formatDecimal, parseDecimal, sub } from "../../hotpath/exchange/decimal/decimal.js";
import { ExchangeHttpClient } from "../../hotpath/exchange/http/httpClient.js";
import { type Address, asWireDecimal } from "../../hotpath/exchange/wire/brands.js";
import type { InfoRequest, InfoResponse } from "../../hotpath/exchange/wire/info.js";
import { readAccountSnapshot, usdcPoolOf } from "../../hotpath/execution/reconcile/accountSnapshot.js";
import {
  CHECKPOINT_FORMAT,
  CheckpointStore,
  type InventoryCheckpoint,
} from "../../hotpath/execution/reconcile/checkpoint.js";
import {
  AccountReadError,
  CheckpointError,
  ReconciliationError,
} from "../../hotpath/execution/reconcile/errors.js";
import { emptyBaseline } from "../../hotpath/execution/reconcile/inventory.js";
import { reconcileAtStartup } from "../../hotpath/execution/reconcile/startupReconciler.js";
import type { Simulator } from "../sim/server/index.js";
import { SimDesk } from "./reconcile.simSupport.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function desk(fundingAcceleration?: number): Promise<SimDesk> {
  const started = await SimDesk.start(fundingAcceleration === undefined ? {} : { fundingAcceleration });
  cleanups.push(() => started.stop());
  return started;
}

/**
 * The real client, plus a hook that advances the simulator right after the perp state is read: funding
 * settles between the snapshot's requests, as it would on the exchange at the top of an hour.
 */
class SteppingClient extends ExchangeHttpClient {
  constructor(
    private readonly sim: Simulator,
    private steps: number,
  ) {
    super({ infoUrl: sim.info, exchangeUrl: sim.exchange });
  }

  override async info<R extends InfoRequest>(request: R): Promise<InfoResponse<R["type"]>> {
    const response = await super.info(request);
    if (request.type === "clearinghouseState" && this.steps > 0) {
      this.steps -= 1;
      this.sim.core.step(20);
    }
    return response;
  }
}

describe("readAccountSnapshot against the simulator", () => {
  it("pages funding past the 500-entry response limit, and the result reconciles exactly", async () => {
    // One settlement every 10 ms of simulated time.
    const trading = await desk(360_000);
    const first = await reconcileOnce(trading);
    await trading.openBasis();
    trading.sim.core.step(12_000);
    const snapshot = await readAccountSnapshot(trading.http, {
      address: trading.master.address,
      fillsSinceMs: first.window.fillsSinceMs,
      fundingSinceMs: first.window.fundingSinceMs,
    });
    expect(snapshot.funding.length).toBe(1_200);
    expect(new Set(snapshot.funding.map((entry) => entry.time)).size).toBe(1_200);
    const second = await reconcileOnce(trading);
    expect(second.explained.funding).toBe(1_200);
  });

  it("reads again when funding lands between its requests, and gives up with a typed error if it never stops", async () => {
    const trading = await desk(360_000);
    trading.openJournal();
    await trading.openBasis();
    const request = { address: trading.master.address, fillsSinceMs: 0, fundingSinceMs: 0 };
    const once = new SteppingClient(trading.sim, 1);
    cleanups.push(() => once.close());
    const snapshot = await readAccountSnapshot(once, request);
    expect(snapshot.attempts).toBe(2);
    // The state and the events agree: the funding the second read saw is in the perp collateral.
    expect(snapshot.funding.length).toBeGreaterThan(0);
    let explained = sub(
      parseDecimal("5000"),
      parseDecimal(snapshot.fills.find((fill) => fill.coin === "HYPE")?.fee ?? "0"),
    );
    for (const entry of snapshot.funding) explained = add(explained, parseDecimal(entry.delta.usdc));
    const collateral = usdcPoolOf(snapshot, "standard").perpCollateral;
    expect(collateral === null ? null : formatDecimal(collateral)).toBe(formatDecimal(explained));

    const always = new SteppingClient(trading.sim, Number.POSITIVE_INFINITY);
    cleanups.push(() => always.close());
    const failure = await readAccountSnapshot(always, { ...request, maxAttempts: 2 }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AccountReadError);
    expect(failure).toMatchObject({ kind: "unstable" });
  });

  it("turns an HTTP failure into a typed read error naming the request", async () => {
    const trading = await desk();
    trading.admin.faults.throttleNextRequests(1, "info");
    const failure = await readAccountSnapshot(trading.http, {
      address: trading.master.address,
      fillsSinceMs: 0,
      fundingSinceMs: 0,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AccountReadError);
    expect(failure).toMatchObject({ kind: "http", request: "userAbstraction" });
    expect((failure as Error).message).toContain("HTTP 429");
  });
});

describe("the inventory checkpoint", () => {
  const address = "0x00000000000000000000000000000000000000a1" as Address;

  function store(): CheckpointStore {
    const dir = mkdtempSync(join(tmpdir(), "hlb-checkpoint-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return new CheckpointStore(dir);
  }

  it("writes atomically and reads back what it wrote; none yet reads as null", () => {
    const checkpoints = store();
    expect(checkpoints.read(address)).toBeNull();
    const checkpoint: InventoryCheckpoint = {
      format: CHECKPOINT_FORMAT,
      address,
      accountMode: "standard",
      savedAtMs: 1,
      exchangeTimeMs: 2,
      baseline: { ...emptyBaseline(5), fillTids: [7, 9], tokens: { USDC: asWireDecimal("1.5") } },
    };
    checkpoints.write(checkpoint);
    expect(checkpoints.read(address)).toEqual(checkpoint);
  });

  it("refuses a damaged file and another account's, saying which file", () => {
    const checkpoints = store();
    writeFileSync(checkpoints.file, '{"format":"hlbasis-inventory-checkpoint/1","address":');
    expect(() => checkpoints.read(address)).toThrow(CheckpointError);
    expect(() => checkpoints.read(address)).toThrow(/corrupt: not JSON/);
    checkpoints.write({
      format: CHECKPOINT_FORMAT,
      address: "0x00000000000000000000000000000000000000b2" as Address,
      accountMode: "standard",
      savedAtMs: 1,
      exchangeTimeMs: 2,
      baseline: emptyBaseline(5),
    });
    expect(() => checkpoints.read(address)).toThrow(/otherAccount: written for 0x0{38}b2/);
    writeFileSync(checkpoints.file, JSON.stringify({ format: CHECKPOINT_FORMAT, address, accountMode: "x" }));
    expect(() => checkpoints.read(address)).toThrow(/corrupt: accountMode/);
  });

  it("start-up refuses without a checkpoint when adopting one is not allowed", async () => {
    const trading = await desk();
    const failure = await reconcileOnce(trading, "refuse").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ReconciliationError);
    expect((failure as ReconciliationError).mismatches.map((mismatch) => mismatch.kind)).toEqual([
      "noBaseline",
    ]);
    expect((failure as Error).message).toContain("no inventory checkpoint at");
  });
});

function reconcileOnce(trading: SimDesk, missingCheckpoint: "adopt" | "refuse" = "adopt") {
  const { journal, recovery } = trading.openJournal();
  return reconcileAtStartup({
    http: trading.http,
    address: trading.master.address,
    markets: trading.markets,
    accountMode: "standard",
    journal,
    recovery,
    checkpoints: trading.checkpoints,
    missingCheckpoint,
  });
}
