/**
 * Segment files: `<dir>/journal-00000001.ndjson`, `journal-00000002.ndjson`, … Only the newest is read on
 * recovery; it starts with a snapshot of everything still open, so older segments are history (kept up to a
 * count for analysis, then deleted). A new segment is written to `<name>.tmp`, fdatasync'd, renamed into
 * place and the directory fsync'd: a crash leaves either no new segment or a complete one, never half.
 */

import {
  closeSync,
  fdatasyncSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

import { JournalIoError } from "./errors.js";

const SEGMENT_RE = /^journal-(\d{8})\.ndjson$/;
const TEMPORARY_RE = /^journal-\d{8}\.ndjson\.tmp$/;

export function segmentPath(dir: string, segment: number): string {
  return join(dir, `journal-${String(segment).padStart(8, "0")}.ndjson`);
}

/** Segment numbers present in `dir`, ascending; empty when the directory is missing or has none. */
export function listSegments(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new JournalIoError(dir, "listing the journal directory", { cause: error });
  }
  const segments: number[] = [];
  for (const name of names) {
    const match = SEGMENT_RE.exec(name);
    if (match !== null) segments.push(Number(match[1]));
  }
  return segments.sort((a, b) => a - b);
}

/** Leftovers of a rotation that crashed before its rename: never part of the journal. */
export function removeTemporaryFiles(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (TEMPORARY_RE.test(name)) unlinkSync(join(dir, name));
  }
}

/** Writes a whole segment durably and atomically (temporary file, fdatasync, rename, directory fsync). */
export function writeSegmentAtomically(dir: string, segment: number, content: string): void {
  const file = segmentPath(dir, segment);
  const temporary = `${file}.tmp`;
  let step = "writing the new segment";
  try {
    const fd = openSync(temporary, "w", 0o600);
    try {
      const bytes = Buffer.from(content, "utf8");
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written);
      step = "syncing the new segment";
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    step = "renaming the new segment into place";
    renameSync(temporary, file);
    step = "syncing the journal directory";
    fsyncDirectory(dir);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // already gone or renamed; the original error is the one to report
    }
    throw new JournalIoError(file, step, { cause: error });
  }
}

export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Deletes all but the newest `keep` segments. */
export function pruneSegments(dir: string, keep: number): void {
  const segments = listSegments(dir);
  for (const segment of segments.slice(0, Math.max(0, segments.length - keep))) {
    const file = segmentPath(dir, segment);
    try {
      unlinkSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new JournalIoError(file, "deleting an old segment", { cause: error });
      }
    }
  }
}
