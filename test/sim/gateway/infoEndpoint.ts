/**
 * `POST /info` (and WS `post` of type `info`): from the parsed body to the exchange's answer.
 *
 * Account queries take the account's address; an agent's address is not an account and gets what any
 * unknown address gets — empty state (PROTOCOL §10.2) — except `userRole`, which names its master. Only
 * the main perp dex exists (`perpDexs` → `[null]`); another `dex` does not deserialize. An unknown `coin`
 * in `l2Book` answers JSON `null` (as recorded); a listed coin the core does not trade answers an empty
 * book. Aggregations the simulator does not compute (`nSigFigs`, `aggregateByTime`) answer 501.
 */
import type { Address } from "../../../hotpath/exchange/wire/brands.js";
import type { UserRole } from "../../../hotpath/exchange/wire/info.js";
import { FX_ONE, formatFx } from "../core/index.js";
import type { GatewayReply } from "./contract.js";
import { isAccount, type GatewayState } from "./gatewayState.js";
import { decodeInfoRequest, type SimInfoRequest } from "./infoRequests.js";
import { deserializeFailure, jsonReply, notModelled, tooManyRequests } from "./replies.js";

/** Address budget before any volume (PROTOCOL §11): 10 000 requests plus one per USDC traded. */
const INITIAL_REQUEST_BUFFER = 10_000n;

export function handleInfoRequest(state: GatewayState, body: unknown): GatewayReply {
  if (state.faults.takeThrottle("info")) return tooManyRequests();
  const request = decodeInfoRequest(body);
  if (request === undefined) return deserializeFailure();
  if ("dex" in request && request.dex !== undefined && request.dex !== "") return deserializeFailure();
  return answer(state, request);
}

function answer(state: GatewayState, request: SimInfoRequest): GatewayReply {
  const { core, universe } = state;
  switch (request.type) {
    case "meta":
      return jsonReply(universe.meta());
    case "spotMeta":
      return jsonReply(universe.spotMeta());
    case "metaAndAssetCtxs":
      return jsonReply(universe.metaAndAssetCtxs());
    case "spotMetaAndAssetCtxs":
      return jsonReply(universe.spotMetaAndAssetCtxs());
    case "perpDexs":
      return jsonReply([null]);
    case "exchangeStatus":
      return jsonReply({ time: core.exchangeTime(), specialStatuses: null });
    case "allMids":
      return jsonReply(universe.allMids());
    case "l2Book":
      if (isSet(request.nSigFigs) || isSet(request.mantissa)) {
        return notModelled("l2Book aggregation (nSigFigs, mantissa)");
      }
      return jsonReply(l2Book(state, request.coin));
    case "fundingHistory":
      return jsonReply(core.fundingHistory(request.coin, request.startTime, request.endTime ?? undefined));
    case "clearinghouseState":
      return jsonReply(core.clearinghouseState(request.user));
    case "spotClearinghouseState":
      return jsonReply(core.spotClearinghouseState(request.user));
    case "openOrders":
      return jsonReply(core.openOrders(request.user));
    case "frontendOpenOrders":
      return jsonReply(core.frontendOpenOrders(request.user));
    case "orderStatus":
      return jsonReply(core.orderStatus(request.user, request.oid));
    case "userFills":
      if (request.aggregateByTime === true) return notModelled("userFills aggregateByTime");
      return jsonReply(core.userFills(request.user));
    case "userFillsByTime":
      if (request.aggregateByTime === true) return notModelled("userFillsByTime aggregateByTime");
      return jsonReply(core.userFillsByTime(request.user, request.startTime, request.endTime ?? undefined));
    case "userFunding":
      return jsonReply(core.userFunding(request.user, request.startTime, request.endTime ?? undefined));
    case "userFees":
      return jsonReply(core.userFees(request.user));
    case "userRateLimit":
      return jsonReply(userRateLimit(state, request.user));
    case "userRole":
      return jsonReply(userRole(state, request.user));
    case "userAbstraction":
      return jsonReply(core.userAbstraction(request.user));
    case "extraAgents":
      return jsonReply(
        state.agents
          .namedAgentsOf(request.user)
          .map((agent) => ({ address: agent.agent, name: agent.name, validUntil: agent.validUntil })),
      );
  }
}

/** `null` and absent both mean "no aggregation". */
function isSet(value: number | null | undefined): boolean {
  return value !== undefined && value !== null;
}

function l2Book(state: GatewayState, coin: string): unknown {
  const book = state.core.l2Book(coin);
  if (book !== undefined) return book;
  const listed =
    state.universe.perpByCoin(coin) !== undefined ||
    state.universe.universe.spotMeta.universe.some((pair) => pair.name === coin);
  return listed ? { coin, time: state.core.exchangeTime(), levels: [[], []] } : null;
}

function userRateLimit(state: GatewayState, user: Address): unknown {
  const volume = state.core.ledger.volumeOf(user);
  return {
    cumVlm: formatFx(volume),
    nRequestsUsed: state.requestsUsed.get(user) ?? 0,
    nRequestsCap: Number(INITIAL_REQUEST_BUFFER + volume / FX_ONE),
    nRequestsSurplus: 0,
  };
}

function userRole(state: GatewayState, user: Address): UserRole {
  const master = state.agents.masterOf(user, state.core.exchangeTime());
  if (master !== undefined) return { role: "agent", data: { user: master } };
  return { role: isAccount(state.core, user) ? "user" : "missing" };
}
