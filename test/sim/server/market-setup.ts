/**
 * The market side of a run, per rate: what drives it (block clock or replay), where a new subscription's
 * first frames come from, and the stress stream when there is one.
 *
 * - realistic: block clock → core → model feed (every channel);
 * - stress: the same, except that `l2Book` subscribers get the pre-framed stream;
 * - replay: the capture drives the market channels (the block clock never runs: the core's time stands
 *   still); user feeds still come from the core through the model feed.
 */
import type { LoadedUws } from "../../../hotpath/host/uws.js";
import { ExchangeCore, type ExchangeCoreOptions } from "../core/index.js";
import type { FeedHub } from "./feed-hub.js";
import { BlockClock, type MarketDriver } from "./market-driver.js";
import { ModelFeed } from "./model-feed.js";
import type { ResolvedOptions } from "./options.js";
import { ReplayFeed, loadCapture } from "./replay-feed.js";
import { StressFeed, preframeBooks } from "./stress-feed.js";
import type { FeedSubscription } from "./subscriptions.js";
import type { TimerSet } from "./timer-set.js";
import type { TransportFaults } from "./transport-faults.js";

export interface MarketSetup {
  readonly driver: MarketDriver;
  readonly initialFrames: (feed: FeedSubscription) => string[];
  readonly stress: StressFeed | undefined;
  stop(): void;
}

export interface MarketSetupDeps {
  readonly core: ExchangeCore;
  /** The options the live core was built with, for the stress stream's private core. */
  readonly coreOptions: ExchangeCoreOptions;
  readonly hub: FeedHub;
  readonly timers: TimerSet;
  readonly faults: TransportFaults;
  readonly uws: LoadedUws;
  readonly replayFile: string | undefined;
  readonly onError: (error: unknown) => void;
}

function isMarketFeed(feed: FeedSubscription): boolean {
  return (
    feed.type === "l2Book" || feed.type === "bbo" || feed.type === "trades" || feed.type === "activeAssetCtx"
  );
}

export function setUpMarket(resolved: ResolvedOptions, deps: MarketSetupDeps): MarketSetup {
  const { core, hub, timers } = deps;
  const replay =
    resolved.rate === "replay" && deps.replayFile !== undefined
      ? new ReplayFeed(loadCapture(deps.replayFile), hub, timers, resolved.replay)
      : undefined;
  const stress =
    resolved.rate === "stress"
      ? new StressFeed(
          preframeBooks(new ExchangeCore(deps.coreOptions), resolved.stress.frames, resolved.cadence.blockMs),
          resolved.stress,
          timers,
          deps.faults,
          { copies: deps.uws.native, drainEvent: deps.uws.drainEvent },
        )
      : undefined;
  const modelFeed = new ModelFeed(core, hub, resolved.cadence, {
    books: resolved.rate === "realistic",
    market: replay === undefined,
  });
  modelFeed.attach();
  const clock = new BlockClock(
    core,
    resolved.cadence.blockMs,
    timers,
    () => modelFeed.onBlock(),
    deps.onError,
  );
  return {
    driver: replay ?? clock,
    initialFrames: (feed) =>
      replay !== undefined && isMarketFeed(feed) ? replay.initialFrames(feed) : modelFeed.initialFrames(feed),
    stress,
    stop: () => {
      replay?.stop();
      clock.stop();
      modelFeed.stop();
    },
  };
}
