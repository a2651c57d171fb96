/**
 * The seam between the executor and the place its orders go. A venue takes signed actions (a WS `post`
 * when it can, an HTTP `/exchange` request as the fallback), reports each action's answer and the account's
 * streams (fills, order updates, funding) to the executor's handlers, and answers the two questions the
 * executor asks off the order path: an order's status by cloid (probes) and the fills since a time
 * (read-back).
 *
 * Two venues implement it, and everything above it — decisions, the journal, signing, dispatch, probes,
 * report routing, the ledger, the risk state — is the same code in every mode:
 * - the exchange (`exchangeVenue`, sim and live): the order socket (`OrderChannel`) and `ExchangeHttpClient`;
 * - the paper venue (`hotpath/paper/`): IOC orders filled against the books the process already keeps,
 *   answered with the frames the exchange would send.
 */

import type { ExchangeHttpClient } from "../exchange/http/httpClient.js";
import type { ExchangeRequest, ExchangeResponse } from "../exchange/wire/exchange.js";
import type { InfoRequest, InfoResponse } from "../exchange/wire/info.js";
import { OrderChannel, type OrderChannelHandlers, type OrderChannelOptions } from "./orderChannel.js";
import type { PostChannel } from "./orderDispatch.js";

export interface OrderVenue extends PostChannel {
  /** Orders can be posted (`postAction` returns an id); when false they take the HTTP fallback. */
  readonly isOpen: boolean;
  start(): void;
  /** Closes the venue; posts still unanswered are reported `lost`. */
  stop(): Promise<void>;
  /** `POST /exchange`: the fallback when no post can be written. */
  exchange(request: ExchangeRequest): Promise<ExchangeResponse>;
  /** `POST /info`: `orderStatus` probes and `userFillsByTime` read-backs. */
  info<R extends InfoRequest>(request: R): Promise<InfoResponse<R["type"]>>;
}

/** Builds a venue reporting to `handlers` (the executor's, which exist only once the executor does). */
export type OrderVenueFactory = (handlers: OrderChannelHandlers) => OrderVenue;

export interface ExchangeVenueOptions {
  readonly http: ExchangeHttpClient;
  readonly channel: OrderChannelOptions;
}

/** The exchange (or the simulator standing in for it): the order socket, HTTP for the rest. */
export function exchangeVenue(options: ExchangeVenueOptions): OrderVenueFactory {
  return (handlers) => new ExchangeVenue(new OrderChannel(options.channel, handlers), options.http);
}

class ExchangeVenue implements OrderVenue {
  constructor(
    private readonly channel: OrderChannel,
    private readonly http: ExchangeHttpClient,
  ) {}

  get isOpen(): boolean {
    return this.channel.isOpen;
  }

  postAction(payloadJson: string): number {
    return this.channel.postAction(payloadJson);
  }

  start(): void {
    this.channel.start();
  }

  stop(): Promise<void> {
    return this.channel.stop();
  }

  exchange(request: ExchangeRequest): Promise<ExchangeResponse> {
    return this.http.exchange(request);
  }

  info<R extends InfoRequest>(request: R): Promise<InfoResponse<R["type"]>> {
    return this.http.info(request);
  }
}
