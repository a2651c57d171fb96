/**
 * One writer per journal: a lock file `<dir>/journal.lock` holding the owner's pid, created exclusively
 * (`O_EXCL`). Two processes appending to one journal would interleave records and each would recover a
 * state the other never had, so a second writer refuses to start instead.
 *
 * The same scheme as the nonce allocator's signer lock (`exchange/nonce/signer-lock.ts`): a lock left by a
 * dead process (crash, SIGKILL) is taken over — its pid no longer runs, or it is our own pid (a container
 * restarted and got the same pid). Limits: if an unrelated process has since taken the dead holder's pid,
 * the start fails and the message names the file to delete; the lock protects one host only.
 */

import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

import { JournalBusyError, JournalIoError } from "./errors.js";

const heldByThisProcess = new Set<string>();

export function journalLockPath(dir: string): string {
  return join(dir, "journal.lock");
}

export class JournalLock {
  #released = false;

  private constructor(
    readonly dir: string,
    readonly file: string,
  ) {}

  /** Takes the lock or throws `JournalBusyError`. The directory must exist. */
  static acquire(dir: string): JournalLock {
    const file = journalLockPath(dir);
    if (heldByThisProcess.has(file)) throw new JournalBusyError(dir, file, null);
    for (let attempt = 0; attempt < 2; attempt++) {
      if (tryCreate(file)) {
        heldByThisProcess.add(file);
        return new JournalLock(dir, file);
      }
      const holder = readHolderPid(file);
      if (holder !== null && holder !== process.pid && isRunning(holder)) {
        throw new JournalBusyError(dir, file, holder);
      }
      removeIfPresent(file);
    }
    // Another process re-created the lock between our removal and the retry: it owns the journal now.
    throw new JournalBusyError(dir, file, readHolderPid(file));
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    heldByThisProcess.delete(this.file);
    if (readHolderPid(this.file) === process.pid) removeIfPresent(this.file);
  }
}

function tryCreate(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new JournalIoError(file, "creating the journal lock", { cause: error });
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The pid in the lock file; null when the file vanished or holds no pid (a holder that died mid-write). */
function readHolderPid(file: string): number | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new JournalIoError(file, "reading the journal lock", { cause: error });
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ESRCH") return false;
    if (code === "EPERM") return true; // exists, owned by another user
    throw error;
  }
}

function removeIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new JournalIoError(file, "removing the journal lock", { cause: error });
  }
}
