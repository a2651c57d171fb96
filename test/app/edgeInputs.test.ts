/**
 * The edge's non-book inputs, live and honest, with the whole hot path (`startHotpath`) against the
 * simulator: funding rate and oracle price follow the simulator's `activeAssetCtx` pushes (observed by an
 * independent subscriber), fee rates come from `userFees` when an account is configured and from the
 * configured base schedule otherwise or when `userFees` fails — with the source and the reason in `/ready`
 * and `/metrics`.
 */

import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";

import { startHotpath, type Hotpath } from "../../hotpath/app/hotpath.js";
import { loadEdgeParams, loadMarkets } from "../../hotpath/app/marketSetup.js";
import { loadConfig } from "../../hotpath/config/index.js";
import type { EdgeRecord } from "../../hotpath/edge/edgeRecord.js";
import { ExchangeHttpClient } from "../../hotpath/exchange/http/httpClient.js";
import type { InfoRequest, InfoResponse } from "../../hotpath/exchange/wire/info.js";
import type { FeedStatus } from "../../hotpath/feed/feedStatus.js";
import { loadUws } from "../../hotpath/host/uws.js";
import { createLogger } from "../../hotpath/observability/logger.js";
import { startSimulator, type Simulator } from "../sim/server/index.js";

const ACCOUNT = `0x${"ab".repeat(20)}`;
const BASE_FEES = { perpTaker: "0.00045", perpMaker: "0.00015", spotTaker: "0.0007", spotMaker: "0.0004" };

async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const start = performance.now();
  while (!(await condition())) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `failing` requests fail like an unreachable endpoint; every other request goes to the simulator. */
class FailingInfoClient extends ExchangeHttpClient {
  constructor(
    sim: Simulator,
    private readonly failing: InfoRequest["type"],
  ) {
    super({ infoUrl: sim.info, exchangeUrl: sim.exchange });
  }

  override async info<R extends InfoRequest>(request: R): Promise<InfoResponse<R["type"]>> {
    if (request.type === this.failing) throw new Error(`${request.type} refused by the test`);
    return super.info(request);
  }
}

interface Started {
  readonly sim: Simulator;
  readonly hotpath: Hotpath;
  readonly base: string;
}

describe("edge inputs from the exchange", () => {
  let started: Started | undefined;

  afterEach(async () => {
    await started?.hotpath.stop();
    await started?.sim.stop();
    started = undefined;
  });

  async function start(
    options: { account?: string; setUp?: (sim: Simulator) => void; failUserFees?: boolean } = {},
  ): Promise<Started> {
    const sim = await startSimulator({ port: 0, seed: 5, paused: true });
    options.setUp?.(sim);
    const config = loadConfig({
      env: {
        HLB_INFO_URL: sim.info,
        HLB_EXCHANGE_URL: sim.exchange,
        HLB_WS_URL: sim.ws,
        HLB_HOST_PORT: "0",
        ...(options.account === undefined ? {} : { HLB_ACCOUNT_ADDRESS: options.account }),
      },
      argv: [],
    });
    const hotpath = await startHotpath({
      config,
      logger: createLogger({ service: "test", level: "silent" }),
      uws: loadUws(),
      breakerCheckMs: 20,
      ...(options.failUserFees === true ? { http: new FailingInfoClient(sim, "userFees") } : {}),
    });
    started = { sim, hotpath, base: `http://127.0.0.1:${hotpath.host.port}` };
    return started;
  }

  function record(hotpath: Hotpath): EdgeRecord {
    return hotpath.feeds[0]!.edges.emit("perpRich", performance.now());
  }

  async function readyBody(base: string): Promise<FeedStatus> {
    return (await (await fetch(`${base}/ready`)).json()) as FeedStatus;
  }

  async function metricsText(base: string): Promise<string> {
    return (await fetch(`${base}/metrics`)).text();
  }

  it("funding and oracle in edge records follow the simulator's activeAssetCtx", async () => {
    const { sim, hotpath, base } = await start();
    // An independent subscriber: what the simulator pushed, in order.
    const pushed: { funding: number; oraclePx: number }[] = [];
    const observer = new WebSocket(sim.ws);
    observer.on("message", (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as {
        channel: string;
        data: { ctx?: { funding: string; oraclePx: string } };
      };
      if (frame.channel !== "activeAssetCtx") return;
      pushed.push({ funding: Number(frame.data.ctx!.funding), oraclePx: Number(frame.data.ctx!.oraclePx) });
    });
    await new Promise((resolve) => observer.once("open", resolve));
    observer.send(
      JSON.stringify({ method: "subscribe", subscription: { type: "activeAssetCtx", coin: "HYPE" } }),
    );

    try {
      await until(
        "the first ctx on both sockets",
        () => pushed.length > 0 && hotpath.feeds[0]!.fundingSource === "live",
      );
      const first = pushed[0]!;
      expect(record(hotpath).inputs).toMatchObject({
        fundingRatePerHour: first.funding,
        oraclePx: first.oraclePx,
      });

      // Step the market until the simulator pushes a context that differs from the first one.
      await until(
        "a changed ctx",
        () => {
          sim.market.step(20);
          const last = pushed.at(-1)!;
          return last.funding !== first.funding || last.oraclePx !== first.oraclePx;
        },
        10_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 100)); // pushes of the last step reach both sockets
      const latest = pushed.at(-1)!;
      await until("the hot path on the latest ctx", () => {
        const inputs = record(hotpath).inputs;
        return inputs.fundingRatePerHour === latest.funding && inputs.oraclePx === latest.oraclePx;
      });
      const edge = record(hotpath);
      expect(edge.inputs.fundingRatePerHour).toBe(latest.funding);
      expect(edge.inputs.oraclePx).toBe(latest.oraclePx);
      if (edge.status === "ok") expect(edge.fundingPx).toBe(latest.oraclePx);

      const status = await readyBody(base);
      expect(status.markets[0]!.funding).toMatchObject({
        source: "live",
        ratePerHour: latest.funding,
        oraclePx: latest.oraclePx,
      });
      expect(status.markets[0]!.inputReasons).toEqual([]);
      expect(hotpath.metrics.frames.activeAssetCtx).toBeGreaterThan(1);
      const metrics = await metricsText(base);
      expect(metrics).toContain('hlbasis_edge_funding_source{coin="HYPE",source="live"} 1');
      expect(metrics).toContain(`hlbasis_edge_funding_rate_per_hour{coin="HYPE"} ${latest.funding}`);
      expect(metrics).toContain(`hlbasis_edge_oracle_px{coin="HYPE"} ${latest.oraclePx}`);
    } finally {
      observer.close();
    }
  });

  it("without an account: the configured base schedule, with the reason", async () => {
    const { hotpath, base } = await start();
    expect(hotpath.fees).toEqual({ source: "fallback", reason: "no accountAddress configured" });
    expect(record(hotpath).inputs.fees).toEqual(BASE_FEES);
    expect((await readyBody(base)).fees).toEqual({
      source: "fallback",
      reason: "no accountAddress configured",
    });
    const metrics = await metricsText(base);
    expect(metrics).toContain('hlbasis_edge_fee_source{source="fallback"} 1');
    expect(metrics).toContain('hlbasis_edge_fee_source{source="userFees"} 0');
  });

  it("with an account: the account's rates from userFees", async () => {
    const { hotpath, base } = await start({
      account: ACCOUNT,
      setUp: (sim) =>
        sim.admin!.setFeeRates(ACCOUNT, {
          perpCross: "0.000315",
          perpAdd: "-0.00002",
          spotCross: "0.000525",
          spotAdd: "0.0001",
        }),
    });
    expect(hotpath.fees).toEqual({ source: "userFees" });
    expect(record(hotpath).inputs.fees).toEqual({
      perpTaker: "0.000315",
      perpMaker: "-0.00002",
      spotTaker: "0.000525",
      spotMaker: "0.0001",
    });
    expect((await readyBody(base)).fees).toEqual({ source: "userFees" });
    expect(await metricsText(base)).toContain('hlbasis_edge_fee_source{source="userFees"} 1');
  });

  it("a failing userFees falls back to the base schedule, the reason visible", async () => {
    const { hotpath, base } = await start({ account: ACCOUNT, failUserFees: true });
    expect(hotpath.fees.source).toBe("fallback");
    const status = await readyBody(base);
    expect(status.fees).toMatchObject({ source: "fallback" });
    expect(status.fees.source === "fallback" && status.fees.reason).toContain("userFees refused by the test");
    expect(record(hotpath).inputs.fees).toEqual(BASE_FEES);
    expect(await metricsText(base)).toContain('hlbasis_edge_fee_source{source="fallback"} 1');
  });

  it("without metaAndAssetCtxs at start-up, funding starts unknown (0, oracle = spot mid)", async () => {
    const sim = await startSimulator({ port: 0, seed: 5, paused: true });
    try {
      const config = loadConfig({
        env: { HLB_INFO_URL: sim.info, HLB_EXCHANGE_URL: sim.exchange, HLB_WS_URL: sim.ws },
        argv: [],
      });
      const http = new FailingInfoClient(sim, "metaAndAssetCtxs");
      const markets = await loadMarkets(http, config.coins);
      const setup = await loadEdgeParams(
        http,
        config,
        markets,
        createLogger({ service: "test", level: "silent" }),
      );
      expect(setup.fundingSources).toEqual(["unknown"]);
      expect(setup.params[0]).toMatchObject({ fundingRatePerHour: 0, oraclePx: Number.NaN });

      const healthy = await loadEdgeParams(
        new ExchangeHttpClient({ infoUrl: sim.info, exchangeUrl: sim.exchange }),
        config,
        markets,
        createLogger({ service: "test", level: "silent" }),
      );
      const ctx = sim.core.perpAssetCtx("HYPE")!;
      expect(healthy.fundingSources).toEqual(["startup"]);
      expect(healthy.params[0]).toMatchObject({
        fundingRatePerHour: Number(ctx.funding),
        oraclePx: Number(ctx.oraclePx),
      });
    } finally {
      await sim.stop();
    }
  });
});
