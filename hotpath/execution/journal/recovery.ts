/**
 * Recovery: replay the newest segment (its snapshot, then its tail) into a `JournalState`, and say what a
 * restarted process must do before it takes risk again.
 *
 * - A last record without its newline was cut short by a crash. Its append never returned, so nothing it
 *   describes was sent: it is reported as a typed `tornTail` warning, and `IntentJournal.open` truncates it.
 * - Any other bad record — a checksum mismatch, bad JSON, an unknown field, a transition the state machine
 *   refuses, an incomplete snapshot — throws `JournalCorruptError` with file, byte offset and line, and
 *   start-up stops (fail closed): guessing past it could forget an order that is on the exchange.
 * - A restart makes every order that was not finished `unknown` (reason `restart`): it may have filled,
 *   been cancelled, or (if it was only intended) never have left. Each one is to be probed by cloid.
 * - Reserve-ahead mode: every reserved cloid that no intent record explains is reported as possibly sent.
 */

import { readFileSync } from "node:fs";

import type { Cloid } from "../../exchange/wire/brands.js";
import type { IntentState, UnknownOrder } from "../intentState.js";
import { isFinal, unknownOrders } from "../intentState.js";
import {
  JournalCorruptError,
  JournalIoError,
  type JournalTornTailWarning,
  type JournalWarning,
} from "./errors.js";
import { JournalState, StateRejection } from "./journalState.js";
import { decodeLineWithJson, type OrderRecord, RecordDecodeError, type SegmentRecord } from "./records.js";
import { listSegments, segmentPath } from "./segments.js";

/** A reserved cloid no intent record explains: probe it; after `expiresBeforeMs` a miss is conclusive. */
export interface PossiblySentCloid {
  readonly cloid: Cloid;
  /**
   * Local ms after which no order with this cloid can still execute: recovery time plus the longest order
   * lifetime the reservation allowed. Add the clock skew you tolerate before treating "unknownOid" as final.
   */
  readonly expiresBeforeMs: number;
}

export interface JournalRecovery {
  readonly dir: string;
  /** The segment read; null for a journal that has none yet. */
  readonly file: string | null;
  readonly segment: number | null;
  /** Root intents not yet closed, with their follow-ups and orders. */
  readonly openIntents: readonly IntentState[];
  /** Orders whose outcome is unknown: probe each by cloid (`orderStatus`) before taking new risk. */
  readonly unknownOrders: readonly UnknownOrder[];
  /** Reserve-ahead mode: reserved cloids that may be on the exchange without an intent record. */
  readonly possiblySent: readonly PossiblySentCloid[];
  /** Exchange time of the last journaled fill: ask `userFills` from here (fills deduplicate by tid). */
  readonly lastFillTimeMs: number | null;
  /** Highest nonce of any journaled intent. */
  readonly highestNonce: number | null;
  /** Reserve-ahead mode: no intent nonce exceeds this, whatever records were lost. */
  readonly nonceCeiling: number | null;
  readonly warnings: readonly JournalWarning[];
  readonly recoveredAtMs: number;
}

export interface SegmentReplay {
  readonly file: string;
  readonly segmentNumber: number;
  readonly header: SegmentRecord;
  readonly state: JournalState;
  /** Complete records read, header included. */
  readonly records: number;
  /** Bytes up to the end of the last complete record (the file's length after a torn tail is cut). */
  readonly validBytes: number;
  readonly tornTail: JournalTornTailWarning | null;
}

const NEWLINE = 0x0a;
const EXCERPT_CHARS = 120;

/** Replays one segment file into a fresh state. Throws `JournalCorruptError`. */
export function replaySegment(file: string, segmentNumber: number): SegmentReplay {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new JournalIoError(file, "reading the journal segment", { cause: error });
  }
  const state = new JournalState();
  let header: SegmentRecord | null = null;
  let records = 0;
  let offset = 0;
  while (offset < bytes.length) {
    const end = bytes.indexOf(NEWLINE, offset);
    if (end < 0) break;
    const line = records + 1;
    const text = bytes.toString("utf8", offset, end);
    const corrupt = (problem: JournalCorruptError["problem"], detail: string): JournalCorruptError =>
      new JournalCorruptError(file, offset, line, problem, detail);
    let record;
    let json;
    try {
      ({ record, json } = decodeLineWithJson(text));
    } catch (error) {
      if (error instanceof RecordDecodeError) throw corrupt(error.problem, error.detail);
      throw error;
    }
    if (records === 0) {
      if (record.t !== "segment")
        throw corrupt("segment", `the first record is ${record.t}, not the segment header`);
      if (record.segment !== segmentNumber) {
        throw corrupt("segment", `the header says segment ${record.segment}, the file name ${segmentNumber}`);
      }
      header = record;
    } else if (record.t === "segment") {
      throw corrupt("segment", "a second segment header");
    }
    try {
      state.apply(record, json);
    } catch (error) {
      if (error instanceof StateRejection) throw corrupt("inconsistent", error.reason);
      throw error;
    }
    records += 1;
    offset = end + 1;
  }
  if (header === null) {
    throw new JournalCorruptError(
      file,
      0,
      1,
      "segment",
      "no complete segment header (segments are created whole)",
    );
  }
  if (records < 1 + header.snapshot.records) {
    throw new JournalCorruptError(
      file,
      offset,
      records + 1,
      "segment",
      `the snapshot promises ${header.snapshot.records} records, the file holds ${records - 1}`,
    );
  }
  const tornTail: JournalTornTailWarning | null =
    offset < bytes.length
      ? {
          kind: "tornTail",
          file,
          offset,
          bytes: bytes.length - offset,
          excerpt: bytes.toString("utf8", offset, Math.min(bytes.length, offset + EXCERPT_CHARS)),
        }
      : null;
  return { file, segmentNumber, header, state, records, validBytes: offset, tornTail };
}

/** The restart event for every open order that had not finished (the records `open` appends). */
export function restartRecords(state: JournalState, atMs: number): OrderRecord[] {
  const records: OrderRecord[] = [];
  for (const group of state.groups.values()) {
    for (const order of group.state.orders) {
      if (isFinal(order) || order.status === "unknown") continue;
      records.push({
        t: "order",
        intentId: order.intentId,
        cloid: order.cloid,
        event: { type: "outcomeUnknown", reason: "restart", atMs },
      });
    }
  }
  return records;
}

/** The newest segment replayed, or null when the journal has no segment yet. */
export function replayNewest(dir: string): SegmentReplay | null {
  const segments = listSegments(dir);
  const newest = segments[segments.length - 1];
  if (newest === undefined) return null;
  return replaySegment(segmentPath(dir, newest), newest);
}

/**
 * Reads the journal in `dir` without changing it (no lock, no truncation) and returns what a restart would
 * find: the state as if the process restarted at `nowMs()`.
 */
export function recoverJournal(
  dir: string,
  options: { readonly nowMs?: () => number } = {},
): JournalRecovery {
  const recoveredAtMs = (options.nowMs ?? Date.now)();
  const replay = replayNewest(dir);
  const state = replay?.state ?? new JournalState();
  for (const record of restartRecords(state, recoveredAtMs)) state.apply(record, "");
  return summarize(dir, replay, state, recoveredAtMs, replay?.tornTail ? [replay.tornTail] : []);
}

export function summarize(
  dir: string,
  replay: SegmentReplay | null,
  state: JournalState,
  recoveredAtMs: number,
  warnings: readonly JournalWarning[],
): JournalRecovery {
  const openIntents = [...state.groups.values()].map((group) => group.state);
  return {
    dir,
    file: replay?.file ?? null,
    segment: replay?.segmentNumber ?? null,
    openIntents,
    unknownOrders: openIntents.flatMap(unknownOrders),
    possiblySent: state.reservations
      .outstanding()
      .map(({ cloid, lifetimeMs }) => ({ cloid, expiresBeforeMs: recoveredAtMs + lifetimeMs })),
    lastFillTimeMs: state.lastFillTimeMs,
    highestNonce: state.highestNonce,
    nonceCeiling: state.nonceCeiling,
    warnings,
    recoveredAtMs,
  };
}
