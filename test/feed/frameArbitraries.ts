/**
 * fast-check generators of WebSocket frames for the scanner's differential test: book frames in the
 * exchange's shape (random registered and unregistered coins, 0–22 levels a side, decimals with and
 * without trailing zeros, some inexact at the coin's scale, some out of order, random `n` and time),
 * other channels, and mutations of all of them (reordered keys, whitespace, extra and duplicate fields,
 * escapes, number formats JSON allows but the scanner does not take, truncation, garbage).
 */

import fc from "fast-check";

import { legScales, type LegScales } from "../../hotpath/book/scales.js";

export interface CoinSpec {
  readonly coin: string;
  readonly scales: LegScales;
}

/** What the scanner under test is registered for: HYPE perp (price 4 decimals), @107 spot (6), BTC perp (1). */
export const TARGETS: readonly CoinSpec[] = [
  { coin: "HYPE", scales: legScales("perp", 2) },
  { coin: "@107", scales: legScales("spot", 2) },
  { coin: "BTC", scales: legScales("perp", 5) },
];

/** Look-alikes and other coins: prefixes, extensions, names with a slash. */
const OTHER_COINS = ["ETH", "@1", "@10", "@1070", "HYPE2", "HYP", "hype", "PURR/USDC", ""];

/** `units × 10^-decimals` as plain text, with `zeros` trailing zeros appended (`"35"` → `"35.0"`). */
export function decimalText(units: number, decimals: number, zeros: number): string {
  const digits = String(units).padStart(decimals + 1, "0");
  const integer = digits.slice(0, digits.length - decimals);
  const fraction = (decimals > 0 ? digits.slice(digits.length - decimals) : "").replace(/0+$/, "");
  const padded = fraction + "0".repeat(zeros);
  return padded === "" ? integer : `${integer}.${padded}`;
}

type Level = { px: string; sz: string; n: number };

const EXCHANGE_LEVEL_KEYS: readonly (keyof Level)[] = ["px", "sz", "n"];

const levelKeysArb = fc.oneof(
  { weight: 12, arbitrary: fc.constant(EXCHANGE_LEVEL_KEYS) },
  { weight: 1, arbitrary: fc.constantFrom<readonly (keyof Level)[]>(["n", "px", "sz"], ["sz", "px", "n"]) },
);

function orderKeys<T extends object>(value: T, keys: readonly (keyof T)[]): T {
  const out = {} as T;
  for (const key of keys) out[key] = value[key];
  return out;
}

/** Digits beyond the scale, in one side out of 40: non-zero, so the value is inexact at the scale. */
const extraDecimalsArb = fc.oneof(
  { weight: 39, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }) },
);

const ordersArb = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 0, max: 50 }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 40) },
);

/** Mostly a positive step; a zero step repeats a price, which the book must reject. */
const stepArb = fc.oneof(
  { weight: 200, arbitrary: fc.integer({ min: 1, max: 2_000 }) },
  { weight: 1, arbitrary: fc.constant(0) },
);

const sizeArb = fc.oneof(
  { weight: 500, arbitrary: fc.integer({ min: 1, max: 10_000_000 }) },
  { weight: 1, arbitrary: fc.constant(0) },
);

const fixedArray = <T>(item: fc.Arbitrary<T>, length: number): fc.Arbitrary<T[]> =>
  fc.array(item, { minLength: length, maxLength: length });

/**
 * One side: strictly monotone prices (one time in 40 with two levels swapped), random sizes, text with up to
 * two trailing zeros.
 */
function sideArb(scales: LegScales, isBid: boolean): fc.Arbitrary<Level[]> {
  return fc
    .record({
      count: fc.oneof(
        { weight: 12, arbitrary: fc.integer({ min: 0, max: 20 }) },
        { weight: 1, arbitrary: fc.integer({ min: 21, max: 22 }) },
      ),
      start: fc.integer({ min: 1_000, max: 50_000_000 }),
      steps: fixedArray(stepArb, 22),
      sizes: fixedArray(sizeArb, 22),
      orders: fixedArray(ordersArb, 22),
      zeros: fixedArray(fc.integer({ min: 0, max: 2 }), 44),
      priceExtra: extraDecimalsArb,
      sizeExtra: extraDecimalsArb,
      swap: fc.oneof(
        { weight: 39, arbitrary: fc.constant(0) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 1000 }) },
      ),
    })
    .map(({ count, start, steps, sizes, orders, zeros, priceExtra, sizeExtra, swap }) => {
      const levels: Level[] = [];
      let price = start;
      for (let i = 0; i < count; i++) {
        price = isBid ? price - steps[i]! : price + steps[i]!;
        if (price <= 0) break;
        levels.push({
          px: decimalText(
            price * 10 ** priceExtra + (priceExtra > 0 ? 7 : 0),
            scales.priceDecimals + priceExtra,
            zeros[i]!,
          ),
          sz: decimalText(
            sizes[i]! * 10 ** sizeExtra + (sizeExtra > 0 ? 3 : 0),
            scales.sizeDecimals + sizeExtra,
            zeros[22 + i]!,
          ),
          n: orders[i]!,
        });
      }
      if (swap > 0 && levels.length >= 2) {
        const i = swap % levels.length;
        const j = (swap * 7 + 1) % levels.length;
        [levels[i], levels[j]] = [levels[j]!, levels[i]!];
      }
      return levels;
    });
}

const coinSpecArb: fc.Arbitrary<CoinSpec> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...TARGETS) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...OTHER_COINS).map((coin) => ({ coin, scales: legScales("perp", 2) })),
  },
);

const timeArb = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, Number.MAX_SAFE_INTEGER) },
);

const dataKeyOrderArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant(["coin", "time", "book"]) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(["time", "coin", "book"], ["coin", "book", "time"], ["book", "coin", "time"]),
  },
);

const l2BookArb = fc
  .record({
    spec: coinSpecArb,
    time: timeArb,
    keys: dataKeyOrderArb,
    levelKeys: levelKeysArb,
    fast: fc.constantFrom(undefined, undefined, true, false),
    spread: fc.constantFrom(undefined, undefined, undefined, "0.001", "-0.5"),
  })
  .chain((base) =>
    fc.record({
      base: fc.constant(base),
      bids: sideArb(base.spec.scales, true),
      asks: sideArb(base.spec.scales, false),
    }),
  )
  .map(({ base, bids, asks }) => {
    const data: Record<string, unknown> = {};
    for (const key of base.keys) {
      if (key === "coin") data["coin"] = base.spec.coin;
      else if (key === "time") data["time"] = base.time;
      else
        data["levels"] = [
          bids.map((l) => orderKeys(l, base.levelKeys)),
          asks.map((l) => orderKeys(l, base.levelKeys)),
        ];
    }
    if (base.fast !== undefined) data["fast"] = base.fast;
    if (base.spread !== undefined) data["spread"] = base.spread;
    return JSON.stringify({ channel: "l2Book", data });
  });

const bboArb = fc
  .record({
    spec: coinSpecArb,
    time: timeArb,
    keys: dataKeyOrderArb,
    bidNull: fc.boolean(),
    askNull: fc.boolean(),
  })
  .chain((base) =>
    fc.record({
      base: fc.constant(base),
      bids: sideArb(base.spec.scales, true),
      asks: sideArb(base.spec.scales, false),
    }),
  )
  .map(({ base, bids, asks }) => {
    const bid = base.bidNull ? null : (bids[0] ?? null);
    const ask = base.askNull ? null : (asks[0] ?? null);
    const data: Record<string, unknown> = {};
    for (const key of base.keys) {
      if (key === "coin") data["coin"] = base.spec.coin;
      else if (key === "time") data["time"] = base.time;
      else data["bbo"] = [bid, ask];
    }
    return JSON.stringify({ channel: "bbo", data });
  });

const otherFrameArb = fc.constantFrom(
  '{"channel":"pong"}',
  '{"channel":"error","data":"Invalid subscription {\\"type\\":\\"l2Book\\"}"}',
  '{"channel":"subscriptionResponse","data":{"method":"subscribe","subscription":{"type":"l2Book","coin":"HYPE","nSigFigs":null,"mantissa":null}}}',
  '{"channel":"trades","data":[{"coin":"HYPE","side":"A","px":"21.269","sz":"7.78","time":1736682877317,"hash":"0x0190932c67e6b94b2bc6041b482c76013b00c5a4dc99c1611ca5bdc1edcd2786","tid":185481619581124,"users":["0x010461c14e146ac35fe42271bdc1134ee31c703a","0x475d0900e45e9d9f4661f30e616e2395da592720"]}]}',
  '{"channel":"post","data":{"id":7,"response":{"type":"error","payload":"timeout"}}}',
  '{"channel":"allMids","data":{"mids":{"HYPE":"21.2","@107":"21.1"}}}',
  '{"channel":"candle","data":{}}',
  "Websocket connection established.",
);

/** A frame before mutation. */
export const baseFrameArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: l2BookArb },
  { weight: 3, arbitrary: bboArb },
  { weight: 1, arbitrary: otherFrameArb },
);

const GARBAGE = [
  '"',
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  "0",
  "7",
  ".",
  "-",
  "e",
  "\\",
  " ",
  "\n",
  "n",
  "x",
  "\u00e9",
  "\u0000",
];

/** A position in `text` from a uniform random integer. */
function at(text: string, random: number): number {
  return random % (text.length + 1);
}

type Mutation = (text: string) => string;

/**
 * Where in the frame to edit (reduced modulo its length). Unbiased: fast-check otherwise favours small
 * values, and doubles in [0, 1) are spread over their bit patterns, i.e. mostly near 0.
 */
const positionArb = fc.noBias(fc.integer({ min: 0, max: 2 ** 30 }));

/** One edit of the serialised frame. */
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 30, arbitrary: fc.constant((text: string) => text) },
  {
    weight: 3,
    arbitrary: fc.tuple(positionArb, fc.constantFrom(" ", "\n", "\t", "\r")).map(
      ([p, ws]) =>
        (text: string) =>
          text.slice(0, at(text, p)) + ws + text.slice(at(text, p)),
    ),
  },
  { weight: 4, arbitrary: positionArb.map((p) => (text: string) => text.slice(0, at(text, p))) },
  {
    weight: 4,
    arbitrary: fc.tuple(positionArb, fc.constantFrom(...GARBAGE)).map(
      ([p, c]) =>
        (text: string) =>
          text.slice(0, at(text, p)) + c + text.slice(at(text, p) + 1),
    ),
  },
  {
    weight: 3,
    arbitrary: fc.tuple(positionArb, fc.constantFrom(...GARBAGE)).map(
      ([p, c]) =>
        (text: string) =>
          text.slice(0, at(text, p)) + c + text.slice(at(text, p)),
    ),
  },
  {
    weight: 3,
    arbitrary: positionArb.map(
      (p) => (text: string) => text.slice(0, at(text, p)) + text.slice(at(text, p) + 1),
    ),
  },
  {
    // Numbers JSON.parse accepts but the scanner does not take.
    weight: 3,
    arbitrary: fc.constantFrom<Mutation>(
      (text) =>
        text.replace(/"time":(\d)(\d*)/, (_m, a: string, b: string) => `"time":${a}.${b}e${b.length}`),
      (text) => text.replace(/"n":(\d+)/, '"n":$1.0'),
      (text) => text.replace(/"n":(\d+)/, '"n":$1e0'),
      (text) => text.replace(/"time":\d+/, '"time":-0'),
      (text) => text.replace(/"n":\d+/, '"n":-0'),
    ),
  },
  {
    // Escapes that decode to the same text.
    weight: 3,
    arbitrary: fc.constantFrom<Mutation>(
      (text) => text.replace('"coin":"H', '"coin":"\\u0048'),
      (text) => text.replace('"coin":"@', '"coin":"\\u0040'),
      (text) => text.replace(/"px":"(\d)/, (_m, d: string) => `"px":"\\u003${d}`),
      (text) => text.replace('"channel":"l', '"channel":"\\u006c'),
      (text) => text.replace('"px"', '"p\\u0078"'),
    ),
  },
  {
    // Extra, duplicate and moved fields.
    weight: 4,
    arbitrary: fc.constantFrom<Mutation>(
      (text) => text.replace('"data":{', '"data":{"extra":[1,{"a":null}],'),
      (text) => text.replace('"data":{', '"data":{"time":5,'),
      (text) => text.replace('"data":{', '"data":{"coin":"ETH",'),
      (text) => text.replace(/,"n":(\d+)\}/, ',"n":$1,"o":2}'),
      (text) => `${text.slice(0, -1)},"extra":true}`,
      (text) => `${text.slice(0, -1)},"channel":"pong"}`,
      (text) => text.replace('{"channel":', '{"id":1,"channel":'),
      (text) => text.replace(/"sz":"([^"]*)"/, '"sz":$1'),
      (text) => text.replace("null", "{}"),
      (text) => text.replace("[[", "[[],["),
    ),
  },
);

/** A frame and a mutation of it; most are left unchanged. */
export const frameArb: fc.Arbitrary<string> = fc
  .tuple(
    baseFrameArb,
    mutationArb,
    fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: mutationArb }),
  )
  .map(([frame, first, second]) => (second === null ? first(frame) : second(first(frame))));
