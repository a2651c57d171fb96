/**
 * Every order the journal's retained segments name — closed intents included — so that start-up can tell
 * the fills of positions closed since the last checkpoint (ours, no longer among the open intents) from a
 * trade someone else made on the account.
 *
 * Recovery reports only the open intents; the records of the closed ones are still in the segment files
 * until the segments are pruned, and the journal exports its line decoder for tools that read them. This
 * reads them read-only, like `recoverJournal`. A line that does not decode ends that file's reading (a torn
 * tail, or damage recovery has already judged): an order it would have named is then not recognised and
 * its fills are flagged — the safe direction.
 */

import { readFileSync } from "node:fs";

import type { Cloid } from "../../exchange/wire/brands.js";
import { decodeLine, listSegments, segmentPath } from "../journal/index.js";

export interface JournaledOrders {
  readonly cloids: ReadonlySet<Cloid>;
  /** Exchange order ids the journal recorded for them (acks, fills, probes). */
  readonly oids: ReadonlySet<number>;
}

export function journaledOrders(dir: string): JournaledOrders {
  const cloids = new Set<Cloid>();
  const oids = new Set<number>();
  for (const segment of listSegments(dir)) {
    let text: string;
    try {
      text = readFileSync(segmentPath(dir, segment), "utf8");
    } catch {
      continue; // pruned between listing and reading
    }
    const lines = text.split("\n");
    lines.pop(); // the part after the last newline is empty or a torn record
    for (const line of lines) {
      let record;
      try {
        record = decodeLine(line);
      } catch {
        break;
      }
      if (record.t === "intent") {
        for (const leg of record.intent.legs) cloids.add(leg.cloid);
      } else if (record.t === "order") {
        const oid = oidOf(record.event);
        if (oid !== null) oids.add(oid);
      }
    }
  }
  return { cloids, oids };
}

function oidOf(event: {
  readonly type: string;
  readonly oid?: number;
  readonly result?: unknown;
}): number | null {
  if (typeof event.oid === "number") return event.oid;
  const result = event.result as { readonly found?: boolean; readonly oid?: number } | undefined;
  return result?.found === true && typeof result.oid === "number" ? result.oid : null;
}

/** The predicate `reconcile` takes as `isClosedOrder`. */
export function isJournaledOrder(orders: JournaledOrders): (cloid: Cloid | null, oid: number) => boolean {
  return (cloid, oid) => (cloid !== null && orders.cloids.has(cloid)) || orders.oids.has(oid);
}
