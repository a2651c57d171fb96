/**
 * The feed's counters and its receive→edge latency histogram: plain numeric fields the frame path bumps
 * in place (no maps, no labels, no allocation), read by the Prometheus exposition off the frame path.
 */

import { LatencyHistogram } from "./latencyHistogram.js";

/** Frames by the channel they carried, as the frame path tells them apart. */
export interface FramesByChannel {
  l2Book: number;
  bbo: number;
  pong: number;
  subscriptionResponse: number;
  /** Funding and oracle updates for the edge parameters (decoder path). */
  activeAssetCtx: number;
  error: number;
  /** A well-formed frame of a channel the feed does not consume. */
  other: number;
}

export class FeedMetrics {
  readonly frames: FramesByChannel = {
    l2Book: 0,
    bbo: 0,
    pong: 0,
    subscriptionResponse: 0,
    activeAssetCtx: 0,
    error: 0,
    other: 0,
  };
  /** Book frames parsed by the scanner. */
  scannerHandled = 0;
  /** Frames the scanner left to the full decoder. */
  scannerFallback = 0;
  /** Frames neither parser accepted (not JSON, invalid payload, unknown channel), or rejected by a book. */
  parseErrors = 0;
  /** Book or asset-context frames whose coin we did not subscribe. */
  unexpectedCoin = 0;
  /** Book frames older than what the leg already shows. */
  staleFrames = 0;
  /** Connections opened after the first. */
  reconnects = 0;
  /** Connections closed for a missing pong. */
  pongTimeouts = 0;
  /** Edges computed with status `ok`, by direction. */
  edgesPerpRich = 0;
  edgesSpotRich = 0;
  /** Local receive of a frame → edge handed to the sink, µs. */
  readonly receiveToEdgeUs = new LatencyHistogram();
}
