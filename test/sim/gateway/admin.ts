/**
 * The simulator's control surface for tests and the CLI — not part of the exchange API: funding accounts,
 * registering agents without a signed approval, account mode and fee rates, and fault hooks. Order-level
 * faults are the core's (`core.faults`); throttling and whole-action refusals are the gateway's.
 *
 * Markets are named by asset id (159, 10107) or wire coin (`"HYPE"`, `"@107"`); addresses are validated and
 * lower-cased like the exchange does.
 */
import { toAddress } from "../../../hotpath/exchange/wire/brands.js";
import type { ActionResult, ExchangeCore, FeeRates } from "../core/index.js";
import type { GatewayState } from "./gatewayState.js";
import type { ThrottleScope } from "./gatewayFaults.js";

/** `standard` is the exchange's `"disabled"` abstraction (separate spot and perp), `unified` its `"unifiedAccount"`. */
export type AccountMode = "standard" | "unified";

/** Fee rates as decimal strings, e.g. `{perpCross: "0.00045"}` (cross = taker, add = maker). */
export type FeeRateOverrides = Partial<Record<keyof FeeRates, string>>;

/** An order asset id or a wire coin. */
export type MarketRef = number | string;

export interface SimFaultControls {
  /** The next `count` orders (on `market`, or any) are answered `{"error": error}` in their status slot. */
  rejectNextOrders(count: number, error: string, market?: MarketRef): void;
  /** The next `count` orders on `market` match at most `fraction` (0 ≤ fraction < 1) of their size. */
  forcePartialFills(market: MarketRef, count: number, fraction: number): void;
  /** The next `count` requests (info, exchange or all) get HTTP 429. */
  throttleNextRequests(count: number, scope?: ThrottleScope): void;
  /** The next `count` admitted actions are refused as a whole with `{"status":"err","response":error}`. */
  rejectNextActions(count: number, error: string): void;
  /** Published snapshots of `market` show a bid above the best ask (matching uses the true book). */
  setCrossedBook(market: MarketRef, crossed: boolean): void;
  /** Stale feed: the books stop updating and no book frames are published; time and actions go on. */
  setStaleBooks(stale: boolean): void;
  /** Every time the exchange reports or checks (nonce window, expiry) is shifted by `ms`. */
  setClockSkew(ms: number): void;
  /** Removes every fault, the core's and the gateway's. */
  clear(): void;
}

export interface SimAdmin {
  /** Credits tokens by name, e.g. `{USDC: "1000", HYPE: "5"}`; USDC goes to spot unless `toPerp`. */
  fund(
    user: string,
    amounts: Readonly<Record<string, string>>,
    options?: { readonly toPerp?: boolean },
  ): void;
  /** Registers `agent` to sign for `master`, as a signed `approveAgent` would. */
  registerAgent(master: string, agent: string, name?: string): void;
  setAccountMode(user: string, mode: AccountMode): ActionResult;
  setFeeRates(user: string, rates: FeeRateOverrides): void;
  readonly faults: SimFaultControls;
}

export function createAdmin(state: GatewayState): SimAdmin {
  const { core } = state;
  const asset = (market: MarketRef): number => assetOf(core, market);
  return {
    fund: (user, amounts, options = {}) => core.fund(toAddress(user), amounts, options),
    registerAgent: (master, agent, name) => {
      const replaced = state.agents.approve(toAddress(master), toAddress(agent), name, core.exchangeTime());
      for (const record of replaced) state.nonces.forget(record.agent);
    },
    setAccountMode: (user, mode) =>
      core.setUserAbstraction(toAddress(user), mode === "unified" ? "unifiedAccount" : "disabled"),
    setFeeRates: (user, rates) => core.setUserFees(toAddress(user), rates),
    faults: {
      rejectNextOrders: (count, error, market) =>
        core.faults.rejectNextOrders(count, error, market === undefined ? undefined : asset(market)),
      forcePartialFills: (market, count, fraction) =>
        core.faults.forcePartialFills(asset(market), count, fraction),
      throttleNextRequests: (count, scope) => state.faults.throttleNextRequests(count, scope),
      rejectNextActions: (count, error) => state.faults.rejectNextActions(count, error),
      setCrossedBook: (market, crossed) => core.faults.setCrossedBook(asset(market), crossed),
      setStaleBooks: (stale) => core.faults.setModelFrozen(stale),
      setClockSkew: (ms) => core.faults.setClockSkew(ms),
      clear: () => {
        core.faults.clear();
        state.faults.clear();
      },
    },
  };
}

function assetOf(core: ExchangeCore, market: MarketRef): number {
  const found = typeof market === "number" ? core.markets.market(market) : core.markets.marketByCoin(market);
  if (found === undefined) throw new RangeError(`the simulator trades no market ${JSON.stringify(market)}`);
  return found.asset;
}
