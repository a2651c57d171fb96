/**
 * Events the core emits so a server layer can push WS frames, and the listener set that delivers them.
 *
 * Events are queued while an operation mutates state and delivered when it is complete, so a listener
 * always sees a consistent core and may query it. A throwing listener does not stop delivery to the others;
 * the errors are rethrown together afterwards.
 */
import type { Address } from "../../../hotpath/exchange/wire/brands.js";
import type { BboView, FillView, L2BookView, OrderUpdateView, TradeView, WsFundingView } from "./views.js";

export type CoreEvent =
  /** Full snapshot of one book (every model step, and after user actions that changed it). */
  | { readonly type: "l2Book"; readonly data: L2BookView }
  /** Only when the top of book changed. */
  | { readonly type: "bbo"; readonly data: BboView }
  | { readonly type: "trades"; readonly coin: string; readonly data: readonly TradeView[] }
  | { readonly type: "orderUpdates"; readonly user: Address; readonly data: readonly OrderUpdateView[] }
  | { readonly type: "userFills"; readonly user: Address; readonly data: readonly FillView[] }
  | { readonly type: "userFunding"; readonly user: Address; readonly data: WsFundingView };

export type CoreListener = (event: CoreEvent) => void;

export class EventHub {
  private readonly listeners = new Set<CoreListener>();
  private queue: CoreEvent[] = [];

  subscribe(listener: CoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  enqueue(event: CoreEvent): void {
    if (this.listeners.size > 0) this.queue.push(event);
  }

  /** Delivers everything queued, in order. */
  flush(): void {
    const events = this.queue;
    this.queue = [];
    const errors: unknown[] = [];
    for (const event of events) {
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (error) {
          errors.push(error);
        }
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, "core event listeners failed");
  }
}
