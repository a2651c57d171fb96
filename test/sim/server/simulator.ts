/**
 * `startSimulator`: the simulated exchange as one server — `POST /info`, `POST /exchange`, `WS /ws` and the
 * loopback admin surface (`/sim/*`) on one uWS app — composed from the core, the gateway, a market driver
 * (block clock or replay), the feeds, and the fault controls. `stop()` cancels every timer and closes every
 * socket, so a test process or the CLI exits on its own afterwards.
 */
import { loadUws, type UwsBuild, type UwsListenSocket } from "../../../hotpath/host/uws.js";
import { ExchangeCore } from "../core/index.js";
import { approveAgents, fundAccounts, type AgentSpec, type FundSpec } from "./accounts.js";
import { registerAdminRoutes, type MarketCommand } from "./admin-routes.js";
import { registerExchangeRoutes, registerNotFound } from "./exchange-routes.js";
import { FaultController, type ActiveFaults } from "./fault-controller.js";
import { parseFaultScript } from "./fault-spec.js";
import { FeedHub } from "./feed-hub.js";
import { exchangeFaultsOf, realGateway, type SimAdmin, type SimGateway } from "./gateway-port.js";
import type { MarketDriver } from "./market-driver.js";
import { setUpMarket } from "./market-setup.js";
import {
  MAX_HTTP_BODY_BYTES,
  MAX_WS_PAYLOAD_BYTES,
  resolveOptions,
  type SimRate,
  type SimulatorOptions,
} from "./options.js";
import { PostHandler } from "./post-handler.js";
import { TimerSet } from "./timer-set.js";
import { TransportFaults } from "./transport-faults.js";
import { WsEndpoint } from "./ws-endpoint.js";

export interface SimulatorStatus {
  readonly uws: UwsBuild;
  readonly rate: SimRate;
  readonly seed: number;
  readonly connections: number;
  readonly exchangeTime: number;
  readonly marketRunning: boolean;
  /** Stress rate: l2Book frames streamed to the connections still open. */
  readonly streamedFrames: number;
  readonly faults: ActiveFaults;
}

export interface Simulator {
  readonly host: string;
  readonly port: number;
  /** `http://host:port/info`, `…/exchange`, `ws://host:port/ws`. */
  readonly info: string;
  readonly exchange: string;
  readonly ws: string;
  readonly rate: SimRate;
  readonly seed: number;
  readonly core: ExchangeCore;
  readonly gateway: SimGateway;
  /** The gateway's admin (funding, agents, account modes, fees, its own faults), when it has one. */
  readonly admin: SimAdmin | undefined;
  readonly faults: FaultController;
  /** Pause, resume or single-step the market (blocks, or replayed frames). */
  readonly market: MarketDriver;
  /** Which uWS build serves, and why the others did not load. */
  readonly uws: { readonly build: UwsBuild; readonly native: boolean; readonly description: string };
  fund(specs: readonly FundSpec[]): void;
  approveAgents(specs: readonly AgentSpec[]): void;
  status(): SimulatorStatus;
  stop(): Promise<void>;
}

export class SimulatorStartError extends Error {
  override readonly name = "SimulatorStartError";
}

function defaultOnError(error: unknown): void {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${JSON.stringify({ event: "sim-error", message })}\n`);
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const resolved = resolveOptions(options);
  const onError = options.onError ?? defaultOnError;
  const loaded = loadUws();
  const { uws } = loaded;
  const timers = new TimerSet();
  const coreOptions = { ...options.core, seed: resolved.seed, startTimeMs: resolved.startTimeMs };
  const core = new ExchangeCore(coreOptions);
  const { gateway, admin } = (options.gateway ?? realGateway)({ core, seed: resolved.seed });
  const transportFaults = new TransportFaults(resolved.seed);
  const hub = new FeedHub(transportFaults);

  const marketSetup = setUpMarket(resolved, {
    core,
    coreOptions,
    hub,
    timers,
    faults: transportFaults,
    uws: loaded,
    replayFile: options.replayFile,
    onError,
  });
  const market = marketSetup.driver;

  const endpoint = new WsEndpoint(
    {
      uws,
      hub,
      posts: new PostHandler(gateway, transportFaults, timers, onError),
      timers,
      knownCoin: (coin) => core.markets.marketByCoin(coin) !== undefined,
      initialFrames: marketSetup.initialFrames,
      stress: marketSetup.stress,
      onError,
    },
    {
      idleTimeoutMs: resolved.idleTimeoutMs,
      maxBackpressureBytes: resolved.maxBackpressureBytes,
      maxPayloadBytes: MAX_WS_PAYLOAD_BYTES,
    },
  );
  const faults = new FaultController(transportFaults, endpoint, core, exchangeFaultsOf(core, admin), timers);

  const fund = (specs: readonly FundSpec[]): void => fundAccounts(core, admin, specs);
  const approve = (specs: readonly AgentSpec[]): void => approveAgents(admin, specs);
  const status = (): SimulatorStatus => ({
    uws: loaded.build,
    rate: resolved.rate,
    seed: resolved.seed,
    connections: endpoint.connectionCount,
    exchangeTime: core.exchangeTime(),
    marketRunning: market.running,
    streamedFrames: marketSetup.stress?.framesSent() ?? 0,
    faults: faults.active(),
  });
  const marketCommand = (command: MarketCommand): void => {
    if (command.action === "step") market.step(command.count ?? 1);
    else if (command.action === "pause") market.pause();
    else market.resume();
  };

  fund(options.fund ?? []);
  approve(options.agents ?? []);
  faults.apply(options.faults ?? []);

  const app = uws.App();
  registerExchangeRoutes(app, {
    gateway,
    faults: transportFaults,
    maxBodyBytes: MAX_HTTP_BODY_BYTES,
    onError,
  });
  registerAdminRoutes(
    app,
    {
      applyFaults: (script) => faults.apply(parseFaultScript(script)),
      fund,
      approveAgents: approve,
      market: marketCommand,
      status,
    },
    { listenLoopback: isLoopbackHost(resolved.host), native: loaded.native },
  );
  endpoint.register(app, "/ws");
  registerNotFound(app);

  const listenSocket = await new Promise<UwsListenSocket>((resolve, reject) => {
    app.listen(resolved.host, resolved.port, (socket) => {
      if (socket === false) {
        reject(new SimulatorStartError(`cannot listen on ${resolved.host}:${resolved.port}`));
      } else {
        resolve(socket);
      }
    });
  }).catch((error: unknown) => {
    timers.stop();
    marketSetup.stop();
    throw error;
  });
  const port = uws.us_socket_local_port(listenSocket);
  if (!resolved.paused && resolved.clock === "timer") market.resume();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => {
      marketSetup.stop();
      endpoint.stop();
      timers.stop();
      uws.us_listen_socket_close(listenSocket);
      // Native builds can close every socket at once (keep-alive HTTP included); the fallback has no
      // `close`, and its listen-socket close also shuts its HTTP server.
      (app as { close?: () => void }).close?.();
      setImmediate(resolve);
    });
    return stopping;
  };

  const base = `${urlHost(resolved.host)}:${port}`;
  return {
    host: resolved.host,
    port,
    info: `http://${base}/info`,
    exchange: `http://${base}/exchange`,
    ws: `ws://${base}/ws`,
    rate: resolved.rate,
    seed: resolved.seed,
    core,
    gateway,
    admin,
    faults,
    market,
    uws: { build: loaded.build, native: loaded.native, description: loaded.description },
    fund,
    approveAgents: approve,
    status,
    stop,
  };
}
