/**
 * The demo's WebSocket session: subscribes to both legs' books and sends `post` requests, using the wire
 * core's full decoder. It is deliberately plain (one `JSON.parse` per frame, no reconnect): the trading
 * hot path gets its own feed client, built for speed and resilience; this only shows the protocol.
 */
import WebSocket from "ws";
import { decodeWsMessage } from "../../hotpath/exchange/wire/decode-ws.js";
import type { ExchangeRequest, ExchangeResponse } from "../../hotpath/exchange/wire/exchange.js";
import type { L2Book, WsBbo } from "../../hotpath/exchange/wire/index.js";

export interface LegView {
  book?: L2Book;
  bbo?: WsBbo;
  frames: number;
}

export class DemoWsSession {
  readonly legs = new Map<string, LegView>();
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, (response: unknown) => void>();
  #nextPostId = 1;
  decodeErrors = 0;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    // Text frames with the default binaryType arrive as one Buffer.
    socket.on("message", (data: Buffer) => this.#onFrame(data.toString("utf8")));
  }

  static async open(url: string): Promise<DemoWsSession> {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    return new DemoWsSession(socket);
  }

  subscribeBooks(coin: string): void {
    this.legs.set(coin, { frames: 0 });
    this.#send({ method: "subscribe", subscription: { type: "l2Book", coin, fast: true } });
    this.#send({ method: "subscribe", subscription: { type: "bbo", coin } });
  }

  /** Sends a signed action as a WS `post` and resolves with the exchange's response payload. */
  async postAction(request: ExchangeRequest, timeoutMs = 5_000): Promise<ExchangeResponse> {
    const id = this.#nextPostId++;
    const response = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`post ${id} (${request.action.type}) got no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, (payload) => {
        clearTimeout(timer);
        resolve(payload);
      });
    });
    this.#send({ method: "post", id, request: { type: "action", payload: request } });
    return (await response) as ExchangeResponse;
  }

  close(): void {
    this.#socket.close();
  }

  #send(message: unknown): void {
    this.#socket.send(JSON.stringify(message));
  }

  #onFrame(text: string): void {
    const decoded = decodeWsMessage(text);
    if (!decoded.ok) {
      this.decodeErrors += 1;
      return;
    }
    const message = decoded.message;
    switch (message.channel) {
      case "l2Book": {
        const leg = this.legs.get(message.data.coin);
        if (leg) {
          leg.book = message.data;
          leg.frames += 1;
        }
        return;
      }
      case "bbo": {
        const leg = this.legs.get(message.data.coin);
        if (leg) {
          leg.bbo = message.data;
          leg.frames += 1;
        }
        return;
      }
      case "post": {
        const resolve = this.#pending.get(message.data.id);
        if (!resolve) return;
        this.#pending.delete(message.data.id);
        const { response } = message.data;
        resolve(response.type === "error" ? { status: "err", response: response.payload } : response.payload);
        return;
      }
      default:
        return;
    }
  }
}
