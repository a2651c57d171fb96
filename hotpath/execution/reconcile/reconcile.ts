/**
 * `reconcile`: the exchange's account state against what the bot can explain — pure, no I/O.
 *
 * Inputs: a consistent `AccountSnapshot`; the journal's open intents (after the caller probed every order
 * whose outcome was unknown); the expected `Inventory` (the last reconciled baseline plus every fill and
 * funding payment the bot has counted since); the configured markets; the account mode and tolerances.
 *
 * Explained, and applied rather than flagged: fills and funding in the snapshot that the expected inventory
 * has not counted yet (they arrived while the process was down, or the executor has not seen them) — as
 * long as each fill belongs to a journaled order. The result carries the inventory with them applied.
 *
 * Flagged (each a typed `Mismatch` with a message saying what differs and by how much):
 * - the account is not in the configured mode (balances would be read from the wrong place);
 * - an order whose outcome is still unknown, a reserved cloid still unresolved;
 * - any resting order: one of ours should not exist (the bot sends only IOC), one not in the journal is
 *   someone else's;
 * - a fill on a configured market that no journaled order explains, or a fill on another market;
 * - a perp position on a coin the bot does not trade;
 * - per configured coin, the perp position against (a) the baseline plus fills and (b) the journal's open
 *   intents — every contract held must belong to an open position of the bot — exactly;
 * - per configured coin, the spot base balance against the baseline plus fills (fees in the base token
 *   included), exactly: a difference is a transfer or trade the bot did not make;
 * - the USDC pool (`inventory.ts`) against the baseline plus fills and funding, within `tolerances.usdc`
 *   (default exact).
 */

import type { EdgeDirection } from "../../edge/direction.js";
import {
  abs,
  add,
  compare,
  type Decimal,
  divide,
  formatDecimal,
  isZero,
  mul,
  neg,
  parseDecimal,
  sign,
  sub,
} from "../../exchange/decimal/decimal.js";
import type { BasisMarket } from "../../exchange/registry/market.js";
import type { Cloid, WireDecimal } from "../../exchange/wire/brands.js";
import type { UserFill } from "../../exchange/wire/info.js";
import type { IntentId, LegMarket } from "../intent.js";
import { filledSize, type IntentState, type OrderState } from "../intentState.js";
import type { PossiblySentCloid } from "../journal/recovery.js";
import {
  type AccountMode,
  type AccountSnapshot,
  describePool,
  perpPositionOf,
  spotBalanceOf,
  usdcPoolOf,
} from "./accountSnapshot.js";
import { difference, type Inventory } from "./inventory.js";
import {
  accountModeMismatch,
  foreignFillMismatch,
  foreignPositionMismatch,
  type Mismatch,
  perpPositionMismatch,
  possiblySentMismatch,
  restingOrderMismatch,
  spotBalanceMismatch,
  unknownOutcomeMismatch,
  usdcMismatch,
} from "./mismatch.js";

/** What the journal says, as far as reconciliation needs it (a `JournalRecovery` is one). */
export interface ReconcileJournalView {
  /** Root intents not yet closed, with their follow-ups and orders. */
  readonly openIntents: readonly IntentState[];
  /** Reserve-ahead mode: reserved cloids no record explains; the caller probes and releases them first. */
  readonly possiblySent?: readonly PossiblySentCloid[];
}

export interface Tolerances {
  /** Largest |exchange − explained| accepted for the USDC pool; default `"0"`. Sizes are always exact. */
  readonly usdc: WireDecimal;
}

export const DEFAULT_TOLERANCES: Tolerances = { usdc: "0" as WireDecimal };

export interface ReconcileOptions {
  /** The mode the account must be in. */
  readonly accountMode: AccountMode;
  readonly tolerances?: Partial<Tolerances>;
  /**
   * `"mismatch"` (start-up, default): an order still unknown after probing is a mismatch. `"ignore"`: the
   * caller probes on its own and already gates new risk on it (the running executor).
   */
  readonly unknownOutcomes?: "mismatch" | "ignore";
  /**
   * Whether a fill no open intent's order explains is still ours: an order of an intent closed since the
   * window opened (`journaledOrders` at start-up, the executor's memory while running). Default: none.
   */
  readonly isClosedOrder?: (cloid: Cloid | null, oid: number) => boolean;
  /** Fills an earlier successful reconciliation already attributed (the baseline's own): not checked again. */
  readonly attributedTids?: ReadonlySet<number>;
}

/** One configured coin as reconciled: what the executor seeds its position from. */
export interface ReconciledPosition {
  readonly coin: string;
  /** Signed perp position (short < 0): the exchange's, which the journal and the fills both explain. */
  readonly perp: WireDecimal;
  /** Signed spot base the open intents hold: bought net of the base-token fee (+), or sold (−). */
  readonly spot: WireDecimal;
  /** From the legs' signs (short perp + long spot = perpRich), else the open intents'; null when flat. */
  readonly direction: EdgeDirection | null;
  /** The open root intents of this coin. */
  readonly intents: readonly IntentId[];
  /** Exchange time of the first fill of the open intents; null when nothing filled. */
  readonly openedAtMs: number | null;
  /** Volume-weighted prices of the open intents' fills per leg (8 decimals); null when none. */
  readonly entryPerpPx: WireDecimal | null;
  readonly entrySpotPx: WireDecimal | null;
  /** Funding received (+) or paid (−) since the perp position opened (`cumFunding.sinceOpen`, negated). */
  readonly fundingSinceOpen: WireDecimal;
  readonly liquidationPx: WireDecimal | null;
}

export interface ReconciledBalances {
  readonly accountMode: AccountMode;
  /** The USDC pool: spot USDC plus perp collateral (standard), or spot USDC (unified). */
  readonly usdc: WireDecimal;
  readonly usdcSpot: WireDecimal;
  /** Standard accounts only. */
  readonly usdcPerpCollateral: WireDecimal | null;
  /** Each configured coin's spot base token: total and the part held by resting orders. */
  readonly tokens: readonly {
    readonly coin: string;
    readonly token: string;
    readonly total: WireDecimal;
    readonly hold: WireDecimal;
  }[];
  readonly exchangeTimeMs: number;
}

export interface ExplainedEvents {
  /** Fills the expected inventory had not counted, applied now. */
  readonly fills: readonly UserFill[];
  /** Funding payments applied now. */
  readonly funding: number;
}

export type ReconcileResult =
  | {
      readonly ok: true;
      readonly positions: readonly ReconciledPosition[];
      readonly balances: ReconciledBalances;
      /** The expected inventory with the explained events applied: the next baseline. */
      readonly inventory: Inventory;
      readonly explained: ExplainedEvents;
    }
  | {
      readonly ok: false;
      readonly mismatches: readonly Mismatch[];
      readonly inventory: Inventory;
      readonly explained: ExplainedEvents;
    };

const ZERO = parseDecimal("0");
const PRICE_DECIMALS = 8;

export function reconcile(
  snapshot: AccountSnapshot,
  journal: ReconcileJournalView,
  expected: Inventory,
  markets: readonly BasisMarket[],
  options: ReconcileOptions,
): ReconcileResult {
  const mismatches: Mismatch[] = [];
  const tolerances = { ...DEFAULT_TOLERANCES, ...options.tolerances };
  const mode = options.accountMode;
  if (snapshot.accountMode !== mode) mismatches.push(accountModeMismatch(mode, snapshot.abstraction));

  const orders = OrderIndex.of(journal.openIntents);
  if (options.unknownOutcomes !== "ignore") {
    for (const order of orders.all) {
      if (order.status === "unknown") {
        const expiry = `not settled (${order.reason}; it expires at ${order.expiresAfter})`;
        mismatches.push(unknownOutcomeMismatch(order, expiry));
      }
    }
  }
  for (const { cloid } of journal.possiblySent ?? []) {
    mismatches.push(
      possiblySentMismatch(cloid, null, "may be on the exchange and is not resolved: probe it"),
    );
  }
  for (const open of snapshot.openOrders) {
    const order = orders.find(open.cloid ?? null, open.oid);
    mismatches.push(restingOrderMismatch(open, order?.intentId ?? null));
  }

  const inventory = expected.clone();
  const explainedFills: UserFill[] = [];
  for (const fill of snapshot.fills) {
    if (inventory.applyFill(fill).kind === "applied") explainedFills.push(fill);
    if (options.attributedTids?.has(fill.tid) === true) continue;
    if (!inventory.tradesCoin(fill.coin)) {
      mismatches.push(foreignFillMismatch(fill, true));
      continue;
    }
    const cloid = fill.cloid ?? null;
    const ours =
      orders.find(cloid, fill.oid) !== undefined || options.isClosedOrder?.(cloid, fill.oid) === true;
    if (!ours) mismatches.push(foreignFillMismatch(fill, false));
  }
  let funding = 0;
  for (const entry of snapshot.funding) if (inventory.applyFunding(entry)) funding += 1;

  const configured = new Set(markets.map((market) => market.perp.coin));
  for (const { position } of snapshot.perp.assetPositions) {
    if (!configured.has(position.coin) && !isZero(parseDecimal(position.szi))) {
      mismatches.push(foreignPositionMismatch(position.coin, position.szi));
    }
  }

  const positions: ReconciledPosition[] = [];
  for (const market of markets) {
    const exchangePerp = perpPositionOf(snapshot, market.perp.coin);
    const fromFills = inventory.perpPosition(market.perp.coin);
    if (compare(exchangePerp, fromFills) !== 0) {
      mismatches.push(
        perpPositionMismatch(
          market.coin,
          formatDecimal(exchangePerp),
          formatDecimal(fromFills),
          "fills",
          difference(exchangePerp, fromFills),
        ),
      );
    }
    const held = heldByIntents(market, journal.openIntents, orders, snapshot.fills);
    if (compare(exchangePerp, held.perp) !== 0) {
      mismatches.push(
        perpPositionMismatch(
          market.coin,
          formatDecimal(exchangePerp),
          formatDecimal(held.perp),
          "journal",
          difference(exchangePerp, held.perp),
        ),
      );
    }
    const base = market.spot.base;
    const exchangeBase = parseDecimal(spotBalanceOf(snapshot, base.index)?.total ?? "0");
    const explainedBase = inventory.token(base.name);
    if (compare(exchangeBase, explainedBase) !== 0) {
      mismatches.push(
        spotBalanceMismatch(
          market.coin,
          base.name,
          formatDecimal(exchangeBase),
          formatDecimal(explainedBase),
          difference(exchangeBase, explainedBase),
        ),
      );
    }
    positions.push(positionOf(market, snapshot, held));
  }

  const pool = usdcPoolOf(snapshot, snapshot.accountMode ?? mode);
  const explainedUsdc = inventory.usdc;
  if (compare(abs(sub(pool.total, explainedUsdc)), parseDecimal(tolerances.usdc)) > 0) {
    mismatches.push(
      usdcMismatch(
        snapshot.accountMode ?? mode,
        formatDecimal(pool.total),
        describePool(pool, formatDecimal),
        formatDecimal(explainedUsdc),
        difference(pool.total, explainedUsdc),
      ),
    );
  }

  const explained: ExplainedEvents = { fills: explainedFills, funding };
  if (mismatches.length > 0) return { ok: false, mismatches, inventory, explained };
  const balances: ReconciledBalances = {
    accountMode: mode,
    usdc: formatDecimal(pool.total),
    usdcSpot: formatDecimal(pool.spot),
    usdcPerpCollateral: pool.perpCollateral === null ? null : formatDecimal(pool.perpCollateral),
    tokens: markets.map((market) => {
      const balance = spotBalanceOf(snapshot, market.spot.base.index);
      return {
        coin: market.coin,
        token: market.spot.base.name,
        total: formatDecimal(parseDecimal(balance?.total ?? "0")),
        hold: formatDecimal(parseDecimal(balance?.hold ?? "0")),
      };
    }),
    exchangeTimeMs: snapshot.exchangeTimeMs,
  };
  return { ok: true, positions, balances, inventory, explained };
}

// ---------------------------------------------------------------------------------------------------------
// The journal's side

/** The open intents' orders, found by cloid or by oid (a fill may carry either). */
class OrderIndex {
  readonly all: OrderState[] = [];
  readonly #byCloid = new Map<Cloid, OrderState>();
  readonly #byOid = new Map<number, OrderState>();

  static of(intents: readonly IntentState[]): OrderIndex {
    const index = new OrderIndex();
    for (const intent of intents) {
      for (const order of intent.orders) {
        index.all.push(order);
        index.#byCloid.set(order.cloid, order);
        if (order.oid !== null) index.#byOid.set(order.oid, order);
      }
    }
    return index;
  }

  find(cloid: Cloid | null, oid: number): OrderState | undefined {
    return (cloid === null ? undefined : this.#byCloid.get(cloid)) ?? this.#byOid.get(oid);
  }
}

interface OrderFilled {
  readonly order: OrderState;
  /** The larger of the fills known (journal + snapshot) and the exchange's cumulative report. */
  readonly filled: Decimal;
  /** Sum of the known fills' sizes and px × size. */
  readonly executed: Decimal;
  readonly notional: Decimal;
  /** Fees paid in the spot base token (spot buys). */
  readonly baseFee: Decimal;
  readonly lastFillMs: number | null;
}

interface Held {
  /** Signed perp filled by the open intents. */
  readonly perp: Decimal;
  /** Signed spot base, net of base-token fees. */
  readonly spot: Decimal;
  readonly intents: readonly IntentState[];
  readonly orders: readonly OrderFilled[];
}

/**
 * What the open intents of `market` hold, with the snapshot's fills for their orders that the journal has
 * not recorded yet: per order, the larger of (journaled fills + those) and the exchange's cumulative report.
 */
function heldByIntents(
  market: BasisMarket,
  intents: readonly IntentState[],
  orders: OrderIndex,
  fills: readonly UserFill[],
): Held {
  const extra = new Map<OrderState, UserFill[]>();
  for (const fill of fills) {
    const order = orders.find(fill.cloid ?? null, fill.oid);
    if (order === undefined || order.fills.tids.includes(fill.tid)) continue;
    const list = extra.get(order);
    if (list === undefined) extra.set(order, [fill]);
    else list.push(fill);
  }
  const base = market.spot.base.name;
  let perp = ZERO;
  let spot = ZERO;
  const filledOrders: OrderFilled[] = [];
  const mine = intents.filter((intent) => intent.intent.coin === market.coin);
  for (const intent of mine) {
    for (const order of intent.orders) {
      let executed = parseDecimal(order.fills.executedSize);
      let notional = parseDecimal(order.fills.executedNotional);
      let baseFee = feeIn(order.fills.fees, base);
      let lastFillMs = order.fills.lastFillTimeMs;
      for (const fill of extra.get(order) ?? []) {
        const size = parseDecimal(fill.sz);
        executed = add(executed, size);
        notional = add(notional, mul(parseDecimal(fill.px), size));
        if (fill.feeToken === base) baseFee = add(baseFee, parseDecimal(fill.fee));
        lastFillMs = lastFillMs === null ? fill.time : Math.max(lastFillMs, fill.time);
      }
      const reported = parseDecimal(filledSize(order));
      const filled = compare(executed, reported) >= 0 ? executed : reported;
      if (isZero(filled)) continue;
      filledOrders.push({ order, filled, executed, notional, baseFee, lastFillMs });
      if (order.market === "perp") perp = add(perp, order.side === "buy" ? filled : neg(filled));
      else spot = add(spot, order.side === "buy" ? sub(filled, baseFee) : neg(filled));
    }
  }
  return { perp, spot, intents: mine, orders: filledOrders };
}

function feeIn(
  fees: readonly { readonly token: string; readonly amount: WireDecimal }[],
  token: string,
): Decimal {
  let total = ZERO;
  for (const fee of fees) if (fee.token === token) total = add(total, parseDecimal(fee.amount));
  return total;
}

/**
 * Volume-weighted price of the fills that built the position on one leg (the orders on the side that
 * grows it: sells for a short), 8 decimals; null when none.
 */
function entryPrice(held: Held, market: LegMarket, growing: "buy" | "sell"): WireDecimal | null {
  let size = ZERO;
  let notional = ZERO;
  for (const { order, executed, notional: orderNotional } of held.orders) {
    if (order.market !== market || order.side !== growing) continue;
    size = add(size, executed);
    notional = add(notional, orderNotional);
  }
  if (isZero(size)) return null;
  return formatDecimal(divide(notional, size, PRICE_DECIMALS, "halfEven"));
}

function positionOf(market: BasisMarket, snapshot: AccountSnapshot, held: Held): ReconciledPosition {
  const perpSign = sign(held.perp);
  const spotSign = sign(held.spot);
  let direction: EdgeDirection | null = null;
  if (perpSign < 0 && spotSign > 0) direction = "perpRich";
  else if (perpSign > 0 && spotSign < 0) direction = "spotRich";
  else if (perpSign !== 0 || spotSign !== 0) direction = held.intents[0]?.intent.direction ?? null;
  // The fills that opened the legs: perpRich sells the perp and buys spot, spotRich the reverse.
  const shortPerp = direction !== "spotRich";
  const entry = snapshot.perp.assetPositions.find((asset) => asset.position.coin === market.perp.coin);
  let openedAtMs: number | null = null;
  for (const { lastFillMs } of held.orders) {
    if (lastFillMs !== null) openedAtMs = openedAtMs === null ? lastFillMs : Math.min(openedAtMs, lastFillMs);
  }
  return {
    coin: market.coin,
    perp: formatDecimal(held.perp),
    spot: formatDecimal(held.spot),
    direction,
    intents: held.intents.map((intent) => intent.intent.intentId),
    // The journal keeps each order's latest fill time; an IOC's fills land within its short life, so the
    // earliest order's latest fill is the position's first fill to within that lifetime.
    openedAtMs,
    entryPerpPx: entryPrice(held, "perp", shortPerp ? "sell" : "buy"),
    entrySpotPx: entryPrice(held, "spot", shortPerp ? "buy" : "sell"),
    fundingSinceOpen: formatDecimal(neg(parseDecimal(entry?.position.cumFunding.sinceOpen ?? "0"))),
    liquidationPx: entry?.position.liquidationPx ?? null,
  };
}
