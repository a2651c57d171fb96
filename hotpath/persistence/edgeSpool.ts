/**
 * The local spool: where packed edge messages wait, on disk, while SQS is unavailable, and from which the
 * flusher drains them in order once it is back — across restarts (a new process drains what an old one
 * spooled).
 *
 * Layout of the spool directory (nothing else may live there):
 * - `edges-<12-digit segment number>.spool`: append-only segments. A process never appends to a segment
 *   an earlier process wrote (its tail may be torn); it starts a new one and rotates at `segmentBytes`.
 * - `cursor.json`: `{"segment":n,"offset":k}`, the position of the oldest record not yet acknowledged by
 *   SQS, replaced atomically (write + rename) after every acknowledged drain batch. Segments wholly
 *   before it are deleted.
 *
 * Record: a 16-byte little-endian header — magic `HLES`, body bytes, edge count, CRC-32 of the body — then
 * the body (UTF-8). Reopening scans every segment from the cursor; a torn tail (a crash mid-append) or a
 * record failing its CRC ends that segment's scan, logged with the bytes left behind.
 *
 * Bounds: `maxBytes` caps the unacknowledged records on disk (appends in progress included). An append that
 * would exceed it is refused (`"full"`): the caller counts those edges as dropped. Durability: records
 * survive a process crash once `append` resolved (the data is in the OS page cache); surviving a machine
 * crash would need an fsync per append, which this spool does not pay.
 */

import { mkdir, open, readFile, readdir, rename, unlink, writeFile, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";

import type { Logger } from "../observability/logger.js";
import type { PackedMessage } from "./edgeBatchCodec.js";

const MAGIC = 0x53454c48; // "HLES" read as a little-endian u32
const HEADER_BYTES = 16;
const SEGMENT_RE = /^edges-(\d{12})\.spool$/;
const CURSOR_FILE = "cursor.json";

export const DEFAULT_SPOOL_SEGMENT_BYTES = 8 * 1024 * 1024;

export interface EdgeSpoolOptions {
  /** The spool's own directory (created if missing). */
  readonly dir: string;
  /** Cap on unacknowledged record bytes on disk. */
  readonly maxBytes: number;
  /** A segment is closed once it reaches this size; default 8 MiB. */
  readonly segmentBytes?: number;
  readonly logger: Logger;
}

export type SpoolAppendResult = "spooled" | "full";

/** A spooled record read back by `peek`; `body` is null when the record failed its CRC check. */
export interface SpooledMessage {
  readonly body: string | null;
  readonly bytes: number;
  readonly edgeCount: number;
}

/** The spool's disk failed us (open, write, read, rename, delete). */
export class EdgeSpoolError extends Error {
  override readonly name = "EdgeSpoolError";
  constructor(
    readonly operation: string,
    readonly path: string,
    options?: ErrorOptions,
  ) {
    const cause = options?.cause instanceof Error ? `: ${options.cause.message}` : "";
    super(`edge spool ${operation} failed on ${path}${cause}`, options);
  }
}

interface RecordRef {
  readonly segment: number;
  readonly offset: number;
  /** Header + body. */
  readonly recordBytes: number;
  readonly edgeCount: number;
}

interface Writer {
  readonly segment: number;
  readonly handle: FileHandle;
  size: number;
}

function segmentName(segment: number): string {
  return `edges-${String(segment).padStart(12, "0")}.spool`;
}

function header(bodyBytes: number, edgeCount: number, crc: number): Buffer {
  const buffer = Buffer.allocUnsafe(HEADER_BYTES);
  buffer.writeUInt32LE(MAGIC, 0);
  buffer.writeUInt32LE(bodyBytes, 4);
  buffer.writeUInt32LE(edgeCount, 8);
  buffer.writeUInt32LE(crc, 12);
  return buffer;
}

async function attempt<T>(operation: string, path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new EdgeSpoolError(operation, path, { cause: error });
  }
}

export class EdgeSpool {
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly logger: Logger;
  /** Unacknowledged records, oldest first, from `head`. */
  private records: RecordRef[] = [];
  private head = 0;
  /** Bytes of unacknowledged records plus appends in progress. */
  private reserved = 0;
  private unackedEdges = 0;
  private appending = 0;
  private writer: Writer | undefined;
  private nextSegment: number;
  /** Appends (and rotations) run one after another, in call order. */
  private appendChain: Promise<unknown> = Promise.resolve();
  /** Acks (cursor writes, deletions) run one after another. */
  private ackChain: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(options: EdgeSpoolOptions, nextSegment: number) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SPOOL_SEGMENT_BYTES;
    this.logger = options.logger;
    this.nextSegment = nextSegment;
  }

  /** Opens (or creates) the spool in `options.dir` and indexes what earlier runs left unacknowledged. */
  static async open(options: EdgeSpoolOptions): Promise<EdgeSpool> {
    if (!(options.maxBytes > HEADER_BYTES))
      throw new RangeError(`spool maxBytes too small: ${options.maxBytes}`);
    const dir = options.dir;
    await attempt("mkdir", dir, () => mkdir(dir, { recursive: true }));
    const names = await attempt("readdir", dir, () => readdir(dir));
    const segments = names
      .map((name) => SEGMENT_RE.exec(name))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => Number(match[1]))
      .sort((a, b) => a - b);
    const cursor = await EdgeSpool.readCursor(dir, options.logger);
    const spool = new EdgeSpool(options, (segments.at(-1) ?? 0) + 1);
    for (const segment of segments) {
      const path = join(dir, segmentName(segment));
      if (cursor !== undefined && segment < cursor.segment) {
        await attempt("unlink", path, () => unlink(path));
        continue;
      }
      const from = cursor !== undefined && segment === cursor.segment ? cursor.offset : 0;
      await spool.index(segment, path, from);
    }
    return spool;
  }

  private static async readCursor(
    dir: string,
    logger: Logger,
  ): Promise<{ segment: number; offset: number } | undefined> {
    const path = join(dir, CURSOR_FILE);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new EdgeSpoolError("read", path, { cause: error });
    }
    try {
      const parsed = JSON.parse(text) as { segment?: unknown; offset?: unknown };
      if (Number.isSafeInteger(parsed.segment) && Number.isSafeInteger(parsed.offset)) {
        return { segment: parsed.segment as number, offset: parsed.offset as number };
      }
    } catch {
      // fall through: an unreadable cursor means "drain everything", which duplicates, never loses
    }
    logger.warn({ path, cursor: text.slice(0, 100) }, "edge spool cursor unreadable; draining every segment");
    return undefined;
  }

  /** Adds the valid records of `segment` from `from` to the index; stops at a torn or corrupt record. */
  private async index(segment: number, path: string, from: number): Promise<void> {
    const data = await attempt("read", path, () => readFile(path));
    let offset = from;
    while (offset + HEADER_BYTES <= data.length) {
      const bodyBytes = data.readUInt32LE(offset + 4);
      const end = offset + HEADER_BYTES + bodyBytes;
      if (data.readUInt32LE(offset) !== MAGIC || end > data.length) break;
      if (crc32(data.subarray(offset + HEADER_BYTES, end)) !== data.readUInt32LE(offset + 12)) break;
      const ref = { segment, offset, recordBytes: end - offset, edgeCount: data.readUInt32LE(offset + 8) };
      this.records.push(ref);
      this.reserved += ref.recordBytes;
      this.unackedEdges += ref.edgeCount;
      offset = end;
    }
    if (offset < data.length) {
      this.logger.warn(
        { path, offset, bytesIgnored: data.length - offset },
        "edge spool segment ends in a torn or corrupt record; the rest of it is skipped",
      );
    }
  }

  /** Unacknowledged bytes on disk, appends in progress included. */
  get bytes(): number {
    return this.reserved;
  }

  /** Unacknowledged records (appends in progress not included). */
  get messageCount(): number {
    return this.records.length - this.head;
  }

  /** Edges in unacknowledged records. */
  get edgeCount(): number {
    return this.unackedEdges;
  }

  /** Nothing unacknowledged and no append in progress. */
  get isEmpty(): boolean {
    return this.appending === 0 && this.records.length === this.head;
  }

  /**
   * Appends `message` after everything appended before it. Resolves `"full"` at once (nothing written)
   * when it would take the spool past `maxBytes`; rejects with `EdgeSpoolError` when the disk fails.
   */
  append(message: PackedMessage): Promise<SpoolAppendResult> {
    if (this.closed)
      return Promise.reject(new EdgeSpoolError("append", this.dir, { cause: new Error("closed") }));
    const recordBytes = HEADER_BYTES + message.bytes;
    if (this.reserved + recordBytes > this.maxBytes) return Promise.resolve("full");
    this.reserved += recordBytes;
    this.appending += 1;
    const done = this.appendChain.then(() => this.write(message, recordBytes));
    this.appendChain = done.catch(() => undefined);
    return done.then(
      () => {
        this.appending -= 1;
        return "spooled" as const;
      },
      (error: unknown) => {
        this.appending -= 1;
        this.reserved -= recordBytes;
        throw error;
      },
    );
  }

  private async write(message: PackedMessage, recordBytes: number): Promise<void> {
    const body = Buffer.from(message.body, "utf8");
    if (body.length !== message.bytes) {
      throw new EdgeSpoolError("append", this.dir, {
        cause: new Error(`message says ${message.bytes} bytes, body has ${body.length}`),
      });
    }
    let writer = this.writer;
    if (writer === undefined || (writer.size > 0 && writer.size + recordBytes > this.segmentBytes)) {
      await this.closeWriter();
      writer = await this.openWriter();
    }
    const record = Buffer.concat([header(body.length, message.edgeCount, crc32(body)), body]);
    const path = join(this.dir, segmentName(writer.segment));
    const target = writer;
    try {
      const { bytesWritten } = await target.handle.write(record, 0, record.length, null);
      if (bytesWritten !== record.length) throw new Error(`short write: ${bytesWritten} of ${record.length}`);
    } catch (error) {
      // The segment may now end in a partial record: never append after it.
      await this.closeWriter();
      throw new EdgeSpoolError("append", path, { cause: error });
    }
    this.records.push({
      segment: target.segment,
      offset: target.size,
      recordBytes,
      edgeCount: message.edgeCount,
    });
    this.unackedEdges += message.edgeCount;
    target.size += recordBytes;
  }

  private async openWriter(): Promise<Writer> {
    const segment = this.nextSegment;
    this.nextSegment += 1;
    const path = join(this.dir, segmentName(segment));
    const handle = await attempt("open", path, () => open(path, "wx"));
    this.writer = { segment, handle, size: 0 };
    return this.writer;
  }

  private async closeWriter(): Promise<void> {
    const writer = this.writer;
    this.writer = undefined;
    if (writer !== undefined) await writer.handle.close().catch(() => undefined);
  }

  /**
   * Reads the oldest unacknowledged records, in order: at most `maxEntries`, and at most `maxBytes` of
   * bodies in total (at least one record when any is waiting). Does not remove them: `ack` does.
   */
  async peek(maxEntries: number, maxBytes: number): Promise<SpooledMessage[]> {
    const refs: RecordRef[] = [];
    let bodies = 0;
    for (let i = this.head; i < this.records.length && refs.length < maxEntries; i++) {
      const ref = this.records[i]!;
      const bodyBytes = ref.recordBytes - HEADER_BYTES;
      if (refs.length > 0 && bodies + bodyBytes > maxBytes) break;
      refs.push(ref);
      bodies += bodyBytes;
    }
    const out: SpooledMessage[] = [];
    let handle: FileHandle | undefined;
    let openSegment = -1;
    try {
      for (const ref of refs) {
        const path = join(this.dir, segmentName(ref.segment));
        if (ref.segment !== openSegment) {
          await handle?.close();
          handle = await attempt("open", path, () => open(path, "r"));
          openSegment = ref.segment;
        }
        const record = Buffer.allocUnsafe(ref.recordBytes);
        const reader = handle!;
        const { bytesRead } = await attempt("read", path, () =>
          reader.read(record, 0, ref.recordBytes, ref.offset),
        );
        const body = record.subarray(HEADER_BYTES);
        const intact =
          bytesRead === ref.recordBytes &&
          record.readUInt32LE(0) === MAGIC &&
          crc32(body) === record.readUInt32LE(12);
        out.push({
          body: intact ? body.toString("utf8") : null,
          bytes: ref.recordBytes - HEADER_BYTES,
          edgeCount: ref.edgeCount,
        });
      }
    } finally {
      await handle?.close();
    }
    return out;
  }

  /**
   * Acknowledges the `count` oldest records (those `peek` returned): moves the cursor past them, persists
   * it, and deletes segments left wholly behind it.
   */
  ack(count: number): Promise<void> {
    const end = Math.min(this.head + count, this.records.length);
    for (let i = this.head; i < end; i++) {
      const ref = this.records[i]!;
      this.reserved -= ref.recordBytes;
      this.unackedEdges -= ref.edgeCount;
    }
    this.head = end;
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
    const next = this.records[this.head];
    const writer = this.writer;
    const cursor =
      next !== undefined
        ? { segment: next.segment, offset: next.offset }
        : writer !== undefined
          ? { segment: writer.segment, offset: writer.size }
          : { segment: this.nextSegment, offset: 0 };
    const done = this.ackChain.then(() => this.persistCursor(cursor));
    this.ackChain = done.catch(() => undefined);
    return done;
  }

  private async persistCursor(cursor: { segment: number; offset: number }): Promise<void> {
    const path = join(this.dir, CURSOR_FILE);
    const temporary = `${path}.tmp`;
    await attempt("write", temporary, () => writeFile(temporary, JSON.stringify(cursor)));
    await attempt("rename", path, () => rename(temporary, path));
    const names = await attempt("readdir", this.dir, () => readdir(this.dir));
    for (const name of names) {
      const match = SEGMENT_RE.exec(name);
      if (match === null || Number(match[1]) >= cursor.segment) continue;
      const segmentPath = join(this.dir, name);
      await attempt("unlink", segmentPath, () => unlink(segmentPath));
    }
  }

  /** Waits for appends and acks in progress, then closes the open segment. The spool stays on disk. */
  async close(): Promise<void> {
    this.closed = true;
    await this.appendChain;
    await this.ackChain;
    await this.closeWriter();
  }
}
