/**
 * The paper venue on fixed books: IOC orders fill at the levels' prices up to the limit, level by level, a
 * thin book fills partially and the IOC remainder is cancelled, fees are charged per fill in the exchange's
 * fee token (a spot buy in the base token), liquidity taken stays taken until the next frame, and the
 * answers are the exchange's frames (post answer, `orderUpdates`, `userFills` and `userEvents`), delivered
 * a turn later through the order socket's decoder. Refusals carry the exchange's texts. Every expected
 * number is worked out by hand in exact decimals.
 */

import { randomBytes } from "node:crypto";
import { setImmediate as nextTurn } from "node:timers/promises";

import { beforeEach, describe, expect, it } from "vitest";

import { parseDecimal, sub } from "../../hotpath/exchange/decimal/decimal.js";
import { marketScalesOf } from "../../hotpath/book/scales.js";
import { clipQtyOf, type EdgeParams } from "../../hotpath/edge/edgeParams.js";
import { EdgeIdSequence } from "../../hotpath/edge/edgeRecord.js";
import { feeRatesFromBps } from "../../hotpath/edge/feeRates.js";
import { riskCapFromDecimals } from "../../hotpath/edge/riskCap.js";
import type { BasisMarket } from "../../hotpath/exchange/registry/market.js";
import { createSigner, signL1Action } from "../../hotpath/exchange/signing/index.js";
import { orderAction, type OrderSpec } from "../../hotpath/exchange/wire/actions.js";
import { asWireDecimal, toAddress, toCloid, toHex, type Cloid } from "../../hotpath/exchange/wire/brands.js";
import type { ExchangeRequest, ExchangeResponse } from "../../hotpath/exchange/wire/exchange.js";
import type { UserFill } from "../../hotpath/exchange/wire/info.js";
import type { WsInboundMessage, WsOrderUpdate, WsUserFunding } from "../../hotpath/exchange/wire/ws.js";
import type { OrderChannelHandlers } from "../../hotpath/execution/orderChannel.js";
import { MarketFeed } from "../../hotpath/feed/marketFeed.js";
import { createLogger } from "../../hotpath/observability/logger.js";
import { PaperAccount } from "../../hotpath/paper/paperAccount.js";
import { PaperVenue } from "../../hotpath/paper/paperVenue.js";
import { hypeBooks, l2BookMessage, type LevelText } from "../book/bookMessages.js";

const T0 = 1_767_225_600_000;
const USER = toAddress(`0x${"ab".repeat(20)}`);
const signer = createSigner(`0x${randomBytes(32).toString("hex")}`);

const MARKET: BasisMarket = {
  coin: "HYPE",
  perp: { kind: "perp", coin: "HYPE", assetId: 159, szDecimals: 2, maxLeverage: 5 },
  spot: {
    kind: "spot",
    wsCoin: "@107",
    assetId: 10107,
    pairIndex: 107,
    pairName: "@107",
    szDecimals: 2,
    base: { index: 150, name: "HYPE", tokenId: toHex(`0x${"0d".repeat(16)}`), szDecimals: 2, weiDecimals: 8 },
    quote: { index: 0, name: "USDC", tokenId: toHex(`0x${"6d".repeat(16)}`), szDecimals: 8, weiDecimals: 8 },
  },
};

/** Perp: asks 40.01 × 1.5, 40.02 × 2, 40.05 × 10; bids 40 × 3, 39.99 × 1. Spot one cent lower. */
const PERP_ASKS: LevelText[] = [
  ["40.01", "1.5"],
  ["40.02", "2"],
  ["40.05", "10"],
];
const PERP_BIDS: LevelText[] = [
  ["40", "3"],
  ["39.99", "1"],
];
const SPOT_ASKS: LevelText[] = [
  ["40", "0.5"],
  ["40.01", "4"],
];
const SPOT_BIDS: LevelText[] = [
  ["39.99", "1.25"],
  ["39.98", "2"],
];

interface Received {
  readonly answers: { postId: number; response: ExchangeResponse }[];
  readonly updates: WsOrderUpdate[];
  readonly userFills: UserFill[];
  readonly userEventFills: UserFill[];
  readonly fundings: WsUserFunding[];
  readonly lost: number[];
}

let feed: MarketFeed;
let account: PaperAccount;
let venue: PaperVenue;
let received: Received;
let nonce: number;
let cloids: number;

beforeEach(() => {
  const books = hypeBooks();
  const scales = marketScalesOf(MARKET);
  const params: EdgeParams = Object.freeze({
    clipQty: clipQtyOf("1", scales),
    fees: feeRatesFromBps({ perpTaker: "4.5", perpMaker: "1.5", spotTaker: "7", spotMaker: "4" }),
    fundingRatePerHour: 0,
    holdingHours: 8,
    oraclePx: Number.NaN,
    riskCap: riskCapFromDecimals(
      { maxClip: "5", notionalHeadroomUsdc: "1000", spotQuoteAvailableUsdc: null, spotBaseAvailable: null },
      scales,
    ),
  });
  feed = MarketFeed.create(books, params, new EdgeIdSequence(), { staleAfterMs: 5_000, maxLegSkewMs: 500 });
  setBooks(T0);
  account = new PaperAccount({
    spotUsdc: "1000",
    perpUsdc: "1000",
    spotTokens: { HYPE: "5" },
    perpLeverage: 3,
  });
  received = { answers: [], updates: [], userFills: [], userEventFills: [], fundings: [], lost: [] };
  const handlers: OrderChannelHandlers = {
    opened: () => {},
    response: (postId, response) => {
      if (response.type === "action") received.answers.push({ postId, response: response.payload });
    },
    timedOut: () => {},
    lost: (postIds) => received.lost.push(...postIds),
    accountMessage: (message: WsInboundMessage) => {
      if (message.channel === "orderUpdates") received.updates.push(...message.data);
      else if (message.channel === "userFills") received.userFills.push(...message.data.fills);
      else if (message.channel === "user" && "fills" in message.data) {
        received.userEventFills.push(...message.data.fills);
      } else if (message.channel === "user" && "funding" in message.data) {
        received.fundings.push(message.data.funding);
      }
    },
  };
  venue = new PaperVenue(
    {
      markets: [{ market: MARKET, feed }],
      account,
      user: USER,
      clock: () => T0,
      logger: createLogger({ service: "paper-venue-test", level: "silent" }),
    },
    handlers,
  );
  venue.start();
  nonce = T0;
  cloids = 0;
});

function setBooks(timeMs: number, perpAsks = PERP_ASKS): void {
  feed.books.applyMessage(l2BookMessage("HYPE", timeMs, PERP_BIDS, perpAsks), performance.now());
  feed.books.applyMessage(l2BookMessage("@107", timeMs, SPOT_BIDS, SPOT_ASKS), performance.now());
}

function cloid(): Cloid {
  cloids += 1;
  return toCloid(`0x${cloids.toString(16).padStart(32, "0")}`);
}

interface Leg {
  readonly asset: number;
  readonly isBuy: boolean;
  readonly price: string;
  readonly size: string;
  readonly reduceOnly?: boolean;
}

/** Signs and posts one order action as the executor would; returns the post id and the legs' cloids. */
function post(legs: readonly Leg[], options: { nonce?: number; expiresAfter?: number } = {}) {
  const specs: OrderSpec[] = legs.map((leg) => ({
    asset: leg.asset,
    isBuy: leg.isBuy,
    price: asWireDecimal(leg.price),
    size: asWireDecimal(leg.size),
    reduceOnly: leg.reduceOnly ?? false,
    orderType: { limit: { tif: "Ioc" } },
    cloid: cloid(),
  }));
  const action = orderAction({ orders: specs });
  const actionNonce = options.nonce ?? nonce++;
  const expiresAfter = options.expiresAfter ?? T0 + 3_000;
  const signature = signL1Action({ signer, action, nonce: actionNonce, network: "mainnet", expiresAfter });
  const request: ExchangeRequest = { action, nonce: actionNonce, signature, expiresAfter };
  const postId = venue.postAction(JSON.stringify(request));
  return { postId, cloids: specs.map((spec) => spec.cloid!) };
}

function statusesOf(response: ExchangeResponse | undefined): unknown[] {
  if (response?.status !== "ok" || response.response.type !== "order") return [];
  return [...response.response.data.statuses];
}

const PERP = 159;
const SPOT = 10107;

describe("IOC orders on fixed books", () => {
  it("fills level by level at the levels' prices up to the limit, with the perp fee in USDC", async () => {
    const {
      postId,
      cloids: [id],
    } = post([{ asset: PERP, isBuy: true, price: "40.02", size: "3" }]);
    // The answer comes a turn later, never inside the write.
    expect(received.answers).toEqual([]);
    await nextTurn();
    expect(received.answers).toHaveLength(1);
    expect(received.answers[0]!.postId).toBe(postId);
    // 1.5 @ 40.01 + 1.5 @ 40.02 = 120.045 → avg 40.015.
    expect(statusesOf(received.answers[0]!.response)).toEqual([
      { filled: { totalSz: "3", avgPx: "40.015", oid: 1, cloid: id } },
    ]);
    expect(
      received.userFills.map((fill) => [fill.coin, fill.side, fill.px, fill.sz, fill.fee, fill.feeToken]),
    ).toEqual([
      // 60.015 × 0.00045 = 0.02700675 → up to 6 decimals.
      ["HYPE", "B", "40.01", "1.5", "0.027007", "USDC"],
      // 60.03 × 0.00045 = 0.0270135.
      ["HYPE", "B", "40.02", "1.5", "0.027014", "USDC"],
    ]);
    expect(received.userFills.every((fill) => fill.cloid === id && fill.oid === 1 && fill.crossed)).toBe(
      true,
    );
    expect(received.userFills.map((fill) => fill.dir)).toEqual(["Open Long", "Open Long"]);
    // The exchange tells every fill twice (userFills and userEvents), with the same trade ids.
    expect(received.userEventFills).toEqual(received.userFills);
    expect(received.updates).toEqual([
      {
        order: {
          coin: "HYPE",
          side: "B",
          limitPx: "40.02",
          sz: "0",
          oid: 1,
          timestamp: T0,
          origSz: "3",
          cloid: id,
        },
        status: "filled",
        statusTimestamp: T0,
      },
    ]);
    expect(account.snapshot()).toMatchObject({
      positions: { HYPE: "3" },
      perpCollateral: "999.945979", // 1000 − 0.027007 − 0.027014
    });
  });

  it("fills a thin book partially and cancels the IOC remainder; a sell respects its limit", async () => {
    const {
      cloids: [buy, sell],
    } = post([
      { asset: PERP, isBuy: true, price: "40.02", size: "5" },
      { asset: PERP, isBuy: false, price: "40", size: "4" },
    ]);
    await nextTurn();
    // The buy takes 1.5 + 2 (40.05 is above its limit); the sell takes the 3 bid at 40, not 39.99.
    expect(statusesOf(received.answers[0]!.response)).toEqual([
      { filled: { totalSz: "3.5", avgPx: "40.01571429", oid: 1, cloid: buy } },
      { filled: { totalSz: "3", avgPx: "40", oid: 2, cloid: sell } },
    ]);
    expect(received.updates.map((update) => [update.order.cloid, update.status, update.order.sz])).toEqual([
      [buy, "canceled", "1.5"],
      [sell, "canceled", "1"],
    ]);
    expect(received.userFills.map((fill) => [fill.side, fill.px, fill.sz, fill.dir])).toEqual([
      ["B", "40.01", "1.5", "Open Long"],
      ["B", "40.02", "2", "Open Long"],
      ["A", "40", "3", "Close Long"],
    ]);
    expect(account.snapshot().positions).toEqual({ HYPE: "0.5" });
  });

  it("answers an order that crosses nothing with the exchange's IOC refusal", async () => {
    const {
      cloids: [id],
    } = post([{ asset: PERP, isBuy: true, price: "40", size: "1" }]);
    await nextTurn();
    expect(statusesOf(received.answers[0]!.response)).toEqual([
      { error: "Order could not immediately match against any resting orders. asset=159" },
    ]);
    expect(received.updates.map((update) => [update.order.cloid, update.status])).toEqual([
      [id, "iocCancelRejected"],
    ]);
    expect(received.userFills).toEqual([]);
    expect(venue.stats.unmatchedOrders).toBe(1);
  });

  it("charges a spot buy's fee in the base token and a spot sell's in USDC", async () => {
    post([
      { asset: SPOT, isBuy: true, price: "40.01", size: "1" },
      { asset: SPOT, isBuy: false, price: "39.98", size: "2" },
    ]);
    await nextTurn();
    expect(
      received.userFills.map((fill) => [fill.coin, fill.side, fill.px, fill.sz, fill.fee, fill.feeToken]),
    ).toEqual([
      // 0.5 × 0.0007 = 0.00035 HYPE; 0.5 × 0.0007 = 0.00035 HYPE.
      ["@107", "B", "40", "0.5", "0.00035", "HYPE"],
      ["@107", "B", "40.01", "0.5", "0.00035", "HYPE"],
      // 1.25 × 39.99 = 49.9875 × 0.0007 = 0.03499125 → 0.034992 USDC; 0.75 × 39.98 = 29.985 → 0.0209895 → 0.02099.
      ["@107", "A", "39.99", "1.25", "0.034992", "USDC"],
      ["@107", "A", "39.98", "0.75", "0.02099", "USDC"],
    ]);
    expect(account.snapshot().spot).toEqual({
      // 5 + 1 − 0.0007 − 2
      HYPE: "3.9993",
      // 1000 − 40.005 + (49.9875 − 0.034992) + (29.985 − 0.02099)
      USDC: "1039.911518",
    });
  });

  it("remembers the liquidity it took until the next frame replaces the book", async () => {
    post([{ asset: PERP, isBuy: true, price: "40.01", size: "1" }]);
    post([{ asset: PERP, isBuy: true, price: "40.01", size: "1" }]);
    await nextTurn();
    // 1.5 at 40.01: the second order gets the 0.5 the first left.
    expect(received.answers.map((answer) => statusesOf(answer.response)[0])).toEqual([
      { filled: expect.objectContaining({ totalSz: "1" }) as unknown },
      { filled: expect.objectContaining({ totalSz: "0.5" }) as unknown },
    ]);
    setBooks(T0 + 500);
    post([{ asset: PERP, isBuy: true, price: "40.01", size: "1" }]);
    await nextTurn();
    expect(statusesOf(received.answers[2]!.response)[0]).toMatchObject({ filled: { totalSz: "1" } });
  });
});

describe("refusals, with the exchange's texts", () => {
  it("refuses off-grid prices and sizes, missing balance and a reduce-only order with nothing to reduce", async () => {
    post([
      { asset: PERP, isBuy: true, price: "40.0111", size: "1" },
      { asset: PERP, isBuy: true, price: "40.01", size: "0.001" },
      { asset: SPOT, isBuy: true, price: "40.01", size: "30" },
      { asset: SPOT, isBuy: false, price: "39.98", size: "6" },
      { asset: PERP, isBuy: false, price: "40", size: "1", reduceOnly: true },
      { asset: PERP, isBuy: true, price: "40.01", size: "0.2" },
    ]);
    await nextTurn();
    expect(statusesOf(received.answers[0]!.response)).toEqual([
      { error: "Price must be divisible by tick size. asset=159" },
      { error: "Order has invalid size." },
      { error: "Insufficient spot balance asset=10107" },
      { error: "Insufficient spot balance asset=10107" },
      { error: "Reduce only order would increase position. asset=159" },
      { error: "Order must have minimum value of $10. asset=159" },
    ]);
    // Refused orders get an oid and a status update; pre-checks (grid, lot) do not.
    expect(received.updates.map((update) => update.status)).toEqual([
      "insufficientSpotBalanceRejected",
      "insufficientSpotBalanceRejected",
      "reduceOnlyRejected",
      "minTradeNtlRejected",
    ]);
    expect(received.userFills).toEqual([]);
    expect(account.snapshot()).toMatchObject({ spot: { USDC: "1000", HYPE: "5" }, positions: {} });
  });

  it("caps a reduce-only order at the position and refuses perp orders beyond the margin", async () => {
    post([{ asset: PERP, isBuy: true, price: "40.02", size: "2" }]);
    post([{ asset: PERP, isBuy: false, price: "40", size: "3", reduceOnly: true }]);
    // 1000 USDC at 3× leverage: 1000 more HYPE at 40.05 needs 13 350 of margin.
    post([{ asset: PERP, isBuy: true, price: "40.05", size: "1000" }]);
    await nextTurn();
    expect(statusesOf(received.answers[1]!.response)).toEqual([
      { filled: expect.objectContaining({ totalSz: "2", avgPx: "40" }) as unknown },
    ]);
    expect(received.updates[1]).toMatchObject({ status: "filled", order: { origSz: "2", sz: "0" } });
    expect(statusesOf(received.answers[2]!.response)).toEqual([
      { error: "Insufficient margin to place order. asset=159" },
    ]);
    expect(account.snapshot().positions).toEqual({});
  });

  it("refuses a reused nonce and an expired action as a whole", async () => {
    post([{ asset: PERP, isBuy: true, price: "40.01", size: "1" }], { nonce: T0 + 7 });
    post([{ asset: PERP, isBuy: true, price: "40.01", size: "1" }], { nonce: T0 + 7 });
    post([{ asset: PERP, isBuy: true, price: "40.01", size: "1" }], { expiresAfter: T0 - 1 });
    await nextTurn();
    expect(received.answers.map((answer) => answer.response)).toEqual([
      expect.objectContaining({ status: "ok" }),
      { status: "err", response: `Invalid nonce: duplicate nonce ${T0 + 7}` },
      { status: "err", response: "Action already expired" },
    ]);
    expect(account.snapshot().positions).toEqual({ HYPE: "1" });
  });
});

describe("what the executor asks off the order path", () => {
  it("answers orderStatus by cloid and oid, and userFillsByTime, from its records", async () => {
    const {
      cloids: [id],
    } = post([{ asset: PERP, isBuy: true, price: "40.02", size: "2" }]);
    await nextTurn();
    const byCloid = await venue.info({ type: "orderStatus", user: USER, oid: id! });
    expect(byCloid).toMatchObject({
      status: "order",
      order: { status: "filled", order: { cloid: id, oid: 1, origSz: "2", sz: "0", tif: "Ioc" } },
    });
    expect(await venue.info({ type: "orderStatus", user: USER, oid: 1 })).toEqual(byCloid);
    expect(
      await venue.info({ type: "orderStatus", user: USER, oid: toCloid(`0x${"ff".repeat(16)}`) }),
    ).toEqual({
      status: "unknownOid",
    });
    const fills = await venue.info({ type: "userFillsByTime", user: USER, startTime: T0 });
    expect(fills).toEqual(received.userFills);
    expect(await venue.info({ type: "userFillsByTime", user: USER, startTime: T0 + 1 })).toEqual([]);
  });

  it("reports answers still undelivered at stop as lost, and writes nothing once stopped", async () => {
    const { postId } = post([{ asset: PERP, isBuy: true, price: "40.01", size: "1" }]);
    await venue.stop();
    expect(received.lost).toEqual([postId]);
    expect(venue.postAction("{}")).toBe(-1);
    await nextTurn();
    expect(received.answers).toEqual([]);
  });
});

describe("hourly funding on paper positions", () => {
  it("pays a short the oracle notional × rate when the rate is positive, and tells the executor", async () => {
    post([{ asset: PERP, isBuy: false, price: "39.9", size: "2.5" }]);
    await nextTurn();
    expect(account.perpPosition("HYPE")).toEqual(parseDecimal("-2.5"));
    const before = parseDecimal(account.snapshot().perpCollateral);
    feed.applyAssetCtx(0.0000125, 40, performance.now());
    venue.payFunding(T0 + 3_600_000);
    await nextTurn();
    // 2.5 × 40 × 0.0000125 = 0.00125 USDC, received by the short.
    expect(received.fundings).toEqual([
      { time: T0 + 3_600_000, coin: "HYPE", usdc: "0.00125", szi: "-2.5", fundingRate: "0.0000125" },
    ]);
    expect(sub(parseDecimal(account.snapshot().perpCollateral), before)).toEqual(parseDecimal("0.00125"));
    expect(venue.stats.fundingPayments).toBe(1);
  });

  it("pays nothing without a position or before the oracle is known", async () => {
    venue.payFunding(T0 + 3_600_000);
    post([{ asset: PERP, isBuy: false, price: "39.9", size: "1" }]);
    await nextTurn();
    venue.payFunding(T0 + 7_200_000); // oracle still unknown (NaN)
    await nextTurn();
    expect(received.fundings).toEqual([]);
    expect(venue.stats.fundingPayments).toBe(0);
  });
});
