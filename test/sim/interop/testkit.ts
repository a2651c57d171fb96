/**
 * Shared fixtures for the interop tests, which drive the simulator only through its sockets (HTTP `/info`,
 * `/exchange`, `/sim/*` and WS `/ws`), as a bot in another process would: a live-clocked simulator for the
 * third-party clients, the keys they sign with, marketable prices on the HYPE grid, the admin calls, and
 * requests signed with the project's own signing sent over HTTP.
 */
import WsWebSocket from "ws";
import type { WebSocketTransportOptions } from "@nktkas/hyperliquid";

import { mul, parseDecimal } from "../../../hotpath/exchange/decimal/decimal.js";
import { limitPrice, type MarketKind, type Side } from "../../../hotpath/exchange/decimal/grid.js";
import type { Signer } from "../../../hotpath/exchange/signing/index.js";
import type { WireDecimal } from "../../../hotpath/exchange/wire/brands.js";
import type { L2Book } from "../../../hotpath/exchange/wire/info.js";
import type { SimGateway } from "../gateway/contract.js";
import { TestClient } from "../gateway/testkit.js";
import type { MarketCommand } from "../server/admin-routes.js";
import type { SimulatorOptions } from "../server/options.js";
import type { Simulator } from "../server/simulator.js";
import { postJson, testSimulator } from "../server/testkit.js";

/** The gateway testkit's MASTER and AGENT keys, as raw hex for clients that take a key. */
export const MASTER_KEY = "0x0123456789012345678901234567890123456789012345678901234567890123";
export const AGENT_KEY = "0x822e9959e022b78423eb653a62ea0020cd283e71a2a8133a6ff2aeffaf373cff";

/** HYPE's size decimals on both legs (fixture: perp 159 and token 150). */
const HYPE_SZ_DECIMALS = 2;

/**
 * A simulator whose clock is the wall clock and runs on its own, because NK and CCXT take their nonces from
 * `Date.now()` and the exchange only accepts nonces near its own time. Books on a fast cadence so that a
 * stream shows several frames within a second; server errors fail the test at `stop()`.
 */
export function liveSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return testSimulator({
    startTimeMs: Date.now(),
    clock: "timer",
    cadence: { blockMs: 70, fastBookMs: 140, bookMs: 200, assetCtxMs: 200 },
    ...options,
  });
}

/** The API root clients are configured with (`http://host:port`); `/info` and `/exchange` hang off it. */
export function apiRoot(sim: Simulator): string {
  return new URL("/", sim.info).href.replace(/\/$/, "");
}

/** `POST /sim/market` (pause, resume, step), asserting the server accepted it. */
export async function controlMarket(sim: Simulator, command: MarketCommand): Promise<void> {
  const reply = await postJson(`${apiRoot(sim)}/sim/market`, command);
  if (reply.status !== 200)
    throw new Error(`/sim/market ${JSON.stringify(command)}: ${reply.status} ${reply.text}`);
}

/**
 * A HYPE limit price 1 % through `touch` (above for a buy, below for a sell), on the leg's grid: an IOC at it
 * fills at the resting prices even if the live book moved a few ticks since `touch` was read.
 */
export function marketablePrice(touch: string, side: Side, market: MarketKind): WireDecimal {
  const intended = mul(parseDecimal(touch), parseDecimal(side === "buy" ? "1.01" : "0.99"));
  return limitPrice(intended, side, "aggressive", { market, szDecimals: HYPE_SZ_DECIMALS });
}

type NkWebSocketConstructor = NonNullable<NonNullable<WebSocketTransportOptions["reconnect"]>["WebSocket"]>;

/**
 * The WebSocket implementation NK's reconnecting socket (`@nktkas/rews`) is given. Node 20 has no global
 * `WebSocket` (rews would throw at construction); the `ws` package implements the same browser API
 * (`addEventListener`, `readyState`, `send`, `close`), and using it on every Node version keeps the runs alike.
 */
export const NK_WEBSOCKET = WsWebSocket as unknown as NkWebSocketConstructor;

/** A JSON reply read off the wire: the HTTP status, the content type, and the parsed body. */
export interface HttpReply {
  readonly status: number;
  readonly type: string | null;
  readonly body: unknown;
}

/** `POST /info` or `POST /exchange` with `body`; a non-JSON answer (4xx text) is kept as its text. */
export async function post(sim: Simulator, endpoint: "info" | "exchange", body: unknown): Promise<HttpReply> {
  const reply = await postJson(endpoint === "info" ? sim.info : sim.exchange, body);
  const json = reply.type?.startsWith("application/json") === true;
  return {
    status: reply.status,
    type: reply.type,
    body: json ? (JSON.parse(reply.text) as unknown) : reply.text,
  };
}

/** Best bid and ask of `coin` as wire strings, from `POST /info` `l2Book`. */
export async function bookTouch(sim: Simulator, coin: string): Promise<{ bid: string; ask: string }> {
  const book = (await post(sim, "info", { type: "l2Book", coin })).body as L2Book;
  const [bid, ask] = [book.levels[0][0]?.px, book.levels[1][0]?.px];
  if (bid === undefined || ask === undefined) throw new Error(`no two-sided book for ${coin}`);
  return { bid, ask };
}

function inProcessCall(): never {
  throw new Error("interop tests talk to the simulator over its sockets only");
}

/** Stands in for the in-process gateway: the signing client below may build bodies, never send them. */
const NO_IN_PROCESS_GATEWAY: SimGateway = { info: inProcessCall, exchange: inProcessCall };

/**
 * Builds and signs `/exchange` bodies as `signer` with the project's own builders and signing (the gateway
 * testkit's client), with nonces counting up from `startNonce`; send them with `post(sim, "exchange", …)`.
 */
export function signingClient(signer: Signer, startNonce: number): TestClient {
  return new TestClient(NO_IN_PROCESS_GATEWAY, signer, startNonce);
}
