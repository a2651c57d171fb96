/**
 * Residual exposure per market: what the bot's own fills leave unhedged, as the net base quantity
 * (perp position + spot base net of fees; HYPE on the HYPE market) and its integral over time in
 * notional-seconds (|net base| × price × seconds). A balanced basis position has a residual of at most the
 * spot buy's fee dust; a naked leg shows up here until its hedge or unwind fills. Numbers for metrics (doubles):
 * the exact quantities live in the trade ledger.
 */

interface MarketExposure {
  netBase: number;
  px: number;
  sinceMs: number;
  notionalSeconds: number;
}

export interface ExposureReading {
  readonly coin: string;
  /** Signed net base units (long +). */
  readonly netBase: number;
  /** Cumulative |net base| × price × seconds since start. */
  readonly notionalSeconds: number;
  /** The price the net base is valued at (the last mid given; 0 before any). */
  readonly px: number;
}

export class ExposureMeter {
  private readonly markets = new Map<string, MarketExposure>();

  /** The market's net base is now `netBase`, valued at `px` (a recent mid), as of `nowMs`. */
  update(coin: string, netBase: number, px: number, nowMs: number): void {
    const exposure = this.accrue(coin, nowMs);
    exposure.netBase = netBase;
    if (px > 0) exposure.px = px;
  }

  read(coin: string, nowMs: number): ExposureReading {
    const exposure = this.accrue(coin, nowMs);
    return { coin, netBase: exposure.netBase, notionalSeconds: exposure.notionalSeconds, px: exposure.px };
  }

  coins(): string[] {
    return [...this.markets.keys()];
  }

  private accrue(coin: string, nowMs: number): MarketExposure {
    let exposure = this.markets.get(coin);
    if (exposure === undefined) {
      exposure = { netBase: 0, px: 0, sinceMs: nowMs, notionalSeconds: 0 };
      this.markets.set(coin, exposure);
    }
    const elapsedMs = nowMs - exposure.sinceMs;
    if (elapsedMs > 0) {
      exposure.notionalSeconds += (Math.abs(exposure.netBase) * exposure.px * elapsedMs) / 1000;
      exposure.sinceMs = nowMs;
    }
    return exposure;
  }
}
