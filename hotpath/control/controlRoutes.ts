/**
 * The control API on the uWS host (mounted by `host/hostServer.ts`): every route requires
 * `Authorization: Bearer <token>`; see docs/control.md for routes, bodies and status codes.
 *
 * - `GET /control`: the target's `ControlState`.
 * - `POST /control/pause | resume | kill | settings`: one change each (bodies: `controlRequests.ts`).
 *
 * Order of checks, each answering on its own so that a refused call changes nothing and costs little:
 * control unavailable or disabled (503) → token (401, the body is never read) → declared body size (413) →
 * the body, read with a cap (413) → its shape and values (400) → the target's own rules (409) → done (200).
 *
 * An accepted change is applied synchronously on the event loop once its body is in, then: one INFO line
 * `control change` (action, before, after, source, reason, changeId) and one `ControlChange` to `onChange`.
 * Refusals are logged at WARN; unauthorized and invalid calls through a `ThrottledWarning`, so a flood of
 * them costs a counter, not a log line each. Neither the configured token nor a presented one is ever
 * logged: a near miss is most of the real token.
 */

import { randomUUID } from "node:crypto";

import type { Secret } from "../config/secret.js";
import { ThrottledWarning } from "../feed/throttledLog.js";
import type { UwsApp, UwsHttpRequest, UwsHttpResponse } from "../host/uws.js";
import type { Logger } from "../observability/logger.js";
import { BearerToken, type BearerRejection } from "./bearerToken.js";
import type { ControlAction, ControlChange, ControlValues } from "./controlChange.js";
import { JsonResponder, readBody, remoteAddressOf, type HeaderList } from "./controlHttp.js";
import { ControlRequestError, parseControlBody, type ControlCommand } from "./controlRequests.js";
import {
  ControlRefusedError,
  type ControlState,
  type ControlTarget,
  type RuntimeSettings,
} from "./controlTarget.js";

/** Largest request body accepted; a settings patch is a few hundred bytes. */
export const DEFAULT_MAX_CONTROL_BODY_BYTES = 16 * 1024;

export const CONTROL_DISABLED_ERROR = "control disabled: set HLB_CONTROL_TOKEN";
export const CONTROL_UNAVAILABLE_ERROR = "control unavailable: this process has no executor to control";

export interface ControlOptions {
  readonly target: ControlTarget;
  /** The resolved `secretSources.controlToken` (`resolveControlToken`); null = disabled, every route 503. */
  readonly token: Secret | null;
  readonly logger: Logger;
  /**
   * Every accepted change, after it took effect (persistence ships it to `control_changes`). Called on the
   * event loop: must hand off, not block. A throw is logged at ERROR; the change stands.
   */
  readonly onChange: (change: ControlChange) => void;
  /** Default `DEFAULT_MAX_CONTROL_BODY_BYTES`. */
  readonly maxBodyBytes?: number;
  /** Least time between two WARN lines about unauthorized (or invalid) calls; default 10 s. */
  readonly refusedLogIntervalMs?: number;
}

const CHANGE_ROUTES: readonly ControlAction[] = ["pause", "resume", "kill", "settings"];

const REJECTION_REASONS: Readonly<Record<BearerRejection, string>> = {
  missing: "send Authorization: Bearer <token> (the value of HLB_CONTROL_TOKEN)",
  malformed: 'the Authorization header must be "Bearer <token>"',
  wrong: "the bearer token is not the configured control token",
};

/** `WWW-Authenticate` per rejection; RFC 6750 §3: no error code when credentials are absent. */
const CHALLENGES: Readonly<Record<BearerRejection, HeaderList>> = {
  missing: [["www-authenticate", 'Bearer realm="hlbasis-control"']],
  malformed: [["www-authenticate", 'Bearer realm="hlbasis-control", error="invalid_request"']],
  wrong: [["www-authenticate", 'Bearer realm="hlbasis-control", error="invalid_token"']],
};

function pick(values: object, names: readonly string[]): ControlValues {
  const source = values as Record<string, string | boolean | null>;
  return Object.fromEntries(names.map((name) => [name, source[name] ?? null]));
}

/** The names an action touches, for `before`/`after`. */
function touched(command: ControlCommand): readonly string[] {
  switch (command.action) {
    case "pause":
    case "resume":
      return ["paused", "pausedReason"];
    case "kill":
      return ["killed", "flattenOnKill"];
    case "settings":
      return Object.keys(command.patch);
  }
}

function touchedValues(command: ControlCommand, state: ControlState): ControlValues {
  return pick(command.action === "settings" ? state.settings : state, touched(command));
}

class ControlApi {
  private readonly bearer: BearerToken | null;
  private readonly maxBodyBytes: number;
  private readonly unauthorizedLog: ThrottledWarning;
  private readonly invalidLog: ThrottledWarning;

  constructor(
    private readonly options: ControlOptions,
    private readonly native: boolean,
  ) {
    this.bearer = options.token === null ? null : new BearerToken(options.token);
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_CONTROL_BODY_BYTES;
    const interval = options.refusedLogIntervalMs ?? 10_000;
    this.unauthorizedLog = new ThrottledWarning(options.logger, "control call unauthorized", interval);
    this.invalidLog = new ThrottledWarning(options.logger, "control call invalid", interval);
  }

  /** The checks every route shares; the source address when the call may proceed, else null (answered). */
  private admit(
    res: UwsHttpResponse,
    req: UwsHttpRequest,
    route: string,
    responder: JsonResponder,
  ): string | null {
    const source = remoteAddressOf(res, this.native);
    if (this.bearer === null) {
      this.unauthorizedLog.warn(() => ({ route, source, rejection: "disabled" }));
      responder.send("503 Service Unavailable", { error: CONTROL_DISABLED_ERROR });
      return null;
    }
    const check = this.bearer.check(req.getHeader("authorization"));
    if (check !== "ok") {
      this.unauthorizedLog.warn(() => ({ route, source, rejection: check }));
      responder.send(
        "401 Unauthorized",
        { error: "unauthorized", reason: REJECTION_REASONS[check] },
        CHALLENGES[check],
      );
      return null;
    }
    return source;
  }

  state(res: UwsHttpResponse, req: UwsHttpRequest): void {
    const responder = new JsonResponder(res);
    const source = this.admit(res, req, "GET /control", responder);
    if (source === null) return;
    let state: ControlState;
    try {
      state = this.options.target.state();
    } catch (error) {
      this.options.logger.error({ err: error, source }, "control state unavailable");
      responder.send("500 Internal Server Error", { error: "control state unavailable" });
      return;
    }
    responder.send("200 OK", state);
  }

  change(action: ControlAction, res: UwsHttpResponse, req: UwsHttpRequest): void {
    const responder = new JsonResponder(res);
    const source = this.admit(res, req, `POST /control/${action}`, responder);
    if (source === null) return;
    const tooLarge = (): void =>
      responder.send(
        "413 Payload Too Large",
        { error: "body too large", reason: `at most ${this.maxBodyBytes} bytes` },
        [],
        true,
      );
    if (Number(req.getHeader("content-length")) > this.maxBodyBytes) return tooLarge();
    responder.watchAbort();
    readBody(
      res,
      responder,
      this.maxBodyBytes,
      (body) => this.apply(action, body, source, responder),
      tooLarge,
    );
  }

  private apply(action: ControlAction, body: Buffer, source: string, responder: JsonResponder): void {
    const { target, logger } = this.options;
    let command: ControlCommand;
    try {
      command = parseControlBody(action, body);
    } catch (error) {
      if (!(error instanceof ControlRequestError)) return this.failed(action, source, error, responder);
      const [first] = error.problems;
      this.invalidLog.warn(() => ({ action, source, problems: error.problems }));
      responder.send("400 Bad Request", { error: "invalid request", ...first, problems: error.problems });
      return;
    }

    let before: ControlState;
    let settings: RuntimeSettings | undefined;
    let state: ControlState;
    try {
      before = target.state();
      settings = this.run(command);
      state = target.state();
    } catch (error) {
      if (!(error instanceof ControlRefusedError)) return this.failed(action, source, error, responder);
      logger.warn({ action, source, field: error.field, reason: error.reason }, "control change refused");
      responder.send("409 Conflict", {
        error: "refused",
        ...(error.field === undefined ? {} : { field: error.field }),
        reason: error.reason,
        state: this.stateOrNull(),
      });
      return;
    }
    const change: ControlChange = {
      changeId: randomUUID(),
      changedAt: new Date().toISOString(),
      action,
      source,
      before: touchedValues(command, before),
      // What the target says is now in force.
      after: touchedValues(command, settings === undefined ? state : { ...state, settings }),
      reason: command.reason,
    };
    logger.info(
      {
        changeId: change.changeId,
        action,
        before: change.before,
        after: change.after,
        source,
        reason: change.reason,
      },
      "control change",
    );
    try {
      this.options.onChange(change);
    } catch (error) {
      logger.error({ err: error, changeId: change.changeId, action }, "control change not recorded");
    }
    responder.send("200 OK", { action, changeId: change.changeId, state });
  }

  /**
   * A bug in this module or the target, not a refusal. Answered, never thrown: an exception out of a uWS
   * callback would take the trading process down. The target's state may have changed, so it is included.
   */
  private failed(action: ControlAction, source: string, error: unknown, responder: JsonResponder): void {
    this.options.logger.error({ err: error, action, source }, "control action failed");
    responder.send("500 Internal Server Error", {
      error: "control action failed",
      reason: error instanceof Error ? error.message : String(error),
      state: this.stateOrNull(),
    });
  }

  private stateOrNull(): ControlState | null {
    try {
      return this.options.target.state();
    } catch {
      return null;
    }
  }

  private run(command: ControlCommand): RuntimeSettings | undefined {
    const { target } = this.options;
    switch (command.action) {
      case "pause":
        target.pause(command.reason);
        return undefined;
      case "resume":
        target.resume();
        return undefined;
      case "kill":
        target.kill({ flatten: command.flatten });
        return undefined;
      case "settings":
        return target.applySettings(command.patch);
    }
  }
}

/**
 * Mounts the control routes on `app`; call before the host's catch-all route. `control` undefined (a process
 * without an executor) answers 503 on every control route. `native`: the uWS build reports remote addresses.
 */
export function mountControlRoutes(app: UwsApp, control: ControlOptions | undefined, native: boolean): void {
  const unavailable = (res: UwsHttpResponse): void =>
    new JsonResponder(res).send("503 Service Unavailable", { error: CONTROL_UNAVAILABLE_ERROR });
  const api = control === undefined ? undefined : new ControlApi(control, native);

  app.get("/control", (res, req) => (api === undefined ? unavailable(res) : api.state(res, req)));
  for (const action of CHANGE_ROUTES) {
    app.post(`/control/${action}`, (res, req) =>
      api === undefined ? unavailable(res) : api.change(action, res, req),
    );
    app.any(`/control/${action}`, (res) => methodNotAllowed(res, "POST"));
  }
  app.any("/control", (res) => methodNotAllowed(res, "GET"));
  app.any("/control/*", (res) =>
    new JsonResponder(res).send("404 Not Found", {
      error: "not found",
      routes: ["GET /control", ...CHANGE_ROUTES.map((action) => `POST /control/${action}`)],
    }),
  );
}

function methodNotAllowed(res: UwsHttpResponse, allow: string): void {
  new JsonResponder(res).send("405 Method Not Allowed", { error: "method not allowed", allow }, [
    ["allow", allow],
  ]);
}
