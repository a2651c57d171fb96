/**
 * Shared fixtures for the simulator core's tests: addresses, a quiet core, and book accessors.
 */
import { toAddress, type Address } from "../../../hotpath/exchange/wire/brands.js";
import { ExchangeCore, type ExchangeCoreOptions } from "./exchangeCore.js";
import { formatFx, parseFx } from "./fixed.js";
import { HYPE_PAIR } from "./markets.js";

export const ALICE: Address = toAddress(`0x${"a1".repeat(20)}`);
export const BOB: Address = toAddress(`0x${"b2".repeat(20)}`);
export const CAROL: Address = toAddress(`0x${"c3".repeat(20)}`);

export const PERP = HYPE_PAIR.perp.asset;
export const SPOT = HYPE_PAIR.spot.asset;
export const PERP_COIN = HYPE_PAIR.perp.coin;
export const SPOT_COIN = HYPE_PAIR.spot.coin;

export const START = Date.UTC(2026, 0, 1);

/** A core without the model's own market flow, so books only change through the test's actions. */
export function quietCore(options: ExchangeCoreOptions = {}): ExchangeCore {
  return new ExchangeCore({ seed: 42, startTimeMs: START, takerFlow: false, ...options });
}

export interface Touch {
  readonly bid: bigint;
  readonly ask: bigint;
  readonly bidSz: bigint;
  readonly askSz: bigint;
}

export function touch(core: ExchangeCore, coin: string): Touch {
  const book = core.l2Book(coin, 1);
  const bid = book?.levels[0][0];
  const ask = book?.levels[1][0];
  if (bid === undefined || ask === undefined) throw new Error(`no two-sided book for ${coin}`);
  return { bid: parseFx(bid.px), ask: parseFx(ask.px), bidSz: parseFx(bid.sz), askSz: parseFx(ask.sz) };
}

/** A price strictly inside the spread (the model keeps several ticks between the touches). */
export function insideSpread(core: ExchangeCore, coin: string, fromBid: boolean): string {
  const { bid, ask } = touch(core, coin);
  const tick = parseFx("0.001");
  if (ask - bid < 3n * tick) throw new Error("spread too narrow for the test");
  return formatFx(fromBid ? bid + tick : ask - tick);
}

export const fx = parseFx;
export const str = formatFx;
