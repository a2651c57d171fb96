/**
 * The lines of a local JSON-lines log file (what `npm start` writes), and with `follow` the lines appended
 * after, like `tail -F`: polling the file's size and inode rather than fs.watch, which misses events on
 * some file systems (network mounts, Docker bind mounts on macOS) and needs no handle kept on a file being
 * replaced.
 *
 * Only whole lines are yielded: the writer (pino's asynchronous destination) can leave half a line at the
 * end of the file for a moment, and that half waits for its newline. A file that shrinks or is another file
 * (new inode) was truncated or replaced (a new `npm start` run): reading starts again from its beginning.
 */

import { open, stat } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { setTimeout as sleep } from "node:timers/promises";

export class LocalLogFileError extends Error {
  override readonly name = "LocalLogFileError";
}

export interface ReadLocalLogOptions {
  readonly follow: boolean;
  /** How often a followed file is checked for growth. */
  readonly pollMs?: number;
  /** Ends following (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Told once when a followed file does not exist yet. */
  readonly onWaiting?: (file: string) => void;
}

const CHUNK_BYTES = 64 * 1024;
const DEFAULT_POLL_MS = 250;

export async function* readLocalLogLines(file: string, options: ReadLocalLogOptions): AsyncGenerator<string> {
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  let position = 0;
  let pending = "";
  let decoder = new StringDecoder("utf8");
  let toldWaiting = false;
  let inode: number | undefined;
  while (options.signal?.aborted !== true) {
    const found = await fileIdentity(file);
    if (found === undefined) {
      if (!options.follow) {
        throw new LocalLogFileError(
          `no log file at ${file} (run \`npm start\` first, or pass --file <path>)`,
        );
      }
      if (!toldWaiting) options.onWaiting?.(file);
      toldWaiting = true;
    } else {
      const { size, inode: currentInode } = found;
      if (size < position || (inode !== undefined && currentInode !== inode)) {
        position = 0;
        pending = "";
        decoder = new StringDecoder("utf8");
      }
      inode = currentInode;
      if (size > position) {
        for await (const chunk of readRange(file, position, size)) {
          position += chunk.length;
          pending += decoder.write(chunk);
          const lines = pending.split("\n");
          pending = lines.pop() ?? "";
          for (const line of lines) if (line.trim() !== "") yield line;
        }
      }
    }
    if (!options.follow) {
      pending += decoder.end();
      // Read once, to the end: a last line without its newline is still an event the operator asked for.
      if (pending.trim() !== "") yield pending;
      return;
    }
    try {
      await sleep(pollMs, undefined, options.signal === undefined ? {} : { signal: options.signal });
    } catch {
      return; // aborted
    }
  }
}

/** Size and inode, or undefined when there is no such file. */
async function fileIdentity(file: string): Promise<{ size: number; inode: number } | undefined> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new LocalLogFileError(`${file} is not a file`);
    return { size: info.size, inode: info.ino };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** The bytes [start, end) in chunks, so a large file is never held in memory whole. */
async function* readRange(file: string, start: number, end: number): AsyncGenerator<Buffer> {
  const handle = await open(file, "r");
  try {
    let at = start;
    while (at < end) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, end - at));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, at);
      if (bytesRead === 0) return; // truncated while reading: the next poll sees the smaller size
      yield buffer.subarray(0, bytesRead);
      at += bytesRead;
    }
  } finally {
    await handle.close();
  }
}
