/**
 * The simulator's options and their defaults (the exchange's figures, PROTOCOL §2 and §11).
 */
import type { ExchangeCoreOptions } from "../core/index.js";
import type { AgentSpec, FundSpec } from "./accounts.js";
import type { FaultSpec } from "./fault-spec.js";
import type { GatewayFactory } from "./gateway-port.js";
import type { ClockMode } from "./market-driver.js";
import type { FeedCadence } from "./model-feed.js";
import type { ReplayOptions } from "./replay-feed.js";
import { DEFAULT_STRESS_OPTIONS, type StressOptions } from "./stress-feed.js";

/**
 * - `realistic`: the model, a block every `blockMs`, books on the exchange's cadence;
 * - `stress`: the same, but `l2Book` subscribers get pre-framed 20-level snapshots as fast as they read;
 * - `replay`: market channels play `replayFile` instead of the model (user feeds still come from the core).
 */
export type SimRate = "realistic" | "stress" | "replay";

export const SIM_RATES: readonly SimRate[] = ["realistic", "stress", "replay"];

export interface SimCadence extends FeedCadence {
  /** Simulated (and, on the timer, wall) ms per block (exchange: ~70). */
  readonly blockMs: number;
}

export interface SimulatorOptions {
  /** 0 (default) = any free port. */
  readonly port?: number;
  /** Default `127.0.0.1`: loopback only. */
  readonly host?: string;
  readonly seed?: number;
  /**
   * Simulated time at start (ms since the epoch). Default: the wall clock, so frames look live and the bot's
   * wall-clock nonces fall inside the exchange's window. A run is reproducible given seed AND start time.
   */
  readonly startTimeMs?: number;
  readonly rate?: SimRate;
  /** JSONL capture for `rate: "replay"`. */
  readonly replayFile?: string;
  readonly replay?: Partial<ReplayOptions>;
  /** `timer` (default): the market moves on its own; `manual`: only `market.step(n)` moves it. */
  readonly clock?: ClockMode;
  /** Start with the market paused (resume with `market.resume()`). */
  readonly paused?: boolean;
  readonly cadence?: Partial<SimCadence>;
  /** Close a WS connection the client has sent nothing on for this long; 0 disables (exchange: 60 s). */
  readonly idleTimeoutMs?: number;
  readonly fund?: readonly FundSpec[];
  readonly agents?: readonly AgentSpec[];
  /** Faults applied (or scheduled, with `afterMs`) at start. */
  readonly faults?: readonly FaultSpec[];
  /** Core options other than seed and start time (coins, fees, taker flow, funding acceleration…). */
  readonly core?: Omit<ExchangeCoreOptions, "seed" | "startTimeMs">;
  /** The gateway over the core; default the real one (`../gateway/`). */
  readonly gateway?: GatewayFactory;
  readonly stress?: Partial<StressOptions>;
  /** Per-socket send buffer cap (uWS `maxBackpressure`); a realistic-rate frame over it closes the socket. */
  readonly maxBackpressureBytes?: number;
  /** Errors thrown inside handlers (never fatal to the server); default: one JSON line on stderr. */
  readonly onError?: (error: unknown) => void;
}

export const DEFAULT_CADENCE: SimCadence = { blockMs: 70, fastBookMs: 500, bookMs: 5000, assetCtxMs: 1000 };
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_BACKPRESSURE_BYTES = 16 * 1024 * 1024;
export const MAX_WS_PAYLOAD_BYTES = 1024 * 1024;
export const MAX_HTTP_BODY_BYTES = 1024 * 1024;
export const DEFAULT_REPLAY: ReplayOptions = { speed: 1, loop: false };

export class SimulatorOptionsError extends Error {
  override readonly name = "SimulatorOptionsError";
}

export interface ResolvedOptions {
  readonly port: number;
  readonly host: string;
  readonly seed: number;
  readonly startTimeMs: number;
  readonly rate: SimRate;
  readonly clock: ClockMode;
  readonly paused: boolean;
  readonly cadence: SimCadence;
  readonly idleTimeoutMs: number;
  readonly stress: StressOptions;
  readonly replay: ReplayOptions;
  readonly maxBackpressureBytes: number;
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0))
    throw new SimulatorOptionsError(`${name} must be a positive number: ${value}`);
  return value;
}

export function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  const rate = options.rate ?? "realistic";
  if (!SIM_RATES.includes(rate)) throw new SimulatorOptionsError(`unknown rate ${JSON.stringify(rate)}`);
  if (rate === "replay" && options.replayFile === undefined) {
    throw new SimulatorOptionsError("rate replay needs a replayFile");
  }
  const port = options.port ?? 0;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535))
    throw new SimulatorOptionsError(`bad port ${port}`);
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new SimulatorOptionsError(`seed must be an integer: ${seed}`);
  const cadence = { ...DEFAULT_CADENCE, ...options.cadence };
  for (const [name, value] of Object.entries(cadence)) positive(`cadence.${name}`, value);
  const stress = { ...DEFAULT_STRESS_OPTIONS, ...options.stress };
  for (const [name, value] of Object.entries(stress)) positive(`stress.${name}`, value);
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  if (!(idleTimeoutMs >= 0)) throw new SimulatorOptionsError(`bad idleTimeoutMs ${idleTimeoutMs}`);
  const replay = { ...DEFAULT_REPLAY, ...options.replay };
  if (!(replay.speed >= 0)) throw new SimulatorOptionsError(`bad replay speed ${replay.speed}`);
  return {
    port,
    host: options.host ?? "127.0.0.1",
    seed,
    startTimeMs: options.startTimeMs ?? Date.now(),
    rate,
    clock: options.clock ?? "timer",
    paused: options.paused ?? false,
    cadence,
    idleTimeoutMs,
    stress,
    replay,
    maxBackpressureBytes: options.maxBackpressureBytes ?? DEFAULT_MAX_BACKPRESSURE_BYTES,
  };
}
