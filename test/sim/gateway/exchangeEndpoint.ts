/**
 * `POST /exchange` (and WS `post` of type `action`): from the parsed body to the exchange's answer.
 *
 * The order of checks follows what is documented and observed (PROTOCOL §5–§7, §12; a third-party testnet
 * capture, riftresearch hypercore-simulator notes):
 * 1. throttle fault → HTTP 429; body that does not deserialize → HTTP 422; an action the simulator does
 *    not model → a refusal that says so;
 * 2. refusals that need no signer: user-signed action with `vaultAddress` or `expiresAfter`, action nonce ≠
 *    envelope nonce, other network's `hyperliquidChain`; what the simulator does not model in an action;
 * 3. recover the signer (no key → `Unable to recover signer.`);
 * 4. map it to the account it acts for: an agent → its master (L1 actions only), an account → itself,
 *    otherwise `User or API Wallet … does not exist.` (L1) / `Must deposit before performing actions.`
 *    (user-signed: transfers and approvals need the master's own key); an L1 action for a vault → `Vault
 *    not registered` (the simulator knows no vaults);
 * 5. admit the nonce for the signer (PROTOCOL §7); from here on the nonce is spent whatever happens;
 * 6. injected action refusal (fault), then `expiresAfter` in the past → `Action already expired`;
 * 7. execute.
 */
import type { Address } from "../../../hotpath/exchange/wire/brands.js";
import { hyperliquidChainOf } from "../../../hotpath/exchange/wire/actions.js";
import {
  decodeExchangeRequest,
  type ExchangeRequestDecoded,
  type ExecutableActionDecoded,
} from "./actionRequests.js";
import { addressWeight, executeL1Action, executeUserSignedAction } from "./actionExecution.js";
import type { GatewayReply } from "./contract.js";
import { actionRefusals } from "./errors.js";
import { isAccount, type GatewayState } from "./gatewayState.js";
import { actionErr, deserializeFailure, tooManyRequests } from "./replies.js";
import { recoverRequestSigner } from "./signerRecovery.js";

export function handleExchangeRequest(state: GatewayState, body: unknown): GatewayReply {
  if (state.faults.takeThrottle("exchange")) return tooManyRequests();
  const decoded = decodeExchangeRequest(body);
  if (decoded === undefined) return deserializeFailure();
  const { action } = decoded;
  if (action.family === "unmodelled") return actionErr(actionRefusals.actionNotModelled(action.type));
  const request = { ...decoded, action };

  const early = refusalBeforeRecovery(state, request);
  if (early !== undefined) return actionErr(early);

  const signer = recoverRequestSigner(request, state.network, state.l1ActionHashing);
  if (signer === undefined) return actionErr(actionRefusals.unrecoverableSigner);
  const principal = accountActedFor(state, request, signer);
  if ("refusal" in principal) return actionErr(principal.refusal);

  const now = state.core.exchangeTime();
  const nonceRefusal = state.nonces.admit(signer, request.nonce, now);
  if (nonceRefusal !== undefined) return actionErr(nonceRefusal);

  const user = principal.user;
  state.requestsUsed.set(user, (state.requestsUsed.get(user) ?? 0) + addressWeight(action.action));
  const injected = state.faults.takeActionRejection();
  if (injected !== undefined) return actionErr(injected);
  if (request.expiresAfter !== undefined && now > request.expiresAfter)
    return actionErr(actionRefusals.expired);

  return action.family === "l1"
    ? executeL1Action(state, user, action.action)
    : executeUserSignedAction(state, user, action.action);
}

/** Refusals that follow from the request alone, before any signature work. */
function refusalBeforeRecovery(
  state: GatewayState,
  request: ExchangeRequestDecoded<ExecutableActionDecoded>,
): string | undefined {
  const { action } = request;
  switch (action.family) {
    case "userSigned": {
      if (request.vaultAddress !== undefined) return actionRefusals.vaultMayNotPerform;
      if (request.expiresAfter !== undefined) return actionRefusals.expiresAfterOnUserAction;
      if (action.action.nonce !== request.nonce) return actionRefusals.nonceMismatch;
      if (action.action.hyperliquidChain !== hyperliquidChainOf(state.network))
        return actionRefusals.wrongChain;
      if (action.action.type === "usdClassTransfer" && action.action.amount.includes("subaccount:")) {
        return actionRefusals.subAccountNotModelled;
      }
      return undefined;
    }
    case "l1": {
      const l1 = action.action;
      if (l1.type === "order") {
        if (l1.orders.length === 0) return actionRefusals.emptyBatch;
        if (l1.grouping !== "na") return actionRefusals.groupingNotModelled(l1.grouping);
      }
      if (l1.type === "updateLeverage" && !l1.isCross) return actionRefusals.isolatedNotModelled;
      return undefined;
    }
  }
}

/** The account a signer acts for, or the refusal for a signer that is nobody. */
function accountActedFor(
  state: GatewayState,
  request: ExchangeRequestDecoded<ExecutableActionDecoded>,
  signer: Address,
): { readonly user: Address } | { readonly refusal: string } {
  if (request.action.family === "userSigned") {
    // Only an account's own key signs transfers and approvals; an agent is not an account.
    return isAccount(state.core, signer) ? { user: signer } : { refusal: actionRefusals.mustDeposit(signer) };
  }
  const master = state.agents.masterOf(signer, state.core.exchangeTime());
  const user = master ?? (isAccount(state.core, signer) ? signer : undefined);
  if (user === undefined) return { refusal: actionRefusals.unknownL1Signer(signer) };
  if (request.vaultAddress !== undefined) {
    return { refusal: actionRefusals.vaultNotRegistered(request.vaultAddress) };
  }
  return { user };
}
