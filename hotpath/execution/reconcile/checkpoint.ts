/**
 * The inventory checkpoint: the account's inventory as last reconciled (balances, perp positions, and the
 * fill/funding window it covers), kept in one small local file so that a restart can explain the spot and
 * USDC balances exactly — the journal alone cannot: it knows the bot's open intents, not the inventory the
 * account held before them, nor funding and closed positions.
 *
 * Written only after a successful reconciliation, atomically (temporary file, fsync, rename, fsync of the
 * directory): a crash leaves the previous checkpoint or the new one, never half of one. A file that does
 * not parse, or that belongs to another account, stops start-up (`CheckpointError`) rather than being
 * guessed past.
 */

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";

import { z } from "zod";

import { addressSchema, uintSchema, wireDecimalSchema } from "../../exchange/wire/decode-common.js";
import type { Address } from "../../exchange/wire/brands.js";
import type { AccountMode } from "./accountSnapshot.js";
import { CheckpointError } from "./errors.js";
import type { InventoryBaseline } from "./inventory.js";

export const CHECKPOINT_FORMAT = "hlbasis-inventory-checkpoint/1";
export const CHECKPOINT_FILE = "inventory-checkpoint.json";

export interface InventoryCheckpoint {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly address: Address;
  readonly accountMode: AccountMode;
  /** Local wall clock when written. */
  readonly savedAtMs: number;
  /** Exchange time of the snapshot it was reconciled against. */
  readonly exchangeTimeMs: number;
  readonly baseline: InventoryBaseline;
}

const decimalRecord = z.record(z.string(), wireDecimalSchema);

const checkpointSchema: z.ZodType<InventoryCheckpoint> = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  address: addressSchema,
  accountMode: z.enum(["standard", "unified"]),
  savedAtMs: uintSchema,
  exchangeTimeMs: uintSchema,
  baseline: z.object({
    tokens: decimalRecord,
    perp: decimalRecord,
    fillsSinceMs: uintSchema,
    fillTids: z.array(uintSchema),
    fundingSinceMs: uintSchema,
    fundingKeys: z.array(z.string()),
  }),
});

export class CheckpointStore {
  readonly file: string;

  constructor(readonly dir: string) {
    this.file = join(dir, CHECKPOINT_FILE);
  }

  /** The checkpoint of `address`, or null when none was ever written. Throws `CheckpointError`. */
  read(address: Address): InventoryCheckpoint | null {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw new CheckpointError("read", this.file, (error as Error).message, { cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch (error) {
      throw new CheckpointError("corrupt", this.file, "not JSON", { cause: error });
    }
    const parsed = checkpointSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CheckpointError(
        "corrupt",
        this.file,
        `${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`,
      );
    }
    if (parsed.data.address !== address) {
      throw new CheckpointError(
        "otherAccount",
        this.file,
        `written for ${parsed.data.address}, this process trades ${address}: use a directory per account`,
      );
    }
    return parsed.data;
  }

  /** Replaces the checkpoint atomically and durably. Throws `CheckpointError`. */
  write(checkpoint: InventoryCheckpoint): void {
    const temporary = `${this.file}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      const fd = openSync(temporary, "w", 0o600);
      try {
        writeSync(fd, `${JSON.stringify(checkpoint, null, 1)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, this.file);
      const dirFd = openSync(this.dir, "r");
      try {
        fsyncSync(dirFd);
      } finally {
        closeSync(dirFd);
      }
    } catch (error) {
      throw new CheckpointError("write", this.file, (error as Error).message, { cause: error });
    }
  }
}
