/**
 * Transport-level misbehaviour, switched on per run by tests and the demo: a stalled feed (sockets stay
 * open and pongs still come back, data stops), delayed or dropped `post` answers, and HTTP 429s.
 *
 * Which requests a fault hits is chosen by a `FaultSelection`: the next N, each with a probability drawn
 * from a PRNG seeded from the run's seed (so a run is reproducible), or every one until cleared.
 * Connection drops, book and clock faults act immediately and live in `fault-controller.ts`.
 */
import { Rng } from "../core/index.js";

export type FaultSelection =
  | { readonly kind: "next"; readonly count: number }
  | { readonly kind: "probability"; readonly probability: number }
  | { readonly kind: "always" };

export type HttpEndpoint = "info" | "exchange";

/** What happens to one `post` answer. */
export type PostFate =
  { readonly kind: "deliver" } | { readonly kind: "drop" } | { readonly kind: "delay"; readonly ms: number };

/** A selection with its remaining budget. */
class Trigger {
  private remaining: number;

  constructor(
    readonly selection: FaultSelection,
    private readonly rng: Rng,
  ) {
    this.remaining = selection.kind === "next" ? selection.count : Number.POSITIVE_INFINITY;
  }

  get exhausted(): boolean {
    return this.remaining <= 0;
  }

  /** Whether this request is hit (and, for `next`, uses one of the count). */
  take(): boolean {
    switch (this.selection.kind) {
      case "next":
        if (this.remaining <= 0) return false;
        this.remaining--;
        return true;
      case "probability":
        return this.rng.next() < this.selection.probability;
      case "always":
        return true;
    }
  }
}

export interface ActiveTransportFaults {
  readonly stalledChannels: "all" | readonly string[] | undefined;
  readonly postDelay: { readonly ms: number; readonly selection: FaultSelection } | undefined;
  readonly postDrop: FaultSelection | undefined;
  readonly http429:
    { readonly endpoints: readonly HttpEndpoint[]; readonly selection: FaultSelection } | undefined;
}

const FAULT_SEED_SALT = 0x7f4a7c15;

export class TransportFaults {
  private readonly rng: Rng;
  private stalled: "all" | Set<string> | undefined;
  private postDelay: { ms: number; trigger: Trigger } | undefined;
  private postDrop: Trigger | undefined;
  private http429: { endpoints: Set<HttpEndpoint>; trigger: Trigger } | undefined;

  constructor(seed: number) {
    this.rng = new Rng((seed ^ FAULT_SEED_SALT) >>> 0);
  }

  /** Stops data frames on `channels` (every data channel when omitted); acks, pongs and posts go on. */
  stallFeed(channels?: readonly string[]): void {
    this.stalled = channels === undefined ? "all" : new Set(channels);
  }

  resumeFeed(): void {
    this.stalled = undefined;
  }

  isStalled(channel: string): boolean {
    return this.stalled === "all" || (this.stalled?.has(channel) ?? false);
  }

  /** `post` answers are held back `ms` (the request itself executes at once, as a slow reply path would). */
  delayPosts(ms: number, selection: FaultSelection): void {
    this.postDelay = { ms, trigger: new Trigger(selection, this.rng) };
  }

  /** `post` requests execute but their answers never arrive. */
  dropPosts(selection: FaultSelection): void {
    this.postDrop = new Trigger(selection, this.rng);
  }

  postFate(): PostFate {
    if (this.postDrop?.take() === true) {
      if (this.postDrop.exhausted) this.postDrop = undefined;
      return { kind: "drop" };
    }
    if (this.postDelay?.trigger.take() === true) {
      const ms = this.postDelay.ms;
      if (this.postDelay.trigger.exhausted) this.postDelay = undefined;
      return { kind: "delay", ms };
    }
    return { kind: "deliver" };
  }

  /** HTTP requests to `endpoints` are refused with 429 before they reach the gateway. */
  tooManyRequests(selection: FaultSelection, endpoints: readonly HttpEndpoint[]): void {
    this.http429 = { endpoints: new Set(endpoints), trigger: new Trigger(selection, this.rng) };
  }

  takeHttp429(endpoint: HttpEndpoint): boolean {
    const fault = this.http429;
    if (fault === undefined || !fault.endpoints.has(endpoint) || !fault.trigger.take()) return false;
    if (fault.trigger.exhausted) this.http429 = undefined;
    return true;
  }

  clear(): void {
    this.stalled = undefined;
    this.postDelay = undefined;
    this.postDrop = undefined;
    this.http429 = undefined;
  }

  active(): ActiveTransportFaults {
    return {
      stalledChannels: this.stalled instanceof Set ? [...this.stalled] : this.stalled,
      postDelay:
        this.postDelay === undefined
          ? undefined
          : { ms: this.postDelay.ms, selection: this.postDelay.trigger.selection },
      postDrop: this.postDrop?.selection,
      http429:
        this.http429 === undefined
          ? undefined
          : { endpoints: [...this.http429.endpoints], selection: this.http429.trigger.selection },
    };
  }
}
