/**
 * HTTP transport for `POST /info` and `POST /exchange` (PROTOCOL §1, §4, §5): typed by the wire request
 * and response maps, separate from any API logic (the `@nktkas/hyperliquid` split of transport and API).
 *
 * Used off the order path: start-up metadata and reconciliation, the rebalancer's transfers, and the
 * HTTP fallback for actions when the WebSocket is down. Orders normally go out as WS `post`.
 *
 * Failures are typed and carry what a person needs: the endpoint, the request type, the HTTP status and
 * the start of the body. HTTP 200 with `{"status":"err"}` is NOT an HTTP failure: it is returned as the
 * decoded exchange response, because the caller decides what an action-level rejection means.
 * Uses `node:http`/`node:https` with keep-alive agents rather than the global `fetch`: loading Node's
 * bundled undici costs the hot-path process ≈11 MB of RSS (measured; the budget is 80 MB), and a
 * small JSON POST needs none of it.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

import { decodeExchangeResponse } from "../wire/decode-exchange.js";
import type { ExchangeRequest, ExchangeResponse } from "../wire/exchange.js";
import type { InfoRequest, InfoResponse } from "../wire/info.js";

export type HttpFailureKind = "network" | "timeout" | "status" | "not_json" | "invalid_body";

export class ExchangeHttpError extends Error {
  override readonly name = "ExchangeHttpError";
  constructor(
    readonly kind: HttpFailureKind,
    readonly url: string,
    readonly requestType: string,
    readonly status: number | undefined,
    readonly bodyExcerpt: string | undefined,
    options?: { cause?: unknown },
  ) {
    const statusText = status === undefined ? "" : ` HTTP ${status}`;
    const excerpt = bodyExcerpt === undefined ? "" : `: ${bodyExcerpt}`;
    super(`${requestType} → ${url} failed (${kind}${statusText})${excerpt}`, options);
  }
}

export interface HttpClientOptions {
  readonly infoUrl: string;
  readonly exchangeUrl: string;
  /** Per request; default 10 s (the NK SDK's default). */
  readonly timeoutMs?: number;
}

const EXCERPT_CHARS = 200;

export class ExchangeHttpClient {
  readonly #infoUrl: string;
  readonly #exchangeUrl: string;
  readonly #timeoutMs: number;
  readonly #httpAgent = new HttpAgent({ keepAlive: true });
  readonly #httpsAgent = new HttpsAgent({ keepAlive: true });

  constructor(options: HttpClientOptions) {
    this.#infoUrl = options.infoUrl;
    this.#exchangeUrl = options.exchangeUrl;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** `POST /info`. The body is typed by the request's `type`; callers validate with `decode*` where it matters. */
  async info<R extends InfoRequest>(request: R): Promise<InfoResponse<R["type"]>> {
    return (await this.#post(this.#infoUrl, request.type, request)) as InfoResponse<R["type"]>;
  }

  /** `POST /exchange`: a signed request; the decoded response (which may be `{"status":"err"}`). */
  async exchange(request: ExchangeRequest): Promise<ExchangeResponse> {
    const body = await this.#post(this.#exchangeUrl, request.action.type, request);
    const decoded = decodeExchangeResponse(body);
    if (!decoded.ok) {
      throw new ExchangeHttpError(
        "invalid_body",
        this.#exchangeUrl,
        request.action.type,
        200,
        decoded.error.message.slice(0, EXCERPT_CHARS),
      );
    }
    return decoded.value;
  }

  async #post(url: string, requestType: string, payload: unknown): Promise<unknown> {
    const { status, text } = await this.#send(url, requestType, JSON.stringify(payload));
    if (status !== 200) {
      throw new ExchangeHttpError("status", url, requestType, status, text.slice(0, EXCERPT_CHARS));
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new ExchangeHttpError("not_json", url, requestType, 200, text.slice(0, EXCERPT_CHARS), {
        cause: error,
      });
    }
  }

  /** One POST; rejects with a typed `network`/`timeout` error, resolves with any HTTP status. */
  #send(url: string, requestType: string, body: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch (error) {
        reject(new ExchangeHttpError("network", url, requestType, undefined, undefined, { cause: error }));
        return;
      }
      const secure = target.protocol === "https:";
      const send = secure ? httpsRequest : httpRequest;
      let timedOut = false;
      const request = send(
        target,
        {
          method: "POST",
          agent: secure ? this.#httpsAgent : this.#httpAgent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            clearTimeout(timer);
            resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") });
          });
          response.on("error", (error) => request.destroy(error));
        },
      );
      const timer = setTimeout(() => {
        timedOut = true;
        request.destroy(new Error(`no response within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      request.on("error", (error) => {
        clearTimeout(timer);
        const kind = timedOut ? "timeout" : "network";
        reject(new ExchangeHttpError(kind, url, requestType, undefined, undefined, { cause: error }));
      });
      request.end(body);
    });
  }

  /** Closes idle keep-alive sockets (a process that is stopping should not wait for them). */
  close(): void {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }
}
