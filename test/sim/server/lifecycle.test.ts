/**
 * Start and stop: `stop()` closes every socket (WS and keep-alive HTTP), frees the port and leaves no
 * timer behind; the uWS loader reports its build; and the whole server works on the pure-JS fallback
 * build that Node 22+ gets (forced here with `HLB_UWS=trufflesuite-js`, in a child process because the
 * build is chosen once per process).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import { loadUws } from "../../../hotpath/host/uws.js";
import { WsProbe, postJson, roundTrip, testSimulator } from "./testkit.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

function timerCount(): number {
  return process.getActiveResourcesInfo().filter((name) => name === "Timeout" || name === "Immediate").length;
}

describe("lifecycle", () => {
  it("stops cleanly: sockets closed, port free, no timers left", async () => {
    const timersBefore = timerCount();
    const sim = await testSimulator({ clock: "timer", idleTimeoutMs: 60_000 });
    const ws = await WsProbe.connect(sim.ws);
    ws.subscribe({ type: "l2Book", coin: "HYPE", fast: true });
    await ws.channel("l2Book");
    sim.faults.delayPosts(60_000);
    ws.send({ method: "post", id: 1, request: { type: "info", payload: { type: "allMids" } } });
    await roundTrip(ws);
    expect((await postJson(sim.info, { type: "allMids" })).status).toBe(200);
    expect(timerCount()).toBeGreaterThan(timersBefore);

    await sim.stop();
    expect((await ws.whenClosed()).code).toBe(1001);
    await expect(fetch(sim.info, { method: "POST", body: "{}" })).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(timerCount()).toBeLessThanOrEqual(timersBefore);
    await sim.stop(); // idempotent
  });

  it("keeps simulated time locked to the wall clock on the block timer, and pauses", async () => {
    const sim = await testSimulator({ clock: "timer", cadence: { blockMs: 20 } });
    try {
      const start = sim.core.now();
      const began = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 400));
      const elapsed = performance.now() - began;
      expect(sim.core.now() - start).toBeGreaterThan(elapsed - 120);
      expect(sim.core.now() - start).toBeLessThanOrEqual(elapsed + 20);
      expect((sim.core.now() - start) % 20).toBe(0);
      sim.market.pause();
      const paused = sim.core.now();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(sim.core.now()).toBe(paused);
      expect(sim.status().marketRunning).toBe(false);
    } finally {
      await sim.stop();
    }
  });

  it("reports which uWS build it loaded", () => {
    const loaded = loadUws();
    expect(["btc-vision", "trufflesuite-native", "trufflesuite-js"]).toContain(loaded.build);
    expect(loaded.description).toContain(loaded.build);
    if (loaded.build !== "btc-vision") expect(loaded.failures[0]?.build).toBe("btc-vision");
    expect(loadUws()).toBe(loaded);
  });

  it("serves the protocol on the pure-JS fallback build", () => {
    const script = `
      import WebSocket from "ws";
      import { startSimulator } from "./test/sim/server/simulator.ts";
      const sim = await startSimulator({ seed: 1, clock: "manual" });
      const ws = new WebSocket(sim.ws);
      const frames = [];
      ws.on("message", (data) => frames.push(JSON.parse(data.toString())));
      await new Promise((resolve) => ws.on("open", resolve));
      ws.send(JSON.stringify({ method: "subscribe", subscription: { type: "l2Book", coin: "HYPE" } }));
      ws.send(JSON.stringify({ method: "ping" }));
      ws.send(JSON.stringify({ method: "post", id: 3, request: { type: "info", payload: { type: "allMids" } } }));
      while (frames.length < 4) await new Promise((resolve) => setTimeout(resolve, 10));
      const http = await fetch(sim.info, { method: "POST", body: JSON.stringify({ type: "l2Book", coin: "HYPE" }) });
      console.log(JSON.stringify({ build: sim.uws.build, channels: frames.map((f) => f.channel), http: http.status }));
      ws.terminate();
      await sim.stop();
    `;
    const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: ROOT,
      env: { ...process.env, HLB_UWS: "trufflesuite-js" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toEqual({
      build: "trufflesuite-js",
      channels: ["subscriptionResponse", "l2Book", "pong", "post"],
      http: 200,
    });
  });
});
