/**
 * The one module that loads uWebSockets.js (see /work/shared/STACK.md "uWebSockets.js").
 *
 * uWS.js is not published under its own name; two builds expose the same API:
 * 1. `@btc-vision/uwebsockets.js` (current uWS, Node 20–25) — its Linux binaries need glibc ≥ 2.38, so it
 *    fails to load on Debian 12 / Amazon Linux 2023;
 * 2. `@trufflesuite/uws-js-unofficial` (uWS v20.30) — native on Node 16/18/20 only; on any other Node its
 *    entry point silently swaps in a pure-JS re-implementation on top of `ws` (≈2× the CPU per message, and
 *    several calls missing: no `drain` event, no `getUserData`, no remote address, `idleTimeout` ignored).
 *
 * We try them in that order and record why each earlier one failed, so a process can log which build it
 * got. The trufflesuite package is loaded binary-first rather than through its entry point: that entry
 * point prints to stdout (`UWS_USE_FALLBACK`) or stderr on fallback and hides the reason, and a CLI that
 * promises one JSON line on stdout cannot afford either. `HLB_UWS` forces one build (benchmarking the
 * fallback, or a kill switch): `btc-vision`, `trufflesuite-native`, `trufflesuite-js`; unset or `auto` =
 * the order above.
 *
 * The fallback gets two uWS behaviours it lacks, patched onto its socket class at load: `cork` corks the
 * underlying TCP socket (without it every frame is its own syscall: ≈100k frames/s at best, see
 * docs/benchmarks.md "Simulator"), and the `drain` handler fires on the TCP socket's `drain` (so
 * backpressure can be awaited, not polled).
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

import type * as UwsApi from "@trufflesuite/uws-js-unofficial";

/** The uWS.js API (typed by the trufflesuite declarations, the subset both builds share). */
export type Uws = typeof UwsApi;
export type UwsApp = UwsApi.TemplatedApp;
export type UwsHttpResponse = UwsApi.HttpResponse;
export type UwsHttpRequest = UwsApi.HttpRequest;
export type UwsWebSocket<UserData = unknown> = UwsApi.WebSocket<UserData>;
export type UwsWebSocketBehavior<UserData = unknown> = UwsApi.WebSocketBehavior<UserData>;
export type UwsListenSocket = UwsApi.us_listen_socket;

export type UwsBuild = "btc-vision" | "trufflesuite-native" | "trufflesuite-js";

export const UWS_BUILD_ENV = "HLB_UWS";

const LOAD_ORDER: readonly UwsBuild[] = ["btc-vision", "trufflesuite-native", "trufflesuite-js"];

export interface UwsLoadFailure {
  readonly build: UwsBuild;
  /** The loader's error, reduced to its cause (e.g. `GLIBC_2.38' not found`). */
  readonly reason: string;
}

export interface LoadedUws {
  readonly uws: Uws;
  readonly build: UwsBuild;
  /**
   * False for the pure-JS fallback. Callers that rely on `getUserData`, remote addresses, `idleTimeout`,
   * `HttpResponse.onWritable`, or on `send` copying its argument (the fallback keeps a reference until the
   * frame is written) must branch on this.
   */
  readonly native: boolean;
  /** Whether the `drain` handler fires (native builds; the fallback once patched). */
  readonly drainEvent: boolean;
  /** Why each build tried before this one did not load, in order. */
  readonly failures: readonly UwsLoadFailure[];
  /** One line for the start-up log, e.g. `uWS build trufflesuite-native (btc-vision: …GLIBC_2.38…)`. */
  readonly description: string;
}

export class UwsLoadError extends Error {
  override readonly name = "UwsLoadError";
  constructor(
    readonly failures: readonly UwsLoadFailure[],
    message = `no uWebSockets.js build loaded: ${failures.map((f) => `${f.build}: ${f.reason}`).join("; ")}`,
  ) {
    super(message);
  }
}

const require = createRequire(import.meta.url);

interface BuildLoad {
  readonly uws: Uws;
  readonly drainEvent: boolean;
}

function loadBuild(build: UwsBuild): BuildLoad {
  switch (build) {
    case "btc-vision":
      return { uws: require("@btc-vision/uwebsockets.js") as Uws, drainEvent: true };
    case "trufflesuite-native": {
      const root = dirname(require.resolve("@trufflesuite/uws-js-unofficial/package.json"));
      const abi = `${process.platform}_${process.arch}_${process.versions.modules}`;
      try {
        return { uws: require(join(root, "binaries", `uws_${abi}.node`)) as Uws, drainEvent: true };
      } catch (error) {
        if (isModuleNotFound(error)) {
          throw new Error(
            `no binary for ${abi} (Node ${process.versions.node}); native only on Node 16/18/20`,
            { cause: error },
          );
        }
        throw error;
      }
    }
    case "trufflesuite-js": {
      const root = dirname(require.resolve("@trufflesuite/uws-js-unofficial/package.json"));
      const uws = require(join(root, "dist", "index.js")) as Uws;
      return { uws, drainEvent: patchFallbackSocket(root) };
    }
  }
}

/** The fallback's socket class: a wrapper around a `ws` WebSocket (`internalWs`) over a net socket. */
interface FallbackSocket {
  readonly internalWs: {
    readonly _socket?: { cork(): void; uncork(): void; on(event: "drain", run: () => void): void };
  };
}
interface FallbackSocketClass {
  prototype: FallbackSocket & {
    initialize: (this: FallbackSocket, behavior: { drain?: (ws: FallbackSocket) => void }) => void;
    cork: (this: FallbackSocket, run: () => void) => FallbackSocket;
    hlbPatched?: true;
  };
}

/** Adds `cork` and `drain` to the fallback's sockets; false (and no change) if its internals differ. */
function patchFallbackSocket(root: string): boolean {
  const { WebSocket } = require(join(root, "dist", "websocket.js")) as { WebSocket?: FallbackSocketClass };
  const proto = WebSocket?.prototype;
  if (proto === undefined || typeof proto.initialize !== "function") return false;
  if (proto.hlbPatched === true) return true;
  const initialize = proto.initialize;
  proto.initialize = function (behavior) {
    initialize.call(this, behavior);
    const drain = behavior.drain;
    if (drain !== undefined) this.internalWs._socket?.on("drain", () => drain(this));
  };
  proto.cork = function (run) {
    const socket = this.internalWs._socket;
    socket?.cork();
    try {
      run();
    } finally {
      socket?.uncork();
    }
    return this;
  };
  proto.hlbPatched = true;
  return true;
}

function isModuleNotFound(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND";
}

/** The line of a loader error that names the cause (the btc-vision loader prepends a long preamble). */
function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const cause = lines.find((line) => line.startsWith("Error:")) ?? lines.at(-1) ?? text;
  return cause.replace(/^Error:\s*/, "");
}

function buildsToTry(): readonly UwsBuild[] {
  const forced = process.env[UWS_BUILD_ENV];
  if (forced === undefined || forced === "" || forced === "auto") return LOAD_ORDER;
  const build = LOAD_ORDER.find((candidate) => candidate === forced);
  if (build === undefined) {
    throw new UwsLoadError([], `${UWS_BUILD_ENV}=${forced} is not one of auto, ${LOAD_ORDER.join(", ")}`);
  }
  return [build];
}

let loaded: LoadedUws | undefined;

/** Loads uWS.js once per process (the builds register process-wide state); later calls return the same. */
export function loadUws(): LoadedUws {
  if (loaded !== undefined) return loaded;
  const failures: UwsLoadFailure[] = [];
  for (const build of buildsToTry()) {
    try {
      const { uws, drainEvent } = loadBuild(build);
      const skipped = failures.map((failure) => `${failure.build}: ${failure.reason}`).join("; ");
      loaded = {
        uws,
        build,
        native: build !== "trufflesuite-js",
        drainEvent,
        failures,
        description: `uWS build ${build}${skipped === "" ? "" : ` (${skipped})`}`,
      };
      return loaded;
    } catch (error) {
      failures.push({ build, reason: reasonOf(error) });
    }
  }
  throw new UwsLoadError(failures);
}
