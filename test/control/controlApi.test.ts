/**
 * The control API over real sockets on the real uWS host (`startHostServer` with `control`): a bearer token
 * or nothing happens (401, 503), every accepted change reaches the target, `onChange` and the log exactly
 * once, and every refused one (400, 409, 413, an aborted upload) leaves state, records and target untouched.
 */

import { connect } from "node:net";

import { afterEach, describe, expect, it } from "vitest";

import { CONTROL_ACTOR_PREFIX, controlChangeColumns } from "../../hotpath/control/controlChange.js";
import {
  CONTROL_DISABLED_ERROR,
  CONTROL_UNAVAILABLE_ERROR,
  DEFAULT_MAX_CONTROL_BODY_BYTES,
} from "../../hotpath/control/controlRoutes.js";
import type { ControlState } from "../../hotpath/control/controlTarget.js";
import { loadUws } from "../../hotpath/host/uws.js";
import { call, startControlHost, TOKEN, type ControlHost, type LogLine } from "./controlHost.js";
import { MemoryControlTarget } from "./memoryControlTarget.js";

const INITIAL_STATE: ControlState = {
  paused: false,
  pausedReason: null,
  killed: false,
  flattenOnKill: false,
  settings: { openThresholdBps: "15", closeThresholdBps: "3", clipSize: "1", maxSlippageBps: "50" },
};

/** The caller's address as the host reports it; the JS fallback build (HLB_UWS=trufflesuite-js) cannot tell. */
const SOURCE = loadUws().native ? "127.0.0.1" : "unknown";

const CHANGE_ROUTES = ["/control/pause", "/control/resume", "/control/kill", "/control/settings"] as const;

let hosts: ControlHost[] = [];

async function startHost(options: Parameters<typeof startControlHost>[0] = {}): Promise<ControlHost> {
  const host = await startControlHost(options);
  hosts.push(host);
  return host;
}

afterEach(async () => {
  await Promise.all(hosts.map((host) => host.close()));
  hosts = [];
});

function changeLines(host: ControlHost): LogLine[] {
  return host.lines().filter((line) => line.message === "control change");
}

/** Nothing reached the target, nothing was recorded, nothing was logged as a change. */
function expectUntouched(host: ControlHost): void {
  expect(host.target.calls).toEqual([]);
  expect(host.target.state()).toEqual(INITIAL_STATE);
  expect(host.changes).toEqual([]);
  expect(changeLines(host)).toEqual([]);
}

interface RawResult {
  readonly response: string;
  readonly closedByServer: boolean;
}

/** Writes `parts` to a fresh TCP connection one by one and collects what comes back until close or 1 s. */
async function rawExchange(
  port: number,
  parts: readonly string[],
  destroyAfterWrite = false,
): Promise<RawResult> {
  const socket = connect(port, "127.0.0.1");
  let response = "";
  let closedByServer = false;
  socket.on("data", (data: Buffer) => (response += data.toString("latin1")));
  socket.on("error", () => {
    // The server may close while the rest of a refused body is still being written.
  });
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.once("end", () => (closedByServer = true));
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  for (const part of parts) {
    if (socket.destroyed) break;
    await new Promise<void>((resolve) => socket.write(part, () => resolve()));
  }
  if (destroyAfterWrite) socket.destroy();
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1000))]);
  socket.destroy();
  return { response, closedByServer };
}

describe("control API: authorization", () => {
  it("is disabled (503) on every route when no token is configured, whatever the caller sends", async () => {
    const host = await startHost({ token: null });
    for (const authorization of [null, `Bearer ${TOKEN}`, "Bearer anything-at-all-here"]) {
      const state = await call(host, "GET", "/control", { authorization });
      expect(state).toMatchObject({ status: 503, body: { error: CONTROL_DISABLED_ERROR } });
      for (const route of CHANGE_ROUTES) {
        const reply = await call(host, "POST", route, {
          authorization,
          body: { reason: "x", flatten: true },
        });
        expect(reply).toMatchObject({ status: 503, body: { error: CONTROL_DISABLED_ERROR } });
      }
    }
    expectUntouched(host);
  });

  it("answers 503 when the host has nothing to control, and keeps its other routes", async () => {
    const host = await startHost({ control: false });
    expect(await call(host, "GET", "/control")).toMatchObject({
      status: 503,
      body: { error: CONTROL_UNAVAILABLE_ERROR },
    });
    expect(await call(host, "POST", "/control/kill", { body: { flatten: true } })).toMatchObject({
      status: 503,
      body: { error: CONTROL_UNAVAILABLE_ERROR },
    });
    const health = await fetch(`${host.base}/health`);
    expect(health.status).toBe(200);
    expect(host.target.calls).toEqual([]);
  });

  it("refuses a missing, malformed or wrong token (401): nothing changes, logged rate-limited", async () => {
    const host = await startHost();
    const cases: [authorization: string | null, rejection: string, challenge: string][] = [
      [null, "Authorization: Bearer", 'Bearer realm="hlbasis-control"'],
      [`Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}`, "must be", 'error="invalid_request"'],
      ["Bearer", "must be", 'error="invalid_request"'],
      [TOKEN, "must be", 'error="invalid_request"'],
      [`Bearer ${TOKEN}x`, "not the configured", 'error="invalid_token"'],
      [`Bearer ${TOKEN.slice(0, -1)}`, "not the configured", 'error="invalid_token"'],
      [`Bearer ${TOKEN.toUpperCase()}`, "not the configured", 'error="invalid_token"'],
      [`Bearer ${TOKEN} extra`, "must be", 'error="invalid_request"'],
    ];
    for (const [authorization, rejection, challenge] of cases) {
      const replies = [
        await call(host, "GET", "/control", { authorization }),
        await call(host, "POST", "/control/pause", { authorization, body: { reason: "intruder" } }),
        await call(host, "POST", "/control/kill", { authorization, body: { flatten: true } }),
        await call(host, "POST", "/control/settings", { authorization, body: { clipSize: "2" } }),
        await call(host, "POST", "/control/resume", { authorization }),
      ];
      for (const reply of replies) {
        expect(reply.status, `${authorization}`).toBe(401);
        expect(reply.body["error"]).toBe("unauthorized");
        expect(reply.body["reason"]).toContain(rejection);
        expect(reply.headers.get("www-authenticate")).toContain(challenge);
        expect(reply.headers.get("content-type")).toBe("application/json");
      }
    }
    expectUntouched(host);

    // 40 refused calls, one WARN line (the rest are counted into the next one, 10 s later).
    const warnings = host.lines().filter((line) => line.message === "control call unauthorized");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: "WARN", route: "GET /control", source: SOURCE });
    expect(warnings[0]!["rejection"]).toBe("missing");
  });

  it("accepts the token with the scheme in any letter case", async () => {
    const host = await startHost();
    const reply = await call(host, "GET", "/control", { authorization: `bEaReR ${TOKEN}` });
    expect(reply).toMatchObject({ status: 200, body: INITIAL_STATE });
  });

  it("never writes the token, or a near miss of it, to the log", async () => {
    const host = await startHost();
    const nearMiss = `${TOKEN.slice(0, -2)}zz`;
    await call(host, "GET", "/control", { authorization: `Bearer ${nearMiss}` });
    await call(host, "POST", "/control/pause", { body: { reason: "night" } });
    await call(host, "POST", "/control/settings", { body: { openThresholdBps: "x" } });
    await call(host, "POST", "/control/settings", { body: { closeThresholdBps: "40" } });
    await call(host, "POST", "/control/kill", { body: { flatten: false } });
    await call(host, "POST", "/control/resume");
    expect(host.rawLines.length).toBeGreaterThanOrEqual(5);
    const levels = new Set(host.lines().map((line) => line.level));
    expect(levels).toEqual(new Set(["INFO", "WARN"]));
    for (const line of host.rawLines) {
      expect(line).not.toContain(TOKEN.slice(4, -4));
      expect(line).not.toContain(nearMiss.slice(4));
      expect(line.toLowerCase()).not.toContain("bearer");
    }
  });
});

describe("control API: changes", () => {
  it("serves the state on GET /control", async () => {
    const host = await startHost();
    const reply = await call(host, "GET", "/control");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("cache-control")).toBe("no-store");
    expect(reply.body).toEqual(INITIAL_STATE);
    expect(host.target.calls).toEqual([]);
  });

  it("pauses and resumes; each change reaches onChange and the log exactly once", async () => {
    const host = await startHost();
    const startedAt = Date.now();
    const paused = await call(host, "POST", "/control/pause", {
      body: { reason: "  exchange maintenance " },
    });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({
      action: "pause",
      state: { ...INITIAL_STATE, paused: true, pausedReason: "exchange maintenance" },
    });
    expect((await call(host, "GET", "/control")).body).toMatchObject({ paused: true });

    const resumed = await call(host, "POST", "/control/resume", { body: { reason: "maintenance over" } });
    expect(resumed).toMatchObject({ status: 200, body: { action: "resume", state: INITIAL_STATE } });
    expect(host.target.calls).toEqual(["pause", "resume"]);

    expect(host.changes).toHaveLength(2);
    const [pause, resume] = host.changes;
    expect(pause).toMatchObject({
      action: "pause",
      source: SOURCE,
      before: { paused: false, pausedReason: null },
      after: { paused: true, pausedReason: "exchange maintenance" },
      reason: "exchange maintenance",
      changeId: paused.body["changeId"],
    });
    expect(resume).toMatchObject({
      action: "resume",
      before: { paused: true, pausedReason: "exchange maintenance" },
      after: { paused: false, pausedReason: null },
      reason: "maintenance over",
    });
    expect(pause!.changeId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(pause!.changeId).not.toBe(resume!.changeId);
    const changedAt = Date.parse(pause!.changedAt);
    expect(pause!.changedAt).toBe(new Date(changedAt).toISOString());
    expect(changedAt).toBeGreaterThanOrEqual(startedAt);
    expect(changedAt).toBeLessThanOrEqual(Date.now());

    const lines = changeLines(host);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: "INFO",
      action: "pause",
      before: pause!.before,
      after: pause!.after,
      source: SOURCE,
      reason: "exchange maintenance",
      changeId: pause!.changeId,
    });
    expect(lines[1]).toMatchObject({ action: "resume", changeId: resume!.changeId });
    expect(controlChangeColumns(pause!).actor).toBe(`${CONTROL_ACTOR_PREFIX}${SOURCE}`);
  });

  it("kills for good: resume is refused with 409 and nothing more is recorded", async () => {
    const host = await startHost();
    await call(host, "POST", "/control/pause", { body: { reason: "drill" } });
    const killed = await call(host, "POST", "/control/kill", { body: { flatten: true, reason: "drill" } });
    expect(killed.status).toBe(200);
    expect(killed.body["state"]).toMatchObject({ killed: true, flattenOnKill: true, paused: true });
    expect(host.changes.at(-1)).toMatchObject({
      action: "kill",
      before: { killed: false, flattenOnKill: false },
      after: { killed: true, flattenOnKill: true },
    });

    const refused = await call(host, "POST", "/control/resume");
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: "refused", state: { killed: true, paused: true } });
    expect(refused.body["reason"]).toContain("killed");
    expect(refused.body).not.toHaveProperty("field");
    expect((await call(host, "GET", "/control")).body).toMatchObject({ killed: true, paused: true });
    expect(host.changes.map((change) => change.action)).toEqual(["pause", "kill"]);
    expect(changeLines(host)).toHaveLength(2);
    expect(host.lines().filter((line) => line.message === "control change refused")).toMatchObject([
      { level: "WARN", action: "resume", source: SOURCE },
    ]);
  });

  it("applies a settings patch whole and records only the settings it touched", async () => {
    const host = await startHost();
    const reply = await call(host, "POST", "/control/settings", {
      body: { openThresholdBps: "22.5", clipSize: "2.5", reason: "wider market" },
    });
    expect(reply.status).toBe(200);
    const settings = { ...INITIAL_STATE.settings, openThresholdBps: "22.5", clipSize: "2.5" };
    expect(reply.body["state"]).toEqual({ ...INITIAL_STATE, settings });
    expect(host.target.state().settings).toEqual(settings);
    expect(host.changes).toEqual([
      expect.objectContaining({
        action: "settings",
        before: { openThresholdBps: "15", clipSize: "1" },
        after: { openThresholdBps: "22.5", clipSize: "2.5" },
        reason: "wider market",
      }),
    ]);
    expect(changeLines(host)).toHaveLength(1);
  });

  it("changes no setting when one field of the patch is invalid (400)", async () => {
    const host = await startHost();
    const reply = await call(host, "POST", "/control/settings", {
      body: { openThresholdBps: "20", clipSize: "2", maxSlippageBps: "abc" },
    });
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ error: "invalid request", field: "maxSlippageBps" });
    expect(reply.body["reason"]).toContain("decimal string");
    expectUntouched(host);
  });

  it("changes no setting when the target refuses one of them (409), by the strategy's rules", async () => {
    const host = await startHost();
    const cases: [patch: Record<string, string>, field: string, reason: string][] = [
      [{ openThresholdBps: "20", closeThresholdBps: "25" }, "closeThresholdBps", "below openThresholdBps"],
      [{ clipSize: "6", maxSlippageBps: "10" }, "clipSize", "risk.maxClip"],
      [{ clipSize: "1.005" }, "clipSize", "decimals"],
      [{ maxSlippageBps: "10", openThresholdBps: "10000" }, "openThresholdBps", "below 10000"],
    ];
    for (const [patch, field, reason] of cases) {
      const reply = await call(host, "POST", "/control/settings", { body: patch });
      expect(reply.status, JSON.stringify(patch)).toBe(409);
      expect(reply.body).toMatchObject({ error: "refused", field, state: INITIAL_STATE });
      expect(reply.body["reason"]).toContain(reason);
    }
    expect(host.target.state()).toEqual(INITIAL_STATE);
    expect(host.changes).toEqual([]);
    expect(changeLines(host)).toEqual([]);
  });

  it("keeps the change when onChange throws, and logs that it was not recorded", async () => {
    const host = await startHost({
      onChange: () => {
        throw new Error("queue full");
      },
    });
    const reply = await call(host, "POST", "/control/pause", { body: { reason: "x" } });
    expect(reply.status).toBe(200);
    expect(host.target.state().paused).toBe(true);
    expect(host.lines().filter((line) => line.level === "ERROR")).toMatchObject([
      { message: "control change not recorded", action: "pause", changeId: reply.body["changeId"] },
    ]);
  });
});

/** A target with a bug: `pause` throws something that is not a refusal. */
class FaultyPauseTarget extends MemoryControlTarget {
  override pause(reason: string): void {
    super.pause(reason);
    throw new TypeError("executor bug");
  }
}

describe("control API: a failing target", () => {
  it("answers 500 with the state it left, records nothing, and keeps serving", async () => {
    const host = await startHost({ target: new FaultyPauseTarget() });
    const reply = await call(host, "POST", "/control/pause", { body: { reason: "x" } });
    expect(reply.status).toBe(500);
    expect(reply.body).toMatchObject({
      error: "control action failed",
      reason: "executor bug",
      state: { paused: true },
    });
    expect(host.changes).toEqual([]);
    expect(changeLines(host)).toEqual([]);
    expect(host.lines().filter((line) => line.level === "ERROR")).toMatchObject([
      { message: "control action failed", action: "pause", err: { type: "TypeError" } },
    ]);
    expect((await call(host, "GET", "/control")).status).toBe(200);
  });
});

describe("control API: malformed requests", () => {
  it("answers 400 naming the field and the reason, and changes nothing", async () => {
    const host = await startHost();
    const cases: [route: string, body: string, field: string | undefined, reason: string][] = [
      ["/control/pause", "{not json", undefined, "not valid JSON"],
      ["/control/pause", "[]", undefined, "JSON object"],
      ["/control/pause", "null", undefined, "JSON object"],
      ["/control/pause", "", "reason", "required"],
      ["/control/pause", '{"reason":""}', "reason", "non-empty"],
      ["/control/pause", `{"reason":"${"x".repeat(501)}"}`, "reason", "at most 500"],
      ["/control/pause", '{"reason":"x","mode":"live"}', "mode", "restart"],
      ["/control/resume", '{"clipSize":"2"}', "clipSize", "POST /control/settings"],
      ["/control/kill", "{}", "flatten", "required"],
      ["/control/kill", '{"flatten":"yes"}', "flatten", "required"],
      ["/control/settings", "{}", undefined, "nothing to change"],
      ["/control/settings", '{"openThresholdBps":20}', "openThresholdBps", "not a JSON number"],
      ["/control/settings", '{"openThresholdBps":"-1"}', "openThresholdBps", "> 0"],
      ["/control/settings", '{"maxSlippageBps":"1001"}', "maxSlippageBps", "<= 1000"],
      ["/control/settings", '{"clipSize":"1e3"}', "clipSize", "decimal string"],
      ["/control/settings", '{"agentKey":{"env":"X"}}', "agentKey", "restart"],
      ["/control/settings", '{"maxClip":"50"}', "maxClip", "restart"],
      ["/control/settings", '{"surprise":"1"}', "surprise", "unknown field"],
    ];
    for (const [route, body, field, reason] of cases) {
      const reply = await call(host, "POST", route, { rawBody: body });
      expect(reply.status, `${route} ${body}`).toBe(400);
      expect(reply.body["error"]).toBe("invalid request");
      expect(reply.body["field"], `${route} ${body}`).toBe(field);
      expect(reply.body["reason"], `${route} ${body}`).toContain(reason);
    }
    expectUntouched(host);
  });

  it("lists every problem of a request, the first one as field and reason", async () => {
    const host = await startHost();
    const reply = await call(host, "POST", "/control/kill", { body: { flatten: 1, reason: 7, force: true } });
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ field: "force" });
    expect((reply.body["problems"] as { field: string }[]).map((problem) => problem.field)).toEqual([
      "force",
      "reason",
      "flatten",
    ]);
    expectUntouched(host);
  });

  it("answers 405 for a wrong method and 404 for an unknown control path", async () => {
    const host = await startHost();
    const get = await call(host, "GET", "/control/pause");
    expect(get).toMatchObject({ status: 405, body: { allow: "POST" } });
    expect(get.headers.get("allow")).toBe("POST");
    expect(await call(host, "POST", "/control", { body: {} })).toMatchObject({
      status: 405,
      body: { allow: "GET" },
    });
    expect(await call(host, "DELETE", "/control/kill")).toMatchObject({ status: 405 });
    expect(await call(host, "POST", "/control/flatten", { body: {} })).toMatchObject({ status: 404 });
    expectUntouched(host);
  });
});

describe("control API: body size", () => {
  it("accepts a body of exactly the cap and refuses one byte more (413)", async () => {
    const host = await startHost();
    const json = '{"reason":"at the cap"}';
    const atCap = json + " ".repeat(DEFAULT_MAX_CONTROL_BODY_BYTES - json.length);
    const overCap = `${atCap} `;
    const over = await call(host, "POST", "/control/pause", { rawBody: overCap });
    expect(over).toMatchObject({ status: 413, body: { error: "body too large" } });
    expectUntouched(host);
    expect((await call(host, "POST", "/control/pause", { rawBody: atCap })).status).toBe(200);
    expect(host.changes).toHaveLength(1);
  });

  it("refuses a streamed (chunked) body once it passes the cap, and closes the connection", async () => {
    const host = await startHost({ maxBodyBytes: 1024 });
    const chunk = " ".repeat(512);
    const chunked = (text: string): string => `${text.length.toString(16)}\r\n${text}\r\n`;
    const { response, closedByServer } = await rawExchange(host.host.port, [
      `POST /control/pause HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
        "Transfer-Encoding: chunked\r\n\r\n",
      chunked('{"reason":"streamed"'),
      chunked(chunk),
      chunked(chunk),
      chunked(chunk),
      chunked("}"),
      "0\r\n\r\n",
    ]);
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response).toContain('"error":"body too large"');
    expect(closedByServer).toBe(true);
    expectUntouched(host);

    // Within the cap, the same streamed request goes through.
    const ok = await rawExchange(host.host.port, [
      `POST /control/pause HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
      chunked('{"reason":'),
      chunked('"streamed"}'),
      "0\r\n\r\n",
    ]);
    expect(ok.response).toMatch(/^HTTP\/1\.1 200 /);
    expect(host.target.state()).toMatchObject({ paused: true, pausedReason: "streamed" });
  });

  it("changes nothing when the client goes away before its body is complete", async () => {
    const host = await startHost();
    await rawExchange(
      host.host.port,
      [
        `POST /control/kill HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
          "Content-Length: 40\r\n\r\n",
        '{"flatten":true',
      ],
      true,
    );
    // The host is still serving, and the half-sent kill never happened.
    expect((await call(host, "GET", "/control")).body).toEqual(INITIAL_STATE);
    expectUntouched(host);
  });
});
