/** The exchange feed: frame scanner, frame pipeline (books → breaker → edges), the WebSocket client. */

export { ReconnectBackoff, type BackoffLimits } from "./backoff.js";
export {
  BREAKER_CROSSED,
  BREAKER_REASONS,
  BREAKER_RESYNCING,
  BREAKER_SKEW,
  BREAKER_STALE,
  MarketBreaker,
  breakerReasonNames,
  breakerReasons,
  type BreakerLeg,
  type BreakerLimits,
  type BreakerReason,
} from "./breaker.js";
export { FeedClient, type FeedClientOptions, type FeedConnectionState } from "./feedClient.js";
export { FramePipeline, type EdgeSink } from "./framePipeline.js";
export { FrameScanner, type ScanOutcome, type ScanTarget } from "./frameScanner.js";
export { MarketFeed } from "./marketFeed.js";
export { feedSubscriptions, subscribeMessage, PING_MESSAGE, type FeedSubscription } from "./subscriptions.js";
export { ThrottledWarning } from "./throttledLog.js";
