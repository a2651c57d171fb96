/**
 * Sends one `usdClassTransfer` (PROTOCOL §5.8), signed by the master key as a user-signed EIP-712 action,
 * over `POST /exchange`. It takes only a `VerifiedMasterKey` (masterKey.ts): a key the exchange confirmed
 * as the account's own, so an agent key is refused before anything is signed.
 *
 * Outcomes: `{"status":"ok"}` resolves with the response; `{"status":"err"}` throws
 * `TransferRejectedError` (the exchange refused it, or HTTP 4xx: nothing moved); no usable answer throws
 * `TransferOutcomeUnknownError` (it may have moved). Never retried here: the tick guard allows one send
 * per tick, and a retry with a new nonce could move the money twice.
 */

import { ExchangeHttpError } from "../../hotpath/exchange/http/httpClient.js";
import { signUserSignedAction } from "../../hotpath/exchange/signing/index.js";
import { usdClassTransferAction, type Network } from "../../hotpath/exchange/wire/actions.js";
import type { WireDecimal } from "../../hotpath/exchange/wire/brands.js";
import { classifyExchangeError, type ExchangeOkResponse } from "../../hotpath/exchange/wire/exchange.js";
import { TransferOutcomeUnknownError, TransferRejectedError } from "./errors.js";
import type { RebalancerExchange, VerifiedMasterKey } from "./masterKey.js";

export interface TransferRequest {
  readonly amountUsdc: WireDecimal;
  /** `true` = spot → perp. */
  readonly toPerp: boolean;
  /** Unique per signer; the request nonce and the action's nonce (they must be equal). */
  readonly nonce: number;
}

export async function sendUsdClassTransfer(
  exchange: RebalancerExchange,
  masterKey: VerifiedMasterKey,
  network: Network,
  request: TransferRequest,
): Promise<ExchangeOkResponse> {
  const action = usdClassTransferAction({
    network,
    amount: request.amountUsdc,
    toPerp: request.toPerp,
    nonce: request.nonce,
  });
  const signature = signUserSignedAction({ signer: masterKey.signer, action });
  let response;
  try {
    // No vaultAddress and no expiresAfter: the exchange refuses both on user-signed transfers.
    response = await exchange.exchange({ action, nonce: request.nonce, signature });
  } catch (error) {
    // A 4xx (malformed, throttled) is answered before the action reaches the chain: nothing moved.
    if (error instanceof ExchangeHttpError && error.kind === "status" && isClientError(error.status)) {
      throw new TransferRejectedError(request.nonce, error.message, `http${error.status}`, null);
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new TransferOutcomeUnknownError(request.nonce, reason, { cause: error });
  }
  if (response.status === "err") {
    throw new TransferRejectedError(
      request.nonce,
      response.response,
      classifyExchangeError(response.response),
      response,
    );
  }
  return response;
}

function isClientError(status: number | undefined): boolean {
  return status !== undefined && status >= 400 && status < 500;
}
