/**
 * `POST /info` and `POST /exchange` (PROTOCOL §1): read the JSON body, pass it to the gateway, answer with
 * the gateway's status and body. The transport's 429 fault refuses a request before it reaches the gateway,
 * with the gateway's own throttled reply, as the exchange's IP rate limiter would. Every other path
 * answers 404.
 */
import type { UwsApp, UwsHttpResponse } from "../../../hotpath/host/uws.js";
import { tooManyRequests } from "../gateway/replies.js";
import type { SimGateway } from "./gateway-port.js";
import { internalErrorReply, newResponseState, readJsonBody, writeReply } from "./http-io.js";
import type { HttpEndpoint, TransportFaults } from "./transport-faults.js";

export interface ExchangeRoutesDeps {
  readonly gateway: SimGateway;
  readonly faults: TransportFaults;
  readonly maxBodyBytes: number;
  readonly onError: (error: unknown) => void;
}

export function registerExchangeRoutes(app: UwsApp, deps: ExchangeRoutesDeps): void {
  const route = (endpoint: HttpEndpoint) => (res: UwsHttpResponse) => {
    const state = newResponseState(res);
    if (deps.faults.takeHttp429(endpoint)) {
      writeReply(res, state, tooManyRequests());
      return;
    }
    readJsonBody(res, state, deps.maxBodyBytes, (body) => {
      let reply;
      try {
        reply = endpoint === "info" ? deps.gateway.info(body) : deps.gateway.exchange(body);
      } catch (error) {
        deps.onError(error);
        reply = internalErrorReply(error);
      }
      writeReply(res, state, reply);
    });
  };
  app.post("/info", route("info"));
  app.post("/exchange", route("exchange"));
}

export function registerNotFound(app: UwsApp): void {
  app.any("/*", (res) => {
    writeReply(res, newResponseState(res), { status: 404, body: "Not Found" });
  });
}
