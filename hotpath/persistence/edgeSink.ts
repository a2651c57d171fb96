/**
 * Start-up wiring of the edge sink: the ring the frame path pushes into, the SQS sender, the spool and the
 * flusher, built from one typed options object, with one `close()` for SIGTERM.
 *
 * The frame path's sink calls `ring.pushSkipped(market, market.edges.perpRich, receivedAtMs, reason)` (and
 * `spotRich`) for every frame, or `ring.pushTraded(…)` with the record's id and the intent id; `/metrics`
 * calls `renderEdgeSinkMetrics(writer, sink.flusher)`.
 */

import { randomUUID } from "node:crypto";

import type { EdgeIdSequence } from "../edge/edgeRecord.js";
import type { Logger } from "../observability/logger.js";
import { EdgeFlusher, type EdgeFlusherTuning } from "./edgeFlusher.js";
import { DEFAULT_EDGE_RING_CAPACITY, EdgeRing } from "./edgeRing.js";
import { EdgeSpool } from "./edgeSpool.js";
import { SqsEdgeSender, type EdgeBatchSender, type SqsEdgeSenderOptions } from "./edgeSqsSender.js";

export const DEFAULT_SPOOL_MAX_BYTES = 512 * 1024 * 1024;

/** Everything the edge sink is configured with (proposed environment variables in the README). */
export interface EdgeSinkOptions extends EdgeFlusherTuning, SqsEdgeSenderOptions {
  /** The spool's own directory; created if missing. */
  readonly spoolDir: string;
  /** Cap on unacknowledged spool bytes; default 512 MiB (≈40 min of a 10k edges/s outage). */
  readonly spoolMaxBytes?: number;
  readonly spoolSegmentBytes?: number;
  /** Default 65 536 edges (≈6.5 s at 10k edges/s). */
  readonly ringCapacity?: number;
}

export interface EdgeSinkDependencies {
  /** The process's one edge id sequence (shared with the edge calculators). */
  readonly ids: EdgeIdSequence;
  readonly logger: Logger;
  /** Default a random UUID (one per process start). */
  readonly bootId?: string;
  /** Default an `SqsEdgeSender` on the options' queue (tests wrap it to inject faults). */
  readonly sender?: EdgeBatchSender;
}

export interface EdgeSinkHandle {
  readonly bootId: string;
  readonly ring: EdgeRing;
  readonly flusher: EdgeFlusher;
  /** Flushes everything to SQS or the spool, then closes the SQS client. */
  close(): Promise<void>;
}

export async function startEdgeSink(
  options: EdgeSinkOptions,
  dependencies: EdgeSinkDependencies,
): Promise<EdgeSinkHandle> {
  const { logger } = dependencies;
  const bootId = dependencies.bootId ?? randomUUID();
  const spool = await EdgeSpool.open({
    dir: options.spoolDir,
    maxBytes: options.spoolMaxBytes ?? DEFAULT_SPOOL_MAX_BYTES,
    ...(options.spoolSegmentBytes === undefined ? {} : { segmentBytes: options.spoolSegmentBytes }),
    logger,
  });
  const ownSender = dependencies.sender === undefined ? new SqsEdgeSender(options) : undefined;
  const sender = dependencies.sender ?? ownSender!;
  const ring = new EdgeRing(dependencies.ids, options.ringCapacity ?? DEFAULT_EDGE_RING_CAPACITY);
  const flusher = new EdgeFlusher({ ...options, ring, sender, spool, logger, bootId });
  flusher.start();
  logger.info(
    { bootId, queueUrl: options.queueUrl, spoolDir: options.spoolDir, ringCapacity: ring.capacity },
    "edge sink started",
  );
  return {
    bootId,
    ring,
    flusher,
    close: async () => {
      await flusher.close();
      ownSender?.destroy();
    },
  };
}
