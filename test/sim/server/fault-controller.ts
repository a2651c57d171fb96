/**
 * Applies fault specs (`fault-spec.ts`) to whoever owns each one: transport faults here, connection drops
 * to the WS endpoint, and the exchange-side ones (orders, books, clock) to the gateway's admin, or to the
 * core's hooks when the gateway has no admin. The named methods are the library API; each
 * builds a spec and goes through `apply`, so the library, the admin surface and start-up scripts behave the
 * same.
 */
import type { Address } from "../../../hotpath/exchange/wire/brands.js";
import type { ExchangeCore } from "../core/index.js";
import { FaultSpecError, selectionOf, type FaultSpec, type SelectionFields } from "./fault-spec.js";
import type { ExchangeFaultPort } from "./gateway-port.js";
import type { TimerSet } from "./timer-set.js";
import type { ActiveTransportFaults, HttpEndpoint, TransportFaults } from "./transport-faults.js";

export interface ConnectionDropper {
  drop(filter: { readonly user?: Address; readonly graceful?: boolean }): number;
}

export interface ActiveFaults extends ActiveTransportFaults {
  readonly staleBook: boolean;
  readonly clockSkewMs: number;
  readonly crossedCoins: readonly string[];
}

export class FaultController {
  private stallResume: number | undefined;

  constructor(
    private readonly transport: TransportFaults,
    private readonly connections: ConnectionDropper,
    private readonly core: ExchangeCore,
    private readonly exchangeFaults: ExchangeFaultPort,
    private readonly timers: TimerSet,
  ) {}

  /** Applies one spec or a script; specs with `afterMs` are scheduled. */
  apply(specs: FaultSpec | readonly FaultSpec[]): void {
    const list: readonly FaultSpec[] = Array.isArray(specs) ? specs : [specs as FaultSpec];
    for (const spec of list) this.check(spec);
    for (const spec of list) {
      if (spec.afterMs !== undefined && spec.afterMs > 0)
        this.timers.after(spec.afterMs, () => this.applyNow(spec));
      else this.applyNow(spec);
    }
  }

  dropConnections(filter: { readonly user?: Address; readonly graceful?: boolean } = {}): number {
    return this.connections.drop(filter);
  }

  stallFeed(options: { readonly channels?: readonly string[]; readonly ms?: number } = {}): void {
    this.apply({ type: "stallFeed", ...options });
  }

  resumeFeed(): void {
    this.apply({ type: "resumeFeed" });
  }

  delayPosts(ms: number, select: SelectionFields = {}): void {
    this.apply({ type: "delayPosts", ms, ...select });
  }

  dropPosts(select: SelectionFields = {}): void {
    this.apply({ type: "dropPosts", ...select });
  }

  http429(select: SelectionFields = {}, endpoints?: readonly HttpEndpoint[]): void {
    this.apply(
      endpoints === undefined ? { type: "http429", ...select } : { type: "http429", endpoints, ...select },
    );
  }

  crossedBook(coin: string, on = true): void {
    this.apply({ type: "crossedBook", coin, on });
  }

  staleBook(on = true): void {
    this.apply({ type: "staleBook", on });
  }

  clockSkew(ms: number): void {
    this.apply({ type: "clockSkew", ms });
  }

  rejectOrders(count: number, error: string, asset?: number): void {
    this.apply(
      asset === undefined
        ? { type: "rejectOrders", count, error }
        : { type: "rejectOrders", count, error, asset },
    );
  }

  partialFills(asset: number, count: number, fraction: number): void {
    this.apply({ type: "partialFills", asset, count, fraction });
  }

  clear(): void {
    this.apply({ type: "clear" });
  }

  active(): ActiveFaults {
    return {
      ...this.transport.active(),
      staleBook: this.core.faults.modelFrozen,
      clockSkewMs: this.core.faults.clockSkewMs,
      crossedCoins: this.core.markets
        .all()
        .filter((market) => this.core.faults.isBookCrossed(market.asset))
        .map((market) => market.coin),
    };
  }

  /** Fails early (before anything is applied or scheduled) on what only the simulator can judge. */
  private check(spec: FaultSpec): void {
    if (spec.type === "crossedBook") this.assetOf(spec.coin);
    if ("count" in spec || "probability" in spec) selectionOf(spec);
  }

  private assetOf(coin: string): number {
    const market = this.core.markets.marketByCoin(coin);
    if (market === undefined) throw new FaultSpecError(`unknown coin ${JSON.stringify(coin)}`);
    return market.asset;
  }

  private applyNow(spec: FaultSpec): void {
    switch (spec.type) {
      case "dropConnections":
        this.connections.drop(spec);
        return;
      case "stallFeed": {
        this.transport.stallFeed(spec.channels);
        const token = (this.stallResume ?? 0) + 1;
        this.stallResume = token;
        if (spec.ms !== undefined) {
          this.timers.after(spec.ms, () => {
            if (this.stallResume === token) this.transport.resumeFeed();
          });
        }
        return;
      }
      case "resumeFeed":
        this.transport.resumeFeed();
        return;
      case "delayPosts":
        this.transport.delayPosts(spec.ms, selectionOf(spec));
        return;
      case "dropPosts":
        this.transport.dropPosts(selectionOf(spec));
        return;
      case "http429":
        this.transport.tooManyRequests(selectionOf(spec), spec.endpoints ?? ["info", "exchange"]);
        return;
      case "crossedBook":
        this.exchangeFaults.setCrossedBook(this.assetOf(spec.coin), spec.on ?? true);
        return;
      case "staleBook":
        this.exchangeFaults.setStaleBooks(spec.on ?? true);
        return;
      case "clockSkew":
        this.exchangeFaults.setClockSkew(spec.ms);
        return;
      case "rejectOrders":
        this.exchangeFaults.rejectNextOrders(spec.count, spec.error, spec.asset);
        return;
      case "partialFills":
        this.exchangeFaults.forcePartialFills(spec.asset, spec.count, spec.fraction);
        return;
      case "clear":
        this.transport.clear();
        this.exchangeFaults.clear();
        return;
    }
  }
}
