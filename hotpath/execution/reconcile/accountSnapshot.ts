/**
 * One consistent picture of the account on the exchange: account mode, perp state, spot balances, resting
 * orders, and every fill and funding payment since given times — read over HTTP (`/info`), decoded.
 *
 * Consistency: the requests are separate, and a fill or funding payment landing between them would make
 * the state disagree with the event lists. So the events are read before and after the state; when the
 * second read shows anything new, the snapshot is torn and read again (up to `maxAttempts`). A snapshot
 * that is returned therefore has every event that is reflected in its state, and its state reflects every
 * event it lists.
 *
 * Events are paged with `userFillsByTime` / `userFunding` from the start time (each response holds at most
 * 500–2000 entries, PROTOCOL §4.5): the next page starts at the newest time seen, and ids already seen are
 * dropped, until a page brings nothing new. The exchange keeps only the 10 000 most recent fills reachable;
 * reconcile often enough that the window stays far below that.
 */

import { ExchangeHttpError, type ExchangeHttpClient } from "../../exchange/http/httpClient.js";
import { add, type Decimal, parseDecimal, sub } from "../../exchange/decimal/decimal.js";
import type { DecodeResult } from "../../exchange/wire/decode-common.js";
import type { Address, WireDecimal } from "../../exchange/wire/brands.js";
import type {
  ClearinghouseState,
  OpenOrder,
  SpotBalance,
  SpotClearinghouseState,
  UserFill,
  UserFundingEntry,
} from "../../exchange/wire/info.js";
import {
  decodeClearinghouseState,
  decodeOpenOrders,
  decodeSpotClearinghouseState,
  decodeUserAbstraction,
  decodeUserFills,
  decodeUserFunding,
} from "./accountDecoders.js";
import { AccountReadError } from "./errors.js";
import { fundingKey, USDC } from "./inventory.js";

/** The two account modes the reconciler understands (PROTOCOL §10.1). */
export type AccountMode = "standard" | "unified";

/** `"disabled"` → standard, `"unifiedAccount"` → unified; anything else (portfolio margin, legacy) → null. */
export function accountModeOf(abstraction: string): AccountMode | null {
  if (abstraction === "disabled") return "standard";
  if (abstraction === "unifiedAccount") return "unified";
  return null;
}

export interface AccountSnapshot {
  /** The master (or sub-account) address read — never the agent's, which reads as an empty account. */
  readonly address: Address;
  /** `userAbstraction` as the exchange answered it. */
  readonly abstraction: string;
  readonly accountMode: AccountMode | null;
  /** Exchange time of the perp state (`clearinghouseState.time`). */
  readonly exchangeTimeMs: number;
  readonly perp: ClearinghouseState;
  readonly spot: SpotClearinghouseState;
  readonly openOrders: readonly OpenOrder[];
  /** Every fill at or after `fillsSinceMs`, oldest first, one per `tid`. */
  readonly fills: readonly UserFill[];
  readonly fillsSinceMs: number;
  /** Every funding payment at or after `fundingSinceMs`, oldest first. */
  readonly funding: readonly UserFundingEntry[];
  readonly fundingSinceMs: number;
  /** Reads it took to get a snapshot no event tore. */
  readonly attempts: number;
}

export interface SnapshotRequest {
  readonly address: Address;
  readonly fillsSinceMs: number;
  readonly fundingSinceMs: number;
  /** Default 3. */
  readonly maxAttempts?: number;
  /** Pages per event list; default 10 (≥ 5 000 fills). */
  readonly maxPages?: number;
}

const DEFAULT_MAX_ATTEMPTS = 3;
const DEFAULT_MAX_PAGES = 10;
/** The smallest page size the docs give for time-range responses: a shorter page is the last one. */
const SMALLEST_PAGE = 500;

export async function readAccountSnapshot(
  http: ExchangeHttpClient,
  request: SnapshotRequest,
): Promise<AccountSnapshot> {
  const { address } = request;
  const maxAttempts = request.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const maxPages = request.maxPages ?? DEFAULT_MAX_PAGES;
  const reader = new AccountReader(http, address, maxPages);
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const abstraction = await reader.abstraction();
    const fills = await reader.fills(request.fillsSinceMs);
    const funding = await reader.funding(request.fundingSinceMs);
    const [perp, spot, openOrders] = await Promise.all([
      reader.clearinghouseState(),
      reader.spotClearinghouseState(),
      reader.openOrders(),
    ]);
    const laterFills = await reader.fills(newestTime(fills, request.fillsSinceMs));
    const laterFunding = await reader.funding(newestTime(funding, request.fundingSinceMs));
    const seenTids = new Set(fills.map((fill) => fill.tid));
    const seenFunding = new Set(funding.map(fundingKey));
    const torn =
      laterFills.some((fill) => !seenTids.has(fill.tid)) ||
      laterFunding.some((entry) => !seenFunding.has(fundingKey(entry)));
    if (torn) continue;
    return {
      address,
      abstraction,
      accountMode: accountModeOf(abstraction),
      exchangeTimeMs: perp.time,
      perp,
      spot,
      openOrders,
      fills,
      fillsSinceMs: request.fillsSinceMs,
      funding,
      fundingSinceMs: request.fundingSinceMs,
      attempts: attempt,
    };
  }
  throw new AccountReadError(
    "unstable",
    "userFillsByTime",
    `fills or funding kept arriving while the account was read (${maxAttempts} attempts); ` +
      `reconcile when the account is quiet`,
  );
}

/** `userAbstraction` of `address`, one request, decoded. Throws `AccountReadError`. */
export function readAbstraction(http: ExchangeHttpClient, address: Address): Promise<string> {
  return new AccountReader(http, address, 1).abstraction();
}

function newestTime(events: readonly { readonly time: number }[], fallback: number): number {
  let newest = fallback;
  for (const event of events) if (event.time > newest) newest = event.time;
  return newest;
}

/** The typed, decoded requests of one snapshot. */
class AccountReader {
  constructor(
    private readonly http: ExchangeHttpClient,
    private readonly address: Address,
    private readonly maxPages: number,
  ) {}

  async abstraction(): Promise<string> {
    const body = await this.#info("userAbstraction", () =>
      this.http.info({ type: "userAbstraction", user: this.address }),
    );
    return decoded("userAbstraction", decodeUserAbstraction(body));
  }

  async clearinghouseState(): Promise<ClearinghouseState> {
    const body = await this.#info("clearinghouseState", () =>
      this.http.info({ type: "clearinghouseState", user: this.address }),
    );
    return decoded("clearinghouseState", decodeClearinghouseState(body));
  }

  async spotClearinghouseState(): Promise<SpotClearinghouseState> {
    const body = await this.#info("spotClearinghouseState", () =>
      this.http.info({ type: "spotClearinghouseState", user: this.address }),
    );
    return decoded("spotClearinghouseState", decodeSpotClearinghouseState(body));
  }

  async openOrders(): Promise<readonly OpenOrder[]> {
    const body = await this.#info("openOrders", () =>
      this.http.info({ type: "openOrders", user: this.address }),
    );
    return decoded("openOrders", decodeOpenOrders(body));
  }

  fills(sinceMs: number): Promise<UserFill[]> {
    return this.#paged(
      "userFillsByTime",
      sinceMs,
      async (startTime) =>
        decoded(
          "userFillsByTime",
          decodeUserFills(
            await this.#info("userFillsByTime", () =>
              this.http.info({ type: "userFillsByTime", user: this.address, startTime }),
            ),
            "userFillsByTime",
          ),
        ),
      (fill) => String(fill.tid),
    );
  }

  funding(sinceMs: number): Promise<UserFundingEntry[]> {
    return this.#paged(
      "userFunding",
      sinceMs,
      async (startTime) =>
        decoded(
          "userFunding",
          decodeUserFunding(
            await this.#info("userFunding", () =>
              this.http.info({ type: "userFunding", user: this.address, startTime }),
            ),
          ),
        ),
      fundingKey,
    );
  }

  /** Pages a time-range query forward from `sinceMs`; oldest first, one entry per key. */
  async #paged<T extends { readonly time: number }>(
    request: string,
    sinceMs: number,
    page: (startTime: number) => Promise<readonly T[]>,
    keyOf: (event: T) => string,
  ): Promise<T[]> {
    const byKey = new Map<string, T>();
    let startTime = sinceMs;
    for (let pages = 0; pages < this.maxPages; pages++) {
      const events = await page(startTime);
      let added = 0;
      let newest = startTime;
      for (const event of events) {
        const key = keyOf(event);
        if (!byKey.has(key)) {
          byKey.set(key, event);
          added += 1;
        }
        if (event.time > newest) newest = event.time;
      }
      const complete = added === 0 || events.length < SMALLEST_PAGE;
      if (complete) return [...byKey.values()].sort((a, b) => a.time - b.time);
      if (newest === startTime) {
        throw new AccountReadError(
          "tooManyEvents",
          request,
          `a full page of entries at one millisecond (${startTime}): paging by time cannot get past it`,
        );
      }
      startTime = newest;
    }
    throw new AccountReadError(
      "tooManyEvents",
      request,
      `more than ${this.maxPages} pages since ${sinceMs}; reconcile more often, or raise maxPages`,
    );
  }

  async #info<T>(request: string, send: () => Promise<T>): Promise<unknown> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof ExchangeHttpError) {
        throw new AccountReadError("http", request, error.message, { cause: error });
      }
      throw error;
    }
  }
}

function decoded<T>(request: string, result: DecodeResult<T>): T {
  if (result.ok) return result.value;
  throw new AccountReadError("decode", request, result.error.message, { cause: result.error });
}

// ---------------------------------------------------------------------------------------------------------
// Reading figures off a snapshot

/** The signed perp position in `coin` (0 when the exchange lists none). */
export function perpPositionOf(snapshot: AccountSnapshot, coin: string): Decimal {
  const entry = snapshot.perp.assetPositions.find((asset) => asset.position.coin === coin);
  return parseDecimal(entry?.position.szi ?? "0");
}

/** The spot balance of the token with this index (its `index` in `spotMeta.tokens`). */
export function spotBalanceOf(snapshot: AccountSnapshot, tokenIndex: number): SpotBalance | undefined {
  return snapshot.spot.balances.find((balance) => balance.token === tokenIndex);
}

export interface UsdcPool {
  /** Everything, as the inventory counts it (see `inventory.ts`). */
  readonly total: Decimal;
  readonly spot: Decimal;
  /** Perp collateral (`accountValue − Σ unrealizedPnl`) on a standard account; null on a unified one. */
  readonly perpCollateral: Decimal | null;
}

/**
 * The account's USDC as one pool: spot USDC plus perp collateral on a standard account, spot USDC alone on a
 * unified account, where spot USDC is the collateral and the perp state shows the same money again.
 */
export function usdcPoolOf(snapshot: AccountSnapshot, mode: AccountMode, usdcTokenIndex = 0): UsdcPool {
  const spotBalance = spotBalanceOf(snapshot, usdcTokenIndex);
  const spot = parseDecimal(spotBalance?.total ?? "0");
  if (spotBalance !== undefined && spotBalance.coin !== USDC) {
    // Token 0 is USDC on the main dex; a different name means the index assumption is wrong.
    throw new AccountReadError(
      "decode",
      "spotClearinghouseState",
      `token ${usdcTokenIndex} is ${spotBalance.coin}, expected ${USDC}`,
    );
  }
  if (mode === "unified") return { total: spot, spot, perpCollateral: null };
  let unrealized = parseDecimal("0");
  for (const { position } of snapshot.perp.assetPositions) {
    unrealized = add(unrealized, parseDecimal(position.unrealizedPnl));
  }
  const perpCollateral = sub(parseDecimal(snapshot.perp.marginSummary.accountValue), unrealized);
  return { total: add(spot, perpCollateral), spot, perpCollateral };
}

/** A snapshot's balances as plain decimal strings, for logs and the reconciled result. */
export function describePool(pool: UsdcPool, format: (value: Decimal) => WireDecimal): string {
  return pool.perpCollateral === null
    ? `spot ${format(pool.spot)}`
    : `spot ${format(pool.spot)} + perp collateral ${format(pool.perpCollateral)}`;
}
