/**
 * The hot path's HTTP/WebSocket surface on uWebSockets.js (loaded by `uws.ts`), read-only except for the
 * token-guarded control API:
 *
 * - `GET /health`: liveness, 200 with `{"status":"ok", uptimeS, uwsBuild}` while the event loop runs;
 * - `GET /ready`: 200 only when the feed is connected, every market's breaker is closed (every leg fresh)
 *   and every market's funding input is known, else 503; the body is the `FeedStatus` (per-coin breaker
 *   state, input sources and reasons) either way;
 * - `GET /metrics`: Prometheus text;
 * - `WS /stream`: subscribes the client to the `edges` and `status` topics (`edgeStream.ts`). A client that
 *   does not read is closed once `maxBackpressure` bytes are queued for it (`closeOnBackpressureLimit`):
 *   publishing never buffers without bound and never waits for a dashboard.
 *
 * - `GET /control`, `POST /control/{pause,resume,kill,settings}`: the control API (`../control/`), the only
 *   routes that change state; each requires the bearer token, and without `control` (no executor) or without
 *   a configured token they answer 503. Never open by default.
 *
 * Every other path or method is 404.
 */

import { mountControlRoutes, type ControlOptions } from "../control/controlRoutes.js";
import type { FeedStatus } from "../feed/feedStatus.js";
import { PROMETHEUS_CONTENT_TYPE } from "../metrics/prometheus.js";
import { EDGES_TOPIC, STATUS_TOPIC, type StreamPublisher } from "./edgeStream.js";
import type { LoadedUws, UwsApp, UwsHttpResponse, UwsListenSocket } from "./uws.js";

/** Bytes queued for one `/stream` client before it is dropped (≈ a few seconds of edge batches). */
export const STREAM_MAX_BACKPRESSURE_BYTES = 256 * 1024;
const STREAM_MAX_PAYLOAD_BYTES = 4 * 1024;

export interface HostServerOptions {
  readonly uws: LoadedUws;
  readonly bindAddress: string;
  /** 0 = any free port. */
  readonly port: number;
  readonly status: () => FeedStatus;
  readonly metricsText: () => string;
  readonly maxBackpressureBytes?: number;
  /** The control API; absent = every control route answers 503 (this process has nothing to control). */
  readonly control?: ControlOptions;
}

export class HostListenError extends Error {
  override readonly name = "HostListenError";
  constructor(
    readonly bindAddress: string,
    readonly port: number,
  ) {
    super(`cannot listen on ${bindAddress}:${port} (address in use or not local?)`);
  }
}

export interface HostServer extends StreamPublisher {
  readonly port: number;
  /** Connected `/stream` clients. */
  readonly streamClients: number;
  close(): Promise<void>;
}

function reply(res: UwsHttpResponse, status: string, contentType: string, body: string): void {
  res.cork(() => {
    res.writeStatus(status).writeHeader("content-type", contentType).writeHeader("cache-control", "no-store");
    res.end(body);
  });
}

function json(res: UwsHttpResponse, status: string, body: unknown): void {
  reply(res, status, "application/json", JSON.stringify(body));
}

function routes(app: UwsApp, options: HostServerOptions, startedAtMs: number): void {
  app.get("/health", (res) => {
    json(res, "200 OK", {
      status: "ok",
      uptimeS: Math.round((performance.now() - startedAtMs) / 1000),
      uwsBuild: options.uws.build,
    });
  });
  app.get("/ready", (res) => {
    const status = options.status();
    json(res, status.ready ? "200 OK" : "503 Service Unavailable", status);
  });
  app.get("/metrics", (res) => {
    reply(res, "200 OK", PROMETHEUS_CONTENT_TYPE, options.metricsText());
  });
  mountControlRoutes(app, options.control, options.uws.native);
  app.any("/*", (res) => {
    json(res, "404 Not Found", { error: "not found" });
  });
}

export async function startHostServer(options: HostServerOptions): Promise<HostServer> {
  const { uws } = options.uws;
  const app = uws.App();
  const startedAtMs = performance.now();
  let streamClients = 0;
  app.ws("/stream", {
    compression: uws.DISABLED,
    maxPayloadLength: STREAM_MAX_PAYLOAD_BYTES,
    maxBackpressure: options.maxBackpressureBytes ?? STREAM_MAX_BACKPRESSURE_BYTES,
    closeOnBackpressureLimit: 1,
    idleTimeout: 120,
    sendPingsAutomatically: true,
    open: (socket) => {
      streamClients += 1;
      socket.subscribe(EDGES_TOPIC);
      socket.subscribe(STATUS_TOPIC);
      // The current status at once, so a dashboard need not wait for the next tick.
      socket.send(JSON.stringify({ type: "status", ...options.status() }));
    },
    message: () => {
      // Read-only stream: client messages are ignored.
    },
    close: () => {
      streamClients -= 1;
    },
  });
  routes(app, options, startedAtMs);

  const listenSocket = await new Promise<UwsListenSocket>((resolve, reject) => {
    app.listen(options.bindAddress, options.port, (socket) => {
      if (socket === false) reject(new HostListenError(options.bindAddress, options.port));
      else resolve(socket);
    });
  });
  const port = uws.us_socket_local_port(listenSocket);
  let closing: Promise<void> | undefined;
  return {
    port,
    get streamClients() {
      return streamClients;
    },
    publish: (topic, message) => app.publish(topic, message, false, false),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        uws.us_listen_socket_close(listenSocket);
        // Native builds close every open socket (keep-alive HTTP and /stream) at once; the JS fallback has
        // no `close`, and its listen-socket close shuts its HTTP server.
        (app as { close?: () => void }).close?.();
        setImmediate(resolve);
      });
      return closing;
    },
  };
}
