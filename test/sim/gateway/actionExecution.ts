/**
 * Executing an admitted action for the account it acts for (the signer, or the master of the agent that
 * signed), and shaping the exchange's answer (PROTOCOL §5): `order` and `cancel` bodies carry one status per
 * item, everything else answers `{"type":"default"}` or a refusal. Tick, lot, minimum-value, balance and
 * margin rules are the core's; this module only translates.
 */
import type { Address } from "../../../hotpath/exchange/wire/brands.js";
import type { CancelStatus, OrderPlacementStatus } from "../../../hotpath/exchange/wire/exchange.js";
import type { ActionResult, OrderRequest } from "../core/index.js";
import type { L1ActionDecoded, OrderDecoded, UserSignedActionDecoded } from "./actionRequests.js";
import { actionRefusals } from "./errors.js";
import type { GatewayReply } from "./contract.js";
import type { GatewayState } from "./gatewayState.js";
import { actionErr, actionOk } from "./replies.js";

/** How many requests an action costs the address (a batch of n orders costs n, PROTOCOL §11). */
export function addressWeight(action: L1ActionDecoded | UserSignedActionDecoded): number {
  switch (action.type) {
    case "order":
      return Math.max(1, action.orders.length);
    case "cancel":
    case "cancelByCloid":
      return Math.max(1, action.cancels.length);
    default:
      return 1;
  }
}

export function executeL1Action(state: GatewayState, user: Address, action: L1ActionDecoded): GatewayReply {
  const { core } = state;
  switch (action.type) {
    case "order":
      return actionOk({ type: "order", data: { statuses: placeOrders(state, user, action.orders) } });
    case "cancel": {
      const statuses: CancelStatus[] = core.cancel(user, action.cancels, core.now());
      return actionOk({ type: "cancel", data: { statuses } });
    }
    case "cancelByCloid": {
      const statuses: CancelStatus[] = core.cancelByCloid(user, action.cancels, core.now());
      return actionOk({ type: "cancel", data: { statuses } });
    }
    case "scheduleCancel":
      return defaultReply(core.scheduleCancel(user, action.time, core.now()));
    case "updateLeverage":
      return defaultReply(core.updateLeverage(user, action.asset, action.leverage));
    case "noop":
      return actionOk({ type: "default" });
  }
}

export function executeUserSignedAction(
  state: GatewayState,
  user: Address,
  action: UserSignedActionDecoded,
): GatewayReply {
  switch (action.type) {
    case "usdClassTransfer":
      return defaultReply(state.core.usdClassTransfer(user, action.amount, action.toPerp));
    case "approveAgent":
      for (const replaced of state.agents.approve(
        user,
        action.agentAddress,
        action.agentName,
        state.core.exchangeTime(),
      )) {
        state.nonces.forget(replaced.agent);
      }
      return actionOk({ type: "default" });
  }
}

/**
 * Limit orders go to the core as one batch, in order; trigger orders, which the simulator does not model,
 * are answered in their slot without touching state, so the statuses still line up with the orders.
 */
function placeOrders(
  state: GatewayState,
  user: Address,
  orders: readonly OrderDecoded[],
): OrderPlacementStatus[] {
  const limitOrders: OrderRequest[] = [];
  for (const order of orders) {
    if (order.orderType.kind !== "limit") continue;
    const request = {
      asset: order.asset,
      isBuy: order.isBuy,
      px: order.price,
      sz: order.size,
      reduceOnly: order.reduceOnly,
      tif: order.orderType.tif,
    };
    limitOrders.push(order.cloid === undefined ? request : { ...request, cloid: order.cloid });
  }
  const placed = state.core.placeOrders(user, limitOrders, state.core.now());
  let next = 0;
  return orders.map((order): OrderPlacementStatus => {
    if (order.orderType.kind !== "limit") return { error: actionRefusals.triggerNotModelled };
    const status = placed[next++];
    if (status === undefined) throw new Error("the core answered fewer orders than it was given");
    return status;
  });
}

function defaultReply(result: ActionResult): GatewayReply {
  return result.ok ? actionOk({ type: "default" }) : actionErr(result.error);
}
