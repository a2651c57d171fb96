/**
 * The synchronous frame path: one received text frame's bytes → scanner (full decoder as fallback) →
 * leg book → breaker → edge update → the sink. No `await` anywhere between the frame and the edge, no
 * logging per frame, no allocation on the scanner path; the full decoder (`JSON.parse` + schema) runs only
 * for frames the scanner does not take (acks, pongs, errors, unusual shapes).
 *
 * `activeAssetCtx` frames (~1/s per perp, PROTOCOL §2.9) take the decoder path too: they update the market's
 * funding rate and oracle price (`MarketFeed.applyAssetCtx`), never the books, and call no sink.
 *
 * A frame that neither parser accepts is counted (and logged, throttled), never thrown: the feed must
 * survive anything the socket delivers. The sink receives the market (its books, edge scratches and
 * breaker), not a record: making an immutable `EdgeRecord` allocates, so consumers do that off this path
 * and only when they need one.
 */

import type { BookUpdateResult } from "../book/legBook.js";
import { decodeWsMessage } from "../exchange/wire/decode-ws.js";
import type { FeedMetrics } from "../metrics/feedMetrics.js";
import type { Logger } from "../observability/logger.js";
import { FrameScanner, type ScanOutcome, type ScanTarget } from "./frameScanner.js";
import type { MarketFeed } from "./marketFeed.js";
import { ThrottledWarning } from "./throttledLog.js";

/** Receives every market whose books changed, right after its edges were recomputed. */
export type EdgeSink = (market: MarketFeed, receivedAtMs: number) => void;

const PONG_FRAME = '{"channel":"pong"}';

export class FramePipeline {
  readonly markets: readonly MarketFeed[];
  private readonly scanner: FrameScanner;
  /** Scanner target index → market. */
  private readonly marketOfTarget: readonly MarketFeed[];
  private readonly byWireCoin = new Map<string, MarketFeed>();
  /** Perp wire coin → market: `activeAssetCtx` frames name the perp. */
  private readonly byPerpCoin = new Map<string, MarketFeed>();
  private readonly badFrame: ThrottledWarning;
  /** The frame being processed, kept by reference only for `excerpt()`: a scanned range, or decoded text. */
  private frameBytes: Buffer = Buffer.alloc(0);
  private frameStart = 0;
  private frameEnd = 0;
  private frameText: string | undefined;
  private readonly serverError: ThrottledWarning;

  constructor(
    markets: readonly MarketFeed[],
    private readonly metrics: FeedMetrics,
    private readonly sink: EdgeSink,
    logger: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.markets = markets;
    const targetMarkets: MarketFeed[] = [];
    const targets: ScanTarget[] = [];
    for (const market of markets) {
      const { perp, spot } = market.books;
      this.byPerpCoin.set(perp.coin, market);
      targets.push(
        { coin: perp.coin, scales: perp.scales, scanDepth: market.scanDepth.perp },
        { coin: spot.coin, scales: spot.scales, scanDepth: market.scanDepth.spot },
      );
      for (const leg of [perp, spot]) {
        targetMarkets.push(market);
        this.byWireCoin.set(leg.coin, market);
      }
    }
    this.scanner = new FrameScanner(targets);
    this.marketOfTarget = targetMarkets;
    this.badFrame = new ThrottledWarning(logger, "feed frame rejected");
    this.serverError = new ThrottledWarning(logger, "feed error frame from the exchange");
  }

  /**
   * Processes one text frame in `bytes[start, end)`, received at `receivedAtMs` (monotonic ms), without a
   * view of it: `bytes[end]` must continue no JSON token (see `FrameScanner.scanRange`; `WsConnection`
   * guarantees it). Book frames are scanned in place; only frames the scanner does not take become a
   * string. Never throws on frame content.
   */
  handleRange(bytes: Buffer, start: number, end: number, receivedAtMs: number): void {
    const scanner = this.scanner;
    const outcome = scanner.scanRange(bytes, start, end);
    if (outcome === "handled") {
      this.frameBytes = bytes;
      this.frameStart = start;
      this.frameEnd = end;
      this.handled(scanner, receivedAtMs);
      return;
    }
    this.notScanned(outcome, bytes.toString("utf8", start, end), receivedAtMs);
  }

  /** `handleRange` over a whole buffer. */
  handleBytes(bytes: Buffer, receivedAtMs: number): void {
    this.handleRange(bytes, 0, bytes.length, receivedAtMs);
  }

  /** `handleBytes` for a frame already held as a string (tests, replays). */
  handleFrame(text: string, receivedAtMs: number): void {
    this.handleBytes(Buffer.from(text, "utf8"), receivedAtMs);
  }

  private handled(scanner: FrameScanner, receivedAtMs: number): void {
    const metrics = this.metrics;
    metrics.scannerHandled += 1;
    if (scanner.frame.kind === "l2Book") metrics.frames.l2Book += 1;
    else metrics.frames.bbo += 1;
    const market = this.marketOfTarget[scanner.targetIndex]!;
    this.applied(market, market.books.apply(scanner.frame, receivedAtMs), receivedAtMs);
  }

  /** The first 200 characters of the frame being processed, for a log line (allocates; not per frame). */
  private excerpt(): string {
    if (this.frameText !== undefined) return this.frameText.slice(0, 200);
    return this.frameBytes.toString("utf8", this.frameStart, Math.min(this.frameEnd, this.frameStart + 200));
  }

  private notScanned(outcome: ScanOutcome, text: string, receivedAtMs: number): void {
    if (text === PONG_FRAME) {
      this.metrics.frames.pong += 1;
      return;
    }
    if (outcome === "fallback") this.metrics.scannerFallback += 1;
    this.decodeFully(text, receivedAtMs);
  }

  /** Re-evaluates every breaker (the timer: a stalled feed produces no frames to do it). */
  evaluateBreakers(nowMs: number = this.now()): void {
    for (const market of this.markets) market.breaker.evaluate(nowMs);
  }

  /**
   * The socket closed: block every market and make each leg's next frame authoritative, whatever its
   * exchange time (the next connection may reach a server node that is behind the last one).
   */
  disconnected(): void {
    for (const market of this.markets) {
      market.books.invalidate();
      market.breaker.disconnected();
    }
    this.evaluateBreakers();
  }

  /** Subscriptions were (re)sent: the first frame per leg that follows is authoritative, as above. */
  connected(): void {
    for (const market of this.markets) {
      market.books.invalidate();
      market.breaker.connectedAt();
    }
    this.evaluateBreakers();
  }

  private decodeFully(text: string, receivedAtMs: number): void {
    const decoded = decodeWsMessage(text);
    const metrics = this.metrics;
    if (!decoded.ok) {
      const error = decoded.error;
      // Some servers greet with a plain-text line on open (PROTOCOL §2.1): expected, not an error.
      if (error.code === "greeting") return;
      metrics.parseErrors += 1;
      this.badFrame.warn(() => ({ code: error.code, reason: error.message, excerpt: error.excerpt }));
      return;
    }
    const message = decoded.message;
    switch (message.channel) {
      case "l2Book":
      case "bbo": {
        metrics.frames[message.channel] += 1;
        const market = this.byWireCoin.get(message.data.coin);
        if (market === undefined) {
          metrics.unexpectedCoin += 1;
          this.badFrame.warn(() => ({ code: "unexpected_coin", coin: message.data.coin }));
          return;
        }
        this.frameText = text;
        this.applied(market, market.books.applyMessage(message, receivedAtMs), receivedAtMs);
        this.frameText = undefined;
        return;
      }
      case "activeAssetCtx": {
        metrics.frames.activeAssetCtx += 1;
        const { coin, ctx } = message.data;
        const market = this.byPerpCoin.get(coin);
        if (market === undefined) {
          metrics.unexpectedCoin += 1;
          this.badFrame.warn(() => ({ code: "unexpected_coin", coin }));
          return;
        }
        const fundingRatePerHour = Number(ctx.funding);
        const oraclePx = Number(ctx.oraclePx);
        // The schema admits any decimal; a rate that is not finite or a price that is not positive would
        // poison every edge until the next frame, so the previous values stay.
        if (!Number.isFinite(fundingRatePerHour) || !(oraclePx > 0 && oraclePx < Infinity)) {
          metrics.parseErrors += 1;
          this.badFrame.warn(() => ({
            code: "asset_ctx_range",
            coin,
            funding: ctx.funding,
            oraclePx: ctx.oraclePx,
          }));
          return;
        }
        market.applyAssetCtx(fundingRatePerHour, oraclePx, receivedAtMs);
        return;
      }
      case "pong":
        metrics.frames.pong += 1;
        return;
      case "subscriptionResponse":
        metrics.frames.subscriptionResponse += 1;
        return;
      case "error":
        metrics.frames.error += 1;
        this.serverError.warn(() => ({ data: message.data }));
        return;
      default:
        metrics.frames.other += 1;
        return;
    }
  }

  private applied(market: MarketFeed, result: BookUpdateResult, receivedAtMs: number): void {
    const metrics = this.metrics;
    if (result !== "applied") {
      if (result === "stale") {
        metrics.staleFrames += 1;
      } else {
        metrics.parseErrors += 1;
        this.badFrame.warn(() => ({ code: `book_${result}`, excerpt: this.excerpt() }));
      }
      return;
    }
    market.breaker.evaluate(receivedAtMs);
    const edges = market.edges;
    edges.update();
    if (edges.perpRich.status === "ok") metrics.edgesPerpRich += 1;
    if (edges.spotRich.status === "ok") metrics.edgesSpotRich += 1;
    this.sink(market, receivedAtMs);
    metrics.receiveToEdgeUs.record((this.now() - receivedAtMs) * 1000);
  }
}
