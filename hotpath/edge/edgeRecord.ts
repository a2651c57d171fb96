/**
 * The immutable record of one computed edge, with a process-wide monotonic id: what the decision, the
 * journal and the edge stream see. It carries the result and every input that produced it — the parameters
 * verbatim, and the books by identity (coin, sequence, exchange and receive times, touch), since the full
 * levels are reproducible from the recorded frames and would make every record ~1 KB.
 *
 * Allocation happens here and only here: `recordEdge` builds one frozen object tree (sizes as exact
 * `WireDecimal` strings) when the caller decides to emit an edge, never on the per-frame path, which only
 * fills an `EdgeScratch`.
 */

import type { LegBook } from "../book/legBook.js";
import type { MarketBooks } from "../book/marketBooks.js";
import { fromScaledNumber } from "../exchange/decimal/scaled.js";
import type { WireDecimal } from "../exchange/wire/brands.js";
import type { EdgeDirection } from "./direction.js";
import type { EdgeParams } from "./edgeParams.js";
import type { ClipLimit, EdgeScratch, EdgeStatus } from "./edgeScratch.js";
import { FEE_RATE_DECIMALS, type FeeRates } from "./feeRates.js";
import { DUST_EXTRA_DECIMALS } from "./hedgeSizing.js";
import type { EdgeRiskCap } from "./riskCap.js";

/** Hands out edge ids: strictly increasing within the process. Share one between all markets. */
export class EdgeIdSequence {
  private last = 0;
  next(): number {
    this.last += 1;
    return this.last;
  }
}

export interface EdgeLegRecord {
  /** Wire coin of the leg. */
  readonly coin: string;
  readonly side: "buy" | "sell";
  readonly lots: number;
  /** Size in base units, exact. */
  readonly size: WireDecimal;
  /** Executable VWAP across levels, USDC. */
  readonly vwap: number;
  /** Notional, USDC, exact. */
  readonly notional: WireDecimal;
}

/** Which book state an edge was computed from. */
export interface BookStamp {
  readonly coin: string;
  readonly sequence: number;
  readonly exchangeTimeMs: number;
  /** Local monotonic ms (`performance.now()` clock). */
  readonly receivedAtMs: number;
  /** USDC; NaN when the side is empty. */
  readonly bestBid: number;
  readonly bestAsk: number;
  readonly bidLevels: number;
  readonly askLevels: number;
}

export interface EdgeInputsRecord {
  readonly clipSize: WireDecimal;
  /** Rates as fractions, exact (`"0.00045"` = 4.5 bps). */
  readonly fees: { readonly [K in keyof FeeRates]: WireDecimal };
  readonly fundingRatePerHour: number;
  readonly holdingHours: number;
  /** The oracle input; NaN = the spot mid was used. */
  readonly oraclePx: number;
  /** Limits as given (quantity units and micro-USDC; Infinity = none). */
  readonly riskCap: EdgeRiskCap;
  readonly perpBook: BookStamp;
  readonly spotBook: BookStamp;
}

export interface EdgeRecord {
  readonly id: number;
  /** The configured coin. */
  readonly coin: string;
  readonly direction: EdgeDirection;
  readonly status: EdgeStatus;
  /** Local monotonic ms at which the record was made. */
  readonly recordedAtMs: number;
  readonly grossBps: number;
  readonly netBps: number;
  readonly entryFeeBps: number;
  readonly exitFeeBps: number;
  readonly exitCrossingBps: number;
  readonly fundingBps: number;
  readonly clipLimit: ClipLimit;
  readonly perp: EdgeLegRecord;
  readonly spot: EdgeLegRecord;
  /** Quantity held on both legs after entry. */
  readonly hedgedSize: WireDecimal;
  /** Base token left unhedged by the spot buy's fee (perpRich), exact; `"0"` for spotRich. */
  readonly spotDust: WireDecimal;
  readonly exit: {
    readonly perpVwap: number;
    readonly spotVwap: number;
    readonly depthShort: boolean;
    readonly perpMid: number;
    readonly spotMid: number;
  };
  /** The price funding was computed on. */
  readonly fundingPx: number;
  readonly inputs: EdgeInputsRecord;
}

function stamp(book: LegBook): BookStamp {
  const priceScale = book.scales.priceScale;
  return Object.freeze({
    coin: book.coin,
    sequence: book.sequence,
    exchangeTimeMs: book.exchangeTimeMs,
    receivedAtMs: book.receivedAtMs,
    bestBid: book.bids.bestPrice() / priceScale,
    bestAsk: book.asks.bestPrice() / priceScale,
    bidLevels: book.bids.depth,
    askLevels: book.asks.depth,
  });
}

function legRecord(
  book: LegBook,
  side: "buy" | "sell",
  lots: number,
  notional: number,
  vwap: number,
): EdgeLegRecord {
  const { sizeDecimals, notionalDecimals } = book.scales;
  return Object.freeze({
    coin: book.coin,
    side,
    lots,
    size: fromScaledNumber(lots, sizeDecimals),
    vwap,
    notional: fromScaledNumber(notional, notionalDecimals),
  });
}

function rate(units: number): WireDecimal {
  return fromScaledNumber(units, FEE_RATE_DECIMALS);
}

/** Freezes `scratch` (computed from `books` with `params`) into a record with the next id. */
export function recordEdge(
  scratch: EdgeScratch,
  books: MarketBooks,
  params: EdgeParams,
  ids: EdgeIdSequence,
  recordedAtMs: number,
): EdgeRecord {
  const perpRich = scratch.direction === "perpRich";
  const qtyDecimals = books.scales.qtyDecimals;
  const fees = params.fees;
  return Object.freeze({
    id: ids.next(),
    coin: books.coin,
    direction: scratch.direction,
    status: scratch.status,
    recordedAtMs,
    grossBps: scratch.grossBps,
    netBps: scratch.netBps,
    entryFeeBps: scratch.entryFeeBps,
    exitFeeBps: scratch.exitFeeBps,
    exitCrossingBps: scratch.exitCrossingBps,
    fundingBps: scratch.fundingBps,
    clipLimit: scratch.clipLimit,
    perp: legRecord(
      books.perp,
      perpRich ? "sell" : "buy",
      scratch.perpLots,
      scratch.perpNotional,
      scratch.perpVwap,
    ),
    spot: legRecord(
      books.spot,
      perpRich ? "buy" : "sell",
      scratch.spotLots,
      scratch.spotNotional,
      scratch.spotVwap,
    ),
    hedgedSize: fromScaledNumber(scratch.hedgedQty, qtyDecimals),
    spotDust: fromScaledNumber(scratch.dustUnits, qtyDecimals + DUST_EXTRA_DECIMALS),
    exit: Object.freeze({
      perpVwap: scratch.exitPerpVwap,
      spotVwap: scratch.exitSpotVwap,
      depthShort: scratch.exitDepthShort,
      perpMid: scratch.perpMid,
      spotMid: scratch.spotMid,
    }),
    fundingPx: scratch.fundingPx,
    inputs: Object.freeze({
      clipSize: fromScaledNumber(params.clipQty, qtyDecimals),
      fees: Object.freeze({
        perpTaker: rate(fees.perpTaker),
        perpMaker: rate(fees.perpMaker),
        spotTaker: rate(fees.spotTaker),
        spotMaker: rate(fees.spotMaker),
      }),
      fundingRatePerHour: params.fundingRatePerHour,
      holdingHours: params.holdingHours,
      oraclePx: params.oraclePx,
      riskCap: Object.freeze({ ...params.riskCap }),
      perpBook: stamp(books.perp),
      spotBook: stamp(books.spot),
    }),
  });
}
