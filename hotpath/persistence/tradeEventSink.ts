/**
 * `TradeEventSink`: all the executor knows of trade persistence. `TradeShipper` implements it (SQS FIFO,
 * spool); the executor depends on this interface only, so it neither loads the AWS SDK nor does any I/O or
 * encoding when it reports a change — `ship` is an O(1) enqueue of an immutable event object.
 */

import type { TradeEvent } from "./tradeEventCodec.js";

export interface TradeEventSink {
  /** Queues `event`; false when the sink dropped it (counted by the sink). Never throws, never blocks. */
  ship(event: TradeEvent): boolean;
}
