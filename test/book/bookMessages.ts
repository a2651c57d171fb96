/**
 * Test helpers for books: decoded `l2Book` / `bbo` messages built from level text, the HYPE market's books,
 * and reading a book side back as plain tuples for comparison.
 */

import { MarketBooks, type MarketBooksSpec } from "../../hotpath/book/marketBooks.js";
import type { BookSide } from "../../hotpath/book/bookSide.js";
import { asWireDecimal } from "../../hotpath/exchange/wire/brands.js";
import type { L2Level } from "../../hotpath/exchange/wire/info.js";
import type { WsBboMessage, WsL2BookMessage } from "../../hotpath/exchange/wire/ws.js";

/** `[px, sz, n]` as the exchange writes them; `n` defaults to 1. */
export type LevelText = readonly [px: string, sz: string, n?: number];

export const HYPE_SPEC: MarketBooksSpec = {
  coin: "HYPE",
  perpCoin: "HYPE",
  spotCoin: "@107",
  perpSzDecimals: 2,
  spotSzDecimals: 2,
};

export function hypeBooks(): MarketBooks {
  return new MarketBooks(HYPE_SPEC);
}

export function level([px, sz, n = 1]: LevelText): L2Level {
  return { px: asWireDecimal(px), sz: asWireDecimal(sz), n };
}

export function l2BookMessage(
  coin: string,
  time: number,
  bids: readonly LevelText[],
  asks: readonly LevelText[],
): WsL2BookMessage {
  return { channel: "l2Book", data: { coin, time, levels: [bids.map(level), asks.map(level)] } };
}

export function bboMessage(
  coin: string,
  time: number,
  bid: LevelText | null,
  ask: LevelText | null,
): WsBboMessage {
  return {
    channel: "bbo",
    data: { coin, time, bbo: [bid === null ? null : level(bid), ask === null ? null : level(ask)] },
  };
}

/** The stored levels of a side as `[price units, lots, n]`. */
export function levelsOf(side: BookSide): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let i = 0; i < side.depth; i++) out.push([side.prices[i]!, side.sizes[i]!, side.orders[i]!]);
  return out;
}
