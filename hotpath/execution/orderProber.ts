/**
 * "Probe, never resend": orders whose outcome is unknown (a lost or late answer) are asked about by cloid
 * (`orderStatus` over HTTP) once their `expiresAfter` has surely passed — before that a "not found" proves
 * nothing, since the order may still be on its way — and asked again until the state machine settles them.
 * Missing fills of a settled order are read back with `userFillsByTime`. Off the order path: driven by the
 * executor's maintenance timer, at most `concurrency` requests at once.
 *
 * Times are the executor's clock (epoch ms). The time handed to the answer is the clock less the skew
 * margin: a time the exchange has surely passed, which is what `probedEvent` compares with `expiresAfter`.
 */

import type { Address, Cloid } from "../exchange/wire/brands.js";
import type { InfoRequest, InfoResponse, OrderStatusResponse, UserFill } from "../exchange/wire/info.js";
import { decodeOrderStatus, decodeUserFills } from "./reconcile/accountDecoders.js";

/** `POST /info` (`ExchangeHttpClient` and every `OrderVenue` are one). */
export interface InfoSource {
  info<R extends InfoRequest>(request: R): Promise<InfoResponse<R["type"]>>;
}

export interface OrderProberOptions {
  readonly http: InfoSource;
  /** The account the orders are placed for (the master, not the agent). */
  readonly user: Address;
  readonly clock: () => number;
  /** How far the exchange's clock may be behind ours; probes wait this long past `expiresAfter`. */
  readonly skewMarginMs: number;
  /** Wait before asking again (inconclusive answer or a failed request). */
  readonly retryMs: number;
  readonly concurrency: number;
  /** An answer; `atMs` is a time the exchange has surely passed. */
  readonly onAnswer: (cloid: Cloid, response: OrderStatusResponse, atMs: number) => void;
  /** A failed request (it is retried); for the log. */
  readonly onError: (cloid: Cloid, error: unknown) => void;
}

export class OrderProber {
  /** cloid → the clock time from which it may be probed. */
  private readonly due = new Map<Cloid, number>();
  private readonly inFlight = new Set<Cloid>();
  probesSent = 0;
  probeFailures = 0;

  constructor(private readonly options: OrderProberOptions) {}

  get pending(): number {
    return this.due.size + this.inFlight.size;
  }

  /** Probes `cloid` once `expiresAfter` plus the skew margin has passed (no-op if already scheduled). */
  schedule(cloid: Cloid, expiresAfter: number): void {
    if (this.due.has(cloid) || this.inFlight.has(cloid)) return;
    this.due.set(cloid, expiresAfter + this.options.skewMarginMs + 1);
  }

  /** Asks again after the retry delay (the last answer did not settle the order). */
  retry(cloid: Cloid): void {
    if (this.inFlight.has(cloid)) return;
    this.due.set(cloid, this.options.clock() + this.options.retryMs);
  }

  /** Stops probing `cloid` (settled by another report). */
  cancel(cloid: Cloid): void {
    this.due.delete(cloid);
  }

  /** Starts the probes that are due. */
  tick(): void {
    const { clock, concurrency } = this.options;
    const now = clock();
    for (const [cloid, dueAt] of this.due) {
      if (this.inFlight.size >= concurrency) return;
      if (dueAt > now) continue;
      this.due.delete(cloid);
      this.probe(cloid);
    }
  }

  private probe(cloid: Cloid): void {
    const { http, user, clock, skewMarginMs, onAnswer } = this.options;
    this.inFlight.add(cloid);
    this.probesSent += 1;
    http.info({ type: "orderStatus", user, oid: cloid }).then(
      (body) => {
        this.inFlight.delete(cloid);
        const decoded = decodeOrderStatus(body);
        if (!decoded.ok) {
          this.failed(cloid, decoded.error);
          return;
        }
        onAnswer(cloid, decoded.value, clock() - skewMarginMs);
      },
      (error: unknown) => {
        this.inFlight.delete(cloid);
        this.failed(cloid, error);
      },
    );
  }

  private failed(cloid: Cloid, error: unknown): void {
    this.probeFailures += 1;
    this.options.onError(cloid, error);
    this.retry(cloid);
  }
}

/** The account's fills since `startTimeMs` (exchange ms), decoded. Throws the request's or the decoder's error. */
export async function fillsSince(
  http: InfoSource,
  user: Address,
  startTimeMs: number,
): Promise<readonly UserFill[]> {
  const body = await http.info({ type: "userFillsByTime", user, startTime: startTimeMs });
  const decoded = decodeUserFills(body, "userFillsByTime");
  if (!decoded.ok) throw decoded.error;
  return decoded.value;
}
