/**
 * The edge sink's counters and their Prometheus exposition. The ring counts what happens on the frame path
 * (pushed, dropped because full, high-water mark) in its own fields; everything after the ring is counted
 * here by the flusher, off the frame path. Every edge that leaves the ring ends in exactly one of: sent
 * (acknowledged by SQS), spooled and later drained (also counted as sent), still spooled, or dropped with a
 * reason — nothing is lost without a counter saying so.
 */

import type { PrometheusWriter } from "../metrics/prometheus.js";
import type { EdgeRing } from "./edgeRing.js";

/** Why edges were dropped after leaving the ring (ring-full drops are `EdgeRing.droppedFull`). */
export const FLUSHER_DROP_REASONS = [
  /** SQS unavailable and the spool at its size cap. */
  "spoolFull",
  /** SQS unavailable and the spool's disk failed (write error). */
  "spoolError",
  /** A spooled record failed its checksum when read back. */
  "spoolCorrupt",
  /** SQS refused the message as the sender's fault (a bug: too large, invalid characters, …). */
  "rejected",
  /** The codec could not encode the edges (a bug: an edge too large for any message). */
  "unencodable",
] as const;
export type FlusherDropReason = (typeof FLUSHER_DROP_REASONS)[number];

export class EdgeSinkCounters {
  /** Edges SQS acknowledged, sent directly or drained from the spool. */
  sent = 0;
  /** Of `sent`, the edges that went through the spool. */
  drainedFromSpool = 0;
  /** Edges written to the spool (SQS unavailable, or older data still spooled ahead of them). */
  spooled = 0;
  /** Messages SQS acknowledged. */
  messagesSent = 0;
  /** SendMessageBatch requests made (each attempt counts). */
  sqsRequests = 0;
  /** Requests that failed as a whole (network, timeout, throttling, credentials, 5xx). */
  sqsRequestErrors = 0;
  /** Entries SQS refused inside a request that otherwise succeeded. */
  sqsEntryErrors = 0;
  readonly dropped: Record<FlusherDropReason, number> = {
    spoolFull: 0,
    spoolError: 0,
    spoolCorrupt: 0,
    rejected: 0,
    unencodable: 0,
  };
}

/** What the exposition reads: an `EdgeFlusher` is one. */
export interface EdgeSinkMetricsSource {
  readonly ring: EdgeRing;
  readonly counters: EdgeSinkCounters;
  /** 1 while new messages go to the spool (SQS unavailable, or a backlog still draining). */
  readonly spooling: boolean;
  readonly spoolStats: { readonly bytes: number; readonly messages: number; readonly edges: number };
  /** Edges out of the ring but neither acknowledged nor spooled yet (encoding or being sent). */
  readonly edgesInFlight: number;
}

/** Adds the edge sink's families to `out` (call from the `/metrics` renderer). */
export function renderEdgeSinkMetrics(out: PrometheusWriter, sink: EdgeSinkMetricsSource): void {
  const { ring, counters } = sink;
  out.counter("hlbasis_edge_sink_pushed_total", "Edges pushed into the sink's ring", ring.pushed);
  out.counter(
    "hlbasis_edge_sink_sent_total",
    "Edges acknowledged by SQS (direct or from the spool)",
    counters.sent,
  );
  out.counter(
    "hlbasis_edge_sink_spooled_total",
    "Edges written to the local spool while SQS was unavailable or a backlog drained",
    counters.spooled,
  );
  out.counter(
    "hlbasis_edge_sink_spool_drained_total",
    "Edges sent from the spool and acknowledged by SQS",
    counters.drainedFromSpool,
  );
  const droppedHelp = "Edges dropped, by reason (ringFull: the flusher fell a whole ring behind)";
  out.counter("hlbasis_edge_sink_dropped_total", droppedHelp, ring.droppedFull, { reason: "ringFull" });
  for (const reason of Object.keys(counters.dropped) as FlusherDropReason[]) {
    out.counter("hlbasis_edge_sink_dropped_total", droppedHelp, counters.dropped[reason], { reason });
  }
  out.counter("hlbasis_edge_sink_messages_sent_total", "SQS messages acknowledged", counters.messagesSent);
  out.counter("hlbasis_edge_sink_sqs_requests_total", "SendMessageBatch requests made", counters.sqsRequests);
  const errorsHelp = "SendMessageBatch failures: whole requests, or single entries of a request";
  out.counter("hlbasis_edge_sink_sqs_errors_total", errorsHelp, counters.sqsRequestErrors, {
    kind: "request",
  });
  out.counter("hlbasis_edge_sink_sqs_errors_total", errorsHelp, counters.sqsEntryErrors, { kind: "entry" });
  out.gauge("hlbasis_edge_sink_ring_edges", "Edges waiting in the ring", ring.size);
  out.gauge("hlbasis_edge_sink_ring_capacity", "Slots in the ring", ring.capacity);
  out.gauge("hlbasis_edge_sink_ring_high_water", "Most edges the ring has held at once", ring.highWater);
  out.gauge(
    "hlbasis_edge_sink_in_flight_edges",
    "Edges out of the ring, neither acknowledged nor spooled yet",
    sink.edgesInFlight,
  );
  out.gauge("hlbasis_edge_sink_spooling", "1 while new messages go to the spool", sink.spooling ? 1 : 0);
  out.gauge("hlbasis_edge_sink_spool_bytes", "Unacknowledged bytes in the spool", sink.spoolStats.bytes);
  out.gauge(
    "hlbasis_edge_sink_spool_messages",
    "Unacknowledged messages in the spool",
    sink.spoolStats.messages,
  );
  out.gauge("hlbasis_edge_sink_spool_edges", "Edges in unacknowledged spool messages", sink.spoolStats.edges);
}
