/**
 * Where decoded edges go: one bulk load per call, idempotent, by the fastest path the database offers.
 *
 * - `copy` (a real PostgreSQL server): the rows as one binary `COPY edges … FROM STDIN` in a transaction —
 *   no SQL parsing of values, no text parsing on the server. The groups are pulled one at a time and each
 *   is streamed as soon as it is encoded, so the server parses one message's rows while the caller
 *   decodes the next (the handler decodes lazily): node and Postgres work in parallel.
 *   Redelivered edges are rare (a lost ack, a standard queue's occasional duplicate), so the plain COPY
 *   is tried first; if any row already exists (unique violation) the transaction is rolled back and the
 *   same bytes go through a per-session temp staging table and `INSERT … SELECT … ON CONFLICT DO
 *   NOTHING`, which skips the duplicates. COPY cannot skip conflicts itself, and always staging would
 *   cost every batch a second copy of its rows.
 * - `unnest` (PGlite): `INSERT … SELECT … FROM unnest($1…) ON CONFLICT DO NOTHING` (edgeInsert.ts).
 *   PGlite behind its socket cannot take `COPY FROM STDIN` (the connection breaks).
 * - `auto` (the default) asks the server once which it is (`version()`): PGlite says so there.
 *
 * `groups` is iterated with `next()` only, never closed: a caller that decodes lazily can go on pulling
 * from its own iterator after a failure (to classify every message).
 *
 * Both paths store identical rows and return how many were new. Errors are left to the caller to
 * classify: SQLSTATE class 22/23 (including `CopyValueError` for values the binary format cannot carry)
 * means "this data"; anything else means "this database".
 */

import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { setImmediate as nextTurn } from "node:timers/promises";

import { DatabaseError, type PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";

import { edgeCountOf } from "../../hotpath/persistence/edgeBatchCodec.js";
import {
  CREATE_STAGING_SQL,
  EDGE_STAGING_TABLE,
  INSERT_FROM_STAGING_SQL,
  copyEdgesSql,
  encodeEdgeRows,
} from "./edgeCopy.js";
import { type BootEdges, type Queryable, insertEdgesWithUnnest } from "./edgeInsert.js";
import { BINARY_COPY_HEADER, BINARY_COPY_TRAILER } from "./pgBinaryCopy.js";

export const EDGE_INSERT_METHODS = ["auto", "copy", "unnest"] as const;
export type EdgeInsertMethodSetting = (typeof EDGE_INSERT_METHODS)[number];
export type EdgeInsertMethod = Exclude<EdgeInsertMethodSetting, "auto">;

/** A `pg` Pool, or anything that queries and lends out connections like one. */
export interface EdgeDatabase extends Queryable {
  connect(): Promise<PoolClient>;
}

export interface EdgeStore {
  /** The path this database gets (detected on first use when the setting is `auto`). */
  method(): Promise<EdgeInsertMethod>;
  /** Inserts every edge of `groups`; returns how many rows were new (already-stored edges are skipped). */
  insert(groups: Iterable<BootEdges>): Promise<number>;
}

/** `version()` of a server that cannot take COPY FROM STDIN over its wire: PGlite (Postgres in WASM). */
export function copyFromStdinUnsupported(serverVersion: string): boolean {
  return /PGlite|emscripten/i.test(serverVersion);
}

const UNIQUE_VIOLATION = "23505";

/** The SQLSTATE of an error the server reported (the session survives those); undefined for anything else. */
function sqlState(error: unknown): string | undefined {
  return error instanceof DatabaseError ? error.code : undefined;
}

/**
 * Rows encoded per chunk: a message (thousands of edges) is written in slices, with a turn of the event
 * loop between them (`copyChunks`), so the socket keeps the server fed while node encodes the rest, and a
 * slice's bytes (≈ 0.4 MB) stay small next to the socket's buffers.
 */
const ROWS_PER_CHUNK = 1_024;

/**
 * Each group's COPY rows, decoded (the caller's iterator decodes lazily) and encoded when pulled, in slices
 * of `ROWS_PER_CHUNK`; groups without edges are skipped. Groups pulled are appended to `seen` (references
 * only: a retry re-encodes them rather than keeping every chunk in memory).
 */
function encodedChunks(groups: Iterator<BootEdges>, seen?: BootEdges[]): Iterator<Buffer> {
  let current: BootEdges | undefined;
  let count = 0;
  let at = 0;
  return {
    next(): IteratorResult<Buffer> {
      while (current === undefined || at >= count) {
        const group = groups.next();
        if (group.done) return { done: true, value: undefined };
        current = group.value;
        count = edgeCountOf(current);
        at = 0;
        if (count > 0) seen?.push(current);
      }
      const from = at;
      at = Math.min(count, at + ROWS_PER_CHUNK);
      return { done: false, value: encodeEdgeRows(current, from, at) };
    },
  };
}

/**
 * Bytes the COPY stream may hold unsent before the producer waits for it to drain: enough to keep node
 * encoding ahead of the server, bounded so a batch of large messages does not sit in memory whole.
 */
const MAX_UNSENT_BYTES = 8 * 1024 * 1024;

/**
 * One COPY: header, every chunk `chunks` yields, trailer; resolves with the server's row count. Each
 * chunk is written as soon as it is produced, then the event loop turns (so the socket takes it) before
 * the next is produced — or, when more than `MAX_UNSENT_BYTES` wait unsent, until the stream drains;
 * written chunks are not kept. A chunk that fails to be produced (a `CopyValueError`) aborts the COPY
 * (CopyFail) and is what this throws.
 */
async function copyChunks(client: PoolClient, sql: string, chunks: Iterator<Buffer>): Promise<number> {
  const stream = client.query(copyFrom(sql));
  const done = finished(stream);
  done.catch(() => undefined); // awaited below; this only keeps an early rejection from going unheard
  // The server's refusal (e.g. a unique violation) arrives as an 'error' event while chunks are still
  // being written, without destroying the stream; its connection is gone by then, so writing on would
  // throw. Stop at the first sign of it; the error itself is in `done`.
  let refused = false;
  stream.once("error", () => {
    refused = true;
  });
  const open = (): boolean => !refused && !stream.destroyed;
  let productionError: Error | undefined;
  stream.write(BINARY_COPY_HEADER);
  try {
    for (let chunk = chunks.next(); !chunk.done && open(); chunk = chunks.next()) {
      stream.write(chunk.value);
      if (stream.writableLength > MAX_UNSENT_BYTES) await drained(stream);
      else await nextTurn();
    }
  } catch (error) {
    productionError = error instanceof Error ? error : new Error(String(error));
  }
  if (productionError !== undefined && open()) stream.destroy(productionError);
  else if (open()) stream.end(BINARY_COPY_TRAILER);
  try {
    await done;
  } catch (error) {
    if (productionError !== undefined) throw productionError;
    throw error;
  }
  if (productionError !== undefined) throw productionError;
  return stream.rowCount;
}

/** Resolves when `stream` drains, fails or closes (a failure is in `finished`, not here). */
function drained(stream: Writable): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const events = ["drain", "error", "close"] as const;
    const settle = (): void => {
      for (const event of events) stream.off(event, settle);
      resolve();
    };
    for (const event of events) stream.on(event, settle);
  });
}

/** A checked-out connection and whether it may go back to the pool. */
interface Lease {
  readonly client: PoolClient;
  /** False once the connection is known broken: released with `release(true)`, which destroys it. */
  reusable: boolean;
}

/**
 * Runs `work` on one pooled connection. Unlike `pool.query`, which destroys the connection after any
 * failed statement, a server-reported error (it has a SQLSTATE) keeps it: the session is fine, and
 * reconnecting costs a TLS handshake on RDS — and on PGlite, which takes one connection at a time, the
 * replacement is refused while the old one is still closing, failing the next statement too.
 */
async function withConnection<T>(db: EdgeDatabase, work: (lease: Lease) => Promise<T>): Promise<T> {
  const lease: Lease = { client: await db.connect(), reusable: true };
  // A checked-out client whose socket dies emits 'error'; unheard, that crashes the process. The running
  // statement rejects on its own, so here the connection is only marked as not to be pooled again.
  const onConnectionError = (): void => {
    lease.reusable = false;
  };
  lease.client.on("error", onConnectionError);
  try {
    return await work(lease);
  } catch (error) {
    if (sqlState(error) === undefined) lease.reusable = false;
    throw error;
  } finally {
    lease.client.off("error", onConnectionError);
    lease.client.release(!lease.reusable);
  }
}

/** Ends a failed transaction; a connection that cannot even roll back is not reused. */
async function rollback(lease: Lease, cause: unknown): Promise<void> {
  if (!lease.reusable || sqlState(cause) === undefined) {
    lease.reusable = false;
    return;
  }
  try {
    await lease.client.query("ROLLBACK");
  } catch {
    lease.reusable = false;
  }
}

async function insertWithCopy(db: EdgeDatabase, groups: Iterator<BootEdges>): Promise<number> {
  const seen: BootEdges[] = [];
  const chunks = encodedChunks(groups, seen);
  // The first chunk before a connection is taken: nothing to load needs no database.
  let first: IteratorResult<Buffer> | undefined = chunks.next();
  if (first.done) return 0;
  const fromFirst: Iterator<Buffer> = {
    next: () => {
      const chunk = first ?? chunks.next();
      first = undefined;
      return chunk;
    },
  };
  return withConnection(db, async (lease) => {
    const { client } = lease;
    try {
      await client.query("BEGIN");
      const copied = await copyChunks(client, copyEdgesSql("edges"), fromFirst);
      await client.query("COMMIT");
      return copied;
    } catch (error) {
      await rollback(lease, error);
      if (!lease.reusable || sqlState(error) !== UNIQUE_VIOLATION) throw error;
    }
    // Some edge is already stored (a redelivery): all the rows again through staging, duplicates skipped.
    for (let group = groups.next(); !group.done; group = groups.next()) seen.push(group.value);
    try {
      await client.query("BEGIN");
      await client.query(CREATE_STAGING_SQL);
      await copyChunks(client, copyEdgesSql(EDGE_STAGING_TABLE), encodedChunks(seen.values()));
      const inserted = await client.query(INSERT_FROM_STAGING_SQL);
      await client.query("COMMIT");
      return inserted.rowCount ?? 0;
    } catch (error) {
      await rollback(lease, error);
      throw error;
    }
  });
}

export function createEdgeStore(db: EdgeDatabase, setting: EdgeInsertMethodSetting = "auto"): EdgeStore {
  let detected: Promise<EdgeInsertMethod> | undefined;
  const method = (): Promise<EdgeInsertMethod> => {
    if (setting !== "auto") return Promise.resolve(setting);
    detected ??= db.query("SELECT version() AS version", []).then(
      (result) => {
        const version = (result.rows[0] as { version?: unknown } | undefined)?.version;
        if (typeof version !== "string") throw new Error("SELECT version() returned no version text");
        return copyFromStdinUnsupported(version) ? "unnest" : "copy";
      },
      (error: unknown) => {
        detected = undefined; // the database was unreachable: ask again next time
        throw error;
      },
    );
    return detected;
  };
  return {
    method,
    async insert(groups) {
      const iterator = groups[Symbol.iterator]();
      if ((await method()) === "copy") return insertWithCopy(db, iterator);
      const all: BootEdges[] = [];
      for (let group = iterator.next(); !group.done; group = iterator.next()) all.push(group.value);
      if (all.every((group) => edgeCountOf(group) === 0)) return 0;
      return withConnection(db, ({ client }) => insertEdgesWithUnnest(client, all));
    },
  };
}
