/**
 * Typed failures of the intent journal. Each says which file, where, and what a person should do: the
 * journal is the only record of what may be on the exchange, so it fails closed rather than guess.
 */

import type { IllegalTransition } from "../intentState.js";

/** What was wrong with a record found on start-up. */
export type JournalCorruption =
  /** The line's checksum does not match its text (bit rot, a foreign write, a torn page). */
  | "checksum"
  /** The line is not `<json>\t<crc32>` or its JSON does not parse. */
  | "syntax"
  /** The JSON is not a record this version knows (missing/invalid field, unknown type). */
  | "schema"
  /** A valid record that cannot follow the ones before it (an illegal transition, an unknown cloid). */
  | "inconsistent"
  /** A segment that does not start with its header, or whose snapshot is incomplete. */
  | "segment";

/** A record other than a torn last one is unusable: start-up stops (fail closed). */
export class JournalCorruptError extends Error {
  override readonly name = "JournalCorruptError";
  constructor(
    readonly file: string,
    /** Byte offset of the record's first byte in the file. */
    readonly offset: number,
    /** 1-based line number. */
    readonly line: number,
    readonly problem: JournalCorruption,
    readonly detail: string,
  ) {
    super(
      `intent journal ${file}, line ${line} at byte ${offset}: ${problem}: ${detail}. The journal is the ` +
        `only record of orders that may be on the exchange, so start-up stops here. Keep the file for ` +
        `analysis; do not edit or delete it to get going — reconcile against the exchange (openOrders, ` +
        `userFills, orderStatus by cloid) before trading again.`,
    );
  }
}

/** The last record was cut short by a crash; `open` truncates it (it was never acted upon). */
export interface JournalTornTailWarning {
  readonly kind: "tornTail";
  readonly file: string;
  /** Where the torn record starts: the file is truncated to this length. */
  readonly offset: number;
  /** Bytes of the partial record. */
  readonly bytes: number;
  /** Its first characters, for the log. */
  readonly excerpt: string;
}

export type JournalWarning = JournalTornTailWarning;

/** Another journal (in this process or another live process) already writes to this directory. */
export class JournalBusyError extends Error {
  override readonly name = "JournalBusyError";
  constructor(
    readonly dir: string,
    readonly lockFile: string,
    readonly holderPid: number | null,
  ) {
    const holder =
      holderPid === null
        ? "another journal in this process"
        : `process ${holderPid} (if no hlbasis process has that pid, delete ${lockFile})`;
    super(
      `the intent journal in ${dir} is already being written by ${holder}; a journal has exactly one ` +
        `writer, or two processes would each recover a state the other never had. Stop the other ` +
        `process, or give this one its own journal directory and agent key.`,
    );
  }
}

/** A file operation outside the append path failed (creating, reading, rotating, locking). */
export class JournalIoError extends Error {
  override readonly name = "JournalIoError";
  constructor(
    readonly file: string,
    readonly operation: string,
    options?: { cause: unknown },
  ) {
    const cause = options?.cause;
    super(
      `intent journal: ${operation} failed (${file})${cause instanceof Error ? `: ${cause.message}` : ""}`,
      options,
    );
  }
}

/**
 * Writing or syncing a record failed. The record may or may not be on disk, so the caller must not send
 * what it describes; the journal refuses every later append (`JournalFailedError`): after a failed fsync the
 * kernel may have dropped the dirty pages, and a retried fsync can report success for data that is gone.
 */
export class JournalWriteError extends Error {
  override readonly name = "JournalWriteError";
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly operation: string,
    options?: { cause: unknown },
  ) {
    const cause = options?.cause;
    super(
      `intent journal ${file}: ${operation} at byte ${offset} failed` +
        `${cause instanceof Error ? ` (${cause.message})` : ""}; nothing described by this record may be ` +
        `sent, and the journal accepts no more records: stop new risk and restart (recovery probes what is open)`,
      options,
    );
  }
}

/** An earlier write or sync failed; the journal accepts nothing until the process restarts. */
export class JournalFailedError extends Error {
  override readonly name = "JournalFailedError";
  constructor(
    readonly file: string,
    options: { cause: unknown },
  ) {
    const cause = options.cause;
    super(
      `intent journal ${file} failed earlier${cause instanceof Error ? ` (${cause.message})` : ""} and accepts ` +
        `no more records; stop new risk and restart`,
      options,
    );
  }
}

export class JournalClosedError extends Error {
  override readonly name = "JournalClosedError";
  constructor(readonly dir: string) {
    super(`the intent journal in ${dir} is closed`);
  }
}

/** The caller asked to journal something that cannot happen in the current state; nothing was written. */
export class JournalRecordRefusedError extends Error {
  override readonly name = "JournalRecordRefusedError";
  constructor(
    readonly recordType: string,
    readonly reason: string,
    /** The state machine's verdict, when that was the reason. */
    readonly transition: IllegalTransition | null = null,
  ) {
    super(`intent journal refused a ${recordType} record: ${reason}`);
  }
}
