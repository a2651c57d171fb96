/**
 * One allocator per signer: an in-process registry plus a lock file `<dir>/<signer>.nonce.lock` holding the
 * owner's pid, so a second process started with the same agent key refuses to run instead of colliding on
 * nonces (PROTOCOL §7: never share an agent key between processes).
 *
 * A lock left by a dead process (crash, SIGKILL) is taken over: its pid no longer exists, or it is our own
 * pid, which happens when a container restarts and the process gets pid 1 again. Limits: if an unrelated
 * process has since taken the dead holder's pid, the start fails and the message says which file to delete;
 * two processes taking over the same stale lock at the same instant could both succeed; the lock only
 * protects one host (a shared network volume is not supported).
 */

import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

import { NonceSignerBusyError, NoncePersistenceError } from "./errors.js";
import type { Address } from "../wire/brands.js";

const heldByThisProcess = new Set<string>();

export function signerLockPath(dir: string, signer: Address): string {
  return join(dir, `${signer}.nonce.lock`);
}

export class SignerLock {
  #released = false;

  private constructor(
    readonly signer: Address,
    readonly file: string,
  ) {}

  /** Takes the lock or throws `NonceSignerBusyError`. The directory must exist. */
  static acquire(signer: Address, file: string): SignerLock {
    if (heldByThisProcess.has(file)) throw new NonceSignerBusyError(signer, file, null);
    for (let attempt = 0; attempt < 2; attempt++) {
      if (tryCreate(signer, file)) {
        heldByThisProcess.add(file);
        return new SignerLock(signer, file);
      }
      const holder = readHolderPid(signer, file);
      if (holder !== null && holder !== process.pid && isRunning(holder)) {
        throw new NonceSignerBusyError(signer, file, holder);
      }
      removeIfPresent(signer, file);
    }
    // Someone else re-created the lock between our removal and retry: they own it now.
    throw new NonceSignerBusyError(signer, file, readHolderPid(signer, file));
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    heldByThisProcess.delete(this.file);
    if (readHolderPid(this.signer, this.file) === process.pid) removeIfPresent(this.signer, this.file);
  }
}

function tryCreate(signer: Address, file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new NoncePersistenceError(signer, file, "creating the signer lock", { cause: error });
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The pid in the lock file; null when the file vanished or holds no pid (a holder that died mid-write). */
function readHolderPid(signer: Address, file: string): number | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new NoncePersistenceError(signer, file, "reading the signer lock", { cause: error });
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

function removeIfPresent(signer: Address, file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new NoncePersistenceError(signer, file, "removing the signer lock", { cause: error });
  }
}
