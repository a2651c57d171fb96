/**
 * A small trading desk against the simulator for the reconciliation tests, over the real wire protocol:
 * a funded master account, an approved agent key, the HYPE markets resolved from `meta`/`spotMeta`, an
 * intent journal and a checkpoint directory — and the executor's part done by hand: journal an intent,
 * sign and send both legs as one IOC `order` action over HTTP, and journal what came back (or, to play a
 * crash, not).
 */

import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { mul, parseDecimal } from "../../hotpath/exchange/decimal/decimal.js";
import { limitPrice } from "../../hotpath/exchange/decimal/grid.js";
import { ExchangeHttpClient } from "../../hotpath/exchange/http/httpClient.js";
import { type BasisMarket, resolveMarkets } from "../../hotpath/exchange/registry/index.js";
import {
  createSigner,
  signL1Action,
  signUserSignedAction,
  type Signer,
} from "../../hotpath/exchange/signing/index.js";
import {
  type Cloid,
  decodeMeta,
  decodeSpotMeta,
  type ExchangeResponse,
  orderAction,
  type OrderPlacementStatus,
  type Tif,
  toCloid,
  usdClassTransferAction,
  type WireDecimal,
} from "../../hotpath/exchange/wire/index.js";
import type { Intent, IntentLeg } from "../../hotpath/execution/intent.js";
import type { OrderEvent } from "../../hotpath/execution/intentState.js";
import { IntentJournal, type JournalRecovery } from "../../hotpath/execution/journal/index.js";
import { CheckpointStore } from "../../hotpath/execution/reconcile/checkpoint.js";
import type { Simulator } from "../sim/server/index.js";
import { startSimulator } from "../sim/server/index.js";

export type Outcome = "journal" | "crash" | "unsent";

export interface DeskOptions {
  readonly unified?: boolean;
  /** Funding every 3 600 000 / this ms of simulated time. */
  readonly fundingAcceleration?: number;
}

export class SimDesk {
  readonly master: Signer = createSigner(`0x${randomBytes(32).toString("hex")}`);
  readonly agent: Signer = createSigner(`0x${randomBytes(32).toString("hex")}`);
  readonly dir = mkdtempSync(join(tmpdir(), "hlb-reconcile-"));
  readonly journalDir = join(this.dir, "journal");
  readonly checkpoints = new CheckpointStore(join(this.dir, "state"));
  readonly http: ExchangeHttpClient;
  markets: readonly BasisMarket[] = [];
  #journal: IntentJournal | undefined;
  #lastNonce = 0;
  #positions = 0;

  private constructor(
    readonly sim: Simulator,
    private readonly errors: unknown[],
  ) {
    this.http = new ExchangeHttpClient({ infoUrl: sim.info, exchangeUrl: sim.exchange, timeoutMs: 5_000 });
  }

  static async start(options: DeskOptions = {}): Promise<SimDesk> {
    const errors: unknown[] = [];
    const sim = await startSimulator({
      seed: 11,
      clock: "manual",
      ...(options.fundingAcceleration === undefined
        ? {}
        : { core: { fundingAcceleration: options.fundingAcceleration } }),
      onError: (error) => errors.push(error),
    });
    const desk = new SimDesk(sim, errors);
    const address = desk.master.address;
    if (options.unified === true) desk.admin.setAccountMode(address, "unified");
    desk.admin.fund(address, { USDC: "5000", HYPE: "2" });
    if (options.unified !== true) desk.admin.fund(address, { USDC: "5000" }, { toPerp: true });
    desk.admin.registerAgent(address, desk.agent.address);
    const meta = decodeMeta(await desk.http.info({ type: "meta" }));
    const spotMeta = decodeSpotMeta(await desk.http.info({ type: "spotMeta" }));
    if (!meta.ok || !spotMeta.ok) throw new Error("the simulator's metadata does not decode");
    desk.markets = resolveMarkets({ meta: meta.value, spotMeta: spotMeta.value }, [{ coin: "HYPE" }]);
    return desk;
  }

  get admin(): NonNullable<Simulator["admin"]> {
    const admin = this.sim.admin;
    if (admin === undefined) throw new Error("the simulator has no admin");
    return admin;
  }

  get market(): BasisMarket {
    return this.markets[0] as BasisMarket;
  }

  /** Opens the journal (closing the previous one cleanly first): a restart. */
  openJournal(): { journal: IntentJournal; recovery: JournalRecovery } {
    this.#journal?.close();
    const opened = IntentJournal.open({ dir: this.journalDir, bootId: randomUUID(), maintenance: "manual" });
    this.#journal = opened.journal;
    return opened;
  }

  get journal(): IntentJournal {
    if (this.#journal === undefined) throw new Error("no journal open");
    return this.#journal;
  }

  nonce(): number {
    this.#lastNonce = Math.max(Date.now(), this.#lastNonce + 1);
    return this.#lastNonce;
  }

  /** The touch of both HYPE books, from `l2Book`. */
  async touch(): Promise<{
    perpBid: WireDecimal;
    perpAsk: WireDecimal;
    spotBid: WireDecimal;
    spotAsk: WireDecimal;
  }> {
    const perp = await this.http.info({ type: "l2Book", coin: this.market.perp.coin });
    const spot = await this.http.info({ type: "l2Book", coin: this.market.spot.wsCoin });
    const [perpBid, perpAsk] = [perp?.levels[0][0]?.px, perp?.levels[1][0]?.px];
    const [spotBid, spotAsk] = [spot?.levels[0][0]?.px, spot?.levels[1][0]?.px];
    if (perpBid === undefined || perpAsk === undefined || spotBid === undefined || spotAsk === undefined) {
      throw new Error("no touch on one of the HYPE books");
    }
    return { perpBid, perpAsk, spotBid, spotAsk };
  }

  /**
   * A perp-rich open (sell `size` perp, buy `size` spot, IOC, 2 % through the touch) journaled before it is
   * sent. `outcome`: `"journal"` records the response and the fills, `"crash"` sends and records nothing
   * more, `"unsent"` journals the intent and its `sent` events but never sends (a crash mid-write).
   */
  openBasis(
    options: { size?: string; outcome?: Outcome; lifetimeMs?: number } = {},
  ): Promise<{ intent: Intent; response: ExchangeResponse | null }> {
    this.#positions += 1;
    const size = options.size ?? "0.5";
    return this.#trade("open", `pos-${this.#positions}`, size, size, options);
  }

  /** Closes a perp-rich position: buy the perp back (reduce-only), sell `spotSize` spot; journals all. */
  closeBasis(
    positionId: string,
    perpSize: string,
    spotSize: string,
  ): Promise<{ intent: Intent; response: ExchangeResponse | null }> {
    return this.#trade("close", positionId, perpSize, spotSize, {});
  }

  async #trade(
    action: "open" | "close",
    positionId: string,
    perpSize: string,
    spotSize: string,
    options: { outcome?: Outcome; lifetimeMs?: number },
  ): Promise<{ intent: Intent; response: ExchangeResponse | null }> {
    const journal = this.journal;
    const opening = action === "open";
    const touch = await this.touch();
    const perpGrid = { market: "perp" as const, szDecimals: this.market.perp.szDecimals };
    const spotGrid = { market: "spot" as const, szDecimals: this.market.spot.szDecimals };
    const perpSide = opening ? "sell" : "buy";
    const spotSide = opening ? "buy" : "sell";
    const through = (px: WireDecimal, side: "buy" | "sell", grid: typeof perpGrid | typeof spotGrid) =>
      limitPrice(
        mul(parseDecimal(px), parseDecimal(side === "buy" ? "1.02" : "0.98")),
        side,
        "aggressive",
        grid,
      );
    const perpPx = through(opening ? touch.perpBid : touch.perpAsk, perpSide, perpGrid);
    const spotPx = through(opening ? touch.spotAsk : touch.spotBid, spotSide, spotGrid);
    const nonce = this.nonce();
    const createdAtMs = Date.now();
    const expiresAfter = createdAtMs + (options.lifetimeMs ?? 5_000);
    const common = { tif: "Ioc" as Tif, nonce, expiresAfter };
    const legs: IntentLeg[] = [
      {
        ...common,
        market: "perp",
        asset: this.market.perp.assetId,
        side: perpSide,
        limitPx: perpPx,
        size: perpSize as WireDecimal,
        reduceOnly: !opening,
        cloid: journal.nextCloid(),
      },
      {
        ...common,
        market: "spot",
        asset: this.market.spot.assetId,
        side: spotSide,
        limitPx: spotPx,
        size: spotSize as WireDecimal,
        reduceOnly: false,
        cloid: journal.nextCloid(),
      },
    ];
    const intent: Intent = {
      intentId: journal.nextIntentId(),
      parentIntentId: null,
      bootId: "reconcile-test",
      edgeId: null,
      positionId,
      coin: this.market.coin,
      direction: "perpRich",
      action,
      legs,
      createdAtMs,
    };
    journal.appendIntent(intent);
    for (const leg of legs) journal.appendOrderEvent(leg.cloid, { type: "sent", atMs: Date.now() });
    if (options.outcome === "unsent") return { intent, response: null };
    const orderRequest = orderAction({
      orders: legs.map((leg) => ({
        asset: leg.asset,
        isBuy: leg.side === "buy",
        price: leg.limitPx,
        size: leg.size,
        reduceOnly: leg.reduceOnly,
        orderType: { limit: { tif: "Ioc" } },
        cloid: leg.cloid,
      })),
    });
    const signature = signL1Action({
      signer: this.agent,
      action: orderRequest,
      nonce,
      network: "mainnet",
      expiresAfter,
    });
    const response = await this.http.exchange({ action: orderRequest, nonce, signature, expiresAfter });
    if (options.outcome === "crash") return { intent, response };
    if (response.status !== "ok" || response.response.type !== "order") {
      throw new Error(`the order action failed: ${JSON.stringify(response)}`);
    }
    for (const [index, status] of response.response.data.statuses.entries()) {
      const leg = legs[index] as IntentLeg;
      journal.appendOrderEvent(leg.cloid, statusEvent(status));
    }
    await this.journalFills(legs.map((leg) => leg.cloid));
    return { intent, response };
  }

  /** Journals the exchange's fills of these orders (what the executor does from `userEvents`). */
  async journalFills(cloids: readonly Cloid[]): Promise<number> {
    const fills = await this.http.info({ type: "userFills", user: this.master.address });
    let journaled = 0;
    for (const fill of fills) {
      const cloid = fill.cloid ?? null;
      if (cloid === null || !cloids.includes(cloid)) continue;
      const state = this.journal.stateOfCloid(cloid);
      const order = state?.orders.find((candidate) => candidate.cloid === cloid);
      if (order === undefined || order.fills.tids.includes(fill.tid)) continue;
      this.journal.appendOrderEvent(cloid, {
        type: "fill",
        tid: fill.tid,
        oid: fill.oid,
        px: fill.px,
        size: fill.sz,
        fee: fill.fee,
        feeToken: fill.feeToken,
        timeMs: fill.time,
      });
      journaled += 1;
    }
    return journaled;
  }

  /** An order placed straight on the exchange by the agent key, with a cloid the journal never saw. */
  async manualOrder(order: {
    market: "perp" | "spot";
    isBuy: boolean;
    px: string;
    size: string;
    tif: Tif;
  }): Promise<ExchangeResponse> {
    const nonce = this.nonce();
    const action = orderAction({
      orders: [
        {
          asset: order.market === "perp" ? this.market.perp.assetId : this.market.spot.assetId,
          isBuy: order.isBuy,
          price: order.px as WireDecimal,
          size: order.size as WireDecimal,
          reduceOnly: false,
          orderType: { limit: { tif: order.tif } },
          cloid: toCloid(`0x${randomBytes(16).toString("hex")}`),
        },
      ],
    });
    const signature = signL1Action({ signer: this.agent, action, nonce, network: "mainnet" });
    return this.http.exchange({ action, nonce, signature });
  }

  /** USDC between spot and perp, signed by the master key (as the rebalancer does). */
  async transfer(amount: string, toPerp: boolean): Promise<ExchangeResponse> {
    const nonce = this.nonce();
    const action = usdClassTransferAction({ network: "mainnet", amount, toPerp, nonce });
    return this.http.exchange({
      action,
      nonce,
      signature: signUserSignedAction({ signer: this.master, action }),
    });
  }

  async stop(): Promise<void> {
    this.#journal?.close();
    this.#journal = undefined;
    this.http.close();
    await this.sim.stop();
    rmSync(this.dir, { recursive: true, force: true });
    if (this.errors.length > 0) throw new AggregateError(this.errors, "the simulator reported errors");
  }
}

function statusEvent(status: OrderPlacementStatus): OrderEvent {
  if (typeof status === "string") throw new Error(`unexpected order status ${status}`);
  if ("filled" in status) {
    return {
      type: "filled",
      oid: status.filled.oid,
      totalSize: status.filled.totalSz,
      avgPx: status.filled.avgPx,
    };
  }
  if ("resting" in status) return { type: "resting", oid: status.resting.oid };
  return { type: "rejected", error: status.error };
}
